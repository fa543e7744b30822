#pragma once
// How the viewer writes numbers, money, durations and times, in one place so every view agrees.

#include <QString>

#include <cstdint>

namespace cctv::ui::fmt {

QString cost(double usd);                  // "$0.0519", "$12.34"
QString tokens(std::int64_t n);            // "3,334", "1.2M"
QString durationMs(double ms);             // "38 ms", "1.2 s", "3 min 04 s", "2 h 05 min"
QString durationNs(std::int64_t ns);
QString dateTime(std::int64_t ns);         // local time "2026-11-24 19:17:24"
QString timeOfDay(std::int64_t ns);        // "19:17:24.547"
QString bytes(std::int64_t n);             // "1.4 MB"
QString shortId(const QString& id);        // first 8 characters of a UUID

}  // namespace cctv::ui::fmt
