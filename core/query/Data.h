#pragma once
// Plain value types the viewer shows, as the query classes return them. No behaviour, no Qt widgets.
// Times are Unix nanoseconds; money is USD.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace cctv::data {

struct Tokens {
  std::int64_t input = 0;
  std::int64_t output = 0;
  std::int64_t cacheRead = 0;
  std::int64_t cacheCreation = 0;
  std::int64_t total() const { return input + output + cacheRead + cacheCreation; }
};

// One row of the session list.
struct SessionSummary {
  std::int64_t ref = 0;  // sessions.id
  std::string sessionId;
  std::int64_t firstNs = 0;
  std::int64_t lastNs = 0;
  std::string userId;
  std::string terminal;
  std::string appVersion;  // Claude Code version (resource service.version)
  std::vector<std::string> models;
  std::int64_t events = 0;
  std::int64_t prompts = 0;
  std::int64_t apiRequests = 0;
  std::int64_t apiErrors = 0;
  std::int64_t toolCalls = 0;
  std::int64_t toolFailures = 0;
  std::int64_t toolRejections = 0;
  std::int64_t errors = 0;
  Tokens tokens;
  double costUsd = 0;
};

struct SessionFilter {
  std::string text;          // matched against session id, user, terminal, models
  std::int64_t fromNs = 0;   // sessions active at or after (0: no bound)
  std::int64_t toNs = 0;     // sessions that started at or before (0: no bound)
  std::string model;         // "" any
  bool onlyWithErrors = false;
  int limit = 5000;
};

// One event as the timeline, the trace and the tables need it (a subset of the events view).
struct EventItem {
  std::int64_t id = 0;
  std::int64_t timeNs = 0;
  std::string name;  // event_name, e.g. "api_request"
  std::int64_t sequence = -1;
  std::string promptId;
  std::string toolName;
  std::string model;
  std::int64_t durationMs = -1;  // -1: none
  std::int64_t ttftMs = -1;
  int success = -1;              // -1 unknown, 0 false, 1 true
  std::string decision;          // tool_decision: accept / reject
  std::string source;            // tool_decision source, tool_result decision_source
  std::string error;             // api_error / tool_result error text or error_type
  std::int64_t statusCode = 0;
  std::int64_t attempt = 0;
  double costUsd = 0;
  Tokens tokens;
  std::string summary;  // one line for lists and tooltips ("Bash: echo hi", "claude-sonnet-4-5 1.2 s $0.03")
  std::string traceId;  // hex, when the record carried one
  std::string spanId;
  std::string requestId;  // API request id (api_request, api_error, tool events): links a log to its span
  std::string toolUseId;  // tool_use_id (tool_decision, tool_result)
};

// One span of Claude Code's enhanced tracing, as stored. Attributes are flattened to text for display and
// lookups: strings as sent, numbers and booleans in their JSON spelling, arrays and maps as JSON.
struct SpanEvent {
  std::int64_t timeNs = 0;
  std::string name;  // e.g. "gen_ai.request.attempt"
  std::vector<std::pair<std::string, std::string>> attributes;
};

struct SpanItem {
  std::int64_t id = 0;  // span_data.id
  std::string traceId;  // lowercase hex
  std::string spanId;
  std::string parentSpanId;  // "" for a root span
  std::string name;          // e.g. "claude_code.llm_request"
  std::int64_t startNs = 0;
  std::int64_t endNs = 0;
  int statusCode = 0;  // 0 unset, 1 ok, 2 error
  std::string statusMessage;
  std::vector<std::pair<std::string, std::string>> attributes;  // in the order sent
  std::vector<SpanEvent> events;

  // The attribute's text, or "" when absent.
  const std::string& attribute(const std::string& key) const {
    static const std::string none;
    for (const auto& kv : attributes)
      if (kv.first == key) return kv.second;
    return none;
  }
};

// One row of a session's prompt list.
struct PromptSummary {
  std::int64_t ref = 0;
  std::string promptId;
  std::int64_t firstNs = 0;
  std::int64_t lastNs = 0;
  std::string text;  // the prompt, "<REDACTED>", or "" when no user_prompt event arrived
  std::string commandName;
  std::int64_t events = 0;
  std::int64_t apiRequests = 0;
  std::int64_t toolCalls = 0;
  std::int64_t errors = 0;
  Tokens tokens;
  double costUsd = 0;
  std::int64_t apiDurationMs = 0;
};

// A session's events counted per event name and time bucket: what the timeline of a long session draws where
// drawing every event would not fit (tens of thousands of events over a few hundred pixels), and what tells it
// how many events a time range holds before loading them. Bucket i covers [fromNs + i*bucketNs, + bucketNs).
struct EventDensity {
  struct Cell {
    int name = 0;  // index into names
    int bucket = 0;
    std::int64_t count = 0;
  };
  std::int64_t fromNs = 0;
  std::int64_t bucketNs = 1;
  int buckets = 0;
  std::vector<std::string> names;  // event names seen in the range
  std::vector<Cell> cells;         // non-empty (name, bucket) pairs, by name then bucket
  std::int64_t lastEventId = 0;    // the newest event counted (live events after it are added by the viewer)
  std::int64_t toNs() const { return fromNs + bucketNs * buckets; }
};

// Every field of one stored event, for the inspector.
struct EventDetail {
  std::int64_t id = 0;
  std::vector<std::pair<std::string, std::string>> fields;  // non-null events-view columns, in view order
  std::string attributesJson;
  std::string resourceJson;
};

// A page of the events table.
struct EventQuery {
  std::string sessionId;   // "" all sessions
  std::string promptId;    // "" all prompts
  std::string eventName;   // "" all events
  std::string search;      // free text over attributes
  std::string sortColumn = "timeUnixNano";  // an events view column
  bool ascending = true;
  std::int64_t offset = 0;
  int limit = 200;
  std::vector<std::string> columns;  // events view columns to fetch; empty: a default set
};

struct EventPage {
  std::vector<std::string> columns;
  std::vector<std::int64_t> ids;
  std::vector<std::vector<std::string>> rows;  // display text, "" for NULL
  std::int64_t total = 0;                      // rows matching, for the scroll bar
  bool totalCapped = false;                    // a free-text search found at least `total`; there may be more
};

// Costs page.
struct DailyCost {
  std::int64_t dayStartNs = 0;  // UTC midnight
  std::string model;
  double costUsd = 0;
  Tokens tokens;
  std::int64_t requests = 0;
};

struct CumulativePoint {
  std::int64_t timeNs = 0;
  double costUsd = 0;  // running total
};

// Tools & errors page.
struct ToolStats {
  std::string toolName;
  std::int64_t calls = 0;
  std::int64_t successes = 0;
  std::int64_t failures = 0;
  double p50Ms = 0;
  double p95Ms = 0;
  std::int64_t rejections = 0;
  std::vector<std::pair<std::string, std::int64_t>> rejectionsBySource;
};

struct ApiErrorStats {
  std::string model;
  std::int64_t statusCode = 0;
  std::string eventName;  // api_error, api_retries_exhausted, api_refusal
  std::int64_t count = 0;
  std::string lastError;
};

// Ingest page.
struct IngestLogRow {
  std::int64_t id = 0;
  std::int64_t receivedAtNs = 0;
  std::string transport, path, contentType, contentEncoding, message, remote, userAgent;
  std::int64_t bytes = 0;
  int status = 0;
  std::int64_t accepted = 0, rejected = 0, duplicates = 0;
};

struct StoreTotals {
  std::int64_t events = 0, points = 0, spans = 0, sessions = 0;
  std::int64_t lastEventNs = 0;
  std::int64_t fileBytes = 0;  // database + WAL
  double costUsd = 0;
};

// Metrics. Claude Code's metrics are monotonic sums; a total is the sum of a series' increments: delta points
// as sent, cumulative points differenced against the previous point of the same series (a new start time or
// a drop is a reset, after which the point counts whole). See query/MetricMath.h.
struct MetricTotals {
  std::int64_t points = 0;  // 0: no metrics for this scope
  double costUsd = 0;       // claude_code.cost.usage
  Tokens tokens;            // claude_code.token.usage by type
  double linesAdded = 0;    // claude_code.lines_of_code.count type=added / removed
  double linesRemoved = 0;
  double commits = 0;       // claude_code.commit.count
  double pullRequests = 0;  // claude_code.pull_request.count
  double activeCliSeconds = 0;   // claude_code.active_time.total type=cli
  double activeUserSeconds = 0;  // type=user
  double editAccepts = 0;        // claude_code.code_edit_tool.decision decision=accept / reject
  double editRejects = 0;
  double sessionsStarted = 0;    // claude_code.session.count
  std::int64_t lastPointNs = 0;  // the newest data point's time
};

// One bucket of a metric over time, split by a dimension (model, type, session, ...).
struct MetricBucket {
  std::int64_t startNs = 0;
  std::string key;  // the dimension's value ("" when the point has none)
  double value = 0;
};

// Events and metrics of one session side by side: the api_request events' cost and tokens against the
// cost.usage and token.usage metric totals. A difference beyond rounding reveals lost batches, double
// counting, or a signal that is not exported.
enum class ReconcileStatus {
  Agree,
  Differ,
  NoMetrics,  // events only (metrics not exported, or not yet: the default metric interval is 60 s)
  NoEvents,   // metrics only (logs not exported)
  Nothing,    // neither carries cost or tokens
};

struct Reconciliation {
  std::string sessionId;
  std::int64_t firstNs = 0;
  std::int64_t lastNs = 0;
  double eventCostUsd = 0;
  Tokens eventTokens;
  std::int64_t apiRequests = 0;
  MetricTotals metrics;
  ReconcileStatus status = ReconcileStatus::Nothing;
  double costDiffUsd = 0;           // events - metrics
  std::int64_t tokenDiff = 0;       // events - metrics, all types
};

}  // namespace cctv::data
