#pragma once
// Internal to core/otlp and its tests: the two OTLP/JSON decoders behind parseOtlpJson (OtlpJson.h).
//
// - The typed decoder (OtlpJsonTyped.cpp) knows the OTLP message types at compile time: a per-type field
//   table calls the generated accessors (set_time_unix_nano, add_attributes, ...) directly. It serves every
//   OTLP message type, in particular the three Export*ServiceRequest the receiver decodes.
// - The reflective decoder (OtlpJsonReflective.cpp) is driven by descriptors and protobuf reflection, so it
//   takes any message. parseOtlpJson uses it for types the typed decoder does not know; the differential
//   tests (tst_otlp_json_diff, fuzz_json_diff) hold the typed decoder to it: same message, same error text.
//
// Both follow parseOtlpJson's contract: `out` cleared first, left cleared on failure, never throw.

#include <string>
#include <string_view>

namespace google::protobuf {
class Message;
}

namespace cctv::otlp::detail {

bool parseOtlpJsonReflective(std::string_view json, google::protobuf::Message* out, std::string* error);

// Whether the typed decoder has a table for `msg`'s type (a generated OTLP message, not a DynamicMessage).
bool hasTypedDecoder(const google::protobuf::Message& msg);
// Precondition: hasTypedDecoder(*out).
bool parseOtlpJsonTyped(std::string_view json, google::protobuf::Message* out, std::string* error);

// Where the typed tables disagree with the descriptors (a field missing, or a different name, kind,
// cardinality or message type), one line each; empty when they agree. For the tests.
std::string typedTableMismatches();

}  // namespace cctv::otlp::detail
