#include "TestServer.h"

namespace cctv::test {

ingest::ServiceOptions TestServer::defaults() {
  ingest::ServiceOptions o;
  o.http.port = 0;
  o.receiver.token = "testtoken";
  o.receiver.logRequests = false;
  return o;
}

TestServer::TestServer(ingest::ServiceOptions options) : options_(std::move(options)) {
  dbPath_ = dir_.filePath(QStringLiteral("cctv.db")).toStdString();
  options_.dbPath = dbPath_;
}

TestServer::~TestServer() { stop(); }

bool TestServer::start() {
  service_ = std::make_unique<ingest::IngestService>(options_);
  std::string error;
  if (!service_->start(&error)) {
    qWarning("cannot start the service: %s", error.c_str());
    return false;
  }
  return true;
}

void TestServer::stop() {
  if (service_) service_->stop();
}

std::int64_t TestServer::count(const std::string& sql) {
  store::Database db(dbPath_, store::Database::Mode::ReadOnly);
  return db.queryInt(sql, -1);
}

std::string TestServer::text(const std::string& sql) {
  store::Database db(dbPath_, store::Database::Mode::ReadOnly);
  return db.queryText(sql);
}

std::vector<std::string> TestServer::rows(const std::string& sql) {
  store::Database db(dbPath_, store::Database::Mode::ReadOnly);
  store::Statement st = db.prepare(sql);
  std::vector<std::string> out;
  const int n = sqlite3_column_count(st.handle());
  while (st.step()) {
    std::string line;
    for (int i = 0; i < n; ++i) {
      if (i) line += '\t';
      line += st.columnIsNull(i) ? "NULL" : st.columnText(i);
    }
    out.push_back(line);
  }
  return out;
}

std::int64_t TestServer::storedItems() {
  return count("SELECT (SELECT count(*) FROM event_data) + (SELECT count(*) FROM metric_data) + "
               "(SELECT count(*) FROM span_data)");
}

int TestServer::replay(const QList<FixtureRequest>& requests, HttpClient& client) {
  int ok = 0;
  for (const FixtureRequest& r : requests) {
    std::vector<std::pair<std::string, std::string>> headers;
    for (const auto& h : r.headers) headers.emplace_back(h.first.toStdString(), h.second.toStdString());
    const HttpReply reply = client.request("POST", r.path.toStdString(), headers, r.body.toStdString());
    if (reply.status == 200) ++ok;
    else qWarning("%s/%s: HTTP %d %s", qPrintable(r.run), qPrintable(r.file), reply.status, reply.body.c_str());
  }
  return ok;
}

}  // namespace cctv::test
