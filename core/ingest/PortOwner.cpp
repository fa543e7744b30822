#include "ingest/PortOwner.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "ingest/InstanceFile.h"

namespace cctv::ingest {

namespace {

// Where to reach a listener bound to `bind`: the wildcard addresses are reached over loopback.
bool socketAddress(const std::string& bind, std::uint16_t port, sockaddr_storage* out, socklen_t* len) {
  std::memset(out, 0, sizeof *out);
  std::string host = bind == "localhost" || bind.empty() ? "127.0.0.1" : bind;
  if (host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  auto* v4 = reinterpret_cast<sockaddr_in*>(out);
  if (::inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    *len = sizeof(sockaddr_in);
    return true;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(out);
  if (::inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    *len = sizeof(sockaddr_in6);
    return true;
  }
  return false;
}

// Waits for `events` on fd until the deadline; false on timeout or error.
bool waitFor(int fd, short events, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    return n > 0 && (p.revents & events);
  }
}

}  // namespace

bool answersAsCctv(const std::string& host, std::uint16_t port, int timeoutMs) {
  sockaddr_storage addr{};
  socklen_t len = 0;
  if (!socketAddress(host, port, &addr, &len)) return false;
  const int fd = ::socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
  bool cctv = false;
  do {
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0) {
      if (errno != EINPROGRESS || !waitFor(fd, POLLOUT, deadline)) break;
      int err = 0;
      socklen_t errLen = sizeof err;
      if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &errLen) != 0 || err != 0) break;
    }
    static const char request[] = "GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: cctv-port-check\r\n"
                                  "Connection: close\r\n\r\n";
    if (::send(fd, request, sizeof request - 1, MSG_NOSIGNAL) != static_cast<ssize_t>(sizeof request - 1)) break;
    std::string head;
    char buf[2048];
    while (head.find("\r\n\r\n") == std::string::npos && head.size() < 16384 && waitFor(fd, POLLIN, deadline)) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      head.append(buf, static_cast<std::size_t>(n));
    }
    std::transform(head.begin(), head.end(), head.begin(), [](unsigned char c) { return std::tolower(c); });
    cctv = head.rfind("http/1.", 0) == 0 && head.find("\r\nserver: cctv\r\n") != std::string::npos;
  } while (false);
  ::close(fd);
  return cctv;
}

PortOwner whoHasPort(const std::string& dbPath, const std::string& bindAddress, std::uint16_t port) {
  PortOwner owner;
  owner.port = port;
  if (const auto other = InstanceFile::running(dbPath)) {
    if (other->port() == port || other->grpcPort() == port) {
      owner.kind = PortOwner::Kind::SameDatabase;
      owner.pid = other->pid;
      owner.url = other->url;
      return owner;
    }
  }
  // The gRPC port of another cctv answers HTTP/2 only; its HTTP port says "Server: cctv".
  owner.kind = answersAsCctv(bindAddress, port) ? PortOwner::Kind::OtherCctv : PortOwner::Kind::OtherProgram;
  return owner;
}

}  // namespace cctv::ingest
