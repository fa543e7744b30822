#pragma once
// Reads an import file as a stream of bytes, gunzipping on the fly when it starts with the gzip magic
// (1f 8b), whatever its name. Files are read in 1 MiB chunks, so a multi-gigabyte JSON Lines export is never
// held in memory whole; only the current line (or request) is.

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

namespace cctv::io {

class FileReader {
 public:
  FileReader();
  ~FileReader();
  FileReader(const FileReader&) = delete;
  FileReader& operator=(const FileReader&) = delete;

  // Opens `path`; false with a one-line reason when it cannot be read.
  bool open(const std::string& path, std::string* error);

  bool gzipped() const { return gzipped_; }
  // Size of the file on disk and how much of it has been consumed (compressed bytes for gzip): progress.
  std::int64_t fileSize() const { return fileSize_; }
  std::int64_t fileBytesRead() const { return fileBytesRead_; }

  enum class Read { Ok, End, TooLong, Error };
  // Next line without its '\n' (and without a trailing '\r'). A line longer than maxBytes is skipped up to
  // its end and answered with TooLong, so the caller can report it and go on with the next line.
  Read readLine(std::string* line, std::size_t maxBytes);
  // Everything from the current position to the end, appended to *out; TooLong past maxBytes in total.
  Read readRest(std::string* out, std::size_t maxBytes);
  // The first byte that is not ASCII whitespace, without consuming anything; -1 at the end.
  int peekNonSpace();
  // Why the last Read::Error happened (I/O error, corrupt or truncated gzip).
  const std::string& error() const { return error_; }

 private:
  // Makes at least one more decoded byte available in buf_; false at the end or on an error.
  bool fill();

  std::FILE* file_ = nullptr;
  bool gzipped_ = false;
  std::int64_t fileSize_ = 0;
  std::int64_t fileBytesRead_ = 0;
  struct Inflater;
  std::unique_ptr<Inflater> inflater_;
  std::string raw_;  // compressed input not yet inflated
  std::string buf_;  // decoded bytes not yet handed out
  std::size_t pos_ = 0;
  bool eof_ = false;
  std::string error_;
};

}  // namespace cctv::io
