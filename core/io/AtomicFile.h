#pragma once
// An output file that appears whole or not at all: written to a temporary file beside the target and
// renamed over it only when everything was written and flushed. A failed or cancelled export leaves the
// target as it was (and no temporary behind).

#include <cstdio>
#include <string>
#include <string_view>

namespace cctv::io {

class AtomicFile {
 public:
  AtomicFile() = default;
  ~AtomicFile();  // discards the temporary unless commit() succeeded
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  bool open(const std::string& path, std::string* error);
  bool write(std::string_view bytes);
  // Flushes, syncs and renames over the target. False (and the target untouched) on any error.
  bool commit(std::string* error);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::string temp_;
  std::FILE* file_ = nullptr;
  bool failed_ = false;
  int errno_ = 0;
};

}  // namespace cctv::io
