#include "timeline/EventSemantics.h"

#include <algorithm>

namespace cctv::ui {

namespace {
constexpr std::int64_t kMaxDurationMs = 30LL * 24 * 3600 * 1000;

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}
}  // namespace

EventKind classifyEvent(std::string_view n) {
  if (n == "user_prompt") return EventKind::UserPrompt;
  if (n == "api_request") return EventKind::ApiRequest;
  if (n == "api_error") return EventKind::ApiError;
  if (n == "api_retries_exhausted") return EventKind::ApiRetriesExhausted;
  if (n == "api_refusal") return EventKind::ApiRefusal;
  if (n == "assistant_response") return EventKind::AssistantResponse;
  if (n == "tool_decision") return EventKind::ToolDecision;
  if (n == "tool_result") return EventKind::ToolResult;
  if (n == "hook_execution_start") return EventKind::HookStart;
  if (n == "hook_execution_complete") return EventKind::HookComplete;
  if (n == "hook_registered") return EventKind::HookRegistered;
  return EventKind::Other;
}

std::int64_t eventDurationNs(const data::EventItem& e) {
  if (e.durationMs <= 0) return 0;
  return std::min(e.durationMs, kMaxDurationMs) * kNsPerMs;
}

std::int64_t eventStartNs(const data::EventItem& e) {
  const std::int64_t d = eventDurationNs(e);
  // Guard the subtraction for times near INT64_MIN (only reachable with garbage input).
  return e.timeNs < INT64_MIN + d ? INT64_MIN : e.timeNs - d;
}

bool isUserDecisionSource(std::string_view source) { return source.rfind("user", 0) == 0; }

bool isRejectDecision(const data::EventItem& e) { return e.decision == "reject"; }

int modelColorIndex(std::string_view model) {
  if (contains(model, "opus")) return 0;
  if (contains(model, "sonnet")) return 1;
  if (contains(model, "haiku")) return 2;
  if (model.empty()) return 3;
  // FNV-1a: deterministic across runs and platforms, unlike std::hash.
  std::uint32_t h = 2166136261u;
  for (unsigned char c : model) {
    h ^= c;
    h *= 16777619u;
  }
  return 3 + static_cast<int>(h % static_cast<std::uint32_t>(kModelColorCount - 3));
}

}  // namespace cctv::ui
