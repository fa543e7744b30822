// The window's maintenance actions against a real writer: deleting a session and compacting report back on
// the GUI thread; without a writer they refuse with a message; the retention preference round-trips.

#include <QtTest>

#include <QSettings>
#include <QStandardPaths>

#include "main/DatabaseActions.h"
#include "support/TestServer.h"

using namespace cctv;
using cctv::test::HttpClient;
using cctv::test::TestServer;

class TestDatabaseActions : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }  // QSettings away from the user's

  void deleteAndCompactThroughTheWriter() {
    TestServer server;
    QVERIFY(server.start());
    HttpClient client("127.0.0.1", server.port());
    auto requests = test::loadRun(QStringLiteral("json-basic")) + test::loadRun(QStringLiteral("json-multi"));
    QCOMPARE(server.replay(requests, client), requests.size());
    QCOMPARE(server.count("SELECT count(*) FROM sessions"), 2);

    ui::DatabaseActions actions(&server.service().writer(), nullptr);
    QVERIFY(actions.canModify());
    QSignalSpy deleted(&actions, &ui::DatabaseActions::sessionDeleted);
    QSignalSpy messages(&actions, &ui::DatabaseActions::message);
    data::SessionSummary s;
    s.sessionId = server.text("SELECT session_id FROM sessions ORDER BY id LIMIT 1");
    actions.deleteSession(s, false);
    QTRY_COMPARE(deleted.count(), 1);
    QCOMPARE(deleted.first().first().toString().toStdString(), s.sessionId);
    QCOMPARE(server.count("SELECT count(*) FROM sessions"), 1);
    QVERIFY(messages.last().first().toString().startsWith("Deleted session"));

    actions.deleteSession(s, false);  // gone already: a message, no signal
    QTRY_VERIFY(messages.last().first().toString().startsWith("Could not delete session"));
    QCOMPARE(deleted.count(), 1);

    QSignalSpy compacted(&actions, &ui::DatabaseActions::compacted);
    actions.compact();
    QTRY_COMPARE(compacted.count(), 1);
    QCOMPARE(server.count("PRAGMA freelist_count"), 0);
  }

  void viewingOnlyRefuses() {
    ui::DatabaseActions actions(nullptr, nullptr);
    QVERIFY(!actions.canModify());
    QSignalSpy messages(&actions, &ui::DatabaseActions::message);
    actions.deleteSession({}, false);
    actions.compact();
    QCOMPARE(messages.count(), 2);
    QVERIFY(messages.first().first().toString().contains("only views"));
  }

  void retentionPreferenceRoundTrips() {
    QSettings().clear();
    QVERIFY(!ui::DatabaseActions::savedRetention().enabled());  // off unless set
    store::RetentionPolicy p;
    p.days = 30;
    p.maxBytes = 512LL * 1024 * 1024;
    ui::DatabaseActions::saveRetention(p);
    QCOMPARE(ui::DatabaseActions::savedRetention().days, 30);
    QCOMPARE(ui::DatabaseActions::savedRetention().maxBytes, 512LL * 1024 * 1024);
    QSettings().clear();
  }
};

QTEST_MAIN(TestDatabaseActions)
#include "tst_database_actions.moc"
