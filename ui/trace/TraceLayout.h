#pragma once
// The layout of one prompt's trace (a waterfall): one row per event in sequence order, each with its start
// offset and duration relative to the prompt's start, the API call's time to first token, and the permission
// wait before a tool ran when the user was asked. Pure (no widgets), so the numbers are tested directly.
//
// Offsets are relative to originNs, the earliest instant the prompt covers: its first event, or an earlier
// bar start (an api_request logged first whose call began before it). Offsets are therefore never negative.
//
// Events alone give a flat list (depth 0, parent -1). With Claude Code's enhanced tracing the rows are spans
// nested under their parents (SpanTraceLayout.h), each carrying the log events that belong to it as marks.

#include "query/Data.h"
#include "timeline/EventSemantics.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cctv::ui {

// A point on a row's bar: a log event that belongs to the span (clickable), or a span event such as an
// API attempt (eventId 0).
struct TraceMark {
  std::int64_t offsetNs = 0;  // relative to TraceSummary::originNs
  std::int64_t eventId = 0;   // 0: not a stored log event
  std::string label;          // one line, for the tooltip
  bool error = false;
};

struct TraceRow {
  std::int64_t eventId = 0;  // the log event the row stands for (for a span: its main event), 0 when none
  std::int64_t spanRef = 0;  // span rows: the stored span's id (data::SpanItem::id); 0 for event rows
  std::string name;     // event name, e.g. "api_request"
  std::string summary;  // one line: the event's summary
  EventKind kind = EventKind::Other;
  ColorRole role = ColorRole::Neutral;
  int modelSlot = -1;
  bool error = false;   // drawn red: API errors, failed tools
  std::int64_t timeNs = 0;      // the event's own timestamp (when it was logged)
  std::int64_t offsetNs = 0;    // where its bar starts, relative to TraceSummary::originNs
  std::int64_t durationNs = 0;  // 0: an instant, drawn as a diamond
  std::optional<std::int64_t> ttftOffsetNs;  // api_request: first token, relative to originNs
  std::int64_t waitOffsetNs = 0;  // permission wait [waitOffsetNs, waitOffsetNs + waitNs) before the bar
  std::int64_t waitNs = 0;        // 0: none
  int depth = 0;     // nesting level, for indenting the label
  int parent = -1;   // index of the parent row; -1 at top level
  bool hatched = false;  // drawn as waiting (a permission wait span), not as work
  std::vector<TraceMark> marks;
  std::string tooltip;

  std::int64_t endOffsetNs() const { return offsetNs + durationNs; }
  bool hasWait() const { return waitNs > 0; }
};

struct TraceSummary {
  std::string promptId;
  std::string promptText;  // the user_prompt's summary (its text, when Claude Code logged it)
  std::int64_t originNs = 0;
  std::int64_t endNs = 0;
  std::int64_t apiCalls = 0;
  std::int64_t apiErrors = 0;
  std::int64_t tools = 0;
  std::int64_t toolFailures = 0;
  std::int64_t rejections = 0;
  std::int64_t apiTimeNs = 0;         // summed api_request durations
  std::int64_t permissionWaitNs = 0;  // summed waits for the user
  data::Tokens tokens;
  double costUsd = 0;
  std::int64_t spans = 0;  // > 0: the rows are spans (a nested waterfall)

  std::int64_t totalNs() const { return endNs - originNs; }
};

struct TraceLayout {
  std::vector<TraceRow> rows;
  TraceSummary summary;

  bool empty() const { return rows.empty(); }
  int rowForEvent(std::int64_t eventId) const;  // -1: none; a span row's marks count as its events
  int rowForSpan(std::int64_t spanRef) const;    // -1: none
};

// The events are normally those of one prompt; any list works (the prompt id shown is the first one seen).
TraceLayout buildTraceLayout(std::vector<data::EventItem> events);

}  // namespace cctv::ui
