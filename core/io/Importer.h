#pragma once
// Imports OTLP files (see ImportFormat.h for the formats) through the same path as the receivers: each
// Export request is decoded and normalized by ingest::decodeAndNormalize and committed by the store's one
// Writer as one job, so deduplication works across transports and imports (importing a file twice stores
// nothing the second time), and a request is stored whole or not at all.
//
// A request that cannot be decoded is reported ("FILE:LINE: reason" for JSON Lines), logged in ingest_log
// (transport "file") and skipped; the other requests of the file are still imported, so a truncated last
// line or one bad line costs only that line. Runs on the caller's thread, streaming: memory holds the
// current request and those the writer has not committed yet, never the whole file.

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ingest/OtlpDecode.h"
#include "io/ImportFormat.h"
#include "model/Normalizer.h"

namespace cctv::store {
class Writer;
}

namespace cctv::io {

struct ImportProgress {
  std::int64_t bytesDone = 0;   // of the files on disk (compressed bytes for gzip)
  std::int64_t bytesTotal = 0;  // all files' sizes
  int fileIndex = 0;            // 0-based, into the paths given
  std::string file;
};

struct ImportOptions {
  model::NormalizeOptions normalize;                // the same as the receiver's (--redact)
  std::optional<ingest::Signal> protobufSignal;     // --signal: for protobuf files whose name does not say
  std::size_t maxRequestBytes = 256u << 20;         // one line / document / protobuf body, after gunzip
  std::size_t maxListedErrors = 10;                 // per file; the rest are counted
  const std::atomic<bool>* cancel = nullptr;        // checked between requests
  // Called on the importing thread, at most about every 50 ms and once at the end of each file.
  std::function<void(const ImportProgress&)> progress;
};

struct FileSummary {
  std::string path;
  FileFormat format = FileFormat::JsonLines;
  bool formatKnown = false;  // false when the file could not be opened or told apart
  bool gzipped = false;
  std::int64_t requests = 0;        // Export requests read, good or bad
  std::int64_t failedRequests = 0;  // of those, not stored (undecodable, too large, store failure)
  std::int64_t events = 0, points = 0, spans = 0;  // newly stored
  std::int64_t duplicates = 0;      // already in the store
  std::int64_t rejected = 0;        // records/points/spans the normalizer refused (no timestamp, ...)
  std::int64_t errorCount = 0;      // every problem, listed or not
  std::vector<std::string> errors;  // the first ImportOptions::maxListedErrors, "FILE:LINE: reason"
  bool cancelled = false;

  bool ok() const { return errorCount == 0 && !cancelled; }
};

class Importer {
 public:
  Importer(store::Writer& writer, ImportOptions options);
  ~Importer();

  // Imports the files in order and returns one summary per file started (a cancel stops after the
  // current request; files not started then have no summary).
  std::vector<FileSummary> run(const std::vector<std::string>& paths);

 private:
  struct Shared;
  void importFile(const std::string& path, FileSummary* sum);
  // Decodes one request and hands it to the writer (waiting while too much is in flight).
  void submit(ingest::Signal signal, ingest::Format format, std::string body, std::int64_t line,
              FileSummary* sum);
  void fail(FileSummary* sum, const std::string& where, const std::string& message, std::int64_t bytes,
            int status);
  void reportProgress(bool force);
  bool cancelled() const;
  void waitForWriter();

  store::Writer& writer_;
  ImportOptions options_;
  Shared* shared_;
  ImportProgress progress_;
  std::int64_t doneBefore_ = 0;  // bytes of the files finished before the current one
  class FileReader* current_ = nullptr;
  std::int64_t lastProgressMs_ = 0;
};

// One line per file: "FILE: OTLP/JSON Lines, 2 requests; stored 11 events, 7 metric points, 0 spans;
// 0 duplicates, 0 rejected, 0 errors" (the errors themselves are in FileSummary::errors).
std::string describe(const FileSummary& s);

}  // namespace cctv::io
