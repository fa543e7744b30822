#pragma once
// Every query the viewer runs, in one place, on a read-only connection of its own (WAL lets it read while
// the writer commits). One Reader per thread. All SQL of the viewer lives here and is tested here.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "query/Data.h"
#include "store/Sqlite.h"

namespace cctv::query {

class Reader {
 public:
  // Opens `path` read-only. Throws store::SqliteError when it is not a readable cctv database.
  explicit Reader(const std::string& path);

  std::vector<data::SessionSummary> sessions(const data::SessionFilter& filter);
  data::SessionSummary session(const std::string& sessionId);  // ref 0 when unknown
  std::vector<std::string> models();       // every model seen, by name
  std::vector<std::string> eventNames();   // every event name seen, by name

  // A session's events in time order (sequence breaks ties).
  std::vector<data::EventItem> sessionEvents(const std::string& sessionId);
  // Events of a session newer than `afterId` (live updates of an open timeline).
  std::vector<data::EventItem> sessionEventsAfter(const std::string& sessionId, std::int64_t afterId);
  // The session's events with fromNs <= time < fromNs + buckets * bucketNs, counted per event name and bucket
  // from the session's index entries alone, so it costs the same whether the range holds ten events or 70,000.
  data::EventDensity sessionDensity(const std::string& sessionId, std::int64_t fromNs, std::int64_t bucketNs,
                                    int buckets);
  // The session's events drawn in [fromNs, toNs], in time order (sequence breaks ties): those with
  // fromNs <= time <= toNs, and those up to reachNs later whose duration reaches back into the range (Claude
  // Code logs a request or a tool call when it ends).
  std::vector<data::EventItem> sessionEventsBetween(const std::string& sessionId, std::int64_t fromNs,
                                                    std::int64_t toNs, std::int64_t reachNs = 0);
  std::vector<data::PromptSummary> prompts(const std::string& sessionId);
  // The session's prompts whose [first, last] event times meet [fromNs, toNs], by start.
  std::vector<data::PromptSummary> promptsBetween(const std::string& sessionId, std::int64_t fromNs,
                                                  std::int64_t toNs);
  // A prompt's events in sequence order.
  std::vector<data::EventItem> promptEvents(const std::string& promptId);
  data::EventDetail event(std::int64_t id);
  // The spans of the traces a prompt's events belong to (Claude Code's enhanced tracing), by start time.
  std::vector<data::SpanItem> promptSpans(const std::string& promptId);
  std::vector<data::SpanItem> traceSpans(const std::string& traceId);

  data::EventPage events(const data::EventQuery& q);
  // Free-text searches count their matches up to this many (EventPage::totalCapped beyond).
  static constexpr std::int64_t kSearchCountCap = 100000;
  static std::vector<std::string> defaultEventColumns();
  static std::vector<std::string> eventColumns();  // every column of the events view

  std::vector<data::DailyCost> dailyCosts(std::int64_t fromNs, std::int64_t toNs);
  std::vector<data::SessionSummary> topSessionsByCost(std::int64_t fromNs, std::int64_t toNs, int n);
  std::int64_t sessionCount(std::int64_t fromNs, std::int64_t toNs);  // sessions active in the range
  std::vector<data::CumulativePoint> cumulativeCost(const std::string& sessionId);
  std::vector<data::ToolStats> toolStats(std::int64_t fromNs, std::int64_t toNs);
  std::vector<data::ApiErrorStats> apiErrors(std::int64_t fromNs, std::int64_t toNs);

  // Metrics (sum series): one session's totals; totals of the points in a range; one metric over time in
  // buckets, split by a point attribute (`dimension`: "model", "type", ...; "session" for the session id;
  // "" for none); every metric name seen; and per session, events against metrics.
  data::MetricTotals sessionMetrics(const std::string& sessionId);
  data::MetricTotals metricTotals(std::int64_t fromNs, std::int64_t toNs);
  std::vector<data::MetricBucket> metricOverTime(const std::string& metric, const std::string& dimension,
                                                 std::int64_t fromNs, std::int64_t toNs, std::int64_t bucketNs);
  std::vector<std::string> metricNames();
  std::pair<std::int64_t, std::int64_t> metricTimeRange();  // oldest and newest point; 0, 0 when none
  std::vector<data::Reconciliation> reconciliation(std::int64_t fromNs, std::int64_t toNs, int limit = 2000);

  std::vector<data::IngestLogRow> ingestLog(int limit, bool onlyProblems);
  data::StoreTotals totals();
  // Changes whenever another connection (another process included) commits to the database; a read-only
  // window polls it to see what the cctv that receives has written.
  std::int64_t dataVersion();

  const std::string& path() const { return path_; }

 private:
  std::int64_t dictId(const std::string& s);        // 0 when absent
  std::int64_t sessionRef(const std::string& id);   // sessions.id, 0 when absent
  std::int64_t promptRef(const std::string& id);    // prompts.id, 0 when absent
  // Spans matching `where` (a condition on span_data with one text parameter ?1), by start time.
  std::vector<data::SpanItem> spansWhere(const std::string& where, const std::string& arg);
  // Events of a session (ref; 0: all) with a name (dict ref; 0: all), from the roll-ups; -1 refs match none.
  std::int64_t eventCount(std::int64_t sessionRef, std::int64_t nameRef);
  // Events matching `where`, a condition on event_data e with integer parameters ?1, ?2, ... bound to `args`.
  std::vector<data::EventItem> eventItems(const std::string& where, std::initializer_list<std::int64_t> args,
                                          const std::string& order);
  // Prompts matching `where`, a condition on prompts p with parameters ?1 (a session id) and ?2, ?3 (integers).
  std::vector<data::PromptSummary> promptsWhere(const std::string& where, const std::string& sessionId,
                                                std::int64_t a, std::int64_t b);
  std::string path_;
  store::Database db_;
};

// A one-line description of an event for lists and tooltips ("Bash: echo hi").
std::string eventSummary(const data::EventItem& e, const std::string& detail);

}  // namespace cctv::query
