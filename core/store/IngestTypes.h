#pragma once
// What travels between the receiver and the store's writer thread.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/Rows.h"

namespace cctv::store {

// One row of ingest_log: a request, accepted or not.
struct IngestLogEntry {
  std::int64_t receivedAtNs = 0;
  std::string transport;  // "http" or "grpc"
  std::string path;
  std::string contentType;
  std::string contentEncoding;
  std::int64_t bytes = 0;
  int status = 0;
  std::int64_t accepted = 0;
  std::int64_t rejected = 0;
  std::int64_t duplicates = 0;
  std::string message;
  std::string remote;
  std::string userAgent;
};

// The outcome of a write job, reported after its transaction committed (or failed).
struct WriteResult {
  bool ok = false;
  bool retryable = false;  // the store could not take it now (disk full, locked): answer 503 / UNAVAILABLE
  std::int64_t stored = 0;      // new rows
  std::int64_t duplicates = 0;  // rows already stored (exporter retries)
  std::string error;
};

// A request exactly as it arrived, for the forwarder (core/forward): queued in forward_queue in the same
// transaction as its rows, so what was acknowledged is also queued, even across a crash.
struct ForwardRequest {
  std::string path;             // the OTLP/HTTP signal path: "/v1/logs", "/v1/metrics", "/v1/traces"
  std::string contentType;      // the Content-Type header as received ("application/x-protobuf" for gRPC)
  std::string contentEncoding;  // the Content-Encoding header as received ("gzip"), or empty
  std::string body;             // the body as received (still gzipped when it was)
  std::int64_t items = 0;       // records, points or spans in it
};

struct WriteJob {
  model::NormalizedBatch batch;
  // Set when the request is to be forwarded; queued only when the job stored something new (an exporter's
  // retry of a stored batch was queued the first time).
  std::optional<ForwardRequest> forward;
  // Logged in the same transaction as the rows; status and counts are filled in by the writer.
  IngestLogEntry log;
  // Called on the writer thread once the outcome is durable (committed) or known to have failed.
  std::function<void(const WriteResult&)> done;
  // The status the writer records in the log row for each outcome, in the transport's own terms:
  // HTTP 200 / 500 / 503 (the defaults), gRPC 0 OK / 13 INTERNAL / 14 UNAVAILABLE.
  struct Statuses {
    int stored = 200;
    int failed = 500;
    int unavailable = 503;
  } statuses;
};

// Announced after every commit that stored something new.
struct StoredSummary {
  std::vector<std::string> sessionIds;  // sessions that received rows
  std::int64_t events = 0;
  std::int64_t points = 0;
  std::int64_t spans = 0;
  std::int64_t newestNs = 0;  // latest timestamp among the new rows
};

}  // namespace cctv::store
