#pragma once
// The Metrics page: what Claude Code's own metrics say for the selected range (cost, tokens by type, lines of
// code, commits, pull requests, active time, edit decisions, sessions started), one metric over time split by
// an attribute (model, type, session, ...), and per session the reconciliation of the cost and token metrics with
// the api_request events, differences flagged. Double-clicking a session opens it.
//
// Like the Costs page it only displays what it is given; setters coalesce into one rebuild per 100 ms.

#include <QTimer>
#include <QWidget>

#include <cstdint>
#include <string>
#include <vector>

#include "query/Data.h"

class QComboBox;
class QLabel;
class QTableWidget;

namespace cctv::ui {

class ChartCard;
class RangeSelector;

class MetricsPage : public QWidget {
  Q_OBJECT

 public:
  static constexpr int kRebuildDelayMs = 100;

  explicit MetricsPage(QWidget* parent = nullptr);

  void setTotals(const data::MetricTotals& totals);
  void setMetricNames(const std::vector<std::string>& names);
  // Increments of metric() split by dimension() for the selected range, in buckets of metricBucketFor(the span)
  // or finer (the chart merges finer ones).
  void setSeries(std::vector<data::MetricBucket> rows, std::int64_t rowBucketNs = 0);
  void setReconciliation(std::vector<data::Reconciliation> rows);

  std::string metric() const;     // e.g. "claude_code.cost.usage"
  std::string dimension() const;  // "model", "type", "session", ... or "" for none
  RangeSelector* rangeSelector() const { return range_; }
  ChartCard* chartCard() const { return chart_; }
  QTableWidget* reconciliationTable() const { return table_; }
  QLabel* totalsLabel() const { return totals_; }
  int rebuildCount() const { return rebuildCount_; }

 Q_SIGNALS:
  void rangeChanged(std::int64_t fromNs, std::int64_t toNs);
  // The metric or the split changed: the window queries the series again.
  void seriesChanged();
  void sessionActivated(QString sessionId);

 protected:
  void changeEvent(QEvent* e) override;

 private:
  void scheduleRebuild();
  void rebuild();
  void rebuildChart();
  void rebuildTable();

  RangeSelector* range_ = nullptr;
  QLabel* totals_ = nullptr;
  QComboBox* metricBox_ = nullptr;
  QComboBox* dimensionBox_ = nullptr;
  ChartCard* chart_ = nullptr;
  QLabel* tableTitle_ = nullptr;
  QTableWidget* table_ = nullptr;
  QTimer rebuildTimer_;
  int rebuildCount_ = 0;
  bool tableSized_ = false;

  data::MetricTotals totalsData_;
  std::vector<data::MetricBucket> series_;
  std::int64_t seriesBucketNs_ = 0;
  std::vector<data::Reconciliation> reconciliation_;
};

}  // namespace cctv::ui
