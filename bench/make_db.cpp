// Makes the large database the viewer benchmarks run on (see BigDb.h).
// Run: build/bench/bench_make_db OUT.db [EVENTS=5000000] [SESSIONS=3000]

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "BigDb.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s OUT.db [EVENTS] [SESSIONS]\n", argv[0]);
    return 2;
  }
  cctv::bench::BigDbOptions o;
  o.path = argv[1];
  if (argc > 2) o.events = std::atoll(argv[2]);
  if (argc > 3) o.sessions = std::atoi(argv[3]);
  if (std::filesystem::exists(o.path)) {
    std::fprintf(stderr, "%s exists; remove it first\n", o.path.c_str());
    return 1;
  }
  std::int64_t lastReport = 0;
  const auto r = cctv::bench::makeBigDb(o, CCTV_FIXTURES_DIR, [&](std::int64_t n) {
    if (n - lastReport >= 500000) {
      lastReport = n;
      std::fprintf(stderr, "  %lld events\n", static_cast<long long>(n));
    }
  });
  if (!r.error.empty()) {
    std::fprintf(stderr, "%s\n", r.error.c_str());
    return 1;
  }
  std::printf("%s: %lld events, %lld metric points, %lld spans, %lld sessions, %lld prompts in %.0f s; "
              "largest session %s\n",
              o.path.c_str(), static_cast<long long>(r.events), static_cast<long long>(r.metricPoints),
              static_cast<long long>(r.spans), static_cast<long long>(r.sessions), static_cast<long long>(r.prompts),
              r.seconds, r.largestSession.c_str());
  return 0;
}
