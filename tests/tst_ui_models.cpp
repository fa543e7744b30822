// The viewer's models and panels against a real database filled from the fixtures: item-model contracts
// (QAbstractItemModelTester), live merges, the paged events model, the inspector, the setup snippets, and
// the main window end to end (offscreen).

#include <QtTest>

#include <QAbstractItemModelTester>
#include <QLabel>
#include <QTableView>
#include <QTemporaryDir>
#include <QTreeWidget>

#include "data/QueryRunner.h"
#include "events/EventsModel.h"
#include "ingest/IngestService.h"
#include "ingest/SetupDialog.h"
#include "inspector/Inspector.h"
#include "main/MainWindow.h"
#include "query/Reader.h"
#include "prompts/PromptsModel.h"
#include "events/EventsPanel.h"
#include "timeline/TimelineWidget.h"
#include "sessions/SessionsModel.h"
#include "sessions/SessionsPanel.h"
#include "support/Fixtures.h"
#include "support/TestServer.h"

using namespace cctv;
using namespace cctv::test;

class TestUiModels : public QObject {
  Q_OBJECT
  std::unique_ptr<TestServer> server;

 private Q_SLOTS:
  void promptsModelUpdatesInPlace() {
    ui::PromptsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    auto prompt = [](const char* id, std::int64_t events, const char* text = "hello") {
      data::PromptSummary p;
      p.promptId = id;
      p.events = events;
      p.text = text;
      p.firstNs = 1795547843996000000;
      p.lastNs = p.firstNs + 1500000000;
      return p;
    };
    model.setPrompts({prompt("a", 3), prompt("b", 5, "")});
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(1, ui::PromptsModel::Prompt).data().toString(), QStringLiteral("(no user_prompt event)"));
    QCOMPARE(model.index(0, ui::PromptsModel::Number).data().toInt(), 1);
    QCOMPARE(model.index(0, ui::PromptsModel::Duration).data().toString(), QStringLiteral("1.50 s"));
    QPersistentModelIndex kept = model.index(0, 0);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    // A live update: b grew, c is new; a unchanged keeps its index.
    model.setPrompts({prompt("a", 3), prompt("b", 9, "now with text"), prompt("c", 1)});
    QCOMPARE(reset.count(), 0);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(changed.count(), 1);
    QVERIFY(kept.isValid());
    QCOMPARE(model.busiestRow(), 1);
    QCOMPARE(model.rowOf("c"), 2);
    QCOMPARE(model.index(2, 0).data(ui::PromptsModel::PromptIdRole).toString(), QStringLiteral("c"));
    // Another session: reset.
    model.setPrompts({prompt("x", 1)});
    QCOMPARE(reset.count(), 1);
    QCOMPARE(model.rowCount(), 1);
    model.setPrompts({});
    QCOMPARE(model.busiestRow(), -1);
  }

  void initTestCase() {
    server = std::make_unique<TestServer>();
    QVERIFY(server->start());
    HttpClient client("127.0.0.1", server->port());
    QList<FixtureRequest> all;
    for (const QString& run : fixtureRuns()) all += loadRun(run);
    QCOMPARE(server->replay(all, client), all.size());
  }

  void sessionsModelMergesInPlace() {
    ui::SessionsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    query::Reader reader(server->dbPath());
    auto all = reader.sessions({});
    QVERIFY(all.size() > 3);
    model.setSessions(all);
    QCOMPARE(model.rowCount(), static_cast<int>(all.size()));
    // A live update: one session changed, one new, one gone. Rows are updated, not reset.
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    auto next = all;
    next[0].events += 5;
    next[0].lastNs += 1000;
    const std::string gone = next.back().sessionId;
    next.pop_back();
    data::SessionSummary fresh = next[1];
    fresh.sessionId = "new-session";
    next.push_back(fresh);
    model.setSessions(next);
    QCOMPARE(reset.count(), 0);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(model.rowCount(), static_cast<int>(next.size()));
    QVERIFY(model.rowOf("new-session") >= 0);
    QCOMPARE(model.rowOf(QString::fromStdString(gone)), -1);
    const int row = model.rowOf(QString::fromStdString(all[0].sessionId));
    QCOMPARE(model.data(model.index(row, ui::SessionsModel::Cost), Qt::DisplayRole).toString().left(1), QString("$"));
    QCOMPARE(model.data(model.index(row, ui::SessionsModel::Start), ui::SessionsModel::SortRole).toLongLong(),
             static_cast<qlonglong>(all[0].firstNs));
  }

  void customDateRange() {
    ui::SessionsPanel panel;
    QSignalSpy changed(&panel, &ui::SessionsPanel::filterChanged);
    const QDateTime from(QDate(2026, 11, 24), QTime(0, 0), Qt::UTC), to(QDate(2026, 11, 24), QTime(23, 59), Qt::UTC);
    panel.setCustomRange(from.toLocalTime(), to.toLocalTime());
    QTRY_VERIFY(changed.count() >= 1);
    const data::SessionFilter f = panel.filter(0);
    QCOMPARE(f.fromNs, from.toMSecsSinceEpoch() * 1000000);
    QCOMPARE(f.toNs, to.toMSecsSinceEpoch() * 1000000);
    query::Reader reader(server->dbPath());
    const auto inRange = reader.sessions(f);
    QCOMPARE(inRange.size(), reader.sessions({}).size());  // every capture is from 2026-11-24 (UTC)
    panel.setCustomRange(from.addDays(1).toLocalTime(), to.addDays(1).toLocalTime());
    QVERIFY(reader.sessions(panel.filter(0)).empty());
  }

  void eventsModelPages() {
    ui::QueryRunner runner(QString::fromStdString(server->dbPath()));
    ui::EventsModel model(&runner);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    data::EventQuery q;
    model.setQuery(q);
    QTRY_COMPARE(static_cast<std::int64_t>(model.rowCount()), server->count("SELECT count(*) FROM events"));
    QCOMPARE(model.columnCount(), static_cast<int>(query::Reader::defaultEventColumns().size()));
    // A row far down is fetched when asked for.
    const int far = model.rowCount() - 1;
    model.data(model.index(far, 1), Qt::DisplayRole);
    QTRY_VERIFY(model.data(model.index(far, 0), ui::EventsModel::EventIdRole).isValid());
    // Sorting runs in SQL and restarts the paging.
    model.sort(1, Qt::DescendingOrder);  // event_name
    QTRY_VERIFY(model.data(model.index(0, 1), Qt::DisplayRole).toString() != QStringLiteral("loading…") &&
                !model.data(model.index(0, 1), Qt::DisplayRole).toString().isEmpty());
    const QString first = model.data(model.index(0, 1), Qt::DisplayRole).toString();
    QTRY_VERIFY(model.data(model.index(model.rowCount() - 1, 1), Qt::DisplayRole).toString() != QStringLiteral("loading…") &&
                model.data(model.index(model.rowCount() - 1, 0), ui::EventsModel::EventIdRole).isValid());
    QVERIFY(first >= model.data(model.index(model.rowCount() - 1, 1), Qt::DisplayRole).toString());
    // A filter narrows the row count.
    data::EventQuery f;
    f.eventName = "api_error";
    model.setQuery(f);
    QTRY_COMPARE(static_cast<std::int64_t>(model.rowCount()),
                 server->count("SELECT count(*) FROM events WHERE event_name = 'api_error'"));
  }

  void inspectorShowsEverything() {
    query::Reader reader(server->dbPath());
    data::EventQuery q;
    q.eventName = "tool_result";
    q.limit = 1;
    const auto page = reader.events(q);
    QVERIFY(!page.ids.empty());
    ui::Inspector inspector;
    inspector.setDetail(reader.event(page.ids[0]));
    QCOMPARE(inspector.tree()->topLevelItemCount(), 3);
    QVERIFY(inspector.tree()->topLevelItem(0)->childCount() > 10);
    QVERIFY(inspector.tree()->topLevelItem(1)->childCount() > 10);  // attributes as sent
    const QString json = inspector.eventJson();
    QVERIFY(json.contains("\"event_name\": \"tool_result\""));
    QVERIFY(json.contains("\"service.name\": \"claude-code\""));
  }

  void setupSnippets() {
    const QString env = ui::SetupDialog::envBlock("http://127.0.0.1:4318", "s3cret", "http/protobuf");
    QVERIFY(env.contains("export OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf"));
    QVERIFY(env.contains("export OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318"));
    QVERIFY(env.contains("OTEL_EXPORTER_OTLP_HEADERS=\"Authorization=Bearer s3cret\""));
    QVERIFY(!ui::SetupDialog::envBlock("http://127.0.0.1:4318", "", "http/json").contains("HEADERS"));
    QVERIFY(ui::SetupDialog::envBlock("http://127.0.0.1:4317", "", "grpc").contains("OTEL_EXPORTER_OTLP_PROTOCOL=grpc"));
    // Traces need both variables: OTEL_TRACES_EXPORTER alone sends nothing (reference, section 7).
    QVERIFY(env.contains("export OTEL_TRACES_EXPORTER=otlp") && env.contains("export CLAUDE_CODE_ENHANCED_TELEMETRY_BETA=1"));
    const QJsonObject json = QJsonDocument::fromJson(ui::SetupDialog::managedSettings("http://h:1", "t", "http/json").toUtf8()).object();
    QCOMPARE(json["env"]["OTEL_EXPORTER_OTLP_ENDPOINT"].toString(), QString("http://h:1"));
    QCOMPARE(json["env"]["OTEL_EXPORTER_OTLP_HEADERS"].toString(), QString("Authorization=Bearer t"));
    QCOMPARE(json["env"]["CLAUDE_CODE_ENABLE_TELEMETRY"].toString(), QString("1"));
  }

  void mainWindowShowsLiveData() {
    // A fresh receiver + window: a session posted over HTTP appears in the list by itself.
    TestServer live;
    QVERIFY(live.start());
    ui::WindowOptions o;
    o.dbPath = QString::fromStdString(live.dbPath());
    o.url = QStringLiteral("http://127.0.0.1:%1").arg(live.port());
    o.notifier = live.service().writer().notifier();
    ui::MainWindow w(o);
    w.setOfferSetup(false);
    w.resize(1440, 900);
    w.show();
    auto* panel = w.findChild<ui::SessionsPanel*>();
    QVERIFY(panel);
    QTRY_VERIFY(w.idle());
    QCOMPARE(panel->model()->rowCount(), 0);
    HttpClient client("127.0.0.1", live.port());
    QCOMPARE(live.replay(loadRun("json-basic"), client), 2);
    QTRY_COMPARE_WITH_TIMEOUT(panel->model()->rowCount(), 1, 3000);
    QTRY_VERIFY(!panel->currentSessionId().isEmpty());
    QCOMPARE(live.replay(loadRun("json-multiturn"), client), 13);
    QTRY_COMPARE_WITH_TIMEOUT(panel->model()->rowCount(), 2, 3000);
    // The window follows the newest session: its timeline (paged, a slice at a time) shows every event.
    auto* timeline = w.findChild<ui::TimelineWidget*>();
    QVERIFY(timeline);
    query::Reader reader(live.dbPath());
    const std::string newest = reader.sessions({}).front().sessionId;
    QTRY_COMPARE(panel->currentSessionId().toStdString(), newest);
    const auto events = reader.sessionEvents(newest);
    QVERIFY(events.size() > 10);
    QTRY_COMPARE_WITH_TIMEOUT(timeline->model().eventCount(), events.size(), 5000);
    QVERIFY(timeline->paged());
    // An event picked in the events table is selected in the timeline too.
    auto* eventsPanel = w.findChild<ui::EventsPanel*>();
    QVERIFY(eventsPanel);
    Q_EMIT eventsPanel->eventSelected(events[events.size() / 2].id);
    QTRY_COMPARE(timeline->selectedEventId(), events[events.size() / 2].id);
    const QImage shot = w.grab().toImage();
    QCOMPARE(shot.size(), QSize(1440, 900));
  }
};

QTEST_MAIN(TestUiModels)
#include "tst_ui_models.moc"
