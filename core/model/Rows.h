#pragma once
// Plain value types for normalized telemetry: what the normalizer produces and the store writes.
// No behaviour here beyond construction; see Normalizer for how they are filled.

#include <cstdint>
#include <string>
#include <vector>

#include "model/EventSchema.h"

namespace cctv::model {

// One typed value of a schema field. Text also carries values that could not be coerced to the field's type
// (the schema rule: keep it as text, never drop it).
struct Value {
  enum class Kind : std::uint8_t { Null, Int, Real, Text };
  Kind kind = Kind::Null;
  std::int64_t i = 0;
  double d = 0;
  std::string s;

  bool isNull() const { return kind == Kind::Null; }
  void setInt(std::int64_t v) { kind = Kind::Int; i = v; }
  void setReal(double v) { kind = Kind::Real; d = v; }
  void setText(std::string v) { kind = Kind::Text; s = std::move(v); }
};

// A resource or instrumentation scope, as JSON, shared by the records of one request.
struct ResourceInfo {
  std::string attributes;  // JSON object {"service.name":"claude-code",...}
  std::uint32_t droppedAttributesCount = 0;
  std::string schemaUrl;
};

struct ScopeInfo {
  std::string name;
  std::string version;
  std::string attributes;  // JSON object
  std::uint32_t droppedAttributesCount = 0;
  std::string schemaUrl;
};

// One log record as a row of the Anthropic.ClaudeTelemetry shape.
struct EventRow {
  std::int64_t timeNs = 0;      // timeUnixNano (observed time when the record had none)
  std::int64_t observedNs = 0;  // observedTimeUnixNano, 0 when absent
  bool hasBody = false;
  bool bodyIsString = true;  // false: `body` holds the JSON rendering of a non-string AnyValue
  std::string body;
  std::uint32_t droppedAttributesCount = 0;
  std::int32_t severityNumber = 0;
  std::string severityText;
  std::uint32_t flags = 0;
  std::string traceId;  // raw bytes (16) or empty
  std::string spanId;   // raw bytes (8) or empty
  std::string logEventName;  // LogRecord.event_name (OTLP field 12), rarely set

  struct Field {
    int index;  // into eventFields()
    Value value;
  };
  std::vector<Field> fields;       // the schema fields the record has, in the order sent
  std::uint64_t sentAsString = 0;  // bit stringMaskBit(i): field i arrived as a stringValue
  std::string extra;               // JSON object of the attributes outside the schema, "" when none
  int coercionFailures = 0;        // values kept as text because they did not fit their field's type

  int resource = -1;  // index into NormalizedBatch::resources
  int scope = -1;     // index into NormalizedBatch::scopes

  // The value of schema field `index`; a null Value when the record does not have it.
  const Value& field(int index) const {
    for (const Field& f : fields)
      if (f.index == index) return f.value;
    static const Value null;
    return null;
  }
  bool has(int index) const { return !field(index).isNull(); }
};

struct MetricPointRow {
  std::string name;
  std::string description;
  std::string unit;
  int type = 0;         // 1 gauge, 2 sum, 3 histogram, 4 exponential histogram, 5 summary
  int temporality = 0;  // 0 unspecified, 1 delta, 2 cumulative
  bool isMonotonic = false;
  std::string attributes;  // JSON object, keys sorted (the series identity)
  std::string sessionId;   // the point's session.id attribute, else the resource's
  std::int64_t startNs = 0;
  std::int64_t timeNs = 0;
  double value = 0;  // the number; for histograms and summaries the sum
  bool hasValue = false;
  bool isInt = false;  // asInt: intValue is exact
  std::int64_t intValue = 0;
  std::uint32_t flags = 0;
  std::string data;       // JSON of histogram/summary details, "" for numbers
  std::string exemplars;  // JSON array, "" when none
  int resource = -1;
  int scope = -1;
};

struct SpanRow {
  std::string traceId;  // lowercase hex
  std::string spanId;
  std::string parentSpanId;  // "" for a root span
  std::string traceState;
  std::string name;
  int kind = 0;
  std::int64_t startNs = 0;
  std::int64_t endNs = 0;
  int statusCode = 0;
  std::string statusMessage;
  std::string sessionId;  // session.id or gen_ai.conversation.id attribute
  std::string promptId;   // prompt.id attribute when present
  std::string attributes; // JSON object, as sent
  std::string events;     // JSON array of {timeUnixNano,name,attributes,droppedAttributesCount}
  std::string links;      // JSON array
  std::uint32_t flags = 0;
  std::uint32_t droppedAttributesCount = 0;
  std::uint32_t droppedEventsCount = 0;
  std::uint32_t droppedLinksCount = 0;
  int resource = -1;
  int scope = -1;
};

// Everything one Export request normalizes to, plus what had to be rejected and why.
struct NormalizedBatch {
  std::vector<ResourceInfo> resources;
  std::vector<ScopeInfo> scopes;
  std::vector<EventRow> events;
  std::vector<MetricPointRow> points;
  std::vector<SpanRow> spans;
  std::int64_t rejected = 0;    // records, data points or spans that could not be kept
  std::string rejectReason;     // the first reason, for partialSuccess.errorMessage
  std::int64_t coercionFailures = 0;

  std::size_t itemCount() const { return events.size() + points.size() + spans.size(); }
  void reject(std::string reason) {
    if (rejected++ == 0) rejectReason = std::move(reason);
  }
};

}  // namespace cctv::model
