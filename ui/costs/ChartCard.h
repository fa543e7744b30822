#pragma once
// One tile of the Costs page: a header (title, optional big number with a caption) above either a chart or a
// designed empty-state message. Keeping the empty state per tile lets one chart say "select a session" while the
// others show data.

#include <QFrame>
#include <QString>

class QLabel;
class QStackedWidget;
class QChart;
class QChartView;

namespace cctv::ui {

class ChartCard : public QFrame {
  Q_OBJECT

 public:
  explicit ChartCard(const QString& title, QWidget* parent = nullptr);

  QChart* chart() const { return chart_; }
  QChartView* view() const { return view_; }

  void setTitle(const QString& title);
  QString title() const;
  // A large figure at the right of the header (e.g. the overall cache hit ratio); empty text hides it.
  void setHeadline(const QString& value, const QString& caption);
  QString headline() const;

  void setEmptyText(const QString& text);
  QString emptyText() const;
  // Shows the empty-state message instead of the chart.
  void setEmpty(bool empty);
  bool isEmpty() const;

  // Colours the chart for the current palette: Qt's dark theme on a dark window, light otherwise, with the
  // background taken from the palette so the chart blends with the card. Resets series colours (the page
  // re-applies its own afterwards).
  void applyTheme();

 private:
  QLabel* title_ = nullptr;
  QLabel* headlineValue_ = nullptr;
  QLabel* headlineCaption_ = nullptr;
  QStackedWidget* stack_ = nullptr;
  QChart* chart_ = nullptr;
  QChartView* view_ = nullptr;
  QLabel* empty_ = nullptr;
};

// True when the palette's window colour is dark, the test both pages use to pick chart themes and accents.
bool isDarkPalette(const QPalette& palette);

}  // namespace cctv::ui
