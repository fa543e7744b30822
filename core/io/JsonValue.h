#pragma once
// The store keeps attribute maps, span events, histogram details as the JSON text the normalizer wrote
// (model::appendAnyValueJson). These turn that text back into OTLP values for export, so that normalizing
// the exported values writes the same text again: objects keep their key order and repeated keys, numbers
// with a '.' or an exponent become doubleValue and the others intValue, null becomes an empty AnyValue.

#include <string>
#include <string_view>

#include "opentelemetry/proto/common/v1/common.pb.h"

namespace cctv::io {

using AnyValue = opentelemetry::proto::common::v1::AnyValue;
using KeyValue = opentelemetry::proto::common::v1::KeyValue;
using KeyValueList = opentelemetry::proto::common::v1::KeyValueList;
using Attributes = google::protobuf::RepeatedPtrField<KeyValue>;

// Any JSON document -> AnyValue. False (and *error) on invalid JSON.
bool parseAnyValue(std::string_view json, AnyValue* out, std::string* error);
// A JSON object -> its key/value pairs appended to *out, in order. An empty text is an empty object.
bool parseAttributes(std::string_view json, Attributes* out, std::string* error);

// Member `key` of a kvlist value, or nullptr.
const AnyValue* member(const AnyValue& object, std::string_view key);
// A number member as an integer / a double (0 when absent or not a number).
std::int64_t memberInt(const AnyValue& object, std::string_view key);
double memberDouble(const AnyValue& object, std::string_view key);
bool hasMember(const AnyValue& object, std::string_view key);

// "0a1b" -> bytes; false when not hex.
bool fromHex(std::string_view hex, std::string* out);
// Standard base64 -> bytes; false when not base64.
bool fromBase64(std::string_view text, std::string* out);

}  // namespace cctv::io
