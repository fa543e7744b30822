#include "metrics/MetricBuckets.h"

#include <QDateTime>

#include <algorithm>
#include <map>

namespace cctv::ui {

namespace {

constexpr std::int64_t kMinute = 60LL * 1000000000LL;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kDay = 24 * kHour;

QString label(std::int64_t ns, std::int64_t bucketNs) {
  const QDateTime t = QDateTime::fromMSecsSinceEpoch(ns / 1000000);
  if (bucketNs >= kDay) return t.toUTC().toString(QStringLiteral("MMM d"));  // days are UTC days, like Costs
  if (bucketNs >= 6 * kHour) return t.toString(QStringLiteral("MMM d HH:mm"));
  return t.toString(QStringLiteral("HH:mm"));
}

}  // namespace

std::int64_t metricBucketFor(std::int64_t spanNs) {
  static const std::int64_t steps[] = {kMinute, 5 * kMinute, 15 * kMinute, kHour, 6 * kHour, kDay, 7 * kDay};
  for (std::int64_t s : steps)
    if (spanNs / s < kMaxMetricBars) return s;
  return 30 * kDay;
}

MetricChartData bucketMetric(const std::vector<data::MetricBucket>& rows, std::int64_t fromNs, std::int64_t toNs,
                             std::int64_t rowBucketNs) {
  MetricChartData out;
  if (rows.empty()) return out;
  std::int64_t first = rows.front().startNs, last = rows.front().startNs;
  for (const auto& r : rows) {
    first = std::min(first, r.startNs);
    last = std::max(last, r.startNs);
  }
  if (fromNs > 0) first = std::max(first, fromNs);
  if (toNs > 0) last = std::min(std::max(last, first), toNs);
  out.bucketNs = std::max(metricBucketFor(last - first), rowBucketNs);
  const std::int64_t start = first - first % out.bucketNs;
  const auto count = static_cast<std::size_t>((last - start) / out.bucketNs + 1);
  for (std::size_t i = 0; i < count; ++i) {
    out.startNs.push_back(start + static_cast<std::int64_t>(i) * out.bucketNs);
    out.labels << label(out.startNs.back(), out.bucketNs);
  }

  // Totals per key decide the order and which keys merge into "other".
  std::map<std::string, double> totals;
  for (const auto& r : rows)
    if (r.startNs >= start && r.startNs <= last) totals[r.key] += r.value;
  std::vector<std::pair<std::string, double>> order(totals.begin(), totals.end());
  std::stable_sort(order.begin(), order.end(), [](auto& a, auto& b) { return a.second > b.second; });
  const bool merge = order.size() > static_cast<std::size_t>(kMaxMetricKeys);
  std::map<std::string, std::size_t> slot;
  for (std::size_t i = 0; i < order.size(); ++i) {
    if (merge && i >= static_cast<std::size_t>(kMaxMetricKeys - 1)) {
      slot[order[i].first] = static_cast<std::size_t>(kMaxMetricKeys - 1);
      continue;
    }
    slot[order[i].first] = i;
    out.keys.push_back(order[i].first.empty() ? std::string("(none)") : order[i].first);
  }
  if (merge) out.keys.emplace_back("other");
  out.values.assign(out.keys.size(), std::vector<double>(count, 0.0));
  for (const auto& r : rows) {
    if (r.startNs < start || r.startNs > last) continue;
    const auto b = static_cast<std::size_t>((r.startNs - start) / out.bucketNs);
    out.values[slot[r.key]][b] += r.value;
    out.total += r.value;
  }
  return out;
}

}  // namespace cctv::ui
