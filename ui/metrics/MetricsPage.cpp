#include "metrics/MetricsPage.h"

#include <QBarSet>
#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QCursor>
#include <QEvent>
#include <QFrame>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QSplitter>
#include <QStackedBarSeries>
#include <QTableWidget>
#include <QToolTip>
#include <QVBoxLayout>

#include <cmath>

#include "Format.h"
#include "costs/ChartCard.h"
#include "costs/ChartStyle.h"
#include "costs/PageFormat.h"
#include "costs/RangeSelector.h"
#include "metrics/MetricBuckets.h"
#include "metrics/MetricsText.h"

namespace cctv::ui {

namespace {

using namespace charts;

// The split-by choices: a label and the attribute (or "session") the query groups by.
struct Dimension {
  const char* label;
  const char* key;
};
const Dimension kDimensions[] = {{"model", "model"},   {"type", "type"},         {"session", "session"},
                                 {"query source", "query_source"}, {"decision", "decision"},
                                 {"tool", "tool_name"}, {"terminal", "terminal.type"}, {"nothing", ""}};

QColor keyColor(const std::string& key, int index, int& othersUsed) {
  if (key.find("claude") != std::string::npos) return modelColor(key, othersUsed);
  static const QColor palette[] = {kBlue, kOrange, kGreen, kRed, kTeal, kYellow, kPurple, kBrown};
  return palette[index % 8];
}

QString count(double v) { return QLocale().toString(v, 'f', std::abs(v - std::round(v)) < 1e-9 ? 0 : 1); }

// A table cell that sorts by a number while showing text.
class NumberItem : public QTableWidgetItem {
 public:
  NumberItem(const QString& text, double value) : QTableWidgetItem(text) {
    setData(Qt::UserRole, value);
    setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
  }
  bool operator<(const QTableWidgetItem& other) const override {
    return data(Qt::UserRole).toDouble() < other.data(Qt::UserRole).toDouble();
  }
};

}  // namespace

MetricsPage::MetricsPage(QWidget* parent) : QWidget(parent), range_(new RangeSelector(this)) {
  QHBoxLayout* header = rangePageHeader(tr("Metrics"), range_, this);

  totals_ = new QLabel(this);
  totals_->setObjectName(QStringLiteral("metricTotals"));
  totals_->setTextFormat(Qt::RichText);
  totals_->setWordWrap(true);
  totals_->setFrameShape(QFrame::StyledPanel);
  totals_->setBackgroundRole(QPalette::Base);
  totals_->setAutoFillBackground(true);
  totals_->setMargin(10);
  totals_->setTextInteractionFlags(Qt::TextSelectableByMouse);

  metricBox_ = new QComboBox(this);
  metricBox_->setObjectName(QStringLiteral("metricBox"));
  metricBox_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  metricBox_->addItem(QStringLiteral("claude_code.cost.usage"));
  dimensionBox_ = new QComboBox(this);
  dimensionBox_->setObjectName(QStringLiteral("dimensionBox"));
  for (const Dimension& d : kDimensions) dimensionBox_->addItem(tr(d.label), QString::fromLatin1(d.key));
  chart_ = new ChartCard(tr("Over time"), this);
  chart_->view()->setObjectName(QStringLiteral("metricChart"));
  chart_->setEmptyText(tr("No points of this metric in the range.\nClaude Code exports metrics every 60 s by "
                          "default (OTEL_METRIC_EXPORT_INTERVAL), and at exit."));
  chart_->setEmpty(true);
  auto* chartBar = new QHBoxLayout;
  chartBar->addWidget(new QLabel(tr("Metric"), this));
  chartBar->addWidget(metricBox_);
  chartBar->addSpacing(12);
  chartBar->addWidget(new QLabel(tr("split by"), this));
  chartBar->addWidget(dimensionBox_);
  chartBar->addStretch(1);
  auto* chartBox = new QWidget(this);
  auto* chartLayout = new QVBoxLayout(chartBox);
  chartLayout->setContentsMargins(0, 0, 0, 0);
  chartLayout->addLayout(chartBar);
  chartLayout->addWidget(chart_, 1);

  tableTitle_ = new QLabel(tr("<b>Events against metrics</b>, per session: the api_request events' cost and tokens "
                              "next to the cost.usage and token.usage totals"),
                           this);
  tableTitle_->setWordWrap(true);
  table_ = new QTableWidget(0, 8, this);
  table_->setObjectName(QStringLiteral("reconciliationTable"));
  table_->setHorizontalHeaderLabels({tr("Session"), tr("Started"), tr("API calls"), tr("Cost (events)"),
                                     tr("Cost (metrics)"), tr("Tokens (events)"), tr("Tokens (metrics)"), tr("Status")});
  // Sized to the content once (rebuildTable), not on every update: ResizeToContents measures every row each time.
  table_->horizontalHeader()->setSectionResizeMode(7, QHeaderView::Stretch);
  table_->verticalHeader()->hide();
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->setSortingEnabled(true);
  table_->sortByColumn(1, Qt::DescendingOrder);  // newest session first, like the session list
  table_->setWordWrap(false);
  table_->setToolTip(tr("Double-click a session to open it"));
  auto* tableBox = new QWidget(this);
  auto* tableLayout = new QVBoxLayout(tableBox);
  tableLayout->setContentsMargins(0, 0, 0, 0);
  tableLayout->addWidget(tableTitle_);
  tableLayout->addWidget(table_, 1);

  auto* split = new QSplitter(Qt::Vertical, this);
  split->addWidget(chartBox);
  split->addWidget(tableBox);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(12, 10, 12, 10);
  layout->addLayout(header);
  layout->addWidget(totals_);
  layout->addWidget(split, 1);

  rebuildTimer_.setSingleShot(true);
  rebuildTimer_.setInterval(kRebuildDelayMs);
  connect(&rebuildTimer_, &QTimer::timeout, this, &MetricsPage::rebuild);
  connect(range_, &RangeSelector::rangeChanged, this, &MetricsPage::rangeChanged);
  connect(metricBox_, &QComboBox::currentIndexChanged, this, [this] { Q_EMIT seriesChanged(); });
  connect(dimensionBox_, &QComboBox::currentIndexChanged, this, [this] { Q_EMIT seriesChanged(); });
  connect(table_, &QTableWidget::cellDoubleClicked, this, [this](int row) {
    if (auto* item = table_->item(row, 0)) Q_EMIT sessionActivated(item->data(Qt::UserRole).toString());
  });
  setTotals({});
}

std::string MetricsPage::metric() const { return metricBox_->currentText().toStdString(); }

std::string MetricsPage::dimension() const { return dimensionBox_->currentData().toString().toStdString(); }

void MetricsPage::setTotals(const data::MetricTotals& t) {
  totalsData_ = t;
  scheduleRebuild();
}

void MetricsPage::setMetricNames(const std::vector<std::string>& names) {
  const QString current = metricBox_->currentText();
  QStringList items;
  for (const auto& n : names) items << QString::fromStdString(n);
  if (!items.contains(current)) items.prepend(current);
  QStringList have;
  for (int i = 0; i < metricBox_->count(); ++i) have << metricBox_->itemText(i);
  if (have == items) return;
  const QSignalBlocker block(metricBox_);  // same metric still selected: no new query
  metricBox_->clear();
  metricBox_->addItems(items);
  metricBox_->setCurrentText(current);
}

void MetricsPage::setSeries(std::vector<data::MetricBucket> rows, std::int64_t rowBucketNs) {
  series_ = std::move(rows);
  seriesBucketNs_ = rowBucketNs;
  scheduleRebuild();
}

void MetricsPage::setReconciliation(std::vector<data::Reconciliation> rows) {
  reconciliation_ = std::move(rows);
  scheduleRebuild();
}

void MetricsPage::changeEvent(QEvent* e) {
  QWidget::changeEvent(e);
  if (e->type() == QEvent::PaletteChange) scheduleRebuild();
}

void MetricsPage::scheduleRebuild() {
  if (!rebuildTimer_.isActive()) rebuildTimer_.start();
}

void MetricsPage::rebuild() {
  ++rebuildCount_;
  const data::MetricTotals& t = totalsData_;
  if (t.points == 0) {
    totals_->setText(tr("<b>No metrics in this range.</b> Claude Code sends them when "
                        "<code>OTEL_METRICS_EXPORTER=otlp</code> is set: every 60 s by default, and at exit."));
  } else {
    const QString cell = QStringLiteral("<td style='padding-right:22px'><span style='color:%1'>").arg(
                             palette().color(QPalette::PlaceholderText).name()) +
                         QStringLiteral("%1</span><br><b style='font-size:large'>%2</b></td>");
    QString html = QStringLiteral("<table><tr>");
    html += cell.arg(tr("Cost"), pagefmt::usd(t.costUsd));
    html += cell.arg(tr("Tokens"), pagefmt::compactCount(static_cast<double>(t.tokens.total())));
    html += cell.arg(tr("Lines added / removed"), QStringLiteral("+%1 / \u2212%2").arg(count(t.linesAdded), count(t.linesRemoved)));
    html += cell.arg(tr("Commits / PRs"), QStringLiteral("%1 / %2").arg(count(t.commits), count(t.pullRequests)));
    html += cell.arg(tr("Active time (CLI / user)"), QStringLiteral("%1 / %2").arg(fmt::durationMs(t.activeCliSeconds * 1000.0),
                                                                                  fmt::durationMs(t.activeUserSeconds * 1000.0)));
    html += cell.arg(tr("Edits accepted / rejected"), QStringLiteral("%1 / %2").arg(count(t.editAccepts), count(t.editRejects)));
    html += cell.arg(tr("Sessions started"), count(t.sessionsStarted));
    html += QStringLiteral("</tr></table>");
    totals_->setText(html);
    totals_->setToolTip(tr("Tokens: input %1, output %2, cache read %3, cache creation %4\n%5 data points, the newest at %6")
                            .arg(QLocale().toString(static_cast<qlonglong>(t.tokens.input)),
                                 QLocale().toString(static_cast<qlonglong>(t.tokens.output)),
                                 QLocale().toString(static_cast<qlonglong>(t.tokens.cacheRead)),
                                 QLocale().toString(static_cast<qlonglong>(t.tokens.cacheCreation)))
                            .arg(t.points)
                            .arg(fmt::dateTime(t.lastPointNs)));
  }
  rebuildChart();
  rebuildTable();
}

void MetricsPage::rebuildChart() {
  const MetricChartData d = bucketMetric(series_, range_->fromNs(), 0, seriesBucketNs_);
  QChart* chart = chart_->chart();
  clearChart(chart);
  chart_->applyTheme();
  chart_->setEmpty(d.isEmpty());
  const QString name = QString::fromStdString(metric());
  chart_->setTitle(tr("%1 over time").arg(name));
  if (d.isEmpty()) {
    chart_->setHeadline({}, {});
    return;
  }
  const bool money = name.endsWith(QLatin1String("cost.usage"));
  chart_->setHeadline(money ? pagefmt::usd(d.total) : pagefmt::compactCount(d.total), tr("in the range"));
  auto* series = new QStackedBarSeries;
  int others = 0;
  for (std::size_t k = 0; k < d.keys.size(); ++k) {
    const QString key = QString::fromStdString(d.keys[k]);
    auto* set = new QBarSet(key.size() > 40 ? key.left(8) : key);
    for (double v : d.values[k]) set->append(v);
    set->setColor(keyColor(d.keys[k], static_cast<int>(k), others));
    set->setBorderColor(palette().color(QPalette::Base));
    connect(set, &QBarSet::hovered, this, [set, key, money, labels = d.labels](bool on, int index) {
      if (on)
        QToolTip::showText(QCursor::pos(), QStringLiteral("%1\n%2: %3").arg(labels.value(index), key,
                                                                           money ? pagefmt::usd(set->at(index))
                                                                                 : pagefmt::compactCount(set->at(index))));
    });
    series->append(set);
  }
  double tallest = 0;
  for (std::size_t b = 0; b < d.startNs.size(); ++b) {
    double stack = 0;
    for (const auto& v : d.values) stack += v[b];
    tallest = std::max(tallest, stack);
  }
  series->setBarWidth(0.7);
  chart->addSeries(series);
  QCategoryAxis* y = makeValueAxis(tallest, money ? &pagefmt::usdTick : &pagefmt::countTick, this);
  QCategoryAxis* x = makeBucketAxis(this);
  const int every = std::max(1, static_cast<int>(d.labels.size()) / 12);
  labelBuckets(x, d.labels, every);
  chart->addAxis(x, Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  series->attachAxis(x);
  series->attachAxis(y);
  chart->legend()->setVisible(true);
}

void MetricsPage::rebuildTable() {
  const QString selected = table_->currentRow() >= 0 && table_->item(table_->currentRow(), 0)
                               ? table_->item(table_->currentRow(), 0)->data(Qt::UserRole).toString()
                               : QString();
  table_->setSortingEnabled(false);
  table_->setRowCount(static_cast<int>(reconciliation_.size()));
  int differ = 0;
  for (int i = 0; i < static_cast<int>(reconciliation_.size()); ++i) {
    const data::Reconciliation& r = reconciliation_[static_cast<std::size_t>(i)];
    const QString sid = QString::fromStdString(r.sessionId);
    auto* session = new QTableWidgetItem(fmt::shortId(sid));
    session->setData(Qt::UserRole, sid);
    session->setToolTip(sid);
    table_->setItem(i, 0, session);
    auto* started = new NumberItem(fmt::dateTime(r.firstNs), static_cast<double>(r.firstNs));
    started->setTextAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    table_->setItem(i, 1, started);
    table_->setItem(i, 2, new NumberItem(QString::number(r.apiRequests), static_cast<double>(r.apiRequests)));
    table_->setItem(i, 3, new NumberItem(pagefmt::usd(r.eventCostUsd), r.eventCostUsd));
    const bool hasMetrics = r.metrics.points > 0;
    table_->setItem(i, 4, new NumberItem(hasMetrics ? pagefmt::usd(r.metrics.costUsd) : QStringLiteral("\u2014"), r.metrics.costUsd));
    table_->setItem(i, 5, new NumberItem(QLocale().toString(static_cast<qlonglong>(r.eventTokens.total())),
                                         static_cast<double>(r.eventTokens.total())));
    table_->setItem(i, 6, new NumberItem(hasMetrics ? QLocale().toString(static_cast<qlonglong>(r.metrics.tokens.total()))
                                                    : QStringLiteral("\u2014"),
                                         static_cast<double>(r.metrics.tokens.total())));
    const QString verdict = reconcileVerdict(r, false);
    auto* status = new QTableWidgetItem(verdict.isEmpty() ? tr("\u2014 no cost or tokens to compare") : verdict);
    status->setToolTip(status->text());
    status->setData(Qt::UserRole, static_cast<int>(r.status));
    if (r.status == data::ReconcileStatus::Differ) {
      ++differ;
      status->setForeground(QColor(0xd0, 0x3a, 0x2f));
      QFont bold = status->font();
      bold.setBold(true);
      status->setFont(bold);
    } else if (r.status == data::ReconcileStatus::Agree) {
      status->setForeground(QColor(0x2e, 0x8b, 0x57));
    }
    table_->setItem(i, 7, status);
    if (sid == selected) table_->selectRow(i);
  }
  table_->setSortingEnabled(true);
  if (!tableSized_ && table_->rowCount() > 0) {
    tableSized_ = true;
    for (int c = 0; c < 7; ++c) table_->resizeColumnToContents(c);
  }
  tableTitle_->setText(
      differ ? tr("<b>Events against metrics</b>: <span style='color:#d03a2f'><b>%1 of %2 sessions differ</b></span> "
                  "(a lost or repeated batch, or a signal not exported)")
                   .arg(differ)
                   .arg(reconciliation_.size())
             : tr("<b>Events against metrics</b>, per session: the api_request events' cost and tokens next to the "
                  "cost.usage and token.usage totals (%1 sessions)")
                   .arg(reconciliation_.size()));
}

}  // namespace cctv::ui
