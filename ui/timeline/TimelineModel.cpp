#include "timeline/TimelineModel.h"

#include "timeline/TimeFormat.h"

#include <algorithm>

namespace cctv::ui {

namespace {

std::string shortModel(const std::string& model) {
  return model.rfind("claude-", 0) == 0 ? model.substr(7) : model;
}

std::string shortId(const std::string& id) { return id.size() > 8 ? id.substr(0, 8) : id; }

std::string clockOf(std::int64_t ns) { return timefmt::clock(ns, timefmt::localUtcOffsetSeconds(ns), 3); }

std::string timeRange(std::int64_t start, std::int64_t end) {
  if (end <= start) return clockOf(start);
  return clockOf(start) + " \u2192 " + clockOf(end) + "  (" + timefmt::duration(end - start) + ")";
}

std::string tokensLine(const data::Tokens& t) {
  return "tokens: " + timefmt::count(t.input) + " in \u00b7 " + timefmt::count(t.output) + " out \u00b7 " +
         timefmt::count(t.cacheRead) + " cache read \u00b7 " + timefmt::count(t.cacheCreation) + " cache write";
}

// The lines every tooltip ends with: the event's summary line (when it adds something: API events and
// hooks already show what their summary says), its error and its prompt.
std::string tooltipTail(const data::EventItem& e) {
  std::string out;
  const EventKind kind = classifyEvent(e.name);
  const bool summaryRepeats = kind == EventKind::ApiRequest || kind == EventKind::ApiError ||
                              kind == EventKind::ApiRetriesExhausted || kind == EventKind::HookStart ||
                              kind == EventKind::HookComplete || e.summary == e.name;
  if (!e.summary.empty() && !summaryRepeats) out += "\n" + e.summary;
  if (!e.error.empty()) out += "\nerror: " + e.error;
  if (!e.promptId.empty()) out += "\nprompt " + shortId(e.promptId);
  return out;
}

// Data.h has no hook fields; the query layer puts hook_name into the summary (its detail column). A start and
// its complete carry the same hook name, so they pair up by prompt and name, in order.
std::string hookName(const data::EventItem& e) { return e.toolName.empty() ? e.summary : e.toolName; }

std::string hookKey(const data::EventItem& e) { return e.promptId + '\x1f' + hookName(e); }

std::string decisionKey(const data::EventItem& e) { return e.promptId + '\x1f' + e.toolName; }

ColorRole toolRole(int success) {
  if (success == 1) return ColorRole::ToolOk;
  if (success == 0) return ColorRole::ToolFailed;
  return ColorRole::ToolUnknown;
}

std::string decisionText(const data::EventItem& d) {
  std::string s = d.decision.empty() ? "decision" : d.decision;
  if (!d.source.empty()) s += " (" + d.source + ")";
  return s;
}

}  // namespace

const char* laneName(Lane lane) {
  switch (lane) {
    case Lane::Prompts: return "Prompts";
    case Lane::Api: return "API";
    case Lane::Tools: return "Tools";
    case Lane::Hooks: return "Hooks";
    case Lane::Other: return "Other";
  }
  return "";
}

void TimelineModel::setEvents(std::vector<data::EventItem> events, std::vector<data::PromptSummary> prompts) {
  promptInfo_.clear();
  for (auto& p : prompts) promptInfo_[p.promptId] = std::move(p);
  events_ = std::move(events);
  rebuild();
}

void TimelineModel::setPrompts(std::vector<data::PromptSummary> prompts) {
  promptInfo_.clear();
  for (auto& p : prompts) promptInfo_[p.promptId] = std::move(p);
  for (const auto& [id, state] : prompts_) {
    if (state.item >= 0) updatePromptItem(id);
  }
  repackLane(Lane::Prompts);  // the prompts' own extents may have widened their spans
}

void TimelineModel::clear() {
  events_.clear();
  promptInfo_.clear();
  rebuild();
}

bool TimelineModel::append(const std::vector<data::EventItem>& events) {
  std::vector<data::EventItem> fresh;
  for (const auto& e : events) {
    if (knownIds_.insert(e.id).second) fresh.push_back(e);
  }
  if (fresh.empty()) return false;
  std::stable_sort(fresh.begin(), fresh.end(),
                   [](const data::EventItem& a, const data::EventItem& b) { return orderKey(a) < orderKey(b); });
  const bool inOrder = !lastKey_ || orderKey(fresh.front()) > *lastKey_;
  if (!inOrder) {
    // An older event changes what came after it (waits, decision matching, rows): start over.
    events_.insert(events_.end(), fresh.begin(), fresh.end());
    rebuild();
    return true;
  }
  for (auto& e : fresh) {
    events_.push_back(std::move(e));
    process(events_.back());
  }
  finishBatch();
  return false;
}

int TimelineModel::itemForEvent(std::int64_t eventId) const {
  const auto it = itemByEvent_.find(eventId);
  return it == itemByEvent_.end() ? -1 : it->second;
}

void TimelineModel::rebuild() {
  std::stable_sort(events_.begin(), events_.end(),
                   [](const data::EventItem& a, const data::EventItem& b) { return orderKey(a) < orderKey(b); });
  // Duplicate ids (the same row delivered twice) would draw the same event twice.
  knownIds_.clear();
  std::size_t kept = 0;
  for (std::size_t i = 0; i < events_.size(); ++i) {
    if (!knownIds_.insert(events_[i].id).second) continue;
    if (kept != i) events_[kept] = std::move(events_[i]);
    ++kept;
  }
  events_.resize(kept);
  items_.clear();
  itemByEvent_.clear();
  prompts_.clear();
  pendingDecisions_.clear();
  openHooks_.clear();
  for (auto& p : packers_) p.clear();
  rowCounts_.fill(0);
  dirtyLanes_.fill(false);
  touchedPrompts_.clear();
  lastKey_.reset();
  hasRange_ = false;
  firstNs_ = lastNs_ = 0;
  for (const auto& e : events_) process(e);
  finishBatch();
}

void TimelineModel::extendRange(std::int64_t startNs, std::int64_t endNs) {
  if (!hasRange_) {
    firstNs_ = startNs;
    lastNs_ = endNs;
    hasRange_ = true;
    return;
  }
  firstNs_ = std::min(firstNs_, startNs);
  lastNs_ = std::max(lastNs_, endNs);
}

int TimelineModel::addItem(TimelineItem item) {
  const int index = static_cast<int>(items_.size());
  for (std::int64_t id : item.eventIds) itemByEvent_[id] = index;
  const auto lane = static_cast<std::size_t>(item.lane);
  const Interval iv{item.extentStartNs(), item.extentEndNs()};
  extendRange(iv.start, iv.end);
  if (!dirtyLanes_[lane] && packers_[lane].canPlace(iv)) {
    item.row = packers_[lane].place(iv);
    rowCounts_[lane] = packers_[lane].rowCount();
  } else {
    dirtyLanes_[lane] = true;  // repacked once at the end of the batch
  }
  items_.push_back(std::move(item));
  return index;
}

void TimelineModel::process(const data::EventItem& e) {
  lastKey_ = orderKey(e);
  const EventKind kind = classifyEvent(e.name);
  PromptState& prompt = prompts_[e.promptId];
  // Read before trackPrompt() moves it: a permission wait starts at the prompt's previous event.
  const std::int64_t previousInPrompt = prompt.seen ? prompt.lastEventNs : e.timeNs;
  trackPrompt(e, kind);

  if (kind == EventKind::UserPrompt && !e.promptId.empty()) return;  // drawn as the prompt's span
  if (kind == EventKind::ToolResult && mergeToolResult(e)) return;
  if (kind == EventKind::HookComplete && mergeHookComplete(e)) return;

  const int index = addItem(makeItem(e, kind, previousInPrompt));
  const TimelineItem& item = items_.back();
  if (item.kind == ItemKind::ToolDecision) {
    std::string text = decisionText(e);
    if (item.hasWait()) text += ", after " + timefmt::duration(item.waitEndNs - item.waitStartNs) + " waiting for permission";
    pendingDecisions_[decisionKey(e)].push_back({index, std::move(text)});
  }
  if (kind == EventKind::HookStart) openHooks_[hookKey(e)].push_back(index);
}

void TimelineModel::trackPrompt(const data::EventItem& e, EventKind kind) {
  PromptState& p = prompts_[e.promptId];
  const std::int64_t start = eventStartNs(e);
  if (!p.seen) {
    p.seen = true;
    p.firstNs = start;
    p.lastNs = e.timeNs;
  }
  p.firstNs = std::min(p.firstNs, start);
  p.lastNs = std::max(p.lastNs, e.timeNs);
  p.lastEventNs = e.timeNs;
  switch (kind) {
    case EventKind::ApiRequest:
      ++p.apiCalls;
      p.costUsd += e.costUsd;
      p.tokens.input += e.tokens.input;
      p.tokens.output += e.tokens.output;
      p.tokens.cacheRead += e.tokens.cacheRead;
      p.tokens.cacheCreation += e.tokens.cacheCreation;
      break;
    case EventKind::ApiError:
    case EventKind::ApiRetriesExhausted:
    case EventKind::ApiRefusal: ++p.apiErrors; break;
    case EventKind::ToolResult:
      ++p.tools;
      if (e.success == 0) ++p.toolFailures;
      break;
    case EventKind::ToolDecision:
      if (isRejectDecision(e)) ++p.rejections;
      break;
    default: break;
  }
  if (e.promptId.empty()) return;  // events before the first prompt belong to no span

  if (p.item < 0) {
    TimelineItem span;
    span.lane = Lane::Prompts;
    span.kind = ItemKind::PromptSpan;
    span.role = ColorRole::Prompt;
    span.eventIds = {e.id};
    p.item = static_cast<int>(items_.size());
    items_.push_back(std::move(span));
    itemByEvent_[e.id] = p.item;
  } else if (kind == EventKind::UserPrompt) {
    // A click on the span selects the user_prompt, even when another event of the prompt came first.
    items_[static_cast<std::size_t>(p.item)].eventIds.front() = e.id;
    itemByEvent_[e.id] = p.item;
  }
  extendRange(p.firstNs, p.lastNs);
  dirtyLanes_[static_cast<std::size_t>(Lane::Prompts)] = true;  // few prompts: repacking them is cheap
  touchedPrompts_.insert(e.promptId);
}

bool TimelineModel::mergeToolResult(const data::EventItem& e) {
  auto pending = pendingDecisions_.find(decisionKey(e));
  if (pending == pendingDecisions_.end() || pending->second.empty()) return false;
  // The decision that let this call run becomes part of the bar, keeping its wait.
  const PendingDecision decision = std::move(pending->second.front());
  pending->second.pop_front();
  const auto index = static_cast<std::size_t>(decision.item);
  TimelineItem fresh = makeItem(e, EventKind::ToolResult, e.timeNs);
  TimelineItem& bar = items_[index];
  fresh.eventIds.push_back(bar.eventIds.front());
  fresh.waitStartNs = bar.waitStartNs;
  fresh.waitEndNs = bar.waitEndNs;
  fresh.row = bar.row;
  fresh.tooltip += "\ndecision: " + decision.text;
  bar = std::move(fresh);
  itemByEvent_[e.id] = decision.item;
  extendRange(bar.extentStartNs(), bar.extentEndNs());
  dirtyLanes_[static_cast<std::size_t>(Lane::Tools)] = true;
  return true;
}

bool TimelineModel::mergeHookComplete(const data::EventItem& e) {
  auto open = openHooks_.find(hookKey(e));
  if (open == openHooks_.end() || open->second.empty()) return false;
  const int index = open->second.front();
  open->second.erase(open->second.begin());
  TimelineItem& bar = items_[static_cast<std::size_t>(index)];
  bar.eventIds.push_back(e.id);
  itemByEvent_[e.id] = index;
  bar.endNs = std::max(bar.startNs, e.timeNs);
  bar.tooltip = "hook \u00b7 " + hookName(e) + "\n" + timeRange(bar.startNs, bar.endNs) + tooltipTail(e);
  extendRange(bar.extentStartNs(), bar.extentEndNs());
  dirtyLanes_[static_cast<std::size_t>(Lane::Hooks)] = true;
  return true;
}

TimelineItem TimelineModel::makeItem(const data::EventItem& e, EventKind kind, std::int64_t previousInPrompt) {
  TimelineItem item;
  item.eventIds = {e.id};
  item.startNs = eventStartNs(e);
  item.endNs = e.timeNs;
  const std::int64_t length = item.endNs - item.startNs;
  const std::string tool = e.toolName.empty() ? std::string("tool") : e.toolName;

  switch (kind) {
    case EventKind::ApiRequest:
      item.lane = Lane::Api;
      item.kind = ItemKind::ApiCall;
      item.role = ColorRole::Model;
      item.modelSlot = modelColorIndex(e.model);
      if (e.ttftMs >= 0 && e.ttftMs * kNsPerMs <= length) item.markerNs = item.startNs + e.ttftMs * kNsPerMs;
      item.label = shortModel(e.model.empty() ? std::string("API") : e.model) + " \u00b7 " + timefmt::duration(length);
      item.shortLabel = timefmt::duration(length);
      item.tooltip = "api_request \u00b7 " + (e.model.empty() ? std::string("unknown model") : e.model) + "\n" +
                     timeRange(item.startNs, item.endNs);
      if (item.markerNs) item.tooltip += "\ntime to first token " + timefmt::duration(e.ttftMs * kNsPerMs);
      item.tooltip += "\n" + tokensLine(e.tokens) + "\ncost " + timefmt::usd(e.costUsd);
      break;
    case EventKind::ApiError:
    case EventKind::ApiRetriesExhausted:
    case EventKind::ApiRefusal:
      item.lane = Lane::Api;
      item.kind = ItemKind::ApiError;
      item.role = ColorRole::ApiError;
      item.label = e.statusCode ? std::to_string(e.statusCode) + " " + e.name : e.name;
      item.shortLabel = e.statusCode ? std::to_string(e.statusCode) : std::string();
      item.tooltip = e.name + (e.model.empty() ? "" : " \u00b7 " + e.model) + "\n" + timeRange(item.startNs, item.endNs);
      if (e.statusCode) item.tooltip += "\nstatus " + std::to_string(e.statusCode);
      if (e.attempt) item.tooltip += "\nattempt " + std::to_string(e.attempt);
      break;
    case EventKind::ToolDecision:
      item.lane = Lane::Tools;
      item.startNs = item.endNs = e.timeNs;  // a decision is an instant even if it carried a duration
      if (isUserDecisionSource(e.source) && previousInPrompt < e.timeNs) {
        item.waitStartNs = previousInPrompt;
        item.waitEndNs = e.timeNs;
      }
      item.tooltip = "tool_decision \u00b7 " + tool + "\n" + decisionText(e) + "\n" + clockOf(e.timeNs);
      if (item.hasWait()) {
        item.tooltip += "\nwaited " + timefmt::duration(item.waitEndNs - item.waitStartNs) + " for permission";
      }
      if (isRejectDecision(e)) {
        item.kind = ItemKind::Reject;
        item.role = ColorRole::Reject;
        item.label = tool + " rejected";
      } else {
        item.kind = ItemKind::ToolDecision;
        item.role = ColorRole::ToolUnknown;
        item.label = tool;
        item.tooltip += "\nno tool_result yet";
      }
      break;
    case EventKind::ToolResult:
      item.lane = Lane::Tools;
      item.kind = ItemKind::ToolCall;
      item.role = toolRole(e.success);
      item.label = tool + " \u00b7 " + timefmt::duration(length);
      item.shortLabel = tool;
      item.tooltip = "tool_result \u00b7 " + tool + "\n" + timeRange(item.startNs, item.endNs) + "\n" +
                     (e.success == 1 ? "succeeded" : e.success == 0 ? "failed" : "outcome unknown");
      break;
    case EventKind::HookStart:
    case EventKind::HookComplete:
      item.lane = Lane::Hooks;
      item.kind = ItemKind::Hook;
      item.role = ColorRole::Hook;
      item.label = hookName(e).empty() ? std::string("hook") : hookName(e);
      item.tooltip = std::string(kind == EventKind::HookStart ? "hook started \u00b7 " : "hook \u00b7 ") + item.label +
                     "\n" + timeRange(item.startNs, item.endNs);
      break;
    case EventKind::UserPrompt:  // only without a prompt id: there is no span to live in
    case EventKind::HookRegistered:
    case EventKind::AssistantResponse:
    case EventKind::Other:
      item.lane = kind == EventKind::HookRegistered ? Lane::Hooks : Lane::Other;
      item.kind = ItemKind::Tick;
      item.role = kind == EventKind::HookRegistered ? ColorRole::Hook : ColorRole::Neutral;
      item.label = e.name.empty() ? std::string("(unnamed event)") : e.name;
      item.tooltip = item.label + "\n" + timeRange(item.startNs, item.endNs);
      break;
  }
  item.tooltip += tooltipTail(e);
  return item;
}

void TimelineModel::updatePromptItem(const std::string& promptId) {
  const auto it = prompts_.find(promptId);
  if (it == prompts_.end() || it->second.item < 0) return;
  const PromptState& p = it->second;
  TimelineItem& span = items_[static_cast<std::size_t>(p.item)];
  span.startNs = p.firstNs;
  span.endNs = p.lastNs;
  const auto info = promptInfo_.find(promptId);
  if (info != promptInfo_.end() && info->second.firstNs > 0 && info->second.lastNs >= info->second.firstNs) {
    // Only part of a long session may be loaded: the prompt's own extent keeps its span whole.
    span.startNs = std::min(span.startNs, info->second.firstNs);
    span.endNs = std::max(span.endNs, info->second.lastNs);
    extendRange(span.startNs, span.endNs);
  }

  std::string title;
  if (info != promptInfo_.end() && !info->second.commandName.empty()) {
    title = "/" + info->second.commandName;
  } else if (info != promptInfo_.end() && !info->second.text.empty() && info->second.text != "<REDACTED>") {
    title = info->second.text.substr(0, info->second.text.find('\n'));
    if (title.size() > 120) title = title.substr(0, 117) + "...";
  }
  span.label = title.empty() ? "Prompt " + shortId(promptId) : title;

  std::string stats = std::to_string(p.apiCalls) + (p.apiCalls == 1 ? " API call" : " API calls") + " \u00b7 " +
                      std::to_string(p.tools) + (p.tools == 1 ? " tool" : " tools");
  if (p.apiErrors) stats += " \u00b7 " + std::to_string(p.apiErrors) + (p.apiErrors == 1 ? " API error" : " API errors");
  if (p.toolFailures) stats += " \u00b7 " + std::to_string(p.toolFailures) + " failed";
  if (p.rejections) stats += " \u00b7 " + std::to_string(p.rejections) + " rejected";
  span.tooltip = "Prompt " + promptId + (title.empty() ? "" : "\n" + title) + "\n" + timeRange(p.firstNs, p.lastNs) +
                 "\n" + stats + "\n" + tokensLine(p.tokens) + "\ncost " + timefmt::usd(p.costUsd);
}

void TimelineModel::repackLane(Lane lane) {
  std::vector<int> members;
  std::vector<Interval> intervals;
  for (std::size_t i = 0; i < items_.size(); ++i) {
    if (items_[i].lane != lane) continue;
    members.push_back(static_cast<int>(i));
    intervals.push_back({items_[i].extentStartNs(), items_[i].extentEndNs()});
  }
  const LanePacking packing = packLanes(intervals);
  for (std::size_t k = 0; k < members.size(); ++k) items_[static_cast<std::size_t>(members[k])].row = packing.rows[k];
  const auto l = static_cast<std::size_t>(lane);
  packers_[l].reset(intervals, packing.rows);
  rowCounts_[l] = packing.rowCount;
  dirtyLanes_[l] = false;
}

void TimelineModel::finishBatch() {
  for (const auto& id : touchedPrompts_) updatePromptItem(id);
  touchedPrompts_.clear();
  for (int l = 0; l < kLaneCount; ++l) {
    if (dirtyLanes_[static_cast<std::size_t>(l)]) repackLane(static_cast<Lane>(l));
  }
}

}  // namespace cctv::ui
