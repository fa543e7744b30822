#include "tools/RatioBarDelegate.h"

#include <QApplication>
#include <QPainter>
#include <algorithm>

namespace cctv::ui {
namespace {

constexpr int kBarWidth = 56;
constexpr int kBarHeight = 6;
constexpr int kGap = 8;

}  // namespace

RatioBarDelegate::RatioBarDelegate(int ratioRole, QObject* parent)
    : QStyledItemDelegate(parent), ratioRole_(ratioRole) {}

QColor RatioBarDelegate::colorFor(double ratio) {
  if (ratio >= 0.95) return QColor(0x59, 0xa1, 0x4f);
  if (ratio >= 0.80) return QColor(0xe8, 0xa3, 0x17);
  return QColor(0xd6, 0x45, 0x45);
}

void RatioBarDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const {
  const double ratio = index.data(ratioRole_).toDouble();
  QStyleOptionViewItem opt = option;
  initStyleOption(&opt, index);
  if (ratio < 0) {  // no finished call: just the "—"
    QStyledItemDelegate::paint(painter, option, index);
    return;
  }

  // Background, selection and focus as the style draws them, then the text right-aligned after the bar.
  const QWidget* widget = option.widget;
  QStyle* style = widget ? widget->style() : QApplication::style();
  const QString text = opt.text;
  opt.text.clear();
  style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

  const QRect content = opt.rect.adjusted(6, 0, -6, 0);
  const int barWidth =
      std::min(kBarWidth, std::max(0, content.width() - opt.fontMetrics.horizontalAdvance(text) - kGap));
  const QRect track(content.left(), content.center().y() - kBarHeight / 2 + 1, barWidth, kBarHeight);

  painter->save();
  painter->setRenderHint(QPainter::Antialiasing);
  painter->setPen(Qt::NoPen);
  QColor trackColor = opt.palette.color(QPalette::Text);
  trackColor.setAlphaF(0.12);
  painter->setBrush(trackColor);
  painter->drawRoundedRect(track, kBarHeight / 2.0, kBarHeight / 2.0);
  QRect fill = track;
  fill.setWidth(static_cast<int>(track.width() * std::clamp(ratio, 0.0, 1.0) + 0.5));
  painter->setBrush(colorFor(ratio));
  if (fill.width() > 0) painter->drawRoundedRect(fill, kBarHeight / 2.0, kBarHeight / 2.0);

  const bool selected = opt.state & QStyle::State_Selected;
  painter->setPen(opt.palette.color(selected ? QPalette::HighlightedText : QPalette::Text));
  painter->setFont(opt.font);
  painter->drawText(content, Qt::AlignRight | Qt::AlignVCenter, text);
  painter->restore();
}

QSize RatioBarDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const {
  QSize size = QStyledItemDelegate::sizeHint(option, index);
  size.setWidth(size.width() + kBarWidth + kGap);
  return size;
}

}  // namespace cctv::ui
