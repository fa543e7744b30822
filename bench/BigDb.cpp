#include "BigDb.h"

#include <QDirIterator>
#include <QFile>

#include <chrono>
#include <cmath>
#include <future>
#include <map>
#include <random>
#include <set>
#include <stdexcept>

#include "model/Normalizer.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "otlp/OtlpJson.h"
#include "store/Writer.h"

namespace cctv::bench {

namespace {

namespace logs = opentelemetry::proto::logs::v1;
namespace metrics = opentelemetry::proto::metrics::v1;
namespace trace = opentelemetry::proto::trace::v1;
namespace common = opentelemetry::proto::common::v1;
using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest;
using opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;

constexpr std::int64_t kSec = 1'000'000'000;
constexpr std::int64_t kDay = 86400 * kSec;

// The records of one prompt of one capture, in sequence order, and its spans when the capture was traced.
struct Block {
  std::vector<logs::LogRecord> records;
  std::vector<trace::Span> spans;
};

struct Templates {
  opentelemetry::proto::resource::v1::Resource resource;
  common::InstrumentationScope scope;
  Block startup;              // a session's records before its first prompt
  std::vector<Block> prompts;
};

const common::AnyValue* attr(const logs::LogRecord& r, const std::string& key) {
  for (const auto& kv : r.attributes())
    if (kv.key() == key) return &kv.value();
  return nullptr;
}

double number(const common::AnyValue* v) {
  if (!v) return 0;
  switch (v->value_case()) {
    case common::AnyValue::kIntValue: return static_cast<double>(v->int_value());
    case common::AnyValue::kDoubleValue: return v->double_value();
    case common::AnyValue::kStringValue: return std::atof(v->string_value().c_str());
    default: return 0;
  }
}

template <typename Request>
bool parseFile(const QString& path, Request* req) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return false;
  const QByteArray body = f.readAll();
  std::string err;
  return otlp::parseOtlpJson(std::string_view(body.constData(), static_cast<std::size_t>(body.size())), req, &err);
}

Templates loadTemplates(const std::string& fixturesDir, bool rawBodies) {
  Templates t;
  QStringList files;
  QDirIterator it(QString::fromStdString(fixturesDir), {QStringLiteral("*-logs.json")}, QDir::Files,
                  QDirIterator::Subdirectories);
  while (it.hasNext()) files << it.next();
  files.sort();
  std::set<std::string> seen;
  std::map<std::string, std::size_t> byPrompt;
  std::map<std::string, std::string> traceOfPrompt;  // prompt id -> trace id bytes
  for (const QString& f : files) {
    ExportLogsServiceRequest req;
    if (!parseFile(f, &req)) continue;
    const bool basic = f.contains(QLatin1String("/json-basic/"));
    for (const auto& rl : req.resource_logs()) {
      if (!t.resource.attributes_size()) t.resource = rl.resource();
      for (const auto& sl : rl.scope_logs()) {
        if (t.scope.name().empty()) t.scope = sl.scope();
        for (const auto& r : sl.log_records()) {
          if (!rawBodies && r.body().string_value().find("_body") != std::string::npos) continue;
          std::string key = std::to_string(r.time_unix_nano());
          for (const char* k : {"session.id", "event.sequence"})
            if (const auto* v = attr(r, k)) key += "|" + v->SerializeAsString();
          if (!seen.insert(key).second) continue;  // a resend
          const auto* pid = attr(r, "prompt.id");
          if (!pid) {
            if (basic) t.startup.records.push_back(r);
            continue;
          }
          auto [pos, added] = byPrompt.emplace(pid->string_value(), t.prompts.size());
          if (added) t.prompts.emplace_back();
          t.prompts[pos->second].records.push_back(r);
          if (!r.trace_id().empty()) traceOfPrompt[pid->string_value()] = r.trace_id();
        }
      }
    }
  }
  // The spans of traced captures, attached to the prompt whose records carry their trace id.
  QDirIterator st(QString::fromStdString(fixturesDir), {QStringLiteral("*-traces.json")}, QDir::Files,
                  QDirIterator::Subdirectories);
  std::map<std::string, std::vector<trace::Span>> spansOfTrace;
  while (st.hasNext()) {
    ExportTraceServiceRequest req;
    if (!parseFile(st.next(), &req)) continue;
    for (const auto& rs : req.resource_spans())
      for (const auto& ss : rs.scope_spans())
        for (const auto& s : ss.spans()) spansOfTrace[s.trace_id()].push_back(s);
  }
  for (const auto& [prompt, traceId] : traceOfPrompt) t.prompts[byPrompt[prompt]].spans = spansOfTrace[traceId];
  auto seq = [](const logs::LogRecord& r) { return number(attr(r, "event.sequence")); };
  for (Block& b : t.prompts)
    std::stable_sort(b.records.begin(), b.records.end(), [&](auto& a, auto& c) { return seq(a) < seq(c); });
  return t;
}

std::string hexId(std::mt19937_64& rng, int bytes) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < bytes; ++i) {
    const auto b = static_cast<unsigned>(rng() & 0xff);
    s += digits[b >> 4];
    s += digits[b & 15];
  }
  return s;
}

std::string uuid(std::mt19937_64& rng) {
  std::string h = hexId(rng, 16);
  h[12] = '4';
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
}

std::string rawId(std::mt19937_64& rng, int bytes) {
  std::string s(static_cast<std::size_t>(bytes), '\0');
  for (char& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

void setString(google::protobuf::RepeatedPtrField<common::KeyValue>* kvs, const std::string& key, const std::string& v) {
  for (auto& kv : *kvs)
    if (kv.key() == key) {
      kv.mutable_value()->set_string_value(v);
      return;
    }
}

void addString(metrics::NumberDataPoint* p, const std::string& key, const std::string& v) {
  auto* kv = p->add_attributes();
  kv->set_key(key);
  kv->mutable_value()->set_string_value(v);
}

// Per minute of one session: what its api_request events cost, for the delta metrics.
struct MinuteUsage {
  double cost = 0;
  double input = 0, output = 0, cacheRead = 0, cacheCreation = 0;
};

}  // namespace

BigDbResult makeBigDb(const BigDbOptions& o, const std::string& fixturesDir,
                      const std::function<void(std::int64_t)>& progress) {
  BigDbResult result;
  const auto t0 = std::chrono::steady_clock::now();
  const Templates tpl = loadTemplates(fixturesDir, o.rawBodies);
  if (tpl.prompts.empty()) {
    result.error = "no prompts found in " + fixturesDir;
    return result;
  }
  store::Writer writer(store::WriterOptions{o.path});
  if (!writer.open(&result.error)) return result;

  std::mt19937_64 rng(o.seed);
  const std::int64_t end =
      o.endNs ? o.endNs
              : std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  // Session sizes: log-normal weights scaled to the event total (many short sessions, a few very long ones).
  std::lognormal_distribution<double> sizeDist(0.0, 1.2);
  std::vector<double> weights(static_cast<std::size_t>(o.sessions));
  double sum = 0;
  for (double& w : weights) sum += (w = sizeDist(rng));
  std::vector<std::string> users;
  for (int i = 0; i < 25; ++i) users.push_back(hexId(rng, 32));
  const char* terminals[] = {"xterm-256color", "vscode", "tmux", "iTerm.app", "non-interactive"};
  const char* models[] = {"claude-sonnet-4-5", "claude-sonnet-4-5", "claude-sonnet-4-5", "claude-opus-4-1",
                          "claude-haiku-4-5"};
  std::uniform_int_distribution<std::size_t> pickPrompt(0, tpl.prompts.size() - 1);
  std::uniform_int_distribution<std::int64_t> gap(5 * kSec, 180 * kSec);

  std::vector<std::future<void>> inflight;
  auto submit = [&](model::NormalizedBatch&& batch) {
    auto job = std::make_unique<store::WriteJob>();
    job->batch = std::move(batch);
    auto p = std::make_shared<std::promise<void>>();
    inflight.push_back(p->get_future());
    job->done = [p](const store::WriteResult&) { p->set_value(); };
    // At most 40 jobs of 500 items wait at a time: far below the queue's cap, so it always takes them.
    if (writer.submit(std::move(job)) != store::Writer::Submit::Queued) throw std::runtime_error("writer refused a job");
    if (inflight.size() > 40) {
      for (auto& f : inflight) f.wait();
      inflight.clear();
    }
  };

  ExportLogsServiceRequest logReq;
  auto* sl = logReq.add_resource_logs();
  *sl->mutable_resource() = tpl.resource;
  auto* scopeLogs = sl->add_scope_logs();
  *scopeLogs->mutable_scope() = tpl.scope;
  ExportTraceServiceRequest spanReq;
  auto* scopeSpans = spanReq.add_resource_spans()->add_scope_spans();
  *spanReq.mutable_resource_spans(0)->mutable_resource() = tpl.resource;
  scopeSpans->mutable_scope()->set_name("com.anthropic.claude_code.tracing");
  auto flush = [&] {
    if (scopeLogs->log_records_size() == 0 && scopeSpans->spans_size() == 0) return;
    model::NormalizedBatch batch;
    model::normalizeLogs(logReq, &batch);
    if (scopeSpans->spans_size()) model::normalizeTraces(spanReq, &batch);
    result.events += scopeLogs->log_records_size();
    result.spans += scopeSpans->spans_size();
    scopeLogs->clear_log_records();
    scopeSpans->clear_spans();
    submit(std::move(batch));
    if (progress) progress(result.events);
  };

  std::int64_t largest = 0;
  for (int si = 0; si < o.sessions; ++si) {
    const auto target = std::max<std::int64_t>(20, std::llround(static_cast<double>(o.events) * weights[static_cast<std::size_t>(si)] / sum));
    const std::string session = uuid(rng);
    const std::string& user = users[rng() % users.size()];
    const std::string terminal = terminals[rng() % 5];
    const std::string model = models[rng() % 5];
    // Start somewhere in the last 90 days, late enough that long sessions still end before `end`.
    const std::int64_t start = end - 90 * kDay + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(89 * kDay));
    std::int64_t cursor = start, seq = 0, count = 0;
    std::map<std::int64_t, MinuteUsage> usage;
    auto emitBlock = [&](const Block& b, const std::string& promptId) {
      if (b.records.empty()) return;
      const std::int64_t base = static_cast<std::int64_t>(b.records.front().time_unix_nano());
      const std::string traceId = b.spans.empty() ? std::string() : rawId(rng, 16);
      std::map<std::string, std::string> spanIds;  // template span id -> fresh
      auto newSpanId = [&](const std::string& old) {
        if (old.empty()) return old;
        auto [it, added] = spanIds.emplace(old, std::string());
        if (added) it->second = rawId(rng, 8);
        return it->second;
      };
      std::int64_t last = cursor;
      for (const auto& tr : b.records) {
        logs::LogRecord* r = scopeLogs->add_log_records();
        *r = tr;
        const std::int64_t t = cursor + (static_cast<std::int64_t>(tr.time_unix_nano()) - base);
        last = std::max(last, t);
        r->set_time_unix_nano(static_cast<std::uint64_t>(t));
        r->set_observed_time_unix_nano(static_cast<std::uint64_t>(t));
        if (!traceId.empty() && !tr.trace_id().empty()) {
          r->set_trace_id(traceId);
          r->set_span_id(newSpanId(tr.span_id()));
        } else {
          r->clear_trace_id();
          r->clear_span_id();
        }
        auto* kvs = r->mutable_attributes();
        setString(kvs, "session.id", session);
        setString(kvs, "prompt.id", promptId);
        setString(kvs, "user.id", user);
        setString(kvs, "terminal.type", terminal);
        setString(kvs, "event.timestamp", model::isoMillis(t));
        for (auto& kv : *kvs)
          if (kv.key() == "event.sequence") kv.mutable_value()->set_int_value(seq);
        ++seq;
        if (r->body().string_value() == "claude_code.api_request") {
          setString(kvs, "model", model);
          MinuteUsage& u = usage[(t - start) / (60 * kSec)];
          u.cost += number(attr(*r, "cost_usd"));
          u.input += number(attr(*r, "input_tokens"));
          u.output += number(attr(*r, "output_tokens"));
          u.cacheRead += number(attr(*r, "cache_read_tokens"));
          u.cacheCreation += number(attr(*r, "cache_creation_tokens"));
        }
        if (scopeLogs->log_records_size() >= 500) flush();
      }
      for (const auto& ts : b.spans) {
        trace::Span* s = scopeSpans->add_spans();
        *s = ts;
        s->set_trace_id(traceId);
        s->set_span_id(newSpanId(ts.span_id()));
        s->set_parent_span_id(newSpanId(ts.parent_span_id()));
        const std::int64_t shift = cursor - base;
        s->set_start_time_unix_nano(static_cast<std::uint64_t>(static_cast<std::int64_t>(ts.start_time_unix_nano()) + shift));
        s->set_end_time_unix_nano(static_cast<std::uint64_t>(static_cast<std::int64_t>(ts.end_time_unix_nano()) + shift));
        for (auto& ev : *s->mutable_events())
          ev.set_time_unix_nano(static_cast<std::uint64_t>(static_cast<std::int64_t>(ev.time_unix_nano()) + shift));
        setString(s->mutable_attributes(), "session.id", session);
        setString(s->mutable_attributes(), "gen_ai.conversation.id", session);
        setString(s->mutable_attributes(), "user.id", user);
      }
      count += static_cast<std::int64_t>(b.records.size());
      cursor = last + gap(rng);
    };
    emitBlock(tpl.startup, std::string());
    while (count < target) {
      emitBlock(tpl.prompts[pickPrompt(rng)], uuid(rng));
      ++result.prompts;
    }
    if (count > largest) {
      largest = count;
      result.largestSession = session;
    }
    // The session's delta metrics: one point per minute with usage, as Claude Code exports every 60 s.
    ExportMetricsServiceRequest mreq;
    auto* rm = mreq.add_resource_metrics();
    *rm->mutable_resource() = tpl.resource;
    auto* sm = rm->add_scope_metrics();
    sm->mutable_scope()->set_name("com.anthropic.claude_code");
    auto addSum = [&](const char* name, const char* unit) {
      auto* m = sm->add_metrics();
      m->set_name(name);
      m->set_unit(unit);
      m->mutable_sum()->set_aggregation_temporality(metrics::AGGREGATION_TEMPORALITY_DELTA);
      m->mutable_sum()->set_is_monotonic(true);
      return m->mutable_sum();
    };
    auto* costSum = addSum("claude_code.cost.usage", "USD");
    auto* tokenSum = addSum("claude_code.token.usage", "tokens");
    std::int64_t prevEnd = start;
    for (const auto& [minute, u] : usage) {
      const std::int64_t pointEnd = start + (minute + 1) * 60 * kSec;
      auto point = [&](metrics::Sum* s, double v, const char* type) {
        auto* p = s->add_data_points();
        p->set_start_time_unix_nano(static_cast<std::uint64_t>(prevEnd));
        p->set_time_unix_nano(static_cast<std::uint64_t>(pointEnd));
        p->set_as_double(v);
        addString(p, "session.id", session);
        addString(p, "user.id", user);
        addString(p, "model", model);
        if (type) addString(p, "type", type);
        ++result.metricPoints;
      };
      point(costSum, u.cost, nullptr);
      point(tokenSum, u.input, "input");
      point(tokenSum, u.output, "output");
      point(tokenSum, u.cacheRead, "cacheRead");
      point(tokenSum, u.cacheCreation, "cacheCreation");
      prevEnd = pointEnd;
    }
    flush();
    model::NormalizedBatch mbatch;
    model::normalizeMetrics(mreq, &mbatch);
    submit(std::move(mbatch));
    ++result.sessions;
  }
  flush();
  for (auto& f : inflight) f.wait();
  writer.stop();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result;
}

}  // namespace cctv::bench
