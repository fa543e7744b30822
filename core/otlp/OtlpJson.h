#pragma once
// OTLP/JSON ("JSON Protobuf Encoding" of the OTLP spec) <-> protobuf messages, for any OTLP message type.
//
// This is not protobuf's canonical JSON mapping: OTLP/JSON writes trace/span ids as hex instead of base64,
// enums as integers, and receivers must accept what real exporters send (64-bit ints as numbers or
// strings, snake_case names, unknown fields). The OTLP message types are decoded without reflection, through
// tables of their generated accessors; any other message through reflection (see OtlpJsonDecoders.h).

#include <string>
#include <string_view>

namespace google::protobuf {
class Message;
}

namespace cctv::otlp {

// Parses an OTLP/JSON document into `out` (any OTLP message, normally an Export*ServiceRequest).
// `out` is cleared first, so on success it holds exactly the document's content.
// On failure returns false and sets *error (if non-null) to a short message naming where it failed, e.g.
// "resourceLogs[0].scopeLogs[0].logRecords[3].timeUnixNano: expected an integer, got \"abc\"".
// `out` is left cleared on failure. Never throws. Safe to call from several threads at once.
bool parseOtlpJson(std::string_view json, google::protobuf::Message* out, std::string* error);

// Writes a message as compact OTLP/JSON: lowerCamelCase names, trace/span ids as lowercase hex, 64-bit
// integers as decimal strings, enums as integers, other bytes as base64, default (proto3-zero) fields
// omitted. parseOtlpJson(toOtlpJson(m)) reproduces m exactly (unknown fields aside).
std::string toOtlpJson(const google::protobuf::Message& msg);

}  // namespace cctv::otlp
