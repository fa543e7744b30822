// The span waterfall of a prompt (SpanTraceLayout) on the real json-traces capture, replayed into a store and
// read back with the viewer's queries, and on constructed spans for what captures rarely show: a failed
// request, retries, a parent that arrives late, a parent cycle, events outside any span. Then the widget:
// clicking a mark selects its event, clicking the bar selects the span. Writes /tmp/span-trace.png.

#include "query/Reader.h"
#include "support/Fixtures.h"
#include "support/TestServer.h"
#include "trace/SpanTraceLayout.h"
#include "trace/TraceWidget.h"

#include <QImage>
#include <QSignalSpy>
#include <QtTest>

#include <algorithm>

using namespace cctv;
using namespace cctv::ui;
using namespace cctv::test;

namespace {

constexpr std::int64_t kMs = 1'000'000;
constexpr std::int64_t kT0 = 1795547879000000000;

data::SpanItem span(std::int64_t id, std::string spanId, std::string parent, std::string name, std::int64_t startMs,
                    std::int64_t endMs, std::vector<std::pair<std::string, std::string>> attrs = {}) {
  data::SpanItem s;
  s.id = id;
  s.traceId = "t1";
  s.spanId = std::move(spanId);
  s.parentSpanId = std::move(parent);
  s.name = "claude_code." + name;
  s.startNs = kT0 + startMs * kMs;
  s.endNs = kT0 + endMs * kMs;
  s.attributes = std::move(attrs);
  return s;
}

data::EventItem logEvent(std::int64_t id, std::string name, std::int64_t atMs, std::int64_t seq) {
  data::EventItem e;
  e.id = id;
  e.name = std::move(name);
  e.timeNs = kT0 + atMs * kMs;
  e.sequence = seq;
  e.promptId = "P";
  e.summary = e.name;
  return e;
}

int rowNamed(const TraceLayout& l, const std::string& name, int nth = 0) {
  for (std::size_t i = 0; i < l.rows.size(); ++i)
    if (l.rows[i].name == name && nth-- == 0) return static_cast<int>(i);
  return -1;
}

}  // namespace

class TestSpanTrace : public QObject {
  Q_OBJECT
  std::unique_ptr<TestServer> server;
  std::unique_ptr<query::Reader> reader;
  std::string promptId;

 private Q_SLOTS:
  void initTestCase() {
    server = std::make_unique<TestServer>();
    QVERIFY(server->start());
    HttpClient client("127.0.0.1", server->port());
    const auto reqs = loadRun("json-traces");
    QCOMPARE(server->replay(reqs, client), reqs.size());
    reader = std::make_unique<query::Reader>(server->dbPath());
    const auto sessions = reader->sessions({});
    QCOMPARE(sessions.size(), std::size_t(1));
    const auto prompts = reader->prompts(sessions[0].sessionId);
    QCOMPARE(prompts.size(), std::size_t(1));
    promptId = prompts[0].promptId;
  }

  void fixtureNestsAndAttachesEvents() {
    const auto spans = reader->promptSpans(promptId);
    const auto events = reader->promptEvents(promptId);
    QCOMPARE(spans.size(), std::size_t(6));
    const TraceLayout l = buildSpanTraceLayout(spans, events);
    QCOMPARE(l.rows.size(), std::size_t(6));  // every event belongs to a span: no extra rows
    QCOMPARE(l.summary.spans, 6);

    // interaction > llm_request, tool > (tool.blocked_on_user, tool.execution), llm_request; in start order.
    const std::vector<std::pair<std::string, int>> expected = {{"interaction", 0}, {"llm_request", 1}, {"tool", 1},
                                                               {"tool.blocked_on_user", 2}, {"tool.execution", 2},
                                                               {"llm_request", 1}};
    for (std::size_t i = 0; i < expected.size(); ++i) {
      QCOMPARE(l.rows[i].name, expected[i].first);
      QCOMPARE(l.rows[i].depth, expected[i].second);
      QVERIFY(l.rows[i].spanRef > 0);
    }
    QCOMPARE(l.rows[0].parent, -1);
    QCOMPARE(l.rows[3].parent, 2);
    QCOMPARE(l.rows[5].parent, 0);
    QCOMPARE(l.rows[0].summary, std::string("hello, run echo hi"));
    QCOMPARE(l.rows[2].summary, std::string("Bash: echo hi"));
    QVERIFY(l.rows[3].hatched);
    QCOMPARE(l.rows[3].summary, std::string("accept (config)"));

    auto eventId = [&](const char* name, int nth = 0) {
      for (const auto& e : events)
        if (e.name == name && nth-- == 0) return e.id;
      return std::int64_t{-1};
    };
    // Each api_request sits on the llm_request with its request_id; the tool's events on the tool's spans.
    QCOMPARE(l.rows[1].eventId, eventId("api_request", 0));
    QCOMPARE(l.rows[5].eventId, eventId("api_request", 1));
    QCOMPARE(l.rows[2].eventId, eventId("tool_result"));
    QCOMPARE(l.rows[3].eventId, eventId("tool_decision"));
    QCOMPARE(l.rows[0].eventId, eventId("user_prompt"));
    QCOMPARE(l.rowForEvent(eventId("assistant_response", 1)), 0);  // a mark on the interaction
    std::size_t marks = 0;
    for (const auto& r : l.rows)
      marks += static_cast<std::size_t>(std::count_if(r.marks.begin(), r.marks.end(), [](auto& m) { return m.eventId > 0; }));
    QCOMPARE(marks, events.size());

    // The llm_request: time to first token from its attributes, its attempt as a span-event mark.
    const TraceRow& llm = l.rows[1];
    QVERIFY(llm.ttftOffsetNs.has_value());
    QCOMPARE(*llm.ttftOffsetNs - llm.offsetNs, 314 * kMs);
    const auto attempt = std::find_if(llm.marks.begin(), llm.marks.end(), [](auto& m) { return m.eventId == 0; });
    QVERIFY(attempt != llm.marks.end());
    QCOMPARE(attempt->label, std::string("attempt 1"));
    QCOMPARE(llm.modelSlot, modelColorIndex("claude-sonnet-4-5"));

    // Totals from the events (cost lives there), the interaction's start as the origin.
    QCOMPARE(l.summary.apiCalls, 2);
    QCOMPARE(l.summary.tools, 1);
    QVERIFY(std::abs(l.summary.costUsd - (0.02703465 + 0.0248547)) < 1e-9);
    QCOMPARE(l.rows[0].offsetNs, 0);
    QCOMPARE(l.summary.originNs, spans.front().startNs);
    QCOMPARE(l.summary.permissionWaitNs, 0);  // decided by config: nobody waited
  }

  void totalsFromSpansWithoutEvents() {
    // Traces on, logs off: counts and tokens come from the spans.
    const auto spans = reader->promptSpans(promptId);
    const TraceLayout l = buildSpanTraceLayout(spans, {});
    QCOMPARE(l.rows.size(), std::size_t(6));
    QCOMPARE(l.summary.apiCalls, 2);
    QCOMPARE(l.summary.tools, 1);
    QCOMPARE(l.summary.tokens.output, 60 + 17);
    QCOMPARE(l.summary.tokens.cacheRead, 16183 + 16494);
    QCOMPARE(l.summary.promptText, std::string("hello, run echo hi"));
    QCOMPARE(l.summary.totalNs(), spans.front().endNs - spans.front().startNs);
  }

  void failuresRetriesAndUserWaits() {
    auto failed = span(2, "b", "a", "llm_request", 10, 900,
                       {{"model", "claude-opus-4-1"}, {"status_code", "529"}, {"success", "false"}, {"request_id", "r1"}});
    failed.statusCode = 2;
    failed.statusMessage = "Overloaded";
    for (int i = 1; i <= 3; ++i) failed.events.push_back({kT0 + (10 + i * 200) * kMs, "gen_ai.request.attempt", {{"attempt", std::to_string(i)}}});
    const std::vector<data::SpanItem> spans = {
        span(1, "a", "", "interaction", 0, 2000, {{"user_prompt", "fix it"}}),
        failed,
        span(3, "c", "a", "tool", 1000, 1900, {{"tool_name", "Edit"}, {"file_path", "/x.cc"}, {"tool_use_id", "u1"}}),
        span(4, "d", "c", "tool.blocked_on_user", 1000, 1700, {{"decision", "reject"}, {"source", "user_reject"}}),
    };
    auto err = logEvent(10, "api_error", 900, 1);
    err.traceId = "t1";
    err.spanId = "a";
    err.requestId = "r1";
    auto decision = logEvent(11, "tool_decision", 1700, 2);
    decision.traceId = "t1";
    decision.spanId = "a";  // names the interaction, but its tool_use_id finds the tool
    decision.toolUseId = "u1";
    const TraceLayout l = buildSpanTraceLayout(spans, {err, decision});
    const int llm = rowNamed(l, "llm_request");
    QVERIFY(l.rows[llm].error);
    QCOMPARE(l.rows[llm].kind, EventKind::ApiError);
    QVERIFY(l.rows[llm].summary.find("529") != std::string::npos);
    QVERIFY(l.rows[llm].tooltip.find("Overloaded") != std::string::npos);
    QCOMPARE(l.rows[llm].eventId, 10);
    QCOMPARE(std::count_if(l.rows[llm].marks.begin(), l.rows[llm].marks.end(), [](auto& m) { return m.eventId == 0; }), 3);
    QVERIFY(std::any_of(l.rows[llm].marks.begin(), l.rows[llm].marks.end(), [](auto& m) { return m.eventId == 10 && m.error; }));
    QCOMPARE(l.rowForEvent(11), rowNamed(l, "tool"));  // a mark on the tool (no tool_result: rejected)
    const int blocked = rowNamed(l, "tool.blocked_on_user");
    QCOMPARE(l.rows[blocked].role, ColorRole::Reject);
    QCOMPARE(l.summary.permissionWaitNs, 700 * kMs);  // the user was asked and took 0.7 s
  }

  void lateParentOrphansAndCycles() {
    // The children came first: they stand at the top level until their parent arrives.
    std::vector<data::SpanItem> spans = {span(2, "b", "a", "llm_request", 10, 400), span(3, "c", "a", "tool", 500, 600)};
    TraceLayout l = buildSpanTraceLayout(spans, {});
    QCOMPARE(l.rows.size(), std::size_t(2));
    QCOMPARE(l.rows[0].depth, 0);
    QCOMPARE(l.rows[1].depth, 0);
    spans.push_back(span(1, "a", "", "interaction", 0, 700));
    l = buildSpanTraceLayout(spans, {});
    QCOMPARE(l.rows.size(), std::size_t(3));
    QCOMPARE(l.rows[0].name, std::string("interaction"));
    QCOMPARE(l.rows[1].depth, 1);
    QCOMPARE(l.rows[2].depth, 1);

    // Hostile data: a two-span parent cycle and a self-parent still show every span exactly once.
    std::vector<data::SpanItem> cyc = {span(1, "x", "y", "tool", 0, 10), span(2, "y", "x", "tool", 5, 10),
                                       span(3, "z", "z", "tool", 6, 10)};
    l = buildSpanTraceLayout(cyc, {});
    QCOMPARE(l.rows.size(), std::size_t(3));
    for (auto ref : {1, 2, 3}) QVERIFY(l.rowForSpan(ref) >= 0);

    // A deep chain does not recurse: 50,000 levels.
    std::vector<data::SpanItem> chain;
    for (int i = 0; i < 50000; ++i)
      chain.push_back(span(i + 1, "s" + std::to_string(i), i ? "s" + std::to_string(i - 1) : "", "tool", i, i + 1));
    l = buildSpanTraceLayout(chain, {});
    QCOMPARE(l.rows.size(), std::size_t(50000));
    QCOMPARE(l.rows.back().depth, 49999);
  }

  void eventsOutsideSpansKeepTheirRows() {
    // A prompt whose first events were logged before tracing started (no trace id) keeps them, in time order.
    const std::vector<data::SpanItem> spans = {span(1, "a", "", "interaction", 100, 500)};
    auto early = logEvent(20, "hook_execution_start", 0, 1);
    auto inSpan = logEvent(21, "api_request", 400, 2);
    inSpan.traceId = "t1";
    inSpan.spanId = "a";
    auto late = logEvent(22, "some_future_event", 800, 3);
    const TraceLayout l = buildSpanTraceLayout(spans, {early, inSpan, late});
    QCOMPARE(l.rows.size(), std::size_t(3));
    QCOMPARE(l.rows[0].eventId, 20);
    QCOMPARE(l.rows[0].spanRef, 0);
    QCOMPARE(l.rows[0].offsetNs, 0);
    QCOMPARE(l.rows[1].spanRef, 1);
    QCOMPARE(l.rows[1].offsetNs, 100 * kMs);
    QCOMPARE(l.rows[2].eventId, 22);
    QCOMPARE(l.rows[2].offsetNs, 800 * kMs);
    QCOMPARE(l.summary.totalNs(), 800 * kMs);

    // No spans at all: the event-based trace.
    const TraceLayout plain = buildSpanTraceLayout({}, {early, late});
    QCOMPARE(plain.rows.size(), std::size_t(2));
    QCOMPARE(plain.summary.spans, 0);
  }

  void lateSpansJoinTheNextQuery() {
    // Claude Code exports spans when they end, often after the logs: the prompt first shows the event trace,
    // then the span waterfall once the traces request is stored.
    TestServer late;
    QVERIFY(late.start());
    HttpClient client("127.0.0.1", late.port());
    QList<FixtureRequest> logs, traces;
    for (const auto& r : loadRun("json-traces")) (r.signal == "traces" ? traces : logs).append(r);
    QVERIFY(!traces.isEmpty());
    QCOMPARE(late.replay(logs, client), logs.size());
    query::Reader r(late.dbPath());
    const auto events = r.promptEvents(promptId);
    QVERIFY(!events.empty());
    QVERIFY(r.promptSpans(promptId).empty());
    const TraceLayout before = buildSpanTraceLayout(r.promptSpans(promptId), events);
    QCOMPARE(before.summary.spans, 0);
    QCOMPARE(before.rows.size(), events.size());
    QCOMPARE(late.replay(traces, client), traces.size());
    const TraceLayout after = buildSpanTraceLayout(r.promptSpans(promptId), r.promptEvents(promptId));
    QCOMPARE(after.summary.spans, 6);
    QCOMPARE(after.rows.front().name, std::string("interaction"));
  }

  void widgetClicksMarksAndSpans() {
    const auto spans = reader->promptSpans(promptId);
    const auto events = reader->promptEvents(promptId);
    TraceWidget w;
    w.resize(1100, 400);
    w.setTraceLayout(buildSpanTraceLayout(spans, events));
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QSignalSpy spanSpy(&w, &TraceWidget::spanSelected);
    QSignalSpy eventSpy(&w, &TraceWidget::eventSelected);

    // The llm_request row: its api_request mark sits at the bar's end.
    const TraceLayout& l = w.traceLayout();
    const int row = 1;
    const auto& marks = l.rows[row].marks;
    const auto api = std::find_if(marks.begin(), marks.end(), [](auto& m) { return m.eventId > 0; });
    QVERIFY(api != marks.end());
    const QPointF c = w.markCentre(row, static_cast<int>(api - marks.begin()));
    QTest::mouseClick(w.viewport(), Qt::LeftButton, {}, c.toPoint());
    QCOMPARE(eventSpy.count(), 1);
    QCOMPARE(eventSpy.at(0).at(0).toLongLong(), api->eventId);
    QCOMPARE(spanSpy.count(), 0);
    QVERIFY(w.toolTipAt(c.toPoint()).contains(QStringLiteral("api_request")));

    // The label area of the tool row: the span.
    QTest::mouseClick(w.viewport(), Qt::LeftButton, {}, QPoint(40, w.rowRect(2).center().y()));
    QCOMPARE(spanSpy.count(), 1);
    QCOMPARE(spanSpy.at(0).at(0).toLongLong(), l.rows[2].spanRef);
    QCOMPARE(w.selectedSpanRef(), l.rows[2].spanRef);
    QVERIFY(w.toolTipAt(QPoint(40, w.rowRect(2).center().y())).contains(QStringLiteral("tool_use_id")));

    // A live reload keeps the selection when the caller restores it by span.
    w.setTraceLayout(buildSpanTraceLayout(spans, events));
    w.selectSpan(l.rows[2].spanRef);
    QCOMPARE(w.selectedSpanRef(), w.traceLayout().rows[2].spanRef);

    QImage img(w.size(), QImage::Format_ARGB32);
    w.render(&img);
    QVERIFY(img.save(QStringLiteral("/tmp/span-trace.png")));
  }
};

QTEST_MAIN(TestSpanTrace)
#include "tst_span_trace.moc"
