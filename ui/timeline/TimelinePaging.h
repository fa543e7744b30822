#pragma once
// What the timeline loads, and when. A session can hold 70,000 events over days; loading and laying out all
// of them to show a few hundred pixels took seconds. Instead the timeline holds two things:
//   - a density: the session's events counted per event name and time bucket (about a pixel per bucket) over
//     the visible window plus one window width either side, drawn as per-lane histograms where there is
//     no detail, and used to know how many events a range holds before asking for them;
//   - the detail: every event of a range around the window (the view plus as much margin as fits), when that
//     range holds at most kMaxDetailEvents events, built into a TimelineModel as before.
// After a zoom or a pan the pager says whether what is loaded (or already asked for) still serves the view,
// and if not, what to ask for. The query runs in the background; a newer request supersedes an older one.
// Pure: no widgets, no SQL; tested in tst_timeline.

#include "query/Data.h"

#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

namespace cctv::ui {

// Above this many events in a range, the range is drawn from its density instead of event by event.
inline constexpr std::int64_t kMaxDetailEvents = 3000;
// Claude Code logs api_request and tool_result when they end, so a bar reaches back duration_ms before its
// event's time. Detail for [from, to] also loads the events up to this much after `to` whose bars reach into it.
inline constexpr std::int64_t kBarSlackNs = 10LL * 60 * 1'000'000'000;

struct TimeRange {
  std::int64_t fromNs = 0;
  std::int64_t toNs = 0;  // inclusive
  bool contains(const TimeRange& r) const { return fromNs <= r.fromNs && r.toNs <= toNs; }
  bool operator==(const TimeRange& o) const { return fromNs == o.fromNs && toNs == o.toNs; }
};

// What to ask the query thread for: the density of [fromNs, fromNs + buckets * bucketNs) and, when it allows,
// the detail around `view`.
struct TimelineRequest {
  std::int64_t fromNs = 0;
  std::int64_t bucketNs = 1;
  int buckets = 0;
  TimeRange view;
  std::int64_t toNs() const { return fromNs + bucketNs * buckets; }
};

// Events the density counts in the buckets that meet [fromNs, toNs] (whole buckets: an upper bound).
std::int64_t densityCount(const data::EventDensity& d, std::int64_t fromNs, std::int64_t toNs);

// The range to load in full for a view: the view plus up to one view width on each side (shrunk evenly until
// at most `limit` events fall in it). nullopt when the view alone holds more than `limit`.
std::optional<TimeRange> chooseDetailRange(const data::EventDensity& d, const TimeRange& view, std::int64_t limit);

class TimelinePager {
 public:
  // A new session whose events lie in [firstNs, lastNs]; forgets everything loaded or asked for. (A
  // default-constructed pager is a session without events yet: the first addLive() gives it its extent.)
  void reset(std::int64_t firstNs, std::int64_t lastNs);
  bool hasEvents() const { return hasEvents_; }
  // Live events of the session. The session's extent grows; the density counts them when it reached the
  // session's end (and had not counted them yet); detail that reached the end stays complete when the caller
  // adds them to its events too (detailTakes() says which), so following a live session needs no new query.
  void addLive(const std::vector<data::EventItem>& events);
  bool detailTakes(const data::EventItem& e) const;

  // A request when the loaded (or requested) density and detail do not serve this view, else nullopt:
  // the view leaves the density's range, its buckets have become wider than two pixels, or the view could
  // have detail (the density says it holds at most kMaxDetailEvents) and the detail does not cover it.
  std::optional<TimelineRequest> need(const TimeRange& view, double widthPixels);
  // The answer to `r` arrived, with detail for `detail` (nullopt: none, too many events).
  void loaded(const TimelineRequest& r, data::EventDensity density, std::optional<TimeRange> detail);
  // A request that was dropped or failed: ask again next time.
  void forgetPending() { pending_.reset(); }

  bool hasDensity() const { return hasDensity_; }
  const data::EventDensity& density() const { return density_; }
  // The range whose every event is loaded (open-ended when it reached the session's end), nullopt: none.
  std::optional<TimeRange> detail() const;
  std::int64_t firstNs() const { return firstNs_; }
  std::int64_t lastNs() const { return lastNs_; }

 private:
  TimeRange densityRange() const;  // open-ended at the top when it reached the session's end

  bool hasEvents_ = false;
  std::int64_t firstNs_ = 0;
  std::int64_t lastNs_ = 0;
  bool hasDensity_ = false;
  TimelineRequest densityRequest_;
  bool densityOpen_ = false;  // reached the session's end: live events extend it
  data::EventDensity density_;
  std::unordered_map<std::int64_t, std::size_t> cellIndex_;  // (name, bucket) -> cell, for live events
  std::optional<TimeRange> detail_;
  bool detailOpen_ = false;
  std::optional<TimelineRequest> pending_;
};

}  // namespace cctv::ui
