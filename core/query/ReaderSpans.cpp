// The span queries of the Reader: the spans of one prompt's traces, for the nested waterfall.
#include <nlohmann/json.hpp>

#include "query/Reader.h"
#include "store/Schema.h"

namespace cctv::query {

using store::Statement;

namespace {

// Attribute maps are stored as JSON objects (values already flattened from AnyValue by the normalizer).
// With ordered_json the attributes keep the order Claude Code sent them in.
template <typename Json>
std::vector<std::pair<std::string, std::string>> flattenObject(const Json& obj) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!obj.is_object()) return out;
  out.reserve(obj.size());
  for (auto it = obj.begin(); it != obj.end(); ++it)
    out.emplace_back(it.key(), it->is_string() ? it->template get<std::string>() : it->dump());
  return out;
}

std::int64_t parseNs(const nlohmann::json& v) {
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_string()) {
    try {
      return std::stoll(v.get<std::string>());
    } catch (...) {
      return 0;
    }
  }
  return 0;
}

data::SpanItem readSpan(const Statement& st) {
  data::SpanItem s;
  s.id = st.columnInt(0);
  s.traceId = st.columnText(1);
  s.spanId = st.columnText(2);
  s.parentSpanId = st.columnText(3);
  s.name = st.columnText(4);
  s.startNs = st.columnInt(5);
  s.endNs = st.columnInt(6);
  s.statusCode = static_cast<int>(st.columnInt(7));
  s.statusMessage = st.columnText(8);
  // Stored by our own normalizer, so always valid; a damaged row shows without attributes, not as a crash.
  s.attributes = flattenObject(nlohmann::ordered_json::parse(st.columnText(9), nullptr, false));
  const auto events = nlohmann::json::parse(st.columnText(10), nullptr, false);
  if (events.is_array()) {
    for (const auto& e : events) {
      if (!e.is_object()) continue;
      data::SpanEvent ev;
      ev.timeNs = parseNs(e.value("timeUnixNano", nlohmann::json()));
      ev.name = e.value("name", std::string());
      ev.attributes = flattenObject(e.value("attributes", nlohmann::json::object()));
      s.events.push_back(std::move(ev));
    }
  }
  return s;
}

constexpr const char* kSpanColumns =
    "SELECT id, trace_id, span_id, parent_span_id, name, start_time_unix_nano, end_time_unix_nano, status_code, "
    "status_message, attributes, events FROM span_data ";

}  // namespace

std::vector<data::SpanItem> Reader::spansWhere(const std::string& where, const std::string& arg) {
  Statement st = db_.prepare(kSpanColumns + ("WHERE " + where) + " ORDER BY start_time_unix_nano, id");
  if (sqlite3_bind_parameter_count(st.handle()) > 0) st.bind(1, arg);
  std::vector<data::SpanItem> out;
  while (st.step()) out.push_back(readSpan(st));
  return out;
}

std::vector<data::SpanItem> Reader::promptSpans(const std::string& promptId) {
  // Claude Code's spans carry no prompt id; the log records of a prompt carry the trace id of its interaction
  // span. So a prompt's spans are those of the traces its events name: spans exported after their logs (the
  // usual order) join in on the next query, and a prompt whose logs carried no trace ids has none.
  const std::int64_t ref = promptRef(promptId);
  if (!ref) return {};
  return spansWhere("trace_id IN (SELECT DISTINCT lower(hex(e.trace_id)) FROM event_data e WHERE " +
                        store::promptRowsWhere(db_, ref) + " AND e.trace_id IS NOT NULL)",
                    std::string());
}

std::vector<data::SpanItem> Reader::traceSpans(const std::string& traceId) {
  return spansWhere("trace_id = ?1", traceId);
}

}  // namespace cctv::query
