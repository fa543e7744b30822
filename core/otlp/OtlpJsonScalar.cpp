#include "otlp/OtlpJsonScalar.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <type_traits>

namespace cctv::otlp::detail {

bool isHexIdFieldName(const std::string& n) { return n == "trace_id" || n == "span_id" || n == "parent_span_id"; }

bool decodeHex(const std::string& s, std::string& out) {
  const auto hexValue = [](char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
  };
  if (s.size() % 2 != 0) return false;
  out.resize(s.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = hexValue(s[2 * i]), lo = hexValue(s[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<char>((hi << 4) | lo);
  }
  return true;
}

void appendHex(std::string& out, const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  for (const char c : bytes) {
    out += digits[static_cast<uint8_t>(c) >> 4];
    out += digits[static_cast<uint8_t>(c) & 15];
  }
}

namespace {

// Both alphabets in one table: senders use standard or URL-safe base64, padded or not.
constexpr std::array<int8_t, 256> makeBase64Table() {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(abc[i])] = static_cast<int8_t>(i);
  t['-'] = 62;
  t['_'] = 63;
  return t;
}
constexpr auto kBase64Table = makeBase64Table();

}  // namespace

bool decodeBase64(const std::string& s, std::string& out) {
  size_t n = s.size();
  while (n > 0 && s[n - 1] == '=') --n;
  const size_t pad = s.size() - n;
  if (pad > 2 || (pad > 0 && s.size() % 4 != 0) || n % 4 == 1) return false;
  out.clear();
  out.reserve(n * 3 / 4);
  uint32_t acc = 0;  // only the low bits matter; unsigned wrap-around is intended
  int bits = 0;
  for (size_t i = 0; i < n; ++i) {
    const int v = kBase64Table[static_cast<unsigned char>(s[i])];
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return true;
}

void appendBase64(std::string& out, const std::string& in) {
  static const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const auto byte = [&](size_t i) { return i < in.size() ? uint32_t(uint8_t(in[i])) : 0u; };
  for (size_t i = 0; i < in.size(); i += 3) {
    const uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out += abc[v >> 18];
    out += abc[(v >> 12) & 63];
    out += i + 1 < in.size() ? abc[(v >> 6) & 63] : '=';
    out += i + 2 < in.size() ? abc[v & 63] : '=';
  }
}

namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 if it is invalid (RFC 3629, the rules nlohmann applies).
size_t utf8SequenceLength(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return i + k < s.size() ? static_cast<uint8_t>(s[i + k]) : 0; };
  const auto cont = [&](size_t k, uint8_t lo = 0x80, uint8_t hi = 0xBF) { return b(k) >= lo && b(k) <= hi; };
  const uint8_t c = b(0);
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c == 0xE0) return cont(1, 0xA0) && cont(2) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return cont(1) && cont(2) ? 3 : 0;
  if (c == 0xED) return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;  // no UTF-16 surrogates
  if (c == 0xF0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c == 0xF4) return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

}  // namespace

// Writes a JSON string literal. Invalid UTF-8 (possible in messages built in code, or decoded from protobuf
// without validation) becomes U+FFFD so the output is always valid JSON.
void appendJsonString(std::string& out, std::string_view s) {
  static const char* hex = "0123456789abcdef";
  out += '"';
  size_t run = 0;  // start of the pending run of bytes copied verbatim
  for (size_t i = 0; i < s.size();) {
    const uint8_t c = static_cast<uint8_t>(s[i]);
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      if (const size_t len = utf8SequenceLength(s, i)) {
        i += len;
        continue;
      }
    }
    out.append(s.data() + run, i - run);
    const char* esc = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : nullptr;
    if (esc) {
      out += esc;
    } else if (c < 0x20) {
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += "\xEF\xBF\xBD";  // a byte that is not part of valid UTF-8
    }
    run = ++i;
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

std::string describe(const Scalar& v) {
  switch (v.kind) {
    case Scalar::Bool: return v.b ? "true" : "false";
    case Scalar::Int: return std::to_string(v.i);
    case Scalar::Uint: return std::to_string(v.u);
    case Scalar::Float: return *v.text;
    case Scalar::String: break;
  }
  std::string_view s = *v.text;
  const bool cut = s.size() > 40;  // keep error messages short; cut at a UTF-8 boundary
  if (cut) {
    size_t n = 40;
    while (n > 0 && (static_cast<uint8_t>(s[n]) & 0xC0) == 0x80) --n;
    s = s.substr(0, n);
  }
  std::string out;
  appendJsonString(out, s);
  if (cut) out.insert(out.size() - 1, "...");
  return out;
}

namespace {

// An integer as sign + magnitude, so all of int64 and uint64 fit without a 128-bit type.
enum class IntRead { Ok, NotInteger, OutOfRange };

IntRead readInteger(const Scalar& v, bool& neg, uint64_t& mag) {
  switch (v.kind) {
    case Scalar::Int:
      neg = v.i < 0;
      mag = neg ? static_cast<uint64_t>(-(v.i + 1)) + 1 : static_cast<uint64_t>(v.i);
      return IntRead::Ok;
    case Scalar::Uint:
      neg = false;
      mag = v.u;
      return IntRead::Ok;
    case Scalar::Float:  // 3.0 and 1e3 are integers; nlohmann also lands here when a literal overflows uint64
      if (!std::isfinite(v.d) || v.d != std::trunc(v.d)) return IntRead::NotInteger;
      if (std::fabs(v.d) >= 18446744073709551616.0) return IntRead::OutOfRange;
      neg = v.d < 0;
      mag = static_cast<uint64_t>(std::fabs(v.d));
      return IntRead::Ok;
    case Scalar::String: {  // decimal only: "-12", "1795547843996000000"
      const std::string& s = *v.text;
      neg = !s.empty() && s[0] == '-';
      const char* first = s.data() + (neg ? 1 : 0);
      const char* last = s.data() + s.size();
      // Checked first so that "999...9x" is "not an integer" rather than "out of range".
      if (first == last || !std::all_of(first, last, [](char c) { return c >= '0' && c <= '9'; }))
        return IntRead::NotInteger;
      return std::from_chars(first, last, mag).ec == std::errc() ? IntRead::Ok : IntRead::OutOfRange;
    }
    case Scalar::Bool: break;
  }
  return IntRead::NotInteger;
}

}  // namespace

const char* readSigned(const Scalar& v, int64_t lo, int64_t hi, int64_t& out) {
  bool neg = false;
  uint64_t mag = 0;
  const IntRead r = readInteger(v, neg, mag);
  if (r == IntRead::NotInteger) return "expected an integer";
  if (r == IntRead::OutOfRange || (neg ? mag > uint64_t(-(lo + 1)) + 1 : mag > uint64_t(hi))) return "integer out of range";
  out = !neg ? static_cast<int64_t>(mag) : mag == 0 ? 0 : -static_cast<int64_t>(mag - 1) - 1;
  return nullptr;
}

const char* readUnsigned(const Scalar& v, uint64_t hi, uint64_t& out) {
  bool neg = false;
  uint64_t mag = 0;
  const IntRead r = readInteger(v, neg, mag);
  if (r == IntRead::NotInteger) return "expected an integer";
  if (neg && mag != 0) return "expected a non-negative integer";
  if (r == IntRead::OutOfRange || mag > hi) return "integer out of range";
  out = mag;
  return nullptr;
}

namespace {

template <typename T>
const char* readReal(const Scalar& v, T& out) {
  if (v.kind == Scalar::Int) out = static_cast<T>(v.i);
  else if (v.kind == Scalar::Uint) out = static_cast<T>(v.u);
  else if (v.kind == Scalar::Float && std::is_same_v<T, double>) out = static_cast<T>(v.d);  // already parsed
  else if (v.kind == Scalar::Bool) return "expected a number";
  else {
    const std::string& s = *v.text;
    if (v.kind == Scalar::String) {  // the spec's spellings of the non-finite values
      if (s == "NaN") return out = std::numeric_limits<T>::quiet_NaN(), nullptr;
      if (s == "Infinity") return out = std::numeric_limits<T>::infinity(), nullptr;
      if (s == "-Infinity") return out = -std::numeric_limits<T>::infinity(), nullptr;
    }
    const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    if (r.ec == std::errc::result_out_of_range) return "number out of range";
    if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return "expected a number";
  }
  return nullptr;
}

}  // namespace

const char* readDouble(const Scalar& v, double& out) { return readReal(v, out); }
const char* readFloat(const Scalar& v, float& out) { return readReal(v, out); }

std::string invalidJsonMessage(std::size_t pos, const std::exception& ex) {
  std::string what = ex.what();  // "[json.exception.parse_error.101] parse error at line 1, column 7: ..."
  if (const size_t p = what.find("] "); what.rfind("[json.exception.", 0) == 0 && p != std::string::npos)
    what.erase(0, p + 2);
  return "invalid JSON at byte " + std::to_string(pos) + ": " + what;
}

bool runDecoder(google::protobuf::Message* out, std::string* error,
                const std::function<bool(google::protobuf::Message*, std::string&)>& parse) {
  std::string err;
  bool ok = false;
  try {
    if (!out) throw std::invalid_argument("no output message");
    out->Clear();
    ok = parse(out, err);
    if (!ok && err.empty()) err = "invalid JSON";
  } catch (const std::exception& e) {  // bad_alloc, or anything protobuf might throw
    ok = false;
    err = std::string("internal error: ") + e.what();
  } catch (...) {
    ok = false;
    err = "internal error";
  }
  if (!ok) {
    if (out) out->Clear();
    if (error) *error = std::move(err);
  }
  return ok;
}

}  // namespace cctv::otlp::detail
