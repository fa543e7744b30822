#pragma once
// Reads the captured Claude Code runs in ../shared/fixtures as they are: each request's raw body and the
// headers it arrived with (from *.meta.json), and the expected counts from the folder's README table.

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <QMetaType>

namespace cctv::test {

struct FixtureRequest {
  QString run;
  QString file;       // raw body file name
  QString path;       // /v1/logs, ...
  QString signal;     // logs / metrics / traces
  QList<QPair<QByteArray, QByteArray>> headers;  // as recorded, minus Host and Content-Length
  QByteArray body;    // exactly as received
  bool grpc = false;  // a gRPC message (replayed over HTTP as application/x-protobuf)
};

struct RunExpectation {
  QString run;
  int logRecordsSent = 0;
  int uniqueEvents = 0;
  int metricPointsSent = 0;
  int uniqueMetricPoints = 0;
  int spans = 0;
  int sessionIds = 0;
  int promptIds = 0;
};

QString fixturesDir();
QStringList fixtureRuns();
// Requests of one run in arrival order. gRPC messages get Content-Type application/x-protobuf and the
// recorded authorization metadata.
QList<FixtureRequest> loadRun(const QString& run);
QList<RunExpectation> readmeTable();

}  // namespace cctv::test
Q_DECLARE_METATYPE(cctv::test::RunExpectation)
