#pragma once
// A stand-in for the upstream a cctv forwards to (Panther's OTLP source, a collector): a real HTTP server
// (cctv's own http::HttpServer) on a loopback port that records every request it gets and answers as told:
// 200, 503 with Retry-After, 400, or not at all (hang). stop() takes it down; start() brings it back on the
// same port.

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "http/HttpServer.h"

namespace cctv::test {

struct UpstreamRequest {
  std::string method, path;
  std::vector<http::Header> headers;
  std::string body;
  std::chrono::steady_clock::time_point at;
  std::string header(const std::string& name) const;  // "" when absent; case-insensitive
  bool has(const std::string& name) const;
};

class FakeUpstream {
 public:
  enum class Mode { Ok, Unavailable, BadRequest, Hang };

  FakeUpstream();
  ~FakeUpstream();

  // Listens on 127.0.0.1: a free port the first time, the same port afterwards.
  bool start();
  void stop();
  std::uint16_t port() const { return port_; }
  std::string url() const;  // http://127.0.0.1:PORT

  void setMode(Mode mode, int retryAfterSeconds = 0);
  std::vector<UpstreamRequest> received() const;
  std::size_t openConnections() const { return server_ ? server_->openConnections() : 0; }
  std::size_t count() const;

 private:
  void handle(http::Request&& request, http::Responder respond);

  std::uint16_t port_ = 0;
  mutable std::mutex m_;
  Mode mode_ = Mode::Ok;
  int retryAfter_ = 0;
  std::vector<UpstreamRequest> received_;
  std::vector<http::Responder> hung_;  // answered (with nothing) when the server stops
  std::unique_ptr<http::HttpServer> server_;
};

}  // namespace cctv::test
