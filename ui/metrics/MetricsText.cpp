#include "metrics/MetricsText.h"

#include <QCoreApplication>
#include <QStringList>

#include <cmath>

#include "Format.h"
#include "query/MetricMath.h"

namespace cctv::ui {

namespace {

QString tr(const char* s) { return QCoreApplication::translate("cctv::ui::MetricsText", s); }

QString count(double v) { return QString::number(v, 'f', std::abs(v - std::round(v)) < 1e-9 ? 0 : 1); }

constexpr const char* kProblemColor = "#d03a2f";
constexpr const char* kOkColor = "#2e8b57";

}  // namespace

QString metricsSummary(const data::MetricTotals& m) {
  if (m.points == 0) return {};
  QStringList parts;
  if (m.linesAdded || m.linesRemoved)
    parts << tr("+%1 / \u2212%2 lines").arg(count(m.linesAdded), count(m.linesRemoved));
  if (m.commits) parts << (m.commits == 1 ? tr("1 commit") : tr("%1 commits").arg(count(m.commits)));
  if (m.pullRequests) parts << (m.pullRequests == 1 ? tr("1 PR") : tr("%1 PRs").arg(count(m.pullRequests)));
  if (m.activeCliSeconds || m.activeUserSeconds) {
    QString active = tr("active %1 (CLI)").arg(fmt::durationMs(m.activeCliSeconds * 1000.0));
    if (m.activeUserSeconds) active += tr(", %1 (user)").arg(fmt::durationMs(m.activeUserSeconds * 1000.0));
    parts << active;
  }
  if (m.editAccepts || m.editRejects)
    parts << (m.editAccepts + m.editRejects == 1 ? tr("%1 edit accepted, %2 rejected") : tr("%1 edits accepted, %2 rejected"))
                 .arg(count(m.editAccepts), count(m.editRejects));
  if (parts.isEmpty()) parts << tr("no code changes");
  return parts.join(QStringLiteral(" \u00b7 "));
}

QString reconcileVerdict(const data::Reconciliation& r, bool html) {
  auto coloured = [html](const QString& text, const char* color) {
    return html ? QStringLiteral("<span style='color:%1'>%2</span>").arg(QLatin1String(color), text.toHtmlEscaped()) : text;
  };
  switch (r.status) {
    case data::ReconcileStatus::Agree: return coloured(tr("\u2713 metrics agree with events"), kOkColor);
    case data::ReconcileStatus::Differ: {
      QStringList what;
      if (std::abs(r.costDiffUsd) > query::kCostToleranceUsd)
        what << tr("events %1 %2").arg(r.costDiffUsd > 0 ? tr("+") : tr("\u2212"), fmt::cost(std::abs(r.costDiffUsd)));
      if (r.tokenDiff) what << tr("%1%2 tokens").arg(r.tokenDiff > 0 ? tr("+") : tr("\u2212"), fmt::tokens(std::abs(r.tokenDiff)));
      if (what.isEmpty()) what << tr("tokens by type");
      return coloured(tr("\u26a0 metrics differ from events (%1): a lost or repeated batch, or a signal not exported")
                          .arg(what.join(QStringLiteral(", "))),
                      kProblemColor);
    }
    case data::ReconcileStatus::NoMetrics:
      return tr("no cost metrics yet (Claude Code exports metrics every 60 s by default, and at exit)");
    case data::ReconcileStatus::NoEvents: return tr("metrics only: no api_request events (logs not exported?)");
    case data::ReconcileStatus::Nothing: return {};
  }
  return {};
}

QString sessionHeaderHtml(const data::SessionSummary& s, const data::MetricTotals& metrics, const QString& textColor) {
  QString models;
  for (const auto& m : s.models) models += (models.isEmpty() ? QString() : QStringLiteral(", ")) + QString::fromStdString(m);
  QString html =
      tr("<b>Session %1</b> &nbsp; %2 \u00b7 %3 \u00b7 Claude Code %4 \u00b7 %5<br>%6 prompts \u00b7 %7 API calls \u00b7 "
         "%8 tool calls \u00b7 <span style='color:%9'>%10 errors</span> \u00b7 %11 tokens \u00b7 <b>%12</b>")
          .arg(QString::fromStdString(s.sessionId).toHtmlEscaped(), fmt::dateTime(s.firstNs),
               fmt::durationNs(s.lastNs - s.firstNs), QString::fromStdString(s.appVersion).toHtmlEscaped(),
               models.toHtmlEscaped())
          .arg(s.prompts)
          .arg(s.apiRequests)
          .arg(s.toolCalls)
          .arg(s.errors ? QLatin1String(kProblemColor) : textColor)
          .arg(s.errors)
          .arg(fmt::tokens(s.tokens.total()), fmt::cost(s.costUsd));
  data::Reconciliation r;
  r.sessionId = s.sessionId;
  r.eventCostUsd = s.costUsd;
  r.eventTokens = s.tokens;
  r.apiRequests = s.apiRequests;
  r.metrics = metrics;
  query::reconcile(r);
  const QString summary = metricsSummary(metrics);
  const QString verdict = reconcileVerdict(r, true);
  if (!summary.isEmpty() || !verdict.isEmpty()) {
    html += QStringLiteral("<br>");
    if (!summary.isEmpty()) html += tr("Metrics: %1").arg(summary.toHtmlEscaped());
    if (!summary.isEmpty() && !verdict.isEmpty()) html += QStringLiteral(" \u00b7 ");
    html += verdict;
  }
  return html;
}

}  // namespace cctv::ui
