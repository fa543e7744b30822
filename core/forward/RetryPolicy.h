#pragma once
// When to send again: which upstream answers are final, how long to back off, and Retry-After.
// Pure functions, so the timing rules are tested without a network.

#include <chrono>
#include <optional>
#include <string>

namespace cctv::forward {

using std::chrono::milliseconds;

// What to do with a queue entry after an attempt.
enum class Verdict {
  Delivered,  // 2xx: done, remove it
  Retry,      // connection error or timeout (status 0), 408, 429, 5xx: keep it, back off, send it again
  Drop,       // any other status (1xx, 3xx, 4xx): the upstream will never take it; remove it and log
};
Verdict verdictFor(int status);

struct BackoffPolicy {
  milliseconds initial{1000};
  milliseconds max{30000};  // the cap, as the OpenTelemetry exporters' default max interval
  double multiplier = 2.0;
  // A Retry-After longer than this is cut to it: an upstream asking for hours would stall the queue.
  milliseconds maxRetryAfter{std::chrono::minutes(5)};
};

// The wait before retry number `attempt` (1 = the first retry): min(max, initial * multiplier^(attempt-1)),
// scaled by a jitter factor in [0.5, 1) taken from unitRandom (in [0, 1)). Jitter keeps several cctvs behind
// one collector from retrying in step after an outage; never less than half the step keeps the backoff real.
milliseconds backoffDelay(const BackoffPolicy& policy, int attempt, double unitRandom);

// Retry-After as delta-seconds ("120") or an HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT"); nullopt when absent
// or unreadable. A date in the past is 0.
std::optional<milliseconds> parseRetryAfter(const std::string& value, std::chrono::system_clock::time_point now);

// The wait after a retryable answer: Retry-After when the status is 429 or 503 and it is readable (capped at
// policy.maxRetryAfter), the backoff otherwise.
milliseconds retryDelay(const BackoffPolicy& policy, int status, const std::string& retryAfter, int attempt,
                        double unitRandom, std::chrono::system_clock::time_point now);

}  // namespace cctv::forward
