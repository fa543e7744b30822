#pragma once
// Colours of timeline and trace items. A small fixed palette (Tableau 10 tones) of mid-luminance colours, so
// bars stay readable on light and dark window palettes; everything else (background, text, grid) comes from
// the widget's QPalette.

#include "timeline/EventSemantics.h"

#include <QColor>

namespace cctv::ui {

QColor itemColor(ColorRole role, int modelSlot = -1);
// Black or white, whichever reads better on `background`.
QColor textColorOn(const QColor& background);

}  // namespace cctv::ui
