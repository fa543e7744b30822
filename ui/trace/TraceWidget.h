#pragma once
// One prompt's trace as a waterfall: a header with the prompt's totals (duration, API calls, tools, tokens,
// cost, permission waits) and a time ruler, then one row per event in sequence order with its name and
// summary on the left and its bar (or diamond, for an instant) on a shared time scale on the right.
// API bars carry a time-to-first-token notch; a tool's bar is preceded by the hatched permission wait when
// the user was asked; errors are red. Hover shows the row's tooltip; a click emits eventSelected.
// Up/Down move the selection (and emit). The layout comes from TraceLayout (pure).

#include "query/Data.h"
#include "trace/TraceLayout.h"

#include <QAbstractScrollArea>

#include <cstdint>
#include <vector>

class QPainter;

namespace cctv::ui {

class TraceWidget : public QAbstractScrollArea {
  Q_OBJECT

 public:
  explicit TraceWidget(QWidget* parent = nullptr);
  ~TraceWidget() override;

  // The events of one prompt (any order).
  void setEvents(std::vector<data::EventItem> events);
  // A prepared layout, e.g. one nested by spans.
  void setTraceLayout(TraceLayout layout);
  void clear();
  const TraceLayout& traceLayout() const { return layout_; }

  // Selects the row of this event (or of the span it belongs to) and scrolls to it; emits nothing.
  void selectEvent(std::int64_t eventId);
  void selectSpan(std::int64_t spanRef);
  std::int64_t selectedEventId() const;  // -1: none
  std::int64_t selectedSpanRef() const;  // 0: none, or an event row

  // Geometry in viewport coordinates (the viewport is where rows are painted and clicked).
  int rowAt(const QPoint& viewportPos) const;
  QRect rowRect(int row) const;
  QRectF barRect(int row) const;  // the bar, or the diamond's box for an instant
  // The mark (a log event or span event drawn on a span's bar) under the point: its index in the row's marks.
  int markAt(int row, const QPoint& viewportPos) const;  // -1: none
  QPointF markCentre(int row, int mark) const;
  QString toolTipAt(const QPoint& viewportPos) const;

  QSize sizeHint() const override;

 Q_SIGNALS:
  // A click on an event row, or on an event's mark on a span row.
  void eventSelected(std::int64_t eventId);
  // A click on a span row (away from its marks).
  void spanSelected(std::int64_t spanRef);

 protected:
  void paintEvent(QPaintEvent* e) override;
  void resizeEvent(QResizeEvent* e) override;
  bool viewportEvent(QEvent* e) override;
  void mouseMoveEvent(QMouseEvent* e) override;
  void mousePressEvent(QMouseEvent* e) override;
  void mouseReleaseEvent(QMouseEvent* e) override;
  void keyPressEvent(QKeyEvent* e) override;
  void leaveEvent(QEvent* e) override;

 private:
  class Header;
  friend class Header;

  static constexpr int kRowHeight = 20;
  static constexpr int kBarHeight = 12;
  static constexpr double kMarkRadius = 4.0;
  static constexpr int kHeaderHeight = 66;  // two lines of totals and the ruler

  void layoutChanged();
  void updateScrollRange();
  void selectRow(int row, bool notify);
  int labelWidth() const;
  double barLeft() const;
  double barRight() const;
  double xForOffset(std::int64_t offsetNs) const;
  void paintHeader(QPainter& p, const QRect& rect);
  void paintRow(QPainter& p, int row, const QRect& rect);

  TraceLayout layout_;
  Header* header_ = nullptr;
  int selected_ = -1;
  int hovered_ = -1;
};

}  // namespace cctv::ui
