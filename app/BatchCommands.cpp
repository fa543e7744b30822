#include "BatchCommands.h"

#include <QDir>
#include <QFileInfo>

#include <cstdio>

#include "io/Importer.h"
#include "io/SessionExport.h"
#include "store/Writer.h"

namespace cctv::app {

int runImport(const Options& o) {
  const QString dir = QFileInfo(o.dbPath).absolutePath();
  if (!QDir().mkpath(dir)) {
    std::fprintf(stderr, "cctv: cannot create the database directory %s\n", qPrintable(dir));
    return 1;
  }
  store::WriterOptions wo;
  wo.path = o.dbPath.toStdString();
  store::Writer writer(wo);
  std::string error;
  if (!writer.open(&error)) {
    std::fprintf(stderr, "cctv: cannot open database %s: %s\n", qPrintable(o.dbPath), error.c_str());
    return 1;
  }
  io::ImportOptions io;
  io.normalize.redactContent = o.redact;
  if (!o.signal.isEmpty()) io.protobufSignal = io::parseSignalName(o.signal.toStdString());
  std::vector<std::string> files;
  for (const QString& f : o.importFiles) files.push_back(f.toStdString());
  std::vector<io::FileSummary> summaries;
  {
    io::Importer importer(writer, io);
    summaries = importer.run(files);
  }
  writer.stop();  // commits everything acknowledged before the summary is printed

  int failedFiles = 0;
  io::FileSummary total;
  for (const io::FileSummary& s : summaries) {
    std::printf("%s\n", io::describe(s).c_str());
    for (const std::string& e : s.errors) std::fprintf(stderr, "cctv: %s\n", e.c_str());
    if (s.errorCount > static_cast<std::int64_t>(s.errors.size()))
      std::fprintf(stderr, "cctv: %s: %lld more errors\n", s.path.c_str(),
                   static_cast<long long>(s.errorCount - static_cast<std::int64_t>(s.errors.size())));
    if (!s.ok()) ++failedFiles;
    total.events += s.events;
    total.points += s.points;
    total.spans += s.spans;
    total.duplicates += s.duplicates;
  }
  if (summaries.size() > 1)
    std::printf("total: stored %lld events, %lld metric points, %lld spans; %lld duplicates\n",
                static_cast<long long>(total.events), static_cast<long long>(total.points),
                static_cast<long long>(total.spans), static_cast<long long>(total.duplicates));
  std::fflush(stdout);
  if (failedFiles) {
    std::fprintf(stderr, "cctv: import incomplete: %d of %d files had errors (the rest of each file was imported)\n",
                 failedFiles, static_cast<int>(files.size()));
    return 1;
  }
  return 0;
}

int runExport(const Options& o) {
  if (!QFileInfo::exists(o.dbPath)) {
    std::fprintf(stderr, "cctv: no database at %s\n", qPrintable(o.dbPath));
    return 1;
  }
  io::ExportCounts counts;
  std::string error;
  const std::string db = o.dbPath.toStdString(), out = o.output.toStdString(), session = o.exportSession.toStdString();
  bool ok;
  if (o.exportFormat == QLatin1String("csv")) {
    data::EventQuery q;
    q.sessionId = session;
    ok = io::exportEventsCsv(db, q, out, &counts, &error);
  } else {
    ok = io::exportSessionOtlpJson(db, session, out, &counts, &error);
  }
  if (!ok) {
    std::fprintf(stderr, "cctv: %s\n", error.c_str());
    return 1;
  }
  std::printf("%s: session %s, %lld events, %lld metric points, %lld spans\n", out.c_str(), session.c_str(),
              static_cast<long long>(counts.events), static_cast<long long>(counts.points),
              static_cast<long long>(counts.spans));
  return 0;
}

}  // namespace cctv::app
