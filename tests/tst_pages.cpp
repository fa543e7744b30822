// The Costs and Tools & errors pages, fed with realistic data built in code (values like those in the Claude Code
// captures): chart contents, formatting, empty states, signals, update coalescing and the item models.

#include <QAbstractItemModelTester>
#include <QBarCategoryAxis>
#include <QBarSet>
#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QHorizontalBarSeries>
#include <QLabel>
#include <QLineSeries>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStackedBarSeries>
#include <QTableView>
#include <QToolButton>
#include <QtTest>
#include <cmath>
#include <memory>

#include "costs/ChartCard.h"
#include "costs/CostBuckets.h"
#include "costs/CostsPage.h"
#include "costs/PageFormat.h"
#include "costs/RangeSelector.h"
#include "tools/ApiErrorModel.h"
#include "tools/ToolStatsModel.h"
#include "tools/ToolsPage.h"

using namespace cctv;
using namespace cctv::ui;

namespace {

constexpr std::int64_t kNsPerMs = 1000000;
const char* const kSonnet = "claude-sonnet-4-5";
const char* const kHaiku = "claude-haiku-4-5";

std::int64_t utcNs(int year, int month, int day, int hour = 0, int minute = 0) {
  return QDateTime(QDate(year, month, day), QTime(hour, minute), Qt::UTC).toMSecsSinceEpoch() * kNsPerMs;
}

// "Now" for every test: 2026-11-24 19:30 UTC, the day the fixtures were captured.
const std::int64_t kNow = utcNs(2026, 11, 24, 19, 30);

data::DailyCost dayCost(int day, const char* model, double cost, data::Tokens tokens, std::int64_t requests) {
  data::DailyCost row;
  row.dayStartNs = utcNs(2026, 11, day);
  row.model = model;
  row.costUsd = cost;
  row.tokens = tokens;
  row.requests = requests;
  return row;
}

// Three days, two models: sonnet rows carry cache reads like the fixtures, haiku rows (background calls) do not.
std::vector<data::DailyCost> threeDays() {
  return {
      dayCost(22, kSonnet, 0.0270, {1949, 60, 16183, 4113}, 1), dayCost(22, kHaiku, 0.0031, {1200, 45, 0, 0}, 2),
      dayCost(23, kSonnet, 0.0518, {3334, 77, 32677, 8243}, 2), dayCost(24, kHaiku, 0.0012, {610, 20, 0, 0}, 1),
      dayCost(24, kSonnet, 0.0270, {1414, 60, 19293, 4283}, 1),
  };
}

data::SessionSummary session(const std::string& id, double cost, int day) {
  data::SessionSummary s;
  s.sessionId = id;
  s.costUsd = cost;
  s.firstNs = utcNs(2026, 11, day, 10);
  s.lastNs = s.firstNs + 3600LL * 1000 * kNsPerMs;
  s.apiRequests = 3;
  s.tokens = {1949, 60, 16183, 4113};
  return s;
}

// Twelve sessions (more than the ten charted), in no particular order.
std::vector<data::SessionSummary> twelveSessions() {
  std::vector<data::SessionSummary> out;
  for (int i = 0; i < 12; ++i) {
    const double cost = 0.01 * ((i * 7) % 12 + 1);  // a permutation of 0.01 .. 0.12
    const QString id = QStringLiteral("%1-4b1f-9a7d-8c3e-2d4f6a8b0c%2")
                           .arg(0x1a2b3c00 + i * 0x111, 8, 16, QLatin1Char('0'))
                           .arg(i, 2, 10, QLatin1Char('0'));
    out.push_back(session(id.toStdString(), cost, 22 + i % 3));
  }
  return out;
}

data::ToolStats tool(const char* name, std::int64_t calls, std::int64_t failures, double p50, double p95,
                     std::vector<std::pair<std::string, std::int64_t>> rejected = {}) {
  data::ToolStats t;
  t.toolName = name;
  t.calls = calls;
  t.successes = calls - failures;
  t.failures = failures;
  t.p50Ms = p50;
  t.p95Ms = p95;
  for (const auto& entry : rejected) t.rejections += entry.second;
  t.rejectionsBySource = std::move(rejected);
  return t;
}

data::ApiErrorStats apiError(const char* event, const char* model, std::int64_t status, std::int64_t count,
                             const char* last) {
  data::ApiErrorStats e;
  e.eventName = event;
  e.model = model;
  e.statusCode = status;
  e.count = count;
  e.lastError = last;
  return e;
}

template <typename T>
T* firstSeries(QChart* chart) {
  for (QAbstractSeries* series : chart->series())
    if (auto* typed = qobject_cast<T*>(series)) return typed;
  return nullptr;
}

// The labels an axis shows (a bar category axis, or a category axis that may leave some buckets unlabelled).
QStringList categories(QChart* chart, Qt::Orientation orientation) {
  for (QAbstractAxis* axis : chart->axes(orientation)) {
    if (auto* bar = qobject_cast<QBarCategoryAxis*>(axis)) return bar->categories();
    if (auto* labelled = qobject_cast<QCategoryAxis*>(axis)) return labelled->categoriesLabels();
  }
  return {};
}

QString labelText(const QWidget& page, const char* name) {
  const auto* label = page.findChild<QLabel*>(QLatin1String(name));
  return label ? label->text() : QStringLiteral("<missing %1>").arg(QLatin1String(name));
}

// Waits until the page has run the rebuild it scheduled.
bool waitForRebuild(const CostsPage& page, int after) {
  return QTest::qWaitFor([&] { return page.rebuildCount() > after; }, 2000);
}

QPalette darkPalette() {
  QPalette p;
  const QColor window(0x2b, 0x2d, 0x31), base(0x1e, 0x1f, 0x22), text(0xdf, 0xe1, 0xe5);
  p.setColor(QPalette::Window, window);
  p.setColor(QPalette::WindowText, text);
  p.setColor(QPalette::Base, base);
  p.setColor(QPalette::AlternateBase, QColor(0x26, 0x27, 0x2b));
  p.setColor(QPalette::Text, text);
  p.setColor(QPalette::Button, QColor(0x35, 0x37, 0x3c));
  p.setColor(QPalette::ButtonText, text);
  p.setColor(QPalette::Highlight, QColor(0x2f, 0x6f, 0xc4));
  p.setColor(QPalette::HighlightedText, Qt::white);
  p.setColor(QPalette::PlaceholderText, QColor(0x9a, 0x9d, 0xa3));
  p.setColor(QPalette::ToolTipBase, base);
  p.setColor(QPalette::ToolTipText, text);
  p.setColor(QPalette::Light, QColor(0x45, 0x47, 0x4d));
  p.setColor(QPalette::Midlight, QColor(0x3a, 0x3c, 0x41));
  p.setColor(QPalette::Mid, QColor(0x30, 0x32, 0x36));
  p.setColor(QPalette::Dark, QColor(0x18, 0x19, 0x1b));
  p.setColor(QPalette::Shadow, Qt::black);
  return p;
}

// Pixels of exactly this colour (bar fills are flat, so a drawn bar set shows up as a solid area).
int countPixels(const QImage& image, QRgb rgb) {
  int count = 0;
  const QImage converted = image.convertToFormat(QImage::Format_RGB32);
  for (int y = 0; y < converted.height(); ++y) {
    const auto* line = reinterpret_cast<const QRgb*>(converted.constScanLine(y));
    for (int x = 0; x < converted.width(); ++x) count += (line[x] & 0xffffff) == (rgb & 0xffffff);
  }
  return count;
}

void saveScreenshot(const QImage& image, const QString& name) {
  const QString dir = qEnvironmentVariable("CCTV_SCREENSHOT_DIR");
  if (!dir.isEmpty()) QVERIFY(image.save(dir + QLatin1Char('/') + name));
}

}  // namespace

class TestPages : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() { QLocale::setDefault(QLocale::c()); }

  void formatting() {
    QCOMPARE(pagefmt::usd(0), QStringLiteral("$0.00"));
    QCOMPARE(pagefmt::usd(0.02702565), QStringLiteral("$0.027"));
    QCOMPARE(pagefmt::usd(0.8), QStringLiteral("$0.80"));
    QCOMPARE(pagefmt::usd(12.345), QStringLiteral("$12.35"));
    QCOMPARE(pagefmt::usd(1234.4), QStringLiteral("$1234"));  // C locale: no group separator
    QCOMPARE(pagefmt::compactCount(950), QStringLiteral("950"));
    QCOMPARE(pagefmt::compactCount(12345), QStringLiteral("12.3k"));
    QCOMPARE(pagefmt::compactCount(123456), QStringLiteral("123k"));
    QCOMPARE(pagefmt::compactCount(1234567), QStringLiteral("1.2M"));
    QCOMPARE(pagefmt::compactCount(2000000), QStringLiteral("2M"));
    QCOMPARE(pagefmt::duration(38), QStringLiteral("38 ms"));
    QCOMPARE(pagefmt::duration(1240), QStringLiteral("1.2 s"));
    QCOMPARE(pagefmt::duration(12400), QStringLiteral("12 s"));
    QCOMPARE(pagefmt::duration(65000), QStringLiteral("1 min 5 s"));
    QCOMPARE(pagefmt::duration(-1), QStringLiteral("—"));
    QCOMPARE(pagefmt::percent(0.874), QStringLiteral("87.4%"));
    QCOMPARE(pagefmt::percent(1), QStringLiteral("100%"));
    QCOMPARE(pagefmt::percent(-1), QStringLiteral("—"));
    QCOMPARE(pagefmt::sessionLabel("1a2b3c4d-5e6f-7a8b-9c0d-112233445566", utcNs(2026, 11, 24, 23, 59)),
             QStringLiteral("1a2b3c4d · Nov 24"));

    const pagefmt::Ticks usd = pagefmt::niceTicks(0.0788);
    QCOMPARE(usd.step, 0.02);
    QCOMPARE(usd.max, 0.08);
    QCOMPARE(pagefmt::usdTick(0.06, usd), QStringLiteral("$0.06"));
    QCOMPARE(pagefmt::usdTick(0.1, pagefmt::niceTicks(0.5)), QStringLiteral("$0.10"));
    QCOMPARE(pagefmt::usdTick(10, pagefmt::niceTicks(42)), QStringLiteral("$10"));
    const pagefmt::Ticks tokens = pagefmt::niceTicks(44331);
    QCOMPARE(tokens.step, 10000.0);
    QCOMPARE(tokens.max, 50000.0);
    QCOMPARE(pagefmt::countTick(20000, tokens), QStringLiteral("20k"));
    const pagefmt::Ticks big = pagefmt::niceTicks(1.9e6);
    QCOMPARE(big.step, 500000.0);
    QCOMPARE(pagefmt::countTick(500000, big), QStringLiteral("0.5M"));
    QCOMPARE(pagefmt::countTick(1e6, big), QStringLiteral("1M"));
    QCOMPARE(pagefmt::countTick(1.5e6, big), QStringLiteral("1.5M"));
    QCOMPARE(pagefmt::countTick(2000, pagefmt::niceTicks(4200)), QStringLiteral("2000"));
    const pagefmt::Ticks half = pagefmt::niceTicks(0.51);
    QCOMPARE(half.step, 0.1);
    QCOMPARE(half.max, 0.6);
    QCOMPARE(pagefmt::niceTicks(0).max, 1.0);  // an all-zero chart still gets an axis
  }

  void bucketsFillGapsAndGrowCoarser() {
    // A bounded range shows every day up to now, empty ones included.
    const CostBuckets week =
        bucketCosts(threeDays(), RangeSelector::rangeStartNs(RangeSelector::Range::Week, kNow), kNow);
    QCOMPARE(week.size, BucketSize::Day);
    QCOMPARE(week.labels, QStringList({"Nov 18", "Nov 19", "Nov 20", "Nov 21", "Nov 22", "Nov 23", "Nov 24"}));
    QCOMPARE(week.costByModel.at(0).at(0), 0.0);
    QCOMPARE(week.totalRequests, 7);

    // Ninety days of data become weeks starting on Monday; every row lands in one of them.
    std::vector<data::DailyCost> rows;
    for (int d = 0; d < 90; ++d) {
      data::DailyCost row = dayCost(1, kSonnet, 0.01, {100, 10, 1000, 50}, 1);
      row.dayStartNs = utcNs(2026, 8, 27) + d * 24LL * 3600 * 1000 * kNsPerMs;
      rows.push_back(row);
    }
    const CostBuckets weeks = bucketCosts(rows, 0, kNow);
    QCOMPARE(weeks.size, BucketSize::Week);
    QCOMPARE(weeks.labels.first(), QStringLiteral("Aug 24"));  // the Monday before Aug 27
    double sum = 0;
    for (double cost : weeks.costByModel.at(0)) sum += cost;
    QVERIFY(std::fabs(sum - 0.9) < 1e-9);
    QCOMPARE(weeks.totalRequests, 90);

    QVERIFY(bucketCosts({}, 0, kNow).isEmpty());
    QCOMPARE(cacheHitRatio({0, 10, 0, 0}), -1.0);
    QCOMPARE(cacheHitRatio({100, 0, 300, 100}), 0.6);
  }

  void rangeSelectorEmitsEachRange() {
    RangeSelector selector;
    selector.setClock([] { return kNow; });
    QSignalSpy spy(&selector, &RangeSelector::rangeChanged);
    const struct {
      int button;
      std::int64_t from;
    } clicks[] = {{0, utcNs(2026, 11, 24)}, {2, utcNs(2026, 10, 26)}, {3, 0}, {1, utcNs(2026, 11, 18)}};
    for (const auto& click : clicks) {
      auto* button = selector.findChild<QToolButton*>(QStringLiteral("range%1").arg(click.button));
      QVERIFY(button);
      QTest::mouseClick(button, Qt::LeftButton);
      QCOMPARE(spy.count(), 1);
      const QList<QVariant> args = spy.takeFirst();
      QCOMPARE(args.at(0).value<std::int64_t>(), click.from);
      QCOMPARE(args.at(1).value<std::int64_t>(), std::int64_t{0});
      QVERIFY(button->isChecked());
    }
    // Choosing the current range again is not a change.
    selector.setRange(RangeSelector::Range::Week);
    QCOMPARE(spy.count(), 0);
  }

  void costChartsShowDailyData() {
    CostsPage page;
    page.rangeSelector()->setClock([] { return kNow; });
    QSignalSpy rangeSpy(&page, &CostsPage::rangeChanged);
    QCOMPARE(page.rangeSelector()->range(), RangeSelector::Range::All);  // the default
    page.rangeSelector()->setRange(RangeSelector::Range::Today);         // the page passes the selector's signal on
    QCOMPARE(rangeSpy.count(), 1);
    QCOMPARE(rangeSpy.at(0).at(0).value<std::int64_t>(), utcNs(2026, 11, 24));
    page.rangeSelector()->setRange(RangeSelector::Range::All);
    QCOMPARE(rangeSpy.count(), 2);
    QCOMPARE(rangeSpy.at(1).at(0).value<std::int64_t>(), std::int64_t{0});
    const int before = page.rebuildCount();
    page.setDailyCosts(threeDays());
    page.setTopSessions(twelveSessions());
    QVERIFY(waitForRebuild(page, before));

    // Cost per day: one set per model, the most expensive model first.
    QChart* cost = page.chart(CostsPage::Chart::CostPerDay);
    auto* stacked = firstSeries<QStackedBarSeries>(cost);
    QVERIFY(stacked);
    QCOMPARE(page.bucketLabels(), QStringList({"Nov 22", "Nov 23", "Nov 24"}));
    QVERIFY(categories(cost, Qt::Horizontal).contains(QStringLiteral("Nov 24")));  // the newest day is always labelled
    QCOMPARE(stacked->count(), 2);
    QCOMPARE(stacked->barSets().at(0)->label(), QString::fromLatin1(kSonnet));
    QCOMPARE(stacked->barSets().at(1)->label(), QString::fromLatin1(kHaiku));
    const double sonnet[] = {0.0270, 0.0518, 0.0270}, haiku[] = {0.0031, 0.0, 0.0012};
    for (int day = 0; day < 3; ++day) {
      QCOMPARE(stacked->barSets().at(0)->at(day), sonnet[day]);
      QCOMPARE(stacked->barSets().at(1)->at(day), haiku[day]);
    }

    // Tokens per day: four types whose stacks add up to the day's tokens.
    auto* tokens = firstSeries<QStackedBarSeries>(page.chart(CostsPage::Chart::TokensPerDay));
    QVERIFY(tokens);
    QCOMPARE(tokens->count(), 4);
    QCOMPARE(tokens->barSets().at(2)->label(), QStringLiteral("Cache read"));
    QCOMPARE(tokens->barSets().at(0)->sum(), 1949.0 + 1200 + 3334 + 610 + 1414);
    QCOMPARE(tokens->barSets().at(2)->sum(), 16183.0 + 32677 + 19293);
    double day23 = 0;
    for (QBarSet* set : tokens->barSets()) day23 += set->at(1);
    QCOMPARE(day23, 3334.0 + 77 + 32677 + 8243);

    // Cache hit ratio: cacheRead / (input + cacheRead + cacheCreation), overall and per day.
    const double read = 16183 + 32677 + 19293, input = 1949 + 1200 + 3334 + 610 + 1414, creation = 4113 + 8243 + 4283;
    const double overall = read / (input + read + creation);
    QCOMPARE(page.card(CostsPage::Chart::CacheHitRatio)->headline(), pagefmt::percent(overall));
    QCOMPARE(page.card(CostsPage::Chart::CacheHitRatio)->headline(), QStringLiteral("73%"));
    auto* cache = firstSeries<QLineSeries>(page.chart(CostsPage::Chart::CacheHitRatio));
    QVERIFY(cache);
    QCOMPARE(cache->count(), 3);
    QVERIFY(std::fabs(cache->at(1).y() - 100.0 * 32677 / (3334 + 32677 + 8243)) < 1e-9);

    // Headline numbers.
    QCOMPARE(labelText(page, "headlineCost"), QStringLiteral("$0.11"));
    QCOMPARE(labelText(page, "headlineRequests"), QStringLiteral("7"));
    QCOMPARE(labelText(page, "headlineTokens"), pagefmt::compactCount(input + read + creation + 262));
    QCOMPARE(labelText(page, "headlineTokens"), QStringLiteral("93.6k"));
    QCOMPARE(labelText(page, "headlineSessions"), QStringLiteral("12"));
    page.setSessionCount(57);  // the query may pass only the top sessions and count the rest separately
    QVERIFY(waitForRebuild(page, page.rebuildCount()));
    QCOMPARE(labelText(page, "headlineSessions"), QStringLiteral("57"));
    QVERIFY(!page.findChild<QWidget*>(QStringLiteral("costsEmptyState"))->isVisibleTo(&page));
  }

  void topSessionsOrderedAndClickable() {
    CostsPage page;
    page.rangeSelector()->setClock([] { return kNow; });
    page.resize(1200, 800);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    const int before = page.rebuildCount();
    page.setDailyCosts(threeDays());
    page.setTopSessions(twelveSessions());
    QVERIFY(waitForRebuild(page, before));

    QChart* chart = page.chart(CostsPage::Chart::TopSessions);
    auto* series = firstSeries<QHorizontalBarSeries>(chart);
    QVERIFY(series);
    QBarSet* set = series->barSets().at(0);
    QCOMPARE(set->count(), CostsPage::kDefaultTopSessions);
    // Bottom to top: increasing cost, so the most expensive session is the top bar.
    for (int i = 1; i < set->count(); ++i) QVERIFY(set->at(i - 1) < set->at(i));
    QCOMPARE(set->at(set->count() - 1), 0.12);
    QCOMPARE(set->at(0), 0.03);  // 0.01 and 0.02 did not make the top ten
    const QStringList labels = categories(chart, Qt::Vertical);
    QCOMPARE(labels.size(), 10);
    std::string topId;
    for (const auto& s : twelveSessions())
      if (s.costUsd == 0.12) topId = s.sessionId;
    QCOMPARE(labels.last(), QString::fromStdString(topId).left(8) + QStringLiteral(" · Nov 24"));

    // A real click on the top bar emits the full session id.
    QSignalSpy spy(&page, &CostsPage::sessionActivated);
    QTRY_VERIFY(chart->plotArea().width() > 0);
    const QPointF inBar = chart->mapToPosition(QPointF(0.06, set->count() - 1), series);
    QChartView* view = page.card(CostsPage::Chart::TopSessions)->view();
    const QPoint at = view->mapFromScene(chart->mapToScene(inBar));
    QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::NoModifier, at);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toString(), QString::fromStdString(topId));
    QVERIFY(set->isBarSelected(set->count() - 1));
  }

  void cumulativeCostOfSelectedSession() {
    CostsPage page;
    ChartCard* card = page.card(CostsPage::Chart::Cumulative);
    page.setDailyCosts(threeDays());
    QVERIFY(waitForRebuild(page, 0));
    QVERIFY(card->isEmpty());  // nothing selected yet: the hint, not an empty plot

    const QString id = QStringLiteral("5f0c2e1a-4b1f-9a7d-8c3e-2d4f6a8b0c1e");
    const double costs[] = {0.0270, 0.0248, 0.0270, 0.0024};
    std::vector<data::CumulativePoint> points;
    double running = 0;
    for (int i = 0; i < 4; ++i) {
      running += costs[i];
      points.push_back({utcNs(2026, 11, 24, 19, 17) + i * 47LL * 1000 * kNsPerMs, running});
    }
    const int before = page.rebuildCount();
    page.setCumulative(id, points);
    QVERIFY(waitForRebuild(page, before));
    QVERIFY(!card->isEmpty());
    QVERIFY(card->title().contains(id.left(8)));
    QCOMPARE(card->headline(), QStringLiteral("$0.081"));
    auto* line = firstSeries<QLineSeries>(card->chart());
    QVERIFY(line);
    QCOMPARE(line->count(), 4);
    for (int i = 1; i < line->count(); ++i) {
      QVERIFY(line->at(i).x() > line->at(i - 1).x());
      QVERIFY(line->at(i).y() >= line->at(i - 1).y());
    }
    QCOMPARE(line->at(3).y(), 0.0270 + 0.0248 + 0.0270 + 0.0024);
    QCOMPARE(line->name(), id);

    page.setCumulative(QString(), {});
    QVERIFY(waitForRebuild(page, page.rebuildCount()));
    QVERIFY(card->isEmpty());
    QVERIFY(firstSeries<QLineSeries>(card->chart()) == nullptr);
  }

  void emptyStates() {
    CostsPage page;
    page.setDailyCosts({});
    page.setTopSessions({});
    QVERIFY(waitForRebuild(page, 0));
    auto* empty = page.findChild<QWidget*>(QStringLiteral("costsEmptyState"));
    QVERIFY(empty && empty->isVisibleTo(&page));
    bool hasMessage = false;
    for (auto* label : empty->findChildren<QLabel*>())
      hasMessage |= label->text() == QStringLiteral("No API requests in this range yet");
    QVERIFY(hasMessage);
    QCOMPARE(labelText(page, "headlineCost"), QStringLiteral("$0.00"));
    QVERIFY(page.chart(CostsPage::Chart::CostPerDay)->series().isEmpty());

    page.setDailyCosts(threeDays());
    QVERIFY(waitForRebuild(page, page.rebuildCount()));
    QVERIFY(!empty->isVisibleTo(&page));
    QVERIFY(page.card(CostsPage::Chart::TopSessions)->isEmpty());  // costs but no session list yet
  }

  void settersCoalesce() {
    CostsPage page;
    QVERIFY(waitForRebuild(page, 0));  // the initial build
    const int before = page.rebuildCount();
    QElapsedTimer clock;
    clock.start();
    for (int i = 0; i < 5; ++i) {
      page.setDailyCosts(threeDays());
      page.setTopSessions(twelveSessions());
      page.setCumulative(QStringLiteral("abc"), {{kNow, 0.01 * (i + 1)}});
    }
    QVERIFY(clock.elapsed() < CostsPage::kRebuildDelayMs);  // the burst really was within one delay
    QCOMPARE(page.rebuildCount(), before);                  // nothing drawn synchronously
    QVERIFY(waitForRebuild(page, before));
    QTest::qWait(CostsPage::kRebuildDelayMs + 50);
    QCOMPARE(page.rebuildCount(), before + 1);
    QCOMPARE(page.card(CostsPage::Chart::Cumulative)->headline(), QStringLiteral("$0.050"));  // the last call won
  }

  void toolModelValuesAndFormatting() {
    ToolStatsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRows({tool("Bash", 12, 1, 38, 1240, {{"user_reject", 1}, {"config", 2}}), tool("Read", 20, 0, 4, 12),
                   tool("Edit", 5, 2, 120, 65000)});
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.columnCount(), static_cast<int>(ToolStatsModel::ColumnCount));
    auto text = [&](int row, int column) { return model.index(row, column).data().toString(); };
    QCOMPARE(text(0, ToolStatsModel::Tool), QStringLiteral("Bash"));
    QCOMPARE(text(0, ToolStatsModel::Calls), QStringLiteral("12"));
    QCOMPARE(text(0, ToolStatsModel::Success), QStringLiteral("91.7%"));
    QCOMPARE(text(0, ToolStatsModel::Failures), QStringLiteral("1"));
    QCOMPARE(text(0, ToolStatsModel::P50), QStringLiteral("38 ms"));
    QCOMPARE(text(0, ToolStatsModel::P95), QStringLiteral("1.2 s"));
    QCOMPARE(text(0, ToolStatsModel::Rejections), QStringLiteral("3"));
    QCOMPARE(text(0, ToolStatsModel::RejectedBy), QStringLiteral("config 2, user_reject 1"));
    QCOMPARE(text(1, ToolStatsModel::Success), QStringLiteral("100%"));
    QCOMPARE(text(2, ToolStatsModel::P95), QStringLiteral("1 min 5 s"));
    QCOMPARE(model.index(2, ToolStatsModel::Success).data(ToolStatsModel::RatioRole).toDouble(), 0.6);
    QCOMPARE(model.index(0, ToolStatsModel::P95).data(ToolStatsModel::SortRole).toDouble(), 1240.0);
    QCOMPARE(model.headerData(ToolStatsModel::RejectedBy, Qt::Horizontal).toString(), QStringLiteral("Rejected by"));

    // A refresh merges in place: Read changes, Edit goes, Glob comes; no reset.
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    model.setRows({tool("Read", 21, 0, 4, 12), tool("Glob", 2, 0, 9, 15), tool("Bash", 12, 1, 38, 1240)});
    QCOMPARE(resets.count(), 0);
    QCOMPARE(removed.count(), 1);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(text(0, ToolStatsModel::Tool), QStringLiteral("Bash"));
    QCOMPARE(text(1, ToolStatsModel::Calls), QStringLiteral("21"));
    QCOMPARE(text(2, ToolStatsModel::Tool), QStringLiteral("Glob"));
    model.setRows({});
    QCOMPARE(model.rowCount(), 0);
  }

  void apiErrorModelValues() {
    ApiErrorModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRows(
        {apiError("api_error", kSonnet, 529, 3, "{\"type\":\"error\",\n \"error\":{\"type\":\"overloaded_error\"}}"),
         apiError("api_refusal", kSonnet, 0, 1, ""), apiError("api_retries_exhausted", kHaiku, 529, 1, "Overloaded")});
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.index(0, ApiErrorModel::Event).data().toString(), QStringLiteral("api_error"));
    QCOMPARE(model.index(0, ApiErrorModel::Model).data().toString(), QString::fromLatin1(kSonnet));
    QCOMPARE(model.index(0, ApiErrorModel::Status).data().toString(), QStringLiteral("529"));
    QCOMPARE(model.index(0, ApiErrorModel::Count).data().toString(), QStringLiteral("3"));
    QCOMPARE(model.index(0, ApiErrorModel::LastError).data().toString(),
             QStringLiteral("{\"type\":\"error\", \"error\":{\"type\":\"overloaded_error\"}}"));
    QCOMPARE(model.index(1, ApiErrorModel::Status).data().toString(), QStringLiteral("—"));
    model.setRows({apiError("api_error", kSonnet, 529, 4, "later")});
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.index(0, ApiErrorModel::Count).data().toString(), QStringLiteral("4"));
  }

  void toolsPageSortsActivatesAndShowsEmptyStates() {
    ToolsPage page;
    page.resize(1200, 800);
    QAbstractItemModelTester toolProxyTester(page.toolTable()->model(),
                                             QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester errorProxyTester(page.errorTable()->model(),
                                              QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(page.toolsEmptyShown());
    QVERIFY(page.errorsEmptyShown());

    page.setToolStats(
        {tool("Bash", 12, 1, 38, 1240, {{"config", 2}}), tool("Read", 20, 0, 4, 12), tool("Edit", 5, 2, 120, 900)});
    page.setApiErrors({apiError("api_error", kSonnet, 529, 3, "Overloaded"),
                       apiError("api_retries_exhausted", kHaiku, 529, 1, "Overloaded")});
    QVERIFY(!page.toolsEmptyShown());
    QVERIFY(!page.errorsEmptyShown());
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));

    // Sorted by calls, most first.
    QAbstractItemModel* tools = page.toolTable()->model();
    QCOMPARE(tools->index(0, ToolStatsModel::Tool).data().toString(), QStringLiteral("Read"));
    QCOMPARE(tools->index(2, ToolStatsModel::Tool).data().toString(), QStringLiteral("Edit"));

    QSignalSpy spy(&page, &ToolsPage::showEvents);
    QTableView* table = page.toolTable();
    const QRect bash = table->visualRect(tools->index(1, ToolStatsModel::Calls));
    // QTest's double click only counts as one after a first click, as with a real mouse.
    QTest::mouseClick(table->viewport(), Qt::LeftButton, Qt::NoModifier, bash.center());
    QTest::mouseDClick(table->viewport(), Qt::LeftButton, Qt::NoModifier, bash.center());
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toString(), QStringLiteral("tool_result"));
    QCOMPARE(spy.at(0).at(1).toString(), QStringLiteral("Bash"));

    QTableView* errors = page.errorTable();
    errors->setCurrentIndex(errors->model()->index(1, 0));
    QTest::keyClick(errors, Qt::Key_Return);  // the keyboard activates too
    QCOMPARE(spy.count(), 2);
    QCOMPARE(spy.at(1).at(0).toString(), QStringLiteral("api_retries_exhausted"));
    QCOMPARE(spy.at(1).at(1).toString(), QString());

    // A live refresh keeps the selected tool selected.
    table->selectRow(1);
    page.setToolStats(
        {tool("Bash", 13, 1, 38, 1240, {{"config", 2}}), tool("Read", 20, 0, 4, 12), tool("Edit", 5, 2, 120, 900)});
    const QModelIndexList selected = table->selectionModel()->selectedRows();
    QCOMPARE(selected.size(), 1);
    QCOMPARE(selected.first().data().toString(), QStringLiteral("Bash"));

    page.setToolStats({});
    QVERIFY(page.toolsEmptyShown());

    QSignalSpy range(&page, &ToolsPage::rangeChanged);
    page.rangeSelector()->setRange(RangeSelector::Range::Month);
    QCOMPARE(range.count(), 1);
  }

  // Renders both pages at 1200x800 (light, and the Costs page dark too) and checks that the bars were painted.
  // With CCTV_SCREENSHOT_DIR set, the images are saved there for a look.
  void renderPages() {
    CostsPage costs;
    costs.rangeSelector()->setClock([] { return kNow; });
    costs.resize(1200, 800);
    costs.show();
    QVERIFY(QTest::qWaitForWindowExposed(&costs));
    std::vector<data::DailyCost> rows = threeDays();
    for (int day = 18; day <= 21; ++day)
      rows.push_back(dayCost(day, kSonnet, 0.02 * (day - 16), {1800, 70, 18000 * (day - 17), 4100}, day - 16));
    rows.push_back(dayCost(20, "claude-opus-4-1", 0.41, {2400, 300, 21000, 6000}, 2));
    costs.setDailyCosts(rows);
    costs.setTopSessions(twelveSessions());
    std::vector<data::CumulativePoint> points;
    double running = 0;
    for (int i = 0; i < 14; ++i) {
      running += 0.004 + 0.003 * (i % 4);
      points.push_back({utcNs(2026, 11, 24, 14, 5) + i * 6LL * 60 * 1000 * kNsPerMs, running});
    }
    costs.setCumulative(QString::fromStdString(twelveSessions().at(5).sessionId), points);
    QVERIFY(waitForRebuild(costs, costs.rebuildCount()));
    QApplication::processEvents();
    const QImage light = costs.grab().toImage();
    QCOMPARE(light.size(), QSize(1200, 800));
    QVERIFY(countPixels(light, qRgb(0x4e, 0x79, 0xa7)) > 2000);  // sonnet bars, session bars, cumulative line
    saveScreenshot(light, QStringLiteral("costs.png"));

    const int before = costs.rebuildCount();
    costs.setPalette(darkPalette());
    QVERIFY(waitForRebuild(costs, before));
    QCOMPARE(costs.chart(CostsPage::Chart::CostPerDay)->theme(), QChart::ChartThemeDark);
    QApplication::processEvents();
    const QImage dark = costs.grab().toImage();
    QVERIFY(countPixels(dark, qRgb(0x4e, 0x79, 0xa7)) > 2000);  // series colours survive the theme change
    QVERIFY(qGray(dark.pixel(600, 400)) < 128 || qGray(dark.pixel(5, 5)) < 128);
    saveScreenshot(dark, QStringLiteral("costs-dark.png"));

    ToolsPage tools;
    tools.resize(1200, 800);
    tools.setToolStats({tool("Bash", 48, 5, 38, 1240, {{"user_reject", 1}, {"config", 2}}), tool("Read", 120, 0, 4, 12),
                        tool("Edit", 31, 2, 22, 140, {{"user_temporary", 1}}), tool("Grep", 40, 0, 11, 85),
                        tool("Write", 9, 0, 18, 60), tool("WebFetch", 6, 3, 2100, 8400),
                        tool("mcp__github__search_issues", 4, 1, 640, 1900), tool("Task", 2, 0, 48000, 65000)});
    tools.setApiErrors(
        {apiError("api_error", kSonnet, 529, 3,
                  "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}"),
         apiError("api_retries_exhausted", kSonnet, 529, 1, "529 Overloaded after 10 attempts"),
         apiError("api_error", kHaiku, 429, 2, "rate_limit_error: Number of requests has exceeded your rate limit"),
         apiError("api_refusal", kSonnet, 0, 1, "")});
    tools.show();
    QVERIFY(QTest::qWaitForWindowExposed(&tools));
    QApplication::processEvents();
    const QImage toolsImage = tools.grab().toImage();
    QCOMPARE(toolsImage.size(), QSize(1200, 800));
    saveScreenshot(toolsImage, QStringLiteral("tools.png"));
    tools.setPalette(darkPalette());
    QApplication::processEvents();
    saveScreenshot(tools.grab().toImage(), QStringLiteral("tools-dark.png"));
  }
};

QTEST_MAIN(TestPages)
#include "tst_pages.moc"
