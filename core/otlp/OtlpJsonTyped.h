#pragma once
// Internal to core/otlp: the typed decoder's picture of the OTLP message types (OtlpJsonTables.cpp), read by
// its SAX handler (OtlpJsonTyped.cpp). A Type lists its fields; a Field carries both JSON spellings, what kind
// of JSON value it takes, and plain function pointers to the generated accessors (set_x / add_x /
// mutable_x), so filling a message costs an indirect call instead of a trip through protobuf reflection.

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cctv::otlp::detail::typed {

using Msg = google::protobuf::Message;

// What JSON value a field takes. Int32/Int64: int32, sint32, int64, sfixed64; UInt32/UInt64: uint32, fixed32,
// uint64, fixed64; Bytes: base64; HexId: trace_id, span_id, parent_span_id (hex in OTLP/JSON).
enum class Kind : std::uint8_t { Int32, Int64, UInt32, UInt64, Double, Bool, Enum, String, Bytes, HexId, Message };

struct Type;

struct Field {
  std::string_view json;   // lowerCamelCase, what senders use
  std::string_view proto;  // snake_case, also accepted
  Kind kind;
  bool repeated;
  // Exactly one of the following is set, by kind. Repeated fields append (add_x), singular ones set.
  void (*setInt)(Msg*, std::int64_t);  // Int32, Int64, Enum (range already checked)
  void (*setUInt)(Msg*, std::uint64_t);
  void (*setDouble)(Msg*, double);
  void (*setBool)(Msg*, bool);
  void (*setString)(Msg*, std::string&&);  // String, Bytes, HexId (already decoded)
  Msg* (*open)(Msg*);                      // Message: mutable_x() or add_x()
  const Type* child;                       // Message: the type of what open() returns
  const google::protobuf::EnumDescriptor* (*enumType)();  // Enum: for values given by name
};

struct Type {
  const google::protobuf::Descriptor* (*descriptor)();
  bool (*isInstance)(const Msg&);  // a generated message of this type (not a DynamicMessage)
  const Field* fields;
  std::size_t count;

  // The field named `key`, JSON names first (as the reflective decoder looks them up); *snake tells which
  // spelling matched. nullptr: not a field of this type (ignored, as OTLP/JSON requires).
  const Field* find(const std::string& key, bool* snake) const;
};

// Every OTLP message type, requests first.
const Type* const* allTypes(std::size_t* count);

}  // namespace cctv::otlp::detail::typed
