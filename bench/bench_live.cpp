// Live latency (issue 4): from POSTing an event to the open timeline painting it, while ingesting 1,000
// events/s. The real receiver and the real window run in this process (window offscreen unless a display is
// set); a client thread posts one session's events over HTTP in Claude Code's shape (10 requests/s of 100
// records: prompts, API requests, tool decisions and results) and notes when each request was sent; an event
// filter on the timeline notes, at every paint, how many of the session's events it shows. A request's latency
// is the time from starting to send it until the first paint that includes all its events.
// Run: build/bench/bench_live [SECONDS=60] [EVENTS_PER_SECOND=1000]

#include <QApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QThread>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ingest/IngestService.h"
#include "main/MainWindow.h"
#include "support/HttpClient.h"
#include "timeline/TimelineWidget.h"

using namespace cctv;
using Clock = std::chrono::steady_clock;

namespace {

double rssMb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::atof(line.c_str() + 6) / 1024.0;
  return -1;
}

std::string kv(const char* k, const std::string& v) {
  return std::string("{\"key\":\"") + k + "\",\"value\":{\"stringValue\":\"" + v + "\"}}";
}
std::string kvi(const char* k, long long v) {
  return std::string("{\"key\":\"") + k + "\",\"value\":{\"intValue\":" + std::to_string(v) + "}}";
}

// One record of a Claude Code-shaped session: a prompt every 20 events, then API requests and tool calls.
std::string record(const std::string& session, long long seq, long long nowNs) {
  const long long prompt = seq / 20;
  const char* names[] = {"api_request", "tool_decision", "tool_result", "assistant_response"};
  const std::string name = seq % 20 == 0 ? "user_prompt" : names[seq % 4];
  std::string attrs = kv("event.name", name) + "," + kv("session.id", session) + "," + kvi("event.sequence", seq) +
                      "," + kv("prompt.id", session.substr(0, 8) + "-prompt-" + std::to_string(prompt)) + "," +
                      kv("user.id", "bench") + "," + kv("terminal.type", "xterm-256color");
  if (name == "api_request")
    attrs += "," + kv("model", "claude-sonnet-4-5") + "," + kv("cost_usd", "0.0123") + "," + kv("input_tokens", "1900") +
             "," + kv("output_tokens", "60") + "," + kv("duration_ms", "340") + "," + kv("ttft_ms", "310");
  else if (name == "tool_decision")
    attrs += "," + kv("tool_name", "Bash") + "," + kv("decision", "accept") + "," + kv("source", "config");
  else if (name == "tool_result")
    attrs += "," + kv("tool_name", "Bash") + "," + kv("success", "true") + "," + kv("duration_ms", "30");
  else if (name == "user_prompt")
    attrs += "," + kv("prompt", "<REDACTED>") + "," + kv("prompt_length", "18");
  return "{\"timeUnixNano\":\"" + std::to_string(nowNs) + "\",\"body\":{\"stringValue\":\"claude_code." + name +
         "\"},\"attributes\":[" + attrs + "]}";
}

struct Sent {
  Clock::time_point at;
  long long eventsAfter;  // the session's events once this request is stored
};

class PaintProbe : public QObject {
 public:
  explicit PaintProbe(ui::TimelineWidget* w) : w_(w) {}
  std::vector<std::pair<Clock::time_point, long long>> paints;

 protected:
  bool eventFilter(QObject* o, QEvent* e) override {
    if (o == w_ && e->type() == QEvent::Paint)
      paints.emplace_back(Clock::now(), static_cast<long long>(w_->model().eventCount()));
    return false;
  }

 private:
  ui::TimelineWidget* w_;
};

}  // namespace

int main(int argc, char** argv) {
  const int seconds = argc > 1 ? std::atoi(argv[1]) : 60;
  const int rate = argc > 2 ? std::atoi(argv[2]) : 1000;
  if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
    qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  QTemporaryDir dir;
  ingest::ServiceOptions so;
  so.dbPath = dir.filePath(QStringLiteral("live.db")).toStdString();
  so.http.port = 0;
  so.receiver.logRequests = false;
  ingest::IngestService service(so);
  std::string error;
  if (!service.start(&error)) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  ui::WindowOptions wo;
  wo.dbPath = QString::fromStdString(so.dbPath);
  wo.url = QString::fromStdString(service.url());
  wo.notifier = service.writer().notifier();
  ui::MainWindow w(wo);
  w.setOfferSetup(false);
  w.resize(1440, 900);
  w.show();
  auto* timeline = w.findChild<ui::TimelineWidget*>();
  PaintProbe probe(timeline);
  timeline->installEventFilter(&probe);

  const int perRequest = std::max(1, rate / 10);
  std::vector<Sent> sent;
  std::mutex sentMutex;
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::thread client([&] {
    test::HttpClient http("127.0.0.1", service.port());
    const std::string session = "b1e55ed0-live-4000-8000-000000000001";
    long long seq = 0;
    auto next = Clock::now();
    const auto end = next + std::chrono::seconds(seconds);
    while (Clock::now() < end) {
      std::this_thread::sleep_until(next);
      next += std::chrono::milliseconds(100);
      const long long nowNs =
          std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
      std::string body = "{\"resourceLogs\":[{\"resource\":{\"attributes\":[" + kv("service.name", "claude-code") + "," +
                         kv("service.version", "2.1.331") + "]},\"scopeLogs\":[{\"scope\":{\"name\":\"com.anthropic.claude_code.events\"},\"logRecords\":[";
      for (int i = 0; i < perRequest; ++i) body += (i ? "," : "") + record(session, seq++, nowNs + i * 1000);
      body += "]}]}]}";
      const auto at = Clock::now();
      const auto reply = http.request("POST", "/v1/logs", {{"Content-Type", "application/json"}}, body);
      if (reply.status != 200) ++failures;
      std::lock_guard lock(sentMutex);
      sent.push_back({at, seq});
    }
    done = true;
  });
  while (!done) QApplication::processEvents(QEventLoop::AllEvents, 5);
  client.join();
  // Let the last requests reach the screen.
  QElapsedTimer drain;
  drain.start();
  while (drain.elapsed() < 1500) QApplication::processEvents(QEventLoop::AllEvents, 5);
  service.stop();

  std::vector<double> latencies;
  std::size_t p = 0;
  int missed = 0;
  for (const Sent& s : sent) {
    while (p < probe.paints.size() && (probe.paints[p].first < s.at || probe.paints[p].second < s.eventsAfter)) ++p;
    if (p == probe.paints.size()) {
      ++missed;
      continue;
    }
    latencies.push_back(std::chrono::duration<double, std::milli>(probe.paints[p].first - s.at).count());
  }
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double q) {
    return latencies.empty() ? 0.0 : latencies[std::min(latencies.size() - 1, static_cast<std::size_t>(q * latencies.size()))];
  };
  std::printf("%d s at %d events/s (%zu requests of %d, %d failed), %zu paints, %d requests never painted\n", seconds,
              rate, sent.size(), perRequest, failures.load(), probe.paints.size(), missed);
  std::printf("POST -> painted: p50 %.0f ms, p95 %.0f ms, p99 %.0f ms, max %.0f ms; RSS %.0f MB\n", pct(0.5), pct(0.95),
              pct(0.99), latencies.empty() ? 0.0 : latencies.back(), rssMb());
  return missed == 0 && failures == 0 ? 0 : 1;
}
