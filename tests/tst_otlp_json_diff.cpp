// The typed OTLP/JSON decoder against the reflective one it replaced (core/otlp/OtlpJsonDecoders.h): on every
// fixture body, on generated documents that use every field of every OTLP type with right and wrong values,
// and on mutated fixtures, both must produce the same message or refuse with the same error text.

#include <QtTest>

#include <QDirIterator>

#include <google/protobuf/descriptor.h>
#include <opentelemetry/proto/collector/logs/v1/logs_service.pb.h>
#include <opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h>
#include <opentelemetry/proto/collector/trace/v1/trace_service.pb.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "otlp/OtlpJson.h"
#include "otlp/OtlpJsonDecoders.h"
#include "support/JsonDiff.h"

using cctv::test::compareJsonDecoders;
namespace pb = google::protobuf;
using FD = pb::FieldDescriptor;
using LogsRequest = opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using MetricsRequest = opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest;
using TracesRequest = opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;

namespace {

const std::vector<const pb::Message*>& requestPrototypes() {
  static const std::vector<const pb::Message*> all = {&LogsRequest::default_instance(),
                                                      &MetricsRequest::default_instance(),
                                                      &TracesRequest::default_instance()};
  return all;
}

QStringList fixtureBodies() {
  QStringList out;
  QDirIterator it(QStringLiteral(CCTV_FIXTURES_DIR), {QStringLiteral("*.json")}, QDir::Files,
                  QDirIterator::Subdirectories);
  while (it.hasNext()) {
    const QString p = it.next();
    const QString name = QFileInfo(p).fileName();
    if (name.endsWith(QLatin1String(".meta.json"))) continue;
    if (name.contains(QLatin1String("-logs.")) || name.contains(QLatin1String("-metrics.")) ||
        name.contains(QLatin1String("-traces.")))
      out << p;
  }
  out.sort();
  return out;
}

std::string readFile(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) qFatal("cannot read %s", qPrintable(path));
  return f.readAll().toStdString();
}

// Random OTLP/JSON documents shaped by the descriptors: every field, both key spellings, values of the right
// JSON type in all the accepted forms, and often the wrong type, out of range, unknown keys, nulls, duplicate
// keys and nesting past the depth limit.
class Generator {
 public:
  explicit Generator(unsigned seed) : rng_(seed) {}

  // Half the documents are valid (values of the right type, in range, in every accepted spelling; unknown
  // keys and nulls included), half carry mistakes.
  std::string document(const pb::Descriptor* d) {
    clean_ = chance(50);
    if (!clean_ && chance(4)) return pick({"[]", "1", "null", "\"x\"", "true", "", "{", "{\"a\":}", "{}"});
    return message(d, 0);
  }

 private:
  bool chance(int percent) { return int(rng_() % 100) < percent; }
  std::size_t below(std::size_t n) { return rng_() % n; }
  std::string pick(std::initializer_list<const char*> options) {
    return *(options.begin() + below(options.size()));
  }

  std::string anyJson(int depth) {
    switch (below(depth > 3 ? 4 : 6)) {
      case 0:  // 1e400 overflows: nlohmann refuses the whole document, even under an unknown key
        if (!clean_ && chance(10)) return "1e400";
        return pick({"1", "-7", "2.5", "\"s\"", "\"\\u00e9\\n\"", "true", "false", "null"});
      case 1: return "\"" + std::to_string(rng_()) + "\"";
      case 2: return std::to_string(static_cast<int64_t>(rng_()) - (1 << 30));
      case 3: return "\"NaN\"";
      case 4: return "[" + anyJson(depth + 1) + "," + anyJson(depth + 1) + "]";
      default: return "{\"k\":" + anyJson(depth + 1) + ",\"resource\":" + anyJson(depth + 1) + "}";
    }
  }

  std::string integer(bool isUnsigned, bool is32) {
    if (clean_) {
      const uint64_t v = chance(25) ? (uint64_t(rng_()) << 32 | rng_()) >> 2 : rng_() % 100000;
      const bool neg = !isUnsigned && chance(30);
      const std::string digits = (neg ? "-" : "") + std::to_string(is32 ? v % 2147483647u : v);
      if (chance(10)) return pick({"0", "3.0", "1e3", "\"0\"", "-0"});
      return chance(50) ? "\"" + digits + "\"" : digits;
    }
    switch (below(5)) {
      case 0: return pick({"0", "1", "-1", "42", "3.0", "1e3", "-0", "0.5", "-2.5e1", "1e-2"});
      case 1: return pick({"2147483647", "2147483648", "-2147483648", "-2147483649", "4294967295", "4294967296"});
      case 2:
        return pick({"9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
                     "18446744073709551615", "18446744073709551616", "1e19", "1e20", "-1e19", "1.8446744073709552e19"});
      case 3:
        return pick({"\"12\"", "\"-12\"", "\"1795547843996000000\"", "\"18446744073709551615\"",
                     "\"18446744073709551616\"", "\"99999999999999999999x\"", "\"\"", "\"-\"", "\"+1\"", "\"1.0\"",
                     "\" 1\"", "\"0x10\"", "\"-0\""});
      default: {
        const uint64_t v = rng_() % 4 == 0 ? uint64_t(rng_()) << 32 | rng_() : rng_() % 100000;
        const bool neg = !isUnsigned && chance(30);
        const std::string digits = (neg ? "-" : "") + std::to_string(is32 ? v % 3000000000u : v);
        return chance(50) ? "\"" + digits + "\"" : digits;
      }
    }
  }

  std::string real() {
    if (clean_)
      return pick({"0", "1.5", "-0.0", "-2", "1e308", "4.9e-324", "\"NaN\"", "\"Infinity\"", "\"-Infinity\"",
                   "\"1.25\"", "0.1", "123456789.123456789", "7", "\"-3e-5\""});
    return pick({"0", "1.5", "-0.0", "0.0", "-2", "1e308", "1e309", "-1e400", "4.9e-324", "1e-400", "\"NaN\"",
                 "\"Infinity\"", "\"-Infinity\"", "\"1.25\"", "\"1e400\"", "\"abc\"", "\"\"", "\"nan\"", "\"1.5x\"",
                 "18446744073709551615", "-9223372036854775808", "0.1", "123456789.123456789"});
  }

  std::string enumValue(const pb::EnumDescriptor* e) {
    if (clean_) return chance(50) ? "\"" + e->value(int(below(size_t(e->value_count()))))->name() + "\"" : pick({"0", "1", "2", "99", "\"3\""});
    if (chance(40)) return "\"" + e->value(int(below(size_t(e->value_count()))))->name() + "\"";
    return pick({"0", "1", "2", "99", "-1", "2147483648", "\"1\"", "\"SEVERITY_NUMBER_INFO\"",
                 "\"SPAN_KIND_SERVER\"", "\"nope\"", "1.0", "1.5", "true"});
  }

  std::string bytes(bool hexId) {
    if (clean_ && hexId) return pick({"\"5b8efff798038103d269b633813fc60c\"", "\"EEE19B7EC3C1B174\"", "\"\"", "\"AbCd\""});
    if (clean_) return pick({"\"+/8=\"", "\"-_8\"", "\"AQID\"", "\"AQ==\"", "\"\"", "\"QUJDRA\""});
    if (hexId)
      return pick({"\"5b8efff798038103d269b633813fc60c\"", "\"EEE19B7EC3C1B174\"", "\"eee19b7ec3c1b17\"", "\"\"",
                   "\"zz\"", "\"0g\"", "\"AbCd\"", "\"5b8efff798038103d269b633813fc60c00\""});
    return pick({"\"+/8=\"", "\"-_8\"", "\"AQID\"", "\"AQI=\"", "\"AQ==\"", "\"AQ=\"", "\"A\"", "\"====\"", "\"\"",
                 "\"a b\"", "\"QUJD\"", "\"QUJDRA\""});
  }

  std::string text() {
    return pick({"\"claude_code.api_request\"", "\"\"", "\"\\u00fc\\ud83d\\ude00\"", "\"a\\\"b\\\\c\"",
                 "\"12\"", "\"Zm9v\"", "\"line\\nbreak\\t\"", "\"\xc3\xa9t\xc3\xa9\""});
  }

  std::string wrongShape() {
    return pick({"{}", "[]", "[1]", "{\"x\":1}", "null", "true", "\"s\"", "1", "[null]", "[[]]"});
  }

  std::string scalar(const FD* fd) {
    switch (fd->cpp_type()) {
      case FD::CPPTYPE_INT32: return integer(false, true);
      case FD::CPPTYPE_INT64: return integer(false, false);
      case FD::CPPTYPE_UINT32: return integer(true, true);
      case FD::CPPTYPE_UINT64: return integer(true, false);
      case FD::CPPTYPE_DOUBLE:
      case FD::CPPTYPE_FLOAT: return real();
      case FD::CPPTYPE_BOOL: return clean_ || chance(80) ? pick({"true", "false"}) : pick({"1", "\"true\"", "0"});
      case FD::CPPTYPE_ENUM: return enumValue(fd->enum_type());
      case FD::CPPTYPE_STRING:
        if (fd->type() == FD::TYPE_STRING) return text();
        return bytes(fd->name() == "trace_id" || fd->name() == "span_id" || fd->name() == "parent_span_id");
      case FD::CPPTYPE_MESSAGE: break;
    }
    return "null";
  }

  std::string element(const FD* fd, int depth) {
    if (!clean_ && chance(3)) return wrongShape();
    if (fd->cpp_type() == FD::CPPTYPE_MESSAGE) return message(fd->message_type(), depth + 1);
    return scalar(fd);
  }

  std::string value(const FD* fd, int depth) {
    if (!clean_ && chance(4)) return wrongShape();
    if (!fd->is_repeated()) return element(fd, depth);
    std::string out = "[";
    const std::size_t n = below(depth > 4 ? 2 : 4);
    for (std::size_t i = 0; i < n; ++i) out += (i ? "," : "") + element(fd, depth + 1);
    return out + "]";
  }

  std::string message(const pb::Descriptor* d, int depth) {
    // Nesting past 64 levels: an AnyValue chain through arrayValue.
    if (!clean_ && d->name() == "AnyValue" && depth < 8 && chance(1)) {
      std::string deep;
      const int levels = 20 + int(below(30));
      for (int i = 0; i < levels; ++i) deep += R"({"arrayValue":{"values":[)";
      deep += R"({"intValue":"1"})";
      for (int i = 0; i < levels; ++i) deep += "]}}";
      return deep;
    }
    std::string out = "{";
    bool first = true;
    const auto add = [&](const std::string& key, const std::string& v) {
      out += (first ? "\"" : ",\"") + key + "\":" + v;
      first = false;
    };
    const int fields = d->field_count();
    const int budget = depth > 6 ? 1 : depth > 3 ? 2 : 4;  // documents of a few KB
    for (int i = 0; i < budget; ++i) {
      if (chance(10)) add(pick({"unknownField", "x", "Resource", "time_unix_nanos", ""}), anyJson(depth));
      const FD* fd = d->field(int(below(size_t(fields))));
      const std::string& key = chance(25) ? fd->name() : fd->json_name();
      add(key, chance(3) ? "null" : value(fd, depth));
    }
    return out + "}";
  }

  std::mt19937 rng_;
  bool clean_ = false;
};

// Breaks a valid document a little: a byte changed, dropped, doubled, or the text cut short.
std::string mutate(std::string s, std::mt19937& rng) {
  if (s.empty()) return s;
  const int edits = 1 + int(rng() % 3);
  for (int e = 0; e < edits && !s.empty(); ++e) {
    const std::size_t at = rng() % s.size();
    switch (rng() % 6) {
      case 0: s[at] = "0123456789\"{}[],:-.eE xAZ\\"[rng() % 26]; break;
      case 1: s.erase(at, 1); break;
      case 2: s.insert(at, 1, s[at]); break;
      case 3: s.resize(at); break;
      case 4: s[at] = static_cast<char>(rng() % 256); break;
      default: {  // a number where a string was, or the reverse
        const std::size_t q = s.find('"', at);
        if (q != std::string::npos) s.erase(q, 1);
      }
    }
  }
  return s;
}

}  // namespace

class TstOtlpJsonDiff : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  // Every field of every OTLP type is in the typed tables, with its names, kind and type.
  void tablesMatchDescriptors() { QCOMPARE(QString::fromStdString(cctv::otlp::detail::typedTableMismatches()), QString()); }

  // The receiver's requests take the typed path; any other message still parses, through reflection.
  void dispatch() {
    for (const pb::Message* p : requestPrototypes()) QVERIFY(cctv::otlp::detail::hasTypedDecoder(*p));
    opentelemetry::proto::collector::logs::v1::ExportLogsServiceResponse response;
    QVERIFY(!cctv::otlp::detail::hasTypedDecoder(response));
    std::string error;
    QVERIFY2(cctv::otlp::parseOtlpJson(R"({"partialSuccess":{"rejectedLogRecords":"3","errorMessage":"m"}})",
                                       &response, &error),
             error.c_str());
    QCOMPARE(response.partial_success().rejected_log_records(), 3);
  }

  // Every captured body, decoded as each of the three requests (the wrong two see only unknown fields).
  void fixtures() {
    const QStringList files = fixtureBodies();
    QVERIFY(files.size() >= 90);
    for (const QString& f : files) {
      const std::string body = readFile(f);
      for (const pb::Message* p : requestPrototypes()) {
        const std::string diff = compareJsonDecoders(body, *p);
        QVERIFY2(diff.empty(), qPrintable(f + QLatin1String(": ") + QString::fromStdString(diff)));
      }
    }
  }

  void generated() {
    int refused = 0, accepted = 0;
    for (const pb::Message* p : requestPrototypes()) {
      Generator gen(20261127u + unsigned(p->GetDescriptor()->index()));
      for (int i = 0; i < 4000; ++i) {
        const std::string doc = gen.document(p->GetDescriptor());
        const std::string diff = compareJsonDecoders(doc, *p);
        QVERIFY2(diff.empty(), qPrintable(QString::fromStdString(diff + "\nin " + doc.substr(0, 3000))));
        std::unique_ptr<pb::Message> m(p->New());
        (cctv::otlp::parseOtlpJson(doc, m.get(), nullptr) ? accepted : refused)++;
      }
    }
    qInfo("%d generated documents accepted, %d refused", accepted, refused);
    // The generator must reach both outcomes often, or the comparison says little.
    QVERIFY2(accepted > 1000 && refused > 1000, qPrintable(QStringLiteral("%1 accepted, %2 refused").arg(accepted).arg(refused)));
  }

  void mutatedFixtures() {
    std::mt19937 rng(7);
    for (const QString& f : fixtureBodies()) {
      const std::string body = readFile(f);
      for (int i = 0; i < 10; ++i) {
        const std::string doc = mutate(body, rng);
        for (const pb::Message* p : requestPrototypes()) {
          const std::string diff = compareJsonDecoders(doc, *p);
          QVERIFY2(diff.empty(), qPrintable(f + QLatin1String(": ") + QString::fromStdString(diff)));
        }
      }
    }
  }
};

QTEST_GUILESS_MAIN(TstOtlpJsonDiff)
#include "tst_otlp_json_diff.moc"
