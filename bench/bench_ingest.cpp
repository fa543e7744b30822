// Ingest throughput, in the three parts the ingest spine issue asks for:
//   (a) decode + normalize only (one thread), JSON and protobuf; and the two OTLP/JSON decoders alone;
//   (b) bare SQLite insert of the same rows through the store's RowWriter, in transactions;
//   (c) end to end over HTTP: 8 keep-alive clients posting 200-record batches to the real receiver,
//       on a database that already holds 1M events.
// Records are the fixtures' real log records, replicated into unique sessions (bench/Corpus).
// Run: build/bench/bench_ingest [--benchmark_filter=...]; environment CCTV_BENCH_PREFILL (default 1000000),
// CCTV_BENCH_NO_RAW_BODIES=1 to leave the raw API body events out of the mix.

#include <benchmark/benchmark.h>

#include <QTemporaryDir>
#include <sys/resource.h>
#include <google/protobuf/arena.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <thread>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <unistd.h>

#include "Corpus.h"
#include "../tests/support/HttpClient.h"
#include "ingest/IngestService.h"
#include "ingest/OtlpDecode.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "otlp/OtlpJsonDecoders.h"
#include "store/RowWriter.h"
#include "store/Schema.h"
#include "util/ThreadName.h"

using namespace cctv;

namespace {

// CCTV_BENCH_NO_RAW_BODIES=1: the fixture mix without the raw API body events (see Corpus).
const bench::Corpus& corpus() {
  static const bench::Corpus c(CCTV_FIXTURES_DIR, std::getenv("CCTV_BENCH_NO_RAW_BODIES") == nullptr);
  return c;
}

// User + system CPU time of this process, all threads.
double processCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}
// The system (kernel) part of it.
double processSysSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_stime.tv_sec) + static_cast<double>(u.ru_stime.tv_usec) / 1e6;
}

// CPU seconds used so far by each of this process's threads, summed by thread name (/proc/self/task/*/stat,
// utime + stime in clock ticks). Threads that have ended are not counted, so take both snapshots while the
// threads of interest are alive.
std::map<std::string, double> threadCpuByName() {
  std::map<std::string, double> out;
  const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream in(entry.path() / "stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto open = stat.find('('), close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 2));
    std::string field;
    double utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {  // fields 14 and 15 (1-based) are utime and stime
      if (i == 14) utime = std::stod(field);
      if (i == 15) stime = std::stod(field);
    }
    const std::string name = stat.substr(open + 1, close - open - 1);
    out[name] += (utime + stime) / tick;
    out[name + "/sys"] += stime / tick;
  }
  return out;
}

// CCTV_BENCH_DROP_INDEXES=a,b: drops those indexes after opening, to measure what each costs the writer.
void dropIndexesForExperiment(store::Database& db) {
  const char* env = std::getenv("CCTV_BENCH_DROP_INDEXES");
  if (!env) return;
  std::istringstream names(env);
  for (std::string name; std::getline(names, name, ',');)
    if (!name.empty()) db.exec("DROP INDEX IF EXISTS \"" + name + "\"");
}

const std::vector<bench::Batch>& sample() {
  static const std::vector<bench::Batch> b = corpus().batches(100000, 200, 1);
  return b;
}

void decode(benchmark::State& state, ingest::Format format) {
  const auto& batches = sample();
  std::int64_t records = 0, bytes = 0;
  std::size_t i = 0;
  for (auto _ : state) {
    const bench::Batch& b = batches[i++ % batches.size()];
    const std::string& body = format == ingest::Format::Json ? b.json : b.protobuf;
    model::NormalizedBatch out;
    std::string err;
    if (!ingest::decodeAndNormalize(ingest::Signal::Logs, format, body, &out, {}, &err))
      state.SkipWithError(err.c_str());
    benchmark::DoNotOptimize(out.events.data());
    records += b.records;
    bytes += static_cast<std::int64_t>(body.size());
  }
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsRate);
  state.SetBytesProcessed(bytes);
}

void BM_DecodeNormalize_Json(benchmark::State& s) { decode(s, ingest::Format::Json); }
void BM_DecodeNormalize_Protobuf(benchmark::State& s) { decode(s, ingest::Format::Protobuf); }
BENCHMARK(BM_DecodeNormalize_Json)->Unit(benchmark::kMicrosecond)->MinTime(3)->UseRealTime();
BENCHMARK(BM_DecodeNormalize_Protobuf)->Unit(benchmark::kMicrosecond)->MinTime(3)->UseRealTime();

// The OTLP/JSON decoders alone (no normalizing), typed against reflective, in the same run: on a shared
// machine the ratio of the two is steadier than either figure.
template <bool Typed>
void BM_DecodeOnly_Json(benchmark::State& state) {
  const auto& batches = sample();
  std::int64_t records = 0;
  std::size_t i = 0;
  for (auto _ : state) {
    const bench::Batch& b = batches[i++ % batches.size()];
    google::protobuf::ArenaOptions ao;  // as decodeAndNormalize does
    ao.initial_block_size = std::min<std::size_t>(std::max<std::size_t>(b.json.size() * 2, 4096), 1 << 20);
    google::protobuf::Arena arena(ao);
    auto* req = google::protobuf::Arena::CreateMessage<opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest>(&arena);
    std::string err;
    const bool ok = Typed ? otlp::detail::parseOtlpJsonTyped(b.json, req, &err)
                          : otlp::detail::parseOtlpJsonReflective(b.json, req, &err);
    if (!ok) state.SkipWithError(err.c_str());
    benchmark::DoNotOptimize(req->resource_logs_size());
    records += b.records;
  }
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsRate);
}
BENCHMARK_TEMPLATE(BM_DecodeOnly_Json, true)->Name("BM_DecodeOnly_Json_Typed")->Unit(benchmark::kMicrosecond)->MinTime(3)->UseRealTime();
BENCHMARK_TEMPLATE(BM_DecodeOnly_Json, false)->Name("BM_DecodeOnly_Json_Reflective")->Unit(benchmark::kMicrosecond)->MinTime(3)->UseRealTime();

std::vector<model::NormalizedBatch> normalized(const std::vector<bench::Batch>& batches) {
  std::vector<model::NormalizedBatch> out(batches.size());
  for (std::size_t i = 0; i < batches.size(); ++i) {
    std::string err;
    ingest::decodeAndNormalize(ingest::Signal::Logs, ingest::Format::Protobuf, batches[i].protobuf, &out[i], {}, &err);
  }
  return out;
}

// Inserts `rows` into `db` in transactions of `perTxn` batches, as the writer thread does.
std::int64_t insertAll(store::Database& db, const std::vector<model::NormalizedBatch>& rows, int perTxn) {
  store::RowWriter writer(db);
  std::int64_t stored = 0;
  for (std::size_t i = 0; i < rows.size(); i += static_cast<std::size_t>(perTxn)) {
    store::Transaction tx(db);
    store::Rollups r;
    for (std::size_t j = i; j < std::min(rows.size(), i + static_cast<std::size_t>(perTxn)); ++j) {
      store::WriteResult res;
      writer.write(rows[j], &r, &res);
      stored += res.stored;
    }
    writer.flushRollups(r);
    tx.commit();
  }
  return stored;
}

double fileBytesPerEvent(store::Database& db) {
  const double pages = static_cast<double>(db.queryInt("PRAGMA page_count") - db.queryInt("PRAGMA freelist_count"));
  return pages * static_cast<double>(db.queryInt("PRAGMA page_size")) /
         static_cast<double>(db.queryInt("SELECT count(*) FROM event_data"));
}

void BM_SqliteInsert(benchmark::State& state) {
  const auto rows = normalized(corpus().batches(200000, 200, 2));
  std::int64_t total = 0;
  double bytesPerEvent = 0, cpu = 0, sys = 0;
  for (auto _ : state) {
    state.PauseTiming();
    QTemporaryDir dir;
    store::Database db(dir.filePath("b.db").toStdString(), store::Database::Mode::ReadWriteCreate);
    store::openForWriting(db);
    dropIndexesForExperiment(db);
    state.ResumeTiming();
    const double cpu0 = processCpuSeconds(), sys0 = processSysSeconds();
    total += insertAll(db, rows, static_cast<int>(state.range(0)));
    cpu += processCpuSeconds() - cpu0;
    sys += processSysSeconds() - sys0;
    state.PauseTiming();
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    bytesPerEvent = fileBytesPerEvent(db);
    state.ResumeTiming();
  }
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(total), benchmark::Counter::kIsRate);
  state.counters["db_bytes/event"] = bytesPerEvent;
  state.counters["events/cpu_s"] = static_cast<double>(total) / cpu;
  state.counters["sys_us/event"] = sys * 1e6 / static_cast<double>(total);
}
// Argument: 200-record batches per transaction.
BENCHMARK(BM_SqliteInsert)->Arg(5)->Arg(50)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

// (c) End to end over HTTP on a database that already holds CCTV_BENCH_PREFILL events.
void endToEnd(benchmark::State& state, ingest::Format format) {
  static QTemporaryDir dir;
  static std::string path = dir.filePath("e2e.db").toStdString();
  static bool filled = false;
  const char* env = std::getenv("CCTV_BENCH_PREFILL");
  const std::int64_t prefill = env ? std::atoll(env) : 1000000;
  if (!filled) {
    store::Database db(path, store::Database::Mode::ReadWriteCreate);
    store::openForWriting(db);
    dropIndexesForExperiment(db);
    for (std::int64_t done = 0; done < prefill; done += 100000)
      insertAll(db, normalized(corpus().batches(std::min<std::int64_t>(100000, prefill - done), 200, 100 + done)), 50);
    filled = true;
  }
  const int clients = 8;
  // CCTV_BENCH_E2E_EVENTS: fewer events than the argument, e.g. to run the benchmark under callgrind.
  const char* eventsEnv = std::getenv("CCTV_BENCH_E2E_EVENTS");
  const std::int64_t perClient = (eventsEnv ? std::atoll(eventsEnv) : state.range(0)) / clients;
  std::vector<std::vector<bench::Batch>> work;
  for (int c = 0; c < clients; ++c)
    work.push_back(corpus().batches(perClient, 200, (format == ingest::Format::Json ? 1000 : 2000) + static_cast<std::uint64_t>(c)));

  for (auto _ : state) {
    ingest::ServiceOptions o;
    o.dbPath = path;
    o.http.port = 0;
    o.receiver.logRequests = false;
    if (const char* v = std::getenv("CCTV_BENCH_MAX_TXN_ITEMS")) o.writer.maxItemsPerTransaction = std::strtoull(v, nullptr, 10);
    if (const char* v = std::getenv("CCTV_BENCH_DECODE_THREADS")) o.receiver.decodeThreads = static_cast<unsigned>(std::atoi(v));
    ingest::IngestService service(o);
    std::string err;
    if (!service.start(&err)) {
      state.SkipWithError(err.c_str());
      return;
    }
    std::atomic<std::int64_t> acked{0}, refused{0};
    const double cpu0 = processCpuSeconds();
    const auto threads0 = threadCpuByName();
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c)
      threads.emplace_back([&, c] {
        util::setThreadName("bench-client");
        test::HttpClient client("127.0.0.1", service.port());
        const std::vector<std::pair<std::string, std::string>> headers = {
            {"Content-Type", format == ingest::Format::Json ? "application/json" : "application/x-protobuf"}};
        for (const bench::Batch& b : work[static_cast<std::size_t>(c)]) {
          for (;;) {
            const auto reply = client.request("POST", "/v1/logs", headers,
                                              format == ingest::Format::Json ? b.json : b.protobuf);
            if (reply.status == 200) {
              acked += b.records;
              break;
            }
            ++refused;  // 503: back off briefly and resend, as an exporter would
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
          }
        }
      });
    for (auto& t : threads) t.join();
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double cpu = processCpuSeconds() - cpu0;  // every 200 is committed: the work is done
    const auto threads1 = threadCpuByName();
    state.SetIterationTime(secs);
    service.stop();
    state.counters["events/s"] = static_cast<double>(acked.load()) / secs;
    state.counters["503s"] = static_cast<double>(refused.load());
    // CPU time of the whole process (receiver, decode, writer, and the 8 clients): on a shared machine the
    // wall-clock rate says more about the other processes than about cctv.
    state.counters["cpu_us/event"] = cpu * 1e6 / static_cast<double>(acked.load());
    state.counters["events/cpu_s"] = static_cast<double>(acked.load()) / cpu;
    // CPU per event of the receiver's I/O thread (HTTP), its decode threads (decode, normalize) and the SQLite
    // writer. The writer is one thread: it must stay under 1e6 / (events/s wanted) µs per event.
    // "_sys": the part spent in the kernel (socket reads and writes, WAL writes).
    // "decode": the receiver's decode threads together (HttpReceiver's pool).
    for (const std::string name : {"cctv-http", "cctv-decode", "cctv-writer", "cctv-http/sys", "cctv-writer/sys"}) {
      const auto before = threads0.find(name);
      const auto after = threads1.find(name);
      const double used = (after == threads1.end() ? 0.0 : after->second) - (before == threads0.end() ? 0.0 : before->second);
      std::string label = name.substr(5);  // "http", "writer", "http/sys", "writer/sys"
      if (const auto slash = label.find('/'); slash != std::string::npos) label.replace(slash, 1, "_");
      state.counters[label + "_us/event"] = used * 1e6 / static_cast<double>(acked.load());
    }
    store::Database db(path, store::Database::Mode::ReadOnly);
    state.counters["db_events"] = static_cast<double>(db.queryInt("SELECT count(*) FROM event_data"));
    state.counters["db_bytes/event"] = fileBytesPerEvent(db);
  }
}

void BM_EndToEnd_Json(benchmark::State& s) { endToEnd(s, ingest::Format::Json); }
void BM_EndToEnd_Protobuf(benchmark::State& s) { endToEnd(s, ingest::Format::Protobuf); }
BENCHMARK(BM_EndToEnd_Json)->Arg(400000)->UseManualTime()->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EndToEnd_Protobuf)->Arg(400000)->UseManualTime()->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
