#include "Fixtures.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

namespace cctv::test {

QString fixturesDir() { return QStringLiteral(CCTV_FIXTURES_DIR); }

QStringList fixtureRuns() {
  return QDir(fixturesDir()).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
}

static QByteArray readAll(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) qFatal("cannot read fixture %s", qPrintable(path));
  return f.readAll();
}

QList<FixtureRequest> loadRun(const QString& run) {
  QList<FixtureRequest> out;
  for (const char* sub : {"otlp", "grpc"}) {
    QDir dir(fixturesDir() + QLatin1Char('/') + run + QLatin1Char('/') + QLatin1String(sub));
    if (!dir.exists()) continue;
    for (const QString& metaName : dir.entryList({QStringLiteral("*.meta.json")}, QDir::Files, QDir::Name)) {
      const QJsonObject meta = QJsonDocument::fromJson(readAll(dir.filePath(metaName))).object();
      FixtureRequest r;
      r.run = run;
      r.file = meta.value(QStringLiteral("raw_file")).toString();
      r.signal = meta.value(QStringLiteral("signal")).toString();
      r.body = readAll(dir.filePath(r.file));
      r.grpc = meta.value(QStringLiteral("transport")).toString() == QLatin1String("grpc");
      if (r.grpc) {
        r.path = QStringLiteral("/v1/") + r.signal;
        r.headers.append(qMakePair(QByteArray("Content-Type"), QByteArray("application/x-protobuf")));
        for (const QJsonValue& kv : meta.value(QStringLiteral("metadata")).toArray()) {
          const QJsonArray pair = kv.toArray();
          if (pair.at(0).toString() == QLatin1String("authorization"))
            r.headers.append(qMakePair(QByteArray("Authorization"), pair.at(1).toString().toUtf8()));
        }
      } else {
        r.path = meta.value(QStringLiteral("path")).toString();
        for (const QJsonValue& kv : meta.value(QStringLiteral("headers")).toArray()) {
          const QJsonArray pair = kv.toArray();
          const QString name = pair.at(0).toString();
          if (name.compare(QLatin1String("Host"), Qt::CaseInsensitive) == 0 ||
              name.compare(QLatin1String("Content-Length"), Qt::CaseInsensitive) == 0)
            continue;
          r.headers.append(qMakePair(name.toUtf8(), pair.at(1).toString().toUtf8()));
        }
      }
      out.append(r);
    }
  }
  return out;
}

QList<RunExpectation> readmeTable() {
  QList<RunExpectation> out;
  const QString text = QString::fromUtf8(readAll(fixturesDir() + QStringLiteral("/README.md")));
  for (const QString& line : text.split(QLatin1Char('\n'))) {
    if (!line.startsWith(QLatin1String("| ")) || line.startsWith(QLatin1String("| run")) ||
        line.startsWith(QLatin1String("|---")))
      continue;
    const QStringList cells = line.split(QLatin1Char('|'));
    // | run | what | requests | sent | unique events | points sent | unique points | spans | sessions | prompts |
    if (cells.size() < 12) continue;
    RunExpectation e;
    e.run = cells[1].trimmed();
    e.logRecordsSent = cells[4].trimmed().toInt();
    e.uniqueEvents = cells[5].trimmed().toInt();
    e.metricPointsSent = cells[6].trimmed().toInt();
    e.uniqueMetricPoints = cells[7].trimmed().toInt();
    e.spans = cells[8].trimmed().toInt();
    e.sessionIds = cells[9].trimmed().toInt();
    e.promptIds = cells[10].trimmed().toInt();
    out.append(e);
  }
  return out;
}

}  // namespace cctv::test
