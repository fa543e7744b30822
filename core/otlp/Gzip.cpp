#include "otlp/Gzip.h"

#include <zlib.h>

#include <algorithm>
#include <stdexcept>

namespace cctv::otlp {

InflateResult gunzip(std::string_view in, std::size_t maxOutput, std::string* out, std::string* error) {
  out->clear();
  z_stream zs{};
  // 16 + MAX_WBITS: gzip framing only. A zlib or raw stream under "Content-Encoding: gzip" is an error.
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
    *error = "gzip: cannot initialise zlib";
    return InflateResult::Corrupt;
  }
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  // Grow geometrically but never past the cap (+1 byte, to detect "would exceed").
  out->resize(std::min<std::size_t>(std::max<std::size_t>(in.size() * 4, 4096), maxOutput + 1));
  std::size_t produced = 0;
  InflateResult result = InflateResult::Ok;
  for (;;) {
    if (produced == out->size()) {
      if (out->size() > maxOutput) {
        result = InflateResult::TooLarge;
        break;
      }
      out->resize(std::min<std::size_t>(out->size() * 2, maxOutput + 1));
    }
    zs.next_out = reinterpret_cast<Bytef*>(out->data() + produced);
    zs.avail_out = static_cast<uInt>(out->size() - produced);
    const int rc = inflate(&zs, Z_NO_FLUSH);
    produced = out->size() - zs.avail_out;
    if (produced > maxOutput) {
      result = InflateResult::TooLarge;
      break;
    }
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) break;
      // Concatenated gzip members are valid gzip (RFC 1952 §2.2): continue with the next one.
      if (inflateReset(&zs) != Z_OK) {
        result = InflateResult::Corrupt;
        break;
      }
      continue;
    }
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) {
      // zlib wants more input than there is.
      result = InflateResult::Truncated;
      break;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      result = InflateResult::Corrupt;
      *error = std::string("gzip: ") + (zs.msg ? zs.msg : "invalid data");
      break;
    }
  }
  inflateEnd(&zs);
  switch (result) {
    case InflateResult::Ok: out->resize(produced); break;
    case InflateResult::TooLarge:
      out->clear();
      *error = "gzip: body is larger than " + std::to_string(maxOutput) + " bytes once decompressed";
      break;
    case InflateResult::Truncated:
      out->clear();
      *error = "gzip: body is truncated";
      break;
    case InflateResult::Corrupt:
      out->clear();
      if (error->empty()) *error = "gzip: invalid data";
      break;
  }
  return result;
}

std::string gzip(std::string_view in, int level) {
  z_stream zs{};
  if (deflateInit2(&zs, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2 failed");
  std::string out(deflateBound(&zs, static_cast<uLong>(in.size())), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  out.resize(out.size() - zs.avail_out);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) throw std::runtime_error("deflate failed");
  return out;
}

}  // namespace cctv::otlp
