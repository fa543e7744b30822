#include "costs/ChartExport.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMessageBox>
#include <QPainter>
#include <QPixmap>
#include <QSvgGenerator>
#include <QWidget>

namespace cctv::ui {

bool saveChart(QWidget* view, const QString& path, const QString& title, QString* error) {
  const QString suffix = QFileInfo(path).suffix().toLower();
  if (suffix == QLatin1String("png")) {
    if (view->grab().save(path, "PNG")) return true;
    *error = QObject::tr("cannot write %1").arg(path);
    return false;
  }
  if (suffix == QLatin1String("svg")) {
    QSvgGenerator svg;
    svg.setFileName(path);
    svg.setSize(view->size());
    svg.setViewBox(QRect(QPoint(0, 0), view->size()));
    svg.setTitle(title);
    svg.setDescription(QObject::tr("Chart exported by cctv"));
    QPainter painter;
    if (!painter.begin(&svg)) {
      *error = QObject::tr("cannot write %1").arg(path);
      return false;
    }
    view->render(&painter);
    painter.end();
    if (QFileInfo(path).size() > 0) return true;
    *error = QObject::tr("cannot write %1").arg(path);
    return false;
  }
  *error = QObject::tr("%1: save as .png or .svg").arg(path);
  return false;
}

void addChartSaveMenu(QWidget* view, const QString& title) {
  view->setContextMenuPolicy(Qt::CustomContextMenu);
  QObject::connect(view, &QWidget::customContextMenuRequested, view, [view, title](const QPoint& pos) {
    QMenu menu(view);
    menu.addAction(QObject::tr("Save chart as PNG…"));
    QAction* svg = menu.addAction(QObject::tr("Save chart as SVG…"));
    QAction* picked = menu.exec(view->mapToGlobal(pos));
    if (!picked) return;
    const bool isSvg = picked == svg;
    QString base = title.toLower();
    base.replace(QLatin1Char(' '), QLatin1Char('-'));
    const QString path = QFileDialog::getSaveFileName(
        view, isSvg ? QObject::tr("Save chart as SVG") : QObject::tr("Save chart as PNG"), QDir::home().filePath(base + (isSvg ? ".svg" : ".png")),
        isSvg ? QObject::tr("SVG (*.svg)") : QObject::tr("PNG (*.png)"));
    if (path.isEmpty()) return;
    QString error;
    if (!saveChart(view, path, title, &error)) QMessageBox::warning(view, QObject::tr("Save chart"), error);
  });
}

}  // namespace cctv::ui
