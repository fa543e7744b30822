#pragma once
// A realistic large cctv database for the viewer's benchmarks: thousands of sessions whose prompts are the
// prompts of the real captures (every prompt of every fixture run, its records in order, with their real
// attributes, durations and costs), strung together with think-time gaps, spread over the last 90 days.
// Session sizes are skewed like real use (log-normal: many short sessions, a few with tens of thousands of
// events). Each session's api_request cost and tokens are also exported as delta metrics (one point per
// minute, as Claude Code does), so the metrics agree with the events; prompts made from the traced capture
// also get their six spans (with fresh trace and span ids), so span waterfalls are part of the mix.
// Everything goes through the real normalizer and the real store Writer.

#include <cstdint>
#include <functional>
#include <string>

namespace cctv::bench {

struct BigDbOptions {
  std::string path;
  std::int64_t events = 5'000'000;
  int sessions = 3000;
  bool rawBodies = false;  // include the api_request_body / api_response_body events (tens of KB each)
  std::uint64_t seed = 42;
  std::int64_t endNs = 0;  // the newest session ends before this (0: now)
};

struct BigDbResult {
  std::int64_t events = 0, metricPoints = 0, spans = 0, sessions = 0, prompts = 0;
  double seconds = 0;
  std::string largestSession;  // by events
  std::string error;
};

// Fills options.path (which should not exist yet). `progress` gets the events written so far.
BigDbResult makeBigDb(const BigDbOptions& options, const std::string& fixturesDir,
                      const std::function<void(std::int64_t)>& progress = {});

}  // namespace cctv::bench
