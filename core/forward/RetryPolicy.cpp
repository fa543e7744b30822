#include "forward/RetryPolicy.h"

#include <time.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>

namespace cctv::forward {

Verdict verdictFor(int status) {
  if (status >= 200 && status <= 299) return Verdict::Delivered;
  if (status == 0 || status == 408 || status == 429 || (status >= 500 && status <= 599)) return Verdict::Retry;
  return Verdict::Drop;
}

milliseconds backoffDelay(const BackoffPolicy& p, int attempt, double unitRandom) {
  const double step = static_cast<double>(p.initial.count()) * std::pow(p.multiplier, std::max(0, attempt - 1));
  const double capped = std::min(step, static_cast<double>(p.max.count()));
  const double jitter = 0.5 + 0.5 * std::clamp(unitRandom, 0.0, 1.0);
  return milliseconds(static_cast<long long>(std::max(1.0, capped * jitter)));
}

std::optional<milliseconds> parseRetryAfter(const std::string& raw, std::chrono::system_clock::time_point now) {
  std::string v = raw;
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.pop_back();
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) v.erase(0, 1);
  if (v.empty()) return std::nullopt;
  if (std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (v.size() > 9) return milliseconds(std::chrono::hours(24 * 365));  // absurd; the caller caps it
    return milliseconds(std::stoll(v) * 1000);
  }
  // IMF-fixdate, the form RFC 9110 requires senders to use.
  struct tm tm {};
  const char* end = ::strptime(v.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (!end || *end != '\0') return std::nullopt;
  const time_t at = ::timegm(&tm);
  if (at == static_cast<time_t>(-1)) return std::nullopt;
  const auto when = std::chrono::system_clock::from_time_t(at);
  if (when <= now) return milliseconds(0);
  return std::chrono::duration_cast<milliseconds>(when - now);
}

milliseconds retryDelay(const BackoffPolicy& p, int status, const std::string& retryAfter, int attempt,
                        double unitRandom, std::chrono::system_clock::time_point now) {
  if (status == 429 || status == 503)
    if (const auto asked = parseRetryAfter(retryAfter, now)) return std::min(*asked, p.maxRetryAfter);
  return backoffDelay(p, attempt, unitRandom);
}

}  // namespace cctv::forward
