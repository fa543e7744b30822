// The metrics views without a store: the bucketing of metric increments for the chart, the session header's
// metrics line and verdicts, and the Metrics page offscreen (totals, chart, the reconciliation table with a
// flagged session, double-click to open it). Writes /tmp/metrics-page.png.

#include "costs/ChartCard.h"
#include "costs/RangeSelector.h"
#include "metrics/MetricBuckets.h"
#include "metrics/MetricsPage.h"
#include "metrics/MetricsText.h"

#include <QBarSet>
#include <QComboBox>
#include <QChart>
#include <QImage>
#include <QLabel>
#include <QSignalSpy>
#include <QStackedBarSeries>
#include <QTableWidget>
#include <QtTest>

using namespace cctv;
using namespace cctv::ui;

namespace {

constexpr std::int64_t kMin = 60LL * 1000000000LL;
constexpr std::int64_t kT0 = 1795600800LL * 1000000000LL;  // 2026-11-25, on a whole hour

data::Reconciliation rec(const std::string& id, double eventCost, double metricCost, std::int64_t tokens,
                         std::int64_t metricTokens, data::ReconcileStatus status) {
  data::Reconciliation r;
  r.sessionId = id;
  r.firstNs = kT0;
  r.apiRequests = 2;
  r.eventCostUsd = eventCost;
  r.eventTokens.input = tokens;
  r.metrics.points = metricTokens >= 0 ? 4 : 0;
  r.metrics.costUsd = metricCost;
  r.metrics.tokens.input = std::max<std::int64_t>(metricTokens, 0);
  r.costDiffUsd = eventCost - metricCost;
  r.tokenDiff = tokens - std::max<std::int64_t>(metricTokens, 0);
  r.status = status;
  return r;
}

}  // namespace

class TestMetricsPage : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void bucketSizes() {
    QCOMPARE(metricBucketFor(30 * kMin), kMin);
    QCOMPARE(metricBucketFor(3 * 60 * kMin), 5 * kMin);
    QCOMPARE(metricBucketFor(24 * 60 * kMin), 60 * kMin);
    QCOMPARE(metricBucketFor(7 * 24 * 60 * kMin), 6 * 60 * kMin);
    QCOMPARE(metricBucketFor(30LL * 24 * 60 * kMin), 24 * 60 * kMin);
  }

  void bucketsFillGapsAndMergeKeys() {
    // Three minutes of one model, nothing for 10 minutes, then two models.
    std::vector<data::MetricBucket> rows = {{kT0, "claude-sonnet-4-5", 0.5}, {kT0 + kMin, "claude-sonnet-4-5", 0.25},
                                            {kT0 + 12 * kMin, "claude-opus-4-1", 2.0}, {kT0 + 12 * kMin, "claude-sonnet-4-5", 0.25}};
    const MetricChartData d = bucketMetric(rows, 0, 0);
    QCOMPARE(d.bucketNs, kMin);
    QCOMPARE(d.startNs.size(), std::size_t(13));  // 0..12 minutes, gaps included
    QCOMPARE(d.labels.size(), 13);
    QCOMPARE(d.keys, (std::vector<std::string>{"claude-opus-4-1", "claude-sonnet-4-5"}));  // largest first
    QCOMPARE(d.values[1][0], 0.5);
    QCOMPARE(d.values[1][5], 0.0);
    QCOMPARE(d.values[0][12], 2.0);
    QCOMPARE(d.total, 3.0);

    // A range start cuts what is before it; an unset key shows as "(none)".
    const MetricChartData cut = bucketMetric({{kT0, "", 1}, {kT0 + 5 * kMin, "", 2}}, kT0 + 2 * kMin, 0);
    QCOMPARE(cut.total, 2.0);
    QCOMPARE(cut.keys, std::vector<std::string>{"(none)"});

    // Twenty sessions: the seven largest keep their own stack, the rest merge into "other".
    std::vector<data::MetricBucket> many;
    for (int i = 0; i < 20; ++i) many.push_back({kT0, "s" + std::to_string(i), static_cast<double>(i + 1)});
    const MetricChartData m = bucketMetric(many, 0, 0);
    QCOMPARE(m.keys.size(), std::size_t(kMaxMetricKeys));
    QCOMPARE(m.keys.front(), std::string("s19"));
    QCOMPARE(m.keys.back(), std::string("other"));
    QCOMPARE(m.values.back()[0], 13.0 * 14.0 / 2.0);  // s0..s12: 1 + ... + 13
    QVERIFY(bucketMetric({}, 0, 0).isEmpty());

    // Rows already in hour buckets never turn into minute bars, even when they span only a few hours.
    const MetricChartData hourly = bucketMetric({{kT0, "m", 1}, {kT0 + 120 * kMin, "m", 2}}, 0, 0, 60 * kMin);
    QCOMPARE(hourly.bucketNs, 60 * kMin);
    QCOMPARE(hourly.startNs.size(), std::size_t(3));
  }

  void headerTexts() {
    data::MetricTotals m;
    QVERIFY(metricsSummary(m).isEmpty());
    m.points = 5;
    m.linesAdded = 120;
    m.linesRemoved = 30;
    m.commits = 2;
    m.pullRequests = 1;
    m.activeCliSeconds = 190;
    const QString s = metricsSummary(m);
    QVERIFY2(s.contains(QStringLiteral("+120 / \u221230 lines")), qPrintable(s));
    QVERIFY(s.contains(QStringLiteral("2 commits")));
    QVERIFY(s.contains(QStringLiteral("1 PR")));
    QVERIFY(s.contains(QStringLiteral("active")));

    data::SessionSummary session;
    session.ref = 1;
    session.sessionId = "abc";
    session.apiRequests = 1;
    session.costUsd = 0.5;
    session.tokens.input = 100;
    m.costUsd = 0.5;
    m.tokens.input = 100;
    QVERIFY(sessionHeaderHtml(session, m, QStringLiteral("#000")).contains(QStringLiteral("metrics agree")));
    m.costUsd = 0.25;
    const QString differ = sessionHeaderHtml(session, m, QStringLiteral("#000"));
    QVERIFY2(differ.contains(QStringLiteral("differ")) && differ.contains(QStringLiteral("$0.25")), qPrintable(differ));
    QVERIFY(sessionHeaderHtml(session, {}, QStringLiteral("#000")).contains(QStringLiteral("no cost metrics yet")));
  }

  void pageShowsTotalsChartAndFlags() {
    MetricsPage page;
    page.resize(1300, 850);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    QSignalSpy series(&page, &MetricsPage::seriesChanged);
    QSignalSpy open(&page, &MetricsPage::sessionActivated);
    QCOMPARE(page.metric(), std::string("claude_code.cost.usage"));
    QCOMPARE(page.dimension(), std::string("model"));

    data::MetricTotals t;
    t.points = 12;
    t.costUsd = 1.6;
    t.tokens.input = 1400000;
    t.linesAdded = 33;
    t.sessionsStarted = 20;
    page.setTotals(t);
    page.setMetricNames({"claude_code.cost.usage", "claude_code.token.usage"});
    QCOMPARE(series.count(), 0);  // the selected metric stayed: no new query
    page.setSeries({{kT0, "claude-sonnet-4-5", 0.4}, {kT0 + kMin, "claude-sonnet-4-5", 0.2}, {kT0 + kMin, "claude-opus-4-1", 0.9}});
    page.setReconciliation({rec("11111111-aaaa", 0.5, 0.5, 100, 100, data::ReconcileStatus::Agree),
                            rec("22222222-bbbb", 1.25, 0.5, 100, 100, data::ReconcileStatus::Differ),
                            rec("33333333-cccc", 0.1, 0, 10, -1, data::ReconcileStatus::NoMetrics)});
    QTRY_VERIFY(page.rebuildCount() >= 1);
    const int rebuilds = page.rebuildCount();
    QTest::qWait(MetricsPage::kRebuildDelayMs * 2);
    QCOMPARE(page.rebuildCount(), rebuilds);  // four setters, one rebuild

    QVERIFY(page.totalsLabel()->text().contains(QStringLiteral("$1.60")));
    QVERIFY(page.totalsLabel()->text().contains(QStringLiteral("+33")));
    QVERIFY(!page.chartCard()->isEmpty());
    auto* bars = qobject_cast<QStackedBarSeries*>(page.chartCard()->chart()->series().value(0));
    QVERIFY(bars);
    QCOMPARE(bars->count(), 2);
    QCOMPARE(bars->barSets().at(0)->label(), QStringLiteral("claude-opus-4-1"));

    QTableWidget* table = page.reconciliationTable();
    QCOMPARE(table->rowCount(), 3);
    int flagged = -1;
    for (int r = 0; r < 3; ++r)
      if (table->item(r, 7)->text().contains(QStringLiteral("differ"))) flagged = r;
    QVERIFY(flagged >= 0);
    QCOMPARE(table->item(flagged, 0)->data(Qt::UserRole).toString(), QStringLiteral("22222222-bbbb"));
    QVERIFY(table->item(flagged, 7)->text().contains(QStringLiteral("$0.75")));
    QVERIFY(table->item(flagged, 7)->font().bold());
    for (int r = 0; r < 3; ++r)
      if (table->item(r, 0)->data(Qt::UserRole).toString() == QStringLiteral("33333333-cccc"))
        QCOMPARE(table->item(r, 4)->text(), QStringLiteral("\u2014"));
    Q_EMIT table->cellDoubleClicked(flagged, 3);
    QCOMPARE(open.count(), 1);
    QCOMPARE(open.at(0).at(0).toString(), QStringLiteral("22222222-bbbb"));

    // Choosing another split asks for the series again.
    auto* dims = page.findChild<QComboBox*>(QStringLiteral("dimensionBox"));
    dims->setCurrentIndex(1);
    QCOMPARE(series.count(), 1);
    QCOMPARE(page.dimension(), std::string("type"));

    QImage img(page.size(), QImage::Format_ARGB32);
    page.render(&img);
    QVERIFY(img.save(QStringLiteral("/tmp/metrics-page.png")));

    // Empty: a designed message, not blank charts.
    page.setTotals({});
    page.setSeries({});
    page.setReconciliation({});
    QTRY_VERIFY(page.chartCard()->isEmpty());
    QVERIFY(page.totalsLabel()->text().contains(QStringLiteral("No metrics")));
  }
};

QTEST_MAIN(TestMetricsPage)
#include "tst_metrics_page.moc"
