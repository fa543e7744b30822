// TimelineWidget's painting: ruler, lanes, grid and items. Split from TimelineWidget.cpp (interaction and
// layout) to keep both files readable.

#include "timeline/ItemPalette.h"
#include "timeline/TimeFormat.h"
#include "timeline/TimelineWidget.h"

#include <QPainter>
#include <QRegion>
#include <QScrollBar>

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

namespace cctv::ui {

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

QColor withAlpha(QColor c, int alpha) {
  c.setAlpha(alpha);
  return c;
}

void drawDiamond(QPainter& p, QPointF c, double r) {
  const QPointF pts[4] = {{c.x(), c.y() - r}, {c.x() + r, c.y()}, {c.x(), c.y() + r}, {c.x() - r, c.y()}};
  p.drawPolygon(pts, 4);
}

}  // namespace

void TimelineWidget::paintEvent(QPaintEvent*) {
  QPainter p(this);
  const QPalette& pal = palette();
  p.fillRect(rect(), pal.color(QPalette::Base));
  if (model_.empty() && !hasDensity()) {
    p.setPen(pal.color(QPalette::PlaceholderText));
    const bool loading = paged_ && pager_.hasEvents();
    p.drawText(rect(), Qt::AlignCenter, loading ? tr("Loading the timeline\u2026") : tr("No events in this session yet"));
    return;
  }
  p.setRenderHint(QPainter::Antialiasing);
  // Wide enough for the longest label ("19:17:24.547") plus breathing room.
  const double spacing = fontMetrics().horizontalAdvance(QStringLiteral("00:00:00.000")) + 28;
  const std::vector<TimeAxis::Tick> ticks = axis_.ticks(spacing);
  paintLanes(p, ticks);
  paintRuler(p, ticks);
}

void TimelineWidget::paintRuler(QPainter& p, const std::vector<TimeAxis::Tick>& ticks) {
  const QPalette& pal = palette();
  const QRect ruler(0, 0, width(), kRulerHeight);
  p.fillRect(ruler, pal.color(QPalette::Window));
  p.setPen(pal.color(QPalette::Mid));
  p.drawLine(QPointF(0, kRulerHeight - 0.5), QPointF(width(), kRulerHeight - 0.5));

  QFont small = font();
  small.setPointSizeF(small.pointSizeF() * 0.9);
  p.setFont(small);
  const QFontMetrics fm(small);
  const int offset = axis_.utcOffsetSecondsAt(axis_.startNs());
  p.setPen(withAlpha(pal.color(QPalette::WindowText), 170));
  p.drawText(QRect(6, 0, kLabelWidth - 8, kRulerHeight - 2), Qt::AlignLeft | Qt::AlignVCenter,
             qs(timefmt::isoDate(axis_.startNs(), offset)));

  p.save();
  p.setClipRect(QRect(plotLeft() - 40, 0, plotRight() - plotLeft() + 40 + kRightPadding, kRulerHeight));
  for (const auto& t : ticks) {
    const double x = plotLeft() + t.x;
    p.setPen(withAlpha(pal.color(QPalette::WindowText), t.major ? 200 : 120));
    p.drawLine(QPointF(x, kRulerHeight - (t.major ? 8 : 5)), QPointF(x, kRulerHeight - 1));
    const QString label = qs(t.label);
    const double w = fm.horizontalAdvance(label);
    // Labels centred on their tick, but never over the lane-label column.
    const double left = std::max<double>(x - w / 2, plotLeft() - 2);
    if (left + w > width()) continue;
    p.setPen(pal.color(QPalette::WindowText));
    p.drawText(QRectF(left, 2, w + 2, kRulerHeight - 10), Qt::AlignLeft | Qt::AlignVCenter, label);
  }
  p.restore();
  p.setFont(font());
}

void TimelineWidget::paintLanes(QPainter& p, const std::vector<TimeAxis::Tick>& ticks) {
  const QPalette& pal = palette();
  p.save();
  p.setClipRect(QRect(0, kRulerHeight, width(), height() - kRulerHeight));

  // Lane bands, alternating, and the label column.
  QFont bold = font();
  bold.setBold(true);
  for (int l = 0; l < kLaneCount; ++l) {
    const LaneGeometry& g = lanes_[static_cast<std::size_t>(l)];
    const QRect band(0, contentTop() + g.top, width(), g.height);
    if (l % 2 == 1) p.fillRect(band, pal.color(QPalette::AlternateBase));
    p.fillRect(QRect(0, band.top(), kLabelWidth - 6, band.height()), pal.color(QPalette::Window));
    p.setPen(withAlpha(pal.color(QPalette::Mid), 140));
    p.drawLine(QPointF(0, band.bottom() + 0.5), QPointF(width(), band.bottom() + 0.5));
    p.setFont(bold);
    p.setPen(pal.color(QPalette::WindowText));
    p.drawText(QRect(8, band.top() + kLanePadding, kLabelWidth - 16, kRowHeight), Qt::AlignLeft | Qt::AlignVCenter,
               QString::fromLatin1(laneName(static_cast<Lane>(l))));
  }
  p.setFont(font());
  const int contentBottom = contentTop() + (lanes_.empty() ? 0 : lanes_.back().top + lanes_.back().height);
  // The label column runs to the bottom even when the lanes do not fill the widget.
  p.fillRect(QRect(0, contentBottom, kLabelWidth - 6, height() - contentBottom), pal.color(QPalette::Window));

  // Grid.
  for (const auto& t : ticks) {
    const double x = plotLeft() + t.x;
    p.setPen(withAlpha(pal.color(QPalette::Text), t.major ? 45 : 22));
    p.drawLine(QPointF(x, kRulerHeight), QPointF(x, contentBottom));
  }

  paintDensity(p);

  // Items, row by row so that each label knows how much room it has before the next item. They may reach a
  // little left of the plot (half a marker at the window's start) but not into the label column.
  const int clipLeft = kLabelWidth - 6;
  p.setClipRect(QRect(clipLeft, kRulerHeight, width() - clipLeft, height() - kRulerHeight));
  const auto& items = model_.items();
  const std::int64_t slack = static_cast<std::int64_t>(axis_.nsPerPixel() * kBarHeight);
  const std::int64_t from = axis_.startNs() - slack, to = axis_.endNs() + slack;
  const int selected = selectedId_ >= 0 ? model_.itemForEvent(selectedId_) : -1;
  for (const auto& row : itemsByRow_) {
    double paintedRight = -1e9;  // right edge of the last item painted in this row
    for (std::size_t k = 0; k < row.size(); ++k) {
      const TimelineItem& it = items[static_cast<std::size_t>(row[k])];
      if (it.extentEndNs() < from || it.extentStartNs() > to) continue;
      // Zoomed out over a long session, thousands of items share a few pixels: an item that would land
      // entirely under the one painted just before it adds nothing but time.
      const QRectF r = itemRect(row[k]);
      if (r.right() <= paintedRight && r.width() < 2) continue;
      paintItem(p, row[k], false, false);
      paintedRight = std::max(paintedRight, r.right());
      // Rows are in time order: the label may use the room up to the next item of the row.
      const double nextLeft = k + 1 < row.size() ? itemRect(row[k + 1]).left() - 6 : plotRight();
      if (it.kind != ItemKind::PromptSpan) paintLabel(p, row[k], nextLeft);
    }
  }
  // Hover and selection outlines go on top of everything else.
  if (hovered_ >= 0 && hovered_ < static_cast<int>(items.size()) && hovered_ != selected) {
    paintItem(p, hovered_, false, true);
  }
  if (selected >= 0) paintItem(p, selected, true, false);
  p.restore();
}

void TimelineWidget::paintDensity(QPainter& p) {
  if (!hasDensity()) return;
  // Where detail is loaded, the events themselves are drawn instead.
  QRegion clip(QRect(plotLeft(), kRulerHeight, plotRight() - plotLeft(), height() - kRulerHeight));
  if (const auto d = pager_.detail()) {
    const double x0 = std::max(-1e6, xOf(d->fromNs)), x1 = std::min(1e6, xOf(d->toNs));
    if (x1 > x0) clip -= QRegion(QRect(QPoint(int(std::floor(x0)), 0), QPoint(int(std::ceil(x1)), height())));
  }
  if (clip.isEmpty()) return;
  const DensityBars& density = densityBars();
  p.save();
  p.setClipRegion(clip);
  p.setRenderHint(QPainter::Antialiasing, false);
  p.setPen(Qt::NoPen);
  const QColor error = itemColor(ColorRole::ApiError);
  const std::int64_t from = axis_.startNs() - static_cast<std::int64_t>(axis_.nsPerPixel()), to = axis_.endNs();
  for (const DensityBar& bar : density.bars) {
    if (bar.endNs < from || bar.startNs > to) continue;
    // A histogram per lane: the fullest bucket fills the bar height; a single event still shows (a third).
    const double most = static_cast<double>(std::max<std::int64_t>(1, density.laneMax[static_cast<std::size_t>(bar.lane)]));
    const double fill = 0.3 + 0.7 * std::log1p(static_cast<double>(bar.count)) / std::log1p(most);
    const QRectF box = densityBarRect(bar);
    const double h = std::max(2.0, box.height() * fill);
    const QRectF r(box.left(), box.bottom() - h, box.width(), h);
    ColorRole role = ColorRole::Neutral;
    switch (bar.lane) {
      case Lane::Prompts: role = ColorRole::Prompt; break;
      case Lane::Api: role = ColorRole::Model; break;
      case Lane::Tools: role = ColorRole::ToolOk; break;
      case Lane::Hooks: role = ColorRole::Hook; break;
      case Lane::Other: role = ColorRole::Neutral; break;
    }
    p.setBrush(itemColor(role, 1));
    p.drawRect(r);
    if (bar.hasErrors) {
      p.setBrush(error);
      p.drawRect(QRectF(r.left(), r.top(), r.width(), std::min(3.0, r.height())));
    }
  }
  p.restore();
}

void TimelineWidget::paintItem(QPainter& p, int index, bool selected, bool hovered) {
  const TimelineItem& it = model_.items()[static_cast<std::size_t>(index)];
  const QPalette& pal = palette();
  const QColor colour = itemColor(it.role, it.modelSlot);
  const QRectF row = rowRect(it.lane, it.row);
  const double cy = row.center().y();
  const QRectF barRect(xOf(it.startNs), cy - kBarHeight / 2.0,
                       std::max(kMinBarPixels, xOf(it.endNs) - xOf(it.startNs)), kBarHeight);

  if (!selected && !hovered) {
    if (it.hasWait()) {
      // The permission wait: hatched and thinner than a bar, ending where the user decided.
      const QColor wait = itemColor(ColorRole::PermissionWait);
      const double x0 = xOf(it.waitStartNs), x1 = xOf(it.waitEndNs);
      const QRectF w(x0, cy - kBarHeight / 2.0 + 3, std::max(1.0, x1 - x0), kBarHeight - 6);
      p.setPen(Qt::NoPen);
      p.setBrush(withAlpha(wait, 80));
      p.drawRect(w);
      p.setBrush(QBrush(wait, Qt::BDiagPattern));
      p.drawRect(w);
      p.setPen(QPen(wait, 1));
      p.drawLine(QPointF(x1, cy - kBarHeight / 2.0 + 1), QPointF(x1, cy + kBarHeight / 2.0 - 1));
      if (!it.isInstant() && barRect.left() > x1) p.drawLine(QPointF(x1, cy), QPointF(barRect.left(), cy));
    }
    if (it.isInstant()) {
      const QPointF c(xOf(it.startNs), cy);
      const double r = kBarHeight / 2.0 - 1;
      if (it.kind == ItemKind::Reject) {
        p.setPen(QPen(colour.darker(130), 1));
        p.setBrush(colour);
        p.drawEllipse(c, r, r);
        p.setPen(QPen(Qt::white, 1.8, Qt::SolidLine, Qt::RoundCap));
        const double d = r * 0.5;
        p.drawLine(c + QPointF(-d, -d), c + QPointF(d, d));
        p.drawLine(c + QPointF(-d, d), c + QPointF(d, -d));
      } else if (it.kind == ItemKind::ToolDecision || (it.kind == ItemKind::Hook && it.eventIds.size() == 1)) {
        // Still waiting for its result / completion: hollow.
        p.setPen(QPen(colour, 1.6));
        p.setBrush(pal.color(QPalette::Base));
        drawDiamond(p, c, r);
      } else {
        p.setPen(QPen(colour.darker(140), 1));
        p.setBrush(colour);
        drawDiamond(p, c, it.kind == ItemKind::Tick ? r - 1 : r);
      }
    } else if (it.kind == ItemKind::PromptSpan) {
      p.setPen(Qt::NoPen);
      p.setBrush(withAlpha(colour, 70));
      p.drawRoundedRect(barRect, 3, 3);
      p.setBrush(colour);
      p.drawRect(QRectF(barRect.left(), barRect.top(), std::min(3.0, barRect.width()), barRect.height()));
      // The label sticks to the plot's left edge when the span starts before the window.
      const QRectF text(std::max(barRect.left(), double(plotLeft())) + 7, barRect.top(),
                        barRect.right() - std::max(barRect.left(), double(plotLeft())) - 11, barRect.height());
      if (text.width() > 24) {
        p.setPen(pal.color(QPalette::Text));
        p.drawText(text, Qt::AlignLeft | Qt::AlignVCenter,
                   fontMetrics().elidedText(qs(it.label), Qt::ElideRight, int(text.width())));
      }
    } else {
      p.setPen(QPen(colour.darker(125), 1));
      p.setBrush(colour);
      p.drawRoundedRect(barRect, 3, 3);
      const QColor ink = textColorOn(colour);
      if (it.markerNs) {
        // Time to first token: notches at the top and bottom edges where streaming began, leaving the middle
        // of the bar to the label.
        const double x = xOf(*it.markerNs);
        p.setPen(QPen(withAlpha(ink, 220), 2));
        p.drawLine(QPointF(x, barRect.top() + 1), QPointF(x, barRect.top() + 4));
        p.drawLine(QPointF(x, barRect.bottom() - 4), QPointF(x, barRect.bottom() - 1));
      }
    }
    return;
  }
  // Outline for hover and selection, around everything the item draws.
  QRectF r = itemRect(index);
  r.adjust(-2.5, -2.5, 2.5, 2.5);
  p.setBrush(Qt::NoBrush);
  p.setPen(selected ? QPen(pal.color(QPalette::Highlight), 2.2) : QPen(withAlpha(pal.color(QPalette::Text), 150), 1));
  p.drawRoundedRect(r, 4, 4);
}

void TimelineWidget::paintLabel(QPainter& p, int index, double nextLeft) {
  const TimelineItem& it = model_.items()[static_cast<std::size_t>(index)];
  if (it.label.empty()) return;
  // No label fits in less than a few characters: skip the text measuring (the costly part) outright.
  constexpr double kMinLabelRoom = 24;
  const QRectF box = itemRect(index);
  if (nextLeft - box.right() < kMinLabelRoom && (it.isInstant() || box.width() < kMinLabelRoom)) return;
  const QFontMetrics fm = fontMetrics();
  const QString full = qs(it.label);
  const QString brief = it.shortLabel.empty() ? QString() : qs(it.shortLabel);
  const QRectF extent = itemRect(index);
  if (!it.isInstant()) {
    // Inside the bar when the label (or its short form) fits: preferably after the time-to-first-token
    // notch (the streaming part, usually the longer one), else before it, so the notch never cuts the text.
    const double x0 = std::max(xOf(it.startNs), double(plotLeft())), x1 = xOf(it.endNs);
    std::vector<std::pair<double, double>> spaces;
    if (it.markerNs && xOf(*it.markerNs) > x0) {
      const double m = xOf(*it.markerNs);
      spaces = {{m + 3, x1}, {x0, m - 3}};
    } else {
      spaces = {{x0, x1}};
    }
    for (const QString& text : {full, brief}) {
      for (const auto& [a, b] : spaces) {
        if (text.isEmpty() || b - a < fm.horizontalAdvance(text) + 8) continue;
        p.setPen(textColorOn(itemColor(it.role, it.modelSlot)));
        p.drawText(QRectF(a + 4, extent.top(), b - a - 6, extent.height()), Qt::AlignLeft | Qt::AlignVCenter, text);
        return;
      }
    }
  }
  // Otherwise beside it, in the room before the next item.
  const double x = extent.right() + 4;
  for (const QString& text : {full, brief}) {
    if (text.isEmpty() || nextLeft - x < fm.horizontalAdvance(text)) continue;
    p.setPen(withAlpha(palette().color(QPalette::Text), 190));
    p.drawText(QRectF(x, extent.top() - 2, nextLeft - x, extent.height() + 4), Qt::AlignLeft | Qt::AlignVCenter, text);
    return;
  }
}

}  // namespace cctv::ui
