#pragma once
// The Today / 7 days / 30 days / All switch shared by the Costs and Tools pages: a row of segmented,
// mutually exclusive buttons that reports the chosen time range.
//
// Ranges start at a UTC midnight because the cost roll-ups are bucketed by UTC day: "7 days" is today plus the
// six UTC days before it, exactly seven bars. The end is always open (toNs 0) so live data keeps arriving.

#include <QWidget>
#include <cstdint>
#include <functional>

class QButtonGroup;
class QHBoxLayout;

namespace cctv::ui {

class RangeSelector : public QWidget {
  Q_OBJECT

 public:
  enum class Range { Today, Week, Month, All };
  Q_ENUM(Range)

  explicit RangeSelector(QWidget* parent = nullptr);

  Range range() const { return range_; }
  // Selects a range (as a click would) and emits rangeChanged when it differs from the current one.
  void setRange(Range range);

  // Where the current range starts (0 for All) and where it ends (always 0: open, up to now).
  std::int64_t fromNs() const { return rangeStartNs(range_, nowNs()); }
  std::int64_t toNs() const { return 0; }

  // The wall clock in Unix ns; replaceable so tests get the same ranges on every run.
  std::int64_t nowNs() const;
  void setClock(std::function<std::int64_t()> nowNs);

  // Start of `range` for a given now: UTC midnight of today (Today), of 6 days before (Week), of 29 days before
  // (Month); 0 for All.
  static std::int64_t rangeStartNs(Range range, std::int64_t nowNs);

 Q_SIGNALS:
  void rangeChanged(std::int64_t fromNs, std::int64_t toNs);

 private:
  QButtonGroup* buttons_ = nullptr;
  // All by default: it matches a main window that starts with an open range (from 0, to 0) before any click.
  Range range_ = Range::All;
  std::function<std::int64_t()> clock_;
};

// The top row of a page with a range: its title, large and bold, on the left and `range` on the right.
QHBoxLayout* rangePageHeader(const QString& title, RangeSelector* range, QWidget* page);

}  // namespace cctv::ui
