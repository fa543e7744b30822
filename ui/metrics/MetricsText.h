#pragma once
// Text about metrics shared by the session header and the metrics page: the one-line summary of a session's
// metric totals, and what a reconciliation status means to the user. Rich text (HTML) where it says so.

#include <QString>

#include "query/Data.h"

namespace cctv::ui {

// "+120 / −30 lines · 2 commits · 1 PR · active 3 min 10 s (CLI), 1 min (user) · 3 edits accepted, 1 rejected"
// Empty when the session has no metrics.
QString metricsSummary(const data::MetricTotals& m);

// A short verdict for the reconciliation of events with metrics, e.g. "metrics agree with events" or
// "metrics differ: events $0.75 more, 0 tokens"; `html` colours problems.
QString reconcileVerdict(const data::Reconciliation& r, bool html);

// The session header: identity and event totals, then the metrics line with the verdict.
QString sessionHeaderHtml(const data::SessionSummary& s, const data::MetricTotals& metrics, const QString& textColor);

}  // namespace cctv::ui
