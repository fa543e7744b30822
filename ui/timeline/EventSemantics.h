#pragma once
// What Claude Code's event names mean for drawing: which events are bars, where a bar starts, which decisions
// made the user wait, and a stable colour slot per model. Shared by the session timeline and the prompt trace
// so both tell the same story about the same events. Pure: no Qt.

#include "query/Data.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace cctv::ui {

inline constexpr std::int64_t kNsPerUs = 1'000;
inline constexpr std::int64_t kNsPerMs = 1'000'000;
inline constexpr std::int64_t kNsPerSecond = 1'000'000'000;

enum class EventKind {
  UserPrompt,
  ApiRequest,
  ApiError,
  ApiRetriesExhausted,
  ApiRefusal,
  AssistantResponse,
  ToolDecision,
  ToolResult,
  HookStart,
  HookComplete,
  HookRegistered,
  Other,  // every name the app does not know, and known ones that are points in time
};

EventKind classifyEvent(std::string_view eventName);

// What an item is drawn as; the widgets map roles to colours (ItemPalette.h).
enum class ColorRole {
  Prompt,
  Model,          // api_request, coloured by the item's model slot
  ApiError,       // api_error, api_retries_exhausted, api_refusal
  ToolOk,
  ToolFailed,
  ToolUnknown,    // a tool_result without success, or an accepted decision still waiting for its result
  PermissionWait,
  Reject,
  Hook,
  Neutral,        // ticks of other events
};

// The event's duration in ns: 0 when it has none. Clamped to 30 days so that a corrupt duration_ms can
// neither overflow int64 nor stretch the time axis to years.
std::int64_t eventDurationNs(const data::EventItem& e);

// Claude Code logs api_request, api_error and tool_result when they finish, so their bar ends at the
// event's time and starts duration_ms earlier. Events without a duration start and end at their time.
std::int64_t eventStartNs(const data::EventItem& e);

// A tool_decision whose source is user_* ("user_temporary", "user_permanent", "user_reject", ...) means
// Claude Code stopped and asked; the time since the prompt's previous event is the user's permission wait.
bool isUserDecisionSource(std::string_view source);
bool isRejectDecision(const data::EventItem& e);

// A stable colour slot per model, independent of the order models appear in: the families Claude Code
// uses get fixed slots (opus 0, sonnet 1, haiku 2), anything else hashes into the remaining slots.
inline constexpr int kModelColorCount = 6;
int modelColorIndex(std::string_view model);

}  // namespace cctv::ui
