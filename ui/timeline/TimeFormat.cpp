#include "timeline/TimeFormat.h"

#include <limits>

#include "timeline/EventSemantics.h"

#include <QDateTime>

#include <cmath>
#include <cstdarg>
#include <cstdio>

namespace cctv::ui::timefmt {

namespace {

constexpr std::int64_t kSecondsPerDay = 86400;
constexpr std::int64_t kNsPerMinute = 60 * kNsPerSecond;
constexpr std::int64_t kNsPerHour = 60 * kNsPerMinute;
constexpr std::int64_t kNsPerDay = 24 * kNsPerHour;

struct CivilDate {
  std::int64_t year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};

// Howard Hinnant's civil_from_days: proleptic Gregorian date of a day count since 1970-01-01.
CivilDate civilFromDays(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {m <= 2 ? y + 1 : y, m, d};
}

// Local nanoseconds since the epoch, split into whole days and the nanoseconds into that day.
void splitLocal(std::int64_t timeNs, int utcOffsetSeconds, std::int64_t* days, std::int64_t* nsOfDay) {
  const std::int64_t offsetNs = static_cast<std::int64_t>(utcOffsetSeconds) * kNsPerSecond;
  // Saturate instead of overflowing for times at the ends of the int64 range.
  std::int64_t local = 0;
  if (__builtin_add_overflow(timeNs, offsetNs, &local)) local = timeNs < 0 ? INT64_MIN : INT64_MAX;
  *days = floorDiv(local, kNsPerDay);
  *nsOfDay = local % kNsPerDay;  // not local - days * kNsPerDay, which overflows near INT64_MIN
  if (*nsOfDay < 0) *nsOfDay += kNsPerDay;
}

std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char* fmt, ...) {
  char buf[96];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, args);
  va_end(args);
  return buf;
}

}  // namespace

int decimalsForStep(std::int64_t stepNs, std::int64_t unitNs) {
  int decimals = 0;
  for (std::int64_t u = unitNs; u > stepNs && decimals < 6; u /= 10) ++decimals;
  // A step like 250 ms needs one digit more than its power of ten suggests.
  std::int64_t scale = unitNs;
  for (int i = 0; i < decimals; ++i) scale /= 10;
  if (scale > 0 && stepNs % scale != 0 && decimals < 6) ++decimals;
  return decimals;
}

std::int64_t floorDiv(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

int localUtcOffsetSeconds(std::int64_t timeNs) {
  // A time zone lookup per call was a tenth of building a large session's timeline. Offsets change on the
  // hour (DST, zone rules), so one lookup per hour is exact; the cache is per thread and small.
  constexpr std::int64_t kNsPerHour = 3600 * kNsPerSecond;
  thread_local std::int64_t cachedHour = std::numeric_limits<std::int64_t>::min();
  thread_local int cachedOffset = 0;
  const std::int64_t hour = floorDiv(timeNs, kNsPerHour);
  if (hour != cachedHour) {
    cachedOffset = QDateTime::fromMSecsSinceEpoch(floorDiv(timeNs, kNsPerMs)).offsetFromUtc();
    cachedHour = hour;
  }
  return cachedOffset;
}

std::string clock(std::int64_t timeNs, int utcOffsetSeconds, int decimals) {
  std::int64_t days = 0, ns = 0;
  splitLocal(timeNs, utcOffsetSeconds, &days, &ns);
  const std::int64_t secs = ns / kNsPerSecond;
  std::string out = format("%02d:%02d:%02d", static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                           static_cast<int>(secs % 60));
  if (decimals > 0) {
    decimals = decimals > 6 ? 6 : decimals;
    std::int64_t frac = (ns % kNsPerSecond) / kNsPerUs;  // microseconds
    for (int i = decimals; i < 6; ++i) frac /= 10;
    out += format(".%0*lld", decimals, static_cast<long long>(frac));
  }
  return out;
}

std::string clockMinutes(std::int64_t timeNs, int utcOffsetSeconds) {
  std::int64_t days = 0, ns = 0;
  splitLocal(timeNs, utcOffsetSeconds, &days, &ns);
  const std::int64_t mins = ns / kNsPerMinute;
  return format("%02d:%02d", static_cast<int>(mins / 60), static_cast<int>(mins % 60));
}

std::string shortDate(std::int64_t timeNs, int utcOffsetSeconds) {
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::int64_t days = 0, ns = 0;
  splitLocal(timeNs, utcOffsetSeconds, &days, &ns);
  const CivilDate d = civilFromDays(days);
  return format("%s %u", kMonths[d.month - 1], d.day);
}

std::string isoDate(std::int64_t timeNs, int utcOffsetSeconds) {
  std::int64_t days = 0, ns = 0;
  splitLocal(timeNs, utcOffsetSeconds, &days, &ns);
  const CivilDate d = civilFromDays(days);
  return format("%04lld-%02u-%02u", static_cast<long long>(d.year), d.month, d.day);
}

std::string duration(std::int64_t ns) {
  if (ns <= 0) return "0 ms";
  if (ns < kNsPerMs) return format("%lld µs", static_cast<long long>(ns / kNsPerUs));
  if (ns < kNsPerSecond) return format("%lld ms", static_cast<long long>(ns / kNsPerMs));
  const double s = static_cast<double>(ns) / kNsPerSecond;
  if (ns < 10 * kNsPerSecond) return format("%.2f s", s);
  if (ns < kNsPerMinute) return format("%.1f s", s);
  const std::int64_t totalSecs = ns / kNsPerSecond;
  if (ns < kNsPerHour) {
    return format("%lld min %lld s", static_cast<long long>(totalSecs / 60), static_cast<long long>(totalSecs % 60));
  }
  if (ns < kNsPerDay) {
    return format("%lld h %lld min", static_cast<long long>(totalSecs / 3600),
                  static_cast<long long>(totalSecs / 60 % 60));
  }
  return format("%lld d %lld h", static_cast<long long>(totalSecs / kSecondsPerDay),
                static_cast<long long>(totalSecs / 3600 % 24));
}

std::string offset(std::int64_t ns, std::int64_t stepNs) {
  if (ns == 0) return "+0";
  const char* sign = ns < 0 ? "-" : "+";
  const std::int64_t a = ns < 0 ? (ns == INT64_MIN ? INT64_MAX : -ns) : ns;
  stepNs = stepNs > 0 ? stepNs : 1;
  // Fractional seconds only when the step has them (a 250 ms step prints "+1.25 s", a 2 s step "+4 s").
  const int decimals = stepNs < kNsPerSecond ? decimalsForStep(stepNs, kNsPerSecond) : 0;
  if (a < kNsPerSecond) {
    if (stepNs < kNsPerMs) {
      return format("%s%.*f ms", sign, decimalsForStep(stepNs, kNsPerMs), static_cast<double>(a) / kNsPerMs);
    }
    return format("%s%lld ms", sign, static_cast<long long>(a / kNsPerMs));
  }
  if (a < kNsPerMinute) return format("%s%.*f s", sign, decimals, static_cast<double>(a) / kNsPerSecond);
  const std::int64_t mins = a / kNsPerMinute;
  if (a < kNsPerHour) {
    const std::int64_t rest = a % kNsPerMinute;
    if (rest == 0) return format("%s%lld min", sign, static_cast<long long>(mins));
    return format("%s%lld min %.*f s", sign, static_cast<long long>(mins), decimals,
                  static_cast<double>(rest) / kNsPerSecond);
  }
  const std::int64_t restMins = mins % 60;
  return restMins ? format("%s%lld h %lld min", sign, static_cast<long long>(mins / 60),
                           static_cast<long long>(restMins))
                  : format("%s%lld h", sign, static_cast<long long>(mins / 60));
}

std::string usd(double amount) {
  if (!std::isfinite(amount)) return "$?";
  return std::fabs(amount) < 1.0 ? format("$%.4f", amount) : format("$%.2f", amount);
}

std::string count(std::int64_t n) {
  const bool negative = n < 0;
  unsigned long long v = negative ? 0ULL - static_cast<unsigned long long>(n) : static_cast<unsigned long long>(n);
  std::string digits = std::to_string(v);
  std::string out;
  const int len = static_cast<int>(digits.size());
  for (int i = 0; i < len; ++i) {
    if (i > 0 && (len - i) % 3 == 0) out += ',';
    out += digits[static_cast<std::size_t>(i)];
  }
  return negative ? "-" + out : out;
}

}  // namespace cctv::ui::timefmt
