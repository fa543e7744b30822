// The reflective OTLP/JSON decoder: one SAX handler driven by descriptors and protobuf reflection, for any
// message type. parseOtlpJson (OtlpJson.cpp) uses it for the types the typed decoder has no table for, and the
// differential tests compare the typed decoder against it (see OtlpJsonDecoders.h).

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "otlp/OtlpJsonDecoders.h"
#include "otlp/OtlpJsonScalar.h"

namespace cctv::otlp::detail {
namespace {

namespace pb = google::protobuf;
using FD = pb::FieldDescriptor;

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
            FieldInfo{fd, json ? fd->json_name() : fd->name(), fd->cpp_type(), fd->is_repeated(), fd->type() == FD::TYPE_BYTES && isHexIdFieldName(fd->name())});
      }
  }
  return slot.get();
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
    error = invalidJsonMessage(pos, ex);
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
        if (const char* e = readDouble(v, x)) return e;
        return add ? r->AddDouble(m, fd, x) : r->SetDouble(m, fd, x), nullptr;
      }
      case FD::CPPTYPE_FLOAT: {
        float x = 0;
        if (const char* e = readFloat(v, x)) return e;
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

}  // namespace

bool parseOtlpJsonReflective(std::string_view json, pb::Message* out, std::string* error) {
  return runDecoder(out, error, [json](pb::Message* msg, std::string& err) {
    Handler handler(msg);
    const bool ok = nlohmann::json::sax_parse(json.data(), json.data() + json.size(), &handler);
    err = std::move(handler.error);
    return ok;
  });
}

}  // namespace cctv::otlp::detail
