#pragma once
// The differential check of the two OTLP/JSON decoders (core/otlp/OtlpJsonDecoders.h), shared by
// tst_otlp_json_diff and the fuzz_json_diff fuzz target.

#include <string>
#include <string_view>

namespace google::protobuf {
class Message;
}

namespace cctv::test {

// Decodes `json` into two fresh messages of `prototype`'s type, one with the typed decoder and one with the
// reflective one. Returns an empty string when they agree — both refuse with the same error text, or both
// accept and produce the same message (same fields, and the same bytes when serialized deterministically) —
// else what differs. Also reports a type the typed decoder does not cover.
std::string compareJsonDecoders(std::string_view json, const google::protobuf::Message& prototype);

}  // namespace cctv::test
