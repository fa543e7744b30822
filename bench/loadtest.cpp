// cctv_loadtest: a steady stream of real-shaped OTLP/HTTP log requests against a running cctv, for minutes.
//
// Each of --connections keep-alive connections sends its share of --rate requests per second, every request
// a batch of --batch unique log records made from the captured Claude Code records (bench/Corpus). A 503 is
// retried with the same bytes after its Retry-After, as the OTLP exporter does. Every --sample seconds it
// prints the receiver's RSS (from /proc/<--pid>/status) and what was acknowledged; at the end one summary
// line with the number of acknowledged records, which tools/loadtest compares with the database.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "Corpus.h"
#include "support/HttpClient.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Args {
  std::string host = "127.0.0.1";
  int port = 4318;
  int seconds = 600;
  double rate = 100;  // requests per second, all connections together
  int connections = 4;
  int batch = 50;
  bool protobuf = false;
  std::string token;
  int pid = 0;
  int sample = 30;
};

long rssKb(int pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  return -1;
}

bool parse(int argc, char** argv, Args* a) {
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
    if (!v) return false;
    ++i;
    if (k == "--host") a->host = v;
    else if (k == "--port") a->port = std::atoi(v);
    else if (k == "--seconds") a->seconds = std::atoi(v);
    else if (k == "--rate") a->rate = std::atof(v);
    else if (k == "--connections") a->connections = std::atoi(v);
    else if (k == "--batch") a->batch = std::atoi(v);
    else if (k == "--format") a->protobuf = std::string(v) == "protobuf";
    else if (k == "--token") a->token = v;
    else if (k == "--pid") a->pid = std::atoi(v);
    else if (k == "--sample") a->sample = std::atoi(v);
    else return false;
  }
  return a->port > 0 && a->seconds > 0 && a->rate > 0 && a->connections > 0 && a->batch > 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  if (!parse(argc, argv, &a)) {
    std::fprintf(stderr,
                 "usage: cctv_loadtest --port N [--host H] [--seconds 600] [--rate REQ/S] [--connections 4] "
                 "[--batch 50] [--format json|protobuf] [--token T] [--pid CCTV_PID] [--sample 30]\n");
    return 2;
  }
  const cctv::bench::Corpus corpus(CCTV_FIXTURES_DIR, /*withRawBodies=*/false);
  std::vector<std::pair<std::string, std::string>> headers = {
      {"Content-Type", a.protobuf ? "application/x-protobuf" : "application/json"},
      {"User-Agent", "cctv_loadtest"}};
  if (!a.token.empty()) headers.emplace_back("Authorization", "Bearer " + a.token);

  std::atomic<long long> requests{0}, records{0}, retries{0}, errors{0};
  std::atomic<double> worstLatencyMs{0};
  const auto start = Clock::now();
  const auto end = start + std::chrono::seconds(a.seconds);
  const auto interval = std::chrono::duration<double>(a.connections / a.rate);

  std::vector<std::thread> workers;
  for (int w = 0; w < a.connections; ++w) {
    workers.emplace_back([&, w] {
      cctv::test::HttpClient http(a.host, static_cast<std::uint16_t>(a.port));
      std::vector<cctv::bench::Batch> pending;
      std::uint64_t chunk = 0;
      auto next = start + std::chrono::duration_cast<Clock::duration>(interval * (double(w) / a.connections));
      while (Clock::now() < end) {
        if (pending.empty()) {  // a few batches at a time, every record unique across workers and chunks
          pending = corpus.batches(std::int64_t(a.batch) * 16, a.batch, (std::uint64_t(w) << 32) | chunk++);
          std::reverse(pending.begin(), pending.end());
        }
        std::this_thread::sleep_until(next);
        next += std::chrono::duration_cast<Clock::duration>(interval);
        const cctv::bench::Batch& b = pending.back();
        const std::string& body = a.protobuf ? b.protobuf : b.json;
        for (;;) {
          const auto t0 = Clock::now();
          const cctv::test::HttpReply r = http.request("POST", "/v1/logs", headers, body);
          const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
          double worst = worstLatencyMs;
          while (ms > worst && !worstLatencyMs.compare_exchange_weak(worst, ms)) {
          }
          ++requests;
          if (r.status == 200) {
            records += b.records;
            break;
          }
          if (r.status == 503 && Clock::now() < end) {  // the exporter's way: same bytes, after Retry-After
            ++retries;
            std::this_thread::sleep_for(std::chrono::seconds(std::max(1, std::atoi(r.header("Retry-After").c_str()))));
            continue;
          }
          ++errors;
          std::fprintf(stderr, "loadtest: HTTP %d %s\n", r.status, r.body.substr(0, 200).c_str());
          break;
        }
        pending.pop_back();
      }
    });
  }

  long firstRss = -1, peakRss = 0;
  for (int t = a.sample; t <= a.seconds; t += a.sample) {
    std::this_thread::sleep_until(start + std::chrono::seconds(t));
    const long rss = a.pid ? rssKb(a.pid) : -1;
    if (firstRss < 0) firstRss = rss;
    peakRss = std::max(peakRss, rss);
    std::printf("t=%4ds rss=%6.1fMB requests=%lld acked_records=%lld retries=%lld errors=%lld worst_latency=%.0fms\n", t,
                rss / 1024.0, requests.load(), records.load(), retries.load(), errors.load(), worstLatencyMs.load());
    std::fflush(stdout);
  }
  for (auto& th : workers) th.join();
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("summary: seconds=%.0f requests=%lld acked_records=%lld records_per_s=%.0f retries=%lld errors=%lld "
              "rss_first=%.1fMB rss_peak=%.1fMB rss_last=%.1fMB\n",
              secs, requests.load(), records.load(), records.load() / secs, retries.load(), errors.load(), firstRss / 1024.0,
              peakRss / 1024.0, (a.pid ? rssKb(a.pid) : -1) / 1024.0);
  return errors.load() == 0 ? 0 : 1;
}
