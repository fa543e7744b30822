// libFuzzer target: one OTLP Export request body (JSON or protobuf, one signal; both chosen at build time by
// CCTV_FUZZ_SIGNAL / CCTV_FUZZ_FORMAT) through the receiver's real decode + normalize path.
//
// Besides "no crash, no sanitizer report" it checks the contracts the receiver relies on:
// - decodeAndNormalize fails with a reason and an empty batch, or succeeds with every record either a row
//   or counted as rejected;
// - whatever decodes, the OTLP/JSON writer writes and the OTLP/JSON reader reads back to the same message
//   (unknown fields aside), as OtlpJson.h promises.

#include <google/protobuf/util/field_comparator.h>
#include <google/protobuf/util/message_differencer.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ingest/OtlpDecode.h"
#include "model/Rows.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "otlp/OtlpJson.h"

namespace {

using cctv::ingest::Format;
using cctv::ingest::Signal;
namespace pb = google::protobuf;

constexpr Signal kSignal = Signal::CCTV_FUZZ_SIGNAL;
constexpr Format kFormat = Format::CCTV_FUZZ_FORMAT;

[[noreturn]] void fail(const char* what, const std::string& detail = {}) {
  std::fprintf(stderr, "contract broken: %s %s\n", what, detail.c_str());
  std::abort();
}

template <typename Request>
std::size_t itemsIn(const Request& req);

template <>
std::size_t itemsIn(const opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest& req) {
  std::size_t n = 0;
  for (const auto& rl : req.resource_logs())
    for (const auto& sl : rl.scope_logs()) n += static_cast<std::size_t>(sl.log_records_size());
  return n;
}

template <>
std::size_t itemsIn(const opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest& req) {
  std::size_t n = 0;
  for (const auto& rs : req.resource_spans())
    for (const auto& ss : rs.scope_spans()) n += static_cast<std::size_t>(ss.spans_size());
  return n;
}

template <>
std::size_t itemsIn(const opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest& req) {
  std::size_t n = 0;
  for (const auto& rm : req.resource_metrics())
    for (const auto& sm : rm.scope_metrics())
      for (const auto& m : sm.metrics())
        n += static_cast<std::size_t>(m.gauge().data_points_size() + m.sum().data_points_size() +
                                      m.histogram().data_points_size() +
                                      m.exponential_histogram().data_points_size() + m.summary().data_points_size());
  return n;
}

template <typename Request>
void checkMessage(std::string_view body, const cctv::model::NormalizedBatch& batch) {
  Request req;
  bool parsed;
  if (kFormat == Format::Json) {
    std::string err;
    parsed = cctv::otlp::parseOtlpJson(body, &req, &err);
  } else {
    parsed = req.ParseFromArray(body.data(), static_cast<int>(body.size()));
  }
  if (!parsed) fail("decodeAndNormalize accepted what the plain parser refuses");
  // Metric points without any data (no gauge/sum/...) are not items, so only logs and spans add up exactly.
  const std::size_t sent = itemsIn(req);
  const std::size_t kept = batch.itemCount() + static_cast<std::size_t>(batch.rejected);
  if (kSignal != Signal::Metrics ? kept != sent : kept > sent)
    fail("items lost or invented", std::to_string(sent) + " sent, " + std::to_string(kept) + " kept or rejected");

  req.DiscardUnknownFields();
  const std::string json = cctv::otlp::toOtlpJson(req);
  Request back;
  std::string err;
  if (!cctv::otlp::parseOtlpJson(json, &back, &err)) fail("own JSON does not parse back:", err + " in " + json);
  pb::util::DefaultFieldComparator cmp;
  cmp.set_treat_nan_as_equal(true);
  pb::util::MessageDifferencer diff;
  diff.set_field_comparator(&cmp);
  std::string report;
  diff.ReportDifferencesToString(&report);
  if (!diff.Compare(req, back)) fail("JSON round trip changed the message:", report);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  cctv::model::NormalizedBatch batch;
  std::string error;
  const bool ok = cctv::ingest::decodeAndNormalize(kSignal, kFormat, body, &batch, {}, &error);
  if (!ok) {
    if (error.empty()) fail("refused without a reason");
    if (batch.itemCount() != 0 || batch.rejected != 0) fail("refused but left rows behind");
    return 0;
  }
  switch (kSignal) {
    case Signal::Logs:
      checkMessage<opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest>(body, batch);
      break;
    case Signal::Metrics:
      checkMessage<opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest>(body, batch);
      break;
    case Signal::Traces:
      checkMessage<opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest>(body, batch);
      break;
  }
  return 0;
}
