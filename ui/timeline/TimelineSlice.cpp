#include "timeline/TimelineSlice.h"

namespace cctv::ui {

TimelineSlice queryTimelineSlice(query::Reader& reader, const std::string& sessionId, const TimelineRequest& request) {
  TimelineSlice s;
  s.density = reader.sessionDensity(sessionId, request.fromNs, request.bucketNs, request.buckets);
  s.detail = chooseDetailRange(s.density, request.view, kMaxDetailEvents);
  if (s.detail) {
    s.events = reader.sessionEventsBetween(sessionId, s.detail->fromNs, s.detail->toNs, kBarSlackNs);
    s.prompts = reader.promptsBetween(sessionId, s.detail->fromNs, s.detail->toNs);
  }
  return s;
}

}  // namespace cctv::ui
