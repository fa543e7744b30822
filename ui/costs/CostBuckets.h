#pragma once
// Turns the per-day, per-model cost rows of a range into the buckets the Costs page charts: consecutive UTC days
// (or weeks or months when the range is long, so a bar stays wide enough to read), gaps filled with zeros so the
// time axis is honest, and the totals for the headline numbers. Pure code, no widgets.

#include <QStringList>
#include <cstdint>
#include <string>
#include <vector>

#include "query/Data.h"

namespace cctv::ui {

enum class BucketSize { Day, Week, Month };

struct CostBuckets {
  BucketSize size = BucketSize::Day;
  std::vector<std::int64_t> startNs;  // UTC start of each bucket, ascending
  QStringList labels;                 // "Nov 24" (day, week starting Monday), "Nov 2025" (month)
  std::vector<std::string> models;  // highest total cost first, so the biggest spender sits at the bottom of each stack
  std::vector<std::vector<double>> costByModel;  // [model][bucket]
  std::vector<data::Tokens> tokens;              // per bucket, all models
  std::vector<std::int64_t> requests;            // per bucket
  double totalCost = 0;
  std::int64_t totalRequests = 0;
  data::Tokens totalTokens;

  // No request, cost or token in the range: the page shows its empty state instead of charts of zeros.
  bool isEmpty() const { return totalRequests == 0 && totalCost == 0 && totalTokens.total() == 0; }
};

// fromNs: start of the selected range (0: all time, then the buckets span the data only);
// nowNs: the end of a bounded range, so the last days show as empty rather than missing.
CostBuckets bucketCosts(const std::vector<data::DailyCost>& rows, std::int64_t fromNs, std::int64_t nowNs);

// cacheRead / (input + cacheRead + cacheCreation); -1 when no input token was counted.
double cacheHitRatio(const data::Tokens& tokens);

}  // namespace cctv::ui
