#pragma once
// gzip for request bodies (Content-Encoding: gzip). Qt 6.4 has no public gzip API and qUncompress
// reads only Qt's own zlib framing, so this wraps zlib directly.

#include <cstddef>
#include <string>
#include <string_view>

namespace cctv::otlp {

enum class InflateResult { Ok, TooLarge, Corrupt, Truncated };

// Inflates a gzip stream (one or more concatenated members) into *out, refusing to produce more than
// maxOutput bytes (a zip bomb is stopped at the cap, not after). *error gets a one-line reason.
InflateResult gunzip(std::string_view in, std::size_t maxOutput, std::string* out, std::string* error);

// gzip-compresses `in` (used by tests, export and forwarding).
std::string gzip(std::string_view in, int level = 6);

}  // namespace cctv::otlp
