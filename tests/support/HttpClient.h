#pragma once
// A deliberately plain blocking HTTP/1.1 client over a POSIX socket, for tests that talk to the real
// receiver: it sends exactly the bytes asked for (headers in order, bodies as given) and parses replies.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace cctv::test {

struct HttpReply {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string header(const std::string& name) const;  // case-insensitive, "" when absent
};

class HttpClient {
 public:
  HttpClient(std::string host, std::uint16_t port);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  bool connect();
  void close();
  // Sends one request on the kept-alive connection (connecting if needed) and reads the reply.
  // Adds Host and Content-Length. Returns status 0 when the connection failed or closed early.
  HttpReply request(const std::string& method, const std::string& path,
                    const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body);
  // Raw access for protocol tests.
  bool sendRaw(const std::string& bytes);
  HttpReply readReply(int timeoutMs = 10000);
  bool peerClosed(int timeoutMs);

 private:
  bool readMore(int timeoutMs);
  std::string host_;
  std::uint16_t port_;
  int fd_ = -1;
  std::string buffer_;
};

}  // namespace cctv::test
