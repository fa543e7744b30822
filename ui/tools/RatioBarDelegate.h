#pragma once
// Draws a 0..1 ratio (read from a model role) as a thin inline bar next to the cell's text, coloured green,
// amber or red by threshold, so a failing tool is visible without reading every percentage.

#include <QStyledItemDelegate>

namespace cctv::ui {

class RatioBarDelegate : public QStyledItemDelegate {
  Q_OBJECT

 public:
  RatioBarDelegate(int ratioRole, QObject* parent = nullptr);

  void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
  QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;

  // The bar colour for a ratio: green from 95 %, amber from 80 %, red below.
  static QColor colorFor(double ratio);

 private:
  int ratioRole_;
};

}  // namespace cctv::ui
