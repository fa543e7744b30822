#include "timeline/LanePacking.h"

#include <algorithm>
#include <numeric>

namespace cctv::ui {

namespace {

// The effective [start, end) of an interval under the rules in the header.
std::int64_t effectiveEnd(const Interval& iv) {
  if (iv.end > iv.start) return iv.end;
  return iv.start == INT64_MAX ? INT64_MAX : iv.start + 1;
}

int lowestFreeRow(std::vector<std::int64_t>& rowEnds, const Interval& iv) {
  const std::int64_t end = effectiveEnd(iv);
  for (std::size_t r = 0; r < rowEnds.size(); ++r) {
    if (rowEnds[r] <= iv.start) {
      rowEnds[r] = end;
      return static_cast<int>(r);
    }
  }
  rowEnds.push_back(end);
  return static_cast<int>(rowEnds.size()) - 1;
}

}  // namespace

LanePacking packLanes(const std::vector<Interval>& intervals) {
  LanePacking out;
  out.rows.assign(intervals.size(), 0);
  std::vector<std::size_t> order(intervals.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const Interval& x = intervals[a];
    const Interval& y = intervals[b];
    if (x.start != y.start) return x.start < y.start;
    return effectiveEnd(x) < effectiveEnd(y);
  });
  std::vector<std::int64_t> rowEnds;
  for (std::size_t i : order) out.rows[i] = lowestFreeRow(rowEnds, intervals[i]);
  out.rowCount = static_cast<int>(rowEnds.size());
  return out;
}

int LanePacker::place(const Interval& iv) {
  lastStart_ = std::max(lastStart_, iv.start);
  return lowestFreeRow(rowEnds_, iv);
}

void LanePacker::reset(const std::vector<Interval>& intervals, const std::vector<int>& rows) {
  clear();
  for (std::size_t i = 0; i < intervals.size() && i < rows.size(); ++i) {
    const auto r = static_cast<std::size_t>(rows[i]);
    if (rowEnds_.size() <= r) rowEnds_.resize(r + 1, INT64_MIN);
    rowEnds_[r] = std::max(rowEnds_[r], effectiveEnd(intervals[i]));
    lastStart_ = std::max(lastStart_, intervals[i].start);
  }
}

void LanePacker::clear() {
  rowEnds_.clear();
  lastStart_ = INT64_MIN;
}

}  // namespace cctv::ui
