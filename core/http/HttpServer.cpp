// HttpServer on Boost.Beast: one I/O thread, one Session per connection, all Beast code in this file.
//
// Threading: every Session and the acceptor live on the single io_context thread, so they need no locks
// and no strand. Only three things cross threads: Responders (posted back to the io_context through a
// Gate that stop() closes before the io_context goes away), the open-connection counter (atomic) and the
// in-flight counter that stop() waits on (mutex + condition variable).

#include "http/HttpServer.h"
#include "util/ThreadName.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace cctv::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

// How long a connection we are closing keeps draining what the client still sends, so that our last
// response is not destroyed by a TCP reset (closing a socket with unread input sends RST).
constexpr std::chrono::milliseconds kLingerTime{2000};
constexpr std::size_t kLingerMaxBytes = 1024 * 1024;
// Connections refused with 503 are themselves bounded; past this they are closed without a word.
constexpr std::size_t kMaxRejecting = 64;
constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";

std::string str(beast::string_view sv) { return std::string(sv.data(), sv.size()); }

bool iequals(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string formatEndpoint(const tcp::endpoint& ep) {
  const auto addr = ep.address();
  const std::string a = addr.to_string();
  return (addr.is_v6() ? "[" + a + "]" : a) + ":" + std::to_string(ep.port());
}

Response plainText(int status, std::string body, bool close) {
  return Response{status, "text/plain; charset=utf-8", {}, std::move(body), close};
}

std::string lowerFirst(std::string s) {
  if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

// Lets any thread post to the io_context until stop() closes it; afterwards posts are dropped, so a
// Responder kept by some worker past the server's life is harmless.
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

}  // namespace

const std::string* RequestHead::header(const std::string& name) const {
  for (const Header& h : headers)
    if (iequals(h.name, name)) return &h.value;
  return nullptr;
}

namespace {  // Core and Session are private to this file

class Session;

// The server's state. It is not HttpServer::Impl itself because Session (not a member of HttpServer)
// needs to name it, and Impl is private.
struct Core {
  using HeadCheck = HttpServer::HeadCheck;
  using Handler = HttpServer::Handler;
  using ProtocolError = HttpServer::ProtocolError;

  ServerOptions opt;
  HeadCheck check;
  Handler handler;
  ProtocolError onError;

  // Declared first so it is destroyed last: sockets and timers below, and Sessions still referenced by
  // unrun handlers, must be destroyed while its services exist.
  asio::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  asio::steady_timer acceptRetry{ioc};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::thread thread;
  std::shared_ptr<Gate> gate = std::make_shared<Gate>();

  // I/O thread only (and stop() after the join).
  std::unordered_map<Session*, std::shared_ptr<Session>> sessions;
  std::size_t rejecting = 0;
  bool stopping = false;

  std::atomic<std::size_t> open{0};

  // stop() waits on these: requests handed to the Handler whose response is not yet written.
  std::mutex m;
  std::condition_variable cv;
  std::size_t inFlight = 0;
  bool stopBegun = false;

  std::mutex stopMutex;  // makes stop() idempotent across threads
  std::uint16_t port = 0;
  std::string address;

  void doAccept();
  void beginStop();
  void abortAll();
  void remove(Session* s, bool counted);
  void addInFlight(int delta) {
    std::lock_guard<std::mutex> lock(m);
    inFlight = static_cast<std::size_t>(static_cast<long long>(inFlight) + delta);
    cv.notify_all();
  }
  void report(const RequestHead* head, int status, const std::string& message) {
    if (!onError) return;
    try {
      onError(head, status, message);
    } catch (...) {  // a logging callback must not take the I/O thread down
    }
  }
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Core& impl, tcp::socket&& socket, bool counted)
      : impl_(impl), stream_(std::move(socket)), requestTimer_(impl.ioc), counted_(counted) {
    error_code ec;
    const auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = formatEndpoint(ep);
  }

  void start() { waitForRequest(); }

  // Over maxConnections: answer 503 at once, without reading the request, and close.
  void reject() {
    impl_.report(nullptr, 503, "too many connections (" + std::to_string(impl_.opt.maxConnections) +
                                   "), refusing " + remote_);
    Response r = plainText(503, "too many connections\n", true);
    r.headers.push_back({"Retry-After", "1"});
    write(std::move(r), 11, false);
  }

  // Closes at once, whatever we were doing (client gone, I/O error, stop()).
  void abort() {
    requestTimer_.cancel();
    error_code ec;
    stream_.socket().close(ec);
    finish();
  }

  // Idle means no request has been handed to the Handler; stop() closes those connections first.
  bool busy() const { return state_ == State::Awaiting || (state_ == State::Writing && inFlight_); }

  void onResponse(std::uint64_t id, Response r) {
    if (state_ != State::Awaiting || id != requestId_) return;
    write(std::move(r), head_.version, keepAlive_, isHead_);
  }

 private:
  enum class State { Reading, Awaiting, Writing, Closing, Closed };

  // Waits for the first byte of the next request under idleTimeout; the request clock starts with it.
  void waitForRequest() {
    state_ = State::Reading;
    if (impl_.stopping) return abort();
    if (buffer_.size() > 0) return beginRequest();  // pipelined: already here
    stream_.expires_after(impl_.opt.idleTimeout);
    stream_.async_read_some(buffer_.prepare(16 * 1024),
                            [self = shared_from_this()](error_code ec, std::size_t n) {
                              self->buffer_.commit(n);
                              // Idle timeout, client closed, or stop(): close without a word.
                              if (ec) return self->abort();
                              self->beginRequest();
                            });
  }

  void beginRequest() {
    stream_.expires_never();  // the request deadline is ours (see armRequestTimer) so we can answer 408
    head_ = RequestHead{};
    headParsed_ = false;
    timedOut_ = false;
    ++requestId_;
    armRequestTimer();
    bodyParser_.reset();
    headerParser_.emplace();
    headerParser_->header_limit(impl_.opt.maxHeaderBytes);
    headerParser_->body_limit(boost::none);  // Content-Length is checked by hand, to report it with the head
    bhttp::async_read_header(stream_, buffer_, *headerParser_,
                             [self = shared_from_this()](error_code ec, std::size_t) { self->onHeader(ec); });
  }

  // A beast::tcp_stream timeout closes the socket, which would leave no way to send 408; a separate timer
  // that only cancels the pending read keeps the socket usable.
  void armRequestTimer() {
    requestTimer_.expires_after(impl_.opt.requestTimeout);
    requestTimer_.async_wait([self = shared_from_this(), id = requestId_](error_code ec) {
      if (ec || id != self->requestId_ || self->state_ != State::Reading) return;
      self->timedOut_ = true;
      error_code ignored;
      self->stream_.socket().cancel(ignored);
    });
  }

  void onHeader(error_code ec) {
    if (ec) return readFailed(ec);
    const auto& req = headerParser_->get();
    head_.method = str(req.method_string());
    head_.target = str(req.target());
    head_.path = head_.target.substr(0, head_.target.find('?'));
    head_.version = static_cast<int>(req.version());
    for (const auto& f : req) head_.headers.push_back({str(f.name_string()), str(f.value())});
    head_.remote = remote_;
    if (auto len = headerParser_->content_length())
      head_.contentLength = *len;
    else if (!headerParser_->chunked())
      head_.contentLength = 0;
    headParsed_ = true;
    keepAlive_ = req.keep_alive();
    isHead_ = req.method() == bhttp::verb::head;

    std::optional<Response> refusal;
    if (impl_.check) {
      try {
        refusal = impl_.check(head_);
      } catch (const std::exception& e) {
        return refuse(500, std::string("head check failed: ") + e.what());
      } catch (...) {
        return refuse(500, "head check failed");
      }
    }
    if (refusal) {
      // The body is still on the wire, so this connection cannot carry another request.
      refusal->close = true;
      return write(std::move(*refusal), head_.version, false, isHead_);
    }
    // The owner's check runs first so it can answer a too-large body in its own format; this is the
    // backstop when it does not.
    if (head_.contentLength && *head_.contentLength > impl_.opt.maxBodyBytes)
      return refuse(413, "request body of " + std::to_string(*head_.contentLength) +
                             " bytes exceeds the limit of " + std::to_string(impl_.opt.maxBodyBytes));

    bodyParser_.emplace(std::move(*headerParser_));
    headerParser_.reset();
    bodyParser_->body_limit(impl_.opt.maxBodyBytes);  // caps the de-chunked total of a chunked body
    if (bodyParser_->is_done()) return onBody({});

    const std::string* expect = head_.header("Expect");
    if (expect && iequals(*expect, "100-continue") && head_.version >= 11) {
      stream_.expires_after(impl_.opt.writeTimeout);
      asio::async_write(stream_, asio::buffer(kContinue, sizeof(kContinue) - 1),
                        [self = shared_from_this()](error_code ec, std::size_t) {
                          if (ec) return self->readFailed(ec);
                          self->stream_.expires_never();
                          self->readBody();
                        });
      return;
    }
    readBody();
  }

  void readBody() {
    bhttp::async_read(stream_, buffer_, *bodyParser_,
                      [self = shared_from_this()](error_code ec, std::size_t) { self->onBody(ec); });
  }

  void onBody(error_code ec) {
    if (ec) return readFailed(ec);
    requestTimer_.cancel();
    state_ = State::Awaiting;
    inFlight_ = true;
    impl_.addInFlight(1);

    Request request{head_, std::move(bodyParser_->get().body())};
    bodyParser_.reset();
    Responder responder = makeResponder();
    if (!impl_.handler) return responder(plainText(500, "no handler\n", false));
    try {
      impl_.handler(std::move(request), responder);
    } catch (const std::exception& e) {
      impl_.report(&head_, 500, std::string("handler threw: ") + e.what());
      responder(plainText(500, "internal error\n", false));
    } catch (...) {
      impl_.report(&head_, 500, "handler threw");
      responder(plainText(500, "internal error\n", false));
    }
  }

  // The Responder is a copyable std::function sharing one state: the first call wins, later calls are
  // ignored, and if every copy is dropped without a call the client still gets a 500 instead of a hang.
  Responder makeResponder() {
    struct Shared {
      std::weak_ptr<Session> session;
      std::shared_ptr<Gate> gate;
      std::uint64_t id;
      std::atomic<bool> called{false};
      void send(Response r) {
        if (called.exchange(true)) return;
        gate->post([w = session, id = id, r = std::move(r)]() mutable {
          if (auto s = w.lock()) s->onResponse(id, std::move(r));
        });
      }
      ~Shared() { send(plainText(500, "no response\n", false)); }
    };
    auto st = std::make_shared<Shared>();
    st->session = weak_from_this();
    st->gate = impl_.gate;
    st->id = requestId_;
    return [st](Response r) { st->send(std::move(r)); };
  }

  void readFailed(error_code ec) {
    if (timedOut_)
      return refuse(408, "request not received within " + std::to_string(impl_.opt.requestTimeout.count()) +
                             " ms");
    if (ec == bhttp::error::header_limit)
      return refuse(431, "request header exceeds " + std::to_string(impl_.opt.maxHeaderBytes) + " bytes");
    if (ec == bhttp::error::body_limit)
      return refuse(413, "request body exceeds the limit of " + std::to_string(impl_.opt.maxBodyBytes) +
                             " bytes");
    // Client went away or stop() closed us: nobody to answer.
    if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
        ec.category() != bhttp::make_error_code(bhttp::error::end_of_stream).category())
      return abort();
    refuse(400, "malformed request: " + ec.message());
  }

  // The server's own refusal: report it, answer with a short text body, close.
  void refuse(int status, const std::string& message) {
    requestTimer_.cancel();
    impl_.report(headParsed_ ? &head_ : nullptr, status, message);
    write(plainText(status, message + "\n", true), headParsed_ ? head_.version : 11, false,
          isHead_ && headParsed_);
  }

  void write(Response r, int version, bool keepAlive, bool headRequest = false) {
    requestTimer_.cancel();
    state_ = State::Writing;
    bool close = r.close || !keepAlive || impl_.stopping;

    auto& res = response_.emplace();
    int status = r.status;
    if (status < 200 || status > 999) status = 500;  // 1xx cannot be a final response
    res.result(static_cast<unsigned>(status));
    res.version(version == 10 ? 10 : 11);
    res.set(bhttp::field::server, "cctv");
    if (!r.contentType.empty()) res.set(bhttp::field::content_type, r.contentType);
    for (const Header& h : r.headers) {
      // Framing headers are ours; CR/LF would let a header value inject more headers.
      if (h.name.empty() || h.name.find_first_of("\r\n:") != std::string::npos ||
          h.value.find_first_of("\r\n") != std::string::npos)
        continue;
      if (iequals(h.name, "Content-Length") || iequals(h.name, "Transfer-Encoding")) continue;
      if (iequals(h.name, "Connection")) {
        if (h.value.find("close") != std::string::npos) close = true;
        continue;
      }
      res.insert(h.name, h.value);
    }
    const bool noBody = status == 204 || status == 304;
    if (!noBody) res.content_length(r.body.size());
    if (!noBody && !headRequest) res.body() = std::move(r.body);
    res.keep_alive(!close);
    closeAfterWrite_ = close;

    stream_.expires_after(impl_.opt.writeTimeout);
    bhttp::async_write(stream_, res, [self = shared_from_this()](error_code ec, std::size_t) {
      self->onWritten(ec);
    });
  }

  void onWritten(error_code ec) {
    response_.reset();
    if (inFlight_) {
      inFlight_ = false;
      impl_.addInFlight(-1);
    }
    if (ec) return abort();
    if (closeAfterWrite_ || impl_.stopping) return lingerClose();
    waitForRequest();
  }

  // Graceful close: send FIN so the client sees the end of our last response, then drain its input for a
  // while before closing, so unread request bytes do not turn our close into a reset.
  void lingerClose() {
    state_ = State::Closing;
    error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return abort();
    buffer_.clear();
    stream_.expires_after(kLingerTime);
    drain();
  }

  void drain() {
    stream_.async_read_some(asio::buffer(drainBuf_), [self = shared_from_this()](error_code ec, std::size_t n) {
      self->drained_ += n;
      if (ec || self->drained_ > kLingerMaxBytes) return self->abort();
      self->drain();
    });
  }

  void finish() {
    if (state_ == State::Closed) return;
    state_ = State::Closed;
    if (inFlight_) {
      inFlight_ = false;
      impl_.addInFlight(-1);
    }
    impl_.remove(this, counted_);  // may drop the registry's reference; callers hold their own
  }

  Core& impl_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  asio::steady_timer requestTimer_;
  std::optional<bhttp::request_parser<bhttp::empty_body>> headerParser_;
  std::optional<bhttp::request_parser<bhttp::string_body>> bodyParser_;
  std::optional<bhttp::response<bhttp::string_body>> response_;
  std::array<char, 16 * 1024> drainBuf_{};
  std::size_t drained_ = 0;
  RequestHead head_;
  std::string remote_;
  std::uint64_t requestId_ = 0;
  State state_ = State::Reading;
  const bool counted_;
  bool headParsed_ = false;
  bool timedOut_ = false;
  bool keepAlive_ = true;
  bool isHead_ = false;
  bool inFlight_ = false;
  bool closeAfterWrite_ = false;
};

}  // namespace

struct HttpServer::Impl : Core {};

void Core::doAccept() {
  acceptor.async_accept(ioc, [this](error_code ec, tcp::socket socket) {
    if (stopping || ec == asio::error::operation_aborted || !acceptor.is_open()) return;
    if (ec) {
      // e.g. EMFILE: retrying at once would spin, so breathe before accepting again.
      acceptRetry.expires_after(std::chrono::milliseconds(100));
      acceptRetry.async_wait([this](error_code e) {
        if (!e && !stopping) doAccept();
      });
      return;
    }
    error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    const bool full = opt.maxConnections != 0 && open.load() >= opt.maxConnections;  // 0 = no limit
    if (full && rejecting >= kMaxRejecting) {
      report(nullptr, 503, "too many connections, closing without response");
      socket.close(ignored);
    } else {
      auto session = std::make_shared<Session>(*this, std::move(socket), !full);
      sessions.emplace(session.get(), session);
      if (full) {
        ++rejecting;
        session->reject();
      } else {
        ++open;
        session->start();
      }
    }
    doAccept();
  });
}

void Core::remove(Session* s, bool counted) {
  if (counted)
    --open;
  else
    --rejecting;
  sessions.erase(s);
}

void Core::beginStop() {
  stopping = true;
  error_code ignored;
  acceptor.close(ignored);
  acceptRetry.cancel();
  std::vector<std::shared_ptr<Session>> idle;
  for (auto& [ptr, s] : sessions)
    if (!s->busy()) idle.push_back(s);
  for (auto& s : idle) s->abort();
  std::lock_guard<std::mutex> lock(m);
  stopBegun = true;
  cv.notify_all();
}

void Core::abortAll() {
  std::vector<std::shared_ptr<Session>> all;
  for (auto& [ptr, s] : sessions) all.push_back(s);
  for (auto& s : all) s->abort();
}

HttpServer::HttpServer(ServerOptions options, HeadCheck check, Handler handler, ProtocolError onError)
    : d(std::make_unique<Impl>()) {
  d->opt = std::move(options);
  d->check = std::move(check);
  d->handler = std::move(handler);
  d->onError = std::move(onError);
  d->gate->ioc = &d->ioc;
}

HttpServer::~HttpServer() { stop(); }

bool HttpServer::start(std::string* error) {
  auto fail = [&](const std::string& what) {
    if (error) *error = what;
    error_code ignored;
    d->acceptor.close(ignored);
    return false;
  };
  if (d->thread.joinable() || d->ioc.stopped()) return fail("server already started or stopped");
  const std::string where = d->opt.bindAddress + ":" + std::to_string(d->opt.port);
  error_code ec;
  const auto addr = asio::ip::make_address(d->opt.bindAddress, ec);
  if (ec) return fail("cannot listen on " + where + ": invalid address");
  const tcp::endpoint ep(addr, d->opt.port);
  const std::string pretty = formatEndpoint(ep);
  d->acceptor.open(ep.protocol(), ec);
  if (!ec) d->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) d->acceptor.bind(ep, ec);
  if (!ec) d->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("cannot listen on " + pretty + ": " + lowerFirst(ec.message()));
  const auto local = d->acceptor.local_endpoint(ec);
  if (ec) return fail("cannot listen on " + pretty + ": " + lowerFirst(ec.message()));
  d->port = local.port();
  d->address = local.address().to_string();

  d->work.emplace(asio::make_work_guard(d->ioc));
  d->gate->setOpen(true);
  d->doAccept();
  d->thread = std::thread([impl = d.get()] {
    util::setThreadName("cctv-http");
    // Standard Asio pattern: a handler that throws unwinds run(); log-free recovery is to run again.
    for (;;) {
      try {
        impl->ioc.run();
        return;
      } catch (...) {
      }
    }
  });
  return true;
}

void HttpServer::stop(std::chrono::milliseconds grace) {
  std::lock_guard<std::mutex> stopLock(d->stopMutex);
  if (!d->thread.joinable()) {
    d->gate->setOpen(false);
    return;
  }
  const auto deadline = std::chrono::steady_clock::now() + grace;
  asio::post(d->ioc, [impl = d.get()] { impl->beginStop(); });
  {
    std::unique_lock<std::mutex> lock(d->m);
    d->cv.wait_until(lock, deadline, [&] { return d->stopBegun && d->inFlight == 0; });
  }
  // From here on late Responders are dropped; what is still open is closed without an answer.
  d->gate->setOpen(false);
  asio::post(d->ioc, [impl = d.get()] {
    impl->abortAll();
    impl->ioc.stop();
  });
  d->work.reset();
  d->thread.join();
  d->sessions.clear();
  d->open = 0;
}

std::uint16_t HttpServer::port() const { return d->port; }
std::string HttpServer::address() const { return d->address; }
std::size_t HttpServer::openConnections() const { return d->open.load(); }

}  // namespace cctv::http
