#include "costs/CostBuckets.h"

#include <QDate>
#include <QDateTime>
#include <QLocale>
#include <algorithm>
#include <map>

namespace cctv::ui {
namespace {

constexpr std::int64_t kNsPerMs = 1000000;
constexpr int kMaxDailyBuckets = 31;       // a month of days still fits as bars
constexpr int kMaxWeeklyBuckets = 7 * 26;  // half a year of weeks; beyond that, months

QDate utcDate(std::int64_t ns) { return QDateTime::fromMSecsSinceEpoch(ns / kNsPerMs, Qt::UTC).date(); }

std::int64_t utcStartNs(const QDate& day) {
  return QDateTime(day, QTime(0, 0), Qt::UTC).toMSecsSinceEpoch() * kNsPerMs;
}

QDate bucketStart(const QDate& day, BucketSize size) {
  switch (size) {
    case BucketSize::Day:
      return day;
    case BucketSize::Week:
      return day.addDays(1 - day.dayOfWeek());  // ISO weeks start on Monday
    case BucketSize::Month:
      return QDate(day.year(), day.month(), 1);
  }
  return day;
}

QDate nextBucket(const QDate& start, BucketSize size) {
  switch (size) {
    case BucketSize::Day:
      return start.addDays(1);
    case BucketSize::Week:
      return start.addDays(7);
    case BucketSize::Month:
      return start.addMonths(1);
  }
  return start.addDays(1);
}

void addTokens(data::Tokens& into, const data::Tokens& more) {
  into.input += more.input;
  into.output += more.output;
  into.cacheRead += more.cacheRead;
  into.cacheCreation += more.cacheCreation;
}

}  // namespace

CostBuckets bucketCosts(const std::vector<data::DailyCost>& rows, std::int64_t fromNs, std::int64_t nowNs) {
  CostBuckets out;
  if (rows.empty()) return out;

  // The span: the selected range, widened to any row outside it (a query boundary should never hide data).
  QDate first;
  QDate last;
  for (const data::DailyCost& row : rows) {
    const QDate day = utcDate(row.dayStartNs);
    if (!first.isValid() || day < first) first = day;
    if (!last.isValid() || day > last) last = day;
  }
  if (fromNs > 0) {
    first = std::min(first, utcDate(fromNs));
    last = std::max(last, utcDate(nowNs));
  }

  const qint64 days = first.daysTo(last) + 1;
  out.size = days <= kMaxDailyBuckets    ? BucketSize::Day
             : days <= kMaxWeeklyBuckets ? BucketSize::Week
                                         : BucketSize::Month;

  std::map<QDate, std::size_t> indexOf;
  const QLocale locale;
  const QString labelFormat = out.size == BucketSize::Month ? QStringLiteral("MMM yyyy") : QStringLiteral("MMM d");
  for (QDate start = bucketStart(first, out.size); start <= last; start = nextBucket(start, out.size)) {
    indexOf.emplace(start, out.startNs.size());
    out.startNs.push_back(utcStartNs(start));
    out.labels.push_back(locale.toString(start, labelFormat));
  }
  const std::size_t bucketCount = out.startNs.size();
  out.tokens.assign(bucketCount, {});
  out.requests.assign(bucketCount, 0);

  std::map<std::string, std::vector<double>> byModel;
  std::map<std::string, double> modelTotals;
  for (const data::DailyCost& row : rows) {
    const std::size_t bucket = indexOf.at(bucketStart(utcDate(row.dayStartNs), out.size));
    std::vector<double>& costs = byModel[row.model];
    if (costs.empty()) costs.assign(bucketCount, 0.0);
    costs[bucket] += row.costUsd;
    modelTotals[row.model] += row.costUsd;
    addTokens(out.tokens[bucket], row.tokens);
    out.requests[bucket] += row.requests;
    out.totalCost += row.costUsd;
    out.totalRequests += row.requests;
    addTokens(out.totalTokens, row.tokens);
  }

  for (const auto& entry : modelTotals) out.models.push_back(entry.first);
  std::stable_sort(out.models.begin(), out.models.end(),
                   [&](const std::string& a, const std::string& b) { return modelTotals[a] > modelTotals[b]; });
  for (const std::string& model : out.models) out.costByModel.push_back(byModel[model]);
  return out;
}

double cacheHitRatio(const data::Tokens& tokens) {
  const std::int64_t denominator = tokens.input + tokens.cacheRead + tokens.cacheCreation;
  if (denominator <= 0) return -1;
  return static_cast<double>(tokens.cacheRead) / static_cast<double>(denominator);
}

}  // namespace cctv::ui
