#include "timeline/TimelineWidget.h"

#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QScrollBar>
#include <QTimer>
#include <QToolTip>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace cctv::ui {

namespace {

constexpr double kHitSlop = 4;       // pixels around thin items that still count as a hit
constexpr double kDragThreshold = 4;
constexpr double kFollowFraction = 0.95;  // where follow-live keeps the newest event
constexpr int kSliceDelayMs = 40;         // a zoom or pan burst asks once
constexpr std::int64_t kRevealSpanNs = 2LL * 60 * 1'000'000'000;  // at most this much around a revealed event

QString qs(const std::string& s) { return QString::fromStdString(s); }

}  // namespace

TimelineWidget::TimelineWidget(QWidget* parent) : QWidget(parent) {
  setMouseTracking(true);
  setFocusPolicy(Qt::StrongFocus);
  setAttribute(Qt::WA_OpaquePaintEvent);
  vscroll_ = new QScrollBar(Qt::Vertical, this);
  vscroll_->hide();
  connect(vscroll_, &QScrollBar::valueChanged, this, [this] { update(); });
  sliceTimer_ = new QTimer(this);
  sliceTimer_->setSingleShot(true);
  sliceTimer_->setInterval(kSliceDelayMs);
  connect(sliceTimer_, &QTimer::timeout, this, &TimelineWidget::checkSlice);
  modelChanged();
}

QSize TimelineWidget::sizeHint() const { return {900, 320}; }
QSize TimelineWidget::minimumSizeHint() const { return {kLabelWidth + 200, kRulerHeight + 5 * kRowHeight}; }

void TimelineWidget::setEvents(std::vector<data::EventItem> events, std::vector<data::PromptSummary> prompts) {
  paged_ = false;
  pager_ = TimelinePager();
  sliceTimer_->stop();
  model_.setEvents(std::move(events), std::move(prompts));
  modelChanged();
  fitToData();
  if (followLive_) keepNewestInView();
}

void TimelineWidget::appendEvents(const std::vector<data::EventItem>& events) {
  if (paged_) {
    const bool wasEmpty = !pager_.hasEvents();
    pager_.addLive(events);
    // Only what lands in the loaded detail; the rest is counted in the density and loaded on demand.
    std::vector<data::EventItem> taken;
    for (const auto& e : events)
      if (pager_.detailTakes(e)) taken.push_back(e);
    if (!taken.empty()) model_.append(taken);
    modelChanged();
    if (wasEmpty) {
      fitToData();
    } else if (followLive_) {
      keepNewestInView();
    }
    checkSlice();
    return;
  }
  const bool wasEmpty = model_.empty();
  model_.append(events);
  modelChanged();
  if (wasEmpty) {
    fitToData();
  } else if (followLive_) {
    keepNewestInView();
  }
}

void TimelineWidget::setPrompts(std::vector<data::PromptSummary> prompts) {
  model_.setPrompts(std::move(prompts));
  modelChanged();  // spans may have widened into other rows
}

void TimelineWidget::clear() {
  paged_ = false;
  pager_ = TimelinePager();
  sliceTimer_->stop();
  pendingReveal_ = -1;
  model_.clear();
  selectedId_ = -1;
  hovered_ = -1;
  modelChanged();
}

void TimelineWidget::showSession(std::int64_t firstNs, std::int64_t lastNs, bool empty) {
  paged_ = true;
  pager_ = TimelinePager();
  if (!empty) pager_.reset(firstNs, lastNs);
  model_.clear();
  selectedId_ = -1;
  hovered_ = -1;
  pendingReveal_ = -1;
  modelChanged();
  if (!empty) fitToData();
  sliceTimer_->stop();
  checkSlice();
}

void TimelineWidget::setSlice(const TimelineRequest& request, data::EventDensity density,
                              std::optional<TimeRange> detail, std::vector<data::EventItem> events,
                              std::vector<data::PromptSummary> prompts) {
  if (!paged_) return;
  pager_.loaded(request, std::move(density), detail);
  if (detail) {
    model_.setEvents(std::move(events), std::move(prompts));
  } else {
    model_.clear();
  }
  modelChanged();
  if (pendingReveal_ >= 0 && model_.itemForEvent(pendingReveal_) >= 0) {
    const std::int64_t id = pendingReveal_;
    pendingReveal_ = -1;
    selectEvent(id);
  }
  checkSlice();  // the view may have moved while this slice was on its way
}

void TimelineWidget::sliceDropped() { pager_.forgetPending(); }

void TimelineWidget::checkSlice() {
  if (!paged_ || !pager_.hasEvents()) return;
  if (const auto r = pager_.need({axis_.startNs(), axis_.endNs()}, axis_.width())) Q_EMIT sliceNeeded(*r);
}

void TimelineWidget::revealEvent(std::int64_t eventId, std::int64_t timeNs) {
  if (model_.itemForEvent(eventId) >= 0 || !paged_) {
    selectEvent(eventId);
    return;
  }
  // Not loaded: go there (close enough that the detail loads) and select it when it arrives.
  selectedId_ = eventId;
  pendingReveal_ = eventId;
  stopFollowing();
  const std::int64_t span = std::min(axis_.spanNs(), kRevealSpanNs);
  axis_.setWindow(timeNs - span / 2, timeNs - span / 2 + span);
  update();
  Q_EMIT visibleRangeChanged(axis_.startNs(), axis_.endNs());
  sliceTimer_->stop();
  checkSlice();
}

std::int64_t TimelineWidget::newestNs() const {
  if (!paged_) return model_.lastNs();
  return model_.empty() ? pager_.lastNs() : std::max(pager_.lastNs(), model_.lastNs());
}

void TimelineWidget::setFollowLive(bool on) {
  if (followLive_ == on) return;
  followLive_ = on;
  if (on) keepNewestInView();
  Q_EMIT followLiveChanged(on);
}

void TimelineWidget::stopFollowing() {
  if (!followLive_) return;
  followLive_ = false;
  Q_EMIT followLiveChanged(false);
}

void TimelineWidget::keepNewestInView() {
  if (paged_ ? !pager_.hasEvents() : model_.empty()) return;
  // Only shift when the newest item is at the very edge or beyond, so a fitted or zoomed-out view stays put;
  // then put it back at kFollowFraction, leaving room for what comes next.
  const std::int64_t newest = newestNs();
  const double x = axis_.xForTime(newest);
  if (x > axis_.width() * 0.98 || x < 0) {
    axis_.placeTime(newest, kFollowFraction);
    windowChanged();
  }
}

void TimelineWidget::fitToData() {
  if (paged_ && pager_.hasEvents()) {
    // The whole session, not only what is loaded.
    const std::int64_t first = model_.empty() ? pager_.firstNs() : std::min(pager_.firstNs(), model_.firstNs());
    axis_.fit(first, newestNs());
    windowChanged();
    return;
  }
  if (model_.empty()) return;
  axis_.fit(model_.firstNs(), model_.lastNs());
  windowChanged();
}

void TimelineWidget::zoomIn() {
  axis_.zoomAround(axis_.width() / 2, 1.5);
  windowChanged();
}

void TimelineWidget::zoomOut() {
  axis_.zoomAround(axis_.width() / 2, 1 / 1.5);
  windowChanged();
}

void TimelineWidget::selectEvent(std::int64_t eventId) {
  const int index = model_.itemForEvent(eventId);
  selectedId_ = index >= 0 ? eventId : -1;
  if (index < 0) {
    update();
    return;
  }
  const TimelineItem& item = model_.items()[static_cast<std::size_t>(index)];
  const std::int64_t a = item.extentStartNs(), b = item.extentEndNs();
  if (axis_.xForTime(a) < 0 || axis_.xForTime(b) > axis_.width()) {
    stopFollowing();  // the user is looking at something else than the live edge
    if (b - a > axis_.spanNs() * 8 / 10) {
      axis_.fit(a, b);
    } else {
      axis_.placeTime(a + (b - a) / 2, 0.5);
    }
    windowChanged();
  }
  // Scroll the lanes so its row is visible.
  const QRectF r = rowRect(item.lane, item.row);
  if (vscroll_->isVisible()) {
    if (r.top() < kRulerHeight) vscroll_->setValue(vscroll_->value() - int(kRulerHeight - r.top()));
    if (r.bottom() > height()) vscroll_->setValue(vscroll_->value() + int(r.bottom() - height()) + 1);
  }
  update();
}

void TimelineWidget::modelChanged() {
  axis_.setWidth(plotRight() - plotLeft());
  if (paged_ && pager_.hasEvents()) {
    axis_.setDataExtent(model_.empty() ? pager_.firstNs() : std::min(pager_.firstNs(), model_.firstNs()), newestNs());
  } else if (model_.empty()) {
    axis_.clearDataExtent();
  } else {
    axis_.setDataExtent(model_.firstNs(), model_.lastNs());
  }
  density_ = {};
  densityDirty_ = hasDensity();
  // Index the items by lane and row for hit testing.
  rowBase_.assign(kLaneCount, 0);
  int totalRows = 0;
  for (int l = 0; l < kLaneCount; ++l) {
    rowBase_[static_cast<std::size_t>(l)] = totalRows;
    totalRows += std::max(1, model_.rowCount(static_cast<Lane>(l)));
  }
  itemsByRow_.assign(static_cast<std::size_t>(totalRows), {});
  const auto& items = model_.items();
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::size_t slot = static_cast<std::size_t>(rowBase_[static_cast<std::size_t>(items[i].lane)] + items[i].row);
    if (slot < itemsByRow_.size()) itemsByRow_[slot].push_back(static_cast<int>(i));
  }
  // In time order, so painting knows each item's right-hand neighbour.
  for (auto& row : itemsByRow_) {
    std::stable_sort(row.begin(), row.end(), [&items](int a, int b) {
      return items[static_cast<std::size_t>(a)].extentStartNs() < items[static_cast<std::size_t>(b)].extentStartNs();
    });
  }
  hovered_ = -1;  // indices may have changed (a rebuild); the next mouse move finds it again
  layoutLanes();
  update();
}

void TimelineWidget::layoutLanes() {
  lanes_.assign(kLaneCount, {});
  int y = 0;
  for (int l = 0; l < kLaneCount; ++l) {
    LaneGeometry& g = lanes_[static_cast<std::size_t>(l)];
    g.rows = std::max(1, model_.rowCount(static_cast<Lane>(l)));
    g.top = y;
    g.height = g.rows * kRowHeight + 2 * kLanePadding;
    y += g.height;
  }
  const int available = height() - kRulerHeight;
  const bool needScroll = (!model_.empty() || hasDensity()) && y > available;
  vscroll_->setVisible(needScroll);
  if (needScroll) {
    const int w = vscroll_->sizeHint().width();
    vscroll_->setGeometry(width() - w, kRulerHeight, w, available);
    vscroll_->setRange(0, y - available);
    vscroll_->setPageStep(available);
    vscroll_->setSingleStep(kRowHeight);
  } else {
    vscroll_->setValue(0);
  }
  axis_.setWidth(plotRight() - plotLeft());
}

void TimelineWidget::windowChanged() {
  update();
  Q_EMIT visibleRangeChanged(axis_.startNs(), axis_.endNs());
  if (paged_) sliceTimer_->start();
}

int TimelineWidget::plotLeft() const { return kLabelWidth; }

int TimelineWidget::plotRight() const {
  const int scroll = vscroll_ && vscroll_->isVisible() ? vscroll_->width() : 0;
  return std::max(plotLeft() + 1, width() - kRightPadding - scroll);
}

int TimelineWidget::contentTop() const { return kRulerHeight - (vscroll_->isVisible() ? vscroll_->value() : 0); }

double TimelineWidget::xOf(std::int64_t timeNs) const { return plotLeft() + axis_.xForTime(timeNs); }

QRectF TimelineWidget::rowRect(Lane lane, int row) const {
  const auto l = static_cast<std::size_t>(lane);
  if (l >= lanes_.size()) return {};
  const double top = contentTop() + lanes_[l].top + kLanePadding + row * kRowHeight;
  return QRectF(plotLeft(), top, plotRight() - plotLeft(), kRowHeight);
}

QRectF TimelineWidget::itemRect(int itemIndex) const {
  const auto& items = model_.items();
  if (itemIndex < 0 || itemIndex >= static_cast<int>(items.size())) return {};
  const TimelineItem& it = items[static_cast<std::size_t>(itemIndex)];
  const QRectF row = rowRect(it.lane, it.row);
  const double cy = row.center().y();
  const double x0 = xOf(it.extentStartNs());
  double x1 = xOf(it.extentEndNs());
  if (it.isInstant()) {
    // The marker is centred on its time; a wait before it extends the rect to the left.
    const double x = xOf(it.startNs);
    const double left = std::min(x0, x - kBarHeight / 2.0);
    return QRectF(left, cy - kBarHeight / 2.0, x + kBarHeight / 2.0 - left, kBarHeight);
  }
  if (x1 - x0 < kMinBarPixels) x1 = x0 + kMinBarPixels;
  return QRectF(x0, cy - kBarHeight / 2.0, x1 - x0, kBarHeight);
}

int TimelineWidget::itemAt(const QPointF& pos) const {
  if (model_.empty() || pos.x() < plotLeft() - kHitSlop || pos.y() < kRulerHeight) return -1;
  for (int l = 0; l < kLaneCount; ++l) {
    const LaneGeometry& g = lanes_[static_cast<std::size_t>(l)];
    const double laneTop = contentTop() + g.top + kLanePadding;
    const int row = static_cast<int>(std::floor((pos.y() - laneTop) / kRowHeight));
    if (row < 0 || row >= g.rows) continue;
    const auto& candidates = itemsByRow_[static_cast<std::size_t>(rowBase_[static_cast<std::size_t>(l)] + row)];
    // The narrowest item under the cursor wins: a tick drawn over a long bar stays clickable.
    int best = -1;
    double bestWidth = 0;
    for (int i : candidates) {
      QRectF r = itemRect(i);
      if (r.width() < 2 * kHitSlop) r.adjust(-kHitSlop, 0, kHitSlop, 0);
      r.adjust(0, -2, 0, 2);
      if (!r.contains(pos)) continue;
      if (best < 0 || r.width() < bestWidth) {
        best = i;
        bestWidth = r.width();
      }
    }
    return best;
  }
  return -1;
}

const DensityBars& TimelineWidget::densityBars() const {
  if (densityDirty_) {
    density_ = cctv::ui::densityBars(pager_.density());
    densityDirty_ = false;
  }
  return density_;
}

QRectF TimelineWidget::densityBarRect(const DensityBar& bar) const {
  const QRectF row = rowRect(bar.lane, 0);
  const double x0 = xOf(bar.startNs);
  const double x1 = std::max(x0 + 1, xOf(bar.endNs));
  return QRectF(x0, row.center().y() - kBarHeight / 2.0, x1 - x0, kBarHeight);
}

int TimelineWidget::densityBarAt(const QPointF& pos) const {
  if (!hasDensity() || pos.x() < plotLeft() || pos.y() < kRulerHeight) return -1;
  const std::int64_t t = axis_.timeForX(pos.x() - plotLeft());
  if (const auto d = pager_.detail(); d && t >= d->fromNs && t <= d->toNs) return -1;  // detail is drawn there
  const std::int64_t slop = static_cast<std::int64_t>(axis_.nsPerPixel() * 2);
  int best = -1;
  for (int l = 0; l < kLaneCount; ++l) {
    const LaneGeometry& g = lanes_[static_cast<std::size_t>(l)];
    const double top = contentTop() + g.top, bottom = top + g.height;
    if (pos.y() < top || pos.y() >= bottom) continue;
    // Bars are by lane, then time: the first one of this lane ending after t - slop.
    const auto& bars = densityBars().bars;
    auto it = std::lower_bound(bars.begin(), bars.end(), std::make_pair(l, t - slop),
                               [](const DensityBar& b, const std::pair<int, std::int64_t>& key) {
                                 const int lane = static_cast<int>(b.lane);
                                 return lane != key.first ? lane < key.first : b.endNs <= key.second;
                               });
    double bestDistance = 1e9;
    for (; it != bars.end() && static_cast<int>(it->lane) == l && it->startNs <= t + slop; ++it) {
      const QRectF r = densityBarRect(*it);
      const double distance = pos.x() < r.left() ? r.left() - pos.x() : pos.x() > r.right() ? pos.x() - r.right() : 0;
      if (distance < bestDistance) {
        bestDistance = distance;
        best = static_cast<int>(it - bars.begin());
      }
    }
    return bestDistance <= 2 ? best : -1;
  }
  return best;
}

QString TimelineWidget::toolTipAt(const QPointF& pos) const {
  const int i = itemAt(pos);
  if (i >= 0) return qs(model_.items()[static_cast<std::size_t>(i)].tooltip);
  const int b = densityBarAt(pos);
  return b < 0 ? QString() : qs(densityTooltip(pager_.density(), densityBars().bars[static_cast<std::size_t>(b)]));
}

bool TimelineWidget::event(QEvent* e) {
  if (e->type() == QEvent::ToolTip) {
    auto* help = static_cast<QHelpEvent*>(e);
    const int i = itemAt(help->pos());
    const int b = i < 0 ? densityBarAt(help->pos()) : -1;
    if (i >= 0) {
      QToolTip::showText(help->globalPos(), qs(model_.items()[static_cast<std::size_t>(i)].tooltip), this,
                         itemRect(i).toAlignedRect());
    } else if (b >= 0) {
      const DensityBar& bar = densityBars().bars[static_cast<std::size_t>(b)];
      QToolTip::showText(help->globalPos(), qs(densityTooltip(pager_.density(), bar)), this,
                         densityBarRect(bar).toAlignedRect().adjusted(-2, 0, 2, 0));
    } else {
      QToolTip::hideText();
      e->ignore();
    }
    return true;
  }
  return QWidget::event(e);
}

void TimelineWidget::resizeEvent(QResizeEvent* e) {
  QWidget::resizeEvent(e);
  // Keep the visible time window when the widget is resized; only the scale changes.
  const std::int64_t start = axis_.startNs(), end = axis_.endNs();
  layoutLanes();
  axis_.setWindow(start, end);
  if (paged_) sliceTimer_->start();  // the density's buckets follow the pixels
}

void TimelineWidget::wheelEvent(QWheelEvent* e) {
  const QPoint delta = e->angleDelta();
  if (e->modifiers() & Qt::ShiftModifier) {
    if (vscroll_->isVisible()) vscroll_->setValue(vscroll_->value() - (delta.y() + delta.x()) / 4);
  } else if (std::abs(delta.x()) > std::abs(delta.y())) {
    axis_.pan(delta.x() / 2.0);
    stopFollowing();
    windowChanged();
  } else if (delta.y() != 0) {
    // 120 units (one notch) zooms by 1.25x.
    axis_.zoomAround(e->position().x() - plotLeft(), std::pow(1.25, delta.y() / 120.0));
    windowChanged();
  }
  e->accept();
}

void TimelineWidget::mousePressEvent(QMouseEvent* e) {
  if (e->button() != Qt::LeftButton) return QWidget::mousePressEvent(e);
  pressed_ = true;
  dragging_ = false;
  pressPos_ = lastDragPos_ = e->position();
}

void TimelineWidget::mouseMoveEvent(QMouseEvent* e) {
  const QPointF pos = e->position();
  if (pressed_ && (e->buttons() & Qt::LeftButton)) {
    if (!dragging_ && (pos - pressPos_).manhattanLength() >= kDragThreshold) {
      dragging_ = true;
      setCursor(Qt::ClosedHandCursor);
    }
    if (dragging_) {
      const QPointF d = pos - lastDragPos_;
      lastDragPos_ = pos;
      if (d.x() != 0) {
        axis_.pan(d.x());
        stopFollowing();
        windowChanged();
      }
      if (d.y() != 0 && vscroll_->isVisible()) vscroll_->setValue(vscroll_->value() - int(std::lround(d.y())));
    }
    return;
  }
  const int h = itemAt(pos);
  if (h != hovered_) {
    hovered_ = h;
    update();
  }
  setCursor(h >= 0 || densityBarAt(pos) >= 0 ? Qt::PointingHandCursor : Qt::ArrowCursor);
}

void TimelineWidget::mouseReleaseEvent(QMouseEvent* e) {
  if (e->button() != Qt::LeftButton || !pressed_) return QWidget::mouseReleaseEvent(e);
  pressed_ = false;
  if (dragging_) {
    dragging_ = false;
    setCursor(Qt::ArrowCursor);
    return;
  }
  const int i = itemAt(e->position());
  if (i < 0 && densityBarAt(e->position()) >= 0) {
    // Too many events here to draw one by one: a click zooms in towards them.
    stopFollowing();
    axis_.zoomAround(e->position().x() - plotLeft(), 4);
    windowChanged();
    return;
  }
  if (i < 0) {
    selectedId_ = -1;
    update();
    return;
  }
  selectedId_ = model_.items()[static_cast<std::size_t>(i)].eventIds.front();
  update();
  Q_EMIT eventSelected(selectedId_);
}

void TimelineWidget::mouseDoubleClickEvent(QMouseEvent* e) {
  if (e->button() == Qt::LeftButton) fitToData();
}

void TimelineWidget::leaveEvent(QEvent* e) {
  QWidget::leaveEvent(e);
  if (hovered_ >= 0) {
    hovered_ = -1;
    update();
  }
}

void TimelineWidget::keyPressEvent(QKeyEvent* e) {
  const double w = axis_.width();
  switch (e->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal: zoomIn(); break;
    case Qt::Key_Minus:
    case Qt::Key_Underscore: zoomOut(); break;
    case Qt::Key_Left:
    case Qt::Key_Right:
      axis_.pan((e->key() == Qt::Key_Left ? 1 : -1) * w / 8);
      stopFollowing();
      windowChanged();
      break;
    case Qt::Key_Up:
    case Qt::Key_Down:
      if (vscroll_->isVisible()) vscroll_->setValue(vscroll_->value() + (e->key() == Qt::Key_Up ? -1 : 1) * kRowHeight);
      break;
    case Qt::Key_F: fitToData(); break;
    case Qt::Key_End:
      if (paged_ ? pager_.hasEvents() : !model_.empty()) {
        axis_.placeTime(newestNs(), kFollowFraction);
        windowChanged();
      }
      break;
    case Qt::Key_Escape:
      selectedId_ = -1;
      update();
      break;
    default: QWidget::keyPressEvent(e); return;
  }
  e->accept();
}

}  // namespace cctv::ui
