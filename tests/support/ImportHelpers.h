#pragma once
// Helpers for the import/export tests: run the importer against a database synchronously, write test input
// files, and dump query results exactly (type and full precision) for comparing two databases.

#include <QByteArray>
#include <QString>

#include <string>
#include <vector>

#include "io/Importer.h"

namespace cctv::test {

// Opens a writer on `dbPath`, imports `files`, stops the writer (everything committed), returns the summaries.
std::vector<io::FileSummary> importFiles(const std::string& dbPath, const std::vector<std::string>& files,
                                         io::ImportOptions options = {});

// Every row of `sql` on a read-only connection, one string per row: each value as type:value, REALs with 17
// significant digits, so two dumps are equal exactly when the values are.
std::vector<std::string> dumpRows(const std::string& dbPath, const std::string& sql);
std::int64_t queryInt(const std::string& dbPath, const std::string& sql);

// Writes bytes to a file (creating it), or fails the test run.
void writeFile(const QString& path, const QByteArray& bytes);
// The uncompressed OTLP/JSON bodies of a fixture run's HTTP requests (gzip undone), in arrival order.
QList<QByteArray> jsonBodies(const QString& run);

}  // namespace cctv::test
