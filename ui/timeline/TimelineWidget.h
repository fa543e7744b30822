#pragma once
// The session timeline: lanes (Prompts, API, Tools, Hooks, Other) of bars and ticks over a zoomable time
// axis. Custom-painted with QPainter from a TimelineModel; geometry comes from TimeAxis.
//
// Mouse: wheel zooms around the cursor (horizontal wheel pans, Shift+wheel scrolls the lanes), left-drag
// pans, click selects (eventSelected), double-click fits. Keys: + / - zoom, arrows pan, F fits, End jumps to
// the newest event, Esc clears the selection. Hovering an item shows its tooltip.
// All repaints go through update(), so a burst of appends paints once.
//
// Two ways to fill it. setEvents() hands it every event (small sessions, tests). showSession() pages a session
// of any size (TimelinePaging.h): the widget knows the session's extent, asks with sliceNeeded() for the
// density and detail the visible window needs, and draws what setSlice() delivers: events where detail is
// loaded, per-lane histograms of the density elsewhere (a click on one zooms in).

#include "query/Data.h"
#include "timeline/TimeAxis.h"
#include "timeline/TimelineDensity.h"
#include "timeline/TimelineModel.h"
#include "timeline/TimelinePaging.h"

#include <QMetaType>
#include <QWidget>

#include <cstdint>
#include <optional>
#include <vector>

class QScrollBar;
class QTimer;
class QPainter;

namespace cctv::ui {

class TimelineWidget : public QWidget {
  Q_OBJECT

 public:
  explicit TimelineWidget(QWidget* parent = nullptr);

  // Replaces the content and fits the view to it.
  void setEvents(std::vector<data::EventItem> events, std::vector<data::PromptSummary> prompts = {});
  // Adds events of the live session; with follow-live on, the newest event stays in view.
  void appendEvents(const std::vector<data::EventItem>& events);
  void setPrompts(std::vector<data::PromptSummary> prompts);
  void clear();

  // Pages a session whose events lie in [firstNs, lastNs] (empty: none yet): forgets what was shown, fits the
  // view to the session and asks for its first slice.
  void showSession(std::int64_t firstNs, std::int64_t lastNs, bool empty = false);
  // The answer to a sliceNeeded() request: the density, and the events (with their prompts) of `detail`.
  void setSlice(const TimelineRequest& request, data::EventDensity density, std::optional<TimeRange> detail,
                std::vector<data::EventItem> events, std::vector<data::PromptSummary> prompts);
  // A request that will not be answered (superseded, failed): ask again when the view needs it.
  void sliceDropped();
  bool paged() const { return paged_; }
  const TimelinePager& pager() const { return pager_; }
  // Selects an event that may not be loaded: moves the view to its time and selects it once the detail
  // there has arrived (at once when it is already loaded).
  void revealEvent(std::int64_t eventId, std::int64_t timeNs);

  void setFollowLive(bool on);
  bool followLive() const { return followLive_; }

  // Selects the item showing this event and scrolls it into view; emits nothing (the caller knows).
  void selectEvent(std::int64_t eventId);
  std::int64_t selectedEventId() const { return selectedId_; }  // -1: none

  const TimeAxis& axis() const { return axis_; }
  const TimelineModel& model() const { return model_; }
  // Where an item is drawn, in widget coordinates (empty when it is outside the visible lanes).
  QRectF itemRect(int itemIndex) const;
  // The item under a widget position (-1: none), and the tooltip text shown there.
  int itemAt(const QPointF& pos) const;
  // The density bar under a widget position (-1: none; only where no detail is loaded).
  int densityBarAt(const QPointF& pos) const;
  // Built from the pager's density when first needed after a change: a live session changes it every tick,
  // while its bars are only drawn where no detail is loaded.
  const DensityBars& densityBars() const;
  QString toolTipAt(const QPointF& pos) const;

  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

 public Q_SLOTS:
  void fitToData();
  void zoomIn();
  void zoomOut();

 Q_SIGNALS:
  void eventSelected(std::int64_t eventId);
  // The user panned away from the live edge (or setFollowLive was called).
  void followLiveChanged(bool on);
  void visibleRangeChanged(std::int64_t startNs, std::int64_t endNs);
  // Paged mode: the view needs this slice of the session; answer with setSlice() (or sliceDropped()).
  void sliceNeeded(const cctv::ui::TimelineRequest& request);

 protected:
  bool event(QEvent* e) override;
  void paintEvent(QPaintEvent* e) override;
  void resizeEvent(QResizeEvent* e) override;
  void wheelEvent(QWheelEvent* e) override;
  void mousePressEvent(QMouseEvent* e) override;
  void mouseMoveEvent(QMouseEvent* e) override;
  void mouseReleaseEvent(QMouseEvent* e) override;
  void mouseDoubleClickEvent(QMouseEvent* e) override;
  void keyPressEvent(QKeyEvent* e) override;
  void leaveEvent(QEvent* e) override;

 private:
  // Layout, in pixels.
  static constexpr int kLabelWidth = 84;
  static constexpr int kRulerHeight = 26;
  static constexpr int kRowHeight = 20;
  static constexpr int kBarHeight = 14;
  static constexpr int kLanePadding = 5;
  static constexpr int kRightPadding = 10;
  static constexpr double kMinBarPixels = 3;  // a 1 ms call is still visible when zoomed out

  struct LaneGeometry {
    int top = 0;     // in content coordinates (before the vertical scroll)
    int height = 0;
    int rows = 1;
  };

  void modelChanged();
  void layoutLanes();
  void windowChanged();
  void stopFollowing();
  void keepNewestInView();
  void checkSlice();  // paged: asks for what the current view needs
  std::int64_t newestNs() const;
  QRectF densityBarRect(const DensityBar& bar) const;
  int plotLeft() const;
  int plotRight() const;
  int contentTop() const;  // first pixel row below the ruler, scroll applied
  double xOf(std::int64_t timeNs) const;
  QRectF rowRect(Lane lane, int row) const;

  void paintRuler(QPainter& p, const std::vector<TimeAxis::Tick>& ticks);
  void paintLanes(QPainter& p, const std::vector<TimeAxis::Tick>& ticks);
  void paintDensity(QPainter& p);
  void paintItem(QPainter& p, int index, bool selected, bool hovered);
  void paintLabel(QPainter& p, int index, double nextLeft);

  TimelineModel model_;
  bool paged_ = false;
  TimelinePager pager_;
  bool hasDensity() const { return paged_ && !pager_.density().cells.empty(); }
  mutable DensityBars density_;  // of pager_.density(), when not densityDirty_
  mutable bool densityDirty_ = false;
  std::int64_t pendingReveal_ = -1;  // revealEvent() waiting for its detail
  QTimer* sliceTimer_ = nullptr;     // coalesces a burst of zoom and pan steps into one request
  TimeAxis axis_;
  std::vector<LaneGeometry> lanes_;
  std::vector<std::vector<int>> itemsByRow_;  // per lane and row: indices into model_.items()
  std::vector<int> rowBase_;                  // per lane: offset of its rows in itemsByRow_
  QScrollBar* vscroll_ = nullptr;
  bool followLive_ = false;
  std::int64_t selectedId_ = -1;
  int hovered_ = -1;
  QPointF pressPos_;
  QPointF lastDragPos_;
  bool pressed_ = false;
  bool dragging_ = false;
};

}  // namespace cctv::ui

Q_DECLARE_METATYPE(cctv::ui::TimelineRequest)
