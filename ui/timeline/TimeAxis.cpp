#include "timeline/TimeAxis.h"

#include "timeline/EventSemantics.h"
#include "timeline/TimeFormat.h"

#include <algorithm>
#include <cmath>

namespace cctv::ui {

namespace {

constexpr std::int64_t kNsPerMinute = 60 * kNsPerSecond;
constexpr std::int64_t kNsPerHour = 60 * kNsPerMinute;
constexpr std::int64_t kNsPerDay = 24 * kNsPerHour;

std::int64_t satAdd(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) return b > 0 ? INT64_MAX : INT64_MIN;
  return r;
}

std::int64_t satSub(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_sub_overflow(a, b, &r)) return b < 0 ? INT64_MAX : INT64_MIN;
  return r;
}

// llround of a double that may be outside the int64 range (or NaN).
std::int64_t toNs(double v) {
  if (!(v == v)) return 0;
  if (v >= 9.2e18) return INT64_MAX;
  if (v <= -9.2e18) return INT64_MIN;
  return std::llround(v);
}

// The tick ladder below one second: 1/2/5 × 10^k µs.
std::int64_t subSecondStep(std::int64_t raw) {
  for (std::int64_t decade = kNsPerUs; decade < kNsPerSecond; decade *= 10) {
    for (std::int64_t m : {1, 2, 5}) {
      if (m * decade >= raw) return m * decade;
    }
  }
  return kNsPerSecond;
}

// The next coarser unit for a step: ticks on it are drawn as major.
std::int64_t majorUnit(std::int64_t step) {
  if (step < kNsPerSecond) return kNsPerSecond;
  if (step < kNsPerMinute) return kNsPerMinute;
  if (step < kNsPerHour) return kNsPerHour;
  if (step < kNsPerDay) return kNsPerDay;
  return 7 * kNsPerDay;
}

}  // namespace

TimeAxis::TimeAxis() = default;

void TimeAxis::setWidth(double pixels) { width_ = (pixels >= 1 && std::isfinite(pixels)) ? pixels : 1; }

std::int64_t TimeAxis::fitMarginNs(std::int64_t extentNs) {
  return std::max<std::int64_t>(extentNs / 25, 250 * kNsPerMs);
}

std::int64_t TimeAxis::maxSpanNs() const {
  if (!hasExtent_) return kMaxSpanWithoutDataNs;
  const std::int64_t extent = extentLast_ - extentFirst_;
  return std::max(kMinSpanNs, satAdd(extent, 2 * fitMarginNs(extent)));
}

void TimeAxis::setDataExtent(std::int64_t firstNs, std::int64_t lastNs) {
  if (lastNs < firstNs) std::swap(firstNs, lastNs);
  // An extent wider than ~100 years is corrupt data; keep the maths in range by trimming the start.
  constexpr std::int64_t kMaxExtent = 100LL * 366 * kNsPerDay;
  if (satSub(lastNs, firstNs) > kMaxExtent) firstNs = lastNs - kMaxExtent;
  hasExtent_ = true;
  extentFirst_ = firstNs;
  extentLast_ = lastNs;
  applyWindow(satAdd(start_, span_ / 2), span_);
}

void TimeAxis::clearDataExtent() { hasExtent_ = false; }

void TimeAxis::applyWindow(std::int64_t centreNs, std::int64_t spanNs) {
  span_ = std::clamp(spanNs, kMinSpanNs, maxSpanNs());
  if (hasExtent_) centreNs = std::clamp(centreNs, extentFirst_, extentLast_);
  start_ = satSub(centreNs, span_ / 2);
  if (start_ > INT64_MAX - span_) start_ = INT64_MAX - span_;
}

void TimeAxis::setWindow(std::int64_t startNs, std::int64_t endNs) {
  if (endNs < startNs) std::swap(startNs, endNs);
  const std::int64_t span = satSub(endNs, startNs);
  applyWindow(satAdd(startNs, span / 2), span);
}

double TimeAxis::xForTime(std::int64_t timeNs) const {
  std::int64_t diff = 0;
  if (__builtin_sub_overflow(timeNs, start_, &diff)) return timeNs > start_ ? 1e18 : -1e18;
  return static_cast<double>(diff) / nsPerPixel();
}

std::int64_t TimeAxis::timeForX(double x) const { return satAdd(start_, toNs(x * nsPerPixel())); }

void TimeAxis::zoomAround(double x, double factor) {
  if (!(factor > 0) || !std::isfinite(factor)) return;
  const std::int64_t anchor = timeForX(x);
  const std::int64_t span =
      std::clamp(toNs(static_cast<double>(span_) / factor), kMinSpanNs, maxSpanNs());
  const std::int64_t start = satSub(anchor, toNs(x / width_ * static_cast<double>(span)));
  applyWindow(satAdd(start, span / 2), span);
}

void TimeAxis::pan(double dxPixels) {
  const std::int64_t shift = toNs(dxPixels * nsPerPixel());
  applyWindow(satSub(satAdd(start_, span_ / 2), shift), span_);
}

void TimeAxis::fit(std::int64_t firstNs, std::int64_t lastNs) {
  if (lastNs < firstNs) std::swap(firstNs, lastNs);
  const std::int64_t extent = satSub(lastNs, firstNs);
  applyWindow(satAdd(firstNs, extent / 2), satAdd(extent, 2 * fitMarginNs(extent)));
}

void TimeAxis::placeTime(std::int64_t timeNs, double xFraction) {
  xFraction = std::clamp(xFraction, 0.0, 1.0);
  const std::int64_t start = satSub(timeNs, toNs(xFraction * static_cast<double>(span_)));
  applyWindow(satAdd(start, span_ / 2), span_);
}

std::int64_t TimeAxis::niceStepNs(std::int64_t raw) {
  if (raw <= kNsPerUs) return kNsPerUs;
  if (raw <= kNsPerSecond) return subSecondStep(raw);
  static const std::int64_t kLadder[] = {
      kNsPerSecond,      2 * kNsPerSecond,  5 * kNsPerSecond,  10 * kNsPerSecond,  15 * kNsPerSecond,
      30 * kNsPerSecond, kNsPerMinute,      2 * kNsPerMinute,  5 * kNsPerMinute,   10 * kNsPerMinute,
      15 * kNsPerMinute, 30 * kNsPerMinute, kNsPerHour,        2 * kNsPerHour,     3 * kNsPerHour,
      6 * kNsPerHour,    12 * kNsPerHour,   kNsPerDay,         2 * kNsPerDay,      7 * kNsPerDay,
      14 * kNsPerDay,    28 * kNsPerDay};
  for (std::int64_t step : kLadder) {
    if (step >= raw) return step;
  }
  // Beyond four weeks: whole multiples of 28 days (the window never spans more than ~100 years).
  return (raw / (28 * kNsPerDay) + 1) * 28 * kNsPerDay;
}

int TimeAxis::utcOffsetSecondsAt(std::int64_t timeNs) const {
  return utcOffset_ ? *utcOffset_ : timefmt::localUtcOffsetSeconds(timeNs);
}

std::vector<TimeAxis::Tick> TimeAxis::ticks(double minPixelSpacing) const {
  std::vector<Tick> out;
  const double spacing = std::max(minPixelSpacing, 1.0);
  const std::int64_t step = niceStepNs(toNs(spacing * nsPerPixel()));
  const int offsetSec = utcOffsetSecondsAt(start_);
  const std::int64_t offsetNs = static_cast<std::int64_t>(offsetSec) * kNsPerSecond;
  const int decimals = step < kNsPerSecond ? timefmt::decimalsForStep(step, kNsPerSecond) : 0;
  const std::int64_t major = majorUnit(step);

  // Align in local time, so that hour and day ticks fall on the user's hours and midnights.
  const std::int64_t localStart = satAdd(start_, offsetNs);
  // The first multiple of the step at or after the start (the product overflows only at INT64_MIN).
  const std::int64_t q = timefmt::floorDiv(localStart, step);
  std::int64_t local = 0;
  if (__builtin_mul_overflow(q, step, &local)) local = (q + 1) * step;
  if (local < localStart) local = satAdd(local, step);
  const std::int64_t localEnd = satAdd(endNs(), offsetNs);
  for (; local <= localEnd && out.size() < 10000; local = satAdd(local, step)) {
    Tick t;
    t.timeNs = satSub(local, offsetNs);
    t.x = xForTime(t.timeNs);
    const bool midnight = local % kNsPerDay == 0;
    t.major = local % major == 0 || midnight;
    if (midnight || step >= kNsPerDay) {
      t.label = timefmt::shortDate(t.timeNs, offsetSec);
    } else if (step < kNsPerMinute) {
      t.label = timefmt::clock(t.timeNs, offsetSec, decimals);
    } else {
      t.label = timefmt::clockMinutes(t.timeNs, offsetSec);
    }
    out.push_back(std::move(t));
    if (local == INT64_MAX) break;
  }
  return out;
}

}  // namespace cctv::ui
