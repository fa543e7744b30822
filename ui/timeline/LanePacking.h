#pragma once
// Assigns intervals to rows so that no two intervals in a row overlap: the sub-rows of a timeline lane.
// Pure and deterministic. Greedy in order of (start, end, input index): each interval takes the lowest row
// whose previous interval ended at or before its start. That order is optimal (uses as few rows as there are
// intervals overlapping at the busiest instant) and stable (equal input gives equal rows).
//
// Intervals are half-open, [start, end): touching intervals ([a, b) and [b, c)) share a row. A zero-length
// interval counts as [t, t + 1 ns) so that two instants at the same time still get different rows.

#include <cstdint>
#include <vector>

namespace cctv::ui {

struct Interval {
  std::int64_t start = 0;
  std::int64_t end = 0;  // end < start is treated as end == start
};

struct LanePacking {
  std::vector<int> rows;  // one per input interval, 0-based
  int rowCount = 0;
};

LanePacking packLanes(const std::vector<Interval>& intervals);

// The same greedy rule for intervals that arrive one at a time in order of start (live sessions), so appending
// does not repack the whole lane. Rows never overlap; they equal packLanes' rows when arrivals are sorted by
// (start, end). An interval that starts before one already placed cannot be placed greedily (canPlace() is
// false): the caller then repacks the lane with packLanes and hands the result to reset().
class LanePacker {
 public:
  bool canPlace(const Interval& iv) const { return rowEnds_.empty() || iv.start >= lastStart_; }
  // Returns the row; requires canPlace(iv).
  int place(const Interval& iv);
  int rowCount() const { return static_cast<int>(rowEnds_.size()); }
  // Continues after a packLanes() result for these intervals.
  void reset(const std::vector<Interval>& intervals, const std::vector<int>& rows);
  void clear();

 private:
  std::vector<std::int64_t> rowEnds_;
  std::int64_t lastStart_ = INT64_MIN;
};

}  // namespace cctv::ui
