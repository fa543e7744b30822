#include "model/JsonText.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstdint>
#include <cstring>

namespace cctv::model {

namespace {
// How many bytes each byte grows by when escaped: 0 (as is), 1 ("\n", "\"", ...) or 5 ("\u001f").
constexpr std::array<unsigned char, 256> kEscapeGrowth = [] {
  std::array<unsigned char, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[static_cast<std::size_t>(c)] = 5;
  for (unsigned char c : {'"', '\\', '\n', '\r', '\t', '\b', '\f'}) t[c] = 1;
  return t;
}();
// True when one of the 8 bytes of `w` needs escaping: below 0x20, '"' or '\\' (the "has less than" and
// "has zero byte" tests of Bit Twiddling Hacks; a word that reports none has none).
inline bool anyEscape(std::uint64_t w) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ull, kHighs = 0x8080808080808080ull;
  auto hasZero = [](std::uint64_t v) { return (v - kOnes) & ~v & kHighs; };
  return (((w - kOnes * 0x20) & ~w & kHighs) | hasZero(w ^ (kOnes * '"')) | hasZero(w ^ (kOnes * '\\'))) != 0;
}

inline std::uint64_t word(const char* p) {
  std::uint64_t w;
  std::memcpy(&w, p, sizeof w);
  return w;
}
}  // namespace

// The normalizer runs this over every attribute kept outside the schema, some of which are whole API
// request bodies (tens of KB): one pass to size the result, one to write it in place, each taking 8 bytes
// at a time where none needs escaping.
void appendJsonString(std::string& out, std::string_view s) {
  const char* in = s.data();
  const std::size_t n = s.size();
  std::size_t growth = 0, i = 0;
  for (; i + 8 <= n; i += 8)
    if (anyEscape(word(in + i)))
      for (std::size_t k = i; k < i + 8; ++k) growth += kEscapeGrowth[static_cast<unsigned char>(in[k])];
  for (; i < n; ++i) growth += kEscapeGrowth[static_cast<unsigned char>(in[i])];
  const std::size_t at = out.size();
  out.resize(at + n + growth + 2);
  char* p = out.data() + at;
  *p++ = '"';
  if (growth == 0) {
    std::memcpy(p, in, n);
    p += n;
  } else {
    static constexpr char kHex[] = "0123456789abcdef";
    auto put = [&p](char ch) {
      const auto c = static_cast<unsigned char>(ch);
      if (kEscapeGrowth[c] == 0) {
        *p++ = ch;
        return;
      }
      *p++ = '\\';
      switch (c) {
        case '"': *p++ = '"'; break;
        case '\\': *p++ = '\\'; break;
        case '\n': *p++ = 'n'; break;
        case '\r': *p++ = 'r'; break;
        case '\t': *p++ = 't'; break;
        case '\b': *p++ = 'b'; break;
        case '\f': *p++ = 'f'; break;
        default:
          *p++ = 'u';
          *p++ = '0';
          *p++ = '0';
          *p++ = kHex[c >> 4];
          *p++ = kHex[c & 0xf];
      }
    };
    i = 0;
    for (; i + 8 <= n; i += 8) {
      if (!anyEscape(word(in + i))) {
        std::memcpy(p, in + i, 8);
        p += 8;
      } else {
        for (std::size_t k = i; k < i + 8; ++k) put(in[k]);
      }
    }
    for (; i < n; ++i) put(in[i]);
  }
  *p = '"';
}

void appendJsonDouble(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "\"NaN\"";
    return;
  }
  if (std::isinf(v)) {
    out += v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
    return;
  }
  char buf[32];
  // %.17g always round-trips; try shorter precisions first so 0.1 stays "0.1".
  int n = 0;
  for (int prec = 15; prec <= 17; ++prec) {
    n = std::snprintf(buf, sizeof buf, "%.*g", prec, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  std::string_view text(buf, static_cast<std::size_t>(n));
  out.append(text);
  if (text.find_first_of(".eE") == std::string_view::npos) out += ".0";
}

void appendJsonInt(std::string& out, std::int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

std::string base64(std::string_view in) {
  static const char* tbl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out += tbl[(v >> 18) & 63];
    out += tbl[(v >> 12) & 63];
    out += tbl[(v >> 6) & 63];
    out += tbl[v & 63];
  }
  if (i < in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += tbl[(v >> 18) & 63];
    out += tbl[(v >> 12) & 63];
    out += i + 1 < in.size() ? tbl[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char ch : bytes) {
    const unsigned char c = static_cast<unsigned char>(ch);
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

}  // namespace cctv::model

namespace cctv::model {

std::string validUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool ok = len > 0 && i + static_cast<std::size_t>(len) <= s.size();
    for (int k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
    if (ok && len > 1) {
      // Reject overlong forms, surrogates and code points past U+10FFFF.
      std::uint32_t cp = c & (0x7f >> len);
      for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
      static const std::uint32_t minimum[] = {0, 0, 0x80, 0x800, 0x10000};
      ok = cp >= minimum[len] && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff);
    }
    if (ok) {
      out.append(s.data() + i, static_cast<std::size_t>(len));
      i += static_cast<std::size_t>(len);
    } else {
      out += "\xef\xbf\xbd";
      ++i;
    }
  }
  return out;
}

}  // namespace cctv::model
