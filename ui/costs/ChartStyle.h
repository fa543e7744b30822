#pragma once
// Shared look of the Costs page charts: a fixed colour per model family and token type, axes styled from the
// widget palette, value axes with readable tick labels, and bucket (day) axes that thin their labels to fit.

#include <QColor>
#include <QFont>
#include <QStringList>
#include <string>

#include "costs/PageFormat.h"

class QAbstractAxis;
class QBarCategoryAxis;
class QCategoryAxis;
class QChart;
class QWidget;

namespace cctv::ui::charts {

// Tableau 10: distinguishable in light and dark themes and for the common colour-vision deficiencies.
inline const QColor kBlue(0x4e, 0x79, 0xa7);
inline const QColor kOrange(0xf2, 0x8e, 0x2b);
inline const QColor kGreen(0x59, 0xa1, 0x4f);
inline const QColor kRed(0xe1, 0x57, 0x59);
inline const QColor kTeal(0x76, 0xb7, 0xb2);
inline const QColor kYellow(0xed, 0xc9, 0x48);
inline const QColor kPurple(0xb0, 0x7a, 0xa1);
inline const QColor kBrown(0x9c, 0x75, 0x5f);

// A model family keeps its colour whatever else is in the range; other models take the remaining hues in turn
// (othersUsed counts them).
QColor modelColor(const std::string& model, int& othersUsed);

// Removes and deletes every series and axis, ready for a rebuild.
void clearChart(QChart* chart);

QFont smallerFont(const QFont& base, double factor);

// Fonts and colours from the widget rather than the chart theme, so the axes match the rest of the window.
void styleAxis(QAbstractAxis* axis, const QWidget* owner);

// A value axis from 0 to a little above maxValue, with ticks at nice steps labelled by `label`.
QCategoryAxis* makeValueAxis(double maxValue, QString (*label)(double, const pagefmt::Ticks&), const QWidget* owner);

// The time axis of the per-bucket charts, where bars and points sit at x = bucket index. Fill it with
// labelBuckets().
QCategoryAxis* makeBucketAxis(const QWidget* owner);
// Labels every `every`-th bucket, counted back from the newest so that today is always labelled.
void labelBuckets(QCategoryAxis* axis, const QStringList& labels, int every);

// A category axis showing every label (the session names of the horizontal bar chart).
QBarCategoryAxis* makeCategoryAxis(const QStringList& labels, const QWidget* owner);

}  // namespace cctv::ui::charts
