// libFuzzer target: the typed OTLP/JSON decoder against the reflective one (core/otlp/OtlpJsonDecoders.h).
// Each input is decoded as each of the three Export requests by both decoders; they must agree: the same
// message, or a refusal with the same error text (cctv::test::compareJsonDecoders).

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "support/JsonDiff.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  const google::protobuf::Message* prototypes[] = {
      &opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest::default_instance(),
      &opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest::default_instance(),
      &opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest::default_instance(),
  };
  for (const google::protobuf::Message* p : prototypes) {
    const std::string diff = cctv::test::compareJsonDecoders(json, *p);
    if (!diff.empty()) {
      std::fprintf(stderr, "decoders disagree on %s: %s\n", p->GetDescriptor()->name().c_str(), diff.c_str());
      std::abort();
    }
  }
  return 0;
}
