// The viewer's queries (core/query) against a database filled by replaying real captures.

#include <QtTest>

#include <algorithm>
#include <map>

#include "query/Reader.h"
#include "store/Sqlite.h"
#include "support/Fixtures.h"
#include "support/TestServer.h"

using namespace cctv;
using namespace cctv::test;

class TestQueries : public QObject {
  Q_OBJECT
  std::unique_ptr<TestServer> server;
  std::unique_ptr<query::Reader> reader;

  std::string sessionOf(const char* run) {
    const auto reqs = loadRun(run);
    for (const auto& r : reqs) {
      if (r.signal != "logs" || r.grpc || !r.file.endsWith(".json")) continue;
      const QJsonObject doc = QJsonDocument::fromJson(r.body).object();
      const auto rec = doc["resourceLogs"][0]["scopeLogs"][0]["logRecords"].toArray().last().toObject();
      for (const QJsonValue& kv : rec["attributes"].toArray())
        if (kv["key"].toString() == "session.id") return kv["value"]["stringValue"].toString().toStdString();
    }
    return {};
  }

 private Q_SLOTS:
  void initTestCase() {
    server = std::make_unique<TestServer>();
    QVERIFY(server->start());
    HttpClient client("127.0.0.1", server->port());
    QList<FixtureRequest> all;
    for (const QString& run : fixtureRuns()) all += loadRun(run);
    QCOMPARE(server->replay(all, client), all.size());
    reader = std::make_unique<query::Reader>(server->dbPath());
  }

  void sessionList() {
    const auto all = reader->sessions({});
    QVERIFY(all.size() >= 19);
    for (std::size_t i = 1; i < all.size(); ++i) QVERIFY(all[i - 1].firstNs >= all[i].firstNs);  // newest first
    const std::string basic = sessionOf("json-basic");
    const auto s = reader->session(basic);
    QCOMPARE(s.sessionId, basic);
    QCOMPARE(s.events, 11);
    QCOMPARE(s.prompts, 1);
    QCOMPARE(s.apiRequests, 2);
    QCOMPARE(s.toolCalls, 1);
    QCOMPARE(s.appVersion, std::string("2.1.331"));
    QCOMPARE(s.terminal, std::string("xterm-256color"));
    QCOMPARE(s.models, std::vector<std::string>{"claude-sonnet-4-5"});
    QVERIFY(std::abs(s.costUsd - 0.05187135) < 1e-9);
    QCOMPARE(s.tokens.input, 3334);

    data::SessionFilter f;
    f.text = basic.substr(0, 8);
    QCOMPARE(reader->sessions(f).size(), std::size_t(1));
    f = {};
    f.onlyWithErrors = true;
    const auto withErrors = reader->sessions(f);
    QVERIFY(!withErrors.empty());
    for (const auto& e : withErrors) QVERIFY(e.errors > 0);
    f = {};
    f.model = "no-such-model";
    QVERIFY(reader->sessions(f).empty());
    f.model = "claude-sonnet-4-5";
    QVERIFY(!reader->sessions(f).empty());
    f = {};
    f.fromNs = all.front().lastNs + 1;
    QVERIFY(reader->sessions(f).empty());
    QVERIFY(!reader->models().empty());
    const auto names = reader->eventNames();
    QVERIFY(std::find(names.begin(), names.end(), "api_request") != names.end());
  }

  void sessionEventsAndPrompts() {
    const std::string basic = sessionOf("json-basic");
    const auto events = reader->sessionEvents(basic);
    QCOMPARE(events.size(), std::size_t(11));
    for (std::size_t i = 1; i < events.size(); ++i) QVERIFY(events[i - 1].timeNs <= events[i].timeNs);
    const auto& api = *std::find_if(events.begin(), events.end(), [](auto& e) { return e.name == "api_request"; });
    QCOMPARE(api.model, std::string("claude-sonnet-4-5"));
    QCOMPARE(api.durationMs, 356);
    QVERIFY(api.ttftMs > 0);
    QCOMPARE(api.tokens.input, 1949);
    QVERIFY(api.summary.find("claude-sonnet-4-5") != std::string::npos);
    const auto& tool = *std::find_if(events.begin(), events.end(), [](auto& e) { return e.name == "tool_result"; });
    QCOMPARE(tool.toolName, std::string("Bash"));
    QCOMPARE(tool.success, 1);
    QCOMPARE(tool.durationMs, 38);
    QVERIFY2(tool.summary.find("echo hi") != std::string::npos, tool.summary.c_str());
    QVERIFY(reader->sessionEventsAfter(basic, events.back().id).empty());
    QCOMPARE(reader->sessionEventsAfter(basic, events[5].id).size(), std::size_t(5));

    const auto prompts = reader->prompts(basic);
    QCOMPARE(prompts.size(), std::size_t(1));
    QCOMPARE(prompts[0].text, std::string("hello, run echo hi"));
    QCOMPARE(prompts[0].apiRequests, 2);
    const auto trace = reader->promptEvents(prompts[0].promptId);
    QCOMPARE(trace.size(), std::size_t(7));
    QCOMPARE(trace.front().name, std::string("user_prompt"));
    for (std::size_t i = 1; i < trace.size(); ++i) QVERIFY(trace[i - 1].sequence < trace[i].sequence);

    const auto multi = reader->prompts(sessionOf("json-multiturn"));
    QCOMPARE(multi.size(), std::size_t(3));
  }

  // Schema 4 finds a prompt's rows through the (session, sequence) index: for every prompt of every capture
  // that must be exactly the rows that carry its id.
  void promptRowsAreTheRowsWithItsId() {
    store::Database db(server->dbPath(), store::Database::Mode::ReadOnly);
    store::Statement prompts = db.prepare("SELECT id, prompt_id FROM prompts");
    int checked = 0;
    while (prompts.step()) {
      store::Statement raw = db.prepare("SELECT id FROM event_data WHERE prompt_id_ref = ? ORDER BY id");
      raw.bind(1, prompts.columnInt(0));
      std::vector<std::int64_t> expected, got;
      while (raw.step()) expected.push_back(raw.columnInt(0));
      for (const auto& e : reader->promptEvents(prompts.columnText(1))) got.push_back(e.id);
      std::sort(got.begin(), got.end());
      QCOMPARE(got, expected);
      ++checked;
    }
    QVERIFY(checked >= 20);
  }

  // Records of one prompt in two sessions, one without a sequence number: not where the index looks, so the
  // query falls back to a scan and still finds all three.
  void promptRowsOutsideTheKeyIndexAreFound() {
    // Built with QJsonDocument (moc does not parse every raw string literal).
    auto attr = [](const char* key, const QJsonObject& value) { return QJsonObject{{"key", key}, {"value", value}}; };
    auto record = [&](const char* session, int sequence, std::int64_t ms) {
      QJsonArray attrs = {attr("event.name", {{"stringValue", "tool_result"}}),
                          attr("prompt.id", {{"stringValue", "scattered-prompt"}}),
                          attr("session.id", {{"stringValue", session}})};
      if (sequence >= 0) attrs.append(attr("event.sequence", {{"intValue", QString::number(sequence)}}));
      return QJsonObject{{"timeUnixNano", QString::number(ms * 1000000)}, {"attributes", attrs}};
    };
    const QJsonArray records = {record("scatter-a", 1, 1795547844000), record("scatter-b", 1, 1795547845000),
                                record("scatter-a", -1, 1795547846000)};
    const QJsonObject doc{{"resourceLogs", QJsonArray{QJsonObject{
                                               {"scopeLogs", QJsonArray{QJsonObject{{"logRecords", records}}}}}}}};
    const std::string body = QJsonDocument(doc).toJson(QJsonDocument::Compact).toStdString();
    HttpClient client("127.0.0.1", server->port());
    const auto reply = client.request(
        "POST", "/v1/logs", {{"Content-Type", "application/json"}, {"Authorization", "Bearer testtoken"}}, body);
    QCOMPARE(reply.status, 200);
    query::Reader fresh(server->dbPath());
    QCOMPARE(fresh.promptEvents("scattered-prompt").size(), std::size_t(3));
    data::EventQuery q;
    q.promptId = "scattered-prompt";
    QCOMPARE(fresh.events(q).rows.size(), std::size_t(3));
  }

  void timelineSlices() {
    // What the paged timeline asks for: density per name and bucket, events and prompts of a range.
    const std::string multi = sessionOf("json-multiturn");
    const auto all = reader->sessionEvents(multi);
    QVERIFY(all.size() >= 10);
    std::int64_t maxId = 0;
    for (const auto& e : all) maxId = std::max(maxId, e.id);
    struct {
      std::int64_t firstNs, lastNs;
    } x{all.front().timeNs, all.back().timeNs};

    // Ten buckets over the whole session: every event counted once, in the bucket of its time, under its name.
    const std::int64_t bucket = (x.lastNs - x.firstNs) / 10 + 1;
    const auto d = reader->sessionDensity(multi, x.firstNs, bucket, 10);
    QCOMPARE(d.fromNs, x.firstNs);
    QCOMPARE(d.buckets, 10);
    QCOMPARE(d.lastEventId, maxId);
    std::map<std::pair<std::string, int>, std::int64_t> expected, got;
    for (const auto& e : all) ++expected[{e.name, static_cast<int>((e.timeNs - x.firstNs) / bucket)}];
    for (const auto& c : d.cells) got[{d.names[static_cast<std::size_t>(c.name)], c.bucket}] += c.count;
    QCOMPARE(got, expected);
    // A range: only the events inside it; the last bucket is exclusive at its end.
    const auto half = reader->sessionDensity(multi, x.firstNs, bucket, 5);
    std::int64_t inHalf = 0, counted = 0;
    for (const auto& e : all) inHalf += e.timeNs < x.firstNs + 5 * bucket;
    for (const auto& c : half.cells) counted += c.count;
    QCOMPARE(counted, inHalf);
    QVERIFY(reader->sessionDensity(multi, x.firstNs, bucket, 0).cells.empty());
    QVERIFY(reader->sessionDensity("no-such-session", x.firstNs, bucket, 10).cells.empty());

    // Events between two times: inclusive, in time order, the same items as the whole session's.
    const std::int64_t from = all[2].timeNs, to = all[all.size() - 3].timeNs;
    const auto between = reader->sessionEventsBetween(multi, from, to);
    std::vector<std::int64_t> wantIds, gotIds;
    for (const auto& e : all)
      if (e.timeNs >= from && e.timeNs <= to) wantIds.push_back(e.id);
    for (const auto& e : between) gotIds.push_back(e.id);
    QCOMPARE(gotIds, wantIds);
    QVERIFY(reader->sessionEventsBetween(multi, to + 1, to).empty());
    // A request logged when it ended is drawn from its start: a range inside its bar finds it with reach.
    const auto req = std::find_if(all.begin(), all.end(), [](auto& e) { return e.name == "api_request" && e.durationMs > 2; });
    QVERIFY(req != all.end());
    const std::int64_t inside = req->timeNs - 1000000;
    const auto without = reader->sessionEventsBetween(multi, inside - 1, inside);
    QVERIFY(std::none_of(without.begin(), without.end(), [&](auto& e) { return e.id == req->id; }));
    const auto with = reader->sessionEventsBetween(multi, inside - 1, inside, 60LL * 1000000000);
    QVERIFY(std::any_of(with.begin(), with.end(), [&](auto& e) { return e.id == req->id; }));
    for (const auto& e : with) QVERIFY(e.timeNs - std::max<std::int64_t>(0, e.durationMs) * 1000000 <= inside);

    // Prompts meeting a range: each prompt whose [first, last] overlaps it.
    const auto prompts = reader->prompts(multi);
    QCOMPARE(prompts.size(), std::size_t(3));
    QCOMPARE(reader->promptsBetween(multi, x.firstNs, x.lastNs).size(), std::size_t(3));
    const auto second = reader->promptsBetween(multi, prompts[1].firstNs, prompts[1].firstNs);
    QCOMPARE(second.size(), std::size_t(1));
    QCOMPARE(second[0].promptId, prompts[1].promptId);
    QCOMPARE(second[0].text, prompts[1].text);
    QVERIFY(reader->promptsBetween(multi, x.lastNs + 1, x.lastNs + 2).empty());
  }

  void promptSpans() {
    // json-traces: one prompt, its logs carry the interaction's trace id; the spans arrived in their own request.
    const auto prompts = reader->prompts(sessionOf("json-traces"));
    QCOMPARE(prompts.size(), std::size_t(1));
    const auto spans = reader->promptSpans(prompts[0].promptId);
    QCOMPARE(spans.size(), std::size_t(6));
    for (std::size_t i = 1; i < spans.size(); ++i) QVERIFY(spans[i - 1].startNs <= spans[i].startNs);
    QCOMPARE(spans.front().name, std::string("claude_code.interaction"));
    QVERIFY(spans.front().parentSpanId.empty());
    QCOMPARE(spans.front().attribute("interaction.sequence"), std::string("1"));
    const auto llm = std::find_if(spans.begin(), spans.end(), [](auto& s) { return s.name == "claude_code.llm_request"; });
    QVERIFY(llm != spans.end());
    QCOMPARE(llm->parentSpanId, spans.front().spanId);
    QCOMPARE(llm->attribute("ttft_ms"), std::string("314"));
    QCOMPARE(llm->attribute("success"), std::string("true"));
    QCOMPARE(llm->attributes.front().first, std::string("user.id"));  // the order sent is kept
    QCOMPARE(llm->events.size(), std::size_t(1));
    QCOMPARE(llm->events[0].name, std::string("gen_ai.request.attempt"));
    QVERIFY(llm->events[0].timeNs > llm->startNs);
    QCOMPARE(llm->events[0].attributes.at(0), (std::pair<std::string, std::string>("attempt", "1")));
    QCOMPARE(reader->traceSpans(spans.front().traceId).size(), std::size_t(6));

    // The events that link logs to spans.
    const auto events = reader->promptEvents(prompts[0].promptId);
    const auto api = std::find_if(events.begin(), events.end(), [](auto& e) { return e.name == "api_request"; });
    QCOMPARE(api->requestId, llm->attribute("request_id"));
    QCOMPARE(api->traceId, spans.front().traceId);
    const auto tool = std::find_if(events.begin(), events.end(), [](auto& e) { return e.name == "tool_result"; });
    QVERIFY(!tool->toolUseId.empty());

    // Without tracing there are no spans.
    QVERIFY(reader->promptSpans(reader->prompts(sessionOf("json-basic"))[0].promptId).empty());
    QVERIFY(reader->promptSpans("no-such-prompt").empty());
  }

  void eventDetail() {
    const auto events = reader->sessionEvents(sessionOf("json-basic"));
    const auto d = reader->event(events[0].id);
    QCOMPARE(d.id, events[0].id);
    QVERIFY(!d.attributesJson.empty());
    QVERIFY(d.resourceJson.find("claude-code") != std::string::npos);
    bool hasName = false;
    for (const auto& [k, v] : d.fields)
      if (k == "event_name") hasName = v == "managed_settings_resolved";
    QVERIFY(hasName);
  }

  void eventsPage() {
    data::EventQuery q;
    q.limit = 50;
    auto page = reader->events(q);
    QCOMPARE(page.total, server->count("SELECT count(*) FROM events"));
    QCOMPARE(page.rows.size(), std::size_t(50));
    QCOMPARE(page.columns, query::Reader::defaultEventColumns());
    for (std::size_t i = 1; i < page.rows.size(); ++i)
      QVERIFY(std::stoll(page.rows[i - 1][0]) <= std::stoll(page.rows[i][0]));
    // Filter by session and event name, sort by a schema column descending.
    q.sessionId = sessionOf("json-multiturn");
    q.eventName = "api_request";
    q.sortColumn = "cost_usd";
    q.ascending = false;
    q.columns = {"event_name", "cost_usd", "model"};
    page = reader->events(q);
    QVERIFY(page.total > 3);
    for (const auto& row : page.rows) QCOMPARE(row[0], std::string("api_request"));
    for (std::size_t i = 1; i < page.rows.size(); ++i) QVERIFY(std::stod(page.rows[i - 1][1]) >= std::stod(page.rows[i][1]));
    // Free text over attributes.
    data::EventQuery s;
    s.search = "echo hi";
    s.columns = {"event_name", "tool_parameters"};
    page = reader->events(s);
    QVERIFY(page.total > 0);
    // Offsets page through without overlap.
    data::EventQuery a, b;
    a.limit = b.limit = 10;
    b.offset = 10;
    const auto pa = reader->events(a), pb = reader->events(b);
    QVERIFY(std::find(pa.ids.begin(), pa.ids.end(), pb.ids.front()) == pa.ids.end());
    // Unknown columns are dropped, not injected.
    data::EventQuery bad;
    bad.columns = {"event_name", "x\"; DROP TABLE sessions; --"};
    bad.sortColumn = "nonsense";
    QCOMPARE(reader->events(bad).columns, std::vector<std::string>{"event_name"});
  }

  void costs() {
    const auto days = reader->dailyCosts(0, 0);
    QVERIFY(!days.empty());
    double total = 0;
    std::int64_t requests = 0;
    for (const auto& d : days) {
      total += d.costUsd;
      requests += d.requests;
    }
    QCOMPARE(requests, server->count("SELECT count(*) FROM events WHERE event_name = 'api_request'"));
    QCOMPARE(QString::number(total, 'f', 8),
             QString::fromStdString(server->text("SELECT printf('%.8f', sum(cost_usd)) FROM events")));
    const auto top = reader->topSessionsByCost(0, 0, 5);
    QCOMPARE(top.size(), std::size_t(5));
    for (std::size_t i = 1; i < top.size(); ++i) QVERIFY(top[i - 1].costUsd >= top[i].costUsd);
    const auto cum = reader->cumulativeCost(top[0].sessionId);
    QVERIFY(!cum.empty());
    QVERIFY(std::abs(cum.back().costUsd - top[0].costUsd) < 1e-9);
  }

  void toolsAndErrors() {
    const auto tools = reader->toolStats(0, 0);
    const auto bash = std::find_if(tools.begin(), tools.end(), [](auto& t) { return t.toolName == "Bash"; });
    QVERIFY(bash != tools.end());
    QVERIFY(bash->calls > 5);
    QVERIFY(bash->failures >= 1);  // json-toolfail
    QVERIFY(bash->rejections >= 2);  // json-reject (config) and tmux-permissions (user_reject)
    QVERIFY(bash->p95Ms >= bash->p50Ms);
    bool config = false, user = false;
    for (const auto& [src, n] : bash->rejectionsBySource) {
      config |= src == "config";
      user |= src == "user_reject";
    }
    QVERIFY(config && user);
    const auto errors = reader->apiErrors(0, 0);
    const auto e529 = std::find_if(errors.begin(), errors.end(),
                                   [](auto& e) { return e.eventName == "api_error" && e.statusCode == 529; });
    QVERIFY(e529 != errors.end());
    QVERIFY(!e529->lastError.empty());
    QVERIFY(std::any_of(errors.begin(), errors.end(), [](auto& e) { return e.eventName == "api_retries_exhausted"; }));
  }

  void ingestAndTotals() {
    const auto log = reader->ingestLog(1000, false);
    QCOMPARE(static_cast<std::int64_t>(log.size()), server->count("SELECT count(*) FROM ingest_log"));
    QCOMPARE(log.front().status, 200);
    QVERIFY(reader->ingestLog(10, true).empty());
    const auto t = reader->totals();
    QCOMPARE(t.events, server->count("SELECT count(*) FROM events"));
    QCOMPARE(t.points, server->count("SELECT count(*) FROM metric_points"));
    QCOMPARE(t.spans, server->count("SELECT count(*) FROM spans"));
    QVERIFY(t.fileBytes > 0);
    QVERIFY(t.lastEventNs > 0);
  }
};

QTEST_GUILESS_MAIN(TestQueries)
#include "tst_queries.moc"
