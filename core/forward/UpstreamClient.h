#pragma once
// One keep-alive HTTP/1.1 connection to the upstream, over TCP or TLS, on Boost.Beast (the client side of
// the library the receiver's HttpServer uses). https verifies the certificate chain against the system's
// trust store (OpenSSL's default paths, i.e. Debian's ca-certificates) plus an optional PEM file, and the
// name against the URL's host. Everything Beast-specific stays in UpstreamClient.cpp.

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "forward/Endpoint.h"

namespace boost::asio {
class io_context;
}

namespace cctv::forward {

struct ClientOptions {
  std::chrono::milliseconds connectTimeout{std::chrono::seconds(10)};   // resolve + connect + TLS handshake
  std::chrono::milliseconds responseTimeout{std::chrono::seconds(30)};  // first byte sent to last byte read
  std::string caFile;     // more trust anchors (PEM) for https, besides the system store; empty: none
  std::string userAgent;  // "cctv/0.1.0"; a User-Agent in `headers` replaces it
  HeaderList headers;     // sent with every request (--forward-header)
};

struct OutgoingRequest {
  std::string contentType;
  std::string contentEncoding;  // empty: no Content-Encoding header
  std::string body;
};

struct UpstreamReply {
  int status = 0;      // the HTTP status; 0 when there was no answer (then `error` says why)
  std::string error;   // one line: "connection refused", "no answer within 30000 ms", a TLS failure, ...
  std::string reason;  // "Service Unavailable"
  std::string retryAfter;
  std::string contentType;
  std::string body;    // at most 64 KiB of the answer
};

class UpstreamClient {
 public:
  // Runs on `ioc`, which must outlive it; every method is to be called on the thread running `ioc`.
  UpstreamClient(boost::asio::io_context& ioc, ClientOptions options);
  ~UpstreamClient();
  UpstreamClient(const UpstreamClient&) = delete;
  UpstreamClient& operator=(const UpstreamClient&) = delete;

  // Loads the trust anchors. False with a one-line error when caFile cannot be read.
  bool init(std::string* error);
  // Sends one request (one at a time), reusing the open connection when it goes to the same place, and
  // calls `done` once with the answer or the failure. An idle kept-alive connection the upstream closed
  // meanwhile is reopened once, transparently.
  void send(const Url& url, OutgoingRequest request, std::function<void(UpstreamReply)> done);
  // Closes the connection; a pending `done` is dropped without being called.
  void close();

 private:
  struct Impl;
  std::unique_ptr<Impl> d;
};

}  // namespace cctv::forward
