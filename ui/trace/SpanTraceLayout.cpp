#include "trace/SpanTraceLayout.h"

#include "timeline/TimeFormat.h"

#include <algorithm>
#include <cstdlib>
#include <unordered_map>
#include <utility>

namespace cctv::ui {

namespace {

enum class SpanType { Interaction, LlmRequest, Tool, Blocked, Execution, Other };

SpanType spanType(const data::SpanItem& s) {
  const std::string n = shortSpanName(s.name);
  if (n == "interaction") return SpanType::Interaction;
  if (n == "llm_request") return SpanType::LlmRequest;
  if (n == "tool") return SpanType::Tool;
  if (n == "tool.blocked_on_user") return SpanType::Blocked;
  if (n == "tool.execution") return SpanType::Execution;
  return SpanType::Other;
}

std::int64_t attrInt(const data::SpanItem& s, const char* key, std::int64_t fallback = -1) {
  const std::string& v = s.attribute(key);
  if (v.empty()) return fallback;
  char* end = nullptr;
  const long long n = std::strtoll(v.c_str(), &end, 10);
  return end && *end == '\0' ? n : fallback;
}

const std::string& firstAttr(const data::SpanItem& s, std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    const std::string& v = s.attribute(k);
    if (!v.empty()) return v;
  }
  static const std::string none;
  return none;
}

bool spanFailed(const data::SpanItem& s) { return s.statusCode == 2 || s.attribute("success") == "false"; }

std::string key(const std::string& traceId, const std::string& spanId) { return traceId + ':' + spanId; }

std::string relative(std::int64_t offsetNs) { return timefmt::offset(offsetNs, kNsPerMs); }

std::string oneLine(std::string s, std::size_t max = 100) {
  for (char& c : s)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  if (s.size() > max) s = s.substr(0, max) + "\u2026";
  return s;
}

// The attributes worth a line in the tooltip, per kind of span; the inspector shows all of them.
std::vector<const char*> tooltipKeys(SpanType t) {
  switch (t) {
    case SpanType::Interaction: return {"interaction.sequence", "user_prompt_length", "parent.source", "queued_sends"};
    case SpanType::LlmRequest:
      return {"gen_ai.request.model", "query_source_safe", "llm_request.context", "input_tokens", "output_tokens",
              "cache_read_tokens", "cache_creation_tokens", "ttft_ms", "stop_reason", "attempt", "status_code",
              "error", "request_id"};
    case SpanType::Tool:
      return {"tool_name", "full_command", "file_path", "subagent_type", "anthropic.mcp.server.name", "tool_use_id"};
    case SpanType::Blocked: return {"decision", "source"};
    case SpanType::Execution: return {"success", "error", "error.type", "error_class"};
    case SpanType::Other: return {"span.type"};
  }
  return {};
}

struct SpanRowInfo {
  TraceRow row;
  SpanType type = SpanType::Other;
};

SpanRowInfo spanRow(const data::SpanItem& s, std::int64_t originNs) {
  SpanRowInfo info;
  info.type = spanType(s);
  TraceRow& r = info.row;
  r.spanRef = s.id;
  r.name = shortSpanName(s.name);
  r.timeNs = s.startNs;
  r.offsetNs = s.startNs - originNs;
  r.durationNs = std::max<std::int64_t>(0, s.endNs - s.startNs);
  r.error = spanFailed(s);
  switch (info.type) {
    case SpanType::Interaction: {
      r.kind = EventKind::UserPrompt;
      r.role = ColorRole::Prompt;
      const std::string& prompt = s.attribute("user_prompt");
      r.summary = !prompt.empty() ? oneLine(prompt) : "#" + s.attribute("interaction.sequence");
      break;
    }
    case SpanType::LlmRequest: {
      r.kind = r.error ? EventKind::ApiError : EventKind::ApiRequest;
      r.role = r.error ? ColorRole::ApiError : ColorRole::Model;
      const std::string& model = firstAttr(s, {"gen_ai.request.model", "model", "gen_ai.response.model"});
      r.modelSlot = modelColorIndex(model);
      r.summary = model;
      const std::int64_t in = attrInt(s, "input_tokens", 0), out = attrInt(s, "output_tokens", 0);
      if (in || out) r.summary += " \u00b7 " + timefmt::count(in) + " in \u00b7 " + timefmt::count(out) + " out";
      if (r.error) r.summary += " \u00b7 " + firstAttr(s, {"status_code", "error"});
      const std::int64_t ttft = attrInt(s, "ttft_ms");
      if (ttft >= 0 && ttft * kNsPerMs <= r.durationNs) r.ttftOffsetNs = r.offsetNs + ttft * kNsPerMs;
      break;
    }
    case SpanType::Tool: {
      r.kind = EventKind::ToolResult;
      r.role = r.error ? ColorRole::ToolFailed : ColorRole::ToolOk;
      r.summary = s.attribute("tool_name");
      const std::string& detail =
          firstAttr(s, {"full_command", "file_path", "subagent_type", "anthropic.mcp.server.name"});
      if (!detail.empty()) r.summary += ": " + oneLine(detail);
      break;
    }
    case SpanType::Blocked: {
      r.kind = EventKind::ToolDecision;
      const std::string& decision = s.attribute("decision");
      r.role = decision == "reject" ? ColorRole::Reject : ColorRole::PermissionWait;
      r.hatched = true;
      r.summary = decision + (s.attribute("source").empty() ? "" : " (" + s.attribute("source") + ")");
      break;
    }
    case SpanType::Execution:
      r.kind = EventKind::ToolResult;
      r.role = r.error ? ColorRole::ToolFailed : ColorRole::ToolOk;
      r.summary = r.error ? "failed" : (s.attribute("success") == "true" ? "ok" : "");
      if (r.error && !firstAttr(s, {"error", "error.type"}).empty())
        r.summary += ": " + oneLine(firstAttr(s, {"error", "error.type"}));
      break;
    case SpanType::Other:
      r.kind = EventKind::Other;
      r.role = r.error ? ColorRole::ApiError : ColorRole::Neutral;
      r.summary = s.attribute("span.type");
      break;
  }
  for (const data::SpanEvent& e : s.events) {
    TraceMark m;
    m.offsetNs = e.timeNs - originNs;
    m.label = e.name;
    for (const auto& [k, v] : e.attributes) m.label += " " + k + "=" + oneLine(v, 40);
    if (e.name == "gen_ai.request.attempt") {
      for (const auto& [k, v] : e.attributes)
        if (k == "attempt") m.label = "attempt " + v;
    }
    r.marks.push_back(std::move(m));
  }
  return info;
}

std::string spanTooltip(const data::SpanItem& s, const SpanRowInfo& info) {
  const TraceRow& r = info.row;
  std::string t = s.name + "\n" + relative(r.offsetNs) + " \u2192 " + relative(r.endOffsetNs()) + "  (" +
                  timefmt::duration(r.durationNs) + ")";
  if (r.ttftOffsetNs) t += "\ntime to first token " + timefmt::duration(*r.ttftOffsetNs - r.offsetNs);
  if (s.statusCode == 2) t += "\nstatus: error" + (s.statusMessage.empty() ? "" : ": " + oneLine(s.statusMessage));
  for (const char* k : tooltipKeys(info.type)) {
    const std::string& v = s.attribute(k);
    if (!v.empty()) t += std::string("\n") + k + ": " + oneLine(v, 80);
  }
  for (const TraceMark& m : r.marks) t += "\n\u2022 " + m.label + " at " + relative(m.offsetNs);
  return t;
}

// Which span an event belongs to (index into spans), -1 for none. See the rules in the header.
class EventLinker {
 public:
  explicit EventLinker(const std::vector<data::SpanItem>& spans) : spans_(spans) {
    for (std::size_t i = 0; i < spans.size(); ++i) {
      const auto& s = spans[i];
      const int idx = static_cast<int>(i);
      byId_.emplace(key(s.traceId, s.spanId), idx);
      if (s.parentSpanId.empty()) rootOfTrace_.emplace(s.traceId, idx);
      const SpanType t = spanType(s);
      if (t == SpanType::LlmRequest) {
        const std::string& rid = firstAttr(s, {"request_id", "gen_ai.response.id"});
        if (!rid.empty()) byRequest_.emplace(rid, idx);
      } else if (t == SpanType::Tool) {
        const std::string& tid = firstAttr(s, {"tool_use_id", "gen_ai.tool.call.id"});
        if (!tid.empty()) byToolUse_.emplace(tid, idx);
      }
    }
  }

  int spanFor(const data::EventItem& e) const {
    const int own = find(byId_, key(e.traceId, e.spanId));
    if (own >= 0 && !spans_[static_cast<std::size_t>(own)].parentSpanId.empty()) return own;
    const EventKind kind = classifyEvent(e.name);
    const bool api = kind == EventKind::ApiRequest || kind == EventKind::ApiError ||
                     kind == EventKind::ApiRetriesExhausted || kind == EventKind::ApiRefusal;
    if (api && !e.requestId.empty()) {
      const int s = find(byRequest_, e.requestId);
      if (s >= 0) return s;
    }
    if (!api && !e.toolUseId.empty()) {
      const int s = find(byToolUse_, e.toolUseId);
      if (s >= 0) return s;
    }
    if (own >= 0) return own;
    return e.traceId.empty() ? -1 : find(rootOfTrace_, e.traceId);
  }

 private:
  static int find(const std::unordered_map<std::string, int>& m, const std::string& k) {
    const auto it = m.find(k);
    return it == m.end() ? -1 : it->second;
  }
  const std::vector<data::SpanItem>& spans_;
  std::unordered_map<std::string, int> byId_, rootOfTrace_, byRequest_, byToolUse_;
};

// The event a span row stands for when it is selected from elsewhere (the timeline selects events).
bool isMainEvent(SpanType t, EventKind k) {
  switch (t) {
    case SpanType::Interaction: return k == EventKind::UserPrompt;
    case SpanType::LlmRequest: return k == EventKind::ApiRequest || k == EventKind::ApiError;
    case SpanType::Tool: return k == EventKind::ToolResult;
    case SpanType::Blocked: return k == EventKind::ToolDecision;
    default: return false;
  }
}

void summarizeSpans(const std::vector<data::SpanItem>& spans, TraceSummary& s, bool fromEvents) {
  std::int64_t wait = 0;
  for (const auto& span : spans) {
    const SpanType t = spanType(span);
    const std::int64_t dur = std::max<std::int64_t>(0, span.endNs - span.startNs);
    if (t == SpanType::Blocked && isUserDecisionSource(span.attribute("source"))) wait += dur;
    if (fromEvents) continue;
    switch (t) {
      case SpanType::Interaction:
        if (s.promptText.empty()) s.promptText = oneLine(span.attribute("user_prompt"), 400);
        break;
      case SpanType::LlmRequest:
        ++s.apiCalls;
        if (spanFailed(span)) ++s.apiErrors;
        s.apiTimeNs += dur;
        s.tokens.input += attrInt(span, "input_tokens", 0);
        s.tokens.output += attrInt(span, "output_tokens", 0);
        s.tokens.cacheRead += attrInt(span, "cache_read_tokens", 0);
        s.tokens.cacheCreation += attrInt(span, "cache_creation_tokens", 0);
        break;
      case SpanType::Tool:
        ++s.tools;
        if (spanFailed(span)) ++s.toolFailures;
        break;
      case SpanType::Blocked:
        if (span.attribute("decision") == "reject") ++s.rejections;
        break;
      default: break;
    }
  }
  // The blocked_on_user spans measure the wait exactly; events can only estimate it.
  if (wait > 0 || !fromEvents) s.permissionWaitNs = wait;
}

}  // namespace

std::string shortSpanName(const std::string& name) {
  static const std::string prefix = "claude_code.";
  return name.compare(0, prefix.size(), prefix) == 0 && name.size() > prefix.size() ? name.substr(prefix.size()) : name;
}

TraceLayout buildSpanTraceLayout(std::vector<data::SpanItem> spans, std::vector<data::EventItem> events) {
  if (spans.empty()) return buildTraceLayout(std::move(events));
  std::stable_sort(spans.begin(), spans.end(), [](const data::SpanItem& a, const data::SpanItem& b) {
    return a.startNs != b.startNs ? a.startNs < b.startNs : a.id < b.id;
  });

  TraceLayout eventLayout = buildTraceLayout(events);  // totals, and rows for events no span claims
  TraceLayout out;
  TraceSummary& sum = out.summary;
  sum = eventLayout.summary;
  const bool haveEvents = !events.empty();
  std::int64_t origin = haveEvents ? sum.originNs : spans.front().startNs;
  std::int64_t end = haveEvents ? sum.endNs : spans.front().endNs;
  for (const auto& s : spans) {
    origin = std::min(origin, s.startNs);
    end = std::max(end, s.endNs);
  }
  sum.originNs = origin;
  sum.endNs = end;
  sum.spans = static_cast<std::int64_t>(spans.size());
  summarizeSpans(spans, sum, haveEvents);

  // Span rows, then the events attached to them as marks.
  std::vector<SpanRowInfo> rows;
  rows.reserve(spans.size());
  for (const auto& s : spans) rows.push_back(spanRow(s, origin));
  const EventLinker linker(spans);
  std::vector<std::int64_t> unattached;
  for (const auto& e : events) {
    const int si = linker.spanFor(e);
    if (si < 0) {
      unattached.push_back(e.id);
      continue;
    }
    SpanRowInfo& info = rows[static_cast<std::size_t>(si)];
    const EventKind kind = classifyEvent(e.name);
    TraceMark m;
    m.offsetNs = e.timeNs - origin;
    m.eventId = e.id;
    m.label = e.name + (e.summary.empty() || e.summary == e.name ? "" : ": " + oneLine(e.summary, 80));
    m.error = kind == EventKind::ApiError || kind == EventKind::ApiRetriesExhausted ||
              kind == EventKind::ApiRefusal || (kind == EventKind::ToolResult && e.success == 0);
    info.row.marks.push_back(std::move(m));
    if (info.row.eventId == 0 && isMainEvent(info.type, kind)) info.row.eventId = e.id;
  }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    auto& marks = rows[i].row.marks;
    std::stable_sort(marks.begin(), marks.end(), [](const TraceMark& a, const TraceMark& b) { return a.offsetNs < b.offsetNs; });
    rows[i].row.tooltip = spanTooltip(spans[i], rows[i]);
  }

  // The tree: children by parent, in start order (spans are sorted). A missing parent makes a root.
  std::unordered_map<std::string, int> byId;
  for (std::size_t i = 0; i < spans.size(); ++i) byId.emplace(key(spans[i].traceId, spans[i].spanId), static_cast<int>(i));
  std::vector<std::vector<int>> children(spans.size());
  std::vector<int> roots;
  for (std::size_t i = 0; i < spans.size(); ++i) {
    const auto it = spans[i].parentSpanId.empty() ? byId.end() : byId.find(key(spans[i].traceId, spans[i].parentSpanId));
    if (it == byId.end() || it->second == static_cast<int>(i)) roots.push_back(static_cast<int>(i));
    else children[static_cast<std::size_t>(it->second)].push_back(static_cast<int>(i));
  }

  // Top-level blocks in time order: each root span with its subtree, and each unclaimed event.
  struct Block {
    std::int64_t startNs;
    int span;        // >= 0: a root span
    int eventRow;    // >= 0: a row of eventLayout
  };
  std::vector<Block> blocks;
  for (int r : roots) blocks.push_back({spans[static_cast<std::size_t>(r)].startNs, r, -1});
  for (std::int64_t id : unattached) {
    const int er = eventLayout.rowForEvent(id);
    if (er >= 0) blocks.push_back({eventLayout.summary.originNs + eventLayout.rows[static_cast<std::size_t>(er)].offsetNs, -1, er});
  }
  std::stable_sort(blocks.begin(), blocks.end(), [](const Block& a, const Block& b) { return a.startNs < b.startNs; });

  // Depth first with an explicit stack: a hostile chain of nested spans must not overflow the call stack.
  std::vector<bool> emitted(spans.size(), false);
  auto emit = [&](int root) {
    std::vector<std::pair<int, int>> stack{{root, -1}};  // span, parent row
    while (!stack.empty()) {
      const auto [si, parentRow] = stack.back();
      stack.pop_back();
      if (emitted[static_cast<std::size_t>(si)]) continue;  // a parent cycle in hostile data: each span once
      emitted[static_cast<std::size_t>(si)] = true;
      TraceRow row = rows[static_cast<std::size_t>(si)].row;
      row.depth = parentRow < 0 ? 0 : out.rows[static_cast<std::size_t>(parentRow)].depth + 1;
      row.parent = parentRow;
      const int me = static_cast<int>(out.rows.size());
      out.rows.push_back(std::move(row));
      const auto& kids = children[static_cast<std::size_t>(si)];
      for (auto it = kids.rbegin(); it != kids.rend(); ++it) stack.emplace_back(*it, me);
    }
  };
  const std::int64_t shift = eventLayout.summary.originNs - origin;
  for (const Block& b : blocks) {
    if (b.span >= 0) {
      emit(b.span);
      continue;
    }
    TraceRow row = eventLayout.rows[static_cast<std::size_t>(b.eventRow)];
    row.offsetNs += shift;
    row.waitOffsetNs += shift;
    if (row.ttftOffsetNs) *row.ttftOffsetNs += shift;
    out.rows.push_back(std::move(row));
  }
  // Spans caught in a parent cycle are not reachable from a root; show them at the top level.
  for (std::size_t i = 0; i < spans.size(); ++i)
    if (!emitted[i]) emit(static_cast<int>(i));
  return out;
}

}  // namespace cctv::ui
