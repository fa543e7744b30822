#pragma once
// Shared by the Reader's query files (not part of its interface).

#include <cstdint>
#include <limits>

namespace cctv::query {

// The inclusive upper time bound of a range whose end is 0 when open.
inline std::int64_t rangeEnd(std::int64_t toNs) { return toNs ? toNs : std::numeric_limits<std::int64_t>::max(); }

}  // namespace cctv::query
