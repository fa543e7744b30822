// Writer memory over a long run: streams N unique events (default 5,000,000; argv[1]) of the fixture mix
// through the real store Writer (the writer thread, its queue, interning caches and roll-ups) in 200-record
// jobs, and prints the process RSS every 500,000 events. Flat RSS means the caches and queue are bounded.
// Run: build/bench/bench_writer_rss [EVENTS] [DB]

#include <QTemporaryDir>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <future>
#include <string>

#include "Corpus.h"
#include "ingest/OtlpDecode.h"
#include "store/Schema.h"
#include "store/Sqlite.h"
#include "store/Writer.h"

using namespace cctv;

static long rssKb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  return -1;
}

int main(int argc, char** argv) {
  const std::int64_t total = argc > 1 ? std::atoll(argv[1]) : 5000000;
  QTemporaryDir dir;
  const std::string path = argc > 2 ? argv[2] : dir.filePath("rss.db").toStdString();
  if (const char* drop = std::getenv("CCTV_BENCH_DROP_INDEXES")) {
    // An experiment: what the writer saves without these indexes (comma-separated names).
    store::Database db(path, store::Database::Mode::ReadWriteCreate);
    store::openForWriting(db);
    std::string names = drop;
    for (std::size_t at = 0; at < names.size();) {
      const std::size_t end = std::min(names.find(',', at), names.size());
      if (end > at) db.exec("DROP INDEX IF EXISTS \"" + names.substr(at, end - at) + "\"");
      at = end + 1;
    }
  }
  store::Writer writer(store::WriterOptions{path});
  std::string err;
  if (!writer.open(&err)) {
    std::fprintf(stderr, "%s\n", err.c_str());
    return 1;
  }
  const bench::Corpus corpus(CCTV_FIXTURES_DIR, std::getenv("CCTV_BENCH_NO_RAW_BODIES") == nullptr);
  std::printf("%12s %10s %12s\n", "events", "rss_MB", "events/s");
  const auto t0 = std::chrono::steady_clock::now();
  std::int64_t done = 0, chunk = 20000;  // small chunks: the generator's own memory stays out of the picture
  std::uint64_t salt = 50000;
  while (done < total) {
    // Generate and normalize a chunk (outside the writer), then stream it in 200-record jobs.
    const auto batches = corpus.batches(std::min(chunk, total - done), 200, salt++);
    std::vector<std::future<void>> waits;
    for (const auto& b : batches) {
      auto job = std::make_unique<store::WriteJob>();
      std::string e;
      ingest::decodeAndNormalize(ingest::Signal::Logs, ingest::Format::Protobuf, b.protobuf, &job->batch, {}, &e);
      auto p = std::make_shared<std::promise<void>>();
      waits.push_back(p->get_future());
      job->done = [p](const store::WriteResult&) { p->set_value(); };
      // A chunk (20k) is below the queue cap (200k), so the queue always takes it.
      if (writer.submit(std::move(job)) != store::Writer::Submit::Queued) {
        std::fprintf(stderr, "writer refused a job\n");
        return 1;
      }
    }
    for (auto& w : waits) w.wait();
    const std::int64_t before = done;
    done += std::min(chunk, total - done);
    if (done / 500000 != before / 500000 || done == total) {
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::printf("%12lld %10.1f %12.0f\n", static_cast<long long>(done), static_cast<double>(rssKb()) / 1024.0,
                  static_cast<double>(done) / secs);
      std::fflush(stdout);
    }
  }
  writer.stop();
  return 0;
}
