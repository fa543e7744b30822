#pragma once
// The Costs page: headline totals for the selected range, cost per day stacked by model, tokens per day by type,
// the most expensive sessions, the running cost of one selected session and the cache hit ratio.
//
// The page only displays what it is given. Setters store their data and schedule one rebuild on a single-shot
// timer, so live data arriving several times a second redraws the charts at most ten times a second.

#include <QString>
#include <QStringList>
#include <QTimer>
#include <QWidget>
#include <cstdint>
#include <vector>

#include "query/Data.h"

class QChart;
class QLabel;
class QStackedWidget;

namespace cctv::ui {

class ChartCard;
class RangeSelector;
struct CostBuckets;

class CostsPage : public QWidget {
  Q_OBJECT

 public:
  enum class Chart { CostPerDay, TokensPerDay, TopSessions, Cumulative, CacheHitRatio };
  static constexpr int kRebuildDelayMs = 100;
  static constexpr int kDefaultTopSessions = 10;

  explicit CostsPage(QWidget* parent = nullptr);

  // Per UTC day and model, for the selected range.
  void setDailyCosts(std::vector<data::DailyCost> rows);
  // Sessions of the range, in any order; the page charts the most expensive ones. Until setSessionCount() is
  // called, the headline counts the sessions given here.
  void setTopSessions(std::vector<data::SessionSummary> sessions);
  // The number of sessions active in the range, for the headline when setTopSessions() gets only the top few.
  void setSessionCount(std::int64_t count);
  // The running cost of one session (usually the one last activated); an empty id clears the selection.
  void setCumulative(QString sessionId, std::vector<data::CumulativePoint> points);
  void setTopSessionLimit(int limit);

  QString selectedSession() const { return selectedSession_; }
  // The label of each bucket (bar) of the per-day charts, oldest first; the axes may show only some of them.
  QStringList bucketLabels() const { return bucketLabels_; }
  RangeSelector* rangeSelector() const { return range_; }
  ChartCard* card(Chart which) const;
  QChart* chart(Chart which) const;
  // Number of completed rebuilds, so tests can check that bursts of setter calls coalesce.
  int rebuildCount() const { return rebuildCount_; }

 Q_SIGNALS:
  void rangeChanged(std::int64_t fromNs, std::int64_t toNs);
  void sessionActivated(QString sessionId);

 protected:
  void changeEvent(QEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;

 private:
  enum Part : unsigned { Daily = 1, Sessions = 2, Cumulative = 4, Theme = 8, Everything = 15 };

  void scheduleRebuild(unsigned parts);
  void rebuild();
  void rebuildDaily();
  void rebuildCostChart(const CostBuckets& buckets);
  void rebuildTokenChart(const CostBuckets& buckets);
  void rebuildCacheChart(const CostBuckets& buckets);
  void rebuildHeadline(const CostBuckets& buckets);
  void rebuildSessions();
  void rebuildCumulative();
  void fitDayLabels();

  std::vector<data::DailyCost> daily_;
  std::vector<data::SessionSummary> sessions_;
  std::vector<data::CumulativePoint> cumulative_;
  QString selectedSession_;
  QStringList bucketLabels_;                    // "Nov 24" per bar of the per-day charts
  std::vector<std::string> chartedSessionIds_;  // bar index → full session id, bottom bar first
  int topLimit_ = kDefaultTopSessions;
  std::int64_t sessionCount_ = -1;  // -1: count sessions_

  RangeSelector* range_ = nullptr;
  QLabel* totalCost_ = nullptr;
  QLabel* totalRequests_ = nullptr;
  QLabel* totalTokens_ = nullptr;
  QLabel* totalSessions_ = nullptr;
  QStackedWidget* body_ = nullptr;  // the charts, or the empty state when the range holds no request
  QWidget* charts_ = nullptr;
  QWidget* emptyState_ = nullptr;
  ChartCard* cards_[5] = {};

  QTimer rebuildTimer_;
  unsigned dirty_ = 0;
  int rebuildCount_ = 0;
};

}  // namespace cctv::ui
