#pragma once
// Export of one session from the store, as OTLP/JSON Lines (one Export request per line, what the
// Collector's file exporter writes and its otlpjsonfile receiver reads) or as CSV of the events view.
//
// OTLP/JSON export is lossless: importing the file into an empty database gives the same rows in the
// `events`, `metric_points` and `spans` views, byte for byte (attributes, resources and scopes included).
// It holds the session's log records; the metric points whose series carry its session.id (point or
// resource attribute); and the spans that name it (session.id or gen_ai.conversation.id).
// The file is written under a temporary name and renamed when complete.

#include <atomic>
#include <cstdint>
#include <string>

#include "query/Data.h"

namespace cctv::io {

struct ExportCounts {
  std::int64_t events = 0;
  std::int64_t points = 0;
  std::int64_t spans = 0;
  std::int64_t lines = 0;  // Export requests (OTLP) or data rows (CSV)
};

// Writes the session `sessionId` of the database at `dbPath` to `outPath`. False with a one-line error
// (unknown session, unreadable database, write failure); `outPath` is then untouched.
bool exportSessionOtlpJson(const std::string& dbPath, const std::string& sessionId, const std::string& outPath,
                           ExportCounts* counts, std::string* error, const std::atomic<bool>* cancel = nullptr);

// Writes one prompt the same way: its log records, the spans of the traces its log records name (what its
// trace shows), and the metric points of its session's series timed between its first and last event.
bool exportPromptOtlpJson(const std::string& dbPath, const std::string& promptId, const std::string& outPath,
                          ExportCounts* counts, std::string* error, const std::atomic<bool>* cancel = nullptr);

// Every column of the events view (except the internal id), for the events `filter` selects (its session,
// prompt, event name, search and sort; its paging and column choice are ignored), as RFC 4180 CSV: a header row of
// the column names, CRLF line ends, fields with a comma, quote or line break quoted, quotes doubled.
bool exportEventsCsv(const std::string& dbPath, const data::EventQuery& filter, const std::string& outPath,
                     ExportCounts* counts, std::string* error, const std::atomic<bool>* cancel = nullptr);

// One CSV field, quoted when RFC 4180 requires it.
std::string csvField(const std::string& value);

}  // namespace cctv::io
