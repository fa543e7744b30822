// UpstreamClient on Boost.Beast and Boost.Asio SSL (OpenSSL).
//
// Every callback carries the generation it was started in; close() starts a new one, so a callback of a
// closed connection finds itself stale and does nothing. beast::tcp_stream's expiry gives the timeouts.

#include "forward/UpstreamClient.h"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <openssl/ssl.h>

#include <cctype>
#include <optional>

namespace cctv::forward {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

constexpr std::size_t kMaxReplyBody = 64 * 1024;
constexpr std::size_t kMaxReplyHeader = 64 * 1024;

std::string lowerFirst(std::string s) {
  if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

std::string str(beast::string_view sv) { return std::string(sv.data(), sv.size()); }

// The errors a kept-alive connection shows when the upstream closed it while it was idle.
bool looksStale(const error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == ssl::error::stream_truncated;
}

bool isIpAddress(const std::string& host) {
  error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

}  // namespace

struct UpstreamClient::Impl {
  Impl(asio::io_context& io, ClientOptions o) : ioc(io), opt(std::move(o)), resolver(io), resolveTimer(io) {}

  asio::io_context& ioc;
  ClientOptions opt;
  ssl::context tls{ssl::context::tls_client};
  tcp::resolver resolver;
  asio::steady_timer resolveTimer;
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  std::string connectedTo;  // scheme://host:port of the open connection; empty when none
  beast::flat_buffer buffer;
  bhttp::request<bhttp::string_body> request;
  std::optional<bhttp::response_parser<bhttp::string_body>> parser;
  std::function<void(UpstreamReply)> done;
  Url url;
  bool reused = false;        // this attempt went out on a kept-alive connection
  bool reopenedStale = false; // ...and was already retried once on a fresh one
  bool resolveTimedOut = false;
  std::uint64_t gen = 0;

  static std::string key(const Url& u) { return u.scheme + "://" + u.authority(); }
  beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }

  template <class F>
  void withStream(F&& f) {
    if (secure)
      f(*secure);
    else
      f(*plain);
  }

  void reset() {
    error_code ignored;
    if (secure) beast::get_lowest_layer(*secure).socket().close(ignored);
    if (plain) plain->socket().close(ignored);
    secure.reset();
    plain.reset();
    connectedTo.clear();
    buffer.clear();
  }

  void finish(UpstreamReply reply) {
    auto cb = std::move(done);
    done = nullptr;
    if (cb) cb(std::move(reply));
  }

  void fail(const std::string& why) {
    reset();
    UpstreamReply r;
    r.error = why;
    finish(std::move(r));
  }

  void connect() {
    reused = false;
    resolveTimedOut = false;
    const std::uint64_t g = gen;
    resolveTimer.expires_after(opt.connectTimeout);
    resolveTimer.async_wait([this, g](error_code ec) {
      if (ec || g != gen) return;
      resolveTimedOut = true;
      resolver.cancel();
    });
    resolver.async_resolve(url.host, std::to_string(url.port), [this, g](error_code ec, tcp::resolver::results_type results) {
      if (g != gen) return;
      resolveTimer.cancel();
      if (ec)
        return fail(resolveTimedOut ? "cannot resolve " + url.host + ": no answer within " +
                                          std::to_string(opt.connectTimeout.count()) + " ms"
                                    : "cannot resolve " + url.host + ": " + lowerFirst(ec.message()));
      if (url.tls())
        secure.emplace(ioc, tls);
      else
        plain.emplace(ioc);
      lowest().expires_after(opt.connectTimeout);
      lowest().async_connect(results, [this, g](error_code ec, const tcp::endpoint&) {
        if (g != gen) return;
        if (ec == beast::error::timeout)
          return fail("cannot connect to " + url.authority() + ": no answer within " +
                      std::to_string(opt.connectTimeout.count()) + " ms");
        if (ec) return fail("cannot connect to " + url.authority() + ": " + lowerFirst(ec.message()));
        error_code ignored;
        lowest().socket().set_option(tcp::no_delay(true), ignored);
        if (!secure) return connected();
        handshake();
      });
    });
  }

  void handshake() {
    const std::uint64_t g = gen;
    // SNI (not for IP addresses, which RFC 6066 forbids there) and the name check against the certificate.
    if (!isIpAddress(url.host)) SSL_set_tlsext_host_name(secure->native_handle(), url.host.c_str());
    secure->set_verify_mode(ssl::verify_peer);
    secure->set_verify_callback(ssl::host_name_verification(url.host));
    lowest().expires_after(opt.connectTimeout);
    secure->async_handshake(ssl::stream_base::client, [this, g](error_code ec) {
      if (g != gen) return;
      if (ec == beast::error::timeout)
        return fail("TLS handshake with " + url.authority() + ": no answer within " +
                    std::to_string(opt.connectTimeout.count()) + " ms");
      if (ec) return fail("TLS handshake with " + url.authority() + " failed: " + lowerFirst(ec.message()));
      connected();
    });
  }

  void connected() {
    connectedTo = key(url);
    write();
  }

  void write() {
    const std::uint64_t g = gen;
    lowest().expires_after(opt.responseTimeout);
    withStream([&](auto& stream) {
      bhttp::async_write(stream, request, [this, g](error_code ec, std::size_t) {
        if (g != gen) return;
        if (ec) return ioFailed(ec, "sending to");
        read();
      });
    });
  }

  void read() {
    const std::uint64_t g = gen;
    parser.emplace();
    parser->header_limit(kMaxReplyHeader);
    parser->body_limit(kMaxReplyBody);
    withStream([&](auto& stream) {
      bhttp::async_read(stream, buffer, *parser, [this, g](error_code ec, std::size_t) {
        if (g != gen) return;
        if (ec == bhttp::error::body_limit && parser->is_header_done()) return answered(false);
        if (ec) return ioFailed(ec, "reading the answer from");
        answered(parser->get().keep_alive());
      });
    });
  }

  void ioFailed(const error_code& ec, const char* doing) {
    if (reused && !reopenedStale && looksStale(ec) && !(parser && parser->got_some())) {
      reopenedStale = true;  // the upstream closed the idle connection: once more on a fresh one
      reset();
      return connect();
    }
    if (ec == beast::error::timeout)
      return fail("no answer from " + url.authority() + " within " + std::to_string(opt.responseTimeout.count()) +
                  " ms");
    fail(std::string(doing) + " " + url.authority() + " failed: " + lowerFirst(ec.message()));
  }

  void answered(bool keepAlive) {
    const auto& res = parser->get();
    UpstreamReply r;
    r.status = static_cast<int>(res.result_int());
    r.reason = str(res.reason());
    if (auto it = res.find(bhttp::field::retry_after); it != res.end()) r.retryAfter = str(it->value());
    if (auto it = res.find(bhttp::field::content_type); it != res.end()) r.contentType = str(it->value());
    r.body = res.body().substr(0, kMaxReplyBody);
    if (!keepAlive) reset();
    else lowest().expires_never();
    finish(std::move(r));
  }
};

UpstreamClient::UpstreamClient(asio::io_context& ioc, ClientOptions options)
    : d(std::make_unique<Impl>(ioc, std::move(options))) {}

UpstreamClient::~UpstreamClient() { close(); }

bool UpstreamClient::init(std::string* error) {
  error_code ec;
  d->tls.set_default_verify_paths(ec);
  if (ec) {
    *error = "cannot load the system's trusted certificates: " + lowerFirst(ec.message());
    return false;
  }
  if (!d->opt.caFile.empty()) {
    d->tls.load_verify_file(d->opt.caFile, ec);
    if (ec) {
      *error = "cannot load CA certificates from " + d->opt.caFile + ": " + lowerFirst(ec.message());
      return false;
    }
  }
  d->tls.set_verify_mode(ssl::verify_peer);
  return true;
}

void UpstreamClient::send(const Url& url, OutgoingRequest r, std::function<void(UpstreamReply)> done) {
  d->done = std::move(done);
  d->url = url;
  d->reopenedStale = false;
  d->parser.reset();
  auto& req = d->request;
  req = {};
  req.method(bhttp::verb::post);
  req.target(url.target);
  req.version(11);
  req.set(bhttp::field::host, url.hostHeader());
  if (!d->opt.userAgent.empty()) req.set(bhttp::field::user_agent, d->opt.userAgent);
  req.set(bhttp::field::content_type, r.contentType);
  if (!r.contentEncoding.empty()) req.set(bhttp::field::content_encoding, r.contentEncoding);
  for (const auto& [name, value] : d->opt.headers) req.set(name, value);
  req.keep_alive(true);
  req.body() = std::move(r.body);
  req.prepare_payload();
  if (d->connectedTo == Impl::key(url) && d->lowest().socket().is_open()) {
    d->reused = true;
    d->write();
  } else {
    d->reset();
    d->connect();
  }
}

void UpstreamClient::close() {
  ++d->gen;
  d->done = nullptr;
  d->resolver.cancel();
  d->resolveTimer.cancel();
  d->reset();
}

}  // namespace cctv::forward
