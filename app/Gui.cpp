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

#include "SignalWatcher.h"
#include "ServiceOptions.h"
#include "ingest/IngestService.h"
#include "main/DatabaseActions.h"
#include "main/DatabaseProblemDialog.h"
#include "main/MainWindow.h"
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
    ingest::ServiceOptions so = serviceOptions(o);
    // Retention: a flag wins for this run; otherwise the preference (Database → Retention…).
    const store::RetentionPolicy saved = ui::DatabaseActions::savedRetention();
    if (!o.retainDays) so.writer.retention.days = saved.days;
    if (!o.retainMb) so.writer.retention.maxBytes = saved.maxBytes;
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

}  // namespace

int runGui(const Options& o) {
  QApplication::setWindowIcon(QIcon(QStringLiteral(":/cctv/cctv.svg")));
  QGuiApplication::setDesktopFileName(QStringLiteral(CCTV_APP_ID));
  if (!o.screenshot.isEmpty()) return screenshot(o);
  // Installed before listening: a signal during start-up is queued and handled once the window runs.
  SignalWatcher signals;

  Options opts = o;  // the database path can change below, when the user picks another file
  std::string error;
  auto service = startService(opts, &error);
  if (!service) return 1;
  ui::WindowOptions wo;
  wo.dbPath = QFileInfo(opts.dbPath).absoluteFilePath();
  wo.token = opts.token;
  if (service->failure() == ingest::IngestService::Failure::None) {
    wo.url = QString::fromStdString(service->url());
    wo.grpcUrl = QString::fromStdString(service->grpcUrl());
    wo.notifier = service->writer().notifier();
    wo.writer = &service->writer();
    wo.redact = o.redact;
    if (forward::Forwarder* f = service->forwarder()) wo.forwardStatus = [f] { return f->status(); };
    std::printf("listening on %s\n", service->url().c_str());
    if (!service->grpcUrl().empty()) std::printf("listening on %s\n", service->grpcUrl().c_str());
    std::fflush(stdout);
  } else {  // the database is fine (it opened), but the receiver cannot listen
    std::fprintf(stderr, "cctv: %s\n", error.c_str());
    wo.listenError = QString::fromStdString(error);
    service.reset();
  }
  ui::MainWindow window(wo);
  window.show();
  if (!o.session.isEmpty()) window.selectSession(o.session);
  if (o.page != QLatin1String("sessions")) window.showPage(pageFor(o.page));  // e.g. --page ingest
  if (!wo.listenError.isEmpty())
    QMessageBox::warning(&window, QObject::tr("Not receiving telemetry"),
                         QObject::tr("%1\n\nThe window shows what the database already holds; nothing new arrives "
                                     "until the receiver can listen. Is another cctv running?")
                             .arg(wo.listenError));
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
