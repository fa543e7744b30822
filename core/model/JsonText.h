#pragma once
// Minimal, fast JSON text building for the normalizer (appending to std::string, no DOM).
// Inputs are valid UTF-8 (both decoders guarantee it), so only quotes, backslashes and control
// characters need escaping.

#include <cstdint>
#include <string>
#include <string_view>

namespace cctv::model {

void appendJsonString(std::string& out, std::string_view s);
// Shortest text that reads back as the same double; always has a '.' or an exponent, so SQLite's JSON
// functions keep it REAL. NaN and infinities (not JSON) are written as the strings "NaN", "Infinity".
void appendJsonDouble(std::string& out, double v);
void appendJsonInt(std::string& out, std::int64_t v);
std::string base64(std::string_view bytes);
std::string hex(std::string_view bytes);

}  // namespace cctv::model

namespace cctv::model {
// `s` with every invalid UTF-8 sequence replaced by U+FFFD, for text that came from outside (error
// messages quoting a bad body) and must go into JSON or a log line.
std::string validUtf8(std::string_view s);
}  // namespace cctv::model
