#include "timeline/TimelineDensity.h"

#include "timeline/TimeFormat.h"

#include <algorithm>
#include <map>
#include <utility>

namespace cctv::ui {

namespace {

bool isApiErrorKind(EventKind k) {
  return k == EventKind::ApiError || k == EventKind::ApiRetriesExhausted || k == EventKind::ApiRefusal;
}

std::string clockOf(std::int64_t ns) { return timefmt::clock(ns, timefmt::localUtcOffsetSeconds(ns), 0); }

}  // namespace

Lane laneOf(EventKind kind) {
  switch (kind) {
    case EventKind::UserPrompt: return Lane::Prompts;
    case EventKind::ApiRequest:
    case EventKind::ApiError:
    case EventKind::ApiRetriesExhausted:
    case EventKind::ApiRefusal: return Lane::Api;
    case EventKind::ToolDecision:
    case EventKind::ToolResult: return Lane::Tools;
    case EventKind::HookStart:
    case EventKind::HookComplete:
    case EventKind::HookRegistered: return Lane::Hooks;
    case EventKind::AssistantResponse:
    case EventKind::Other: return Lane::Other;
  }
  return Lane::Other;
}

DensityBars densityBars(const data::EventDensity& d) {
  DensityBars out;
  std::vector<EventKind> kinds;
  kinds.reserve(d.names.size());
  for (const auto& n : d.names) kinds.push_back(classifyEvent(n));
  // (lane, bucket) -> bar; cells come by name, bars go by lane and time.
  std::map<std::pair<int, int>, DensityBar> bars;
  for (const auto& c : d.cells) {
    if (c.name < 0 || c.name >= static_cast<int>(kinds.size()) || c.count <= 0) continue;
    const EventKind kind = kinds[static_cast<std::size_t>(c.name)];
    const Lane lane = laneOf(kind);
    DensityBar& b = bars[{static_cast<int>(lane), c.bucket}];
    b.lane = lane;
    b.bucket = c.bucket;
    b.startNs = d.fromNs + d.bucketNs * c.bucket;
    b.endNs = b.startNs + d.bucketNs;
    b.count += c.count;
    b.hasErrors = b.hasErrors || isApiErrorKind(kind);
  }
  out.bars.reserve(bars.size());
  for (auto& [key, bar] : bars) {
    auto& max = out.laneMax[static_cast<std::size_t>(bar.lane)];
    max = std::max(max, bar.count);
    out.bars.push_back(bar);
  }
  return out;
}

std::string densityTooltip(const data::EventDensity& d, const DensityBar& bar) {
  std::vector<std::pair<std::int64_t, std::string>> parts;  // count, name
  for (const auto& c : d.cells) {
    if (c.bucket != bar.bucket || c.name < 0 || c.name >= static_cast<int>(d.names.size())) continue;
    const std::string& name = d.names[static_cast<std::size_t>(c.name)];
    if (laneOf(classifyEvent(name)) == bar.lane) parts.emplace_back(c.count, name.empty() ? "(unnamed)" : name);
  }
  std::sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  std::string out = std::string(laneName(bar.lane)) + " \u00b7 " + timefmt::count(bar.count) +
                    (bar.count == 1 ? " event" : " events") + "\n" + clockOf(bar.startNs) + " \u2192 " +
                    clockOf(bar.endNs) + "  (" + timefmt::duration(bar.endNs - bar.startNs) + ")";
  for (const auto& [n, name] : parts) out += "\n" + timefmt::count(n) + " " + name;
  out += "\nclick to zoom in";
  return out;
}

}  // namespace cctv::ui
