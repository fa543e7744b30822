// The viewer's queries on a large database (issue 4: each ≤ 100 ms on 5,000,000 events). Make the database once:
//   build/bench/bench_make_db /tmp/cctv-5m.db 5000000 3000
// then: CCTV_BENCH_DB=/tmp/cctv-5m.db build/bench/bench_viewer
// Each benchmark opens nothing: one read-only Reader (as the viewer's query thread has) is shared, and the
// session/prompt ids are picked once: the median and the largest session, the largest prompt, a traced prompt.

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "query/Reader.h"
#include "store/Sqlite.h"
#include "timeline/TimeAxis.h"
#include "timeline/TimelinePaging.h"
#include "timeline/TimelineSlice.h"

using namespace cctv;

namespace {

struct Fixture {
  std::unique_ptr<query::Reader> reader;
  std::string medianSession, largestSession, largestPrompt, tracedPrompt;
  std::int64_t newestNs = 0;
};

Fixture& fx() {
  static Fixture f = [] {
    Fixture f;
    const char* path = std::getenv("CCTV_BENCH_DB");
    const std::string db = path ? path : "/tmp/cctv-5m.db";
    try {
      f.reader = std::make_unique<query::Reader>(db);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "cannot open %s (%s): make it with bench_make_db first\n", db.c_str(), e.what());
      std::exit(1);
    }
    store::Database raw(db, store::Database::Mode::ReadOnly);
    auto text = [&](const std::string& sql) {
      auto st = raw.prepare(sql);
      return st.step() ? st.columnText(0) : std::string();
    };
    f.largestSession = text("SELECT session_id FROM sessions ORDER BY events DESC LIMIT 1");
    f.medianSession = text("SELECT session_id FROM sessions ORDER BY events LIMIT 1 OFFSET (SELECT count(*) / 2 FROM sessions)");
    f.largestPrompt = text("SELECT prompt_id FROM prompts ORDER BY events DESC LIMIT 1");
    f.tracedPrompt = text(
        "SELECT p.prompt_id FROM prompts p JOIN event_data e ON e.id = p.prompt_event WHERE e.trace_id IS NOT NULL "
        "ORDER BY p.id DESC LIMIT 1");
    f.newestNs = std::stoll(text("SELECT max(last_ns) FROM sessions"));
    std::fprintf(stderr, "db %s: median session %s, largest %s (%s events), traced prompt %s\n", db.c_str(),
                 f.medianSession.c_str(), f.largestSession.c_str(),
                 text("SELECT max(events) FROM sessions").c_str(), f.tracedPrompt.c_str());
    return f;
  }();
  return f;
}

constexpr std::int64_t kDay = 86400LL * 1000000000LL;

void BM_SessionList(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(fx().reader->sessions({}));
}
BENCHMARK(BM_SessionList)->Unit(benchmark::kMillisecond);

void BM_SessionListFiltered(benchmark::State& state) {
  data::SessionFilter f;
  f.text = "claude-opus";
  f.onlyWithErrors = true;
  for (auto _ : state) benchmark::DoNotOptimize(fx().reader->sessions(f));
}
BENCHMARK(BM_SessionListFiltered)->Unit(benchmark::kMillisecond);

// The timeline's plot in the window at 1440x900 (bench_window): about this many pixels wide.
constexpr double kPlotWidth = 1000;

// The slice the timeline asks for first (fitted to the session) or after zooming to `spanNs` around the
// middle of the session, exactly as TimelinePager words it.
ui::TimelineRequest sliceRequest(const data::SessionSummary& x, std::int64_t spanNs) {
  ui::TimelinePager pager;
  pager.reset(x.firstNs, x.lastNs);
  ui::TimeAxis axis;
  axis.setWidth(kPlotWidth);
  axis.setDataExtent(x.firstNs, x.lastNs);
  axis.fit(x.firstNs, x.lastNs);
  if (spanNs > 0) axis.setWindow(x.firstNs + (x.lastNs - x.firstNs) / 2 - spanNs / 2, x.firstNs + (x.lastNs - x.firstNs) / 2 + spanNs / 2);
  return *pager.need({axis.startNs(), axis.endNs()}, kPlotWidth);
}

// What selecting a session runs: its row (whose extent the timeline fits), the first slice of the timeline
// (fitted: the density, and every event when few enough), then the header's metrics and the prompt list.
void sessionOpen(benchmark::State& state, const std::string& id) {
  std::size_t events = 0, cells = 0;
  for (auto _ : state) {
    auto s = fx().reader->session(id);
    auto m = fx().reader->sessionMetrics(id);
    auto slice = ui::queryTimelineSlice(*fx().reader, id, sliceRequest(s, 0));
    auto p = fx().reader->prompts(id);
    events = slice.events.size();
    cells = slice.density.cells.size();
    benchmark::DoNotOptimize(s);
    benchmark::DoNotOptimize(m);
    benchmark::DoNotOptimize(p);
  }
  state.counters["events"] = static_cast<double>(events);
  state.counters["cells"] = static_cast<double>(cells);
}
void BM_SessionTimelineMedian(benchmark::State& state) { sessionOpen(state, fx().medianSession); }
void BM_SessionTimelineLargest(benchmark::State& state) { sessionOpen(state, fx().largestSession); }
BENCHMARK(BM_SessionTimelineMedian)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SessionTimelineLargest)->Unit(benchmark::kMillisecond);

// Zooming into the largest session: the slice for a view of the given span (minutes) around its middle.
void BM_SessionTimelineLargestZoomed(benchmark::State& state) {
  const std::string id = fx().largestSession;
  const auto request = sliceRequest(fx().reader->session(id), state.range(0) * 60LL * 1000000000LL);
  std::size_t events = 0;
  for (auto _ : state) {
    auto slice = ui::queryTimelineSlice(*fx().reader, id, request);
    events = slice.events.size();
    benchmark::DoNotOptimize(slice);
  }
  state.counters["events"] = static_cast<double>(events);
}
BENCHMARK(BM_SessionTimelineLargestZoomed)->Arg(24 * 60)->Arg(60)->Arg(5)->Unit(benchmark::kMillisecond);

// The parts of opening the largest session, to see where its time goes.
void BM_PartSessionSummary(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(fx().reader->session(fx().largestSession));
}
void BM_PartSessionMetrics(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(fx().reader->sessionMetrics(fx().largestSession));
}
void BM_PartSessionEvents(benchmark::State& state) {  // every event: what opening it loaded before paging
  for (auto _ : state) benchmark::DoNotOptimize(fx().reader->sessionEvents(fx().largestSession));
}
void BM_PartSessionDensity(benchmark::State& state) {
  const auto r = sliceRequest(fx().reader->session(fx().largestSession), 0);
  for (auto _ : state)
    benchmark::DoNotOptimize(fx().reader->sessionDensity(fx().largestSession, r.fromNs, r.bucketNs, r.buckets));
}
void BM_PartSessionPrompts(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(fx().reader->prompts(fx().largestSession));
}
BENCHMARK(BM_PartSessionSummary)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PartSessionMetrics)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PartSessionEvents)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PartSessionDensity)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PartSessionPrompts)->Unit(benchmark::kMillisecond);

// The parts of the metrics page.
void BM_PartMetricTotals(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(fx().reader->metricTotals(fx().newestNs - 30 * kDay, 0));
}
void BM_PartReconciliation(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(fx().reader->reconciliation(fx().newestNs - 30 * kDay, 0));
}
void BM_PartMetricOverTime(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(fx().reader->metricOverTime("claude_code.cost.usage", "model", fx().newestNs - 30 * kDay, 0,
                                                         60LL * 1000000000LL));
}
BENCHMARK(BM_PartMetricTotals)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PartReconciliation)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PartMetricOverTime)->Unit(benchmark::kMillisecond);

// The live tick of an open session: new events since the last id (none here) and the header.
void BM_SessionLiveTick(benchmark::State& state) {
  const std::string id = fx().largestSession;
  const auto all = fx().reader->sessionEvents(id);
  const std::int64_t last = all.empty() ? 0 : all.back().id;
  for (auto _ : state) {
    benchmark::DoNotOptimize(fx().reader->sessionEventsAfter(id, last));
    benchmark::DoNotOptimize(fx().reader->session(id));
    benchmark::DoNotOptimize(fx().reader->sessionMetrics(id));
  }
}
BENCHMARK(BM_SessionLiveTick)->Unit(benchmark::kMillisecond);

void promptTrace(benchmark::State& state, const std::string& id) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(fx().reader->promptSpans(id));
    benchmark::DoNotOptimize(fx().reader->promptEvents(id));
  }
}
void BM_PromptTraceLargest(benchmark::State& state) { promptTrace(state, fx().largestPrompt); }
void BM_PromptTraceSpans(benchmark::State& state) { promptTrace(state, fx().tracedPrompt); }
BENCHMARK(BM_PromptTraceLargest)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PromptTraceSpans)->Unit(benchmark::kMillisecond);

void BM_CostByDayAll(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(fx().reader->dailyCosts(0, 0));
    benchmark::DoNotOptimize(fx().reader->topSessionsByCost(0, 0, 10));
    benchmark::DoNotOptimize(fx().reader->sessionCount(0, 0));
  }
}
BENCHMARK(BM_CostByDayAll)->Unit(benchmark::kMillisecond);

void BM_CostByDay30(benchmark::State& state) {
  const std::int64_t from = fx().newestNs - 30 * kDay;
  for (auto _ : state) {
    benchmark::DoNotOptimize(fx().reader->dailyCosts(from, 0));
    benchmark::DoNotOptimize(fx().reader->topSessionsByCost(from, 0, 10));
    benchmark::DoNotOptimize(fx().reader->sessionCount(from, 0));
  }
}
BENCHMARK(BM_CostByDay30)->Unit(benchmark::kMillisecond);

void BM_EventsFirstPageAll(benchmark::State& state) {
  data::EventQuery q;
  for (auto _ : state) benchmark::DoNotOptimize(fx().reader->events(q));
}
BENCHMARK(BM_EventsFirstPageAll)->Unit(benchmark::kMillisecond);

void BM_EventsFirstPageNewestFirst(benchmark::State& state) {
  data::EventQuery q;
  q.ascending = false;
  for (auto _ : state) benchmark::DoNotOptimize(fx().reader->events(q));
}
BENCHMARK(BM_EventsFirstPageNewestFirst)->Unit(benchmark::kMillisecond);

void BM_EventsFirstPageSessionByName(benchmark::State& state) {
  data::EventQuery q;
  q.sessionId = fx().largestSession;
  q.eventName = "tool_result";
  for (auto _ : state) benchmark::DoNotOptimize(fx().reader->events(q));
}
BENCHMARK(BM_EventsFirstPageSessionByName)->Unit(benchmark::kMillisecond);

// An event-name filter over every session, newest first: a common name and a rare one (schema 4 serves both
// from the (time, name) index, checking the name without reading rows).
void eventsByName(benchmark::State& state, const char* name) {
  data::EventQuery q;
  q.eventName = name;
  q.ascending = false;
  for (auto _ : state) benchmark::DoNotOptimize(fx().reader->events(q));
}
void BM_EventsFirstPageByNameCommon(benchmark::State& state) { eventsByName(state, "tool_result"); }
void BM_EventsFirstPageByNameRare(benchmark::State& state) { eventsByName(state, "api_error"); }
BENCHMARK(BM_EventsFirstPageByNameCommon)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EventsFirstPageByNameRare)->Unit(benchmark::kMillisecond);

// The Tools & errors and Metrics pages as the window asks for them: a range that starts at a UTC midnight
// (RangeSelector: "30 days" is today and the 29 days before it) and stays open, and the chart in the bucket
// metricBucketFor() picks for the span (1 day for 30 days, 7 days for all of the 90 days).
std::int64_t dayStart(std::int64_t ns) { return ns - ns % kDay; }

void toolsPage(benchmark::State& state, std::int64_t from) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(fx().reader->toolStats(from, 0));
    benchmark::DoNotOptimize(fx().reader->apiErrors(from, 0));
  }
}
void BM_ToolsPage30(benchmark::State& state) { toolsPage(state, dayStart(fx().newestNs) - 29 * kDay); }
BENCHMARK(BM_ToolsPage30)->Unit(benchmark::kMillisecond);
void BM_ToolsPageAll(benchmark::State& state) { toolsPage(state, 0); }
BENCHMARK(BM_ToolsPageAll)->Unit(benchmark::kMillisecond);
// A range that starts mid-day (no page asks for one): its first day comes from the raw rows.
void BM_ToolsPage30MidDay(benchmark::State& state) { toolsPage(state, fx().newestNs - 30 * kDay); }
BENCHMARK(BM_ToolsPage30MidDay)->Unit(benchmark::kMillisecond);

void metricsPage(benchmark::State& state, std::int64_t from, std::int64_t bucketNs) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(fx().reader->metricTimeRange());  // the window picks the chart's bucket from it
    benchmark::DoNotOptimize(fx().reader->metricNames());
    benchmark::DoNotOptimize(fx().reader->metricTotals(from, 0));
    benchmark::DoNotOptimize(fx().reader->reconciliation(from, 0));
    benchmark::DoNotOptimize(fx().reader->metricOverTime("claude_code.cost.usage", "model", from, 0, bucketNs));
  }
}
void BM_MetricsPage30(benchmark::State& state) { metricsPage(state, dayStart(fx().newestNs) - 29 * kDay, kDay); }
BENCHMARK(BM_MetricsPage30)->Unit(benchmark::kMillisecond);
void BM_MetricsPageAll(benchmark::State& state) { metricsPage(state, 0, 7 * kDay); }
BENCHMARK(BM_MetricsPageAll)->Unit(benchmark::kMillisecond);
// The Metrics page's three queries on their own, all time.
void BM_MetricsPartTotalsAll(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(fx().reader->metricTotals(0, 0));
}
BENCHMARK(BM_MetricsPartTotalsAll)->Unit(benchmark::kMillisecond);
void BM_MetricsPartReconciliationAll(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(fx().reader->reconciliation(0, 0));
}
BENCHMARK(BM_MetricsPartReconciliationAll)->Unit(benchmark::kMillisecond);
void BM_MetricsPartChartAll(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(fx().reader->metricOverTime("claude_code.cost.usage", "model", 0, 0, 7 * kDay));
}
BENCHMARK(BM_MetricsPartChartAll)->Unit(benchmark::kMillisecond);
// A range that starts mid-hour (no page asks for one): its first hour comes from the raw points.
void BM_MetricsPage30MidDay(benchmark::State& state) { metricsPage(state, fx().newestNs - 30 * kDay, kDay); }
BENCHMARK(BM_MetricsPage30MidDay)->Unit(benchmark::kMillisecond);

void BM_Totals(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(fx().reader->totals());
}
BENCHMARK(BM_Totals)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
