#pragma once
// Realistic Export requests for benchmarks: the log records of every captured Claude Code run, replicated
// into as many unique sessions as needed (fresh session/prompt ids, sequences and timestamps), in batches of
// a given size, encoded as OTLP/JSON and as protobuf.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace cctv::bench {

struct Batch {
  std::string json;
  std::string protobuf;
  int records = 0;
};

class Corpus {
 public:
  // Loads the fixtures' log records (all runs, resends included once). Without raw bodies, leaves out the
  // api_request_body / api_response_body events (tens of KB each, only with OTEL_LOG_RAW_API_BODIES).
  explicit Corpus(const std::string& fixturesDir, bool withRawBodies = true);
  // `count` records in batches of `perBatch`, every record unique; `salt` makes ids differ between calls.
  std::vector<Batch> batches(std::int64_t count, int perBatch, std::uint64_t salt) const;
  std::size_t templateRecords() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> d;
};

}  // namespace cctv::bench
