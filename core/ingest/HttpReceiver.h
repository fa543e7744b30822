#pragma once
// OTLP/HTTP receiver: POST /v1/logs, /v1/metrics, /v1/traces in JSON or protobuf, optionally gzipped,
// with optional bearer-token auth. The HTTP I/O thread reads requests; decoding and normalizing run on a few
// decode threads (so that a big JSON body does not hold up the other connections, and the work spreads over
// the cores the writer leaves free); rows go to the store's writer, and the answer is sent only once the
// writer has committed them (or could not).
//
// Status codes follow ../shared/reference/otlp-receiver.md: 200 (+partialSuccess), 400 undecodable,
// 401 token, 404 path, 405 method, 413 size, 415 type/encoding, 503 + Retry-After when the store cannot
// keep up. Every request gets an ingest_log row and one line on stderr.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "http/HttpServer.h"
#include "model/Normalizer.h"

namespace cctv::store {
class Writer;
}

namespace cctv::ingest {

struct ReceiverOptions {
  std::string token;  // empty: no authentication
  std::uint64_t maxBodyBytes = 16ull * 1024 * 1024;  // raw and after gunzip
  model::NormalizeOptions normalize;
  bool logRequests = true;  // one line per request on stderr
  int retryAfterSeconds = 1;
  // Threads that decode and normalize request bodies; 0: on the HTTP I/O thread itself. A connection has at
  // most one request in flight, so answers stay in order whatever thread decodes them.
  unsigned decodeThreads = defaultDecodeThreads();
  static unsigned defaultDecodeThreads();
  // Signals whose accepted requests are queued, as received, for the forwarder (core/forward).
  struct Forwarded {
    bool logs = false, metrics = false, traces = false;
  } forward;
};

struct ReceiverStats {
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> refused{0};
  std::atomic<std::uint64_t> stored{0};
  std::atomic<std::uint64_t> duplicates{0};
  std::atomic<std::int64_t> lastRequestNs{0};
};

class HttpReceiver {
 public:
  HttpReceiver(store::Writer& writer, ReceiverOptions options, http::ServerOptions server);
  ~HttpReceiver();

  bool start(std::string* error);
  void stop();
  std::uint16_t port() const;
  std::string url() const;  // http://127.0.0.1:4318
  const ReceiverStats& stats() const { return *stats_; }

 private:
  std::optional<http::Response> checkHead(const http::RequestHead& head);
  void handle(http::Request&& req, http::Responder respond);
  void process(http::Request&& req, const http::Responder& respond);
  http::Response refuse(const http::RequestHead& head, int status, const std::string& message,
                        std::int64_t bytes);

  store::Writer& writer_;
  ReceiverOptions options_;
  std::shared_ptr<ReceiverStats> stats_ = std::make_shared<ReceiverStats>();  // shared with answers in flight
  std::unique_ptr<http::HttpServer> server_;
  class DecodePool;
  std::unique_ptr<DecodePool> pool_;
};

// Constant-time comparison of a received Authorization header with "Bearer <token>".
bool bearerMatches(const std::string* header, const std::string& token);

}  // namespace cctv::ingest
