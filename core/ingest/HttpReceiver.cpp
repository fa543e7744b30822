#include "ingest/HttpReceiver.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "ingest/ForwardCapture.h"
#include "ingest/OtlpDecode.h"
#include "model/JsonText.h"
#include "otlp/Gzip.h"
#include "store/Writer.h"
#include "util/ThreadName.h"

namespace cctv::ingest {

namespace {

std::int64_t nowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

// "application/json; charset=utf-8" -> "application/json".
std::string mediaType(const std::string* header) {
  if (!header) return {};
  return lower(trim(header->substr(0, header->find(';'))));
}

std::optional<Format> formatOf(const std::string& media) {
  if (media == "application/json") return Format::Json;
  if (media == "application/x-protobuf" || media == "application/protobuf") return Format::Protobuf;
  return std::nullopt;
}

// nullopt: not supported. true: gzip. false: identity.
std::optional<bool> isGzip(const std::string* header) {
  if (!header) return false;
  const std::string e = lower(trim(*header));
  if (e.empty() || e == "identity") return false;
  if (e == "gzip" || e == "x-gzip") return true;
  return std::nullopt;
}

int grpcCodeFor(int status) {
  switch (status) {
    case 400: return grpc_code::kInvalidArgument;
    case 401: return grpc_code::kUnauthenticated;
    case 404: return grpc_code::kNotFound;
    case 405: return grpc_code::kUnimplemented;
    case 413: return grpc_code::kResourceExhausted;
    case 415: return grpc_code::kInvalidArgument;
    case 503: return grpc_code::kUnavailable;
    default: return grpc_code::kInternal;
  }
}

const char* contentTypeOf(Format f) { return f == Format::Json ? "application/json" : "application/x-protobuf"; }

}  // namespace

bool bearerMatches(const std::string* header, const std::string& token) {
  const std::string expected = "Bearer " + token;
  const std::string got = header ? trim(*header) : std::string();
  // Compare every byte of the expected value whatever the input, so timing says nothing about the token.
  unsigned diff = got.size() == expected.size() ? 0u : 1u;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const char g = i < got.size() ? got[i] : '\0';
    const char e = expected[i];
    // The scheme ("Bearer") is case-insensitive (RFC 7235); the token is not.
    diff |= i < 6 ? static_cast<unsigned>(std::tolower(static_cast<unsigned char>(g)) ^
                                          std::tolower(static_cast<unsigned char>(e)))
                  : static_cast<unsigned>(static_cast<unsigned char>(g) ^ static_cast<unsigned char>(e));
  }
  return diff == 0;
}

unsigned ReceiverOptions::defaultDecodeThreads() {
  return std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
}

constexpr int kDecodeNice = 5;

// A fixed set of threads taking tasks in order. stop() runs what is queued, then joins.
class HttpReceiver::DecodePool {
 public:
  explicit DecodePool(unsigned threads) {
    for (unsigned i = 0; i < threads; ++i)
      threads_.emplace_back([this] {
        util::setThreadName("cctv-decode");
        // Decoding yields to the writer: the writer is the one stage that cannot be spread over threads, and a
        // request is answered only once written. On 2 cores this gave +7% protobuf and +18% JSON end to end
        // (BENCHMARKS.md). Linux takes a nice value per thread; elsewhere this changes nothing.
        setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), kDecodeNice);
        run();
      });
  }
  ~DecodePool() { stop(); }
  void post(std::function<void()> task) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      tasks_.push_back(std::move(task));
    }
    wake_.notify_one();
  }
  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (std::thread& t : threads_)
      if (t.joinable()) t.join();
  }

 private:
  void run() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
        if (tasks_.empty()) return;  // stopping, and nothing left to do
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

HttpReceiver::HttpReceiver(store::Writer& writer, ReceiverOptions options, http::ServerOptions server)
    : writer_(writer), options_(std::move(options)) {
  if (options_.decodeThreads > 0) pool_ = std::make_unique<DecodePool>(options_.decodeThreads);
  server.maxBodyBytes = options_.maxBodyBytes;
  server_ = std::make_unique<http::HttpServer>(
      server, [this](const http::RequestHead& h) { return checkHead(h); },
      [this](http::Request&& r, http::Responder respond) { handle(std::move(r), std::move(respond)); },
      [this](const http::RequestHead* head, int status, const std::string& message) {
        http::RequestHead empty;
        refuse(head ? *head : empty, status, message, head && head->contentLength ? static_cast<std::int64_t>(*head->contentLength) : 0);
      });
}

HttpReceiver::~HttpReceiver() { stop(); }

bool HttpReceiver::start(std::string* error) { return server_->start(error); }

void HttpReceiver::stop() {
  server_->stop();  // no new requests; those being decoded still reach the writer
  if (pool_) pool_->stop();
}

std::uint16_t HttpReceiver::port() const { return server_->port(); }

std::string HttpReceiver::url() const { return endpointUrl("http", server_->address(), port()); }

http::Response HttpReceiver::refuse(const http::RequestHead& head, int status, const std::string& message,
                                    std::int64_t bytes) {
  const std::string media = mediaType(head.header("Content-Type"));
  const Format format = formatOf(media).value_or(Format::Json);
  const std::string clean = model::validUtf8(message);
  http::Response r;
  r.status = status;
  r.contentType = contentTypeOf(format);
  r.body = statusBody(format, grpcCodeFor(status), clean);
  if (status == 401) r.headers.push_back({"WWW-Authenticate", "Bearer"});
  if (status == 405) r.headers.push_back({"Allow", "POST"});
  if (status == 503) r.headers.push_back({"Retry-After", std::to_string(options_.retryAfterSeconds)});

  ++stats_->requests;
  ++stats_->refused;
  store::IngestLogEntry e;
  e.receivedAtNs = nowNs();
  e.transport = "http";
  e.path = head.path;
  e.contentType = media;
  if (const std::string* enc = head.header("Content-Encoding")) e.contentEncoding = *enc;
  e.bytes = bytes;
  e.status = status;
  e.message = logSafeReason(clean);  // the client gets the offending value quoted; the log never does
  e.remote = head.remote;
  if (const std::string* ua = head.header("User-Agent")) e.userAgent = *ua;
  writer_.log(e);
  if (options_.logRequests)
    std::fprintf(stderr, "%s %s %d %s\n", head.method.empty() ? "-" : head.method.c_str(),
                 head.path.empty() ? "-" : head.path.c_str(), status, e.message.c_str());
  return r;
}

std::optional<http::Response> HttpReceiver::checkHead(const http::RequestHead& head) {
  if (!signalForPath(head.path))
    return refuse(head, 404, "unknown path " + head.path + "; OTLP/HTTP paths are /v1/logs, /v1/metrics, /v1/traces", 0);
  if (head.method != "POST") return refuse(head, 405, "method " + head.method + " not allowed; use POST", 0);
  if (!options_.token.empty() && !bearerMatches(head.header("Authorization"), options_.token))
    return refuse(head, 401,
                  head.header("Authorization") ? "wrong bearer token" : "missing Authorization: Bearer header", 0);
  const std::string media = mediaType(head.header("Content-Type"));
  if (!formatOf(media))
    return refuse(head, 415,
                  "unsupported Content-Type \"" + media + "\"; use application/json or application/x-protobuf", 0);
  if (!isGzip(head.header("Content-Encoding")))
    return refuse(head, 415, "unsupported Content-Encoding \"" + *head.header("Content-Encoding") + "\"; use gzip or none", 0);
  if (head.contentLength && *head.contentLength > options_.maxBodyBytes)
    return refuse(head, 413,
                  "request body of " + std::to_string(*head.contentLength) + " bytes exceeds the limit of " +
                      std::to_string(options_.maxBodyBytes),
                  static_cast<std::int64_t>(*head.contentLength));
  return std::nullopt;
}

void HttpReceiver::handle(http::Request&& req, http::Responder respond) {
  if (!pool_) return process(std::move(req), respond);
  // std::function needs a copyable callable: the request moves into a shared holder.
  auto held = std::make_shared<http::Request>(std::move(req));
  pool_->post([this, held, respond = std::move(respond)] {
    // As on the I/O thread (HttpServer answers a handler that throws with a 500): nothing may escape a pool
    // thread. The first answer wins, so one already sent stays.
    try {
      process(std::move(*held), respond);
    } catch (const std::exception& e) {
      respond(refuse(held->head, 500, std::string("internal error: ") + e.what(), 0));
    } catch (...) {
      respond(refuse(held->head, 500, "internal error", 0));
    }
  });
}

void HttpReceiver::process(http::Request&& req, const http::Responder& respond) {
  const http::RequestHead& head = req.head;
  const Signal signal = *signalForPath(head.path);
  const std::string media = mediaType(head.header("Content-Type"));
  const Format format = *formatOf(media);
  const std::int64_t bytes = static_cast<std::int64_t>(req.body.size());

  std::string inflated;
  std::string_view body = req.body;
  if (*isGzip(head.header("Content-Encoding"))) {
    std::string err;
    const otlp::InflateResult r = otlp::gunzip(req.body, options_.maxBodyBytes, &inflated, &err);
    if (r != otlp::InflateResult::Ok) {
      respond(refuse(head, r == otlp::InflateResult::TooLarge ? 413 : 400, err, bytes));
      return;
    }
    body = inflated;
  }

  auto job = std::make_unique<store::WriteJob>();
  std::string err;
  if (!decodeAndNormalize(signal, format, body, &job->batch, options_.normalize, &err)) {
    respond(refuse(head, 400, std::string("cannot decode ") + signalName(signal) + ": " + err, bytes));
    return;
  }
  if (forwards(options_, signal)) {
    // As received: the Content-Type and Content-Encoding headers verbatim, the body still encoded.
    const std::string* type = head.header("Content-Type");
    const std::string* encoding = head.header("Content-Encoding");
    job->forward = forwardRequest(signal, type ? *type : media, encoding ? *encoding : std::string(), std::move(req.body),
                                  static_cast<std::int64_t>(job->batch.itemCount()) + job->batch.rejected);
  }
  store::IngestLogEntry& e = job->log;
  e.receivedAtNs = nowNs();
  e.transport = "http";
  e.path = head.path;
  e.contentType = media;
  if (const std::string* enc = head.header("Content-Encoding")) e.contentEncoding = *enc;
  e.bytes = bytes;
  e.remote = head.remote;
  if (const std::string* ua = head.header("User-Agent")) e.userAgent = *ua;

  const std::int64_t rejected = job->batch.rejected;
  const std::string rejectMessage =
      rejected ? model::validUtf8(std::to_string(rejected) + " " + itemNoun(signal) + " rejected: " +
                                  job->batch.rejectReason)
               : std::string();
  e.message = rejectMessage;
  const std::string method = head.method, path = head.path;
  // Runs on the writer thread, possibly after this receiver is gone (a listener restart does not wait for the
  // writer): it holds what it needs, not `this`.
  job->done = [stats = stats_, retryAfter = options_.retryAfterSeconds, logRequests = options_.logRequests, respond,
               signal, format, rejected, rejectMessage, method, path, bytes](const store::WriteResult& res) {
    http::Response r;
    r.contentType = contentTypeOf(format);
    if (res.ok) {
      ++stats->requests;
      stats->stored += static_cast<std::uint64_t>(res.stored);
      stats->duplicates += static_cast<std::uint64_t>(res.duplicates);
      stats->lastRequestNs = nowNs();
      r.status = 200;
      r.body = exportResponse(signal, format, rejected, rejectMessage);
    } else {
      ++stats->requests;
      ++stats->refused;
      r.status = res.retryable ? 503 : 500;
      r.body = statusBody(format, res.retryable ? grpc_code::kUnavailable : grpc_code::kInternal, res.error);
      if (res.retryable) r.headers.push_back({"Retry-After", std::to_string(retryAfter)});
    }
    if (logRequests)
      std::fprintf(stderr, "%s %s %d %lldB accepted=%lld rejected=%lld duplicates=%lld%s%s\n", method.c_str(),
                   path.c_str(), r.status, static_cast<long long>(bytes), static_cast<long long>(res.stored),
                   static_cast<long long>(rejected), static_cast<long long>(res.duplicates),
                   res.ok ? (rejectMessage.empty() ? "" : " ") : " ",
                   res.ok ? rejectMessage.c_str() : res.error.c_str());
    respond(std::move(r));
  };

  switch (writer_.submit(std::move(job))) {
    case store::Writer::Submit::Queued: return;
    case store::Writer::Submit::Full:
      respond(refuse(head, 503, "store is busy (write queue full); retry later", bytes));
      return;
    case store::Writer::Submit::Stopped:
      respond(refuse(head, 503, "receiver is shutting down; retry later", bytes));
      return;
  }
}

}  // namespace cctv::ingest
