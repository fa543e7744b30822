#pragma once
// What the receivers hand to the forward queue: the request as it arrived, for the signals being forwarded.

#include <optional>
#include <string>

#include "ingest/HttpReceiver.h"
#include "ingest/OtlpDecode.h"
#include "store/IngestTypes.h"

namespace cctv::ingest {

inline bool forwards(const ReceiverOptions& o, Signal s) {
  switch (s) {
    case Signal::Logs: return o.forward.logs;
    case Signal::Metrics: return o.forward.metrics;
    case Signal::Traces: return o.forward.traces;
  }
  return false;
}

// The queue entry for an accepted request; the body is taken over (it is not needed after decoding).
inline store::ForwardRequest forwardRequest(Signal s, std::string contentType, std::string contentEncoding,
                                            std::string&& body, std::int64_t items) {
  store::ForwardRequest f;
  f.path = std::string("/v1/") + signalName(s);
  f.contentType = std::move(contentType);
  f.contentEncoding = std::move(contentEncoding);
  f.body = std::move(body);
  f.items = items;
  return f;
}

}  // namespace cctv::ingest
