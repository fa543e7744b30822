#include "costs/CostsPage.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QCursor>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QEvent>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHorizontalBarSeries>
#include <QLabel>
#include <QLegend>
#include <QLineSeries>
#include <QStackedBarSeries>
#include <QStackedWidget>
#include <QToolTip>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "costs/ChartCard.h"
#include "costs/ChartStyle.h"
#include "costs/CostBuckets.h"
#include "costs/PageFormat.h"
#include "costs/RangeSelector.h"

namespace cctv::ui {
namespace {

using namespace charts;

constexpr std::int64_t kNsPerMs = 1000000;

QString percentTick(double value, const pagefmt::Ticks&) { return QStringLiteral("%1%").arg(value); }

// Thin separators between stacked segments, in the card colour, keep adjacent segments apart.
void styleBarSet(QBarSet* set, const QColor& color, const QColor& separator) {
  set->setColor(color);
  set->setBorderColor(separator);
}

void showTip(const QString& text) { QToolTip::showText(QCursor::pos(), text); }

}  // namespace

CostsPage::CostsPage(QWidget* parent) : QWidget(parent), range_(new RangeSelector(this)) {
  QHBoxLayout* header = rangePageHeader(tr("Costs"), range_, this);

  // Headline tiles: the four numbers people look for first.
  auto* tiles = new QHBoxLayout;
  tiles->setSpacing(10);
  auto makeTile = [&](const QString& caption, const QString& name) {
    auto* tile = new QFrame(this);
    tile->setFrameShape(QFrame::StyledPanel);
    tile->setBackgroundRole(QPalette::Base);
    tile->setAutoFillBackground(true);
    auto* value = new QLabel(QStringLiteral("—"), tile);
    value->setObjectName(name);
    QFont big = value->font();
    big.setBold(true);
    big.setPointSizeF(big.pointSizeF() * 1.8);
    value->setFont(big);
    auto* text = new QLabel(caption, tile);
    text->setForegroundRole(QPalette::PlaceholderText);
    auto* layout = new QVBoxLayout(tile);
    layout->setContentsMargins(14, 8, 14, 8);
    layout->setSpacing(0);
    layout->addWidget(text);
    layout->addWidget(value);
    tiles->addWidget(tile, 1);
    return value;
  };
  totalCost_ = makeTile(tr("Total cost"), QStringLiteral("headlineCost"));
  totalRequests_ = makeTile(tr("API requests"), QStringLiteral("headlineRequests"));
  totalTokens_ = makeTile(tr("Tokens"), QStringLiteral("headlineTokens"));
  totalSessions_ = makeTile(tr("Sessions"), QStringLiteral("headlineSessions"));

  cards_[0] = new ChartCard(tr("Cost per day"), this);
  cards_[1] = new ChartCard(tr("Tokens per day"), this);
  cards_[2] = new ChartCard(tr("Most expensive sessions"), this);
  cards_[3] = new ChartCard(tr("Cumulative cost"), this);
  cards_[4] = new ChartCard(tr("Cache hit ratio"), this);
  card(Chart::TopSessions)->setEmptyText(tr("No sessions in this range"));
  card(Chart::Cumulative)
      ->setEmptyText(tr("Click a session in \u201cMost expensive sessions\u201d\nto see how its cost grew"));
  card(Chart::CacheHitRatio)->setEmptyText(tr("No input tokens counted yet"));
  card(Chart::CostPerDay)->view()->setObjectName(QStringLiteral("costPerDayChart"));
  card(Chart::TokensPerDay)->view()->setObjectName(QStringLiteral("tokensPerDayChart"));
  card(Chart::TopSessions)->view()->setObjectName(QStringLiteral("topSessionsChart"));
  card(Chart::Cumulative)->view()->setObjectName(QStringLiteral("cumulativeChart"));
  card(Chart::CacheHitRatio)->view()->setObjectName(QStringLiteral("cacheHitChart"));

  charts_ = new QWidget(this);
  auto* grid = new QGridLayout(charts_);
  grid->setContentsMargins(0, 0, 0, 0);
  grid->setSpacing(10);
  grid->addWidget(cards_[0], 0, 0, 1, 3);
  grid->addWidget(cards_[1], 0, 3, 1, 3);
  grid->addWidget(cards_[2], 1, 0, 1, 2);
  grid->addWidget(cards_[3], 1, 2, 1, 2);
  grid->addWidget(cards_[4], 1, 4, 1, 2);
  for (int column = 0; column < 6; ++column) grid->setColumnStretch(column, 1);

  // The page-wide empty state: one clear message rather than five empty plots.
  emptyState_ = new QWidget(this);
  emptyState_->setObjectName(QStringLiteral("costsEmptyState"));
  auto* emptyTitle = new QLabel(tr("No API requests in this range yet"), emptyState_);
  QFont emptyFont = emptyTitle->font();
  emptyFont.setPointSizeF(emptyFont.pointSizeF() * 1.4);
  emptyFont.setBold(true);
  emptyTitle->setFont(emptyFont);
  emptyTitle->setAlignment(Qt::AlignCenter);
  auto* emptyHint = new QLabel(tr("Costs appear as soon as Claude Code reports an api_request event.\n"
                                  "Pick a longer range, or check that Claude Code exports to this receiver."),
                               emptyState_);
  emptyHint->setAlignment(Qt::AlignCenter);
  emptyHint->setForegroundRole(QPalette::PlaceholderText);
  auto* emptyLayout = new QVBoxLayout(emptyState_);
  emptyLayout->addStretch(1);
  emptyLayout->addWidget(emptyTitle);
  emptyLayout->addSpacing(6);
  emptyLayout->addWidget(emptyHint);
  emptyLayout->addStretch(2);

  body_ = new QStackedWidget(this);
  body_->addWidget(charts_);
  body_->addWidget(emptyState_);
  body_->setCurrentWidget(emptyState_);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(16, 12, 16, 16);
  layout->setSpacing(10);
  layout->addLayout(header);
  layout->addLayout(tiles);
  layout->addWidget(body_, 1);

  rebuildTimer_.setSingleShot(true);
  rebuildTimer_.setInterval(kRebuildDelayMs);
  connect(&rebuildTimer_, &QTimer::timeout, this, &CostsPage::rebuild);
  connect(range_, &RangeSelector::rangeChanged, this, [this](std::int64_t fromNs, std::int64_t toNs) {
    scheduleRebuild(Daily);  // the day axis follows the range even before the new rows arrive
    Q_EMIT rangeChanged(fromNs, toNs);
  });
  scheduleRebuild(Everything);
}

ChartCard* CostsPage::card(Chart which) const { return cards_[static_cast<int>(which)]; }
QChart* CostsPage::chart(Chart which) const { return card(which)->chart(); }

void CostsPage::setDailyCosts(std::vector<data::DailyCost> rows) {
  daily_ = std::move(rows);
  scheduleRebuild(Daily);
}

void CostsPage::setTopSessions(std::vector<data::SessionSummary> sessions) {
  sessions_ = std::move(sessions);
  scheduleRebuild(Sessions);
}

void CostsPage::setSessionCount(std::int64_t count) {
  sessionCount_ = count;
  scheduleRebuild(Sessions);
}

void CostsPage::setCumulative(QString sessionId, std::vector<data::CumulativePoint> points) {
  // The selection also changes which top-session bar is highlighted.
  const unsigned parts = sessionId == selectedSession_ ? Cumulative : Cumulative | Sessions;
  selectedSession_ = std::move(sessionId);
  cumulative_ = std::move(points);
  scheduleRebuild(parts);
}

void CostsPage::setTopSessionLimit(int limit) {
  topLimit_ = std::max(1, limit);
  scheduleRebuild(Sessions);
}

void CostsPage::scheduleRebuild(unsigned parts) {
  dirty_ |= parts;
  // Started, never restarted: a steady stream of updates must still redraw every kRebuildDelayMs.
  if (!rebuildTimer_.isActive()) rebuildTimer_.start();
}

void CostsPage::changeEvent(QEvent* event) {
  QWidget::changeEvent(event);
  if (event->type() == QEvent::PaletteChange) scheduleRebuild(Everything);
}

void CostsPage::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  fitDayLabels();
}

void CostsPage::rebuild() {
  const unsigned parts = dirty_;
  dirty_ = 0;
  // A theme resets every series colour, so everything is rebuilt after it.
  if (parts & Theme)
    for (ChartCard* c : cards_) c->applyTheme();
  if (parts & (Daily | Theme)) rebuildDaily();
  if (parts & (Sessions | Theme)) rebuildSessions();
  if (parts & (Cumulative | Theme)) rebuildCumulative();
  ++rebuildCount_;
}

void CostsPage::rebuildDaily() {
  const CostBuckets buckets = bucketCosts(daily_, range_->fromNs(), range_->nowNs());
  bucketLabels_ = buckets.labels;
  rebuildHeadline(buckets);
  body_->setCurrentWidget(buckets.isEmpty() ? emptyState_ : charts_);
  const QString unit = buckets.size == BucketSize::Day    ? tr("day")
                       : buckets.size == BucketSize::Week ? tr("week")
                                                          : tr("month");
  card(Chart::CostPerDay)->setTitle(tr("Cost per %1").arg(unit));
  card(Chart::TokensPerDay)->setTitle(tr("Tokens per %1").arg(unit));
  rebuildCostChart(buckets);
  rebuildTokenChart(buckets);
  rebuildCacheChart(buckets);
  fitDayLabels();
}

void CostsPage::rebuildHeadline(const CostBuckets& buckets) {
  totalCost_->setText(pagefmt::usd(buckets.totalCost));
  totalCost_->setToolTip(QStringLiteral("$%1").arg(buckets.totalCost, 0, 'f', 6));
  totalRequests_->setText(QLocale().toString(static_cast<qlonglong>(buckets.totalRequests)));
  const data::Tokens& t = buckets.totalTokens;
  totalTokens_->setText(pagefmt::compactCount(static_cast<double>(t.total())));
  totalTokens_->setToolTip(tr("Input %1\nOutput %2\nCache read %3\nCache creation %4")
                               .arg(QLocale().toString(static_cast<qlonglong>(t.input)),
                                    QLocale().toString(static_cast<qlonglong>(t.output)),
                                    QLocale().toString(static_cast<qlonglong>(t.cacheRead)),
                                    QLocale().toString(static_cast<qlonglong>(t.cacheCreation))));
}

void CostsPage::rebuildCostChart(const CostBuckets& buckets) {
  QChart* chart = this->chart(Chart::CostPerDay);
  clearChart(chart);
  if (buckets.isEmpty()) return;
  const QColor separator = palette().color(QPalette::Base);
  auto* series = new QStackedBarSeries;
  int others = 0;
  double tallest = 0;
  for (std::size_t m = 0; m < buckets.models.size(); ++m) {
    const QString model = QString::fromStdString(buckets.models[m]);
    auto* set = new QBarSet(model);
    for (double cost : buckets.costByModel[m]) set->append(cost);
    styleBarSet(set, modelColor(buckets.models[m], others), separator);
    connect(set, &QBarSet::hovered, this, [set, model, labels = buckets.labels](bool on, int index) {
      if (on) showTip(QStringLiteral("%1\n%2: %3").arg(labels.value(index), model, pagefmt::usd(set->at(index))));
    });
    series->append(set);
  }
  for (std::size_t b = 0; b < buckets.startNs.size(); ++b) {
    double stack = 0;
    for (const auto& costs : buckets.costByModel) stack += costs[b];
    tallest = std::max(tallest, stack);
  }
  series->setBarWidth(0.7);
  chart->addSeries(series);
  QCategoryAxis* y = makeValueAxis(tallest, &pagefmt::usdTick, this);
  y->setTitleText(tr("USD"));
  chart->addAxis(makeBucketAxis(this), Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  series->attachAxis(chart->axes(Qt::Horizontal).first());
  series->attachAxis(y);
  chart->legend()->setVisible(true);
}

void CostsPage::rebuildTokenChart(const CostBuckets& buckets) {
  QChart* chart = this->chart(Chart::TokensPerDay);
  clearChart(chart);
  if (buckets.isEmpty()) return;
  const QColor separator = palette().color(QPalette::Base);
  struct Type {
    QString name;
    std::int64_t data::Tokens::*field;
    QColor color;
  };
  const Type types[] = {{tr("Input"), &data::Tokens::input, kBlue},
                        {tr("Output"), &data::Tokens::output, kOrange},
                        {tr("Cache read"), &data::Tokens::cacheRead, kGreen},
                        {tr("Cache creation"), &data::Tokens::cacheCreation, kYellow}};
  auto* series = new QStackedBarSeries;
  for (const Type& type : types) {
    auto* set = new QBarSet(type.name);
    for (const data::Tokens& tokens : buckets.tokens) set->append(static_cast<double>(tokens.*type.field));
    styleBarSet(set, type.color, separator);
    connect(set, &QBarSet::hovered, this, [set, name = type.name, labels = buckets.labels](bool on, int index) {
      if (on)
        showTip(QStringLiteral("%1\n%2: %3")
                    .arg(labels.value(index), name, QLocale().toString(static_cast<qlonglong>(set->at(index)))));
    });
    series->append(set);
  }
  double tallest = 0;
  for (const data::Tokens& tokens : buckets.tokens) tallest = std::max(tallest, static_cast<double>(tokens.total()));
  series->setBarWidth(0.7);
  chart->addSeries(series);
  QCategoryAxis* y = makeValueAxis(tallest, &pagefmt::countTick, this);
  y->setTitleText(tr("tokens"));
  chart->addAxis(makeBucketAxis(this), Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  series->attachAxis(chart->axes(Qt::Horizontal).first());
  series->attachAxis(y);
  chart->legend()->setVisible(true);
}

void CostsPage::rebuildCacheChart(const CostBuckets& buckets) {
  ChartCard* card = this->card(Chart::CacheHitRatio);
  QChart* chart = card->chart();
  clearChart(chart);
  const double overall = cacheHitRatio(buckets.totalTokens);
  card->setHeadline(overall < 0 ? QString() : pagefmt::percent(overall), tr("overall"));
  card->setEmpty(overall < 0);
  if (overall < 0) return;

  auto* series = new QLineSeries;
  series->setName(tr("Cache hit ratio"));
  for (std::size_t b = 0; b < buckets.tokens.size(); ++b) {
    const double ratio = cacheHitRatio(buckets.tokens[b]);
    if (ratio >= 0) series->append(static_cast<double>(b), ratio * 100);  // buckets without input: a gap
  }
  series->setColor(kGreen);
  QPen pen = series->pen();
  pen.setWidthF(2.5);
  series->setPen(pen);
  series->setPointsVisible(true);
  connect(series, &QLineSeries::hovered, this, [labels = buckets.labels](const QPointF& point, bool on) {
    if (on)
      showTip(QStringLiteral("%1: %2").arg(labels.value(static_cast<int>(std::lround(point.x()))),
                                           pagefmt::percent(point.y() / 100)));
  });
  chart->addSeries(series);
  auto* y = new QCategoryAxis;
  y->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
  y->setStartValue(0);
  for (int value = 0; value <= 100; value += 25) y->append(percentTick(value, {}), value);
  y->setRange(0, 100);
  styleAxis(y, this);
  chart->addAxis(makeBucketAxis(this), Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  series->attachAxis(chart->axes(Qt::Horizontal).first());
  series->attachAxis(y);
  chart->legend()->setVisible(false);
}

void CostsPage::rebuildSessions() {
  std::vector<const data::SessionSummary*> top;
  top.reserve(sessions_.size());
  for (const data::SessionSummary& session : sessions_) top.push_back(&session);
  std::stable_sort(top.begin(), top.end(), [](const auto* a, const auto* b) { return a->costUsd > b->costUsd; });
  if (top.size() > static_cast<std::size_t>(topLimit_)) top.resize(static_cast<std::size_t>(topLimit_));
  // Horizontal bars grow upwards from index 0; reversed so the most expensive session is on top.
  std::reverse(top.begin(), top.end());

  const auto sessionCount = sessionCount_ >= 0 ? sessionCount_ : static_cast<std::int64_t>(sessions_.size());
  totalSessions_->setText(QLocale().toString(static_cast<qlonglong>(sessionCount)));
  ChartCard* card = this->card(Chart::TopSessions);
  QChart* chart = card->chart();
  clearChart(chart);
  chartedSessionIds_.clear();
  card->setEmpty(top.empty());
  if (top.empty()) return;

  QStringList labels;
  QStringList tips;  // built now: the hover handler must not point into sessions_, which a setter may replace
  auto* set = new QBarSet(tr("Cost"));
  for (const data::SessionSummary* session : top) {
    tips << tr("%1\n%2 · %3 requests · %4 tokens\nClick to plot its cumulative cost")
                .arg(QString::fromStdString(session->sessionId), pagefmt::usd(session->costUsd))
                .arg(session->apiRequests)
                .arg(pagefmt::compactCount(static_cast<double>(session->tokens.total())));
    QString label = pagefmt::sessionLabel(session->sessionId, session->firstNs);
    // Category labels must be unique; two sessions sharing a prefix and a day get a longer id.
    for (int extra = 9; labels.contains(label) && extra <= static_cast<int>(session->sessionId.size()); ++extra)
      label = QString::fromStdString(session->sessionId).left(extra) + QStringLiteral(" · ") +
              pagefmt::utcDayLabel(session->firstNs);
    if (labels.contains(label)) label += QStringLiteral(" (%1)").arg(labels.size());
    labels.push_back(label);
    set->append(session->costUsd);
    chartedSessionIds_.push_back(session->sessionId);
  }
  set->setColor(kBlue);
  set->setBorderColor(kBlue);
  set->setSelectedColor(kOrange);
  for (std::size_t i = 0; i < chartedSessionIds_.size(); ++i)
    if (QString::fromStdString(chartedSessionIds_[i]) == selectedSession_) set->selectBar(static_cast<int>(i));
  connect(set, &QBarSet::clicked, this, [this, set](int index) {
    if (index < 0 || index >= static_cast<int>(chartedSessionIds_.size())) return;
    set->deselectAllBars();
    set->selectBar(index);  // immediate feedback; setCumulative() confirms the selection
    Q_EMIT sessionActivated(QString::fromStdString(chartedSessionIds_[static_cast<std::size_t>(index)]));
  });
  connect(set, &QBarSet::hovered, this, [tips](bool on, int index) {
    if (on && index >= 0 && index < tips.size()) showTip(tips.at(index));
  });
  auto* series = new QHorizontalBarSeries;
  series->append(set);
  series->setBarWidth(0.7);
  series->setLabelsVisible(true);
  series->setLabelsFormat(QStringLiteral("$@value"));
  series->setLabelsPrecision(3);
  series->setLabelsPosition(QAbstractBarSeries::LabelsOutsideEnd);
  chart->addSeries(series);
  set->setLabelColor(palette().color(QPalette::Text));
  set->setLabelFont(smallerFont(font(), 0.8));

  double largest = 0;
  for (const auto* session : top) largest = std::max(largest, session->costUsd);
  // Room on the right for the value label of the longest bar.
  QCategoryAxis* x = makeValueAxis(largest * 1.25, &pagefmt::usdTick, this);
  QBarCategoryAxis* y = makeCategoryAxis(labels, this);
  chart->addAxis(x, Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  series->attachAxis(x);
  series->attachAxis(y);
  chart->legend()->setVisible(false);
}

void CostsPage::rebuildCumulative() {
  ChartCard* card = this->card(Chart::Cumulative);
  QChart* chart = card->chart();
  clearChart(chart);
  if (selectedSession_.isEmpty()) {
    card->setTitle(tr("Cumulative cost"));
    card->setToolTip(QString());
    card->setHeadline(QString(), QString());
    card->setEmptyText(tr("Click a session in \u201cMost expensive sessions\u201d\nto see how its cost grew"));
    card->setEmpty(true);
    return;
  }
  card->setTitle(tr("Cumulative cost · session %1").arg(selectedSession_.left(8)));
  card->setToolTip(selectedSession_);
  if (cumulative_.empty()) {
    card->setHeadline(QString(), QString());
    card->setEmptyText(tr("No API requests for session %1 in this range").arg(selectedSession_.left(8)));
    card->setEmpty(true);
    return;
  }
  card->setEmpty(false);

  auto* series = new QLineSeries;
  series->setName(selectedSession_);
  double top = 0;
  for (const data::CumulativePoint& point : cumulative_) {
    series->append(static_cast<double>(point.timeNs / kNsPerMs), point.costUsd);
    top = std::max(top, point.costUsd);
  }
  card->setHeadline(pagefmt::usd(cumulative_.back().costUsd), tr("total"));
  series->setColor(kBlue);
  QPen pen = series->pen();
  pen.setWidthF(2.5);
  series->setPen(pen);
  series->setPointsVisible(cumulative_.size() <= 60);  // markers help with a few requests, clutter with many
  connect(series, &QLineSeries::hovered, this, [](const QPointF& point, bool on) {
    if (on)
      showTip(QStringLiteral("%1\n%2").arg(
          QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(point.x())).toString(QStringLiteral("MMM d HH:mm:ss")),
          pagefmt::usd(point.y())));
  });
  chart->addSeries(series);

  std::int64_t firstMs = cumulative_.front().timeNs / kNsPerMs;
  std::int64_t lastMs = cumulative_.back().timeNs / kNsPerMs;
  if (lastMs - firstMs < 60000) {  // a single request still gets a readable minute-wide axis
    firstMs -= 30000;
    lastMs += 30000;
  }
  // A little room on both sides so the first and last markers are not cut in half by the plot edge.
  const std::int64_t pad = (lastMs - firstMs) / 40;
  firstMs -= pad;
  lastMs += pad;
  auto* x = new QDateTimeAxis;
  const std::int64_t spanMs = lastMs - firstMs;
  x->setFormat(spanMs <= 10LL * 60 * 1000     ? QStringLiteral("HH:mm:ss")
               : spanMs <= 24LL * 3600 * 1000 ? QStringLiteral("HH:mm")
                                              : QStringLiteral("MMM d HH:mm"));
  x->setRange(QDateTime::fromMSecsSinceEpoch(firstMs), QDateTime::fromMSecsSinceEpoch(lastMs));
  x->setTickCount(5);
  styleAxis(x, this);
  chart->addAxis(x, Qt::AlignBottom);
  QCategoryAxis* y = makeValueAxis(top, &pagefmt::usdTick, this);
  chart->addAxis(y, Qt::AlignLeft);
  series->attachAxis(x);
  series->attachAxis(y);
  chart->legend()->setVisible(false);
}

// Shows as many bucket labels as fit side by side at the current width: all of them for a week, every second or
// third day for a month. Runs after each rebuild and on resize.
void CostsPage::fitDayLabels() {
  if (bucketLabels_.isEmpty()) return;
  for (Chart which : {Chart::CostPerDay, Chart::TokensPerDay, Chart::CacheHitRatio}) {
    ChartCard* c = card(which);
    const auto axes = c->chart()->axes(Qt::Horizontal);
    auto* axis = axes.isEmpty() ? nullptr : qobject_cast<QCategoryAxis*>(axes.first());
    if (!axis) continue;
    const QFontMetrics metrics(axis->labelsFont());
    int widest = 0;
    for (const QString& label : bucketLabels_) widest = std::max(widest, metrics.horizontalAdvance(label));
    const double slot = std::max(1.0, (c->view()->width() - 70.0) / bucketLabels_.size());  // minus the y axis
    const int every = std::max(1, static_cast<int>(std::ceil((widest + 14) / slot)));
    if (axis->property("every").toInt() == every && axis->count() > 0) continue;
    axis->setProperty("every", every);
    labelBuckets(axis, bucketLabels_, every);
  }
}

}  // namespace cctv::ui
