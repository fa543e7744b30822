#include "trace/TraceLayout.h"

#include "timeline/TimeFormat.h"

#include <algorithm>
#include <deque>
#include <tuple>
#include <unordered_map>
#include <utility>

namespace cctv::ui {

namespace {

ColorRole roleFor(const data::EventItem& e, EventKind kind) {
  switch (kind) {
    case EventKind::UserPrompt: return ColorRole::Prompt;
    case EventKind::ApiRequest: return ColorRole::Model;
    case EventKind::ApiError:
    case EventKind::ApiRetriesExhausted:
    case EventKind::ApiRefusal: return ColorRole::ApiError;
    case EventKind::ToolDecision: return isRejectDecision(e) ? ColorRole::Reject : ColorRole::ToolOk;
    case EventKind::ToolResult:
      return e.success == 1 ? ColorRole::ToolOk : e.success == 0 ? ColorRole::ToolFailed : ColorRole::ToolUnknown;
    case EventKind::HookStart:
    case EventKind::HookComplete:
    case EventKind::HookRegistered: return ColorRole::Hook;
    case EventKind::AssistantResponse:
    case EventKind::Other: return ColorRole::Neutral;
  }
  return ColorRole::Neutral;
}

std::string relative(std::int64_t offsetNs) { return timefmt::offset(offsetNs, kNsPerMs); }

std::string rowTooltip(const data::EventItem& e, const TraceRow& r) {
  std::string t = e.name;
  if (!e.toolName.empty()) t += " \u00b7 " + e.toolName;
  if (!e.model.empty()) t += " \u00b7 " + e.model;
  t += "\n";
  if (r.durationNs > 0) {
    t += relative(r.offsetNs) + " \u2192 " + relative(r.endOffsetNs()) + "  (" + timefmt::duration(r.durationNs) + ")";
  } else {
    t += "at " + relative(r.offsetNs);
  }
  if (r.ttftOffsetNs) t += "\ntime to first token " + timefmt::duration(*r.ttftOffsetNs - r.offsetNs);
  if (r.hasWait()) t += "\nwaited " + timefmt::duration(r.waitNs) + " for permission";
  if (r.kind == EventKind::ToolDecision) t += "\n" + e.decision + (e.source.empty() ? "" : " (" + e.source + ")");
  if (r.kind == EventKind::ApiRequest) {
    t += "\ntokens: " + timefmt::count(e.tokens.input) + " in \u00b7 " + timefmt::count(e.tokens.output) + " out \u00b7 " +
         timefmt::count(e.tokens.cacheRead) + " cache read \u00b7 " + timefmt::count(e.tokens.cacheCreation) +
         " cache write\ncost " + timefmt::usd(e.costUsd);
  }
  if (e.statusCode) t += "\nstatus " + std::to_string(e.statusCode);
  if (!e.error.empty()) t += "\nerror: " + e.error;
  if (!e.summary.empty() && e.summary != e.name) t += "\n" + e.summary;
  return t;
}

}  // namespace

int TraceLayout::rowForEvent(std::int64_t eventId) const {
  if (eventId <= 0) return -1;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].eventId == eventId) return static_cast<int>(i);
  }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    for (const TraceMark& m : rows[i].marks)
      if (m.eventId == eventId) return static_cast<int>(i);
  }
  return -1;
}

int TraceLayout::rowForSpan(std::int64_t spanRef) const {
  if (spanRef <= 0) return -1;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].spanRef == spanRef) return static_cast<int>(i);
  }
  return -1;
}

TraceLayout buildTraceLayout(std::vector<data::EventItem> events) {
  TraceLayout out;
  if (events.empty()) return out;
  // event.sequence is Claude Code's reliable order (timestamps are whole milliseconds); without it, time.
  const bool haveSequence =
      std::all_of(events.begin(), events.end(), [](const data::EventItem& e) { return e.sequence >= 0; });
  std::stable_sort(events.begin(), events.end(), [haveSequence](const data::EventItem& a, const data::EventItem& b) {
    if (haveSequence && a.sequence != b.sequence) return a.sequence < b.sequence;
    if (a.timeNs != b.timeNs) return a.timeNs < b.timeNs;
    return a.id < b.id;
  });

  TraceSummary& s = out.summary;
  s.originNs = events.front().timeNs;
  s.endNs = events.front().timeNs;
  for (const auto& e : events) {
    s.originNs = std::min(s.originNs, eventStartNs(e));
    s.endNs = std::max(s.endNs, e.timeNs);
    if (s.promptId.empty()) s.promptId = e.promptId;
    if (s.promptText.empty() && classifyEvent(e.name) == EventKind::UserPrompt && e.summary != e.name) {
      s.promptText = e.summary;
    }
  }

  // Accepted decisions waiting for their tool_result, by tool name: row index and the wait it carries.
  std::unordered_map<std::string, std::deque<std::pair<std::int64_t, std::int64_t>>> pending;
  out.rows.reserve(events.size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    const data::EventItem& e = events[i];
    TraceRow r;
    r.eventId = e.id;
    r.name = e.name;
    r.summary = e.summary;
    r.kind = classifyEvent(e.name);
    r.role = roleFor(e, r.kind);
    r.timeNs = e.timeNs;
    r.offsetNs = eventStartNs(e) - s.originNs;
    r.durationNs = r.kind == EventKind::ToolDecision ? 0 : eventDurationNs(e);
    if (r.kind == EventKind::ToolDecision) r.offsetNs = e.timeNs - s.originNs;

    switch (r.kind) {
      case EventKind::ApiRequest:
        r.modelSlot = modelColorIndex(e.model);
        if (e.ttftMs >= 0 && e.ttftMs * kNsPerMs <= r.durationNs) r.ttftOffsetNs = r.offsetNs + e.ttftMs * kNsPerMs;
        ++s.apiCalls;
        s.apiTimeNs += r.durationNs;
        s.costUsd += e.costUsd;
        s.tokens.input += e.tokens.input;
        s.tokens.output += e.tokens.output;
        s.tokens.cacheRead += e.tokens.cacheRead;
        s.tokens.cacheCreation += e.tokens.cacheCreation;
        break;
      case EventKind::ApiError:
      case EventKind::ApiRetriesExhausted:
      case EventKind::ApiRefusal:
        r.error = true;
        ++s.apiErrors;
        break;
      case EventKind::ToolDecision: {
        // The user was asked: the wait runs from the previous event (the model proposing the call) to here.
        std::int64_t waitStart = 0, wait = 0;
        if (isUserDecisionSource(e.source) && i > 0 && events[i - 1].timeNs < e.timeNs) {
          waitStart = events[i - 1].timeNs - s.originNs;
          wait = e.timeNs - events[i - 1].timeNs;
          s.permissionWaitNs += wait;
        }
        if (isRejectDecision(e)) {
          ++s.rejections;
          r.waitOffsetNs = waitStart;  // no tool_result follows: the decision row shows the wait itself
          r.waitNs = wait;
        } else {
          pending[e.toolName].emplace_back(waitStart, wait);
        }
        break;
      }
      case EventKind::ToolResult: {
        ++s.tools;
        if (e.success == 0) {
          ++s.toolFailures;
          r.error = true;
        }
        auto it = pending.find(e.toolName);
        if (it != pending.end() && !it->second.empty()) {
          std::tie(r.waitOffsetNs, r.waitNs) = it->second.front();
          it->second.pop_front();
        }
        break;
      }
      default: break;
    }
    r.tooltip = rowTooltip(e, r);
    out.rows.push_back(std::move(r));
  }
  return out;
}

}  // namespace cctv::ui
