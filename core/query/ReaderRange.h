#pragma once
// Shared by the Reader's query files (not part of its interface).

#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

namespace cctv::query {

// The inclusive upper time bound of a range whose end is 0 when open.
inline std::int64_t rangeEnd(std::int64_t toNs) { return toNs ? toNs : std::numeric_limits<std::int64_t>::max(); }

// A time range [fromNs, rangeEnd(toNs)] cut into the whole units of `unitNs` it covers (UTC hours or days: unit
// u holds the times u * unitNs .. (u + 1) * unitNs - 1), which the roll-ups answer, and the raw intervals left
// at its ends, which the rows answer. Units ≤ 0 never count as whole: SQLite's division (like C++'s) puts the
// times of (-unitNs, unitNs) all in unit 0.
struct RangeSplit {
  std::int64_t firstUnit = 1, lastUnit = 0;  // whole units, inclusive; none when firstUnit > lastUnit
  std::vector<std::pair<std::int64_t, std::int64_t>> raw;  // inclusive time intervals
  bool hasUnits() const { return firstUnit <= lastUnit; }
};

inline RangeSplit splitRange(std::int64_t fromNs, std::int64_t toNs, std::int64_t unitNs) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  RangeSplit s;
  const std::int64_t end = rangeEnd(toNs);
  if (end < fromNs) return s;
  const std::int64_t first = fromNs <= unitNs ? 1 : fromNs / unitNs + (fromNs % unitNs != 0 ? 1 : 0);
  // An open end takes the last unit whole: no time lies past it.
  const std::int64_t last = end == kMax ? end / unitNs : (end + 1) / unitNs - 1;
  if (first > last) {
    s.raw.emplace_back(fromNs, end);
    return s;
  }
  s.firstUnit = first;
  s.lastUnit = last;
  if (fromNs < first * unitNs) s.raw.emplace_back(fromNs, first * unitNs - 1);
  if (end != kMax && (last + 1) * unitNs <= end) s.raw.emplace_back((last + 1) * unitNs, end);
  return s;
}

}  // namespace cctv::query
