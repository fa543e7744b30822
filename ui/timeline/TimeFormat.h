#pragma once
// Text for times, durations, money and counts as the timeline and the trace print them. Pure functions of
// their arguments (the local UTC offset is passed in), so labels are testable in any time zone.

#include <cstdint>
#include <string>

namespace cctv::ui::timefmt {

// The local time zone's UTC offset in seconds at the given instant (from QDateTime, so DST is right).
int localUtcOffsetSeconds(std::int64_t timeNs);

// Wall clock "19:17:24", with `decimals` fractional-second digits (0..6): "19:17:24.547".
std::string clock(std::int64_t timeNs, int utcOffsetSeconds, int decimals);
// "19:17" (hours and minutes only).
std::string clockMinutes(std::int64_t timeNs, int utcOffsetSeconds);
// "Nov 24" and "2026-11-24" for the local day containing timeNs.
std::string shortDate(std::int64_t timeNs, int utcOffsetSeconds);
std::string isoDate(std::int64_t timeNs, int utcOffsetSeconds);

// A duration for tooltips and bar labels: "850 µs", "38 ms", "1.25 s", "12.3 s", "2 min 5 s", "1 h 3 min",
// "2 d 4 h". Negative durations print as "0 ms".
std::string duration(std::int64_t ns);
// An offset from a reference time for a ruler whose ticks are `stepNs` apart: "+0", "+250 ms", "+1.5 s",
// "+2 min", "+1 h 30 min". The precision follows the step so neighbouring ticks never print the same text.
std::string offset(std::int64_t ns, std::int64_t stepNs);

// "$0.0270" below one dollar (requests cost cents), "$12.34" above.
std::string usd(double amount);
// "1,949".
std::string count(std::int64_t n);

// Digits after the decimal point needed to tell values `stepNs` apart when printed in units of `unitNs`
// (a 100 ms step in seconds needs 1, a 250 ms step 2, a 2 s step 0). At most 6.
int decimalsForStep(std::int64_t stepNs, std::int64_t unitNs);

// Floor division for int64 (C++ division truncates toward zero, which misaligns negative times).
std::int64_t floorDiv(std::int64_t a, std::int64_t b);

}  // namespace cctv::ui::timefmt
