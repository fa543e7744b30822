#include "ImportHelpers.h"

#include <QFile>

#include <cstdio>

#include "Fixtures.h"
#include "otlp/Gzip.h"
#include "store/Sqlite.h"
#include "store/Writer.h"

namespace cctv::test {

std::vector<io::FileSummary> importFiles(const std::string& dbPath, const std::vector<std::string>& files,
                                         io::ImportOptions options) {
  store::WriterOptions wo;
  wo.path = dbPath;
  store::Writer writer(wo);
  std::string error;
  if (!writer.open(&error)) qFatal("cannot open %s: %s", dbPath.c_str(), error.c_str());
  std::vector<io::FileSummary> out;
  {
    io::Importer importer(writer, std::move(options));
    out = importer.run(files);
  }
  writer.stop();
  return out;
}

std::vector<std::string> dumpRows(const std::string& dbPath, const std::string& sql) {
  store::Database db(dbPath, store::Database::Mode::ReadOnly);
  store::Statement st = db.prepare(sql);
  std::vector<std::string> out;
  const int n = sqlite3_column_count(st.handle());
  while (st.step()) {
    std::string line;
    for (int i = 0; i < n; ++i) {
      if (i) line += '\t';
      line += sqlite3_column_name(st.handle(), i);
      line += '=';
      switch (sqlite3_column_type(st.handle(), i)) {
        case SQLITE_NULL: line += "null"; break;
        case SQLITE_INTEGER: line += "int:" + std::to_string(st.columnInt(i)); break;
        case SQLITE_FLOAT: {
          char buf[40];
          std::snprintf(buf, sizeof buf, "real:%.17g", st.columnDouble(i));
          line += buf;
          break;
        }
        default: line += "text:" + st.columnText(i);
      }
    }
    out.push_back(line);
  }
  return out;
}

std::int64_t queryInt(const std::string& dbPath, const std::string& sql) {
  store::Database db(dbPath, store::Database::Mode::ReadOnly);
  return db.queryInt(sql);
}

void writeFile(const QString& path, const QByteArray& bytes) {
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(bytes) != bytes.size())
    qFatal("cannot write %s", qPrintable(path));
}

QList<QByteArray> jsonBodies(const QString& run) {
  QList<QByteArray> out;
  for (const FixtureRequest& r : loadRun(run)) {
    if (r.grpc) continue;
    bool json = false, gz = false;
    for (const auto& h : r.headers) {
      if (h.first.compare("Content-Type", Qt::CaseInsensitive) == 0) json = h.second.contains("json");
      if (h.first.compare("Content-Encoding", Qt::CaseInsensitive) == 0) gz = h.second == "gzip";
    }
    if (!json) continue;
    if (!gz) {
      out.append(r.body);
      continue;
    }
    std::string plain, error;
    if (otlp::gunzip(std::string_view(r.body.constData(), static_cast<std::size_t>(r.body.size())), 64 << 20, &plain,
                     &error) != otlp::InflateResult::Ok)
      qFatal("cannot gunzip fixture %s: %s", qPrintable(r.file), error.c_str());
    out.append(QByteArray::fromStdString(plain));
  }
  return out;
}

}  // namespace cctv::test
