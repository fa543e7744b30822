#pragma once
// Saving a chart as a picture: PNG (pixels, at the widget's size and the screen's scale) or SVG (vectors,
// through Qt Svg's QSvgGenerator), chosen by the file's suffix.

#include <QString>

class QWidget;

namespace cctv::ui {

// Renders `view` into `path` (.png or .svg). False with a reason when the suffix is neither or the file
// cannot be written.
bool saveChart(QWidget* view, const QString& path, const QString& title, QString* error);

// Adds "Save chart as PNG…" / "Save chart as SVG…" to `view`'s context menu.
void addChartSaveMenu(QWidget* view, const QString& title);

}  // namespace cctv::ui
