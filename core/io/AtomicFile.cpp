#include "io/AtomicFile.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace cctv::io {

AtomicFile::~AtomicFile() {
  if (file_) std::fclose(file_);
  if (!temp_.empty()) ::unlink(temp_.c_str());
}

bool AtomicFile::open(const std::string& path, std::string* error) {
  path_ = path;
  std::string pattern = path + ".partial-XXXXXX";
  const int fd = ::mkstemp(pattern.data());  // mode 0600: exports hold prompts and tool input too
  if (fd < 0) {
    *error = "cannot write " + path + ": " + std::strerror(errno);
    return false;
  }
  temp_ = pattern;
  file_ = ::fdopen(fd, "wb");
  if (!file_) {
    *error = "cannot write " + path + ": " + std::strerror(errno);
    ::close(fd);
    return false;
  }
  return true;
}

bool AtomicFile::write(std::string_view bytes) {
  if (failed_ || !file_) return false;
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) {
    failed_ = true;
    errno_ = errno;
  }
  return !failed_;
}

bool AtomicFile::commit(std::string* error) {
  if (!file_) {
    *error = "cannot write " + path_ + ": not open";
    return false;
  }
  if (!failed_ && (std::fflush(file_) != 0 || ::fsync(fileno(file_)) != 0)) {
    failed_ = true;
    errno_ = errno;
  }
  const int closed = std::fclose(file_);
  file_ = nullptr;
  if (!failed_ && closed != 0) {
    failed_ = true;
    errno_ = errno;
  }
  if (failed_) {
    *error = "cannot write " + path_ + ": " + std::strerror(errno_);
    return false;
  }
  if (::rename(temp_.c_str(), path_.c_str()) != 0) {
    *error = "cannot write " + path_ + ": " + std::strerror(errno);
    return false;
  }
  temp_.clear();
  return true;
}

}  // namespace cctv::io
