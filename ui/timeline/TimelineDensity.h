#pragma once
// The timeline's overview where it has no detail: an EventDensity (events per name and time bucket) turned
// into one histogram bar per lane and bucket, in the lanes the detail would put those events in. Pure.

#include "query/Data.h"
#include "timeline/EventSemantics.h"
#include "timeline/TimelineModel.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace cctv::ui {

// The lane an event of this kind is drawn in (TimelineModel's choice; a user_prompt is its prompt's span).
Lane laneOf(EventKind kind);

struct DensityBar {
  Lane lane = Lane::Other;
  int bucket = 0;
  std::int64_t startNs = 0;
  std::int64_t endNs = 0;  // exclusive
  std::int64_t count = 0;
  bool hasErrors = false;  // api_error, api_retries_exhausted or api_refusal among them
};

struct DensityBars {
  std::vector<DensityBar> bars;                 // by lane, then time
  std::array<std::int64_t, kLaneCount> laneMax{};  // the fullest bucket of each lane, for the bars' heights
};

DensityBars densityBars(const data::EventDensity& d);

// "19:20:00 → 19:25:00 (5 min)\n37 events: 12 api_request, 1 api_error ..." for a bar's tooltip.
std::string densityTooltip(const data::EventDensity& d, const DensityBar& bar);

}  // namespace cctv::ui
