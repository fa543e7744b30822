#include "query/MetricMath.h"

#include <cmath>

namespace cctv::query {

void addMetricIncrement(data::MetricTotals& t, const std::string& metric, const std::string& type,
                        const std::string& decision, double v, std::int64_t points, std::int64_t lastNs) {
  if (points <= 0) return;
  t.points += points;
  if (lastNs > t.lastPointNs) t.lastPointNs = lastNs;
  // Token counts are whole numbers sent as doubles; llround keeps a sum like 3333.9999999 at 3334.
  const auto whole = [](double x) { return static_cast<std::int64_t>(std::llround(x)); };
  if (metric == "claude_code.cost.usage") {
    t.costUsd += v;
  } else if (metric == "claude_code.token.usage") {
    if (type == "input") t.tokens.input += whole(v);
    else if (type == "output") t.tokens.output += whole(v);
    else if (type == "cacheRead") t.tokens.cacheRead += whole(v);
    else if (type == "cacheCreation") t.tokens.cacheCreation += whole(v);
  } else if (metric == "claude_code.lines_of_code.count") {
    if (type == "added") t.linesAdded += v;
    else if (type == "removed") t.linesRemoved += v;
  } else if (metric == "claude_code.commit.count") {
    t.commits += v;
  } else if (metric == "claude_code.pull_request.count") {
    t.pullRequests += v;
  } else if (metric == "claude_code.active_time.total") {
    if (type == "user") t.activeUserSeconds += v;
    else t.activeCliSeconds += v;  // "cli", and older versions that sent no type
  } else if (metric == "claude_code.code_edit_tool.decision") {
    if (decision == "accept") t.editAccepts += v;
    else if (decision == "reject") t.editRejects += v;
  } else if (metric == "claude_code.session.count") {
    t.sessionsStarted += v;
  }
}

void reconcile(data::Reconciliation& r) {
  const data::MetricTotals& m = r.metrics;
  const bool metricsCarry = m.costUsd != 0 || m.tokens.total() != 0;
  const bool eventsCarry = r.apiRequests > 0 || r.eventCostUsd != 0 || r.eventTokens.total() != 0;
  r.costDiffUsd = r.eventCostUsd - m.costUsd;
  r.tokenDiff = r.eventTokens.total() - m.tokens.total();
  if (!metricsCarry && !eventsCarry) {
    r.status = data::ReconcileStatus::Nothing;
  } else if (!metricsCarry) {
    r.status = data::ReconcileStatus::NoMetrics;
  } else if (!eventsCarry) {
    r.status = data::ReconcileStatus::NoEvents;
  } else {
    const bool tokensAgree = r.eventTokens.input == m.tokens.input && r.eventTokens.output == m.tokens.output &&
                             r.eventTokens.cacheRead == m.tokens.cacheRead &&
                             r.eventTokens.cacheCreation == m.tokens.cacheCreation;
    const double tolerance = std::max(kCostToleranceUsd, 1e-9 * std::abs(r.eventCostUsd));
    r.status = tokensAgree && std::abs(r.costDiffUsd) <= tolerance ? data::ReconcileStatus::Agree
                                                                  : data::ReconcileStatus::Differ;
  }
}

const char* reconcileStatusName(data::ReconcileStatus s) {
  switch (s) {
    case data::ReconcileStatus::Agree: return "agree";
    case data::ReconcileStatus::Differ: return "differ";
    case data::ReconcileStatus::NoMetrics: return "no metrics";
    case data::ReconcileStatus::NoEvents: return "no events";
    case data::ReconcileStatus::Nothing: return "nothing to compare";
  }
  return "";
}

}  // namespace cctv::query
