// The Preferences dialog and what the window does with it (offscreen): values fixed by the command line are
// greyed and kept, bad values are refused in the dialog with the reason, the apply function's error keeps it
// open, a generated token is strong; the window moves its listener everywhere it shows it (status bar, Ingest
// page, the open Set up dialog); the theme changes the application palette; a read-only window says so.

#include <QtTest>

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStatusBar>

#include "ingest/IngestPage.h"
#include "ingest/SetupDialog.h"
#include "main/DatabaseActions.h"
#include "main/MainWindow.h"
#include "main/PreferencesDialog.h"
#include "main/Theme.h"
#include "support/TestServer.h"

using namespace cctv;

namespace {

template <typename W>
W* child(QWidget* parent, const char* name) {
  W* w = parent->findChild<W*>(QString::fromLatin1(name));
  if (!w) qFatal("no %s", name);
  return w;
}

}  // namespace

class TestPreferences : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }  // QSettings away from the user's
  void init() { QSettings().clear(); }

  void showsAndReturnsTheValues() {
    config::Settings s;
    s.httpPort = 5555;
    s.token = QStringLiteral("abc");
    s.forwardHeaders = {QStringLiteral("A=1"), QStringLiteral("B=2")};
    s.theme = config::Theme::Dark;
    ui::PreferencesDialog d(s, 0, true);
    QCOMPARE(child<QSpinBox>(&d, "httpPort")->value(), 5555);
    QCOMPARE(child<QLineEdit>(&d, "token")->text(), QStringLiteral("abc"));
    QCOMPARE(child<QLineEdit>(&d, "token")->echoMode(), QLineEdit::Password);  // hidden until "Show"
    QVERIFY(d.settings() == s);  // nothing touched: nothing changes (forwardQueueMax's bytes included)
    child<QSpinBox>(&d, "httpPort")->setValue(6000);
    child<QCheckBox>(&d, "grpc")->setChecked(false);
    child<QSpinBox>(&d, "retainDays")->setValue(7);
    child<QCheckBox>(&d, "redact")->setChecked(true);
    child<QComboBox>(&d, "theme")->setCurrentIndex(1);
    const config::Settings got = d.settings();
    QCOMPARE(got.httpPort, 6000);
    QCOMPARE(got.grpc, false);
    QCOMPARE(got.retainDays, 7);
    QCOMPARE(got.redact, true);
    QCOMPARE(got.theme, config::Theme::Light);
    QCOMPARE(got.forwardHeaders, s.forwardHeaders);
  }

  void commandLineValuesAreGreyedAndKept() {
    config::Settings s;
    s.httpPort = 7777;  // from --http-port
    ui::PreferencesDialog d(s, config::HttpPort | config::Token, true);
    QSpinBox* port = child<QSpinBox>(&d, "httpPort");
    QVERIFY(!port->isEnabled());
    QVERIFY(port->toolTip().contains("--http-port"));
    QVERIFY(!child<QLineEdit>(&d, "token")->isEnabled());
    QVERIFY(!child<QPushButton>(&d, "generateToken")->isEnabled());
    QVERIFY(child<QLabel>(&d, "fixedNote")->text().contains("--http-port, --token"));
    port->setValue(1);  // even if something set it, the fixed value is what comes back
    QCOMPARE(d.settings().httpPort, 7777);
    QVERIFY(child<QSpinBox>(&d, "grpcPort")->isEnabled());
  }

  void refusesBadValuesWithTheReason() {
    ui::PreferencesDialog d(config::Settings{}, 0, true);
    int applied = 0;
    d.setApply([&](const config::Settings&) {
      ++applied;
      return QString();
    });
    child<QComboBox>(&d, "bind")->setCurrentText(QStringLiteral("0.0.0.0"));
    QVERIFY(!d.applyChanges());
    QVERIFY2(d.error().contains("without a bearer token"), qPrintable(d.error()));
    QCOMPARE(applied, 0);
    child<QCheckBox>(&d, "insecure")->setChecked(true);
    QVERIFY(d.applyChanges());
    QCOMPARE(applied, 1);
    QCOMPARE(d.error(), QString());

    child<QLineEdit>(&d, "forward")->setText(QStringLiteral("ftp://nope"));
    QVERIFY(!d.applyChanges());
    QVERIFY(d.error().startsWith("Forward to:"));
  }

  void theApplyErrorKeepsTheDialogOpen() {
    ui::PreferencesDialog d(config::Settings{}, 0, true);
    d.setApply([](const config::Settings&) { return QStringLiteral("cannot listen on 127.0.0.1:1: in use"); });
    d.show();
    child<QSpinBox>(&d, "httpPort")->setValue(1);
    d.accept();
    QVERIFY(d.isVisible());
    QVERIFY(d.error().contains("in use"));
  }

  void generatesAStrongToken() {
    ui::PreferencesDialog d(config::Settings{}, 0, true);
    child<QPushButton>(&d, "generateToken")->click();
    const QString a = child<QLineEdit>(&d, "token")->text();
    QCOMPARE(a.size(), 43);
    child<QPushButton>(&d, "generateToken")->click();
    QVERIFY(child<QLineEdit>(&d, "token")->text() != a);
  }

  void theWindowShowsTheNewListenerEverywhere() {
    test::TestServer server;
    QVERIFY(server.start());
    ui::WindowOptions o;
    o.dbPath = QString::fromStdString(server.dbPath());
    o.url = QString::fromStdString(server.service().url());
    o.token = QStringLiteral("testtoken");
    o.notifier = server.service().writer().notifier();
    o.writer = &server.service().writer();
    ui::MainWindow w(o);
    w.setOfferSetup(false);
    w.showSetupDialog();
    QVERIFY(w.setupDialog());
    QVERIFY(w.setupDialog()->environmentText().contains(o.url));
    w.setListener(QStringLiteral("http://127.0.0.1:5999"), QStringLiteral("grpc://127.0.0.1:5998"), QStringLiteral("n3w"));
    QVERIFY(w.listenerStatus().contains("http://127.0.0.1:5999"));
    QVERIFY(w.ingestPage()->listenerText().contains("http://127.0.0.1:5999"));
    const QString env = w.setupDialog()->environmentText();
    QVERIFY2(env.contains("OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:5999"), qPrintable(env));
    QVERIFY2(env.contains("Authorization=Bearer n3w"), qPrintable(env));
    w.setListener({}, {}, {}, QStringLiteral("cannot listen on 127.0.0.1:5999: address already in use"));
    QVERIFY(w.listenerStatus().contains("Not receiving"));
  }

  void theWindowsApplyFunctionGetsTheDialogsValues() {
    ui::WindowOptions o;
    QTemporaryDir dir;
    o.dbPath = dir.filePath("v.db");
    config::Settings seen;
    int calls = 0;
    o.applySettings = [&](const config::Settings& s) {
      seen = s;
      ++calls;
      return QString();
    };
    o.settings.httpPort = 4400;
    ui::MainWindow w(o);
    w.setOfferSetup(false);
    ui::PreferencesDialog* d = w.openPreferences(ui::PreferencesDialog::Page::Storage);
    QVERIFY(d && d->isVisible());
    child<QSpinBox>(d, "retainMb")->setValue(64);
    d->accept();
    QCOMPARE(calls, 1);
    QCOMPARE(seen.retainMb, 64);
    QCOMPARE(seen.httpPort, 4400);
    QCOMPARE(w.settings().retainMb, 64);  // the next opening starts from here
  }

  void withoutAnApplyFunctionTheWindowSavesAndThemes() {
    ui::WindowOptions o;
    QTemporaryDir dir;
    o.dbPath = dir.filePath("v.db");
    o.fixed = config::HttpPort;
    o.settings.httpPort = 1234;
    ui::MainWindow w(o);
    w.setOfferSetup(false);
    ui::PreferencesDialog* d = w.openPreferences();
    child<QSpinBox>(d, "grpcPort")->setValue(2345);
    child<QComboBox>(d, "theme")->setCurrentIndex(2);  // Dark
    d->accept();
    QSettings store;
    const config::Settings saved = config::load(store);
    QCOMPARE(saved.grpcPort, 2345);
    QCOMPARE(saved.httpPort, 4318);  // --http-port was this run's only: not saved
    QCOMPARE(saved.theme, config::Theme::Dark);
    QVERIFY(QApplication::palette().color(QPalette::Window).lightness() < 80);
    ui::applyTheme(config::Theme::System);
  }

  void themesChangeTheApplicationPalette() {
    const QColor system = QApplication::palette().color(QPalette::Window);
    ui::applyTheme(config::Theme::Dark);
    QVERIFY(QApplication::palette().color(QPalette::Window).lightness() < 80);
    QVERIFY(QApplication::palette().color(QPalette::WindowText).lightness() > 180);
    ui::applyTheme(config::Theme::Light);
    QVERIFY(QApplication::palette().color(QPalette::Window).lightness() > 200);
    QVERIFY(QApplication::palette().color(QPalette::Text).lightness() < 60);
    ui::applyTheme(config::Theme::System);
    QCOMPARE(QApplication::palette().color(QPalette::Window), system);
  }

  void aReadOnlyWindowSaysSoAndCannotModify() {
    test::TestServer server;
    QVERIFY(server.start());
    ui::WindowOptions o;
    o.dbPath = QString::fromStdString(server.dbPath());
    o.readOnly = true;
    ui::MainWindow w(o);
    w.setOfferSetup(false);
    QVERIFY(w.windowTitle().contains("read-only"));
    QVERIFY(w.listenerStatus().contains("Read-only"));
    QVERIFY(w.ingestPage()->listenerText().contains("Read-only"));
    QVERIFY(!w.databaseActions()->canModify());
    // What the other process commits shows up: the window polls the database's data version.
    w.show();
    QTRY_VERIFY(w.totalsText().startsWith("0 sessions"));
    test::HttpClient client("127.0.0.1", server.port());
    const auto requests = test::loadRun(QStringLiteral("json-basic"));
    QCOMPARE(server.replay(requests, client), requests.size());
    QTRY_VERIFY_WITH_TIMEOUT(w.totalsText().startsWith("1 sessions"), 5000);
  }
};

QTEST_MAIN(TestPreferences)
#include "tst_preferences.moc"
