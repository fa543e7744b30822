// The session timeline and the prompt trace: the pure geometry and layout (TimeAxis, LanePacking,
// TimelineModel, TraceLayout) on event lists modelled on the json-basic and tmux-permissions captures, and the
// two widgets offscreen (render, click, zoom, follow-live). Writes /tmp/timeline.png and /tmp/trace.png.

#include "timeline/LanePacking.h"
#include "timeline/TimeAxis.h"
#include "timeline/TimeFormat.h"
#include "timeline/TimelineDensity.h"
#include "timeline/TimelineModel.h"
#include "timeline/TimelinePaging.h"
#include "timeline/TimelineWidget.h"
#include "trace/TraceLayout.h"
#include "trace/TraceWidget.h"

#include <QElapsedTimer>
#include <QImage>
#include <QSet>
#include <QSignalSpy>
#include <QToolTip>
#include <QWheelEvent>
#include <QtTest>

#include <algorithm>
#include <array>
#include <limits>
#include <map>
#include <random>

using namespace cctv;
using namespace cctv::ui;

namespace {

constexpr std::int64_t kMs = 1'000'000;
constexpr std::int64_t kSec = 1'000'000'000;
// json-basic's first record: 2026-11-24 19:17:23.996 UTC.
constexpr std::int64_t kBasic0 = 1795547843996000000;
// tmux-permissions' first record: 2026-11-24 19:22:41.176 UTC.
constexpr std::int64_t kTmux0 = 1795548161176000000;

data::EventItem ev(std::int64_t id, std::int64_t timeNs, std::string name, std::int64_t seq, std::string prompt = {}) {
  data::EventItem e;
  e.id = id;
  e.timeNs = timeNs;
  e.name = std::move(name);
  e.sequence = seq;
  e.promptId = std::move(prompt);
  e.summary = e.name;
  return e;
}

data::EventItem api(std::int64_t id, std::int64_t timeNs, std::int64_t seq, const std::string& prompt,
                    std::int64_t durMs, std::int64_t ttftMs, std::int64_t in, std::int64_t out, double cost,
                    const std::string& model = "claude-sonnet-4-5") {
  data::EventItem e = ev(id, timeNs, "api_request", seq, prompt);
  e.model = model;
  e.durationMs = durMs;
  e.ttftMs = ttftMs;
  e.tokens.input = in;
  e.tokens.output = out;
  e.costUsd = cost;
  e.summary = model + " \u00b7 " + std::to_string(durMs) + " ms";
  return e;
}

data::EventItem decision(std::int64_t id, std::int64_t timeNs, std::int64_t seq, const std::string& prompt,
                         const std::string& tool, const std::string& dec, const std::string& source) {
  data::EventItem e = ev(id, timeNs, "tool_decision", seq, prompt);
  e.toolName = tool;
  e.decision = dec;
  e.source = source;
  e.summary = tool + " " + dec + " (" + source + ")";
  return e;
}

data::EventItem toolResult(std::int64_t id, std::int64_t timeNs, std::int64_t seq, const std::string& prompt,
                           const std::string& tool, std::int64_t durMs, int success, const std::string& what = {}) {
  data::EventItem e = ev(id, timeNs, "tool_result", seq, prompt);
  e.toolName = tool;
  e.durationMs = durMs;
  e.success = success;
  e.summary = tool + (success ? " ok" : " failed") + (what.empty() ? "" : " \u00b7 " + what);
  return e;
}

// json-basic: one -p prompt, Bash `echo hi` allowed by config (times and numbers as captured).
std::vector<data::EventItem> basicSession() {
  const std::string p = "10d9fc3a-5b0c-4f43-9d0e-6a1b2c3d4e5f";
  const auto t = [](std::int64_t ms) { return kBasic0 + ms * kMs; };
  return {ev(1, t(0), "managed_settings_resolved", 0),
          ev(2, t(30), "plugin_loaded", 1),
          ev(3, t(31), "plugin_loaded", 2),
          ev(4, t(31), "plugin_loaded", 3),
          ev(5, t(126), "user_prompt", 4, p),
          decision(6, t(538), 5, p, "Bash", "accept", "config"),
          api(7, t(551), 6, p, 356, 314, 1949, 60, 0.02702565),
          ev(8, t(555), "assistant_response", 7, p),
          toolResult(9, t(578), 8, p, "Bash", 38, 1, "echo hi"),
          api(10, t(911), 9, p, 313, 308, 1385, 17, 0.0248457),
          ev(11, t(911), "assistant_response", 10, p)};
}

// tmux-permissions: the user rejects one Bash (Esc), then accepts one after 2.6 s; plus an API error and an
// event name the viewer has never heard of.
std::vector<data::EventItem> tmuxSession() {
  const auto t = [](std::int64_t ms) { return kTmux0 + ms * kMs; };
  std::vector<data::EventItem> v = {
      ev(101, t(0), "managed_settings_resolved", 0),
      ev(102, t(163), "permission_mode_changed", 5),
      ev(103, t(4124), "user_prompt", 6, "P1"),
      api(104, t(4590), 7, "P1", 366, 313, 1528, 74, 0.02597265),
      ev(105, t(4590), "assistant_response", 8, "P1"),
      decision(106, t(7146), 9, "P1", "Bash", "reject", "user_reject"),
      ev(107, t(10416), "user_prompt", 10, "P2"),
      api(108, t(10773), 11, "P2", 335, 308, 1371, 74, 0.0256587),
      ev(109, t(10774), "assistant_response", 12, "P2"),
      decision(110, t(13416), 13, "P2", "Bash", "accept", "user_temporary"),
      toolResult(111, t(13515), 14, "P2", "Bash", 97, 1, "ls"),
      api(112, t(13848), 15, "P2", 318, 314, 1888, 16, 0.02649675),
      ev(113, t(13848), "assistant_response", 16, "P2"),
      ev(114, t(14000), "frobnicate_widget", 17),
  };
  data::EventItem err = ev(115, t(16000), "api_error", 18, "P2");
  err.durationMs = 1200;
  err.statusCode = 529;
  err.attempt = 3;
  err.model = "claude-sonnet-4-5";
  err.error = "overloaded_error";
  v.push_back(err);
  return v;
}

std::vector<data::EventItem> eventsOfPrompt(const std::vector<data::EventItem>& all, const std::string& prompt) {
  std::vector<data::EventItem> out;
  for (const auto& e : all) {
    if (e.promptId == prompt) out.push_back(e);
  }
  return out;
}

// A longer, realistic session for the screenshots: three prompts, parallel tools, a failure, a hook, a
// subagent, a rejected and a user-approved call, an API error and a retry on another model.
std::vector<data::EventItem> richSession() {
  std::vector<data::EventItem> v = basicSession();
  std::int64_t id = 200, seq = 20;
  const auto t = [](std::int64_t ms) { return kBasic0 + ms * kMs; };
  const std::string p2 = "7f3e9a10-aaaa-bbbb-cccc-000000000002", p3 = "c0ffee00-aaaa-bbbb-cccc-000000000003";
  v.push_back(ev(id++, t(2400), "user_prompt", seq++, p2));
  v.back().summary = "find the TODOs in src and run the tests";  // as the query layer fills it
  data::EventItem hs = ev(id++, t(2410), "hook_execution_start", seq++, p2);
  hs.summary = "UserPromptSubmit";
  data::EventItem hc = ev(id++, t(2690), "hook_execution_complete", seq++, p2);
  hc.summary = "UserPromptSubmit";
  hc.durationMs = 278;
  v.push_back(hs);
  v.push_back(hc);
  // Claude Code decides on tool calls while the response streams, so the decisions come before the request.
  v.push_back(decision(id++, t(4700), seq++, p2, "Read", "accept", "config"));
  v.push_back(decision(id++, t(4720), seq++, p2, "Grep", "accept", "config"));
  v.push_back(api(id++, t(4900), seq++, p2, 2150, 820, 5200, 410, 0.0412));
  v.push_back(toolResult(id++, t(4960), seq++, p2, "Read", 250, 1, "src/main.cpp"));
  v.push_back(toolResult(id++, t(5300), seq++, p2, "Grep", 560, 1, "TODO"));
  v.push_back(api(id++, t(7600), seq++, p2, 2250, 640, 7400, 520, 0.0533));
  v.push_back(decision(id++, t(10900), seq++, p2, "Bash", "accept", "user_temporary"));
  v.push_back(toolResult(id++, t(12400), seq++, p2, "Bash", 1480, 0, "make test"));
  data::EventItem e529 = ev(id++, t(14300), "api_error", seq++, p2);
  e529.durationMs = 1800;
  e529.statusCode = 529;
  e529.attempt = 3;
  e529.model = "claude-sonnet-4-5";
  v.push_back(e529);
  v.push_back(api(id++, t(15900), seq++, p2, 1500, 600, 8100, 300, 0.0101, "claude-haiku-4-5"));
  v.push_back(ev(id++, t(15900), "assistant_response", seq++, p2));
  v.push_back(ev(id++, t(19000), "user_prompt", seq++, p3));
  v.push_back(api(id++, t(21000), seq++, p3, 1800, 700, 9000, 350, 0.0388, "claude-opus-4-1"));
  v.push_back(decision(id++, t(24200), seq++, p3, "Write", "reject", "user_reject"));
  data::EventItem sub = ev(id++, t(27500), "subagent_completed", seq++, p3);
  sub.durationMs = 2600;
  v.push_back(sub);
  v.push_back(api(id++, t(29800), seq++, p3, 2100, 900, 9600, 640, 0.0467, "claude-opus-4-1"));
  v.push_back(ev(id++, t(29800), "assistant_response", seq++, p3));
  v.push_back(ev(id++, t(30500), "frobnicate_widget", seq++));
  return v;
}

// A comparable fingerprint of a model's items: what is drawn where.
QStringList fingerprint(const TimelineModel& m) {
  QStringList out;
  for (const auto& it : m.items()) {
    QStringList ids;
    for (auto id : it.eventIds) ids << QString::number(id);
    out << QStringLiteral("%1/%2/%3/%4-%5/%6-%7/%8")
               .arg(int(it.lane))
               .arg(it.row)
               .arg(int(it.kind))
               .arg(it.startNs)
               .arg(it.endNs)
               .arg(it.waitStartNs)
               .arg(it.waitEndNs)
               .arg(ids.join(','));
  }
  out.sort();
  return out;
}

// A long session: `n` events, one every `stepMs`, cycling through prompts of 40 events (user_prompt, then API
// calls, decisions and tool results), with an api_error now and then.
std::vector<data::EventItem> longSession(int n, std::int64_t t0, std::int64_t stepMs) {
  std::vector<data::EventItem> v;
  v.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const std::string p = "L" + std::to_string(i / 40);
    const std::int64_t t = t0 + i * stepMs * kMs;
    switch (i % 40 == 0 ? -1 : i % 4) {
      case -1: v.push_back(ev(i + 1, t, "user_prompt", i, p)); break;
      case 0: v.push_back(api(i + 1, t, i, p, stepMs / 2, stepMs / 4, 100, 10, 0.001)); break;
      case 1: v.push_back(decision(i + 1, t, i, p, "Bash", "accept", "config")); break;
      case 2: v.push_back(toolResult(i + 1, t, i, p, "Bash", stepMs / 3, 1, "ls")); break;
      default: v.push_back(ev(i + 1, t, i % 97 == 3 ? "api_error" : "assistant_response", i, p));
    }
  }
  return v;
}

// What the query thread answers a slice request with (Reader::sessionDensity, chooseDetailRange,
// Reader::sessionEventsBetween), computed from an event list.
data::EventDensity densityOf(const std::vector<data::EventItem>& all, const TimelineRequest& r) {
  data::EventDensity d;
  d.fromNs = r.fromNs;
  d.bucketNs = r.bucketNs;
  d.buckets = r.buckets;
  std::map<std::pair<int, int>, std::int64_t> cells;
  for (const auto& e : all) {
    if (e.timeNs < d.fromNs || e.timeNs >= d.toNs()) continue;
    auto name = std::find(d.names.begin(), d.names.end(), e.name);
    if (name == d.names.end()) name = d.names.insert(d.names.end(), e.name);
    ++cells[{static_cast<int>(name - d.names.begin()), static_cast<int>((e.timeNs - d.fromNs) / d.bucketNs)}];
    d.lastEventId = std::max(d.lastEventId, e.id);
  }
  for (const auto& [key, n] : cells) d.cells.push_back({key.first, key.second, n});
  return d;
}

void answer(TimelineWidget& w, const std::vector<data::EventItem>& all, const TimelineRequest& r) {
  data::EventDensity d = densityOf(all, r);
  const auto detail = chooseDetailRange(d, r.view, kMaxDetailEvents);
  std::vector<data::EventItem> events;
  if (detail) {
    for (const auto& e : all)
      if (e.timeNs >= detail->fromNs && eventStartNs(e) <= detail->toNs && e.timeNs <= detail->toNs + kBarSlackNs)
        events.push_back(e);
  }
  w.setSlice(r, std::move(d), detail, std::move(events), {});
}

int distinctColours(const QImage& img) {
  QSet<QRgb> colours;
  for (int y = 0; y < img.height(); y += 3) {
    for (int x = 0; x < img.width(); x += 3) colours.insert(img.pixel(x, y));
  }
  return colours.size();
}

}  // namespace

class TimelineTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  // ---- TimeAxis ----
  void axisMappingRoundTrips() {
    TimeAxis a;
    a.setWidth(1000);
    a.setWindow(kBasic0, kBasic0 + 10 * kSec);
    QCOMPARE(a.spanNs(), 10 * kSec);
    QCOMPARE(a.xForTime(kBasic0), 0.0);
    QCOMPARE(a.xForTime(kBasic0 + 10 * kSec), 1000.0);
    QCOMPARE(a.xForTime(kBasic0 + 2500 * kMs), 250.0);
    QCOMPARE(a.timeForX(250), kBasic0 + 2500 * kMs);
    for (std::int64_t t : {kBasic0 + 1, kBasic0 + 123456789, kBasic0 + 9999999999}) {
      QVERIFY(std::llabs(a.timeForX(a.xForTime(t)) - t) <= 1);
    }
    a.setWindow(kBasic0 + 5 * kSec, kBasic0);  // reversed: swapped
    QCOMPARE(a.startNs(), kBasic0);
    QCOMPARE(a.endNs(), kBasic0 + 5 * kSec);
  }

  void axisZoomKeepsAnchor() {
    TimeAxis a;
    a.setWidth(800);
    a.setDataExtent(kBasic0, kBasic0 + 60 * kSec);
    a.setWindow(kBasic0 + 10 * kSec, kBasic0 + 30 * kSec);
    for (double x : {0.0, 123.0, 400.0, 777.5}) {
      for (double f : {2.0, 1.7, 0.8}) {
        const std::int64_t before = a.timeForX(x);
        const std::int64_t span = a.spanNs();
        a.zoomAround(x, f);
        QVERIFY2(std::llabs(a.timeForX(x) - before) <= 1, qPrintable(QString::number(a.timeForX(x) - before)));
        QVERIFY(std::llabs(a.spanNs() - std::llround(span / f)) <= 1);
      }
    }
  }

  void axisClamps() {
    TimeAxis a;
    a.setWidth(1000);
    a.setDataExtent(kBasic0, kBasic0 + 10 * kSec);
    a.fit(kBasic0, kBasic0 + 10 * kSec);
    a.zoomAround(500, 1e12);
    QCOMPARE(a.spanNs(), TimeAxis::kMinSpanNs);
    a.zoomAround(500, 1e-12);
    QCOMPARE(a.spanNs(), a.maxSpanNs());
    QCOMPARE(a.maxSpanNs(), 10 * kSec + 2 * TimeAxis::fitMarginNs(10 * kSec));
    // Panning cannot lose the data: the window's centre stays within the extent.
    a.zoomAround(500, 10);
    a.pan(-1e9);
    QCOMPARE(a.startNs() + a.spanNs() / 2, kBasic0 + 10 * kSec);
    a.pan(1e9);
    QCOMPARE(a.startNs() + a.spanNs() / 2, kBasic0);
    a.zoomAround(500, 0);  // ignored
    a.zoomAround(500, std::nan(""));
    QVERIFY(a.spanNs() >= TimeAxis::kMinSpanNs);
    // Extreme input neither overflows nor crashes.
    TimeAxis b;
    b.setWindow(INT64_MIN, INT64_MAX);
    QCOMPARE(b.spanNs(), TimeAxis::kMaxSpanWithoutDataNs);
    QVERIFY(std::isfinite(b.xForTime(INT64_MAX)) && std::isfinite(b.xForTime(INT64_MIN)));
    b.setWindow(INT64_MAX - 5, INT64_MAX);
    QVERIFY(b.endNs() >= b.startNs());
    b.pan(-1e300);
    QVERIFY(b.endNs() >= b.startNs());
    QVERIFY(!b.ticks(80).empty());
    b.setWindow(INT64_MIN, INT64_MIN + 5);
    QCOMPARE(b.startNs(), INT64_MIN);
    QVERIFY(!b.ticks(80).empty());
  }

  void axisPanAndFit() {
    TimeAxis a;
    a.setWidth(1000);
    a.setWindow(kBasic0, kBasic0 + 10 * kSec);
    a.pan(100);  // drag right by 100 px: one tenth of the span earlier
    QCOMPARE(a.startNs(), kBasic0 - kSec);
    QCOMPARE(a.spanNs(), 10 * kSec);
    a.pan(-250);
    QCOMPARE(a.startNs(), kBasic0 + 1500 * kMs);
    a.fit(kBasic0, kBasic0 + 100 * kSec);
    const std::int64_t m = TimeAxis::fitMarginNs(100 * kSec);
    QCOMPARE(m, 4 * kSec);
    QCOMPARE(a.startNs(), kBasic0 - m);
    QCOMPARE(a.endNs(), kBasic0 + 100 * kSec + m);
    a.fit(kBasic0, kBasic0);  // one event: a short window around it
    QCOMPARE(a.spanNs(), 500 * kMs);
    QVERIFY(a.xForTime(kBasic0) > 0 && a.xForTime(kBasic0) < 1000);
    a.placeTime(kBasic0, 0.95);
    QVERIFY(std::abs(a.xForTime(kBasic0) - 950) < 0.01);
  }

  void axisTicks_data() {
    QTest::addColumn<std::int64_t>("span");
    QTest::addColumn<std::int64_t>("step");
    QTest::addColumn<QString>("firstLabel");
    QTest::newRow("10 ms") << 10 * kMs << kMs << "19:17:23.996";
    QTest::newRow("1 s") << kSec << 100 * kMs << "19:17:24.0";
    QTest::newRow("2 s") << 2 * kSec << 200 * kMs << "19:17:24.0";
    QTest::newRow("1 min") << 60 * kSec << 5 * kSec << "19:17:25";
    QTest::newRow("1 h") << 3600 * kSec << 300 * kSec << "19:20";
    QTest::newRow("1 day") << 86400 * kSec << 2 * 3600 * kSec << "20:00";
    QTest::newRow("60 days") << 60 * 86400 * kSec << 7 * 86400 * kSec << "Nov 26";
  }

  void axisTicks() {
    QFETCH(std::int64_t, span);
    QFETCH(std::int64_t, step);
    QFETCH(QString, firstLabel);
    TimeAxis a;
    a.setUtcOffsetSeconds(0);
    a.setWidth(1000);
    a.setWindow(kBasic0, kBasic0 + span);
    const auto ticks = a.ticks(80);
    QVERIFY(ticks.size() >= 2);
    QCOMPARE(QString::fromStdString(ticks.front().label), firstLabel);
    for (std::size_t i = 0; i < ticks.size(); ++i) {
      QVERIFY(ticks[i].timeNs >= a.startNs() && ticks[i].timeNs <= a.endNs());
      QVERIFY(ticks[i].x >= 0 && ticks[i].x <= 1000);
      if (i == 0) continue;
      QCOMPARE(ticks[i].timeNs - ticks[i - 1].timeNs, step);
      QVERIFY(ticks[i].x - ticks[i - 1].x >= 80 - 1e-6);
      QVERIFY(ticks[i].label != ticks[i - 1].label);
    }
  }

  void axisTickLabelDetails() {
    TimeAxis a;
    a.setUtcOffsetSeconds(0);
    a.setWidth(1000);
    // Across midnight UTC, hour steps: midnight is labelled with the date, and is major.
    const std::int64_t midnight = 1795564800LL * kSec;  // 2026-11-25 00:00 UTC
    a.setWindow(midnight - 6 * 3600 * kSec, midnight + 6 * 3600 * kSec);
    const auto ticks = a.ticks(80);
    auto it = std::find_if(ticks.begin(), ticks.end(), [&](const TimeAxis::Tick& t) { return t.timeNs == midnight; });
    QVERIFY(it != ticks.end());
    QCOMPARE(QString::fromStdString(it->label), QStringLiteral("Nov 25"));
    QVERIFY(it->major);
    // A UTC+5:30 offset moves hour ticks onto local hours.
    a.setUtcOffsetSeconds(5 * 3600 + 1800);
    a.setWindow(midnight, midnight + 12 * 3600 * kSec);
    for (const auto& t : a.ticks(80)) QVERIFY(QString::fromStdString(t.label).endsWith(":00"));
    QCOMPARE(TimeAxis::niceStepNs(1), 1000LL);
    QCOMPARE(TimeAxis::niceStepNs(3 * kMs), 5 * kMs);
    QCOMPARE(TimeAxis::niceStepNs(11 * kSec), 15 * kSec);
    QCOMPARE(TimeAxis::niceStepNs(4 * 3600 * kSec), 6 * 3600 * kSec);
    QCOMPARE(QString::fromStdString(timefmt::offset(1500 * kMs, 500 * kMs)), QStringLiteral("+1.5 s"));
    QCOMPARE(QString::fromStdString(timefmt::offset(250 * kMs, 250 * kMs)), QStringLiteral("+250 ms"));
    QCOMPARE(QString::fromStdString(timefmt::offset(90 * kSec, 30 * kSec)), QStringLiteral("+1 min 30 s"));
    QCOMPARE(QString::fromStdString(timefmt::duration(356 * kMs)), QStringLiteral("356 ms"));
    QCOMPARE(QString::fromStdString(timefmt::duration(2642 * kMs)), QStringLiteral("2.64 s"));
    QCOMPARE(QString::fromStdString(timefmt::count(1234567)), QStringLiteral("1,234,567"));
  }

  // ---- LanePacking ----
  void packing() {
    // [0,10) [5,15) overlap; [10,20) touches the first; [15,16) touches the second.
    const LanePacking p = packLanes({{0, 10}, {5, 15}, {10, 20}, {15, 16}, {30, 30}, {30, 30}, {30, 40}});
    QCOMPARE(p.rows, (std::vector<int>{0, 1, 0, 1, 0, 1, 2}));
    QCOMPARE(p.rowCount, 3);
    QCOMPARE(packLanes({}).rowCount, 0);
    QCOMPARE(packLanes({{5, 1}}).rowCount, 1);  // reversed: an instant

    // Deterministic and never overlapping, whatever the input order; as many rows as the deepest overlap.
    std::mt19937 rng(7);
    std::vector<Interval> ivs;
    for (int i = 0; i < 300; ++i) {
      const std::int64_t s = rng() % 1000;
      ivs.push_back({s, s + static_cast<std::int64_t>(rng() % 50)});
    }
    const LanePacking a = packLanes(ivs), b = packLanes(ivs);
    QCOMPARE(a.rows, b.rows);
    int deepest = 0;
    for (std::int64_t t = 0; t < 1100; ++t) {
      int n = 0;
      for (const auto& iv : ivs) n += (iv.start <= t && t < std::max(iv.end, iv.start + 1)) ? 1 : 0;
      deepest = std::max(deepest, n);
    }
    QCOMPARE(a.rowCount, deepest);
    for (std::size_t i = 0; i < ivs.size(); ++i) {
      for (std::size_t j = i + 1; j < ivs.size(); ++j) {
        if (a.rows[i] != a.rows[j]) continue;
        const auto e1 = std::max(ivs[i].end, ivs[i].start + 1), e2 = std::max(ivs[j].end, ivs[j].start + 1);
        QVERIFY(ivs[i].start >= e2 || ivs[j].start >= e1);
      }
    }
    // The incremental packer gives the same rows for intervals arriving sorted.
    std::sort(ivs.begin(), ivs.end(), [](const Interval& x, const Interval& y) {
      return x.start != y.start ? x.start < y.start : std::max(x.end, x.start + 1) < std::max(y.end, y.start + 1);
    });
    const LanePacking sorted = packLanes(ivs);
    LanePacker packer;
    for (std::size_t i = 0; i < ivs.size(); ++i) {
      QVERIFY(packer.canPlace(ivs[i]));
      QCOMPARE(packer.place(ivs[i]), sorted.rows[i]);
    }
    QVERIFY(!packer.canPlace({0, 1}));
  }

  // ---- TimelineModel ----
  void modelBasic() {
    TimelineModel m;
    m.setEvents(basicSession());
    QCOMPARE(m.eventCount(), std::size_t(11));
    for (std::int64_t id = 1; id <= 11; ++id) QVERIFY2(m.itemForEvent(id) >= 0, qPrintable(QString::number(id)));
    const auto& items = m.items();
    const TimelineItem& prompt = items[std::size_t(m.itemForEvent(5))];
    QCOMPARE(prompt.kind, ItemKind::PromptSpan);
    QCOMPARE(prompt.eventIds.front(), 5);
    QCOMPARE(prompt.startNs, kBasic0 + 126 * kMs);
    QCOMPARE(prompt.endNs, kBasic0 + 911 * kMs);
    QVERIFY(QString::fromStdString(prompt.tooltip).contains("2 API calls"));

    const TimelineItem& call = items[std::size_t(m.itemForEvent(7))];
    QCOMPARE(call.lane, Lane::Api);
    QCOMPARE(call.kind, ItemKind::ApiCall);
    QCOMPARE(call.startNs, kBasic0 + 195 * kMs);  // 551 - 356
    QCOMPARE(call.endNs, kBasic0 + 551 * kMs);
    QVERIFY(call.markerNs.has_value());
    QCOMPARE(*call.markerNs, kBasic0 + 509 * kMs);  // + ttft 314
    QCOMPARE(call.modelSlot, modelColorIndex("claude-sonnet-4-5"));
    QVERIFY(QString::fromStdString(call.tooltip).contains("1,949 in"));
    QCOMPARE(m.rowCount(Lane::Api), 1);

    // The config-accepted decision is merged into the tool's bar, without a wait.
    QCOMPARE(m.itemForEvent(6), m.itemForEvent(9));
    const TimelineItem& tool = items[std::size_t(m.itemForEvent(9))];
    QCOMPARE(tool.kind, ItemKind::ToolCall);
    QCOMPARE(tool.role, ColorRole::ToolOk);
    QCOMPARE(tool.eventIds, (std::vector<std::int64_t>{9, 6}));
    QCOMPARE(tool.startNs, kBasic0 + 540 * kMs);
    QCOMPARE(tool.endNs, kBasic0 + 578 * kMs);
    QVERIFY(!tool.hasWait());

    // Ticks: two plugin_loaded at the same millisecond need two rows.
    QCOMPARE(items[std::size_t(m.itemForEvent(1))].lane, Lane::Other);
    QCOMPARE(m.rowCount(Lane::Other), 2);
    QVERIFY(items[std::size_t(m.itemForEvent(3))].row != items[std::size_t(m.itemForEvent(4))].row);
    QCOMPARE(m.firstNs(), kBasic0);
    QCOMPARE(m.lastNs(), kBasic0 + 911 * kMs);
  }

  void modelPermissionsErrorsUnknown() {
    TimelineModel m;
    m.setEvents(tmuxSession());
    const auto& items = m.items();
    const TimelineItem& reject = items[std::size_t(m.itemForEvent(106))];
    QCOMPARE(reject.kind, ItemKind::Reject);
    QCOMPARE(reject.role, ColorRole::Reject);
    QCOMPARE(reject.lane, Lane::Tools);
    QVERIFY(reject.hasWait());
    QCOMPARE(reject.waitStartNs, kTmux0 + 4590 * kMs);  // the response that proposed the call
    QCOMPARE(reject.waitEndNs, kTmux0 + 7146 * kMs);

    const TimelineItem& tool = items[std::size_t(m.itemForEvent(111))];
    QCOMPARE(m.itemForEvent(110), m.itemForEvent(111));
    QCOMPARE(tool.kind, ItemKind::ToolCall);
    QCOMPARE(tool.waitStartNs, kTmux0 + 10774 * kMs);
    QCOMPARE(tool.waitEndNs, kTmux0 + 13416 * kMs);
    QCOMPARE(tool.startNs, kTmux0 + 13418 * kMs);
    QCOMPARE(tool.extentStartNs(), tool.waitStartNs);
    QVERIFY(QString::fromStdString(tool.tooltip).contains("2.64 s waiting for permission"));

    const TimelineItem& unknown = items[std::size_t(m.itemForEvent(114))];
    QCOMPARE(unknown.lane, Lane::Other);
    QCOMPARE(unknown.kind, ItemKind::Tick);
    QCOMPARE(unknown.label, std::string("frobnicate_widget"));

    const TimelineItem& err = items[std::size_t(m.itemForEvent(115))];
    QCOMPARE(err.lane, Lane::Api);
    QCOMPARE(err.role, ColorRole::ApiError);
    QCOMPARE(err.startNs, kTmux0 + 14800 * kMs);
    QVERIFY(QString::fromStdString(err.tooltip).contains("status 529"));
    QCOMPARE(m.rowCount(Lane::Prompts), 1);  // two prompts one after the other
  }

  void modelAppend() {
    const auto all = tmuxSession();
    TimelineModel whole;
    whole.setEvents(all);
    // Live: the same events in batches give the same items, without rebuilding.
    TimelineModel live;
    for (std::size_t i = 0; i < all.size(); i += 4) {
      const std::vector<data::EventItem> batch(all.begin() + long(i), all.begin() + long(std::min(all.size(), i + 4)));
      QVERIFY(!live.append(batch));
    }
    QCOMPARE(fingerprint(live), fingerprint(whole));
    QVERIFY(!live.append({all[3], all[4]}));  // already known: ignored
    QCOMPARE(live.eventCount(), all.size());

    // The accepted decision shows as pending, then turns into the tool's bar in place.
    TimelineModel pending;
    pending.append(std::vector<data::EventItem>(all.begin(), all.begin() + 10));
    const int index = pending.itemForEvent(110);
    QCOMPARE(pending.items()[std::size_t(index)].kind, ItemKind::ToolDecision);
    QVERIFY(!pending.append({all[10]}));
    QCOMPARE(pending.itemForEvent(111), index);
    QCOMPARE(pending.items()[std::size_t(index)].kind, ItemKind::ToolCall);

    // An older event arriving late rebuilds, with the same result as loading everything at once.
    TimelineModel late;
    late.append(std::vector<data::EventItem>(all.begin() + 5, all.end()));
    QVERIFY(late.append(std::vector<data::EventItem>(all.begin(), all.begin() + 5)));
    QCOMPARE(fingerprint(late), fingerprint(whole));
  }

  void modelHooksAndOddities() {
    std::vector<data::EventItem> v;
    data::EventItem hs = ev(1, kBasic0, "hook_execution_start", 0, "P");
    hs.summary = "PreToolUse";
    data::EventItem hc = ev(2, kBasic0 + 50 * kMs, "hook_execution_complete", 1, "P");
    hc.summary = "PreToolUse";
    hc.durationMs = 48;
    data::EventItem lone = ev(3, kBasic0 + 400 * kMs, "hook_execution_complete", 2, "P");
    lone.summary = "Stop";
    lone.durationMs = 100;
    v = {hs, hc, lone, ev(4, kBasic0 + 10 * kMs, "", 3), ev(5, kBasic0 + 20 * kMs, "user_prompt", 4)};
    data::EventItem huge = ev(6, kBasic0 + 30 * kMs, "compaction", 5, "P");
    huge.durationMs = INT64_MAX;  // corrupt: clamped, no overflow
    v.push_back(huge);
    TimelineModel m;
    m.setEvents(v);
    const TimelineItem& hook = m.items()[std::size_t(m.itemForEvent(1))];
    QCOMPARE(m.itemForEvent(2), m.itemForEvent(1));
    QCOMPARE(hook.lane, Lane::Hooks);
    QCOMPARE(hook.startNs, kBasic0);
    QCOMPARE(hook.endNs, kBasic0 + 50 * kMs);
    const TimelineItem& stop = m.items()[std::size_t(m.itemForEvent(3))];
    QCOMPARE(stop.startNs, kBasic0 + 300 * kMs);  // total_duration_ms alone
    QCOMPARE(m.items()[std::size_t(m.itemForEvent(4))].label, std::string("(unnamed event)"));
    QCOMPARE(m.items()[std::size_t(m.itemForEvent(5))].lane, Lane::Other);  // user_prompt without a prompt id
    QVERIFY(m.items()[std::size_t(m.itemForEvent(6))].startNs < kBasic0);
    m.clear();
    QVERIFY(m.empty() && m.items().empty());
  }

  void modelIsFastEnough() {
    std::vector<data::EventItem> v;
    std::int64_t t = kBasic0;
    for (int i = 0; i < 5000; ++i) {
      const std::string p = "P" + std::to_string(i / 50);
      t += 137 * kMs;
      switch (i % 5) {
        case 0: v.push_back(api(i, t, i, p, 900, 300, 1000, 50, 0.01)); break;
        case 1: v.push_back(decision(i, t, i, p, "Bash", "accept", i % 3 ? "config" : "user_temporary")); break;
        case 2: v.push_back(toolResult(i, t, i, p, "Bash", 120, i % 7 ? 1 : 0)); break;
        default: v.push_back(ev(i, t, i % 2 ? "assistant_response" : "mystery_event", i, p));
      }
    }
    QElapsedTimer timer;
    timer.start();
    TimelineModel m;
    m.setEvents(v);
    QVERIFY2(timer.elapsed() < 1000, qPrintable(QString::number(timer.elapsed())));
    QCOMPARE(m.eventCount(), std::size_t(5000));
  }

  // ---- Paging (TimelinePaging) ----
  void densityCounts() {
    data::EventDensity d;
    d.fromNs = 1000;
    d.bucketNs = 10;
    d.buckets = 10;  // [1000, 1100)
    d.names = {"a", "b"};
    d.cells = {{0, 0, 5}, {1, 0, 1}, {0, 3, 7}, {1, 9, 2}};
    QCOMPARE(densityCount(d, 0, 5000), 15);
    QCOMPARE(densityCount(d, 1000, 1009), 6);
    QCOMPARE(densityCount(d, 1009, 1030), 13);  // buckets 0..3, whole
    QCOMPARE(densityCount(d, 1040, 1089), 0);
    QCOMPARE(densityCount(d, 1095, 2000), 2);
    QCOMPARE(densityCount(d, 0, 999), 0);
    QCOMPARE(densityCount(d, 1050, 1040), 0);

    // Detail: the view plus as much margin (up to one view width each side) as the limit allows.
    const auto wide = chooseDetailRange(d, {1040, 1060}, 100);
    QVERIFY(wide);
    QCOMPARE(wide->fromNs, 1020);
    QCOMPARE(wide->toNs, 1080);
    const auto narrow = chooseDetailRange(d, {1040, 1060}, 6);  // bucket 3 (7 events) is 10 ns left of the view
    QVERIFY(narrow);
    QVERIFY(narrow->fromNs > 1039 - 10 && narrow->fromNs <= 1040);
    QVERIFY(narrow->toNs >= 1060);
    QVERIFY(!chooseDetailRange(d, {1000, 1040}, 12));  // 13 in the view itself
  }

  void pagerAsksForWhatTheViewNeeds() {
    TimelinePager pager;
    QVERIFY(!pager.need({0, 100 * kSec}, 1000));  // no session: nothing to ask
    pager.reset(0, 100 * kSec);
    QVERIFY(pager.hasEvents());
    // Fitted: the density of the session, about a bucket per pixel.
    const auto r1 = pager.need({-4 * kSec, 104 * kSec}, 1000);
    QVERIFY(r1);
    QCOMPARE(r1->fromNs, -4 * kSec);
    QVERIFY(r1->toNs() > 104 * kSec);
    QCOMPARE(r1->bucketNs, 108 * kMs);
    QCOMPARE(r1->view, (TimeRange{-4 * kSec, 104 * kSec}));
    QVERIFY(!pager.need({-4 * kSec, 104 * kSec}, 1000));  // asked already
    QVERIFY(!pager.need({0, 100 * kSec}, 1000));          // inside what was asked for

    // 100 events per second: 10,000 in the view, too many for detail.
    const auto all = longSession(10000, 0, 10);
    pager.loaded(*r1, densityOf(all, *r1), std::nullopt);
    QVERIFY(pager.hasDensity());
    QVERIFY(!pager.detail());
    QVERIFY(!pager.need({-4 * kSec, 104 * kSec}, 1000));
    QVERIFY(!pager.need({10 * kSec, 90 * kSec}, 1000));  // still too many, buckets fine enough

    // Zoomed in to 10 s: the buckets are now 10 px wide, and 1,000 events fit: ask, with a margin.
    const auto r2 = pager.need({40 * kSec, 50 * kSec}, 1000);
    QVERIFY(r2);
    QCOMPARE(r2->bucketNs, 10 * kMs);
    QCOMPARE(r2->fromNs, 30 * kSec);
    QVERIFY(r2->toNs() >= 60 * kSec);
    const auto d2 = densityOf(all, *r2);
    const auto detail = chooseDetailRange(d2, r2->view, kMaxDetailEvents);
    QVERIFY(detail);
    QVERIFY(detail->contains({40 * kSec, 50 * kSec}));
    pager.loaded(*r2, d2, detail);
    QVERIFY(pager.detail());
    QVERIFY(!pager.need({40 * kSec, 50 * kSec}, 1000));
    QVERIFY(!pager.need({42 * kSec, 52 * kSec}, 1000));  // a short pan stays inside the detail
    QVERIFY(pager.need({70 * kSec, 80 * kSec}, 1000));   // a long one does not
    pager.forgetPending();
    QVERIFY(pager.need({70 * kSec, 80 * kSec}, 1000));   // forgotten: asked again

    // Beyond the session's end the range stops at it: no margin of nothing.
    TimelinePager end;
    end.reset(0, 100 * kSec);
    const auto r3 = end.need({95 * kSec, 105 * kSec}, 1000);
    QVERIFY(r3);
    QVERIFY(r3->toNs() <= 105 * kSec + r3->bucketNs);
    QCOMPARE(r3->fromNs, 85 * kSec);
  }

  void pagerFollowsLiveEvents() {
    TimelinePager pager;
    pager.reset(0, 10 * kSec);
    const auto all = longSession(100, 0, 100);  // 10 s
    const auto r = pager.need({0, 12 * kSec}, 600);
    QVERIFY(r);
    const auto d = densityOf(all, *r);
    pager.loaded(*r, d, chooseDetailRange(d, r->view, kMaxDetailEvents));
    QVERIFY(pager.detail());
    QCOMPARE(pager.detail()->toNs, std::numeric_limits<std::int64_t>::max());  // reached the end: open
    // New events after the end: counted in the density (buckets added) and taken by the detail.
    std::vector<data::EventItem> live = {ev(1000, 20 * kSec, "api_request", 1000, "L9"),
                                         ev(1001, 21 * kSec, "tool_result", 1001, "L9")};
    QVERIFY(pager.detailTakes(live[0]));
    const std::int64_t before = densityCount(pager.density(), 0, 30 * kSec);
    pager.addLive(live);
    QCOMPARE(pager.lastNs(), 21 * kSec);
    QCOMPARE(densityCount(pager.density(), 0, 30 * kSec), before + 2);
    QVERIFY(pager.density().toNs() > 21 * kSec);
    pager.addLive(live);  // delivered twice: counted once
    QCOMPARE(densityCount(pager.density(), 0, 30 * kSec), before + 2);
    // An event the density already counted (id not after its newest) is not counted again.
    pager.addLive({all[50]});
    QCOMPARE(densityCount(pager.density(), 0, 30 * kSec), before + 2);

    // A session without events yet takes its extent from the first live events.
    TimelinePager fresh;
    QVERIFY(!fresh.hasEvents());
    fresh.addLive(live);
    QVERIFY(fresh.hasEvents());
    QCOMPARE(fresh.firstNs(), 20 * kSec);
    QCOMPARE(fresh.lastNs(), 21 * kSec);
    QVERIFY(fresh.need({19 * kSec, 22 * kSec}, 600));
  }

  void densityBarsByLane() {
    const auto all = longSession(400, kBasic0, 1000);  // 400 s
    TimelineRequest r;
    r.fromNs = kBasic0;
    r.bucketNs = 10 * kSec;
    r.buckets = 40;
    const auto d = densityOf(all, r);
    const DensityBars bars = densityBars(d);
    std::array<std::int64_t, kLaneCount> perLane{};
    for (const auto& b : bars.bars) {
      perLane[static_cast<std::size_t>(b.lane)] += b.count;
      QCOMPARE(b.endNs - b.startNs, 10 * kSec);
      QVERIFY(b.count <= bars.laneMax[static_cast<std::size_t>(b.lane)]);
    }
    QCOMPARE(perLane[int(Lane::Prompts)], 10);   // user_prompt: one per 40 events
    QCOMPARE(perLane[int(Lane::Tools)], 200);    // decisions and results
    QCOMPARE(perLane[int(Lane::Api)] + perLane[int(Lane::Other)] + 10 + 200, 400);
    for (std::size_t i = 1; i < bars.bars.size(); ++i) {  // by lane, then time
      const auto& a = bars.bars[i - 1];
      const auto& b = bars.bars[i];
      QVERIFY(a.lane < b.lane || (a.lane == b.lane && a.startNs < b.startNs));
    }
    const auto withError = std::find_if(bars.bars.begin(), bars.bars.end(), [](const DensityBar& b) { return b.hasErrors; });
    QVERIFY(withError != bars.bars.end());
    QCOMPARE(withError->lane, Lane::Api);
    const QString tip = QString::fromStdString(densityTooltip(d, *withError));
    QVERIFY2(tip.contains("api_error") && tip.contains("api_request") && !tip.contains("tool_result"), qPrintable(tip));
  }

  void modelPromptSpansReachTheirExtent() {
    // Only the middle of a prompt is loaded (paging): its span still covers the prompt's first to last event.
    const auto all = tmuxSession();
    std::vector<data::EventItem> middle;
    for (const auto& e : all)
      if (e.promptId == "P2" && e.timeNs > kTmux0 + 10500 * kMs && e.timeNs < kTmux0 + 13600 * kMs) middle.push_back(e);
    QVERIFY(middle.size() >= 3);
    data::PromptSummary p2;
    p2.promptId = "P2";
    p2.text = "list the files";
    p2.firstNs = kTmux0 + 10416 * kMs;
    p2.lastNs = kTmux0 + 16000 * kMs;
    const auto spanOf = [](const TimelineModel& model) {
      return *std::find_if(model.items().begin(), model.items().end(),
                           [](const TimelineItem& it) { return it.kind == ItemKind::PromptSpan; });
    };
    TimelineModel m;
    m.setEvents(middle, {p2});
    const TimelineItem span = spanOf(m);
    QCOMPARE(span.kind, ItemKind::PromptSpan);
    QCOMPARE(span.startNs, p2.firstNs);
    QCOMPARE(span.endNs, p2.lastNs);
    QCOMPARE(span.label, std::string("list the files"));
    QVERIFY(m.firstNs() <= p2.firstNs && m.lastNs() >= p2.lastNs);
    // Prompt rows arriving later widen it too, and the lane is repacked.
    TimelineModel later;
    later.setEvents(middle);
    QVERIFY(spanOf(later).startNs > p2.firstNs);
    later.setPrompts({p2});
    QCOMPARE(spanOf(later).startNs, p2.firstNs);
    QCOMPARE(later.rowCount(Lane::Prompts), 1);
  }

  void pagedWidgetDensityDetailAndReveal() {
    // 20,000 events over 2,000 s: fitted, the timeline draws histograms; zoomed in, the events.
    const auto all = longSession(20000, kBasic0, 100);
    TimelineWidget w;
    w.resize(1000, 400);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QSignalSpy asked(&w, &TimelineWidget::sliceNeeded);
    w.showSession(all.front().timeNs, all.back().timeNs);
    QVERIFY(w.paged());
    QCOMPARE(asked.count(), 1);
    const auto r1 = asked.takeFirst().at(0).value<TimelineRequest>();
    QVERIFY(r1.view.contains({all.front().timeNs, all.back().timeNs}));  // fitted to the whole session
    answer(w, all, r1);
    QVERIFY(w.model().empty());  // too many for detail
    QVERIFY(!w.densityBars().bars.empty());
    const QImage img = w.grab().toImage();
    QVERIFY(distinctColours(img) > 5);
    QVERIFY(img.save("/tmp/timeline-density.png"));

    // Hover over the API lane's histogram in the middle: a tooltip of counts; a click zooms in.
    const DensityBar* apiBar = nullptr;
    for (const auto& b : w.densityBars().bars)
      if (b.lane == Lane::Api && b.startNs > kBasic0 + 900 * kSec && !apiBar) apiBar = &b;
    QVERIFY(apiBar);
    const double x = 84 + w.axis().xForTime(apiBar->startNs) + 0.5;
    double y = -1;
    for (int py = 26; py < 400 && y < 0; ++py)
      if (w.densityBarAt(QPointF(x, py)) >= 0 &&
          w.densityBars().bars[std::size_t(w.densityBarAt(QPointF(x, py)))].lane == Lane::Api)
        y = py;
    QVERIFY(y > 0);
    QVERIFY(w.toolTipAt(QPointF(x, y)).contains("api_request"));
    const std::int64_t span = w.axis().spanNs();
    QTest::mouseClick(&w, Qt::LeftButton, {}, QPointF(x, y).toPoint());
    QVERIFY(w.axis().spanNs() < span / 3);
    QVERIFY(asked.wait(1000));  // the zoomed view asks (after a short pause for more steps)

    // Zoom in until the view holds few enough events: the events themselves arrive and are drawn.
    for (int i = 0; i < 40 && w.model().empty(); ++i) {
      while (!asked.isEmpty()) answer(w, all, asked.takeFirst().at(0).value<TimelineRequest>());
      if (!w.model().empty()) break;
      w.zoomIn();
      asked.wait(500);
    }
    QVERIFY(!w.model().empty());
    QVERIFY(w.model().eventCount() <= std::size_t(kMaxDetailEvents) + 200);
    const std::int64_t mid = (w.axis().startNs() + w.axis().endNs()) / 2;
    const auto near = std::min_element(all.begin(), all.end(), [mid](const auto& a, const auto& b) {
      return std::llabs(a.timeNs - mid) < std::llabs(b.timeNs - mid);
    });
    QVERIFY(w.model().itemForEvent(near->id) >= 0);
    QVERIFY(w.pager().detail()->contains({w.axis().startNs(), w.axis().endNs()}));

    // An event far outside what is loaded, picked elsewhere: the view goes there, and once its detail has
    // arrived it is selected.
    const data::EventItem& far = all[19000];
    QVERIFY(w.model().itemForEvent(far.id) < 0);
    w.revealEvent(far.id, far.timeNs);
    QVERIFY(w.axis().startNs() <= far.timeNs && far.timeNs <= w.axis().endNs());
    QVERIFY(!asked.isEmpty() || asked.wait(500));
    while (!asked.isEmpty()) answer(w, all, asked.takeFirst().at(0).value<TimelineRequest>());
    QCOMPARE(w.selectedEventId(), far.id);
    QVERIFY(w.model().itemForEvent(far.id) >= 0);

    // Fit shows the whole session again, not only what is loaded.
    w.fitToData();
    QVERIFY(w.axis().startNs() <= all.front().timeNs && w.axis().endNs() >= all.back().timeNs);
  }

  void pagedWidgetFollowsLive() {
    // A live session opened in paged mode: events appended after the loaded end are drawn at once.
    auto all = longSession(300, kBasic0, 100);
    TimelineWidget w;
    w.resize(1000, 400);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.setFollowLive(true);
    QSignalSpy asked(&w, &TimelineWidget::sliceNeeded);
    const std::vector<data::EventItem> first(all.begin(), all.begin() + 200);
    w.showSession(first.front().timeNs, first.back().timeNs);
    QCOMPARE(asked.count(), 1);
    answer(w, first, asked.takeFirst().at(0).value<TimelineRequest>());
    QCOMPARE(w.model().eventCount(), std::size_t(200));
    w.appendEvents(std::vector<data::EventItem>(all.begin() + 200, all.end()));
    QCOMPARE(w.model().eventCount(), std::size_t(300));
    const double x = w.axis().xForTime(all.back().timeNs);
    QVERIFY2(x >= 0 && x <= w.axis().width(), qPrintable(QString::number(x)));
    QCOMPARE(w.pager().lastNs(), all.back().timeNs);

    // An empty session fills in from its first live events.
    TimelineWidget e;
    e.resize(1000, 400);
    QSignalSpy eAsked(&e, &TimelineWidget::sliceNeeded);
    e.showSession(0, 0, true);
    QCOMPARE(eAsked.count(), 0);
    e.appendEvents(std::vector<data::EventItem>(all.begin(), all.begin() + 10));
    QCOMPARE(eAsked.count(), 1);
    answer(e, std::vector<data::EventItem>(all.begin(), all.begin() + 10), eAsked.takeFirst().at(0).value<TimelineRequest>());
    QCOMPARE(e.model().eventCount(), std::size_t(10));
  }

  // ---- TraceLayout ----
  void traceBasic() {
    auto events = eventsOfPrompt(basicSession(), "10d9fc3a-5b0c-4f43-9d0e-6a1b2c3d4e5f");
    std::shuffle(events.begin(), events.end(), std::mt19937(3));  // sequence order is restored
    const TraceLayout l = buildTraceLayout(events);
    QCOMPARE(l.rows.size(), std::size_t(7));
    for (std::size_t i = 0; i < l.rows.size(); ++i) QCOMPARE(l.rows[i].eventId, std::int64_t(5 + i));
    QCOMPARE(l.summary.originNs, kBasic0 + 126 * kMs);
    QCOMPARE(l.summary.totalNs(), 785 * kMs);
    const TraceRow& call = l.rows[2];
    QCOMPARE(call.offsetNs, 69 * kMs);
    QCOMPARE(call.durationNs, 356 * kMs);
    QCOMPARE(*call.ttftOffsetNs, 383 * kMs);
    const TraceRow& tool = l.rows[4];
    QCOMPARE(tool.offsetNs, 414 * kMs);
    QCOMPARE(tool.durationNs, 38 * kMs);
    QVERIFY(!tool.hasWait());  // allowed by config: nobody was asked
    QCOMPARE(l.rows[1].durationNs, 0);  // the decision is an instant
    QCOMPARE(l.rows[0].depth, 0);
    QCOMPARE(l.rows[0].parent, -1);
    QCOMPARE(l.summary.apiCalls, 2);
    QCOMPARE(l.summary.tools, 1);
    QCOMPARE(l.summary.tokens.total(), 3411);
    QVERIFY(std::abs(l.summary.costUsd - 0.05187135) < 1e-9);
    QCOMPARE(l.summary.apiTimeNs, 669 * kMs);
    QCOMPARE(l.rowForEvent(9), 4);
  }

  void traceWaitsAndErrors() {
    const auto all = tmuxSession();
    const TraceLayout p2 = buildTraceLayout(eventsOfPrompt(all, "P2"));
    const TraceRow& tool = p2.rows[std::size_t(p2.rowForEvent(111))];
    QCOMPARE(tool.waitOffsetNs, 358 * kMs);  // 10774 - 10416
    QCOMPARE(tool.waitNs, 2642 * kMs);
    QCOMPARE(tool.offsetNs, 3002 * kMs);
    QCOMPARE(p2.summary.permissionWaitNs, 2642 * kMs);
    const TraceRow& err = p2.rows[std::size_t(p2.rowForEvent(115))];
    QVERIFY(err.error);
    QCOMPARE(err.durationNs, 1200 * kMs);
    QCOMPARE(p2.summary.apiErrors, 1);

    const TraceLayout p1 = buildTraceLayout(eventsOfPrompt(all, "P1"));
    const TraceRow& reject = p1.rows[std::size_t(p1.rowForEvent(106))];
    QCOMPARE(reject.role, ColorRole::Reject);
    QCOMPARE(reject.waitNs, 2556 * kMs);
    QCOMPARE(reject.durationNs, 0);
    QCOMPARE(p1.summary.rejections, 1);

    // An API call logged before anything else of its prompt: the origin moves to its start.
    const TraceLayout early = buildTraceLayout({api(1, kBasic0 + kSec, 0, "X", 800, 100, 1, 1, 0),
                                                ev(2, kBasic0 + 1100 * kMs, "odd_thing", 1, "X")});
    QCOMPARE(early.summary.originNs, kBasic0 + 200 * kMs);
    QCOMPARE(early.rows[0].offsetNs, 0);
    QCOMPARE(early.rows[1].offsetNs, 900 * kMs);
    QCOMPARE(early.rows[1].durationNs, 0);
    QVERIFY(buildTraceLayout({}).empty());
  }

  // ---- widgets ----
  void timelineWidgetRendersAndClicks() {
    TimelineWidget w;
    w.resize(1000, 400);
    w.setEvents(basicSession());
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    const QImage img = w.grab().toImage();
    QCOMPARE(img.size(), QSize(1000, 400));
    QVERIFY(distinctColours(img) > 10);

    QSignalSpy spy(&w, &TimelineWidget::eventSelected);
    const QRectF call = w.itemRect(w.model().itemForEvent(7));
    QVERIFY(call.width() > 20);
    QTest::mouseClick(&w, Qt::LeftButton, {}, call.center().toPoint());
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).value<std::int64_t>(), 7);
    QCOMPARE(w.selectedEventId(), 7);
    QTest::mouseClick(&w, Qt::LeftButton, {}, w.itemRect(w.model().itemForEvent(9)).center().toPoint());
    QCOMPARE(spy.count(), 2);
    QCOMPARE(spy.at(1).at(0).value<std::int64_t>(), 9);
    QTest::mouseClick(&w, Qt::LeftButton, {}, w.itemRect(w.model().itemForEvent(5)).center().toPoint());
    QCOMPARE(spy.at(2).at(0).value<std::int64_t>(), 5);  // the prompt span selects its user_prompt
    QTest::mouseClick(&w, Qt::LeftButton, {}, QPoint(999, 399));  // empty space
    QCOMPARE(spy.count(), 3);
    QCOMPARE(w.selectedEventId(), -1);
    QVERIFY(w.toolTipAt(call.center()).contains("api_request"));
    QHelpEvent help(QEvent::ToolTip, call.center().toPoint(), w.mapToGlobal(call.center().toPoint()));
    QApplication::sendEvent(&w, &help);
    QVERIFY(QToolTip::text().contains("time to first token 314 ms"));
    QVERIFY(w.toolTipAt(QPointF(999, 399)).isEmpty());
  }

  void timelineWidgetZoomPanKeys() {
    TimelineWidget w;
    w.resize(1000, 400);
    w.setEvents(basicSession());
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    const std::int64_t span = w.axis().spanNs();
    const QPointF at(500, 200);
    const std::int64_t anchor = w.axis().timeForX(at.x() - 84);
    QWheelEvent wheel(at, w.mapToGlobal(at), QPoint(), QPoint(0, 240), Qt::NoButton, Qt::NoModifier,
                      Qt::NoScrollPhase, false);
    QApplication::sendEvent(&w, &wheel);
    QVERIFY(w.axis().spanNs() < span * 2 / 3);
    QVERIFY(std::llabs(w.axis().timeForX(at.x() - 84) - anchor) <= 1);
    const std::int64_t start = w.axis().startNs();
    QTest::mousePress(&w, Qt::LeftButton, {}, QPoint(500, 200));
    QTest::mouseMove(&w, QPoint(560, 200));
    QTest::mouseRelease(&w, Qt::LeftButton, {}, QPoint(560, 200));
    QVERIFY(w.axis().startNs() < start);  // dragged right: earlier times
    QTest::mouseDClick(&w, Qt::LeftButton, {}, QPoint(500, 390));
    QCOMPARE(w.axis().spanNs(), span);  // double-click fits
    QTest::keyClick(&w, Qt::Key_Plus);
    QTest::keyClick(&w, Qt::Key_F);
    QCOMPARE(w.axis().spanNs(), span);
    QTest::keyClick(&w, Qt::Key_Plus);
    QVERIFY(w.axis().spanNs() < span);
    QTest::keyClick(&w, Qt::Key_Minus);
    const std::int64_t s2 = w.axis().startNs();
    QTest::keyClick(&w, Qt::Key_Right);
    QVERIFY(w.axis().startNs() > s2);
    // selectEvent scrolls an off-screen item into view.
    for (int i = 0; i < 8; ++i) QTest::keyClick(&w, Qt::Key_Plus);
    w.selectEvent(1);
    const QRectF r = w.itemRect(w.model().itemForEvent(1));
    QVERIFY(r.center().x() >= 84 && r.center().x() <= 1000);
    QCOMPARE(w.selectedEventId(), 1);
  }

  void timelineWidgetFollowsLive() {
    TimelineWidget w;
    w.resize(1000, 400);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.model().empty());
    QVERIFY(distinctColours(w.grab().toImage()) > 1);  // the empty-state message
    auto all = tmuxSession();
    w.appendEvents(std::vector<data::EventItem>(all.begin(), all.begin() + 6));
    w.setFollowLive(true);
    for (int i = 0; i < 4; ++i) w.zoomIn();
    QSignalSpy range(&w, &TimelineWidget::visibleRangeChanged);
    w.appendEvents(std::vector<data::EventItem>(all.begin() + 6, all.end()));
    const double x = w.axis().xForTime(w.model().lastNs());
    QVERIFY2(x >= 0 && x <= w.axis().width(), qPrintable(QString::number(x)));
    QVERIFY(range.count() >= 1);
    // Dragging away stops following; later events then leave the window alone.
    QSignalSpy follow(&w, &TimelineWidget::followLiveChanged);
    QTest::mousePress(&w, Qt::LeftButton, {}, QPoint(500, 200));
    QTest::mouseMove(&w, QPoint(700, 200));
    QTest::mouseRelease(&w, Qt::LeftButton, {}, QPoint(700, 200));
    QCOMPARE(follow.count(), 1);
    QVERIFY(!w.followLive());
    const std::int64_t start = w.axis().startNs();
    w.appendEvents({ev(999, kTmux0 + 40 * kSec, "api_request", 99, "P2")});
    QCOMPARE(w.axis().startNs(), start);
    w.clear();
    QVERIFY(w.model().empty());
  }

  void timelineScreenshot() {
    TimelineWidget w;
    w.resize(1000, 400);
    std::vector<data::PromptSummary> prompts(3);
    prompts[0].promptId = "10d9fc3a-5b0c-4f43-9d0e-6a1b2c3d4e5f";
    prompts[0].text = "run echo hi";
    prompts[1].promptId = "7f3e9a10-aaaa-bbbb-cccc-000000000002";
    prompts[1].text = "find the TODOs in src and run the tests";
    prompts[2].promptId = "c0ffee00-aaaa-bbbb-cccc-000000000003";
    prompts[2].text = "write the summary to NOTES.md";
    w.setEvents(richSession(), prompts);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.selectEvent(w.model().items()[std::size_t(w.model().itemForEvent(7))].eventIds.front());
    QVERIFY(w.grab().save("/tmp/timeline.png"));
  }

  void widgetsFollowThePalette() {
    // Dark mode: background, label column and text come from the palette, not from fixed colours.
    QPalette dark;
    dark.setColor(QPalette::Base, QColor(30, 30, 32));
    dark.setColor(QPalette::AlternateBase, QColor(40, 40, 44));
    dark.setColor(QPalette::Window, QColor(45, 45, 48));
    dark.setColor(QPalette::Text, QColor(230, 230, 230));
    dark.setColor(QPalette::WindowText, QColor(230, 230, 230));
    TimelineWidget w;
    w.setPalette(dark);
    w.resize(1000, 400);
    w.setEvents(basicSession());
    const QImage img = w.grab().toImage();
    QCOMPARE(img.pixelColor(500, 390), QColor(30, 30, 32));  // below the lanes: Base
    QCOMPARE(img.pixelColor(4, 390), QColor(45, 45, 48));    // label column: Window
    TraceWidget t;
    t.setPalette(dark);
    t.resize(600, 300);
    t.setEvents(eventsOfPrompt(basicSession(), "10d9fc3a-5b0c-4f43-9d0e-6a1b2c3d4e5f"));
    QCOMPARE(t.grab().toImage().pixelColor(300, 290), QColor(30, 30, 32));
  }

  void traceWidgetRendersAndClicks() {
    TraceWidget t;
    t.resize(900, 380);
    t.show();
    QVERIFY(QTest::qWaitForWindowExposed(&t));
    QVERIFY(distinctColours(t.grab().toImage()) > 1);  // the empty-state message
    t.setEvents(eventsOfPrompt(richSession(), "7f3e9a10-aaaa-bbbb-cccc-000000000002"));
    const QImage img = t.grab().toImage();
    QCOMPARE(img.size(), QSize(900, 380));
    QVERIFY(distinctColours(img) > 10);
    QVERIFY(img.save("/tmp/trace.png"));

    QSignalSpy spy(&t, &TraceWidget::eventSelected);
    const int row = t.traceLayout().rowForEvent(210);  // the Bash call the user approved
    QVERIFY(row >= 0);
    QVERIFY(t.traceLayout().rows[std::size_t(row)].hasWait());
    QTest::mouseClick(t.viewport(), Qt::LeftButton, {}, t.barRect(row).center().toPoint());
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).value<std::int64_t>(), std::int64_t(210));
    QCOMPARE(t.selectedEventId(), std::int64_t(210));
    QVERIFY(t.toolTipAt(t.barRect(row).center().toPoint()).contains("for permission"));
    QTest::keyClick(&t, Qt::Key_Down);
    QCOMPARE(spy.count(), 2);
    t.selectEvent(200);
    QCOMPARE(t.selectedEventId(), 200);
    QCOMPARE(spy.count(), 2);  // selection from outside does not echo
    t.clear();
    QVERIFY(t.traceLayout().empty());
  }
};

QTEST_MAIN(TimelineTest)
#include "tst_timeline.moc"
