#include "ingest/InstanceFile.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <sstream>

namespace cctv::ingest {

namespace {

std::uint16_t portOf(const std::string& url) {
  const std::size_t colon = url.rfind(':');
  if (colon == std::string::npos || url.find("://") == std::string::npos || colon < url.find("://") + 3) return 0;
  const long port = std::strtol(url.c_str() + colon + 1, nullptr, 10);
  return port > 0 && port < 65536 ? static_cast<std::uint16_t>(port) : 0;
}

}  // namespace

std::uint16_t RunningInstance::port() const { return portOf(url); }
std::uint16_t RunningInstance::grpcPort() const { return portOf(grpcUrl); }

InstanceFile::InstanceFile(std::string dbPath) : path_(pathFor(dbPath)) {}

InstanceFile::~InstanceFile() { release(); }

std::string InstanceFile::pathFor(const std::string& dbPath) { return dbPath + ".instance"; }

bool InstanceFile::claim(const std::string& url, const std::string& grpcUrl) {
  if (fd_ >= 0) {
    update(url, grpcUrl);
    return true;
  }
  const int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return false;
  }
  fd_ = fd;
  write(url, grpcUrl);
  return true;
}

void InstanceFile::update(const std::string& url, const std::string& grpcUrl) {
  if (fd_ >= 0) write(url, grpcUrl);
}

void InstanceFile::write(const std::string& url, const std::string& grpcUrl) {
  std::ostringstream text;
  text << "pid=" << ::getpid() << "\nurl=" << url << "\ngrpc=" << grpcUrl << "\n";
  const std::string s = text.str();
  if (::ftruncate(fd_, 0) != 0) return;
  ssize_t done = 0;
  while (done < static_cast<ssize_t>(s.size())) {
    const ssize_t n = ::pwrite(fd_, s.data() + done, s.size() - static_cast<std::size_t>(done), done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += n;
  }
}

void InstanceFile::release() {
  if (fd_ < 0) return;
  ::unlink(path_.c_str());  // while still locked: nobody takes a file that is about to go
  ::close(fd_);
  fd_ = -1;
}

std::optional<RunningInstance> InstanceFile::running(const std::string& dbPath) {
  const std::string path = pathFor(dbPath);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  if (::flock(fd, LOCK_SH | LOCK_NB) == 0) {  // nobody holds it: left over from a crash
    ::close(fd);
    return std::nullopt;
  }
  std::string text;
  char buf[1024];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0 && text.size() < 16384) text.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  RunningInstance r;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    const std::size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    if (key == "pid") r.pid = std::strtol(value.c_str(), nullptr, 10);
    else if (key == "url") r.url = value;
    else if (key == "grpc") r.grpcUrl = value;
  }
  return r;
}

}  // namespace cctv::ingest
