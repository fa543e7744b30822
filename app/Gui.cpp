#include "Gui.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QStatusBar>
#include <QThread>
#include <QTimer>

#include <cstdio>
#include <memory>

#include <QPushButton>
#include <QSettings>

#include "SignalWatcher.h"
#include "ServiceOptions.h"
#include "config/Settings.h"
#include "ingest/IngestService.h"
#include "ingest/PortOwner.h"
#include "main/DatabaseProblemDialog.h"
#include "main/MainWindow.h"
#include "main/PreferencesDialog.h"
#include "main/Theme.h"
#include "store/DatabaseFile.h"
#include "store/Writer.h"

namespace cctv::app {

namespace {

ui::MainWindow::Page pageFor(const QString& name) {
  if (name == QLatin1String("costs")) return ui::MainWindow::Page::Costs;
  if (name == QLatin1String("metrics")) return ui::MainWindow::Page::Metrics;
  if (name == QLatin1String("tools")) return ui::MainWindow::Page::Tools;
  if (name == QLatin1String("ingest")) return ui::MainWindow::Page::Ingest;
  return ui::MainWindow::Page::Sessions;
}

// Waits (running the event loop) until the window's queries have all delivered twice in a row, so the
// picture shows data, not "loading".
void settle(ui::MainWindow& w, int maxMs) {
  QElapsedTimer t;
  t.start();
  int quiet = 0;
  while (t.elapsed() < maxMs && quiet < 4) {
    QApplication::processEvents(QEventLoop::AllEvents, 50);
    QThread::msleep(50);
    quiet = w.idle() ? quiet + 1 : 0;
  }
}

int screenshot(const Options& o) {
  ui::WindowOptions wo;
  wo.readOnly = o.readOnly;
  wo.dbPath = QFileInfo(o.dbPath).absoluteFilePath();
  wo.url = QStringLiteral("http://%1:%2").arg(o.bind).arg(o.httpPort);
  ui::MainWindow w(wo);
  w.resize(1440, 900);
  w.show();
  settle(w, 10000);
  if (!o.session.isEmpty()) {
    w.selectSession(o.session);
    settle(w, 10000);
  }
  w.showPage(pageFor(o.page));
  settle(w, 10000);
  if (o.page == QLatin1String("prompt")) {
    w.showBusiestPrompt();
    settle(w, 10000);
  }
  if (o.page == QLatin1String("events")) {
    w.showEventsTab();
    settle(w, 10000);
  }
  QApplication::processEvents();
  if (!w.grab().save(o.screenshot)) {
    std::fprintf(stderr, "cctv: cannot write %s\n", qPrintable(o.screenshot));
    return 1;
  }
  std::printf("saved %s\n", qPrintable(o.screenshot));
  return 0;
}

// Starts the receiver; while the database is the problem, asks what to do (open another file, move the
// damaged one aside, try again, quit). Returns nullptr when the user quits. A service that failed only to
// listen is returned as is: the window then shows the database without receiving.
std::unique_ptr<ingest::IngestService> startService(Options& o, std::string* error) {
  for (;;) {
    QDir().mkpath(QFileInfo(o.dbPath).absolutePath());
    // Retention and the rest: the preferences merged with the flags (effectiveSettings()).
    ingest::ServiceOptions so = serviceOptions(o);
    auto service = std::make_unique<ingest::IngestService>(so);
    if (service->start(error) || service->failure() != ingest::IngestService::Failure::Database) return service;
    std::fprintf(stderr, "cctv: %s\n", error->c_str());
    const store::DatabaseProblem problem = service->databaseProblem();
    const QString path = QFileInfo(o.dbPath).absoluteFilePath();
    ui::DatabaseProblemDialog dialog(path, QString::fromStdString(*error), store::canMoveAside(problem));
    dialog.exec();
    switch (dialog.choice()) {
      case ui::DatabaseProblemDialog::Choice::OpenAnother: {
        // A save dialog that does not ask about overwriting: it picks an existing file or names a new one.
        const QString picked = QFileDialog::getSaveFileName(
            nullptr, QObject::tr("Open or create a cctv database"), QFileInfo(path).absolutePath(),
            QObject::tr("cctv databases (*.db);;All files (*)"), nullptr, QFileDialog::DontConfirmOverwrite);
        if (!picked.isEmpty()) o.dbPath = picked;
        break;
      }
      case ui::DatabaseProblemDialog::Choice::MoveAside: {
        std::string moveError;
        const std::string moved = store::moveAside(path.toStdString(), &moveError);
        if (moved.empty()) {
          QMessageBox::critical(nullptr, QObject::tr("cctv"), QString::fromStdString(moveError));
        } else {
          std::fprintf(stderr, "cctv: moved %s aside to %s\n", qPrintable(path), moved.c_str());
          QMessageBox::information(nullptr, QObject::tr("cctv"),
                                   QObject::tr("The old file is now %1.\nA new database starts at %2.")
                                       .arg(QString::fromStdString(moved), path));
        }
        break;
      }
      case ui::DatabaseProblemDialog::Choice::Retry: break;
      case ui::DatabaseProblemDialog::Choice::Quit: return nullptr;
    }
  }
}

// The preferences for this run: the saved ones with the command line's flags on top. Saved values that do
// not pass the checks (edited by hand) are ignored, with a line on stderr, rather than refusing to start.
config::Settings effectiveSettings(const Options& o) {
  QSettings store;
  const config::Settings merged = config::merge(config::load(store), settingsOf(o), o.fixed);
  if (const config::Problem p = config::validate(merged, config::Naming::Labels)) {
    std::fprintf(stderr, "cctv: ignoring the saved preferences: %s\n", qPrintable(p.message));
    config::Settings flagsOnly = config::merge(config::Settings{}, settingsOf(o), o.fixed);
    return flagsOnly;
  }
  return merged;
}

enum class PortChoice { ReadOnly, ChangedPort, Continue, Quit };

// The receiver could not listen: says who has the port and asks what to do.
PortChoice askAboutTakenPort(const ingest::PortOwner& owner, const QString& error, const QString& dbPath,
                             config::Settings* settings, config::Fields fixed) {
  QMessageBox box(QMessageBox::Warning, QObject::tr("cctv: port %1 is taken").arg(owner.port), QString());
  if (owner.kind == ingest::PortOwner::Kind::SameDatabase) {
    box.setIcon(QMessageBox::Information);
    box.setText(QObject::tr("Another cctv (process %1) is already receiving telemetry into this database, at %2.")
                    .arg(owner.pid)
                    .arg(QString::fromStdString(owner.url)));
    box.setInformativeText(QObject::tr("Open %1 here read-only? This window then shows everything the other cctv "
                                       "stores, as it arrives; receiving, importing, deleting and retention stay "
                                       "with the other one.")
                               .arg(dbPath));
    QPushButton* view = box.addButton(QObject::tr("Open read-only"), QMessageBox::AcceptRole);
    box.addButton(QObject::tr("Quit"), QMessageBox::RejectRole);
    box.setDefaultButton(view);
    box.exec();
    return box.clickedButton() == view ? PortChoice::ReadOnly : PortChoice::Quit;
  }
  const bool grpc = settings->grpc && owner.port == settings->grpcPort && owner.port != settings->httpPort;
  const config::Field field = grpc ? config::GrpcPort : config::HttpPort;
  box.setText(owner.kind == ingest::PortOwner::Kind::OtherCctv
                  ? QObject::tr("Port %1 is used by another cctv, which receives into a different database.").arg(owner.port)
                  : QObject::tr("Port %1 is taken by another program.").arg(owner.port));
  QString info = QObject::tr("(%1)\n\nChange the port cctv listens on, or continue without receiving: the window "
                             "shows what the database holds.")
                     .arg(error);
  const bool canChange = !(fixed & field);
  if (!canChange)
    info += QObject::tr("\n\nThe port is set on the command line (%1) for this run.")
                .arg(config::fieldName(field, config::Naming::Flags));
  box.setInformativeText(info);
  QPushButton* change = canChange ? box.addButton(QObject::tr("Change port…"), QMessageBox::AcceptRole) : nullptr;
  QPushButton* go = box.addButton(QObject::tr("Continue without receiving"), QMessageBox::DestructiveRole);
  box.addButton(QObject::tr("Quit"), QMessageBox::RejectRole);
  box.setDefaultButton(change ? change : go);
  box.exec();
  if (box.clickedButton() == go) return PortChoice::Continue;
  if (!change || box.clickedButton() != change) return PortChoice::Quit;
  ui::PreferencesDialog prefs(*settings, fixed, false);
  prefs.showPage(ui::PreferencesDialog::Page::Receiver);
  prefs.setApply([fixed](const config::Settings& next) {
    QSettings store;
    config::save(store, next, fixed);
    return QString();
  });
  if (prefs.exec() == QDialog::Accepted) *settings = prefs.settings();
  return PortChoice::ChangedPort;  // try again (with the same port if the dialog was cancelled: it asks again)
}

}  // namespace

int runGui(const Options& o) {
  QApplication::setWindowIcon(QIcon(QStringLiteral(":/cctv/cctv.svg")));
  QGuiApplication::setDesktopFileName(QStringLiteral(CCTV_APP_ID));
  Options opts = o;  // the preferences, and the database path can change below (the user picks another file)
  config::Settings current = effectiveSettings(o);
  applySettings(current, &opts);
  ui::applyTheme(current.theme);
  if (!o.screenshot.isEmpty()) return screenshot(opts);
  // Installed before listening: a signal during start-up is queued and handled once the window runs.
  SignalWatcher signals;

  std::string error;
  std::unique_ptr<ingest::IngestService> service;
  bool readOnly = opts.readOnly;
  QString listenError;
  while (!readOnly) {
    service = startService(opts, &error);
    if (!service) return 1;
    if (service->failure() == ingest::IngestService::Failure::None) break;
    // The database is fine (it opened), but the receiver cannot listen.
    std::fprintf(stderr, "cctv: %s\n", error.c_str());
    const std::uint16_t port = service->failedPort();
    service.reset();
    const QString dbPath = QFileInfo(opts.dbPath).absoluteFilePath();
    if (port == 0) {  // not a taken port (a bad address): nothing to ask
      listenError = QString::fromStdString(error);
      break;
    }
    const ingest::PortOwner owner =
        ingest::whoHasPort(dbPath.toStdString(), serviceOptions(opts).http.bindAddress, port);
    const PortChoice choice = askAboutTakenPort(owner, QString::fromStdString(error), dbPath, &current, opts.fixed);
    if (choice == PortChoice::Quit) return 1;
    if (choice == PortChoice::ReadOnly) readOnly = true;
    if (choice == PortChoice::Continue) listenError = QString::fromStdString(error);
    if (choice != PortChoice::ChangedPort) break;
    applySettings(current, &opts);
    opts.dbPath = dbPath;  // the database is the one that opened (the user may have picked it above)
    ui::applyTheme(current.theme);
  }
  ui::WindowOptions wo;
  wo.dbPath = QFileInfo(opts.dbPath).absoluteFilePath();
  wo.token = opts.token;
  wo.readOnly = readOnly;
  wo.settings = current;
  wo.fixed = opts.fixed;
  auto forwardStatus = [&service]() -> std::function<forward::ForwardStatus()> {
    if (!service || !service->forwarder()) return {};
    // Looks the forwarder up on every call: Preferences may replace it.
    return [svc = service.get()] {
      forward::Forwarder* f = svc->forwarder();
      return f ? f->status() : forward::ForwardStatus{};
    };
  };
  if (service) {
    wo.url = QString::fromStdString(service->url());
    wo.grpcUrl = QString::fromStdString(service->grpcUrl());
    wo.notifier = service->writer().notifier();
    wo.writer = &service->writer();
    wo.redact = opts.redact;
    wo.forwardStatus = forwardStatus();
    std::printf("listening on %s\n", service->url().c_str());
    if (!service->grpcUrl().empty()) std::printf("listening on %s\n", service->grpcUrl().c_str());
    std::fflush(stdout);
  } else {
    wo.listenError = listenError;
  }
  ui::MainWindow* win = nullptr;
  // Preferences → the running parts: listener and forwarder restart in place (IngestService::reconfigure),
  // retention and redaction apply at once, the database path at the next start. Saved only when it worked.
  wo.applySettings = [&](const config::Settings& next) -> QString {
    Options nextOpts = opts;
    applySettings(next, &nextOpts);
    if (service) {
      ingest::ServiceOptions so = serviceOptions(nextOpts);
      std::string why;
      const bool ok = service->reconfigure(so, &why);
      const ingest::ServiceOptions& now = service->options();
      const QString url = QString::fromStdString(service->url());
      win->setListener(url, QString::fromStdString(service->grpcUrl()), QString::fromStdString(now.receiver.token),
                       url.isEmpty() ? QString::fromStdString(why) : QString());
      win->setForwardStatus(forwardStatus());
      win->setRedact(now.receiver.normalize.redactContent);
      if (!ok) {
        std::fprintf(stderr, "cctv: preferences not applied: %s\n", why.c_str());
        QString reason = QString::fromStdString(why);
        if (!reason.isEmpty()) reason[0] = reason[0].toUpper();  // a sentence in the dialog
        return url.isEmpty() ? QObject::tr("%1. Nothing listens now.").arg(reason)
                             : QObject::tr("%1. Still listening on %2; nothing was saved.").arg(reason, url);
      }
      std::fprintf(stderr, "cctv: preferences applied; listening on %s\n", service->url().c_str());
    }
    QSettings store;
    config::save(store, next, opts.fixed);
    const QString keptDb = opts.dbPath;
    opts = nextOpts;
    opts.dbPath = keptDb;  // the open database stays until the next start
    current = next;
    ui::applyTheme(next.theme);
    return {};
  };
  ui::MainWindow window(wo);
  win = &window;
  window.show();
  if (!o.session.isEmpty()) window.selectSession(o.session);
  if (o.page != QLatin1String("sessions")) window.showPage(pageFor(o.page));  // e.g. --page ingest
  if (service) {
    // The store failing mid-run (disk full, locked, damaged) is answered 503 to senders; say so in the window
    // too, until a commit succeeds again.
    QObject::connect(service->writer().notifier(), &store::StoreNotifier::storeError, &window,
                     [&window](const QString& message) {
                       window.statusBar()->showMessage(
                           QObject::tr("Not storing: %1. Senders are told to retry.").arg(message), 30000);
                     });
  }
  QObject::connect(&signals, &SignalWatcher::terminationRequested, &window, &QWidget::close);
  const int rc = QApplication::exec();
  if (service) service->stop();
  return rc;
}

}  // namespace cctv::app
