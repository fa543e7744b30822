#pragma once
// The drawable content of a session timeline, built from the session's events: prompt spans, API calls, tool
// calls with their permission waits, hooks and every other event as a tick, each in a lane and a sub-row.
// Pure (no widgets), so what the timeline shows is tested without painting.
//
// Lanes and what goes in them:
//   Prompts  one span per prompt id, from its first event (normally user_prompt) to its last
//   API      api_request bars [time - duration_ms, time] coloured by model, with the time-to-first-token
//            mark; api_error bars; api_retries_exhausted / api_refusal markers
//   Tools    tool_result bars [time - duration_ms, time] coloured by success; the tool_decision before it is
//            merged in, and when the user was asked (source user_*) the wait since the prompt's previous
//            event is drawn before the bar; rejected decisions are reject markers; an accepted decision
//            whose result has not arrived yet is a pending tick
//   Hooks    hook_execution_start..hook_execution_complete bars; hook_registered ticks
//   Other    every other event, known or not: a bar when it carries a duration, otherwise a tick
//
// Appending keeps existing items and their indices when the new events come after the ones already seen
// (the live case) and only repacks the lanes whose items moved; anything else rebuilds from scratch.

#include "query/Data.h"
#include "timeline/EventSemantics.h"
#include "timeline/LanePacking.h"

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace cctv::ui {

enum class Lane { Prompts = 0, Api, Tools, Hooks, Other };
inline constexpr int kLaneCount = 5;
const char* laneName(Lane lane);

enum class ItemKind {
  PromptSpan,
  ApiCall,       // api_request
  ApiError,      // api_error (a bar when it has a duration), api_retries_exhausted, api_refusal
  ToolCall,      // tool_result, with its decision merged in
  ToolDecision,  // an accepted decision still waiting for its tool_result
  Reject,        // a rejected tool_decision
  Hook,
  Tick,          // any other event
};

struct TimelineItem {
  std::vector<std::int64_t> eventIds;  // front(): the event a click selects
  Lane lane = Lane::Other;
  int row = 0;
  ItemKind kind = ItemKind::Tick;
  ColorRole role = ColorRole::Neutral;
  int modelSlot = -1;           // ColorRole::Model: modelColorIndex() of the item's model
  std::int64_t startNs = 0;
  std::int64_t endNs = 0;       // == startNs: an instant, drawn as a tick or marker
  std::int64_t waitStartNs = 0;  // permission wait [waitStartNs, waitEndNs) before the bar; empty: none
  std::int64_t waitEndNs = 0;
  std::optional<std::int64_t> markerNs;  // api_request: when the first token arrived
  std::string label;                     // drawn inside the bar, or beside it, when it fits
  std::string shortLabel;                // the fallback when the label does not fit ("356 ms", "Bash")
  std::string tooltip;                   // plain text, several lines

  bool isInstant() const { return endNs <= startNs; }
  bool hasWait() const { return waitEndNs > waitStartNs; }
  // The time range the item occupies on screen, wait included.
  std::int64_t extentStartNs() const { return hasWait() && waitStartNs < startNs ? waitStartNs : startNs; }
  std::int64_t extentEndNs() const { return endNs > startNs ? endNs : startNs; }
};

class TimelineModel {
 public:
  // Replaces everything. The prompt summaries supply labels (prompt text, command name) and the prompts'
  // extents: a span reaches from the prompt's first to its last event even when not all its events are given.
  void setEvents(std::vector<data::EventItem> events, std::vector<data::PromptSummary> prompts = {});
  // Adds events of the same session. Events whose id is already known are ignored. Returns true when the
  // items were rebuilt (indices changed), false when items were only added or updated in place.
  bool append(const std::vector<data::EventItem>& events);
  void setPrompts(std::vector<data::PromptSummary> prompts);
  void clear();

  bool empty() const { return events_.empty(); }
  std::size_t eventCount() const { return events_.size(); }
  const std::vector<TimelineItem>& items() const { return items_; }
  int rowCount(Lane lane) const { return rowCounts_[static_cast<std::size_t>(lane)]; }
  // The time range of all items (bars start before their event's time); 0/0 when empty.
  std::int64_t firstNs() const { return firstNs_; }
  std::int64_t lastNs() const { return lastNs_; }
  // Index into items() of the item that shows this event; -1 when none.
  int itemForEvent(std::int64_t eventId) const;
  // The events in the order they were processed: by time, then sequence, then id.
  const std::vector<data::EventItem>& events() const { return events_; }

 private:
  struct PromptState {
    int item = -1;
    std::int64_t firstNs = 0;
    std::int64_t lastNs = 0;
    std::int64_t lastEventNs = 0;  // the prompt's previous event, where a permission wait begins
    bool seen = false;
    std::int64_t apiCalls = 0, apiErrors = 0, tools = 0, toolFailures = 0, rejections = 0;
    double costUsd = 0;
    data::Tokens tokens;
  };
  struct PendingDecision {
    int item = -1;
    std::string text;  // "accept (user_temporary), after 2.64 s waiting for permission"
  };
  using OrderKey = std::tuple<std::int64_t, std::int64_t, std::int64_t>;

  void rebuild();
  void process(const data::EventItem& e);
  void trackPrompt(const data::EventItem& e, EventKind kind);
  bool mergeToolResult(const data::EventItem& e);
  bool mergeHookComplete(const data::EventItem& e);
  TimelineItem makeItem(const data::EventItem& e, EventKind kind, std::int64_t previousInPrompt);
  int addItem(TimelineItem item);
  void extendRange(std::int64_t startNs, std::int64_t endNs);
  void updatePromptItem(const std::string& promptId);
  void repackLane(Lane lane);
  void finishBatch();
  static OrderKey orderKey(const data::EventItem& e) { return {e.timeNs, e.sequence, e.id}; }

  std::vector<data::EventItem> events_;
  std::unordered_set<std::int64_t> knownIds_;
  std::unordered_map<std::string, data::PromptSummary> promptInfo_;
  std::vector<TimelineItem> items_;
  std::unordered_map<std::int64_t, int> itemByEvent_;
  std::unordered_map<std::string, PromptState> prompts_;
  std::unordered_map<std::string, std::deque<PendingDecision>> pendingDecisions_;  // by prompt+tool
  std::unordered_map<std::string, std::vector<int>> openHooks_;        // prompt+hook → running Hook items
  std::array<LanePacker, kLaneCount> packers_;
  std::array<int, kLaneCount> rowCounts_{};
  std::array<bool, kLaneCount> dirtyLanes_{};
  std::unordered_set<std::string> touchedPrompts_;
  std::optional<OrderKey> lastKey_;
  bool hasRange_ = false;
  std::int64_t firstNs_ = 0;
  std::int64_t lastNs_ = 0;
};

}  // namespace cctv::ui
