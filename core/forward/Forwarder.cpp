// The forwarder's loop, on one Asio thread: read the next queue entry after the cursor, send it, and on the
// answer either move on (delivered / refused for good: the writer deletes the entry) or wait and send the
// same entry again. The writer wakes the loop after each commit that queued something.

#include "forward/Forwarder.h"

#include <boost/asio.hpp>

#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include "forward/UpstreamClient.h"
#include "model/JsonText.h"
#include "store/ForwardQueue.h"
#include "store/Writer.h"
#include "util/ThreadName.h"

namespace cctv::forward {

namespace asio = boost::asio;
using error_code = boost::system::error_code;

namespace {

constexpr std::size_t kExcerpt = 300;

std::int64_t nowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string seconds(std::chrono::milliseconds ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms.count()) / 1000.0);
  return buf;
}

// A readable start of a text answer (a JSON google.rpc.Status, an HTML error page); nothing for protobuf.
std::string excerpt(const UpstreamReply& r) {
  if (r.body.empty() || r.contentType.find("protobuf") != std::string::npos) return {};
  std::string s = model::validUtf8(r.body.substr(0, kExcerpt));
  for (char& c : s)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  return s;
}

std::string describe(const UpstreamReply& r) {
  if (r.status == 0) return r.error;
  std::string s = "HTTP " + std::to_string(r.status);
  if (!r.reason.empty()) s += " " + r.reason;
  const std::string body = excerpt(r);
  if (!body.empty()) s += ": " + body;
  return s;
}

// Lets the writer thread wake the loop until stop() closes it.
struct Gate {
  std::mutex m;
  asio::io_context* ioc = nullptr;
  bool open = false;
  template <class F>
  void post(F&& f) {
    std::lock_guard<std::mutex> lock(m);
    if (open) asio::post(*ioc, std::forward<F>(f));
  }
  void setOpen(bool v) {
    std::lock_guard<std::mutex> lock(m);
    open = v;
  }
};

// What an attempt is about, kept while the request is in flight.
struct Attempt {
  std::int64_t id = 0;
  const Url* url = nullptr;
  std::string contentType, contentEncoding;
  std::int64_t bytes = 0, items = 0;
};

}  // namespace

const char* stateName(ForwardState s) {
  switch (s) {
    case ForwardState::Ok: return "ok";
    case ForwardState::BackingOff: return "backing off";
    case ForwardState::Failing: return "failing";
  }
  return "";
}

struct Forwarder::Impl {
  Impl(store::Writer& w, std::string path, std::int64_t cap, ForwardOptions o)
      : writer(w), dbPath(std::move(path)), capBytes(cap), opt(std::move(o)), retryTimer(ioc) {
    status.upstream = opt.targets.describe();
    status.queueCapBytes = capBytes;
    gate->ioc = &ioc;
  }

  store::Writer& writer;
  std::string dbPath;
  std::int64_t capBytes;
  ForwardOptions opt;
  std::string userAgent = std::string("cctv/") + CCTV_VERSION;

  // Declared first so it is destroyed last.
  asio::io_context ioc{1};
  asio::steady_timer retryTimer;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::unique_ptr<UpstreamClient> client;
  std::unique_ptr<store::ForwardQueueReader> reader;
  std::shared_ptr<Gate> gate = std::make_shared<Gate>();
  std::thread thread;
  std::mt19937_64 rng{std::random_device{}()};

  // I/O thread only.
  std::int64_t cursor = 0;  // entries up to here are done (or being deleted by the writer)
  bool waiting = false;     // the retry timer is running
  bool stopping = false;
  Attempt attempt;

  // Shared with status() and stop().
  mutable std::mutex m;
  std::condition_variable idle;
  ForwardStatus status;
  bool inFlight = false;
  bool running = false;

  void log(const char* fmt, const std::string& a, const std::string& b = {}) const {
    if (opt.logStateChanges) std::fprintf(stderr, fmt, a.c_str(), b.c_str());
  }

  std::string queueText() const {
    const auto& q = writer.forwardQueue();
    return std::to_string(q.entries.load()) + " request(s), " + std::to_string(q.bytes.load()) + " bytes queued";
  }

  // Under m. One stderr line when the state changes, none while it stays.
  void enter(ForwardState s, const std::string& detail) {
    if (s == status.state) return;
    status.state = s;
    switch (s) {
      case ForwardState::Ok: log("cctv: forward: ok: %s (%s)\n", detail, queueText()); break;
      case ForwardState::BackingOff: log("cctv: forward: backing off: %s (%s)\n", detail, queueText()); break;
      case ForwardState::Failing: log("cctv: forward: failing: %s (%s)\n", detail, queueText()); break;
    }
  }

  void wake() {
    asio::post(ioc, [this] { pump(); });
  }

  void pump() {
    if (stopping || waiting || attempt.id) return;
    std::optional<store::QueuedRequest> next;
    try {
      next = reader->next(cursor);
    } catch (const store::SqliteError& e) {
      return retryLater(std::string("cannot read the forward queue: ") + e.what(), 0, {});
    }
    if (!next) return;  // the writer wakes us when something is queued
    const Url* url = opt.targets.forPath(next->request.path);
    if (!url) {
      // Queued by an earlier run that forwarded this signal; this run's flags send it nowhere.
      cursor = next->id;
      store::IngestLogEntry e = logEntry(next->request.path, next->request, 0);
      e.rejected = next->request.items;
      e.message = "dropped: this run forwards no " + next->request.path +
                  " (queued by an earlier run with other --forward flags)";
      writer.forwardDone(next->id, e);
      return wake();
    }
    attempt = Attempt{next->id, url, next->request.contentType, next->request.contentEncoding,
                      static_cast<std::int64_t>(next->request.body.size()), next->request.items};
    {
      std::lock_guard<std::mutex> lock(m);
      inFlight = true;
    }
    OutgoingRequest out{std::move(next->request.contentType), std::move(next->request.contentEncoding),
                        std::move(next->request.body)};
    client->send(*url, std::move(out), [this](UpstreamReply reply) { answered(std::move(reply)); });
  }

  store::IngestLogEntry logEntry(const std::string& path, const store::ForwardRequest& r, int status) const {
    store::IngestLogEntry e;
    e.receivedAtNs = nowNs();
    e.transport = "forward";
    e.path = path;
    e.contentType = r.contentType;
    e.contentEncoding = r.contentEncoding;
    e.bytes = static_cast<std::int64_t>(r.body.size());
    e.status = status;
    e.userAgent = userAgent;
    return e;
  }

  store::IngestLogEntry logEntry(const UpstreamReply& reply) const {
    store::IngestLogEntry e;
    e.receivedAtNs = nowNs();
    e.transport = "forward";
    e.path = attempt.url->target;
    e.contentType = attempt.contentType;
    e.contentEncoding = attempt.contentEncoding;
    e.bytes = attempt.bytes;
    e.status = reply.status;
    e.remote = attempt.url->authority();
    e.userAgent = userAgent;
    return e;
  }

  void answered(UpstreamReply reply) {
    store::IngestLogEntry e = logEntry(reply);
    const Attempt done = attempt;
    attempt = Attempt{};
    const Verdict verdict = verdictFor(reply.status);
    if (verdict == Verdict::Retry) {
      retryLater(describe(reply), reply.status, reply.retryAfter, &e);
    } else {
      cursor = done.id;
      const std::string what = describe(reply);
      {  // the status, under its lock; the writer is told outside it
        std::lock_guard<std::mutex> lock(m);
        status.failedAttempts = 0;
        if (verdict == Verdict::Delivered) {
          e.accepted = done.items;
          const std::string body = excerpt(reply);
          if (!body.empty() && body != "{}") e.message = "upstream: " + body;
          ++status.forwardedRequests;
          status.forwardedItems += done.items;
          status.lastDeliveredNs = e.receivedAtNs;
          enter(ForwardState::Ok, "delivering to " + done.url->authority() + " again");
        } else {
          e.rejected = done.items;
          e.message = "refused for good (" + what + "); dropped";
          ++status.refusedRequests;
          status.lastError = e.message;
          status.lastErrorNs = e.receivedAtNs;
          enter(ForwardState::Failing, done.url->text() + " refused a request for good (" + what + "); dropping what it refuses");
        }
      }
      writer.forwardDone(done.id, e);
    }
    {
      std::lock_guard<std::mutex> lock(m);
      inFlight = false;
    }
    idle.notify_all();
    if (!waiting) wake();
  }

  // The entry at the head stays; try it again after the backoff (or the upstream's Retry-After).
  void retryLater(const std::string& why, int statusCode, const std::string& retryAfter,
                  store::IngestLogEntry* row = nullptr) {
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    int failures;
    {
      std::lock_guard<std::mutex> lock(m);
      failures = ++status.failedAttempts;
    }
    const auto delay =
        retryDelay(opt.backoff, statusCode, retryAfter, failures, unit(rng), std::chrono::system_clock::now());
    const std::string message = why + "; retry in " + seconds(delay);
    if (row) {
      row->message = message;
      writer.log(*row);
    }
    {
      std::lock_guard<std::mutex> lock(m);
      status.lastError = why;
      status.lastErrorNs = nowNs();
      status.nextAttemptNs = status.lastErrorNs + std::chrono::duration_cast<std::chrono::nanoseconds>(delay).count();
      enter(ForwardState::BackingOff, message);
    }
    waiting = true;
    retryTimer.expires_after(delay);
    retryTimer.async_wait([this](error_code ec) {
      if (ec) return;
      waiting = false;
      pump();
    });
  }
};

Forwarder::Forwarder(store::Writer& writer, std::string dbPath, std::int64_t queueCapBytes, ForwardOptions options)
    : d(std::make_unique<Impl>(writer, std::move(dbPath), queueCapBytes, std::move(options))) {}

Forwarder::~Forwarder() { stop(); }

bool Forwarder::start(std::string* error) {
  if (!d->opt.targets.any()) {
    *error = "forwarding: no upstream URL";
    return false;
  }
  try {
    d->reader = std::make_unique<store::ForwardQueueReader>(d->dbPath);
  } catch (const store::SqliteError& e) {
    *error = std::string("forwarding: ") + e.what();
    return false;
  }
  ClientOptions co;
  co.connectTimeout = d->opt.connectTimeout;
  co.responseTimeout = d->opt.responseTimeout;
  co.caFile = d->opt.caFile;
  co.userAgent = d->userAgent;
  co.headers = d->opt.headers;
  d->client = std::make_unique<UpstreamClient>(d->ioc, co);
  std::string why;
  if (!d->client->init(&why)) {
    *error = "forwarding: " + why;
    d->client.reset();
    return false;
  }
  d->log("cctv: forwarding accepted requests: %s (%s)\n", d->status.upstream, d->queueText());
  d->work.emplace(asio::make_work_guard(d->ioc));
  d->gate->setOpen(true);
  d->writer.setForwardListener([gate = d->gate, impl = d.get()] { gate->post([impl] { impl->pump(); }); });
  d->running = true;
  d->thread = std::thread([impl = d.get()] {
    util::setThreadName("cctv-forward");
    impl->ioc.run();
  });
  d->wake();  // a previous run's leftovers go first
  return true;
}

void Forwarder::stop() {
  {
    std::lock_guard<std::mutex> lock(d->m);
    if (!d->running) return;
    d->running = false;
  }
  d->writer.setForwardListener({});
  d->gate->setOpen(false);
  asio::post(d->ioc, [impl = d.get()] { impl->stopping = true; });
  {
    // An answer that is on its way is worth waiting for: without it the request is sent again next start.
    std::unique_lock<std::mutex> lock(d->m);
    d->idle.wait_for(lock, d->opt.stopGrace, [&] { return !d->inFlight; });
  }
  asio::post(d->ioc, [impl = d.get()] {
    impl->retryTimer.cancel();
    impl->client->close();
    impl->ioc.stop();
  });
  d->work.reset();
  if (d->thread.joinable()) d->thread.join();
  d->client.reset();
  d->reader.reset();
}

ForwardStatus Forwarder::status() const {
  ForwardStatus s;
  {
    std::lock_guard<std::mutex> lock(d->m);
    s = d->status;
  }
  const auto& q = d->writer.forwardQueue();
  s.queuedRequests = q.entries.load();
  s.queuedBytes = q.bytes.load();
  s.capDroppedRequests = q.droppedEntries.load();
  return s;
}

}  // namespace cctv::forward
