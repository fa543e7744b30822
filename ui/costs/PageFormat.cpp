#include "costs/PageFormat.h"

#include <QDateTime>
#include <QLocale>
#include <algorithm>
#include <cmath>

namespace cctv::ui::pagefmt {
namespace {

// Decimals needed so that multiples of `step` print distinctly (step 0.25 → 2, step 5 → 0).
int decimalsFor(double step) {
  if (step <= 0) return 0;
  int decimals = 0;
  double scaled = step;
  while (decimals < 6 && std::fabs(scaled - std::round(scaled)) > 1e-9 * std::max(1.0, scaled)) {
    scaled *= 10;
    ++decimals;
  }
  return decimals;
}

}  // namespace

QString usd(double amount) {
  const double magnitude = std::fabs(amount);
  if (magnitude >= 100) return QStringLiteral("$%1").arg(QLocale().toString(amount, 'f', 0));
  if (magnitude >= 0.1 || magnitude == 0) return QStringLiteral("$%1").arg(amount, 0, 'f', 2);
  return QStringLiteral("$%1").arg(amount, 0, 'f', 3);
}

QString compactCount(double value) {
  const double magnitude = std::fabs(value);
  struct Unit {
    double size;
    const char* suffix;
  };
  static constexpr Unit units[] = {{1e9, "B"}, {1e6, "M"}, {1e3, "k"}};
  for (const Unit& unit : units) {
    if (magnitude >= unit.size) {
      const double scaled = value / unit.size;
      // Three significant digits at most: "12.3k" but "123k".
      const int decimals = std::fabs(scaled) >= 100 ? 0 : 1;
      QString text = QString::number(scaled, 'f', decimals);
      if (text.endsWith(QLatin1String(".0"))) text.chop(2);
      return text + QLatin1String(unit.suffix);
    }
  }
  return QString::number(static_cast<std::int64_t>(std::llround(value)));
}

QString duration(double ms) {
  if (ms < 0 || std::isnan(ms)) return QStringLiteral("—");
  if (ms < 1000) return QStringLiteral("%1 ms").arg(std::llround(ms));
  const double seconds = ms / 1000;
  if (seconds < 10) return QStringLiteral("%1 s").arg(seconds, 0, 'f', 1);
  if (seconds < 60) return QStringLiteral("%1 s").arg(std::llround(seconds));
  const long long whole = std::llround(seconds);
  return QStringLiteral("%1 min %2 s").arg(whole / 60).arg(whole % 60);
}

QString percent(double ratio, int decimals) {
  if (ratio < 0 || std::isnan(ratio)) return QStringLiteral("—");
  QString text = QString::number(ratio * 100, 'f', decimals);
  // "100%" reads better than "100.0%", and so does "50%" for an exact half.
  if (decimals > 0 && text.endsWith(QLatin1Char('0'))) {
    const QString zeros = QLatin1Char('.') + QString(decimals, QLatin1Char('0'));
    if (text.endsWith(zeros)) text.chop(zeros.size());
  }
  return text + QLatin1Char('%');
}

QString utcDayLabel(std::int64_t timeNs) {
  const QDate day = QDateTime::fromMSecsSinceEpoch(timeNs / 1000000, Qt::UTC).date();
  return QLocale().toString(day, QStringLiteral("MMM d"));
}

QString sessionLabel(const std::string& sessionId, std::int64_t firstNs) {
  const QString id = QString::fromStdString(sessionId);
  return id.left(8) + QStringLiteral(" · ") + utcDayLabel(firstNs);
}

Ticks niceTicks(double maxValue, int targetTicks) {
  if (!(maxValue > 0) || targetTicks < 1) return {};
  // The smallest nice step that needs at most one interval more than asked for: 0..0.51 gets six steps of 0.1
  // rather than three of 0.2.
  const double power = std::pow(10.0, std::floor(std::log10(maxValue / (targetTicks + 1))));
  for (double scale : {1.0, 10.0}) {
    for (double factor : {1.0, 2.0, 2.5, 5.0}) {
      const double step = power * scale * factor;
      const double intervals = std::ceil(maxValue / step - 1e-9);  // the top rounded up to a whole step
      if (intervals <= targetTicks + 1) return {intervals * step, step};
    }
  }
  return {maxValue, maxValue};  // unreachable: 10 × power always fits
}

QString usdTick(double value, const Ticks& ticks) {
  // Cents stay visible on small axes ("$0.10", not "$0.1"); whole dollars drop them.
  const int decimals = ticks.step < 1 ? std::max(2, decimalsFor(ticks.step)) : decimalsFor(ticks.step);
  return QStringLiteral("$%1").arg(value, 0, 'f', decimals);
}

QString countTick(double value, const Ticks& ticks) {
  if (value == 0) return QStringLiteral("0");
  // One unit for the whole axis, chosen by its top: "0, 500k, 1M, 1.5M", never "1500k".
  double unitSize = 1;
  const char* suffix = "";
  if (ticks.max >= 1e9) {
    unitSize = 1e9;
    suffix = "B";
  } else if (ticks.max >= 1e6) {
    unitSize = 1e6;
    suffix = "M";
  } else if (ticks.max >= 1e4) {  // "2500" reads better than "2.5k" on a small axis
    unitSize = 1e3;
    suffix = "k";
  }
  QString text = QString::number(value / unitSize, 'f', decimalsFor(ticks.step / unitSize));
  if (text.contains(QLatin1Char('.'))) {  // "1M" rather than "1.0M" next to "1.5M"
    while (text.endsWith(QLatin1Char('0'))) text.chop(1);
    if (text.endsWith(QLatin1Char('.'))) text.chop(1);
  }
  return text + QLatin1String(suffix);
}

}  // namespace cctv::ui::pagefmt
