// libFuzzer target: raw bytes on a TCP connection to the real receiver (Boost.Beast parser, head checks,
// gzip, decode, normalize, the writer and its SQLite file), exactly as a client would send them.
//
// One IngestService runs for the whole fuzzing session on a loopback port, over a database in a fresh
// directory under the current one (tools/fuzz runs each target in build-fuzz/work/<target>/). Each input is written on a new connection, the write side is shut down, and the
// answer is read until the server closes. Contracts: the server answers or closes within the deadline
// (never hangs), every answer is a well-formed HTTP status line, and it keeps serving afterwards.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "ingest/IngestService.h"

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail = {}) {
  std::fprintf(stderr, "contract broken: %s %s\n", what, detail.c_str());
  std::abort();
}

std::unique_ptr<cctv::ingest::IngestService> service;

void startService() {
  char dir[] = "http-db-XXXXXX";
  if (!::mkdtemp(dir)) fail("mkdtemp");
  cctv::ingest::ServiceOptions o;
  o.dbPath = std::string(dir) + "/cctv.db";
  o.http.port = 0;
  // Short limits so a slow path shows up as a timeout here, not as a fuzzer stall.
  o.http.requestTimeout = std::chrono::milliseconds(2000);
  o.http.idleTimeout = std::chrono::milliseconds(2000);
  o.receiver.token = "testtoken";  // what the seeds (the fixtures' headers) send
  o.receiver.logRequests = false;
  o.receiver.maxBodyBytes = 1 << 20;
  service = std::make_unique<cctv::ingest::IngestService>(o);
  std::string error;
  if (!service->start(&error)) fail("cannot start the service:", error);
  std::fprintf(stderr, "fuzz_http: receiver on %s, database %s\n", service->url().c_str(), o.dbPath.c_str());
}

int connectLoopback(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) fail("connect", std::strerror(errno));
  return fd;
}

double processCpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// Reads until EOF; false when the server neither answers nor closes before the deadline.
bool readUntilClosed(int fd, std::string* out, int timeoutMs) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
  char buf[16384];
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) return false;
    pollfd pfd{fd, POLLIN, 0};
    // libFuzzer's -timeout runs on SIGALRM, which interrupts poll and recv: that is not the deadline (an
    // EINTR taken for one was the "no answer within 60 s" of finding 2 in docs/TESTING.md).
    const int ready = ::poll(&pfd, 1, static_cast<int>(left));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return true;  // EOF or reset: closed
    out->append(buf, static_cast<std::size_t>(n));
  }
}

void checkResponses(const std::string& replies) {
  // Every answer starts with a status line; only the first is checked in full, the rest only for framing.
  if (replies.empty()) return;  // closed without a word: garbage that never formed a request head
  if (replies.compare(0, 9, "HTTP/1.1 ") != 0 && replies.compare(0, 9, "HTTP/1.0 ") != 0)
    fail("answer is not an HTTP status line:", replies.substr(0, 40));
  const int status = std::atoi(replies.c_str() + 9);
  if (status < 100 || status > 599) fail("status out of range:", replies.substr(0, 40));
  if (status >= 500 && status != 503) fail("server error:", replies.substr(0, 200));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  startService();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const int fd = connectLoopback(service->port());
  std::size_t off = 0;
  while (off < size) {
    const ssize_t n = ::send(fd, data + off, size - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the server may refuse and close before reading it all
    off += static_cast<std::size_t>(n);
  }
  ::shutdown(fd, SHUT_WR);
  std::string replies;
  // A 200 waits for the writer's commit. The fuzzer runs at nice 19 on a shared 2-core machine, where a
  // process can get well under 1% of a core for a while: a commit starved like that once took over 10 s, and
  // once over 60 s, while the same inputs answer in milliseconds alone. So a late answer is not yet a hang:
  // past kSlowMs the wait goes on to kHangMs, and the CPU time the process got meanwhile says whether it was
  // starved (a real hang never answers; a busy loop would burn CPU). libFuzzer's -timeout (tools/fuzz) is
  // above kHangMs.
  constexpr int kSlowMs = 60000, kHangMs = 600000;
  const auto started = std::chrono::steady_clock::now();
  const double cpuBefore = processCpuSeconds();
  bool answered = readUntilClosed(fd, &replies, kSlowMs);
  if (!answered) {
    const std::size_t queued = service->writer().queuedItems();
    answered = readUntilClosed(fd, &replies, kHangMs - kSlowMs);
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const std::string detail = "after " + std::to_string(wall) + " s wall, " +
                               std::to_string(processCpuSeconds() - cpuBefore) + " s of process CPU; write queue " +
                               std::to_string(queued) + " items at " + std::to_string(kSlowMs / 1000) + " s, " +
                               std::to_string(replies.size()) + " bytes answered";
    if (!answered) fail("no answer and no close", detail);
    std::fprintf(stderr, "fuzz_http: slow answer (not a hang) %s\n", detail.c_str());
  }
  ::close(fd);
  checkResponses(replies);
  return 0;
}
