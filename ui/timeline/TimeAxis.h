#pragma once
// The time axis of the session timeline: maps a visible window [startNs, endNs] of Unix nanoseconds onto the
// pixels [0, width] of the plot area and back, zooms, pans, fits, and chooses rounded tick times with labels.
// Pure geometry without widgets, so the maths is tested directly.
//
// Times stay int64 ns throughout; only the scale (ns per pixel) is a double. A double has 53 bits, so holding
// absolute times (~1.8e18 ns) in one would round them to ~256 ns and make zoom anchors drift.
//
// Tick labels are absolute local wall-clock times whose precision follows the tick step:
//   step <  1 s  : "19:17:24.5" / "19:17:24.55" / "19:17:24.547" (as many decimals as the step needs, up to µs)
//   step <  1 min: "19:17:24"
//   step <  1 day: "19:17"
//   step >= 1 day: "Nov 24"
// A tick on local midnight is labelled with the date ("Nov 25") at every step, so a day boundary is visible.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cctv::ui {

class TimeAxis {
 public:
  static constexpr std::int64_t kMinSpanNs = 1'000'000;  // 1 ms: finer than Claude Code's ms timestamps
  // Without a data extent (nothing loaded), the window may still not grow beyond this.
  static constexpr std::int64_t kMaxSpanWithoutDataNs = 400LL * 24 * 3600 * 1'000'000'000LL;

  struct Tick {
    std::int64_t timeNs = 0;
    double x = 0;
    std::string label;
    bool major = false;  // on a boundary of the next coarser unit (whole second, minute, hour, midnight)
  };

  TimeAxis();

  // Plot width in pixels (values below 1 count as 1).
  void setWidth(double pixels);
  double width() const { return width_; }

  // Sets the visible window. Swapped if reversed; the span is clamped to [kMinSpanNs, maxSpanNs()] around
  // the window's centre and the window is kept near the data (see setDataExtent).
  void setWindow(std::int64_t startNs, std::int64_t endNs);
  std::int64_t startNs() const { return start_; }
  std::int64_t endNs() const { return start_ + span_; }
  std::int64_t spanNs() const { return span_; }
  double nsPerPixel() const { return static_cast<double>(span_) / width_; }

  // The times of the loaded data. While set, the span cannot exceed the fitted span (extent plus margins) and
  // the window's centre stays within [firstNs, lastNs], so the user cannot lose the data off screen.
  void setDataExtent(std::int64_t firstNs, std::int64_t lastNs);
  void clearDataExtent();
  bool hasDataExtent() const { return hasExtent_; }
  std::int64_t maxSpanNs() const;

  double xForTime(std::int64_t timeNs) const;
  std::int64_t timeForX(double x) const;

  // factor > 1 zooms in (the span shrinks by that factor), < 1 zooms out; the time under x stays under x
  // unless a clamp intervenes.
  void zoomAround(double x, double factor);
  // Moves the content by dxPixels, as a drag does: positive dx shows earlier times.
  void pan(double dxPixels);
  // Shows [firstNs, lastNs] with a margin of fitMarginNs() on each side.
  void fit(std::int64_t firstNs, std::int64_t lastNs);
  // Keeps the span and puts timeNs at the fraction `xFraction` (0..1) of the width.
  void placeTime(std::int64_t timeNs, double xFraction);
  // 4% of the extent on each side, at least 250 ms, so bars at the edges are not glued to the frame.
  static std::int64_t fitMarginNs(std::int64_t extentNs);

  // Ticks at least minPixelSpacing apart, at rounded local times (1/2/5 steps of ms and s, then 10/15/30 s,
  // 1/2/5/10/15/30 min, 1/2/3/6/12 h, 1/2/7/14/28 days), inside [0, width].
  std::vector<Tick> ticks(double minPixelSpacing) const;
  // The smallest step in that ladder that is at least rawStepNs.
  static std::int64_t niceStepNs(std::int64_t rawStepNs);

  // Labels use this UTC offset; unset (the default) means the local time zone at the window's start.
  void setUtcOffsetSeconds(std::optional<int> seconds) { utcOffset_ = seconds; }
  int utcOffsetSecondsAt(std::int64_t timeNs) const;

 private:
  void applyWindow(std::int64_t centreNs, std::int64_t spanNs);

  double width_ = 1000;
  std::int64_t start_ = 0;
  std::int64_t span_ = 60'000'000'000LL;
  bool hasExtent_ = false;
  std::int64_t extentFirst_ = 0;
  std::int64_t extentLast_ = 0;
  std::optional<int> utcOffset_;
};

}  // namespace cctv::ui
