#include "io/JsonValue.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <vector>

namespace cctv::io {

namespace {

using Json = nlohmann::json;
constexpr std::size_t kMaxDepth = 64;  // as the OTLP/JSON decoder: text from the store, but stay bounded

// Builds the AnyValue tree directly from parser events: a DOM would merge repeated keys and lose the
// order of a plain object.
class AnyValueBuilder : public nlohmann::json_sax<Json> {
 public:
  explicit AnyValueBuilder(AnyValue* root) : root_(root) {}
  std::string error;

  bool null() override {
    next();
    return true;
  }
  bool boolean(bool v) override {
    next()->set_bool_value(v);
    return true;
  }
  bool number_integer(number_integer_t v) override {
    next()->set_int_value(v);
    return true;
  }
  bool number_unsigned(number_unsigned_t v) override {
    if (v > static_cast<number_unsigned_t>(std::numeric_limits<std::int64_t>::max()))
      next()->set_double_value(static_cast<double>(v));
    else
      next()->set_int_value(static_cast<std::int64_t>(v));
    return true;
  }
  bool number_float(number_float_t v, const string_t&) override {
    next()->set_double_value(v);
    return true;
  }
  bool string(string_t& v) override {
    next()->set_string_value(std::move(v));
    return true;
  }
  bool binary(binary_t&) override { return false; }
  bool start_object(std::size_t) override {
    if (stack_.size() >= kMaxDepth) return tooDeep();
    AnyValue* v = next();
    stack_.push_back({nullptr, v->mutable_kvlist_value(), {}});
    return true;
  }
  bool key(string_t& k) override {
    stack_.back().key = std::move(k);
    return true;
  }
  bool end_object() override {
    stack_.pop_back();
    return true;
  }
  bool start_array(std::size_t) override {
    if (stack_.size() >= kMaxDepth) return tooDeep();
    AnyValue* v = next();
    stack_.push_back({v->mutable_array_value(), nullptr, {}});
    return true;
  }
  bool end_array() override {
    stack_.pop_back();
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    error = e.what();
    return false;
  }

 private:
  struct Frame {
    opentelemetry::proto::common::v1::ArrayValue* array;
    KeyValueList* object;
    std::string key;
  };
  bool tooDeep() {
    error = "nested too deeply";
    return false;
  }
  // Where the next value goes: the root, the next array element, or the value of the pending key.
  AnyValue* next() {
    if (stack_.empty()) return root_;
    Frame& f = stack_.back();
    if (f.array) return f.array->add_values();
    KeyValue* kv = f.object->add_values();
    kv->set_key(std::move(f.key));
    return kv->mutable_value();
  }
  AnyValue* root_;
  std::vector<Frame> stack_;
};

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool parseAnyValue(std::string_view json, AnyValue* out, std::string* error) {
  out->Clear();
  AnyValueBuilder b(out);
  if (!Json::sax_parse(json.begin(), json.end(), &b)) {
    *error = b.error.empty() ? "invalid JSON" : b.error;
    return false;
  }
  return true;
}

bool parseAttributes(std::string_view json, Attributes* out, std::string* error) {
  if (json.empty()) return true;
  AnyValue v;
  if (!parseAnyValue(json, &v, error)) return false;
  if (v.value_case() != AnyValue::kKvlistValue) {
    *error = "not a JSON object";
    return false;
  }
  for (KeyValue& kv : *v.mutable_kvlist_value()->mutable_values()) out->Add(std::move(kv));
  return true;
}

const AnyValue* member(const AnyValue& object, std::string_view key) {
  if (object.value_case() != AnyValue::kKvlistValue) return nullptr;
  for (const KeyValue& kv : object.kvlist_value().values())
    if (kv.key() == key) return &kv.value();
  return nullptr;
}

std::int64_t memberInt(const AnyValue& object, std::string_view key) {
  const AnyValue* v = member(object, key);
  if (!v) return 0;
  if (v->value_case() == AnyValue::kIntValue) return v->int_value();
  if (v->value_case() == AnyValue::kDoubleValue) return static_cast<std::int64_t>(v->double_value());
  return 0;
}

double memberDouble(const AnyValue& object, std::string_view key) {
  const AnyValue* v = member(object, key);
  if (!v) return 0;
  if (v->value_case() == AnyValue::kDoubleValue) return v->double_value();
  if (v->value_case() == AnyValue::kIntValue) return static_cast<double>(v->int_value());
  // appendJsonDouble writes non-finite values as strings.
  if (v->value_case() == AnyValue::kStringValue) {
    if (v->string_value() == "NaN") return std::numeric_limits<double>::quiet_NaN();
    if (v->string_value() == "Infinity") return std::numeric_limits<double>::infinity();
    if (v->string_value() == "-Infinity") return -std::numeric_limits<double>::infinity();
  }
  return 0;
}

bool hasMember(const AnyValue& object, std::string_view key) { return member(object, key) != nullptr; }

bool fromHex(std::string_view hex, std::string* out) {
  out->clear();
  if (hex.size() % 2) return false;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int hi = hexDigit(hex[i]), lo = hexDigit(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi << 4 | lo));
  }
  return true;
}

bool fromBase64(std::string_view text, std::string* out) {
  static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  out->clear();
  if (text.size() % 4) return false;
  std::uint32_t acc = 0;
  int bits = 0;
  std::size_t pad = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '=') {
      if (i + 2 < text.size()) return false;
      ++pad;
      continue;
    }
    if (pad) return false;
    const std::size_t d = alphabet.find(c);
    if (d == std::string::npos) return false;
    acc = (acc << 6) | static_cast<std::uint32_t>(d);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return true;
}

}  // namespace cctv::io
