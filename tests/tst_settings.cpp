// The preferences as plain values (core/config): QSettings round trip, what a damaged file loads as, the
// checks shared by the command line and the Preferences dialog, and the command line winning over saved values.

#include <QtTest>

#include <QSettings>
#include <QTemporaryDir>

#include "config/Settings.h"

using namespace cctv;
using config::Naming;
using config::Settings;

namespace {

Settings everythingChanged() {
  Settings s;
  s.httpPort = 14318;
  s.grpcPort = 14317;
  s.grpc = false;
  s.bind = QStringLiteral("0.0.0.0");
  s.token = QStringLiteral("sekrit");
  s.insecure = true;
  s.dbPath = QStringLiteral("/tmp/x/other.db");
  s.retainDays = 30;
  s.retainMb = 512;
  s.redact = true;
  s.forward = QStringLiteral("https://collector.example:4318/otlp");
  s.forwardHeaders = {QStringLiteral("Authorization=Bearer abc"), QStringLiteral("X-Scope=a=b")};
  s.forwardCa = QStringLiteral("/etc/ca.pem");
  s.forwardQueueMax = 3 * 1024 * 1024 + 7;
  s.theme = config::Theme::Dark;
  return s;
}

}  // namespace

class TestSettings : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void roundTripsEveryField() {
    QTemporaryDir dir;
    const QString file = dir.filePath("cctv.conf");
    const Settings s = everythingChanged();
    QCOMPARE(config::changed(s, Settings{}), (1u << 15) - 1);  // the fixture really changes every field
    {
      QSettings store(file, QSettings::IniFormat);
      config::save(store, s);
    }
    QSettings store(file, QSettings::IniFormat);
    const Settings back = config::load(store);
    QCOMPARE(config::changed(back, s), 0u);
    QVERIFY(back == s);
  }

  void anEmptyOrDamagedFileLoadsAsTheDefaults() {
    QTemporaryDir dir;
    QSettings store(dir.filePath("cctv.conf"), QSettings::IniFormat);
    QVERIFY(config::load(store) == Settings{});
    store.setValue("listener/httpPort", "not a number");
    store.setValue("listener/grpcPort", 99999);
    store.setValue("retention/days", -4);
    store.setValue("forward/queueMax", 0);
    store.setValue("appearance/theme", "purple");
    QVERIFY(config::load(store) == Settings{});
  }

  void theRetentionKeysAreTheOnesDatabaseRetentionUsed() {
    QTemporaryDir dir;
    QSettings store(dir.filePath("cctv.conf"), QSettings::IniFormat);
    store.setValue("retention/days", 14);
    store.setValue("retention/mb", 100);
    const Settings s = config::load(store);
    QCOMPARE(s.retainDays, 14);
    QCOMPARE(s.retainMb, 100);
  }

  void saveSkipsTheCommandLinesFields() {
    QTemporaryDir dir;
    QSettings store(dir.filePath("cctv.conf"), QSettings::IniFormat);
    Settings saved;
    saved.httpPort = 5000;
    config::save(store, saved);
    Settings run = everythingChanged();
    config::save(store, run, config::HttpPort | config::Token);
    const Settings back = config::load(store);
    QCOMPARE(back.httpPort, 5000);   // --http-port was a one-off
    QCOMPARE(back.token, QString());  // so was --token
    QCOMPARE(back.grpcPort, run.grpcPort);
  }

  void theCommandLineWinsOverSavedValues() {
    Settings saved = everythingChanged();
    Settings cli;  // what parseOptions() made of the flags (defaults for the rest)
    cli.httpPort = 9999;
    cli.token = QStringLiteral("from-flag");
    cli.redact = false;
    const Settings merged = config::merge(saved, cli, config::HttpPort | config::Token | config::Redact);
    QCOMPARE(merged.httpPort, 9999);
    QCOMPARE(merged.token, QStringLiteral("from-flag"));
    QCOMPARE(merged.redact, false);
    QCOMPARE(merged.grpcPort, saved.grpcPort);  // not given: the saved value
    QCOMPARE(merged.forward, saved.forward);
    QCOMPARE(merged.theme, config::Theme::Dark);
    QVERIFY(config::merge(saved, cli, 0) == saved);
  }

  void validationNamesTheSettingTheWayItWasGiven() {
    Settings s;
    QVERIFY(!config::validate(s, Naming::Labels));
    s.httpPort = 70000;
    config::Problem p = config::validate(s, Naming::Labels);
    QCOMPARE(p.field, config::HttpPort);
    QCOMPARE(p.message, QStringLiteral("HTTP port must be from 0 to 65535, not 70000"));
    QVERIFY(config::validate(s, Naming::Flags).message.startsWith("--http-port must be"));

    s = Settings{};
    s.grpcPort = s.httpPort;
    QCOMPARE(config::validate(s, Naming::Labels).field, config::GrpcPort);
    s.grpc = false;  // off: its port does not matter
    QVERIFY(!config::validate(s, Naming::Labels));

    s = Settings{};
    s.bind = QStringLiteral("not-an-address");
    QCOMPARE(config::validate(s, Naming::Labels).field, config::Bind);
  }

  void aPublicAddressNeedsATokenUnlessInsecure() {
    Settings s;
    s.bind = QStringLiteral("0.0.0.0");
    config::Problem p = config::validate(s, Naming::Labels);
    QCOMPARE(p.field, config::Token);
    QVERIFY2(p.message.contains("without a bearer token"), qPrintable(p.message));
    // The command line's wording is the one cctv has always printed.
    QCOMPARE(config::validate(s, Naming::Flags).message,
             QStringLiteral("refusing to listen on 0.0.0.0 without --token: anyone who can reach it could write to "
                            "your database (pass --insecure to do it anyway)"));
    s.token = QStringLiteral("t");
    QVERIFY(!config::validate(s, Naming::Labels));
    s.token.clear();
    s.insecure = true;
    QVERIFY(!config::validate(s, Naming::Labels));
    s.bind = QStringLiteral("::1");
    s.insecure = false;
    QVERIFY(!config::validate(s, Naming::Labels));  // loopback
  }

  void forwardingIsCheckedLikeTheFlags() {
    Settings s;
    s.forward = QStringLiteral("ftp://x");
    QCOMPARE(config::validate(s, Naming::Labels).field, config::Forward);
    s.forward = QStringLiteral("http://user:pw@host:4318");
    QCOMPARE(config::validate(s, Naming::Labels).field, config::Forward);
    s.forward = QStringLiteral("http://host:4318");
    QVERIFY(!config::validate(s, Naming::Labels));
    s.forwardHeaders = {QStringLiteral("no-equals-sign")};
    QCOMPARE(config::validate(s, Naming::Labels).field, config::ForwardHeaders);
    s.forwardHeaders = {QStringLiteral("Host=evil")};  // cctv's own header
    QCOMPARE(config::validate(s, Naming::Labels).field, config::ForwardHeaders);
    s.forwardHeaders = {QStringLiteral("Authorization=Bearer x")};
    QVERIFY(!config::validate(s, Naming::Labels));
    s.forward.clear();
    const config::Problem p = config::validate(s, Naming::Labels);
    QCOMPARE(p.message, QStringLiteral("Forward headers and a CA file need a URL to forward to"));
  }

  void generatedTokensAreLongAndDifferent() {
    const QString a = config::generateToken(), b = config::generateToken();
    QCOMPARE(a.size(), 43);  // 32 bytes, base64url without padding
    QVERIFY(a != b);
    for (QChar c : a) QVERIFY2(c.isLetterOrNumber() || c == '-' || c == '_', qPrintable(a));
    // Usable as is in a header and on the command line.
    Settings s;
    s.bind = QStringLiteral("0.0.0.0");
    s.token = a;
    QVERIFY(!config::validate(s, Naming::Flags));
  }
};

QTEST_GUILESS_MAIN(TestSettings)
#include "tst_settings.moc"
