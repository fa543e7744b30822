#pragma once
// The per-prompt waterfall from Claude Code's spans (enhanced tracing): claude_code.interaction at the root,
// llm_request and tool under it, tool.blocked_on_user (the permission wait) and tool.execution under the tool,
// and a subagent's requests under its tool.execution. Each span is one row, indented under its parent,
// children in start order. Pure (no widgets), so the numbers are tested directly.
//
// The prompt's log events are attached to the span they belong to and drawn as marks on its bar:
//   1. a record whose spanId names a span other than a trace root (tool_decision → tool.blocked_on_user);
//   2. api_request / api_error → the llm_request span with the same request_id;
//   3. tool_decision / tool_result → the tool span with the same tool_use_id;
//   4. a record whose spanId names a root (most records name the interaction span) → that span;
//   5. a record of the same trace without a span id → the trace's root.
// Events that belong to no span (logged without tracing, or before the trace began) stay visible as rows of
// their own, placed in time among the top-level spans. A span whose parent has not arrived (yet) is shown at
// the top level; when the parent is exported later, the next layout nests it.
//
// Totals (cost, tokens, counts) come from the events when there are any (the log records carry cost, spans
// do not), and from the spans otherwise.

#include "query/Data.h"
#include "trace/TraceLayout.h"

#include <string>
#include <vector>

namespace cctv::ui {

TraceLayout buildSpanTraceLayout(std::vector<data::SpanItem> spans, std::vector<data::EventItem> events);

// "claude_code.llm_request" → "llm_request"; other names unchanged.
std::string shortSpanName(const std::string& name);

}  // namespace cctv::ui
