#pragma once
// Text formatting for the Costs and Tools pages: compact money and token counts, durations, percentages, UTC
// day labels and chart axis ticks. Pure functions (no widgets), tested directly, so both pages agree.

#include <QString>
#include <cstdint>
#include <string>

namespace cctv::ui::pagefmt {

// "$1.23", "$0.80"; under ten cents three decimals ("$0.027"), because single requests cost cents.
QString usd(double amount);
// "950", "12.3k", "123k", "1.2M", "3.4B".
QString compactCount(double value);
// "38 ms", "1.2 s", "12 s", "2 min 5 s"; "—" for a negative value (no measurement).
QString duration(double ms);
// "87.4%" from a 0..1 ratio; "—" when the ratio is negative (undefined).
QString percent(double ratio, int decimals = 1);
// "Nov 24" for the UTC day containing timeNs.
QString utcDayLabel(std::int64_t timeNs);
// "1a2b3c4d · Nov 24": the first 8 characters of a session id and the UTC day it started.
QString sessionLabel(const std::string& sessionId, std::int64_t firstNs);

// Axis ticks at "nice" steps (1, 2, 2.5, 5 × 10^n) covering 0..maxValue in targetTicks intervals, or one more.
struct Ticks {
  double max = 1;
  double step = 0.2;
};
Ticks niceTicks(double maxValue, int targetTicks = 5);
// Tick labels precise enough that adjacent ticks never print the same text.
// Every tick of one axis uses the same unit ("0", "250k", "500k", not "750k", "1.00M").
QString usdTick(double value, const Ticks& ticks);
QString countTick(double value, const Ticks& ticks);

}  // namespace cctv::ui::pagefmt
