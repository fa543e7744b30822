#pragma once
// What the query thread runs for one TimelineRequest: the density of the requested range, and when the view
// holds few enough events, the events and prompts of the detail range around it. Shared by the window and
// bench_viewer, so the benchmark measures what the window runs.

#include "query/Data.h"
#include "query/Reader.h"
#include "timeline/TimelinePaging.h"

#include <optional>
#include <string>
#include <vector>

namespace cctv::ui {

struct TimelineSlice {
  data::EventDensity density;
  std::optional<TimeRange> detail;
  std::vector<data::EventItem> events;
  std::vector<data::PromptSummary> prompts;
};

TimelineSlice queryTimelineSlice(query::Reader& reader, const std::string& sessionId, const TimelineRequest& request);

}  // namespace cctv::ui
