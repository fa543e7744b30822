#pragma once
// Turns per-minute metric increments split by a key (model, type, session, ...) into the bars of the metrics
// chart: a bucket size that gives at most ~60 bars over the shown span (1, 5, 15 min, 1, 6 h, 1 day, 1 week),
// buckets aligned to that size with gaps filled, and the keys ordered by total (the largest at the bottom of
// each stack), with the smallest merged into "other" past a limit so the legend stays readable. Pure code.

#include <QStringList>

#include <cstdint>
#include <string>
#include <vector>

#include "query/Data.h"

namespace cctv::ui {

struct MetricChartData {
  std::int64_t bucketNs = 0;
  std::vector<std::int64_t> startNs;       // ascending
  QStringList labels;                      // "14:05" within a day, "Nov 24" for days, "Nov 24 18:00" for 6 h
  std::vector<std::string> keys;           // largest total first; "other" last when keys were merged
  std::vector<std::vector<double>> values;  // [key][bucket]
  double total = 0;

  bool isEmpty() const { return keys.empty(); }
};

inline constexpr int kMaxMetricBars = 60;
inline constexpr int kMaxMetricKeys = 8;

// `rows` come from Reader::metricOverTime in buckets of `rowBucketNs` (the chart's bars are never finer).
// fromNs/toNs: the shown range; 0 means "from the first row" / "to the last row".
MetricChartData bucketMetric(const std::vector<data::MetricBucket>& rows, std::int64_t fromNs, std::int64_t toNs,
                             std::int64_t rowBucketNs = 0);

// The bucket size for a span: the smallest of the steps above that gives at most kMaxMetricBars bars.
std::int64_t metricBucketFor(std::int64_t spanNs);

}  // namespace cctv::ui
