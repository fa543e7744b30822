#include "Corpus.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>

#include <set>

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "model/Normalizer.h"
#include "otlp/OtlpJson.h"

namespace cctv::bench {

namespace logs = opentelemetry::proto::logs::v1;
using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;

struct Corpus::Impl {
  opentelemetry::proto::resource::v1::Resource resource;
  opentelemetry::proto::common::v1::InstrumentationScope scope;
  std::vector<logs::LogRecord> records;  // in session order, each session's records contiguous
};

Corpus::Corpus(const std::string& fixturesDir, bool withRawBodies) : d(std::make_shared<Impl>()) {
  std::set<std::string> seen;  // (session, sequence): resends appear once
  QStringList files;
  QDirIterator it(QString::fromStdString(fixturesDir), {QStringLiteral("*-logs.json")}, QDir::Files,
                  QDirIterator::Subdirectories);
  while (it.hasNext()) files << it.next();
  files.sort();
  for (const QString& f : files) {
    QFile file(f);
    if (!file.open(QIODevice::ReadOnly)) continue;
    const QByteArray body = file.readAll();
    ExportLogsServiceRequest req;
    std::string err;
    if (!otlp::parseOtlpJson(std::string_view(body.constData(), static_cast<size_t>(body.size())), &req, &err))
      continue;
    for (const auto& rl : req.resource_logs()) {
      if (!d->resource.attributes_size()) d->resource = rl.resource();
      for (const auto& sl : rl.scope_logs()) {
        if (d->scope.name().empty()) d->scope = sl.scope();
        for (const auto& r : sl.log_records()) {
          if (!withRawBodies && r.body().string_value().find("_body") != std::string::npos) continue;
          std::string key = std::to_string(r.time_unix_nano());
          for (const auto& kv : r.attributes())
            if (kv.key() == "session.id" || kv.key() == "event.sequence") key += "|" + kv.value().SerializeAsString();
          if (seen.insert(key).second) d->records.push_back(r);
        }
      }
    }
  }
}

std::size_t Corpus::templateRecords() const { return d->records.size(); }

std::vector<Batch> Corpus::batches(std::int64_t count, int perBatch, std::uint64_t salt) const {
  std::vector<Batch> out;
  ExportLogsServiceRequest req;
  auto* rl = req.add_resource_logs();
  *rl->mutable_resource() = d->resource;
  auto* sl = rl->add_scope_logs();
  *sl->mutable_scope() = d->scope;
  const std::size_t n = d->records.size();
  auto flush = [&] {
    if (sl->log_records_size() == 0) return;
    Batch b;
    b.records = sl->log_records_size();
    b.json = otlp::toOtlpJson(req);
    b.protobuf = req.SerializeAsString();
    out.push_back(std::move(b));
    sl->clear_log_records();
  };
  for (std::int64_t i = 0; i < count; ++i) {
    const std::size_t t = static_cast<std::size_t>(i) % n;
    const std::uint64_t round = static_cast<std::uint64_t>(i) / n;
    logs::LogRecord* r = sl->add_log_records();
    *r = d->records[t];
    // Each pass over the templates is a new set of sessions (new ids, below), placed a few minutes later
    // within one year, so timestamps stay realistic (and far from the int64 limit).
    const std::uint64_t minutes = (salt % 1009 * 7919 + round * 3) % (365ull * 24 * 60);
    const std::uint64_t shift = minutes * 60ull * 1000000000ull;
    r->set_time_unix_nano(r->time_unix_nano() + shift);
    r->set_observed_time_unix_nano(r->time_unix_nano());
    for (auto& kv : *r->mutable_attributes()) {
      if (kv.key() == "session.id" || kv.key() == "prompt.id") {
        std::string id = kv.value().string_value();
        const std::string tag = std::to_string(salt) + "-" + std::to_string(round);
        id.replace(0, std::min(id.size(), tag.size()), tag);
        kv.mutable_value()->set_string_value(id);
      } else if (kv.key() == "event.timestamp") {
        kv.mutable_value()->set_string_value(model::isoMillis(static_cast<std::int64_t>(r->time_unix_nano())));
      }
    }
    if (sl->log_records_size() == perBatch) flush();
  }
  flush();
  return out;
}

}  // namespace cctv::bench
