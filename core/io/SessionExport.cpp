#include "io/SessionExport.h"

#include <map>
#include <memory>
#include <vector>

#include "io/AtomicFile.h"
#include "io/StoreToOtlp.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "otlp/OtlpJson.h"
#include "query/Reader.h"
#include "store/Schema.h"
#include "store/Sqlite.h"

namespace cctv::io {

namespace {

using store::Database;
using store::SqliteError;
using store::Statement;
namespace logs = opentelemetry::proto::collector::logs::v1;
namespace metrics = opentelemetry::proto::collector::metrics::v1;
namespace trace = opentelemetry::proto::collector::trace::v1;

// Items per Export request (per line): the size of a busy exporter's batch, small enough for any receiver's
// body limit.
constexpr int kItemsPerRequest = 500;

bool stop(const std::atomic<bool>* cancel) { return cancel && cancel->load(); }

// Groups rows into Export requests: one Resource*/Scope* pair per (resource, scope) run, in first-seen order.
template <typename Request, typename ResourceItems, typename ScopeItems>
class RequestBuilder {
 public:
  explicit RequestBuilder(StoreResources& resources) : resources_(resources) {}

  // The scope container for an item of (resourceRef, scopeRef), created when new in this request.
  template <typename AddScope>
  ScopeItems* scopeFor(std::int64_t resourceRef, std::int64_t scopeRef, AddScope addScope) {
    auto key = std::make_pair(resourceRef, scopeRef);
    if (auto it = scopes_.find(key); it != scopes_.end()) return it->second;
    ResourceItems*& r = resourceOf_[resourceRef];
    if (!r) {
      r = add(request_);
      resources_.fill(resourceRef, r->mutable_resource(), r->mutable_schema_url());
    }
    ScopeItems* s = addScope(r);
    resources_.fillScope(scopeRef, s->mutable_scope(), s->mutable_schema_url());
    scopes_[key] = s;
    return s;
  }
  Request& request() { return request_; }
  void clear() {
    request_.Clear();
    scopes_.clear();
    resourceOf_.clear();
  }

 private:
  static ResourceItems* add(logs::ExportLogsServiceRequest& r) { return r.add_resource_logs(); }
  static ResourceItems* add(metrics::ExportMetricsServiceRequest& r) { return r.add_resource_metrics(); }
  static ResourceItems* add(trace::ExportTraceServiceRequest& r) { return r.add_resource_spans(); }

  StoreResources& resources_;
  Request request_;
  std::map<std::pair<std::int64_t, std::int64_t>, ScopeItems*> scopes_;
  std::map<std::int64_t, ResourceItems*> resourceOf_;
};

class LinesWriter {
 public:
  LinesWriter(AtomicFile& file, ExportCounts* counts) : file_(file), counts_(counts) {}
  bool write(const google::protobuf::Message& request) {
    std::string line = otlp::toOtlpJson(request);
    line.push_back('\n');
    ++counts_->lines;
    return file_.write(line);
  }

 private:
  AtomicFile& file_;
  ExportCounts* counts_;
};

std::int64_t sessionRef(Database& db, const std::string& sessionId) {
  Statement st = db.prepare("SELECT id FROM sessions WHERE session_id = ?");
  st.bind(1, sessionId);
  return st.step() ? st.columnInt(0) : 0;
}

// What one export holds: a WHERE clause per signal (over event_data e, metric_data d + metric_series s,
// span_data sp) with the parameters ?1..?4 they use.
struct Selection {
  std::string events, points, spans;
  std::int64_t p1 = 0, p2 = 0, p3 = 0, p4 = 0;
  void bind(Statement& st) const {
    const int n = sqlite3_bind_parameter_count(st.handle());
    const std::int64_t values[] = {p1, p2, p3, p4};
    for (int i = 0; i < n && i < 4; ++i) st.bind(i + 1, values[i]);
  }
};

Selection sessionSelection(std::int64_t session) {
  return {"e.session_id_ref = ?1", "s.session_ref = ?1", "sp.session_ref = ?1", session};
}

// A prompt: its log records; the spans of the traces they name (how the prompt's trace finds them, since
// spans carry no prompt id); the points of its session's series timed within its first..last event.
Selection promptSelection(Database& db, std::int64_t prompt, std::int64_t session, std::int64_t firstNs,
                          std::int64_t lastNs) {
  const std::string rows = store::promptRowsWhere(db, prompt);
  return {rows,
          "s.session_ref = ?2 AND d.time_ns BETWEEN ?3 AND ?4",
          "sp.trace_id IN (SELECT DISTINCT lower(hex(e.trace_id)) FROM event_data e WHERE " + rows +
              " AND e.trace_id IS NOT NULL)",
          prompt, session, firstNs, lastNs};
}

bool exportLogs(Database& db, const Selection& sel, StoreResources& resources, LinesWriter& out,
                ExportCounts* counts, const std::atomic<bool>* cancel, std::string* error) {
  Statement st = db.prepare(eventRowsSql(sel.events));
  sel.bind(st);
  RequestBuilder<logs::ExportLogsServiceRequest, opentelemetry::proto::logs::v1::ResourceLogs,
                 opentelemetry::proto::logs::v1::ScopeLogs>
      b(resources);
  int n = 0;
  auto flush = [&] {
    if (n == 0) return true;
    const bool ok = out.write(b.request());
    b.clear();
    n = 0;
    return ok;
  };
  while (st.step()) {
    if (stop(cancel)) return false;
    const RowRefs refs = eventRefs(st);
    auto* scope = b.scopeFor(refs.resource, refs.scope,
                             [](opentelemetry::proto::logs::v1::ResourceLogs* r) { return r->add_scope_logs(); });
    if (!fillLogRecord(st, scope->add_log_records(), error)) return false;
    ++counts->events;
    if (++n >= kItemsPerRequest && !flush()) return false;
  }
  return flush();
}

bool exportMetrics(Database& db, const Selection& sel, StoreResources& resources, LinesWriter& out,
                   ExportCounts* counts, const std::atomic<bool>* cancel, std::string* error) {
  Statement st = db.prepare(pointRowsSql(sel.points));
  sel.bind(st);
  RequestBuilder<metrics::ExportMetricsServiceRequest, opentelemetry::proto::metrics::v1::ResourceMetrics,
                 opentelemetry::proto::metrics::v1::ScopeMetrics>
      b(resources);
  std::map<std::int64_t, opentelemetry::proto::metrics::v1::Metric*> metricOf;  // by series, in this request
  int n = 0;
  auto flush = [&] {
    if (n == 0) return true;
    const bool ok = out.write(b.request());
    b.clear();
    metricOf.clear();
    n = 0;
    return ok;
  };
  while (st.step()) {
    if (stop(cancel)) return false;
    const RowRefs refs = pointRefs(st);
    auto*& metric = metricOf[refs.series];
    if (!metric) {
      auto* scope = b.scopeFor(refs.resource, refs.scope, [](opentelemetry::proto::metrics::v1::ResourceMetrics* r) {
        return r->add_scope_metrics();
      });
      metric = scope->add_metrics();
      fillMetric(st, metric);
    }
    if (!addMetricPoint(st, metric, error)) return false;
    ++counts->points;
    if (++n >= kItemsPerRequest && !flush()) return false;
  }
  return flush();
}

bool exportSpans(Database& db, const Selection& sel, StoreResources& resources, LinesWriter& out,
                 ExportCounts* counts, const std::atomic<bool>* cancel, std::string* error) {
  Statement st = db.prepare(spanRowsSql(sel.spans));
  sel.bind(st);
  RequestBuilder<trace::ExportTraceServiceRequest, opentelemetry::proto::trace::v1::ResourceSpans,
                 opentelemetry::proto::trace::v1::ScopeSpans>
      b(resources);
  int n = 0;
  auto flush = [&] {
    if (n == 0) return true;
    const bool ok = out.write(b.request());
    b.clear();
    n = 0;
    return ok;
  };
  while (st.step()) {
    if (stop(cancel)) return false;
    const RowRefs refs = spanRefs(st);
    auto* scope = b.scopeFor(refs.resource, refs.scope, [](opentelemetry::proto::trace::v1::ResourceSpans* r) {
      return r->add_scope_spans();
    });
    if (!fillSpan(st, scope->add_spans(), error)) return false;
    ++counts->spans;
    if (++n >= kItemsPerRequest && !flush()) return false;
  }
  return flush();
}

// Writes the selection's three signals to outPath in one read snapshot; `what` names it in errors.
bool exportSelection(Database& db, const Selection& sel, const std::string& what, const std::string& outPath,
                     ExportCounts* counts, std::string* error, const std::atomic<bool>* cancel) {
  AtomicFile file;
  if (!file.open(outPath, error)) return false;
  LinesWriter out(file, counts);
  StoreResources resources(db);
  std::string why;
  const bool ok = exportLogs(db, sel, resources, out, counts, cancel, &why) &&
                  exportMetrics(db, sel, resources, out, counts, cancel, &why) &&
                  exportSpans(db, sel, resources, out, counts, cancel, &why);
  if (!ok) {
    if (stop(cancel)) *error = "cancelled";
    else if (!why.empty()) *error = "cannot export " + what + ": " + why;
    else if (file.commit(error)) *error = "cannot write " + outPath;  // a write failed: commit() says why
    return false;
  }
  return file.commit(error);
}

}  // namespace

bool exportSessionOtlpJson(const std::string& dbPath, const std::string& sessionId, const std::string& outPath,
                           ExportCounts* counts, std::string* error, const std::atomic<bool>* cancel) {
  *counts = ExportCounts{};
  try {
    Database db(dbPath, Database::Mode::ReadOnly);
    store::checkReadable(db);
    db.exec("BEGIN");  // one snapshot for all three signals, while the writer goes on committing
    const std::int64_t session = sessionRef(db, sessionId);
    if (!session) {
      *error = "no session " + sessionId + " in " + dbPath;
      return false;
    }
    const bool ok = exportSelection(db, sessionSelection(session), sessionId, outPath, counts, error, cancel);
    db.exec("COMMIT");
    return ok;
  } catch (const SqliteError& e) {
    *error = std::string("cannot read ") + dbPath + ": " + e.what();
    return false;
  }
}

bool exportPromptOtlpJson(const std::string& dbPath, const std::string& promptId, const std::string& outPath,
                          ExportCounts* counts, std::string* error, const std::atomic<bool>* cancel) {
  *counts = ExportCounts{};
  try {
    Database db(dbPath, Database::Mode::ReadOnly);
    store::checkReadable(db);
    db.exec("BEGIN");
    Statement st = db.prepare("SELECT id, session_ref, first_ns, last_ns FROM prompts WHERE prompt_id = ?");
    st.bind(1, promptId);
    if (!st.step()) {
      *error = "no prompt " + promptId + " in " + dbPath;
      return false;
    }
    const Selection sel = promptSelection(db, st.columnInt(0), st.columnInt(1), st.columnInt(2), st.columnInt(3));
    const bool ok = exportSelection(db, sel, "prompt " + promptId, outPath, counts, error, cancel);
    db.exec("COMMIT");
    return ok;
  } catch (const SqliteError& e) {
    *error = std::string("cannot read ") + dbPath + ": " + e.what();
    return false;
  }
}

std::string csvField(const std::string& value) {
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

bool exportEventsCsv(const std::string& dbPath, const data::EventQuery& filter, const std::string& outPath,
                     ExportCounts* counts, std::string* error, const std::atomic<bool>* cancel) {
  *counts = ExportCounts{};
  try {
    query::Reader reader(dbPath);
    if (!filter.sessionId.empty() && reader.session(filter.sessionId).ref == 0) {
      *error = "no session " + filter.sessionId + " in " + dbPath;
      return false;
    }
    if (!filter.promptId.empty() && reader.promptEvents(filter.promptId).empty()) {
      *error = "no prompt " + filter.promptId + " in " + dbPath;
      return false;
    }
    data::EventQuery q = filter;
    q.columns.clear();
    for (const std::string& c : query::Reader::eventColumns())
      if (c != "id") q.columns.push_back(c);
    q.limit = 5000;
    q.offset = 0;
    AtomicFile file;
    if (!file.open(outPath, error)) return false;
    std::string text;
    for (std::size_t i = 0; i < q.columns.size(); ++i) text += (i ? "," : "") + csvField(q.columns[i]);
    text += "\r\n";
    file.write(text);
    // The reader pages in SQL (as the Events tab does), so a large table never sits in memory at once.
    for (;;) {
      if (stop(cancel)) {
        *error = "cancelled";
        return false;
      }
      const data::EventPage page = reader.events(q);
      for (const auto& row : page.rows) {
        text.clear();
        for (std::size_t i = 0; i < row.size(); ++i) text += (i ? "," : "") + csvField(row[i]);
        text += "\r\n";
        file.write(text);
        ++counts->events;
        ++counts->lines;
      }
      if (static_cast<int>(page.rows.size()) < q.limit) break;
      q.offset += q.limit;
    }
    return file.commit(error);
  } catch (const SqliteError& e) {
    *error = std::string("cannot read ") + dbPath + ": " + e.what();
    return false;
  }
}

}  // namespace cctv::io
