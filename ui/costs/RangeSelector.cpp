#include "costs/RangeSelector.h"

#include <QButtonGroup>
#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>

namespace cctv::ui {
namespace {

constexpr std::int64_t kNsPerMs = 1000000;

}  // namespace

RangeSelector::RangeSelector(QWidget* parent) : QWidget(parent), buttons_(new QButtonGroup(this)) {
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(0);  // touching buttons read as one segmented control

  const struct {
    Range range;
    const char* text;
    const char* tip;
  } choices[] = {
      {Range::Today, QT_TR_NOOP("Today"), QT_TR_NOOP("Since midnight UTC")},
      {Range::Week, QT_TR_NOOP("7 days"), QT_TR_NOOP("Today and the 6 days before (UTC)")},
      {Range::Month, QT_TR_NOOP("30 days"), QT_TR_NOOP("Today and the 29 days before (UTC)")},
      {Range::All, QT_TR_NOOP("All"), QT_TR_NOOP("Everything in the database")},
  };
  for (const auto& choice : choices) {
    auto* button = new QToolButton(this);
    button->setText(tr(choice.text));
    button->setToolTip(tr(choice.tip));
    button->setCheckable(true);
    // Bold marks the chosen segment: some styles draw a checked tool button barely darker in dark palettes.
    connect(button, &QToolButton::toggled, button, [button](bool on) {
      QFont font = button->font();
      font.setBold(on);
      button->setFont(font);
    });
    button->setChecked(choice.range == range_);
    button->setToolButtonStyle(Qt::ToolButtonTextOnly);
    button->setMinimumWidth(64);
    button->setObjectName(QStringLiteral("range%1").arg(static_cast<int>(choice.range)));
    buttons_->addButton(button, static_cast<int>(choice.range));
    layout->addWidget(button);
  }
  buttons_->setExclusive(true);
  connect(buttons_, &QButtonGroup::idClicked, this, [this](int id) { setRange(static_cast<Range>(id)); });
}

void RangeSelector::setRange(Range range) {
  if (QAbstractButton* button = buttons_->button(static_cast<int>(range))) button->setChecked(true);
  if (range == range_) return;
  range_ = range;
  Q_EMIT rangeChanged(fromNs(), toNs());
}

std::int64_t RangeSelector::nowNs() const {
  if (clock_) return clock_();
  return QDateTime::currentMSecsSinceEpoch() * kNsPerMs;
}

void RangeSelector::setClock(std::function<std::int64_t()> nowNs) { clock_ = std::move(nowNs); }

std::int64_t RangeSelector::rangeStartNs(Range range, std::int64_t nowNs) {
  int daysBack = 0;
  switch (range) {
    case Range::Today:
      daysBack = 0;
      break;
    case Range::Week:
      daysBack = 6;
      break;
    case Range::Month:
      daysBack = 29;
      break;
    case Range::All:
      return 0;
  }
  const QDate today = QDateTime::fromMSecsSinceEpoch(nowNs / kNsPerMs, Qt::UTC).date();
  return QDateTime(today.addDays(-daysBack), QTime(0, 0), Qt::UTC).toMSecsSinceEpoch() * kNsPerMs;
}

QHBoxLayout* rangePageHeader(const QString& title, RangeSelector* range, QWidget* page) {
  auto* label = new QLabel(title, page);
  QFont font = label->font();
  font.setBold(true);
  font.setPointSizeF(font.pointSizeF() * 1.5);
  label->setFont(font);
  auto* header = new QHBoxLayout;
  header->addWidget(label);
  header->addStretch(1);
  header->addWidget(range);
  return header;
}

}  // namespace cctv::ui
