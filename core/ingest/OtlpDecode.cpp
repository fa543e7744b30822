#include "ingest/OtlpDecode.h"

#include <google/protobuf/arena.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/stubs/logging.h>

#include <algorithm>
#include <limits>
#include <mutex>

#include "model/JsonText.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "otlp/OtlpJson.h"

namespace cctv::ingest {

namespace pb = google::protobuf;
namespace logs = opentelemetry::proto::collector::logs::v1;
namespace metrics = opentelemetry::proto::collector::metrics::v1;
namespace trace = opentelemetry::proto::collector::trace::v1;

namespace {

// protobuf logs parse problems (invalid UTF-8, ...) to stderr itself; we report them per request instead.
void quietProtobuf() {
  static std::once_flag once;
  std::call_once(once, [] { pb::SetLogHandler([](pb::LogLevel, const char*, int, const std::string&) {}); });
}

template <typename Request>
bool parse(Format format, std::string_view body, Request* req, std::string* error) {
  if (format == Format::Json) return otlp::parseOtlpJson(body, req, error);
  quietProtobuf();
  if (body.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    *error = "protobuf body too large";
    return false;
  }
  pb::io::ArrayInputStream raw(body.data(), static_cast<int>(body.size()));
  pb::io::CodedInputStream in(&raw);
  in.SetRecursionLimit(64);
  if (!req->ParseFromCodedStream(&in) || !in.ConsumedEntireMessage()) {
    *error = "cannot decode the protobuf body as " + std::string(Request::descriptor()->name());
    return false;
  }
  return true;
}

void appendVarint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

}  // namespace

std::string endpointUrl(const std::string& scheme, const std::string& host, std::uint16_t port) {
  const bool v6 = host.find(':') != std::string::npos && host.front() != '[';
  return scheme + "://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::optional<Signal> signalForPath(std::string_view path) {
  if (path == "/v1/logs") return Signal::Logs;
  if (path == "/v1/metrics") return Signal::Metrics;
  if (path == "/v1/traces") return Signal::Traces;
  return std::nullopt;
}

const char* signalName(Signal s) {
  switch (s) {
    case Signal::Logs: return "logs";
    case Signal::Metrics: return "metrics";
    case Signal::Traces: return "traces";
  }
  return "";
}

const char* itemNoun(Signal s) {
  switch (s) {
    case Signal::Logs: return "log records";
    case Signal::Metrics: return "data points";
    case Signal::Traces: return "spans";
  }
  return "";
}

bool decodeAndNormalize(Signal signal, Format format, std::string_view body, model::NormalizedBatch* out,
                        const model::NormalizeOptions& options, std::string* error) {
  // An arena makes the many small sub-messages of a request one allocation to free.
  pb::ArenaOptions ao;
  ao.initial_block_size = std::min<std::size_t>(std::max<std::size_t>(body.size() * 2, 4096), 1 << 20);
  pb::Arena arena(ao);
  switch (signal) {
    case Signal::Logs: {
      auto* req = pb::Arena::CreateMessage<logs::ExportLogsServiceRequest>(&arena);
      if (!parse(format, body, req, error)) return false;
      model::normalizeLogs(*req, out, options);
      return true;
    }
    case Signal::Metrics: {
      auto* req = pb::Arena::CreateMessage<metrics::ExportMetricsServiceRequest>(&arena);
      if (!parse(format, body, req, error)) return false;
      model::normalizeMetrics(*req, out);
      return true;
    }
    case Signal::Traces: {
      auto* req = pb::Arena::CreateMessage<trace::ExportTraceServiceRequest>(&arena);
      if (!parse(format, body, req, error)) return false;
      model::normalizeTraces(*req, out, options);
      return true;
    }
  }
  return false;
}

std::string logSafeReason(const std::string& message) {
  std::string out = message.substr(0, message.find("; last read: "));
  static const std::string kGot = ", got \"";
  for (std::size_t at = out.find(kGot); at != std::string::npos; at = out.find(kGot, at)) {
    // The literal is JSON-escaped: it ends at the first quote not preceded by a backslash.
    std::size_t end = at + kGot.size();
    while (end < out.size() && out[end] != '"') end += out[end] == '\\' ? 2 : 1;
    out.replace(at, std::min(end + 1, out.size()) - at, ", got a string");
    at += 1;
  }
  return out;
}

std::string exportResponse(Signal signal, Format format, std::int64_t rejected, const std::string& message) {
  auto encode = [&](const pb::Message& m) {
    return format == Format::Json ? otlp::toOtlpJson(m) : m.SerializeAsString();
  };
  switch (signal) {
    case Signal::Logs: {
      logs::ExportLogsServiceResponse r;
      if (rejected || !message.empty()) {
        r.mutable_partial_success()->set_rejected_log_records(rejected);
        r.mutable_partial_success()->set_error_message(message);
      }
      return encode(r);
    }
    case Signal::Metrics: {
      metrics::ExportMetricsServiceResponse r;
      if (rejected || !message.empty()) {
        r.mutable_partial_success()->set_rejected_data_points(rejected);
        r.mutable_partial_success()->set_error_message(message);
      }
      return encode(r);
    }
    case Signal::Traces: {
      trace::ExportTraceServiceResponse r;
      if (rejected || !message.empty()) {
        r.mutable_partial_success()->set_rejected_spans(rejected);
        r.mutable_partial_success()->set_error_message(message);
      }
      return encode(r);
    }
  }
  return {};
}

std::string statusBody(Format format, int grpcCode, const std::string& message) {
  std::string out;
  if (format == Format::Json) {
    out = "{\"code\":" + std::to_string(grpcCode) + ",\"message\":";
    model::appendJsonString(out, message);
    out += "}";
    return out;
  }
  // google.rpc.Status { int32 code = 1; string message = 2; }, encoded by hand: one message is not worth
  // compiling googleapis' protos for.
  out.push_back(0x08);
  appendVarint(out, static_cast<std::uint64_t>(grpcCode));
  out.push_back(0x12);
  appendVarint(out, message.size());
  out += message;
  return out;
}

}  // namespace cctv::ingest
