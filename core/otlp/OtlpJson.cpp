#include "otlp/OtlpJson.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <type_traits>
#include <unordered_map>
#include <vector>

namespace cctv::otlp {
namespace {

namespace pb = google::protobuf;
using FD = pb::FieldDescriptor;

// Hostile input must not exhaust memory, nor the stack of whatever later walks the message recursively
// (protobuf's destructor and serializer recurse). Real OTLP is about 10 levels deep.
constexpr int kMaxDepth = 64;

// Small codecs

// OTLP/JSON carries trace/span ids as hex (spec: "JSON Protobuf Encoding"); every other bytes field is base64.
bool isHexIdField(const FD* fd) {
  if (fd->type() != FD::TYPE_BYTES) return false;
  const std::string& n = fd->name();
  return n == "trace_id" || n == "span_id" || n == "parent_span_id";
}

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

// Per-message-type lookup tables: JSON key (lowerCamelCase json_name or snake_case proto name) -> field.

struct FieldInfo {
  const FD* fd;
  std::string_view name;  // as matched; also what error paths show
  FD::CppType cpp;        // cached: descriptor accessors are not free in the hot loop
  bool repeated;
  bool hexId;
};

struct FieldTable {
  std::vector<FieldInfo> fields;  // json names first (what senders use), then the snake_case names that differ

  // A linear scan beats hashing here: a dozen short names, most of them differing in length.
  const FieldInfo* find(const std::string& key) const {
    for (const FieldInfo& f : fields)
      if (f.name.size() == key.size() && std::memcmp(f.name.data(), key.data(), key.size()) == 0) return &f;
    return nullptr;
  }
};

const FieldTable* fieldTableFor(const pb::Descriptor* d) {
  // Leaked on purpose: descriptors live as long as the process, and a parse on another thread may still be
  // running while static destructors run.
  static auto* mu = new std::mutex;
  static auto* cache = new std::unordered_map<const pb::Descriptor*, std::unique_ptr<FieldTable>>;
  std::lock_guard<std::mutex> lock(*mu);
  auto& slot = (*cache)[d];
  if (!slot) {
    slot = std::make_unique<FieldTable>();
    for (const bool json : {true, false})
      for (int i = 0; i < d->field_count(); ++i) {
        const FD* fd = d->field(i);
        if (!json && fd->name() == fd->json_name()) continue;
        slot->fields.push_back(
            FieldInfo{fd, json ? fd->json_name() : fd->name(), fd->cpp_type(), fd->is_repeated(), isHexIdField(fd)});
      }
  }
  return slot.get();
}

// Scalar conversion

// One JSON scalar as the SAX parser reports it. For numbers with a fraction or exponent `text` is the
// literal, so float fields can be rounded once, directly from the decimal.
struct Scalar {
  enum Kind { Bool, Int, Uint, Float, String } kind;
  bool b = false;
  int64_t i = 0;
  uint64_t u = 0;
  double d = 0;
  const std::string* text = nullptr;
};

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

// The read* functions return nullptr on success, else what is wrong (the caller adds ", got <value>").
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

// What a value for `f` must look like; `element`: a value inside the array of a repeated field.
const char* expectedFor(const FieldInfo& f, bool element) {
  if (f.repeated && !element) return "expected an array";
  switch (f.cpp) {
    case FD::CPPTYPE_MESSAGE: return "expected an object";
    case FD::CPPTYPE_STRING:
      if (f.fd->type() == FD::TYPE_STRING) return "expected a string";
      return f.hexId ? "expected a hex string" : "expected a base64 string";
    case FD::CPPTYPE_BOOL: return "expected true or false";
    case FD::CPPTYPE_DOUBLE:
    case FD::CPPTYPE_FLOAT: return "expected a number";
    case FD::CPPTYPE_ENUM: return "expected an enum number or name";
    default: return "expected an integer";
  }
}

// SAX handler: fills the message as tokens arrive, no DOM in between.

class Handler {
 public:
  explicit Handler(pb::Message* root) : root_(root) {}

  std::string error;

  bool null() { return scalar(nullptr); }
  bool boolean(bool b) { return scalar(&(scratch_ = Scalar{Scalar::Bool, b})); }
  bool number_integer(int64_t i) { return scalar(&(scratch_ = Scalar{Scalar::Int, false, i})); }
  bool number_unsigned(uint64_t u) { return scalar(&(scratch_ = Scalar{Scalar::Uint, false, 0, u})); }
  bool number_float(double d, const std::string& s) { return scalar(&(scratch_ = Scalar{Scalar::Float, false, 0, 0, d, &s})); }
  bool string(std::string& s) { return scalar(&(scratch_ = Scalar{Scalar::String, false, 0, 0, 0, &s})); }
  bool binary(nlohmann::json::binary_t&) { return fail("unexpected binary value"); }  // JSON text never has these
  bool start_object(std::size_t) { return open(false); }
  bool start_array(std::size_t) { return open(true); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool key(std::string& k) {
    if (skip_ == 0) frames_.back().field = frames_.back().table->find(k);  // nullptr: unknown, value ignored
    return true;
  }

  bool parse_error(std::size_t pos, const std::string&, const nlohmann::detail::exception& ex) {
    std::string what = ex.what();  // "[json.exception.parse_error.101] parse error at line 1, column 7: ..."
    if (const size_t p = what.find("] "); what.rfind("[json.exception.", 0) == 0 && p != std::string::npos)
      what.erase(0, p + 2);
    error = "invalid JSON at byte " + std::to_string(pos) + ": " + what;
    return false;
  }

 private:
  // An object frame fills `msg`; `field` is the field of the key just read (nullptr: unknown key, or between
  // keys). An array frame appends to the repeated `field` of `msg`; `index` is the current element.
  struct Frame {
    pb::Message* msg;
    const FieldTable* table;
    const pb::Reflection* refl;
    const FieldInfo* field;
    bool isArray;
    int index;
  };
  struct Known {
    const pb::Descriptor* desc;
    const FieldTable* table;
    const pb::Reflection* refl;
  };

  void pushMessage(pb::Message* m, const pb::Descriptor* d) {
    // A per-parse cache in front of the shared, locked one (a batch touches ~10 message types). Reflection is
    // cached too, since Message::GetReflection() goes through a call_once on every call.
    const auto it = std::find_if(known_.begin(), known_.end(), [d](const Known& k) { return k.desc == d; });
    const Known& k = it != known_.end() ? *it : known_.emplace_back(Known{d, fieldTableFor(d), m->GetReflection()});
    frames_.push_back(Frame{m, k.table, k.refl, nullptr, false, 0});
  }

  std::string path() const {
    std::string p;
    for (const Frame& f : frames_) {
      if (f.isArray) {
        p += '[' + std::to_string(f.index) + ']';
      } else if (f.field) {
        if (!p.empty()) p += '.';
        p += f.field->name;
      }
    }
    return p;
  }

  bool fail(const std::string& what) {
    const std::string p = path();
    error = p.empty() ? what : p + ": " + what;
    return false;
  }

  bool open(bool array) {
    const char* got = array ? ", got an array" : ", got an object";
    if (++depth_ > kMaxDepth) return fail("nesting deeper than " + std::to_string(kMaxDepth) + " levels");
    if (skip_ > 0) return ++skip_, true;
    if (frames_.empty()) {
      if (array) return fail(std::string("expected an object at the top level") + got);
      frames_.reserve(kMaxDepth + 1);
      pushMessage(root_, root_->GetDescriptor());
      return true;
    }
    Frame& f = frames_.back();
    const FieldInfo* fi = f.field;
    if (!f.isArray && !fi) return skip_ = 1, true;  // the value of an unknown key
    if (array) {
      if (f.isArray || !fi->repeated) return fail(expectedFor(*fi, f.isArray) + std::string(got));
      frames_.push_back(Frame{f.msg, nullptr, f.refl, fi, true, 0});
      return true;
    }
    if (fi->cpp != FD::CPPTYPE_MESSAGE || (fi->repeated && !f.isArray))
      return fail(expectedFor(*fi, f.isArray) + std::string(got));
    pb::Message* child = f.isArray ? f.refl->AddMessage(f.msg, fi->fd) : f.refl->MutableMessage(f.msg, fi->fd);
    pushMessage(child, fi->fd->message_type());
    return true;
  }

  bool close() {
    --depth_;
    if (skip_ > 0) return --skip_, true;
    frames_.pop_back();
    finishValue();
    return true;
  }

  // A value in the current frame is complete: step to the next array element, or wait for the next key.
  void finishValue() {
    if (frames_.empty()) return;
    Frame& f = frames_.back();
    if (f.isArray) ++f.index;
    else f.field = nullptr;
  }

  bool scalar(const Scalar* v) {
    if (skip_ > 0) return true;
    if (frames_.empty()) return fail("expected an object at the top level, got " + (v ? describe(*v) : "null"));
    Frame& f = frames_.back();
    if (!f.isArray && !f.field) return true;  // the value of an unknown key
    if (!v) {
      if (f.isArray) return fail("null is not allowed in an array");
      f.field = nullptr;  // null means "not set"
      return true;
    }
    const FieldInfo& fi = *f.field;
    if ((fi.repeated && !f.isArray) || fi.cpp == FD::CPPTYPE_MESSAGE)
      return fail(expectedFor(fi, f.isArray) + (", got " + describe(*v)));
    if (const char* problem = set(fi, f.msg, f.refl, f.isArray, *v)) return fail(problem + (", got " + describe(*v)));
    finishValue();
    return true;
  }

  // Sets (add: appends to) a scalar field; returns nullptr on success, else what is wrong.
  static const char* set(const FieldInfo& fi, pb::Message* m, const pb::Reflection* r, bool add, const Scalar& v) {
    const FD* fd = fi.fd;
    switch (fi.cpp) {
      case FD::CPPTYPE_INT32:
      case FD::CPPTYPE_INT64: {
        const bool is32 = fi.cpp == FD::CPPTYPE_INT32;
        int64_t x = 0;
        if (const char* e = readSigned(v, is32 ? INT32_MIN : INT64_MIN, is32 ? INT32_MAX : INT64_MAX, x)) return e;
        if (is32) return add ? r->AddInt32(m, fd, int32_t(x)) : r->SetInt32(m, fd, int32_t(x)), nullptr;
        return add ? r->AddInt64(m, fd, x) : r->SetInt64(m, fd, x), nullptr;
      }
      case FD::CPPTYPE_UINT32:
      case FD::CPPTYPE_UINT64: {
        const bool is32 = fi.cpp == FD::CPPTYPE_UINT32;
        uint64_t x = 0;
        if (const char* e = readUnsigned(v, is32 ? UINT32_MAX : UINT64_MAX, x)) return e;
        if (is32) return add ? r->AddUInt32(m, fd, uint32_t(x)) : r->SetUInt32(m, fd, uint32_t(x)), nullptr;
        return add ? r->AddUInt64(m, fd, x) : r->SetUInt64(m, fd, x), nullptr;
      }
      case FD::CPPTYPE_DOUBLE: {
        double x = 0;
        if (const char* e = readReal(v, x)) return e;
        return add ? r->AddDouble(m, fd, x) : r->SetDouble(m, fd, x), nullptr;
      }
      case FD::CPPTYPE_FLOAT: {
        float x = 0;
        if (const char* e = readReal(v, x)) return e;
        return add ? r->AddFloat(m, fd, x) : r->SetFloat(m, fd, x), nullptr;
      }
      case FD::CPPTYPE_BOOL:
        if (v.kind != Scalar::Bool) return expectedFor(fi, true);
        return add ? r->AddBool(m, fd, v.b) : r->SetBool(m, fd, v.b), nullptr;
      case FD::CPPTYPE_ENUM: {
        int64_t x = 0;
        const auto* named = v.kind == Scalar::String ? fd->enum_type()->FindValueByName(*v.text) : nullptr;
        if (named) x = named->number();
        else if (readSigned(v, INT32_MIN, INT32_MAX, x)) return expectedFor(fi, true);
        // Unknown numbers are kept: OTLP enums are open (proto3).
        return add ? r->AddEnumValue(m, fd, int(x)) : r->SetEnumValue(m, fd, int(x)), nullptr;
      }
      case FD::CPPTYPE_STRING: {
        if (v.kind != Scalar::String) return expectedFor(fi, true);
        std::string value;
        if (fd->type() == FD::TYPE_STRING) {
          // Copied, not moved: stealing the lexer's buffer makes it regrow char by char for the next token.
          value = *v.text;  // nlohmann has already validated the UTF-8
        } else if (!(fi.hexId ? decodeHex(*v.text, value) : decodeBase64(*v.text, value))) {
          return fi.hexId ? "expected a hex string" : "invalid base64";
        }
        return add ? r->AddString(m, fd, std::move(value)) : r->SetString(m, fd, std::move(value)), nullptr;
      }
      case FD::CPPTYPE_MESSAGE: break;
    }
    return expectedFor(fi, true);
  }

  pb::Message* root_;
  std::vector<Frame> frames_;
  std::vector<Known> known_;
  Scalar scratch_{Scalar::Bool};
  int depth_ = 0;
  int skip_ = 0;  // > 0 while inside the value of an unknown key: the number of its open containers
};

// Writer: a reflection walk, the inverse of Handler.

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}

  void message(const pb::Message& m) {
    const pb::Descriptor* d = m.GetDescriptor();
    const pb::Reflection* r = m.GetReflection();
    out_ += '{';
    bool first = true;
    // Declaration order. HasField is false for proto3 scalars at their default, so those are omitted, while
    // a oneof member or an `optional` field that is set is written even when zero.
    for (int i = 0; i < d->field_count(); ++i) {
      const FD* fd = d->field(i);
      const int n = fd->is_repeated() ? r->FieldSize(m, fd) : (r->HasField(m, fd) ? 1 : 0);
      if (n == 0) continue;
      if (!first) out_ += ',';
      first = false;
      appendJsonString(out_, fd->json_name());
      out_ += ':';
      if (!fd->is_repeated()) {
        value(m, r, fd, -1);
        continue;
      }
      out_ += '[';
      for (int k = 0; k < n; ++k) {
        if (k) out_ += ',';
        value(m, r, fd, k);
      }
      out_ += ']';
    }
    out_ += '}';
  }

 private:
  template <typename T>
  void number(T x, bool quoted = false) {
    char buf[32];
    if (quoted) out_ += '"';
    out_.append(buf, std::to_chars(buf, buf + sizeof buf, x).ptr);  // floating point: shortest round-trip form
    if (quoted) out_ += '"';
  }
  template <typename T>
  void real(T x) {
    if (std::isnan(x)) out_ += "\"NaN\"";
    else if (std::isinf(x)) out_ += x > 0 ? "\"Infinity\"" : "\"-Infinity\"";
    else if (x == 0 && std::signbit(x)) out_ += "-0.0";  // "-0" would read back as the integer 0
    else number(x);
  }

  // index < 0: the singular field; else element `index` of the repeated field.
  void value(const pb::Message& m, const pb::Reflection* r, const FD* fd, int index) {
    const bool rep = index >= 0;
    switch (fd->cpp_type()) {
      case FD::CPPTYPE_INT32: number(rep ? r->GetRepeatedInt32(m, fd, index) : r->GetInt32(m, fd)); break;
      case FD::CPPTYPE_UINT32: number(rep ? r->GetRepeatedUInt32(m, fd, index) : r->GetUInt32(m, fd)); break;
      case FD::CPPTYPE_INT64: number(rep ? r->GetRepeatedInt64(m, fd, index) : r->GetInt64(m, fd), true); break;
      case FD::CPPTYPE_UINT64: number(rep ? r->GetRepeatedUInt64(m, fd, index) : r->GetUInt64(m, fd), true); break;
      case FD::CPPTYPE_DOUBLE: real(rep ? r->GetRepeatedDouble(m, fd, index) : r->GetDouble(m, fd)); break;
      case FD::CPPTYPE_FLOAT: real(rep ? r->GetRepeatedFloat(m, fd, index) : r->GetFloat(m, fd)); break;
      case FD::CPPTYPE_ENUM: number(rep ? r->GetRepeatedEnumValue(m, fd, index) : r->GetEnumValue(m, fd)); break;
      case FD::CPPTYPE_BOOL:
        out_ += (rep ? r->GetRepeatedBool(m, fd, index) : r->GetBool(m, fd)) ? "true" : "false";
        break;
      case FD::CPPTYPE_STRING: {
        std::string scratch;
        const std::string& s =
            rep ? r->GetRepeatedStringReference(m, fd, index, &scratch) : r->GetStringReference(m, fd, &scratch);
        if (fd->type() == FD::TYPE_STRING) {
          appendJsonString(out_, s);
        } else {
          out_ += '"';
          isHexIdField(fd) ? appendHex(out_, s) : appendBase64(out_, s);
          out_ += '"';
        }
        break;
      }
      case FD::CPPTYPE_MESSAGE: message(rep ? r->GetRepeatedMessage(m, fd, index) : r->GetMessage(m, fd)); break;
    }
  }

  std::string& out_;
};

}  // namespace

bool parseOtlpJson(std::string_view json, google::protobuf::Message* out, std::string* error) {
  std::string err;
  bool ok = false;
  try {
    if (!out) throw std::invalid_argument("no output message");
    out->Clear();
    Handler handler(out);
    ok = nlohmann::json::sax_parse(json.data(), json.data() + json.size(), &handler);
    err = std::move(handler.error);
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

std::string toOtlpJson(const google::protobuf::Message& msg) {
  std::string out;
  out.reserve(msg.ByteSizeLong() * 2 + 16);  // JSON is usually 1.5-3x the protobuf size
  Writer(out).message(msg);
  return out;
}

}  // namespace cctv::otlp
