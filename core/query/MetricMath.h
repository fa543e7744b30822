#pragma once
// The arithmetic of Claude Code's metrics, without SQL: folding per-series increments into totals, and
// comparing a session's metric totals with what its api_request events say. Pure, tested directly.
//
// Increments themselves are computed in SQL (the metric_increments view, and Reader's queries): a delta point
// counts as sent; a cumulative point counts as its difference to the previous point of the same series, unless
// the start time changed or a monotonic value dropped (a reset: the exporter restarted), when it counts whole.

#include <string>

#include "query/Data.h"

namespace cctv::query {

// Adds one (metric, attribute) group's summed increment to the totals. `type` is the point's `type` attribute
// (token type, lines added/removed, active time cli/user), `decision` its `decision` attribute.
void addMetricIncrement(data::MetricTotals& totals, const std::string& metric, const std::string& type,
                        const std::string& decision, double increment, std::int64_t points, std::int64_t lastNs);

// Tolerances: cost sums of doubles differ in the last digits; Claude Code rounds nothing else.
inline constexpr double kCostToleranceUsd = 1e-6;

// Fills status and the differences of `r` from its event and metric totals.
void reconcile(data::Reconciliation& r);

const char* reconcileStatusName(data::ReconcileStatus s);  // "agree", "differ", "no metrics", ...

}  // namespace cctv::query
