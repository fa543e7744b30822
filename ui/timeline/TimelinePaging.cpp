#include "timeline/TimelinePaging.h"

#include "timeline/EventSemantics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace cctv::ui {

namespace {

std::int64_t cellKey(int name, std::int64_t bucket) { return (static_cast<std::int64_t>(name) << 32) | bucket; }

constexpr std::int64_t kOpenEnd = std::numeric_limits<std::int64_t>::max();
// More buckets than this (a very wide widget, or a margin far beyond the session) widen the buckets instead.
constexpr int kMaxBuckets = 16384;

}  // namespace

std::int64_t densityCount(const data::EventDensity& d, std::int64_t fromNs, std::int64_t toNs) {
  if (d.buckets <= 0 || toNs < fromNs) return 0;
  // Buckets meeting [fromNs, toNs]; times outside the density's range meet no bucket.
  const auto bucketOf = [&d](std::int64_t t) {
    if (t < d.fromNs) return std::int64_t{-1};
    return std::min<std::int64_t>((t - d.fromNs) / d.bucketNs, d.buckets);
  };
  const std::int64_t first = std::max<std::int64_t>(0, bucketOf(fromNs));
  const std::int64_t last = std::min<std::int64_t>(d.buckets - 1, bucketOf(toNs));
  std::int64_t n = 0;
  for (const auto& c : d.cells)
    if (c.bucket >= first && c.bucket <= last) n += c.count;
  return n;
}

std::optional<TimeRange> chooseDetailRange(const data::EventDensity& d, const TimeRange& view, std::int64_t limit) {
  if (densityCount(d, view.fromNs, view.toNs) > limit) return std::nullopt;
  const std::int64_t span = std::max<std::int64_t>(1, view.toNs - view.fromNs);
  // The widest margin (in eighths of the view, each side) that stays within the limit.
  for (int eighths = 8; eighths > 0; --eighths) {
    const std::int64_t m = span * eighths / 8;
    const TimeRange r{view.fromNs - m, view.toNs + m};
    if (densityCount(d, r.fromNs, r.toNs) <= limit) return r;
  }
  return view;
}

void TimelinePager::reset(std::int64_t firstNs, std::int64_t lastNs) {
  *this = TimelinePager();
  hasEvents_ = true;
  firstNs_ = firstNs;
  lastNs_ = std::max(firstNs, lastNs);
}

void TimelinePager::addLive(const std::vector<data::EventItem>& events) {
  for (const auto& e : events) {
    if (!hasEvents_) {
      hasEvents_ = true;
      firstNs_ = lastNs_ = e.timeNs;
    }
    firstNs_ = std::min(firstNs_, e.timeNs);
    if (!hasDensity_ || !densityOpen_ || e.id <= density_.lastEventId || e.timeNs < density_.fromNs) continue;
    // The density reached the session's end: it grows by whole buckets to take what comes after.
    const std::int64_t bucket = (e.timeNs - density_.fromNs) / density_.bucketNs;
    if (bucket >= density_.buckets) density_.buckets = static_cast<int>(std::min<std::int64_t>(bucket + 1, INT32_MAX));
    if (bucket >= density_.buckets) continue;
    auto name = std::find(density_.names.begin(), density_.names.end(), e.name);
    const int index = static_cast<int>(name - density_.names.begin());
    if (name == density_.names.end()) density_.names.push_back(e.name);
    if (cellIndex_.empty()) {
      for (std::size_t i = 0; i < density_.cells.size(); ++i)
        cellIndex_.emplace(cellKey(density_.cells[i].name, density_.cells[i].bucket), i);
    }
    const auto [cell, added] = cellIndex_.emplace(cellKey(index, bucket), density_.cells.size());
    if (added) density_.cells.push_back({index, static_cast<int>(bucket), 1});
    else ++density_.cells[cell->second].count;
  }
  for (const auto& e : events) {
    lastNs_ = std::max(lastNs_, e.timeNs);
    if (hasDensity_ && densityOpen_) density_.lastEventId = std::max(density_.lastEventId, e.id);
  }
}

bool TimelinePager::detailTakes(const data::EventItem& e) const {
  if (!detail_) return false;
  return e.timeNs >= detail_->fromNs && (detailOpen_ || eventStartNs(e) <= detail_->toNs);
}

std::optional<TimeRange> TimelinePager::detail() const {
  if (!detail_) return std::nullopt;
  return TimeRange{detail_->fromNs, detailOpen_ ? kOpenEnd : detail_->toNs};
}

TimeRange TimelinePager::densityRange() const {
  return {densityRequest_.fromNs, densityOpen_ ? kOpenEnd : densityRequest_.toNs() - 1};
}

std::optional<TimelineRequest> TimelinePager::need(const TimeRange& view, double widthPixels) {
  if (!hasEvents_) return std::nullopt;  // nothing to load until the first event arrives
  const std::int64_t span = std::max<std::int64_t>(1, view.toNs - view.fromNs);
  const double nsPerPixel = static_cast<double>(span) / std::max(1.0, widthPixels);
  const auto fineEnough = [nsPerPixel](const TimelineRequest& r) { return r.bucketNs <= 2 * nsPerPixel + 1; };

  bool served = false;
  if (pending_) {
    // Asked already for a range around a view that covers this one: its answer will serve.
    served = TimeRange{pending_->fromNs, pending_->toNs() - 1}.contains(view) && pending_->view.contains(view) &&
             fineEnough(*pending_);
  } else if (hasDensity_ && densityRange().contains(view) && fineEnough(densityRequest_)) {
    const auto d = detail();
    served = (d && d->contains(view)) || densityCount(density_, view.fromNs, view.toNs) > kMaxDetailEvents;
  }
  if (served) return std::nullopt;

  TimelineRequest r;
  r.view = view;
  // One view width either side (so a pan of less than that needs no query), but no further past the
  // session's events than the view itself goes.
  const std::int64_t from = std::max(view.fromNs - span, std::min(view.fromNs, firstNs_));
  const std::int64_t to = std::min(view.toNs + span, std::max(view.toNs, lastNs_ + 1));
  r.fromNs = from;
  r.bucketNs = std::max<std::int64_t>(1, static_cast<std::int64_t>(nsPerPixel));
  const std::int64_t range = std::max<std::int64_t>(1, to - from + 1);
  if (range / r.bucketNs >= kMaxBuckets) r.bucketNs = range / kMaxBuckets + 1;
  r.buckets = static_cast<int>((range + r.bucketNs - 1) / r.bucketNs);
  pending_ = r;
  return r;
}

void TimelinePager::loaded(const TimelineRequest& r, data::EventDensity density, std::optional<TimeRange> detail) {
  if (pending_ && pending_->fromNs == r.fromNs && pending_->bucketNs == r.bucketNs && pending_->view == r.view)
    pending_.reset();
  hasDensity_ = true;
  densityRequest_ = r;
  density_ = std::move(density);
  cellIndex_.clear();
  // Reached the session's end as it was when asked: live events from here on belong to it.
  densityOpen_ = r.toNs() > lastNs_;
  detail_ = detail;
  detailOpen_ = detail && detail->toNs >= lastNs_;
}

}  // namespace cctv::ui
