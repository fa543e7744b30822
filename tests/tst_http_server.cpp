// Tests for cctv::http::HttpServer over real loopback sockets. The server runs on its own I/O thread, so
// the test thread talks to it with plain blocking POSIX sockets (bounded by poll() deadlines).

#include <QtTest>

#include "http/HttpServer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <mutex>
#include <thread>

using namespace cctv::http;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

struct Parsed {
  bool ok = false;
  std::string statusLine;
  int status = 0;
  std::vector<Header> headers;
  std::string body;

  std::string header(const std::string& name) const {
    RequestHead h;
    h.headers = headers;
    const std::string* v = h.header(name);
    return v ? *v : std::string("<none>");
  }
};

// A blocking client socket with deadlines, reading HTTP/1.x responses framed by Content-Length.
class Client {
 public:
  explicit Client(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~Client() { close(); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return fd_ >= 0; }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  bool send(const std::string& data) {
    std::size_t off = 0;
    while (off < data.size()) {
      const ssize_t n = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<std::size_t>(n);
    }
    return true;
  }

  // One response: status line, headers, then Content-Length bytes of body (none for 1xx).
  Parsed readResponse(std::chrono::milliseconds timeout = 3000ms) {
    Parsed p;
    const auto deadline = Clock::now() + timeout;
    std::size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos)
      if (fill(deadline) <= 0) return p;
    const std::string head = buf_.substr(0, end);
    buf_.erase(0, end + 4);
    std::size_t lineEnd = head.find("\r\n");
    p.statusLine = head.substr(0, lineEnd);
    if (p.statusLine.size() >= 12) p.status = std::atoi(p.statusLine.c_str() + 9);
    while (lineEnd != std::string::npos) {
      const std::size_t start = lineEnd + 2;
      lineEnd = head.find("\r\n", start);
      const std::string line = head.substr(start, lineEnd == std::string::npos ? std::string::npos : lineEnd - start);
      const std::size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::size_t v = colon + 1;
      while (v < line.size() && line[v] == ' ') ++v;
      p.headers.push_back({line.substr(0, colon), line.substr(v)});
    }
    std::size_t length = 0;
    if (p.status >= 200) length = std::stoul(p.header("Content-Length") == "<none>" ? "0" : p.header("Content-Length"));
    while (buf_.size() < length)
      if (fill(deadline) <= 0) return p;
    p.body = buf_.substr(0, length);
    buf_.erase(0, length);
    p.ok = true;
    return p;
  }

  // True when the server closes (EOF or reset) within the timeout; unread bytes are discarded.
  bool waitClosed(std::chrono::milliseconds timeout = 3000ms) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      const int r = fill(deadline);
      if (r == 0) return true;
      if (r < 0) return lastErrorWasReset_;
    }
  }

 private:
  // >0: bytes appended; 0: EOF; <0: timeout or error.
  int fill(Clock::time_point deadline) {
    lastErrorWasReset_ = false;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return -1;
    pollfd pfd{fd_, POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(left)) <= 0) return -1;
    char tmp[65536];
    const ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n < 0) {
      lastErrorWasReset_ = errno == ECONNRESET;
      return -1;
    }
    buf_.append(tmp, static_cast<std::size_t>(n));
    return static_cast<int>(n);
  }

  int fd_ = -1;
  std::string buf_;
  bool lastErrorWasReset_ = false;
};

template <class Pred>
bool waitFor(Pred pred, std::chrono::milliseconds timeout = 3000ms) {
  const auto deadline = Clock::now() + timeout;
  while (!pred()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

long long msSince(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
}

std::string post(const std::string& path, const std::string& body, const std::string& extra = {}) {
  return "POST " + path + " HTTP/1.1\r\nHost: localhost\r\n" + extra +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

Response text(int status, std::string body) {
  Response r;
  r.status = status;
  r.contentType = "text/plain";
  r.body = std::move(body);
  return r;
}

struct ProtoErr {
  bool hasHead = false;
  std::string path;
  int status = 0;
  std::string message;
};

// One server per test, recording what the handler and ProtocolError saw. By default it echoes.
struct Harness {
  ServerOptions opt;
  std::function<std::optional<Response>(const RequestHead&)> check;
  std::function<void(Request&&, Responder)> handler;
  std::unique_ptr<HttpServer> server;
  std::string startError;

  std::mutex m;
  std::vector<Request> requests;
  std::vector<ProtoErr> errors;
  std::vector<std::thread> threads;

  Harness() {
    opt.port = 0;
    opt.idleTimeout = 5s;
    opt.requestTimeout = 5s;
    opt.writeTimeout = 5s;
  }
  ~Harness() {
    server.reset();  // stops; late Responders called by the threads below must then be harmless
    for (auto& t : threads) t.join();
  }

  bool start() {
    server = std::make_unique<HttpServer>(
        opt,
        [this](const RequestHead& h) -> std::optional<Response> { return check ? check(h) : std::nullopt; },
        [this](Request&& r, Responder res) {
          {
            std::lock_guard<std::mutex> lock(m);
            requests.push_back(r);
          }
          if (handler) return handler(std::move(r), std::move(res));
          Response out = text(200, "echo:" + r.body);
          out.headers.push_back({"X-Echo-Path", r.head.path});
          res(std::move(out));
        },
        [this](const RequestHead* h, int status, const std::string& msg) {
          std::lock_guard<std::mutex> lock(m);
          errors.push_back({h != nullptr, h ? h->path : std::string(), status, msg});
        });
    return server->start(&startError);
  }
  std::uint16_t port() const { return server->port(); }
  // Runs f on a new thread, joined when the harness goes away.
  template <class F>
  void later(F f) {
    std::lock_guard<std::mutex> lock(m);
    threads.emplace_back(std::move(f));
  }
  std::size_t requestCount() {
    std::lock_guard<std::mutex> lock(m);
    return requests.size();
  }
  std::vector<ProtoErr> errorList() {
    std::lock_guard<std::mutex> lock(m);
    return errors;
  }
};

}  // namespace

class TestHttpServer : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void headerLookupIsCaseInsensitive() {
    RequestHead h;
    h.headers = {{"Content-Type", "application/json"}, {"X-A", "1"}, {"x-a", "2"}};
    QVERIFY(h.header("content-type"));
    QCOMPARE(*h.header("CONTENT-TYPE"), std::string("application/json"));
    QCOMPARE(*h.header("x-A"), std::string("1"));  // first one wins
    QVERIFY(!h.header("Content-Typ"));
  }

  void simplePost() {
    Harness h;
    QVERIFY2(h.start(), h.startError.c_str());
    QVERIFY(h.port() != 0);
    QCOMPARE(h.server->address(), std::string("127.0.0.1"));
    Client c(h.port());
    QVERIFY(c.connected());
    QVERIFY(c.send("POST /v1/logs?x=1 HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                   "X-Custom: A\r\nContent-Length: 11\r\n\r\nhello world"));
    const Parsed r = c.readResponse();
    QVERIFY(r.ok);
    QCOMPARE(r.statusLine, std::string("HTTP/1.1 200 OK"));
    QCOMPARE(r.header("content-length"), std::string("16"));
    QCOMPARE(r.header("Content-Type"), std::string("text/plain"));
    QCOMPARE(r.header("X-Echo-Path"), std::string("/v1/logs"));
    QCOMPARE(r.header("Connection"), std::string("<none>"));  // HTTP/1.1 keep-alive is implicit
    QCOMPARE(r.body, std::string("echo:hello world"));

    std::lock_guard<std::mutex> lock(h.m);
    QCOMPARE(h.requests.size(), std::size_t(1));
    const Request& q = h.requests[0];
    QCOMPARE(q.head.method, std::string("POST"));
    QCOMPARE(q.head.target, std::string("/v1/logs?x=1"));
    QCOMPARE(q.head.path, std::string("/v1/logs"));
    QCOMPARE(q.head.version, 11);
    QCOMPARE(q.head.headers.size(), std::size_t(4));
    QCOMPARE(q.head.headers[0].name, std::string("Host"));
    QCOMPARE(q.head.headers[1].name, std::string("Content-Type"));
    QCOMPARE(q.head.headers[2].name, std::string("X-Custom"));
    QCOMPARE(q.head.headers[2].value, std::string("A"));
    QCOMPARE(q.head.headers[3].name, std::string("Content-Length"));
    QVERIFY(q.head.header("x-custom"));
    QVERIFY(q.head.remote.rfind("127.0.0.1:", 0) == 0);
    QVERIFY(q.head.contentLength.has_value());
    QCOMPARE(*q.head.contentLength, std::uint64_t(11));
    QCOMPARE(q.body, std::string("hello world"));
    QVERIFY(h.errors.empty());
  }

  void chunkedPost() {
    Harness h;
    h.opt.maxBodyBytes = 11;  // exactly the de-chunked size: allowed
    QVERIFY(h.start());
    Client c(h.port());
    QVERIFY(c.send("POST /v1/metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                   "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n"));
    const Parsed r = c.readResponse();
    QVERIFY(r.ok);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body, std::string("echo:hello world"));
    std::lock_guard<std::mutex> lock(h.m);
    QCOMPARE(h.requests.size(), std::size_t(1));
    QVERIFY(!h.requests[0].head.contentLength.has_value());
    QCOMPARE(h.requests[0].body, std::string("hello world"));
  }

  void keepAliveSequential() {
    Harness h;
    QVERIFY(h.start());
    Client c(h.port());
    QVERIFY(c.send(post("/a", "1")));
    const Parsed r1 = c.readResponse();
    QVERIFY(r1.ok);
    QCOMPARE(r1.body, std::string("echo:1"));
    QVERIFY(c.send(post("/b", "22")));
    const Parsed r2 = c.readResponse();
    QVERIFY(r2.ok);
    QCOMPARE(r2.body, std::string("echo:22"));
    QCOMPARE(r2.header("X-Echo-Path"), std::string("/b"));
    QCOMPARE(h.server->openConnections(), std::size_t(1));
  }

  void pipelinedInOrderWithLateResponder() {
    Harness h;
    std::atomic<bool> slowAnswered{false};
    std::atomic<bool> fastSawSlowAnswered{false};
    h.handler = [&](Request&& r, Responder res) {
      if (r.head.path == "/slow") {
        h.later([res, &slowAnswered] {
          std::this_thread::sleep_for(100ms);
          slowAnswered = true;
          res(text(200, "first"));
        });
      } else {
        // The server must not even read this request before the first response is written.
        fastSawSlowAnswered = slowAnswered.load();
        res(text(200, "second"));
      }
    };
    QVERIFY(h.start());
    Client c(h.port());
    QVERIFY(c.send(post("/slow", "a") + post("/fast", "b")));  // one write
    const Parsed r1 = c.readResponse();
    const Parsed r2 = c.readResponse();
    QVERIFY(r1.ok && r2.ok);
    QCOMPARE(r1.body, std::string("first"));
    QCOMPARE(r2.body, std::string("second"));
    QVERIFY(fastSawSlowAnswered.load());
  }

  void connectionCloseAndHttp10() {
    Harness h;
    h.handler = [](Request&& r, Responder res) {
      Response out = text(200, "ok");
      out.close = r.head.path == "/close";
      res(std::move(out));
    };
    QVERIFY(h.start());
    {  // HTTP/1.1 asking for close
      Client c(h.port());
      QVERIFY(c.send(post("/x", "", "Connection: close\r\n")));
      const Parsed r = c.readResponse();
      QVERIFY(r.ok);
      QCOMPARE(r.status, 200);
      QCOMPARE(r.header("Connection"), std::string("close"));
      QVERIFY(c.waitClosed());
    }
    {  // HTTP/1.0 without keep-alive
      Client c(h.port());
      QVERIFY(c.send("POST /x HTTP/1.0\r\nContent-Length: 2\r\n\r\nhi"));
      const Parsed r = c.readResponse();
      QVERIFY(r.ok);
      QCOMPARE(r.statusLine, std::string("HTTP/1.0 200 OK"));
      QVERIFY(c.waitClosed());
    }
    {  // HTTP/1.0 with keep-alive stays open
      Client c(h.port());
      QVERIFY(c.send("POST /x HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nhi"));
      const Parsed r1 = c.readResponse();
      QVERIFY(r1.ok);
      QCOMPARE(r1.header("Connection"), std::string("keep-alive"));
      QVERIFY(c.send("POST /x HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nhi"));
      QVERIFY(c.readResponse().ok);
    }
    {  // the handler asks for close
      Client c(h.port());
      QVERIFY(c.send(post("/close", "")));
      const Parsed r = c.readResponse();
      QVERIFY(r.ok);
      QCOMPARE(r.header("Connection"), std::string("close"));
      QVERIFY(c.waitClosed());
    }
    QVERIFY(h.errorList().empty());
  }

  void expectContinueAccepted() {
    Harness h;
    QVERIFY(h.start());
    Client c(h.port());
    QVERIFY(c.send("POST /v1/logs HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
    const Parsed cont = c.readResponse();
    QVERIFY(cont.ok);
    QCOMPARE(cont.statusLine, std::string("HTTP/1.1 100 Continue"));
    QCOMPARE(h.requestCount(), std::size_t(0));
    QVERIFY(c.send("hello"));
    const Parsed r = c.readResponse();
    QVERIFY(r.ok);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body, std::string("echo:hello"));
  }

  void expectContinueRefused() {
    Harness h;
    h.check = [](const RequestHead& head) -> std::optional<Response> {
      if (head.path == "/secret") return text(401, "no");
      return std::nullopt;
    };
    QVERIFY(h.start());
    Client c(h.port());
    QVERIFY(c.send("POST /secret HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
    const Parsed r = c.readResponse();
    QVERIFY(r.ok);
    QCOMPARE(r.status, 401);  // the final answer, no 100 before it
    QCOMPARE(r.body, std::string("no"));
    QCOMPARE(r.header("Connection"), std::string("close"));
    QVERIFY(c.waitClosed());
    QCOMPARE(h.requestCount(), std::size_t(0));
  }

  void headCheckRefusesWithoutBody() {
    Harness h;
    h.check = [](const RequestHead& head) -> std::optional<Response> {
      if (head.path != "/v1/logs") return text(404, "unknown path");
      return std::nullopt;
    };
    QVERIFY(h.start());
    Client c(h.port());
    const auto t0 = Clock::now();
    QVERIFY(c.send("POST /nope HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n"));  // body never sent
    const Parsed r = c.readResponse(2000ms);
    QVERIFY(r.ok);
    QCOMPARE(r.status, 404);
    QCOMPARE(r.header("Connection"), std::string("close"));
    QVERIFY(msSince(t0) < 1500);  // did not wait for the body (requestTimeout is 5 s)
    QVERIFY(c.waitClosed());
    QCOMPARE(h.requestCount(), std::size_t(0));
    QVERIFY(h.errorList().empty());  // the receiver's own refusal is not a protocol error
  }

  void contentLengthOverCap() {
    Harness h;
    h.opt.maxBodyBytes = 1024;
    QVERIFY(h.start());
    Client c(h.port());
    const auto t0 = Clock::now();
    QVERIFY(c.send("POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n"));
    const Parsed r = c.readResponse(2000ms);
    QVERIFY(r.ok);
    QCOMPARE(r.status, 413);
    QCOMPARE(r.header("Connection"), std::string("close"));
    QVERIFY(!r.body.empty());
    QVERIFY(msSince(t0) < 1500);
    QVERIFY(c.waitClosed());
    QCOMPARE(h.requestCount(), std::size_t(0));
    const auto errs = h.errorList();
    QCOMPARE(errs.size(), std::size_t(1));
    QCOMPARE(errs[0].status, 413);
    QVERIFY(errs[0].hasHead);
    QCOMPARE(errs[0].path, std::string("/v1/logs"));
  }

  void chunkedOverCap() {
    Harness h;
    h.opt.maxBodyBytes = 1024;
    QVERIFY(h.start());
    Client c(h.port());
    const std::string chunk(0x300, 'z');
    QVERIFY(c.send("POST /v1/logs HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n300\r\n" + chunk +
                   "\r\n300\r\n" + chunk + "\r\n0\r\n\r\n"));
    const Parsed r = c.readResponse();
    QVERIFY(r.ok);
    QCOMPARE(r.status, 413);
    QVERIFY(c.waitClosed());
    QCOMPARE(h.requestCount(), std::size_t(0));
    const auto errs = h.errorList();
    QCOMPARE(errs.size(), std::size_t(1));
    QCOMPARE(errs[0].status, 413);
    QVERIFY(errs[0].hasHead);
  }

  void headerOverCap() {
    Harness h;
    h.opt.maxHeaderBytes = 1024;
    QVERIFY(h.start());
    Client c(h.port());
    QVERIFY(c.send(post("/v1/logs", "x", "X-Big: " + std::string(4000, 'a') + "\r\n")));
    const Parsed r = c.readResponse();
    QVERIFY(r.ok);
    QCOMPARE(r.status, 431);
    QVERIFY(c.waitClosed());
    const auto errs = h.errorList();
    QCOMPARE(errs.size(), std::size_t(1));
    QCOMPARE(errs[0].status, 431);
    QVERIFY(!errs[0].hasHead);
  }

  void malformedRequests() {
    Harness h;
    QVERIFY(h.start());
    {
      Client c(h.port());
      QVERIFY(c.send(std::string("\x01\x02\x03 garbage \xff\r\n\r\n")));
      const Parsed r = c.readResponse();
      QVERIFY(r.ok);
      QCOMPARE(r.status, 400);
      QVERIFY(!r.body.empty());
      QVERIFY(c.waitClosed());
    }
    {
      Client c(h.port());
      QVERIFY(c.send("POST /v1/logs HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"));
      const Parsed r = c.readResponse();
      QVERIFY(r.ok);
      QCOMPARE(r.status, 400);
      QVERIFY(c.waitClosed());
    }
    const auto errs = h.errorList();
    QCOMPARE(errs.size(), std::size_t(2));
    QCOMPARE(errs[0].status, 400);
    QVERIFY(!errs[0].hasHead);
    QCOMPARE(errs[1].status, 400);
    QVERIFY(errs[1].hasHead);
    QCOMPARE(h.requestCount(), std::size_t(0));
    // The server is still fine afterwards.
    Client ok(h.port());
    QVERIFY(ok.send(post("/v1/logs", "x")));
    QCOMPARE(ok.readResponse().status, 200);
  }

  void idleTimeoutClosesKeptAliveConnection() {
    Harness h;
    h.opt.idleTimeout = 300ms;
    QVERIFY(h.start());
    Client c(h.port());
    QVERIFY(c.send(post("/v1/logs", "x")));
    QCOMPARE(c.readResponse().status, 200);
    const auto t0 = Clock::now();
    QVERIFY(c.waitClosed(3000ms));
    QVERIFY(msSince(t0) >= 250);
    QVERIFY(waitFor([&] { return h.server->openConnections() == 0; }));
    QVERIFY(h.errorList().empty());  // closing an idle connection is not an error
  }

  void requestTimeoutAnswers408() {
    Harness h;
    h.opt.requestTimeout = 300ms;
    QVERIFY(h.start());
    Client slowBody(h.port());
    Client slowHead(h.port());
    const auto t0 = Clock::now();
    QVERIFY(slowBody.send("POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc"));
    QVERIFY(slowHead.send("POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Le"));
    {  // meanwhile another connection is served at once
      Client other(h.port());
      QVERIFY(other.send(post("/v1/metrics", "m")));
      const Parsed r = other.readResponse(1000ms);
      QVERIFY(r.ok);
      QCOMPARE(r.status, 200);
      QVERIFY(msSince(t0) < 250);
    }
    const Parsed r1 = slowBody.readResponse(3000ms);
    QVERIFY(r1.ok);
    QCOMPARE(r1.status, 408);
    QVERIFY(msSince(t0) >= 250);
    QVERIFY(slowBody.waitClosed());
    const Parsed r2 = slowHead.readResponse(3000ms);
    QVERIFY(r2.ok);
    QCOMPARE(r2.status, 408);
    QVERIFY(slowHead.waitClosed());

    const auto errs = h.errorList();
    QCOMPARE(errs.size(), std::size_t(2));
    int withHead = 0;
    for (const auto& e : errs) {
      QCOMPARE(e.status, 408);
      if (e.hasHead) {
        ++withHead;
        QCOMPARE(e.path, std::string("/v1/logs"));
      }
    }
    QCOMPARE(withHead, 1);
    QCOMPARE(h.requestCount(), std::size_t(1));
  }

  void maxConnectionsRefusesExtra() {
    Harness h;
    h.opt.maxConnections = 2;
    QVERIFY(h.start());
    Client a(h.port());
    Client b(h.port());
    QVERIFY(a.send(post("/a", "1")));
    QCOMPARE(a.readResponse().status, 200);
    QVERIFY(b.send(post("/b", "2")));
    QCOMPARE(b.readResponse().status, 200);
    QCOMPARE(h.server->openConnections(), std::size_t(2));

    Client c(h.port());
    QVERIFY(c.connected());
    c.send(post("/c", "3"));  // may race with the server's close; the 503 is what matters
    const Parsed r = c.readResponse();
    QVERIFY(r.ok);
    QCOMPARE(r.status, 503);
    QCOMPARE(r.header("Retry-After"), std::string("1"));
    QCOMPARE(r.header("Connection"), std::string("close"));
    QVERIFY(c.waitClosed());

    // The existing connections are untouched.
    QVERIFY(a.send(post("/a", "again")));
    QCOMPARE(a.readResponse().body, std::string("echo:again"));
    QVERIFY(b.send(post("/b", "again")));
    QCOMPARE(b.readResponse().body, std::string("echo:again"));
    QCOMPARE(h.server->openConnections(), std::size_t(2));

    // A slot freed is a slot usable again.
    a.close();
    QVERIFY(waitFor([&] { return h.server->openConnections() == 1; }));
    Client d(h.port());
    QVERIFY(d.send(post("/d", "4")));
    QCOMPARE(d.readResponse().status, 200);

    const auto errs = h.errorList();
    QCOMPARE(errs.size(), std::size_t(1));
    QCOMPARE(errs[0].status, 503);
  }

  void startFailsOnBusyPortOrBadAddress() {
    Harness first;
    QVERIFY(first.start());
    Harness second;
    second.opt.port = first.port();
    QVERIFY(!second.start());
    const std::string where = "cannot listen on 127.0.0.1:" + std::to_string(first.port()) + ": ";
    QVERIFY2(second.startError.rfind(where, 0) == 0, second.startError.c_str());
    QVERIFY2(second.startError.find("in use") != std::string::npos, second.startError.c_str());
    QVERIFY(second.startError.find('\n') == std::string::npos);
    second.server->stop();  // safe after a failed start, and twice
    second.server->stop();

    Harness bad;
    bad.opt.bindAddress = "not-an-address";
    QVERIFY(!bad.start());
    QVERIFY2(bad.startError.find("cannot listen on not-an-address") == 0, bad.startError.c_str());

    // The first server is unaffected.
    Client c(first.port());
    QVERIFY(c.send(post("/x", "y")));
    QCOMPARE(c.readResponse().status, 200);
  }

  void stopFinishesInFlightRequest() {
    Harness h;
    h.handler = [&h](Request&& r, Responder res) {
      if (r.head.path == "/slow") {
        h.later([res] {
          std::this_thread::sleep_for(200ms);
          res(text(200, "done"));
        });
      } else {
        res(text(200, "quick"));
      }
    };
    QVERIFY(h.start());
    const std::uint16_t port = h.port();
    Client idle(port);
    QVERIFY(idle.send(post("/quick", "")));
    QCOMPARE(idle.readResponse().body, std::string("quick"));
    Client busy(port);
    QVERIFY(busy.send(post("/slow", "")));
    QVERIFY(waitFor([&] { return h.requestCount() == 2; }));

    const auto t0 = Clock::now();
    h.server->stop(3000ms);
    const auto took = msSince(t0);
    QVERIFY2(took >= 100 && took < 2000, std::to_string(took).c_str());
    QVERIFY(idle.waitClosed(1000ms));
    const Parsed r = busy.readResponse(1000ms);
    QVERIFY(r.ok);
    QCOMPARE(r.body, std::string("done"));
    QCOMPARE(r.header("Connection"), std::string("close"));
    QVERIFY(busy.waitClosed(1000ms));
    Client after(port);
    QVERIFY(!after.connected());  // no longer listening
    h.server->stop();             // idempotent
  }

  void stopGiveUpAfterGrace() {
    Harness h;
    std::mutex m;
    Responder kept;
    h.handler = [&](Request&&, Responder res) {
      std::lock_guard<std::mutex> lock(m);
      kept = std::move(res);  // never answered before stop
    };
    QVERIFY(h.start());
    Client c(h.port());
    QVERIFY(c.send(post("/hang", "")));
    QVERIFY(waitFor([&] { return h.requestCount() == 1; }));
    const auto t0 = Clock::now();
    h.server->stop(300ms);
    const auto took = msSince(t0);
    QVERIFY2(took >= 250 && took < 2000, std::to_string(took).c_str());
    QVERIFY(c.waitClosed(1000ms));
    // Answering after the server stopped, or after it is gone, is harmless.
    std::lock_guard<std::mutex> lock(m);
    kept(text(200, "too late"));
    h.server.reset();
    kept(text(200, "way too late"));
  }

  void responderEdgeCases() {
    Harness h;
    h.handler = [&h](Request&& r, Responder res) {
      if (r.head.path == "/twice") {
        res(text(200, "one"));
        res(text(200, "two"));  // ignored
      } else if (r.head.path == "/drop") {
        // never called: dropping every copy must still answer
      } else if (r.head.path == "/gone") {
        h.later([res] {
          std::this_thread::sleep_for(100ms);
          res(text(200, "nobody listens"));
        });
      } else if (r.head.path == "/throw") {
        throw std::runtime_error("boom");
      } else {
        res(text(200, "ping"));
      }
    };
    QVERIFY(h.start());
    Client c(h.port());
    QVERIFY(c.send(post("/twice", "")));
    QCOMPARE(c.readResponse().body, std::string("one"));
    QVERIFY(c.send(post("/ping", "")));
    QCOMPARE(c.readResponse().body, std::string("ping"));  // not "two"

    QVERIFY(c.send(post("/drop", "")));
    QCOMPARE(c.readResponse().status, 500);
    QVERIFY(c.send(post("/throw", "")));
    QCOMPARE(c.readResponse().status, 500);
    QVERIFY(c.send(post("/ping", "")));
    QCOMPARE(c.readResponse().body, std::string("ping"));

    {
      Client g(h.port());
      QVERIFY(g.send(post("/gone", "")));
      QVERIFY(waitFor([&] { return h.requestCount() == 6; }));
    }  // closed before the answer comes
    std::this_thread::sleep_for(150ms);
    QVERIFY(c.send(post("/ping", "")));
    QCOMPARE(c.readResponse().body, std::string("ping"));
  }
};

QTEST_GUILESS_MAIN(TestHttpServer)
#include "tst_http_server.moc"
