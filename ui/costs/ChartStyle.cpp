#include "costs/ChartStyle.h"

#include <QBarCategoryAxis>
#include <QCategoryAxis>
#include <QChart>
#include <QWidget>
#include <cmath>

namespace cctv::ui::charts {
namespace {

QColor withAlpha(QColor color, double alpha) {
  color.setAlphaF(alpha);
  return color;
}

}  // namespace

QColor modelColor(const std::string& model, int& othersUsed) {
  if (model.find("sonnet") != std::string::npos) return kBlue;
  if (model.find("opus") != std::string::npos) return kPurple;
  if (model.find("haiku") != std::string::npos) return kTeal;
  static const QColor others[] = {kOrange, kGreen, kRed, kYellow, kBrown};
  return others[othersUsed++ % 5];
}

void clearChart(QChart* chart) {
  chart->removeAllSeries();
  for (QAbstractAxis* axis : chart->axes()) {
    chart->removeAxis(axis);
    delete axis;
  }
}

QFont smallerFont(const QFont& base, double factor) {
  QFont font = base;
  font.setPointSizeF(base.pointSizeF() * factor);
  return font;
}

// Fonts and colours from the widget rather than the chart theme, so the axes match the rest of the window:
// the application font a little smaller, text-coloured labels, faint grid lines.
void styleAxis(QAbstractAxis* axis, const QWidget* owner) {
  const QColor text = owner->palette().color(QPalette::Text);
  axis->setLabelsFont(smallerFont(owner->font(), 0.85));
  axis->setTitleFont(smallerFont(owner->font(), 0.85));
  axis->setLabelsColor(withAlpha(text, 0.8));
  axis->setTitleBrush(withAlpha(text, 0.7));
  axis->setLinePenColor(withAlpha(text, 0.35));
  axis->setGridLineColor(withAlpha(text, 0.12));
}

// A value axis from 0 with ticks at nice steps, labelled by `label`. QCategoryAxis is used instead of QValueAxis
// because its labels are arbitrary text: "$0.05" and "250k" rather than printf output.
QCategoryAxis* makeValueAxis(double maxValue, QString (*label)(double, const pagefmt::Ticks&), const QWidget* owner) {
  auto* axis = new QCategoryAxis;
  // A few percent of headroom so the tallest bar or last point never sits exactly on the top edge.
  const pagefmt::Ticks ticks = pagefmt::niceTicks(maxValue * 1.04);
  axis->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
  axis->setStartValue(0);
  const int count = static_cast<int>(std::lround(ticks.max / ticks.step));
  for (int i = 0; i <= count; ++i) axis->append(label(i * ticks.step, ticks), i * ticks.step);
  axis->setRange(0, ticks.max);
  styleAxis(axis, owner);
  return axis;
}

// The time axis of the per-bucket charts. Bars and points sit at x = bucket index; a QCategoryAxis (rather than
// QBarCategoryAxis) can leave labels out, so a month of days stays legible, horizontally, in a narrow card.
QCategoryAxis* makeBucketAxis(const QWidget* owner) {
  auto* axis = new QCategoryAxis;
  axis->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
  axis->setGridLineVisible(false);
  styleAxis(axis, owner);
  return axis;
}

// Labels every `every`-th bucket, counted back from the newest so that today is always labelled.
void labelBuckets(QCategoryAxis* axis, const QStringList& labels, int every) {
  for (const QString& label : axis->categoriesLabels()) axis->remove(label);
  const int count = static_cast<int>(labels.size());
  axis->setStartValue(-0.5);
  for (int i = (count - 1) % every; i < count; i += every) axis->append(labels.at(i), i);
  axis->setRange(-0.5, count - 0.5);
}

QBarCategoryAxis* makeCategoryAxis(const QStringList& labels, const QWidget* owner) {
  auto* axis = new QBarCategoryAxis;
  axis->append(labels);
  axis->setGridLineVisible(false);
  styleAxis(axis, owner);
  return axis;
}

}  // namespace cctv::ui::charts
