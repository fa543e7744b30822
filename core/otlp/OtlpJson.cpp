#include "otlp/OtlpJson.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <charconv>
#include <cmath>

#include "otlp/OtlpJsonDecoders.h"
#include "otlp/OtlpJsonScalar.h"

namespace cctv::otlp {
namespace {

namespace pb = google::protobuf;
using FD = pb::FieldDescriptor;
using detail::appendBase64;
using detail::appendHex;
using detail::appendJsonString;
using detail::isHexIdFieldName;

// Writer: a reflection walk, the inverse of the decoders.

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
          isHexIdFieldName(fd->name()) ? appendHex(out_, s) : appendBase64(out_, s);
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
  // The OTLP types (what the receiver decodes) go through the typed decoder; anything else through reflection.
  if (out && detail::hasTypedDecoder(*out)) return detail::parseOtlpJsonTyped(json, out, error);
  return detail::parseOtlpJsonReflective(json, out, error);
}

std::string toOtlpJson(const google::protobuf::Message& msg) {
  std::string out;
  out.reserve(msg.ByteSizeLong() * 2 + 16);  // JSON is usually 1.5-3x the protobuf size
  Writer(out).message(msg);
  return out;
}

}  // namespace cctv::otlp
