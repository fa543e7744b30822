#pragma once
// A real cctv ingest service (writer thread + HTTP server thread) on a free loopback port, over a database
// in a temporary directory, plus read-only helpers to look at what it stored.

#include <QTemporaryDir>

#include <memory>
#include <string>

#include "HttpClient.h"
#include "Fixtures.h"
#include "ingest/IngestService.h"
#include "store/Sqlite.h"

namespace cctv::test {

class TestServer {
 public:
  explicit TestServer(ingest::ServiceOptions options = defaults());
  ~TestServer();

  static ingest::ServiceOptions defaults();  // token "testtoken" (what the fixtures send), quiet
  bool start();
  void stop();
  std::uint16_t port() const { return service_->port(); }
  const std::string& dbPath() const { return dbPath_; }
  ingest::IngestService& service() { return *service_; }

  // Runs a query on a fresh read connection; first column of the first row.
  std::int64_t count(const std::string& sql);
  std::string text(const std::string& sql);
  // All rows of a query as tab-separated text lines, for comparing databases.
  std::vector<std::string> rows(const std::string& sql);
  // Items stored: events + metric points + spans.
  std::int64_t storedItems();

  // Sends each request on one keep-alive connection; returns how many got 200.
  int replay(const QList<FixtureRequest>& requests, HttpClient& client);

 private:
  QTemporaryDir dir_;
  std::string dbPath_;
  ingest::ServiceOptions options_;
  std::unique_ptr<ingest::IngestService> service_;
};

}  // namespace cctv::test
