#pragma once
// The transport-independent half of the receiver: OTLP request bytes -> normalized rows, and the bytes of
// the replies. HTTP and gRPC both go through here, so a capture and its twin on the other transport
// produce identical rows.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "model/Normalizer.h"

namespace cctv::ingest {

enum class Signal { Logs, Metrics, Traces };
enum class Format { Json, Protobuf };

// "scheme://host:port", with an IPv6 host in brackets ("http://[::1]:4318").
std::string endpointUrl(const std::string& scheme, const std::string& host, std::uint16_t port);

// "/v1/logs" -> Logs; nullopt for any other path.
std::optional<Signal> signalForPath(std::string_view path);
const char* signalName(Signal s);  // "logs"
// The items of a signal, as the OTLP responses count them: "log records", "data points", "spans".
const char* itemNoun(Signal s);

// Decodes an uncompressed Export request and normalizes it into *out. On a body that cannot be decoded,
// returns false with a one-line reason and leaves *out empty.
bool decodeAndNormalize(Signal signal, Format format, std::string_view body, model::NormalizedBatch* out,
                        const model::NormalizeOptions& options, std::string* error);

// A refusal's reason as it may be logged (stderr, ingest_log). The decoder quotes the offending value for the
// client (`..., got "<text>"`, and the JSON parser's `; last read: '<text>'`), and that value can be prompt
// text or tool input; the logged reason keeps where and what went wrong, never the value.
std::string logSafeReason(const std::string& message);

// Export*ServiceResponse bytes: empty, or partialSuccess with the rejected count and message.
std::string exportResponse(Signal signal, Format format, std::int64_t rejected, const std::string& message);

// google.rpc.Status bytes ({"code":3,"message":"..."} in JSON).
std::string statusBody(Format format, int grpcCode, const std::string& message);

// gRPC status codes used in Status bodies and by the gRPC receiver.
namespace grpc_code {
constexpr int kInvalidArgument = 3;
constexpr int kNotFound = 5;
constexpr int kResourceExhausted = 8;
constexpr int kUnimplemented = 12;
constexpr int kInternal = 13;
constexpr int kUnavailable = 14;
constexpr int kUnauthenticated = 16;
}  // namespace grpc_code

}  // namespace cctv::ingest
