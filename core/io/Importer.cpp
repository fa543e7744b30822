#include "io/Importer.h"

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "ingest/OtlpDecode.h"
#include "io/FileReader.h"
#include "store/Writer.h"

namespace cctv::io {

namespace {

// Bounds on what the importer has handed to the writer and not seen committed: enough to keep the writer's
// transactions full, little enough that the live receivers still find room in the queue.
constexpr std::int64_t kMaxInFlightItems = 20000;
constexpr int kMaxInFlightJobs = 32;
constexpr int kFullRetries = 600;  // x 50 ms: how long to wait for a queue the receivers keep full

std::int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::int64_t nowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool blank(const std::string& s) {
  for (char c : s)
    if (c != ' ' && c != '\t' && c != '\r') return false;
  return true;
}

}  // namespace

// State the writer thread's callbacks share with the importing thread.
struct Importer::Shared {
  std::mutex mutex;
  std::condition_variable changed;
  std::int64_t inFlightItems = 0;
  int inFlightJobs = 0;
  bool storeUnavailable = false;
  std::size_t maxListed = 10;

  // Callers hold the mutex.
  void addError(FileSummary* sum, std::string message) {
    ++sum->errorCount;
    if (sum->errors.size() < maxListed) sum->errors.push_back(std::move(message));
  }
};

Importer::Importer(store::Writer& writer, ImportOptions options)
    : writer_(writer), options_(std::move(options)), shared_(new Shared) {
  shared_->maxListed = options_.maxListedErrors;
}

Importer::~Importer() {
  waitForWriter();
  delete shared_;
}

bool Importer::cancelled() const {
  if (options_.cancel && options_.cancel->load()) return true;
  std::lock_guard<std::mutex> lock(shared_->mutex);
  return shared_->storeUnavailable;
}

void Importer::waitForWriter() {
  std::unique_lock<std::mutex> lock(shared_->mutex);
  shared_->changed.wait(lock, [&] { return shared_->inFlightJobs == 0; });
}

void Importer::reportProgress(bool force) {
  if (!options_.progress) return;
  const std::int64_t now = nowMs();
  if (!force && now - lastProgressMs_ < 50) return;
  lastProgressMs_ = now;
  progress_.bytesDone = doneBefore_ + (current_ ? current_->fileBytesRead() : 0);
  options_.progress(progress_);
}

std::vector<FileSummary> Importer::run(const std::vector<std::string>& paths) {
  progress_ = ImportProgress{};
  for (const std::string& p : paths) {
    FileReader probe;
    std::string ignored;
    if (probe.open(p, &ignored)) progress_.bytesTotal += probe.fileSize();
  }
  std::vector<FileSummary> out;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    if (cancelled()) break;
    progress_.fileIndex = static_cast<int>(i);
    progress_.file = paths[i];
    out.emplace_back();
    out.back().path = paths[i];
    importFile(paths[i], &out.back());
    waitForWriter();
    if (options_.cancel && options_.cancel->load()) out.back().cancelled = true;
    reportProgress(true);
  }
  {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    if (shared_->storeUnavailable && !out.empty())
      shared_->addError(&out.back(), out.back().path + ": import stopped: the store is unavailable");
  }
  return out;
}

void Importer::fail(FileSummary* sum, const std::string& where, const std::string& message, std::int64_t bytes,
                    int status) {
  {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    ++sum->failedRequests;
    shared_->addError(sum, where + ": " + message);
  }
  store::IngestLogEntry e;
  e.receivedAtNs = nowNs();
  e.transport = "file";
  e.path = where;
  e.contentType = sum->format == FileFormat::Protobuf ? "application/x-protobuf" : "application/json";
  e.contentEncoding = sum->gzipped ? "gzip" : "";
  e.bytes = bytes;
  e.status = status;
  e.message = ingest::logSafeReason(message);  // the summary shows the value; the log never does (content)
  e.userAgent = "cctv import";
  writer_.log(std::move(e));
}

void Importer::submit(ingest::Signal signal, ingest::Format format, std::string body, std::int64_t line,
                      FileSummary* sum) {
  const std::string where = line > 0 ? sum->path + ":" + std::to_string(line) : sum->path;
  {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    ++sum->requests;
  }
  for (int attempt = 0;; ++attempt) {
    auto job = std::make_unique<store::WriteJob>();
    std::string error;
    if (!ingest::decodeAndNormalize(signal, format, body, &job->batch, options_.normalize, &error)) {
      fail(sum, where, error, static_cast<std::int64_t>(body.size()), 400);
      return;
    }
    const std::int64_t items = static_cast<std::int64_t>(job->batch.itemCount());
    job->log.receivedAtNs = nowNs();
    job->log.transport = "file";
    job->log.path = where;
    job->log.contentType = format == ingest::Format::Json ? "application/json" : "application/x-protobuf";
    job->log.contentEncoding = sum->gzipped ? "gzip" : "";
    job->log.bytes = static_cast<std::int64_t>(body.size());
    job->log.userAgent = "cctv import";
    Shared* shared = shared_;
    job->done = [shared, sum, signal, where, items, rejected = job->batch.rejected,
                 reason = job->batch.rejectReason](const store::WriteResult& r) {
      std::lock_guard<std::mutex> lock(shared->mutex);
      if (r.ok) {
        (signal == ingest::Signal::Logs ? sum->events : signal == ingest::Signal::Metrics ? sum->points : sum->spans) +=
            r.stored;
        sum->duplicates += r.duplicates;
        if (rejected) {
          sum->rejected += rejected;
          shared->addError(sum, where + ": " + std::to_string(rejected) + " " + ingest::itemNoun(signal) +
                                    " rejected: " + reason);
        }
      } else {
        ++sum->failedRequests;
        shared->addError(sum, where + ": " + r.error);
        if (r.retryable) shared->storeUnavailable = true;
      }
      shared->inFlightItems -= items;
      --shared->inFlightJobs;
      shared->changed.notify_all();
    };
    {
      std::unique_lock<std::mutex> lock(shared_->mutex);
      shared_->changed.wait(lock, [&] {
        return shared_->inFlightJobs == 0 ||
               (shared_->inFlightJobs < kMaxInFlightJobs && shared_->inFlightItems + items <= kMaxInFlightItems);
      });
      shared_->inFlightItems += items;
      ++shared_->inFlightJobs;
    }
    const store::Writer::Submit rc = writer_.submit(std::move(job));
    if (rc == store::Writer::Submit::Queued) return;
    {
      std::lock_guard<std::mutex> lock(shared_->mutex);
      shared_->inFlightItems -= items;
      --shared_->inFlightJobs;
    }
    if (rc == store::Writer::Submit::Stopped) {
      std::lock_guard<std::mutex> lock(shared_->mutex);
      ++sum->failedRequests;
      shared_->addError(sum, where + ": the store is closed");
      shared_->storeUnavailable = true;
      return;
    }
    // Full: the live receivers filled the queue. Let it drain, then decode again (the job was consumed).
    if (attempt >= kFullRetries || (options_.cancel && options_.cancel->load())) {
      std::lock_guard<std::mutex> lock(shared_->mutex);
      ++sum->failedRequests;
      shared_->addError(sum, where + ": the store's write queue stayed full");
      return;
    }
    waitForWriter();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void Importer::importFile(const std::string& path, FileSummary* sum) {
  FileReader in;
  std::string error;
  auto fileError = [&](const std::string& message) {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    shared_->addError(sum, path + ": " + message);
  };
  if (!in.open(path, &error)) {
    fileError("cannot open: " + error);
    return;
  }
  struct Current {
    Importer* self;
    ~Current() {
      self->doneBefore_ += self->current_ ? self->current_->fileSize() : 0;
      self->current_ = nullptr;
    }
  } current{this};
  current_ = &in;
  sum->gzipped = in.gzipped();
  const int first = in.peekNonSpace();
  if (first < 0) {
    if (!in.error().empty()) fileError(in.error());
    sum->formatKnown = true;  // empty: nothing to import, nothing wrong
    return;
  }
  const std::size_t max = options_.maxRequestBytes;
  const std::string tooLarge = "larger than " + std::to_string(max) + " bytes";
  if (nameSaysProtobuf(path) || first != '{') {
    sum->format = FileFormat::Protobuf;
    sum->formatKnown = true;
    std::optional<ingest::Signal> signal = options_.protobufSignal;
    if (!signal) signal = signalFromFileName(path);
    if (!signal) signal = signalFromMetadata(path);
    if (!signal) {
      fileError("cannot tell whether this protobuf body holds logs, metrics or traces: put logs, metrics or "
                "traces in its name (as in 0001-logs.pb) or pass --signal");
      return;
    }
    std::string body;
    const FileReader::Read r = in.readRest(&body, max);
    if (r == FileReader::Read::TooLong) return fileError(tooLarge);
    if (r == FileReader::Read::Error) return fileError(in.error());
    submit(*signal, ingest::Format::Protobuf, std::move(body), 0, sum);
    return;
  }
  // JSON: one request per line when the first line is a whole object, else one document.
  std::string line;
  std::int64_t lineNo = 0;
  FileReader::Read r;
  do {
    r = in.readLine(&line, max);
    ++lineNo;
  } while (r == FileReader::Read::Ok && blank(line));
  if (r == FileReader::Read::Error) return fileError(in.error());
  if (r == FileReader::Read::TooLong) {
    sum->format = FileFormat::JsonLines;
    sum->formatKnown = true;
    return fileError("line " + std::to_string(lineNo) + " is " + tooLarge);
  }
  if (isCompleteJsonObject(line)) {
    sum->format = FileFormat::JsonLines;
    sum->formatKnown = true;
    std::int64_t n = lineNo;
    for (;;) {
      if (cancelled()) return;
      if (!blank(line)) {
        const std::string where = path + ":" + std::to_string(n);
        std::string why;
        if (const auto signal = jsonRequestSignal(line, &why)) {
          submit(*signal, ingest::Format::Json, std::move(line), n, sum);
        } else {
          std::lock_guard<std::mutex> lock(shared_->mutex);
          ++sum->requests;
        }
        if (!why.empty()) fail(sum, where, why, static_cast<std::int64_t>(line.size()), 400);
      }
      reportProgress(false);
      r = in.readLine(&line, max);
      ++n;
      if (r == FileReader::Read::End) return;
      if (r == FileReader::Read::Error) return fileError(in.error() + " (after line " + std::to_string(n - 1) + ")");
      if (r == FileReader::Read::TooLong) {
        {
          std::lock_guard<std::mutex> lock(shared_->mutex);
          ++sum->requests;
        }
        fail(sum, path + ":" + std::to_string(n), "line is " + tooLarge, 0, 413);
        line.clear();
      }
    }
  }
  sum->format = FileFormat::JsonDocument;
  sum->formatKnown = true;
  std::string body = std::move(line);
  body.push_back('\n');
  r = in.readRest(&body, max);
  if (r == FileReader::Read::TooLong) return fileError(tooLarge);
  if (r == FileReader::Read::Error) return fileError(in.error());
  std::string why;
  const auto signal = jsonRequestSignal(body, &why);
  if (!signal) {
    {
      std::lock_guard<std::mutex> lock(shared_->mutex);
      ++sum->requests;
    }
    fail(sum, path, why, static_cast<std::int64_t>(body.size()), 400);
    return;
  }
  submit(*signal, ingest::Format::Json, std::move(body), 0, sum);
}

std::string describe(const FileSummary& s) {
  std::string out = s.path + ": ";
  if (s.formatKnown) out += std::string(formatName(s.format)) + (s.gzipped ? " (gzip)" : "") + ", ";
  out += std::to_string(s.requests) + (s.requests == 1 ? " request" : " requests") + "; stored " +
         std::to_string(s.events) + " events, " + std::to_string(s.points) + " metric points, " +
         std::to_string(s.spans) + " spans; " + std::to_string(s.duplicates) + " duplicates, " +
         std::to_string(s.rejected) + " rejected, " + std::to_string(s.errorCount) +
         (s.errorCount == 1 ? " error" : " errors");
  if (s.cancelled) out += " (cancelled)";
  return out;
}

}  // namespace cctv::io
