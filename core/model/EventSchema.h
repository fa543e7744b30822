#pragma once
// The Anthropic.ClaudeTelemetry schema (Panther's normalized shape of a Claude Code log record), as data.
//
// Each attribute `a.b.c` of a log record becomes the field `a_b_c`; the field list, the types and the wire
// key of each field come from the schema document (../shared/seed). The store turns this table into columns,
// the normalizer into typed values, so the schema is written down exactly once.

#include <cstdint>
#include <string_view>

namespace cctv::model {

enum class FieldType : std::uint8_t {
  Text,       // string
  Int,        // bigint: intValue, or a decimal string ("12")
  Bool,       // boolean: boolValue, or "true"/"false"
  Real,       // float: doubleValue (or intValue / numeric string)
  Json,       // JSON document sent inside a string (tool_parameters, tool_input): kept as sent
  Timestamp,  // RFC 3339 text (event_timestamp)
  Array,      // arrayValue, stored as JSON text
};

struct FieldDef {
  const char* name;     // schema field name and SQL column name: "session_id"
  const char* wireKey;  // the attribute key Claude Code sends: "session.id"
  FieldType type;
  bool interned;        // stored as a reference into the string dictionary (low-cardinality text)
};

// Number of attribute fields in the schema.
constexpr int kFieldCount = 113;

// The fields in schema order.
const FieldDef* eventFields();

// Index of the field whose wire key is `key` ("session.id" -> session_id), or -1.
int fieldForAttribute(std::string_view key);
// Index of the field with this schema name, or -1.
int fieldByName(std::string_view name);

// Bit in EventRow::sentAsString for field `index`, or -1 for fields whose natural wire type is a string.
// Covers every Int, Bool, Real and Array field (41 of them), so one 64-bit mask per row records which of
// them arrived as strings and the store can give back the attributes exactly as sent.
int stringMaskBit(int index);

// Indices of the fields the store and the roll-ups use by name.
namespace F {
constexpr int event_name = 0;
constexpr int event_timestamp = 1;
constexpr int event_sequence = 2;
constexpr int session_id = 3;
constexpr int prompt_id = 4;
}  // namespace F

}  // namespace cctv::model
