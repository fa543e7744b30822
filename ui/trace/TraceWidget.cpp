#include "trace/TraceWidget.h"

#include "timeline/ItemPalette.h"
#include "timeline/TimeAxis.h"
#include "timeline/TimeFormat.h"

#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace cctv::ui {

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

QColor withAlpha(QColor c, int alpha) {
  c.setAlpha(alpha);
  return c;
}

QColor rowColour(const TraceRow& r) { return r.error ? itemColor(ColorRole::ApiError) : itemColor(r.role, r.modelSlot); }

std::string plural(std::int64_t n, const char* one, const char* many) {
  return timefmt::count(n) + " " + (n == 1 ? one : many);
}

}  // namespace

// The fixed strip above the rows (in the scroll area's top margin): totals and the time ruler.
class TraceWidget::Header : public QWidget {
 public:
  explicit Header(TraceWidget* owner) : QWidget(owner), owner_(owner) {}

 protected:
  void paintEvent(QPaintEvent*) override {
    QPainter p(this);
    owner_->paintHeader(p, rect());
  }

 private:
  TraceWidget* owner_;
};

TraceWidget::TraceWidget(QWidget* parent) : QAbstractScrollArea(parent) {
  header_ = new Header(this);
  setViewportMargins(0, kHeaderHeight, 0, 0);
  setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  viewport()->setMouseTracking(true);
  setFocusPolicy(Qt::StrongFocus);
  verticalScrollBar()->setSingleStep(kRowHeight);
}

TraceWidget::~TraceWidget() = default;

QSize TraceWidget::sizeHint() const { return {760, 360}; }

void TraceWidget::setEvents(std::vector<data::EventItem> events) { setTraceLayout(buildTraceLayout(std::move(events))); }

void TraceWidget::setTraceLayout(TraceLayout layout) {
  // A live reload of the same prompt keeps the scroll position; another prompt starts at the top.
  const bool samePrompt = !layout_.empty() && layout.summary.promptId == layout_.summary.promptId;
  const int scroll = verticalScrollBar()->value();
  layout_ = std::move(layout);
  selected_ = hovered_ = -1;
  updateScrollRange();
  verticalScrollBar()->setValue(samePrompt ? scroll : 0);
  layoutChanged();
}

void TraceWidget::clear() { setTraceLayout({}); }

std::int64_t TraceWidget::selectedEventId() const {
  return selected_ >= 0 ? layout_.rows[static_cast<std::size_t>(selected_)].eventId : -1;
}

std::int64_t TraceWidget::selectedSpanRef() const {
  return selected_ >= 0 ? layout_.rows[static_cast<std::size_t>(selected_)].spanRef : 0;
}

void TraceWidget::selectEvent(std::int64_t eventId) { selectRow(layout_.rowForEvent(eventId), false); }

void TraceWidget::selectSpan(std::int64_t spanRef) { selectRow(layout_.rowForSpan(spanRef), false); }

void TraceWidget::selectRow(int row, bool notify) {
  selected_ = row;
  if (row >= 0) {
    const QRect r = rowRect(row);
    QScrollBar* sb = verticalScrollBar();
    if (r.top() < 0) sb->setValue(sb->value() + r.top());
    if (r.bottom() > viewport()->height()) sb->setValue(sb->value() + r.bottom() - viewport()->height() + 1);
  }
  viewport()->update();
  if (!notify || row < 0) return;
  const TraceRow& r = layout_.rows[static_cast<std::size_t>(row)];
  if (r.spanRef > 0) Q_EMIT spanSelected(r.spanRef);
  else Q_EMIT eventSelected(r.eventId);
}

void TraceWidget::layoutChanged() {
  updateScrollRange();
  header_->update();
  viewport()->update();
}

void TraceWidget::updateScrollRange() {
  const int content = static_cast<int>(layout_.rows.size()) * kRowHeight;
  verticalScrollBar()->setRange(0, std::max(0, content - viewport()->height()));
  verticalScrollBar()->setPageStep(viewport()->height());
}

void TraceWidget::resizeEvent(QResizeEvent* e) {
  QAbstractScrollArea::resizeEvent(e);
  updateScrollRange();
}

int TraceWidget::labelWidth() const {
  // About two fifths of the width for names and summaries, within sensible bounds.
  return std::clamp(viewport()->width() * 2 / 5, 160, 380);
}

double TraceWidget::barLeft() const { return labelWidth() + 10; }

double TraceWidget::barRight() const { return std::max(barLeft() + 20, viewport()->width() - 64.0); }

double TraceWidget::xForOffset(std::int64_t offsetNs) const {
  const double total = static_cast<double>(std::max<std::int64_t>(layout_.summary.totalNs(), kNsPerMs));
  return barLeft() + (barRight() - barLeft()) * static_cast<double>(offsetNs) / total;
}

QRect TraceWidget::rowRect(int row) const {
  return QRect(0, row * kRowHeight - verticalScrollBar()->value(), viewport()->width(), kRowHeight);
}

QRectF TraceWidget::barRect(int row) const {
  if (row < 0 || row >= static_cast<int>(layout_.rows.size())) return {};
  const TraceRow& r = layout_.rows[static_cast<std::size_t>(row)];
  const double cy = rowRect(row).center().y() + 0.5;
  const double x0 = xForOffset(r.offsetNs);
  if (r.durationNs <= 0) return QRectF(x0 - kBarHeight / 2.0, cy - kBarHeight / 2.0, kBarHeight, kBarHeight);
  return QRectF(x0, cy - kBarHeight / 2.0, std::max(2.0, xForOffset(r.endOffsetNs()) - x0), kBarHeight);
}

int TraceWidget::rowAt(const QPoint& pos) const {
  if (pos.y() < 0 || pos.x() < 0 || pos.x() >= viewport()->width()) return -1;
  const int row = (pos.y() + verticalScrollBar()->value()) / kRowHeight;
  return row < static_cast<int>(layout_.rows.size()) ? row : -1;
}

QPointF TraceWidget::markCentre(int row, int mark) const {
  const TraceRow& r = layout_.rows[static_cast<std::size_t>(row)];
  return {xForOffset(r.marks[static_cast<std::size_t>(mark)].offsetNs), rowRect(row).center().y() + 0.5};
}

int TraceWidget::markAt(int row, const QPoint& pos) const {
  if (row < 0 || row >= static_cast<int>(layout_.rows.size())) return -1;
  const auto& marks = layout_.rows[static_cast<std::size_t>(row)].marks;
  int best = -1;
  double bestDist = kMarkRadius + 2.5;  // a little slack around the drawn mark
  for (int i = 0; i < static_cast<int>(marks.size()); ++i) {
    const double d = std::abs(markCentre(row, i).x() - pos.x());
    if (d <= bestDist) {
      best = i;
      bestDist = d;
    }
  }
  return best;
}

QString TraceWidget::toolTipAt(const QPoint& pos) const {
  const int row = rowAt(pos);
  if (row < 0) return {};
  const int mark = markAt(row, pos);
  const TraceRow& r = layout_.rows[static_cast<std::size_t>(row)];
  if (mark >= 0) {
    const TraceMark& m = r.marks[static_cast<std::size_t>(mark)];
    return qs(m.label + "\nat " + timefmt::offset(m.offsetNs, kNsPerMs) + (m.eventId > 0 ? "\n(click to inspect)" : ""));
  }
  return qs(r.tooltip);
}

bool TraceWidget::viewportEvent(QEvent* e) {
  if (e->type() == QEvent::ToolTip) {
    auto* help = static_cast<QHelpEvent*>(e);
    const QString text = toolTipAt(help->pos());
    if (text.isEmpty()) {
      QToolTip::hideText();
      e->ignore();
    } else {
      QToolTip::showText(help->globalPos(), text, viewport(), rowRect(rowAt(help->pos())));
    }
    return true;
  }
  if (e->type() == QEvent::Resize) {
    // The header sits right above the viewport and matches its width, which changes when the scroll bar
    // appears or disappears (after the range changed), not only when the widget is resized.
    const QRect vp = viewport()->geometry();
    header_->setGeometry(vp.left(), vp.top() - kHeaderHeight, vp.width(), kHeaderHeight);
    updateScrollRange();
  }
  return QAbstractScrollArea::viewportEvent(e);
}

void TraceWidget::mouseMoveEvent(QMouseEvent* e) {
  const int row = rowAt(e->position().toPoint());
  if (row != hovered_) {
    hovered_ = row;
    viewport()->update();
  }
}

void TraceWidget::mousePressEvent(QMouseEvent* e) {
  if (e->button() != Qt::LeftButton) return QAbstractScrollArea::mousePressEvent(e);
  const QPoint pos = e->position().toPoint();
  const int row = rowAt(pos);
  if (row < 0) return;
  const int mark = markAt(row, pos);
  const std::int64_t markEvent = mark >= 0 ? layout_.rows[static_cast<std::size_t>(row)].marks[static_cast<std::size_t>(mark)].eventId : 0;
  if (markEvent > 0) {
    selectRow(row, false);
    Q_EMIT eventSelected(markEvent);
  } else {
    selectRow(row, true);
  }
}

void TraceWidget::mouseReleaseEvent(QMouseEvent* e) {
  // The press selected the row already; the release belongs to it.
  if (e->button() == Qt::LeftButton) e->accept();
}

void TraceWidget::leaveEvent(QEvent* e) {
  QAbstractScrollArea::leaveEvent(e);
  hovered_ = -1;
  viewport()->update();
}

void TraceWidget::keyPressEvent(QKeyEvent* e) {
  const int count = static_cast<int>(layout_.rows.size());
  if (count == 0 || (e->key() != Qt::Key_Up && e->key() != Qt::Key_Down)) return QAbstractScrollArea::keyPressEvent(e);
  const int next = selected_ < 0 ? 0 : std::clamp(selected_ + (e->key() == Qt::Key_Up ? -1 : 1), 0, count - 1);
  if (next != selected_) selectRow(next, true);
  e->accept();
}

// ---- painting ---------------------------------------------------------------------------------------------

void TraceWidget::paintHeader(QPainter& p, const QRect& rect) {
  const QPalette& pal = palette();
  p.fillRect(rect, pal.color(QPalette::Window));
  p.setRenderHint(QPainter::Antialiasing);
  if (layout_.empty()) return;
  const TraceSummary& s = layout_.summary;

  QFont bold = font();
  bold.setBold(true);
  p.setFont(bold);
  p.setPen(pal.color(QPalette::WindowText));
  const std::string title = "Prompt " + (s.promptId.empty() ? std::string("(no prompt id)") : s.promptId.substr(0, 8)) +
                            "  \u00b7  " + timefmt::duration(s.totalNs());
  const QString titleText = qs(title);
  p.drawText(QRect(10, 4, rect.width() - 20, 18), Qt::AlignLeft | Qt::AlignVCenter, titleText);
  const int titleWidth = QFontMetrics(bold).horizontalAdvance(titleText);
  p.setFont(font());
  if (!s.promptText.empty()) {
    // What was asked, after the title, as far as it fits.
    const int left = 10 + titleWidth + 14;
    const int room = rect.width() - 10 - left;
    if (room > 40) {
      p.setPen(withAlpha(pal.color(QPalette::WindowText), 200));
      p.drawText(QRect(left, 4, room, 18), Qt::AlignLeft | Qt::AlignVCenter,
                 fontMetrics().elidedText(QStringLiteral("\u201c%1\u201d").arg(qs(s.promptText)), Qt::ElideRight, room));
    }
  }

  std::string stats = plural(s.apiCalls, "API call", "API calls");
  if (s.apiCalls) stats += " (" + timefmt::duration(s.apiTimeNs) + ")";
  stats += "  \u00b7  " + plural(s.tools, "tool", "tools");
  if (s.toolFailures) stats += " (" + timefmt::count(s.toolFailures) + " failed)";
  if (s.rejections) stats += "  \u00b7  " + timefmt::count(s.rejections) + " rejected";
  if (s.apiErrors) stats += "  \u00b7  " + plural(s.apiErrors, "API error", "API errors");
  stats += "  \u00b7  " + timefmt::count(s.tokens.total()) + " tokens  \u00b7  " + timefmt::usd(s.costUsd);
  if (s.permissionWaitNs) stats += "  \u00b7  waited " + timefmt::duration(s.permissionWaitNs) + " for permission";
  stats += s.spans ? "  \u00b7  " + plural(s.spans, "span", "spans") : std::string("  \u00b7  from log events (no spans)");
  p.setPen(withAlpha(pal.color(QPalette::WindowText), 200));
  p.drawText(QRect(10, 22, rect.width() - 20, 18), Qt::AlignLeft | Qt::AlignVCenter,
             fontMetrics().elidedText(qs(stats), Qt::ElideRight, rect.width() - 20));

  // Ruler: offsets from the prompt's start at rounded steps.
  const int rulerTop = kHeaderHeight - 22;
  p.setPen(withAlpha(pal.color(QPalette::Mid), 200));
  p.drawLine(QPointF(0, rect.bottom() + 0.5), QPointF(rect.width(), rect.bottom() + 0.5));
  const double nsPerPx = std::max<double>(layout_.summary.totalNs(), kNsPerMs) / (barRight() - barLeft());
  const double spacing = fontMetrics().horizontalAdvance(QStringLiteral("+00.00 s")) + 24;
  const std::int64_t step = TimeAxis::niceStepNs(static_cast<std::int64_t>(spacing * nsPerPx));
  QFont small = font();
  small.setPointSizeF(small.pointSizeF() * 0.9);
  p.setFont(small);
  const QFontMetrics fm(small);
  for (std::int64_t t = 0; t <= s.totalNs() + step / 2; t += step) {
    const double x = xForOffset(t);
    if (x > barRight() + 1) break;
    p.setPen(withAlpha(pal.color(QPalette::WindowText), 150));
    p.drawLine(QPointF(x, rect.bottom() - 5), QPointF(x, rect.bottom()));
    const QString label = qs(timefmt::offset(t, step));
    const double w = fm.horizontalAdvance(label);
    p.setPen(pal.color(QPalette::WindowText));
    p.drawText(QRectF(x - w / 2, rulerTop, w + 2, 16), Qt::AlignLeft | Qt::AlignVCenter, label);
  }
  p.setFont(font());
}

void TraceWidget::paintEvent(QPaintEvent*) {
  QPainter p(viewport());
  const QPalette& pal = palette();
  p.fillRect(viewport()->rect(), pal.color(QPalette::Base));
  if (layout_.empty()) {
    p.setPen(pal.color(QPalette::PlaceholderText));
    p.drawText(viewport()->rect(), Qt::AlignCenter, tr("Select a prompt to see its trace"));
    return;
  }
  p.setRenderHint(QPainter::Antialiasing);
  // Grid lines at the ruler's steps, under the rows.
  const double nsPerPx = std::max<double>(layout_.summary.totalNs(), kNsPerMs) / (barRight() - barLeft());
  const double spacing = fontMetrics().horizontalAdvance(QStringLiteral("+00.00 s")) + 24;
  const std::int64_t step = TimeAxis::niceStepNs(static_cast<std::int64_t>(spacing * nsPerPx));
  const int first = std::max(0, verticalScrollBar()->value() / kRowHeight);
  const int last = std::min(static_cast<int>(layout_.rows.size()) - 1,
                            (verticalScrollBar()->value() + viewport()->height()) / kRowHeight);
  for (int row = first; row <= last; ++row) paintRow(p, row, rowRect(row));
  p.setPen(withAlpha(pal.color(QPalette::Text), 28));
  const int bottom = std::min(viewport()->height(), rowRect(last).bottom());
  for (std::int64_t t = 0; t <= layout_.summary.totalNs() + step / 2; t += step) {
    const double x = xForOffset(t);
    if (x > barRight() + 1) break;
    p.drawLine(QPointF(x, 0), QPointF(x, bottom));
  }
  p.setPen(withAlpha(pal.color(QPalette::Mid), 160));
  p.drawLine(QPointF(labelWidth() + 0.5, 0), QPointF(labelWidth() + 0.5, bottom));
}

void TraceWidget::paintRow(QPainter& p, int row, const QRect& rect) {
  const QPalette& pal = palette();
  const TraceRow& r = layout_.rows[static_cast<std::size_t>(row)];
  if (row == selected_) {
    p.fillRect(rect, withAlpha(pal.color(QPalette::Highlight), 70));
  } else if (row == hovered_) {
    p.fillRect(rect, withAlpha(pal.color(QPalette::Text), 18));
  } else if (row % 2 == 1) {
    p.fillRect(rect, pal.color(QPalette::AlternateBase));
  }

  // Label: the event name, then its summary dimmed; indented by depth for nested (span) rows.
  const int indent = 8 + r.depth * 14;
  const QRect labelRect(indent, rect.top(), labelWidth() - indent - 6, rect.height());
  const QColor colour = rowColour(r);
  p.setPen(Qt::NoPen);
  p.setBrush(colour);
  p.drawRoundedRect(QRectF(labelRect.left(), rect.center().y() - 3.5, 7, 7), 2, 2);
  const QString name = qs(r.name);
  QFont nameFont = font();
  if (r.kind == EventKind::UserPrompt) nameFont.setBold(true);
  p.setFont(nameFont);
  const QFontMetrics nfm(nameFont);
  const int nameLeft = labelRect.left() + 12;
  const int nameWidth = std::min(nfm.horizontalAdvance(name), labelRect.right() - nameLeft);
  p.setPen(r.error ? itemColor(ColorRole::ApiError) : pal.color(QPalette::Text));
  p.drawText(QRect(nameLeft, rect.top(), nameWidth + 1, rect.height()), Qt::AlignLeft | Qt::AlignVCenter,
             nfm.elidedText(name, Qt::ElideRight, nameWidth + 1));
  p.setFont(font());
  const int summaryLeft = nameLeft + nameWidth + 8;
  if (!r.summary.empty() && r.summary != r.name && summaryLeft < labelRect.right() - 20) {
    p.setPen(withAlpha(pal.color(QPalette::Text), 150));
    const int w = labelRect.right() - summaryLeft;
    p.drawText(QRect(summaryLeft, rect.top(), w, rect.height()), Qt::AlignLeft | Qt::AlignVCenter,
               fontMetrics().elidedText(qs(r.summary), Qt::ElideRight, w));
  }

  // Bar area.
  const QRectF bar = barRect(row);
  const double cy = bar.center().y();
  if (r.hasWait()) {
    const QColor wait = itemColor(ColorRole::PermissionWait);
    const double x0 = xForOffset(r.waitOffsetNs), x1 = xForOffset(r.waitOffsetNs + r.waitNs);
    const QRectF w(x0, cy - kBarHeight / 2.0 + 2, std::max(1.0, x1 - x0), kBarHeight - 4);
    p.setPen(Qt::NoPen);
    p.setBrush(withAlpha(wait, 80));
    p.drawRect(w);
    p.setBrush(QBrush(wait, Qt::BDiagPattern));
    p.drawRect(w);
    p.setPen(QPen(wait, 1));
    p.drawLine(QPointF(x1, w.top() - 1), QPointF(x1, w.bottom() + 1));
  }
  QString after;
  if (r.durationNs > 0 && r.hatched) {
    // Waiting, not working: a light fill with hatching, like the permission wait of the event trace.
    p.setPen(QPen(colour.darker(125), 1));
    p.setBrush(withAlpha(colour, 90));
    p.drawRoundedRect(bar, 2.5, 2.5);
    p.setBrush(QBrush(colour, Qt::BDiagPattern));
    p.drawRoundedRect(bar, 2.5, 2.5);
    after = qs(timefmt::duration(r.durationNs));
  } else if (r.durationNs > 0) {
    p.setPen(QPen(colour.darker(125), 1));
    p.setBrush(colour);
    p.drawRoundedRect(bar, 2.5, 2.5);
    if (r.ttftOffsetNs) {
      const double x = xForOffset(*r.ttftOffsetNs);
      p.setPen(QPen(withAlpha(textColorOn(colour), 220), 2));
      p.drawLine(QPointF(x, bar.top() + 2), QPointF(x, bar.bottom() - 2));
    }
    after = qs(timefmt::duration(r.durationNs));
  } else {
    const QPointF c = bar.center();
    const double rad = kBarHeight / 2.0 - 0.5;
    const QPointF pts[4] = {{c.x(), c.y() - rad}, {c.x() + rad, c.y()}, {c.x(), c.y() + rad}, {c.x() - rad, c.y()}};
    p.setPen(QPen(colour.darker(140), 1));
    p.setBrush(colour);
    p.drawPolygon(pts, 4);
    if (r.hasWait()) after = qs("waited " + timefmt::duration(r.waitNs));
  }
  if (row == selected_) {
    p.setBrush(Qt::NoBrush);
    p.setPen(QPen(pal.color(QPalette::Highlight), 2));
    p.drawRoundedRect(bar.adjusted(-2, -2, 2, 2), 3, 3);
  }
  // Marks: the span's log events as small diamonds on the bar's top edge, span events (attempts) as dots.
  for (int i = 0; i < static_cast<int>(r.marks.size()); ++i) {
    const TraceMark& m = r.marks[static_cast<std::size_t>(i)];
    const QPointF c = markCentre(row, i);
    const QColor fill = m.error ? itemColor(ColorRole::ApiError) : pal.color(QPalette::Base);
    p.setPen(QPen(m.error ? fill.darker(150) : pal.color(QPalette::Text), 1));
    p.setBrush(fill);
    if (m.eventId > 0) {
      const double rad = kMarkRadius;
      const QPointF pts[4] = {{c.x(), c.y() - rad}, {c.x() + rad, c.y()}, {c.x(), c.y() + rad}, {c.x() - rad, c.y()}};
      p.drawPolygon(pts, 4);
    } else {
      p.drawEllipse(c, kMarkRadius - 1.0, kMarkRadius - 1.0);
    }
  }
  if (!after.isEmpty()) {
    // The duration after the bar, or before it when the bar reaches the right edge.
    const int w = fontMetrics().horizontalAdvance(after);
    double x = bar.right() + 5 + (r.marks.empty() ? 0 : kMarkRadius);
    if (x + w > viewport()->width() - 2) x = std::max(barLeft(), bar.left() - w - 5);
    p.setPen(withAlpha(pal.color(QPalette::Text), 170));
    p.drawText(QRectF(x, rect.top(), w + 2, rect.height()), Qt::AlignLeft | Qt::AlignVCenter, after);
  }
}

}  // namespace cctv::ui
