#include "io/FileReader.h"

#include <sys/stat.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>

namespace cctv::io {

namespace {
constexpr std::size_t kChunk = 1 << 20;
}

struct FileReader::Inflater {
  z_stream zs{};
  bool ended = false;  // the last member ended; more input would start a new one
  Inflater() { inflateInit2(&zs, 16 + MAX_WBITS); }
  ~Inflater() { inflateEnd(&zs); }
};

FileReader::FileReader() = default;

FileReader::~FileReader() {
  if (file_) std::fclose(file_);
}

bool FileReader::open(const std::string& path, std::string* error) {
  file_ = std::fopen(path.c_str(), "rb");
  if (!file_) {
    *error = std::strerror(errno);
    return false;
  }
  struct stat st {};
  if (::fstat(fileno(file_), &st) == 0) {
    if (S_ISDIR(st.st_mode)) {
      *error = "is a directory";
      return false;
    }
    fileSize_ = st.st_size;
  }
  unsigned char magic[2] = {0, 0};
  const std::size_t n = std::fread(magic, 1, 2, file_);
  gzipped_ = n == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
  raw_.assign(reinterpret_cast<const char*>(magic), n);
  fileBytesRead_ = static_cast<std::int64_t>(n);
  if (gzipped_) {
    inflater_ = std::make_unique<Inflater>();
  } else {
    buf_.swap(raw_);  // the two bytes read are already the content
  }
  return true;
}

bool FileReader::fill() {
  if (!error_.empty()) return false;
  if (pos_ > 0 && pos_ >= buf_.size()) {
    buf_.clear();
    pos_ = 0;
  }
  const std::size_t before = buf_.size() - pos_;
  while (buf_.size() - pos_ == before) {
    // Read more of the file when the decoder (or the plain path) has nothing left to work on.
    if (raw_.empty() && !eof_) {
      raw_.resize(kChunk);
      const std::size_t n = std::fread(raw_.data(), 1, kChunk, file_);
      raw_.resize(n);
      fileBytesRead_ += static_cast<std::int64_t>(n);
      if (n < kChunk) {
        if (std::ferror(file_)) {
          error_ = std::string("read error: ") + std::strerror(errno);
          return false;
        }
        eof_ = true;
      }
    }
    if (!gzipped_) {
      if (raw_.empty()) return false;
      buf_.append(raw_);
      raw_.clear();
      return true;
    }
    if (raw_.empty()) {
      if (!inflater_->ended) error_ = "truncated gzip stream";
      return false;
    }
    // A new gzip member after a finished one (concatenated members, as `cat a.gz b.gz` makes).
    if (inflater_->ended) {
      inflateReset(&inflater_->zs);
      inflater_->ended = false;
    }
    z_stream& zs = inflater_->zs;
    zs.next_in = reinterpret_cast<Bytef*>(raw_.data());
    zs.avail_in = static_cast<uInt>(raw_.size());
    const std::size_t old = buf_.size();
    buf_.resize(old + kChunk);
    zs.next_out = reinterpret_cast<Bytef*>(buf_.data() + old);
    zs.avail_out = static_cast<uInt>(kChunk);
    const int rc = inflate(&zs, Z_NO_FLUSH);
    buf_.resize(old + (kChunk - zs.avail_out));
    raw_.erase(0, raw_.size() - zs.avail_in);
    if (rc == Z_STREAM_END) {
      inflater_->ended = true;
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      error_ = std::string("corrupt gzip data") + (zs.msg ? std::string(": ") + zs.msg : std::string());
      return false;
    }
  }
  return true;
}

FileReader::Read FileReader::readLine(std::string* line, std::size_t maxBytes) {
  line->clear();
  bool tooLong = false;
  for (;;) {
    if (pos_ >= buf_.size() && !fill()) {
      if (!error_.empty()) return Read::Error;
      if (tooLong) return Read::TooLong;
      return line->empty() ? Read::End : Read::Ok;
    }
    const char* start = buf_.data() + pos_;
    const std::size_t avail = buf_.size() - pos_;
    const void* nl = std::memchr(start, '\n', avail);
    const std::size_t take = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - start) : avail;
    if (!tooLong) {
      if (line->size() + take > maxBytes) {
        tooLong = true;
        line->clear();
        line->shrink_to_fit();
      } else {
        line->append(start, take);
      }
    }
    pos_ += take;
    if (nl) {
      ++pos_;
      if (tooLong) return Read::TooLong;
      if (!line->empty() && line->back() == '\r') line->pop_back();
      return Read::Ok;
    }
  }
}

FileReader::Read FileReader::readRest(std::string* out, std::size_t maxBytes) {
  for (;;) {
    if (pos_ >= buf_.size() && !fill()) return error_.empty() ? Read::Ok : Read::Error;
    const std::size_t avail = buf_.size() - pos_;
    if (out->size() + avail > maxBytes) return Read::TooLong;
    out->append(buf_, pos_, avail);
    pos_ = buf_.size();
  }
}

int FileReader::peekNonSpace() {
  std::size_t ahead = 0;  // bytes looked at past pos_; nothing is consumed, so line numbers stay right
  for (;;) {
    while (pos_ + ahead < buf_.size()) {
      const unsigned char c = static_cast<unsigned char>(buf_[pos_ + ahead]);
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return c;
      ++ahead;
    }
    if (!fill()) return -1;
  }
}

}  // namespace cctv::io
