// The typed OTLP/JSON decoder: nlohmann's SAX lexer feeds a stack of frames, one per open JSON object or array.
// Each object frame knows its OTLP message type (a Type from OtlpJsonTables.cpp) and the field of the key just
// read; values go straight into the generated accessors. The rules and the error texts are those of the
// reflective decoder (OtlpJsonReflective.cpp), which tst_otlp_json_diff and fuzz_json_diff compare it with.

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "otlp/OtlpJsonDecoders.h"
#include "otlp/OtlpJsonScalar.h"
#include "otlp/OtlpJsonTyped.h"

namespace cctv::otlp::detail {

namespace typed {

const Field* Type::find(const std::string& key, bool* snake) const {
  // A linear scan beats hashing here: a dozen short names, most of them differing in length.
  const std::size_t n = key.size();
  for (std::size_t i = 0; i < count; ++i)
    if (fields[i].json.size() == n && std::memcmp(fields[i].json.data(), key.data(), n) == 0) return *snake = false, &fields[i];
  for (std::size_t i = 0; i < count; ++i)
    if (fields[i].proto != fields[i].json && fields[i].proto.size() == n &&
        std::memcmp(fields[i].proto.data(), key.data(), n) == 0)
      return *snake = true, &fields[i];
  return nullptr;
}

}  // namespace typed

namespace {

namespace pb = google::protobuf;
using typed::Field;
using typed::Kind;
using typed::Msg;
using typed::Type;

const Type* typeOf(const Msg& msg) {
  std::size_t n = 0;
  const Type* const* types = typed::allTypes(&n);
  const pb::Descriptor* d = msg.GetDescriptor();
  for (std::size_t i = 0; i < n; ++i)
    if (types[i]->descriptor() == d) return types[i]->isInstance(msg) ? types[i] : nullptr;
  return nullptr;
}

// What a value for `f` must look like; `element`: a value inside the array of a repeated field.
const char* expectedFor(const Field& f, bool element) {
  if (f.repeated && !element) return "expected an array";
  switch (f.kind) {
    case Kind::Message: return "expected an object";
    case Kind::String: return "expected a string";
    case Kind::HexId: return "expected a hex string";
    case Kind::Bytes: return "expected a base64 string";
    case Kind::Bool: return "expected true or false";
    case Kind::Double: return "expected a number";
    case Kind::Enum: return "expected an enum number or name";
    case Kind::Int32:
    case Kind::Int64:
    case Kind::UInt32:
    case Kind::UInt64: break;
  }
  return "expected an integer";
}

// SAX handler: fills the message as tokens arrive, no DOM in between.
class Handler {
 public:
  Handler(Msg* root, const Type* type) : root_(root), rootType_(type) {}

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
    if (skip_ == 0) {
      Frame& f = frames_.back();
      f.field = f.type->find(k, &f.snake);  // nullptr: unknown, value ignored
    }
    return true;
  }

  bool parse_error(std::size_t pos, const std::string&, const nlohmann::detail::exception& ex) {
    error = invalidJsonMessage(pos, ex);
    return false;
  }

 private:
  // An object frame fills `msg` of `type`; `field` is the field of the key just read (nullptr: unknown key, or
  // between keys), `snake` whether the key was its snake_case name. An array frame appends to the repeated
  // `field` of `msg`; `index` is the current element.
  struct Frame {
    Msg* msg;
    const Type* type;
    const Field* field;
    bool snake;
    bool isArray;
    int index;
  };

  std::string path() const {
    std::string p;
    for (const Frame& f : frames_) {
      if (f.isArray) {
        p += '[' + std::to_string(f.index) + ']';
      } else if (f.field) {
        if (!p.empty()) p += '.';
        p += f.snake ? f.field->proto : f.field->json;
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
      frames_.reserve(kMaxDepth + 1);  // never reallocates below: at most one frame per level
      frames_.push_back(Frame{root_, rootType_, nullptr, false, false, 0});
      return true;
    }
    const Frame& f = frames_.back();
    const Field* fi = f.field;
    if (!f.isArray && !fi) return skip_ = 1, true;  // the value of an unknown key
    if (array) {
      if (f.isArray || !fi->repeated) return fail(expectedFor(*fi, f.isArray) + std::string(got));
      frames_.push_back(Frame{f.msg, f.type, fi, f.snake, true, 0});
      return true;
    }
    if (fi->kind != Kind::Message || (fi->repeated && !f.isArray))
      return fail(expectedFor(*fi, f.isArray) + std::string(got));
    frames_.push_back(Frame{fi->open(f.msg), fi->child, nullptr, false, false, 0});
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
    const Field& fi = *f.field;
    if ((fi.repeated && !f.isArray) || fi.kind == Kind::Message)
      return fail(expectedFor(fi, f.isArray) + (", got " + describe(*v)));
    if (const char* problem = set(fi, f.msg, *v)) return fail(problem + (", got " + describe(*v)));
    finishValue();
    return true;
  }

  // Sets (repeated: appends to) a scalar field; returns nullptr on success, else what is wrong.
  static const char* set(const Field& fi, Msg* m, const Scalar& v) {
    switch (fi.kind) {
      case Kind::Int32:
      case Kind::Int64: {
        const bool is32 = fi.kind == Kind::Int32;
        int64_t x = 0;
        if (const char* e = readSigned(v, is32 ? INT32_MIN : INT64_MIN, is32 ? INT32_MAX : INT64_MAX, x)) return e;
        return fi.setInt(m, x), nullptr;
      }
      case Kind::UInt32:
      case Kind::UInt64: {
        uint64_t x = 0;
        if (const char* e = readUnsigned(v, fi.kind == Kind::UInt32 ? UINT32_MAX : UINT64_MAX, x)) return e;
        return fi.setUInt(m, x), nullptr;
      }
      case Kind::Double: {
        double x = 0;
        if (const char* e = readDouble(v, x)) return e;
        return fi.setDouble(m, x), nullptr;
      }
      case Kind::Bool:
        if (v.kind != Scalar::Bool) return expectedFor(fi, true);
        return fi.setBool(m, v.b), nullptr;
      case Kind::Enum: {
        int64_t x = 0;
        const auto* named = v.kind == Scalar::String ? fi.enumType()->FindValueByName(*v.text) : nullptr;
        if (named) x = named->number();
        else if (readSigned(v, INT32_MIN, INT32_MAX, x)) return expectedFor(fi, true);
        // Unknown numbers are kept: OTLP enums are open (proto3).
        return fi.setInt(m, x), nullptr;
      }
      case Kind::String:
        if (v.kind != Scalar::String) return expectedFor(fi, true);
        // Copied, not moved: stealing the lexer's buffer makes it regrow char by char for the next token.
        return fi.setString(m, std::string(*v.text)), nullptr;  // nlohmann has already validated the UTF-8
      case Kind::Bytes:
      case Kind::HexId: {
        if (v.kind != Scalar::String) return expectedFor(fi, true);
        std::string value;
        const bool hex = fi.kind == Kind::HexId;
        if (!(hex ? decodeHex(*v.text, value) : decodeBase64(*v.text, value)))
          return hex ? "expected a hex string" : "invalid base64";
        return fi.setString(m, std::move(value)), nullptr;
      }
      case Kind::Message: break;
    }
    return expectedFor(fi, true);
  }

  Msg* root_;
  const Type* rootType_;
  std::vector<Frame> frames_;
  Scalar scratch_{Scalar::Bool};
  int depth_ = 0;
  int skip_ = 0;  // > 0 while inside the value of an unknown key: the number of its open containers
};

// The Kind a descriptor field must have in the tables.
bool kindMatches(const pb::FieldDescriptor* fd, Kind k) {
  using FD = pb::FieldDescriptor;
  switch (fd->cpp_type()) {
    case FD::CPPTYPE_INT32: return k == Kind::Int32;
    case FD::CPPTYPE_INT64: return k == Kind::Int64;
    case FD::CPPTYPE_UINT32: return k == Kind::UInt32;
    case FD::CPPTYPE_UINT64: return k == Kind::UInt64;
    case FD::CPPTYPE_DOUBLE: return k == Kind::Double;
    case FD::CPPTYPE_FLOAT: return false;  // no OTLP field is a float; the typed decoder has no Kind for it
    case FD::CPPTYPE_BOOL: return k == Kind::Bool;
    case FD::CPPTYPE_ENUM: return k == Kind::Enum;
    case FD::CPPTYPE_STRING:
      if (fd->type() == FD::TYPE_STRING) return k == Kind::String;
      return k == (isHexIdFieldName(fd->name()) ? Kind::HexId : Kind::Bytes);
    case FD::CPPTYPE_MESSAGE: return k == Kind::Message;
  }
  return false;
}

bool setterMatches(const Field& f) {
  switch (f.kind) {
    case Kind::Int32:
    case Kind::Int64: return f.setInt;
    case Kind::Enum: return f.setInt && f.enumType;
    case Kind::UInt32:
    case Kind::UInt64: return f.setUInt;
    case Kind::Double: return f.setDouble;
    case Kind::Bool: return f.setBool;
    case Kind::String:
    case Kind::Bytes:
    case Kind::HexId: return f.setString;
    case Kind::Message: return f.open && f.child;
  }
  return false;
}

}  // namespace

bool hasTypedDecoder(const pb::Message& msg) { return typeOf(msg) != nullptr; }

bool parseOtlpJsonTyped(std::string_view json, pb::Message* out, std::string* error) {
  return runDecoder(out, error, [json](pb::Message* msg, std::string& err) {
    const Type* type = typeOf(*msg);
    if (!type) throw std::invalid_argument("no typed decoder for " + msg->GetDescriptor()->full_name());
    Handler handler(msg, type);
    const bool ok = nlohmann::json::sax_parse(json.data(), json.data() + json.size(), &handler);
    err = std::move(handler.error);
    return ok;
  });
}

std::string typedTableMismatches() {
  std::string out;
  std::size_t n = 0;
  const Type* const* types = typed::allTypes(&n);
  for (std::size_t t = 0; t < n; ++t) {
    const pb::Descriptor* d = types[t]->descriptor();
    const std::string where = d->full_name() + ": ";
    if (types[t]->count != static_cast<std::size_t>(d->field_count()))
      out += where + std::to_string(types[t]->count) + " fields in the table, " +
             std::to_string(d->field_count()) + " in the descriptor\n";
    for (int i = 0; i < d->field_count(); ++i) {
      const pb::FieldDescriptor* fd = d->field(i);
      const Field* f = nullptr;
      for (std::size_t k = 0; k < types[t]->count; ++k)
        if (types[t]->fields[k].proto == fd->name()) f = &types[t]->fields[k];
      const std::string field = where + fd->name();
      if (!f) out += field + " missing\n";
      else if (f->json != fd->json_name()) out += field + " has JSON name " + fd->json_name() + "\n";
      else if (f->repeated != fd->is_repeated()) out += field + " has another cardinality\n";
      else if (!kindMatches(fd, f->kind) || !setterMatches(*f)) out += field + " has another kind\n";
      else if (f->kind == Kind::Message && f->child->descriptor() != fd->message_type())
        out += field + " has another message type\n";
      else if (f->kind == Kind::Enum && f->enumType() != fd->enum_type()) out += field + " has another enum type\n";
    }
  }
  return out;
}

}  // namespace cctv::otlp::detail
