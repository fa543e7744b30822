#include "Format.h"

#include <QDateTime>
#include <QLocale>

#include <cmath>

namespace cctv::ui::fmt {

QString cost(double usd) {
  if (usd == 0) return QStringLiteral("$0");
  if (std::fabs(usd) < 10) return QStringLiteral("$") + QString::number(usd, 'f', 4);
  return QStringLiteral("$") + QLocale::system().toString(usd, 'f', 2);
}

QString tokens(std::int64_t n) {
  if (n >= 10'000'000) return QString::number(static_cast<double>(n) / 1e6, 'f', 1) + QStringLiteral("M");
  return QLocale::system().toString(static_cast<qlonglong>(n));
}

QString durationMs(double ms) {
  if (ms < 0) return QString();
  if (ms < 1000) return QString::number(static_cast<qint64>(std::llround(ms))) + QStringLiteral(" ms");
  const double s = ms / 1000.0;
  if (s < 60) return QString::number(s, 'f', s < 10 ? 2 : 1) + QStringLiteral(" s");
  const qint64 total = static_cast<qint64>(s);
  if (total < 3600)
    return QStringLiteral("%1 min %2 s").arg(total / 60).arg(total % 60, 2, 10, QLatin1Char('0'));
  return QStringLiteral("%1 h %2 min").arg(total / 3600).arg(total / 60 % 60, 2, 10, QLatin1Char('0'));
}

QString durationNs(std::int64_t ns) { return durationMs(static_cast<double>(ns) / 1e6); }

QString dateTime(std::int64_t ns) {
  if (ns <= 0) return QString();
  return QDateTime::fromMSecsSinceEpoch(ns / 1000000).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

QString timeOfDay(std::int64_t ns) {
  if (ns <= 0) return QString();
  return QDateTime::fromMSecsSinceEpoch(ns / 1000000).toString(QStringLiteral("HH:mm:ss.zzz"));
}

QString bytes(std::int64_t n) {
  const double v = static_cast<double>(n);
  if (n < 1024) return QString::number(n) + QStringLiteral(" B");
  if (n < 1024 * 1024) return QString::number(v / 1024, 'f', 1) + QStringLiteral(" KB");
  if (n < 1024LL * 1024 * 1024) return QString::number(v / 1024 / 1024, 'f', 1) + QStringLiteral(" MB");
  return QString::number(v / 1024 / 1024 / 1024, 'f', 2) + QStringLiteral(" GB");
}

QString shortId(const QString& id) { return id.left(8); }

}  // namespace cctv::ui::fmt
