#pragma once
// Sends what the receivers accepted on to an upstream OTLP/HTTP endpoint, as it was received.
//
// The receivers queue each accepted request in the store's forward_queue, in the transaction that stores its
// rows (store/Writer, store/ForwardQueue), so ingest never waits for the upstream and an acknowledged request
// is a queued one even across a crash. The forwarder walks the queue in order on its own thread, one request
// at a time over a kept-alive connection, and tells the writer to delete each entry once the upstream
// answered 2xx (or refused it for good). Delivery is at-least-once: an entry whose 2xx arrived but whose
// deletion was not yet committed when cctv was killed, or that was in flight, is sent again after a restart;
// in normal operation nothing is sent twice (the forwarder's position in the queue only moves forward).
//
// Answers: 2xx delivered; 408, 429, 5xx and no answer at all (refused, reset, timeout, TLS failure) are
// retried, with exponential backoff and jitter, or after Retry-After on 429/503; anything else (400, 401,
// 403, 404, 413, ...) is permanent: the entry is dropped and logged. Every attempt is an ingest_log row
// (transport 'forward', status = the upstream's HTTP status or 0 without one), and each change of state is one
// line on stderr.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "forward/Endpoint.h"
#include "forward/RetryPolicy.h"

namespace cctv::store {
class Writer;
}

namespace cctv::forward {

struct ForwardOptions {
  ForwardTargets targets;
  HeaderList headers;  // --forward-header, sent with every request; never logged
  std::string caFile;  // --forward-ca
  std::chrono::milliseconds connectTimeout{std::chrono::seconds(10)};
  std::chrono::milliseconds responseTimeout{std::chrono::seconds(30)};
  BackoffPolicy backoff;
  // How long stop() waits for the answer to a request in flight, so a clean stop does not send it twice.
  std::chrono::milliseconds stopGrace{std::chrono::seconds(3)};
  bool logStateChanges = true;  // one line on stderr per change of state
};

enum class ForwardState {
  Ok,          // the last attempt was delivered (or none was needed yet)
  BackingOff,  // the last attempt failed in a way worth retrying; waiting until nextAttemptNs
  Failing,     // the last attempt was refused for good: the upstream drops what we send
};
const char* stateName(ForwardState s);  // "ok", "backing off", "failing"

// A snapshot for the UI.
struct ForwardStatus {
  std::string upstream;  // ForwardTargets::describe()
  ForwardState state = ForwardState::Ok;
  std::string lastError;  // of the last failed attempt; stays after recovery, with its time
  std::int64_t lastErrorNs = 0;
  std::int64_t lastDeliveredNs = 0;
  std::int64_t nextAttemptNs = 0;  // BackingOff: when the next attempt goes out
  int failedAttempts = 0;          // consecutive failed attempts of the entry at the head of the queue
  std::int64_t queuedRequests = 0, queuedBytes = 0, queueCapBytes = 0;
  std::int64_t forwardedRequests = 0, forwardedItems = 0;  // delivered since start
  std::int64_t refusedRequests = 0;   // dropped since start because the upstream refused them for good
  std::int64_t capDroppedRequests = 0;  // dropped since start because the queue was over its cap
};

class Forwarder {
 public:
  // `writer` must be open and outlive the forwarder; `dbPath` is its database (read on a connection of the
  // forwarder's own).
  Forwarder(store::Writer& writer, std::string dbPath, std::int64_t queueCapBytes, ForwardOptions options);
  ~Forwarder();  // stop()s
  Forwarder(const Forwarder&) = delete;
  Forwarder& operator=(const Forwarder&) = delete;

  // Opens the queue, loads trust anchors, starts the thread and begins with whatever is queued (a previous
  // run's leftovers first). False with a one-line error on failure.
  bool start(std::string* error);
  // Stops sending (waiting up to stopGrace for an answer in flight) and joins. Call before the writer stops.
  void stop();
  ForwardStatus status() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> d;
};

}  // namespace cctv::forward
