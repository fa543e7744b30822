#include "costs/ChartCard.h"

#include "costs/ChartExport.h"

#include <QChart>
#include <QChartView>
#include <QGraphicsLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegend>
#include <QPalette>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace cctv::ui {

bool isDarkPalette(const QPalette& palette) { return palette.color(QPalette::Window).lightness() < 128; }

ChartCard::ChartCard(const QString& title, QWidget* parent)
    : QFrame(parent),
      title_(new QLabel(title, this)),
      headlineValue_(new QLabel(this)),
      headlineCaption_(new QLabel(this)),
      stack_(new QStackedWidget(this)),
      chart_(new QChart),
      view_(new QChartView(chart_, this)),
      empty_(new QLabel(this)) {
  setFrameShape(QFrame::StyledPanel);
  setBackgroundRole(QPalette::Base);
  setAutoFillBackground(true);

  QFont titleFont = title_->font();
  titleFont.setBold(true);
  titleFont.setPointSizeF(titleFont.pointSizeF() * 1.1);
  title_->setFont(titleFont);
  title_->setObjectName(QStringLiteral("cardTitle"));

  QFont bigFont = headlineValue_->font();
  bigFont.setBold(true);
  bigFont.setPointSizeF(bigFont.pointSizeF() * 1.6);
  headlineValue_->setFont(bigFont);
  headlineValue_->setObjectName(QStringLiteral("cardHeadline"));
  headlineCaption_->setForegroundRole(QPalette::PlaceholderText);
  headlineValue_->hide();
  headlineCaption_->hide();

  auto* header = new QHBoxLayout;
  header->addWidget(title_, 1);
  header->addWidget(headlineCaption_, 0, Qt::AlignBottom);
  header->addWidget(headlineValue_, 0, Qt::AlignBottom);

  view_->setRenderHint(QPainter::Antialiasing);
  view_->setFrameShape(QFrame::NoFrame);
  view_->setMinimumHeight(200);
  addChartSaveMenu(view_, title);
  // Little outer padding (the card has its own), just enough for the top and rightmost axis labels, which
  // stick out of the plot area by half their size.
  chart_->setMargins(QMargins(0, 10, 14, 0));
  chart_->layout()->setContentsMargins(0, 0, 0, 0);
  chart_->setBackgroundRoundness(0);
  chart_->legend()->setAlignment(Qt::AlignTop);

  empty_->setAlignment(Qt::AlignCenter);
  empty_->setWordWrap(true);
  empty_->setForegroundRole(QPalette::PlaceholderText);
  empty_->setObjectName(QStringLiteral("cardEmpty"));
  QFont emptyFont = empty_->font();
  emptyFont.setPointSizeF(emptyFont.pointSizeF() * 1.1);
  empty_->setFont(emptyFont);

  stack_->addWidget(view_);
  stack_->addWidget(empty_);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(12, 10, 12, 8);
  layout->setSpacing(4);
  layout->addLayout(header);
  layout->addWidget(stack_, 1);

  applyTheme();
}

void ChartCard::setTitle(const QString& title) { title_->setText(title); }
QString ChartCard::title() const { return title_->text(); }

void ChartCard::setHeadline(const QString& value, const QString& caption) {
  headlineValue_->setText(value);
  headlineCaption_->setText(caption);
  headlineValue_->setVisible(!value.isEmpty());
  headlineCaption_->setVisible(!value.isEmpty() && !caption.isEmpty());
}
QString ChartCard::headline() const { return headlineValue_->text(); }

void ChartCard::setEmptyText(const QString& text) { empty_->setText(text); }
QString ChartCard::emptyText() const { return empty_->text(); }

void ChartCard::setEmpty(bool empty) { stack_->setCurrentWidget(empty ? static_cast<QWidget*>(empty_) : view_); }
bool ChartCard::isEmpty() const { return stack_->currentWidget() == empty_; }

void ChartCard::applyTheme() {
  const QPalette pal = palette();
  chart_->setTheme(isDarkPalette(pal) ? QChart::ChartThemeDark : QChart::ChartThemeLight);
  // The themes bring their own backgrounds (a blue-grey for dark); the card's Base colour looks native instead.
  const QColor base = pal.color(QPalette::Base);
  chart_->setBackgroundBrush(base);
  chart_->setBackgroundPen(Qt::NoPen);
  chart_->setPlotAreaBackgroundVisible(false);
  view_->setBackgroundBrush(base);
  QFont legendFont = font();
  legendFont.setPointSizeF(legendFont.pointSizeF() * 0.9);
  chart_->legend()->setFont(legendFont);
  chart_->legend()->setLabelColor(pal.color(QPalette::Text));
}

}  // namespace cctv::ui
