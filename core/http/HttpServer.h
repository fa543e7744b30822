#pragma once
// A small HTTP/1.1 server for the OTLP receiver, built on Boost.Beast with one I/O thread.
//
// It exists because the receiver needs things QHttpServer 6.4 cannot do: a body cap enforced before
// buffering, a check of the request head before the body is read (so a 401/404/413/415 never waits for
// the body, and `Expect: 100-continue` is answered only when the request will be accepted), idle and
// request timeouts, `Connection: close` / HTTP/1.0, and responses in request order on keep-alive
// connections. Everything Beast-specific stays in HttpServer.cpp.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cctv::http {

struct Header {
  std::string name;
  std::string value;
};

// The request line and headers, seen before the body is read.
struct RequestHead {
  std::string method;  // "POST"
  std::string target;  // "/v1/logs?x=y" as sent
  std::string path;    // "/v1/logs" (target without the query)
  int version = 11;    // 10 or 11
  std::vector<Header> headers;
  std::string remote;  // "127.0.0.1:39432"
  std::optional<std::uint64_t> contentLength;  // absent when chunked

  // Case-insensitive lookup; returns nullptr when absent.
  const std::string* header(const std::string& name) const;
};

struct Request {
  RequestHead head;
  std::string body;  // de-chunked, still content-encoded (gzip is the handler's business)
};

struct Response {
  int status = 200;
  std::string contentType;  // empty: no Content-Type header
  std::vector<Header> headers;
  std::string body;
  bool close = false;  // close the connection after this response
};

// Called exactly once per request, from any thread; the server sends the response on its own thread.
using Responder = std::function<void(Response)>;

struct ServerOptions {
  std::string bindAddress = "127.0.0.1";
  std::uint16_t port = 4318;  // 0 = pick a free port
  std::uint64_t maxBodyBytes = 16ull * 1024 * 1024;
  std::uint32_t maxHeaderBytes = 64 * 1024;
  std::size_t maxConnections = 512;
  std::chrono::milliseconds idleTimeout{std::chrono::seconds(120)};   // keep-alive wait for the next request
  std::chrono::milliseconds requestTimeout{std::chrono::seconds(30)}; // first byte to last byte of one request
  std::chrono::milliseconds writeTimeout{std::chrono::seconds(30)};
};

class HttpServer {
 public:
  // Inspects the head before the body is read. Return a response to refuse the request without reading
  // its body (the connection is then closed, since the unread body is still on the wire).
  using HeadCheck = std::function<std::optional<Response>(const RequestHead&)>;
  // Handles a complete request. May answer later, from another thread, through the Responder.
  using Handler = std::function<void(Request&&, Responder)>;
  // Reports what the server refused by itself (over the body cap, malformed, timeouts), for logging.
  using ProtocolError = std::function<void(const RequestHead* head, int status, const std::string& message)>;

  HttpServer(ServerOptions options, HeadCheck check, Handler handler, ProtocolError onError = {});
  ~HttpServer();  // stops and joins

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts the I/O thread. On failure returns false and sets *error to one line
  // ("address 127.0.0.1:4318 is already in use").
  bool start(std::string* error);
  // Stops accepting, lets requests already being answered finish (up to `grace`), closes the rest, joins.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(5));

  std::uint16_t port() const;  // the bound port, valid after start()
  std::string address() const; // the bound address, valid after start()
  std::size_t openConnections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> d;
};

}  // namespace cctv::http
