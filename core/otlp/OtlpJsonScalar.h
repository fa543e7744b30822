#pragma once
// Internal to core/otlp: what both OTLP/JSON decoders (OtlpJsonTyped.cpp, OtlpJsonReflective.cpp) and the
// writer (OtlpJson.cpp) share — JSON scalars as nlohmann's SAX parser reports them, their conversion to protobuf
// field values with the error texts the receiver returns, and the hex/base64/JSON-string codecs.

#include <google/protobuf/message.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace cctv::otlp::detail {

// Hostile input must not exhaust memory, nor the stack of whatever later walks the message recursively
// (protobuf's destructor and serializer recurse). Real OTLP is about 10 levels deep.
constexpr int kMaxDepth = 64;

// OTLP/JSON carries trace/span ids as hex (spec: "JSON Protobuf Encoding"); every other bytes field is base64.
bool isHexIdFieldName(const std::string& protoName);
bool decodeHex(const std::string& s, std::string& out);
void appendHex(std::string& out, const std::string& bytes);
// Standard or URL-safe alphabet, padded or not.
bool decodeBase64(const std::string& s, std::string& out);
void appendBase64(std::string& out, const std::string& in);
// A JSON string literal; invalid UTF-8 becomes U+FFFD so the output is always valid JSON.
void appendJsonString(std::string& out, std::string_view s);

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

// The value as error messages show it: JSON, strings cut at 40 bytes.
std::string describe(const Scalar& v);

// The read* functions return nullptr on success, else what is wrong (the caller adds ", got <value>").
const char* readSigned(const Scalar& v, int64_t lo, int64_t hi, int64_t& out);
const char* readUnsigned(const Scalar& v, uint64_t hi, uint64_t& out);
const char* readDouble(const Scalar& v, double& out);
const char* readFloat(const Scalar& v, float& out);

// nlohmann's parse_error text without its "[json.exception.parse_error.101] " prefix, with the byte offset.
std::string invalidJsonMessage(std::size_t pos, const std::exception& ex);

// Clears `out`, runs `parse` (a SAX parse that fills `out` and sets its error text), and turns exceptions
// (bad_alloc, anything protobuf throws) into an "internal error". On failure `out` is left cleared and
// *error (if non-null) says why. The calling convention of parseOtlpJson.
bool runDecoder(google::protobuf::Message* out, std::string* error,
                const std::function<bool(google::protobuf::Message*, std::string&)>& parse);

}  // namespace cctv::otlp::detail
