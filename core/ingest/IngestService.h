#pragma once
// The ingest spine in one object: the store's writer and the OTLP/HTTP receiver in front of it, started
// and stopped in the right order. The app (headless or with a window) and the tests use it the same way.

#include <memory>
#include <string>

#include "http/HttpServer.h"
#include "ingest/HttpReceiver.h"
#include "store/Writer.h"

namespace cctv::ingest {

struct ServiceOptions {
  std::string dbPath;
  http::ServerOptions http;
  ReceiverOptions receiver;
  store::WriterOptions writer;  // path is taken from dbPath
};

class IngestService {
 public:
  explicit IngestService(ServiceOptions options);
  ~IngestService();

  // Opens the database, then listens. On failure: false and a one-line error; nothing is left running.
  bool start(std::string* error);
  // Stops accepting, lets in-flight requests finish, writes everything queued, closes the database.
  void stop();

  std::string url() const { return receiver_ ? receiver_->url() : std::string(); }
  std::uint16_t port() const { return receiver_ ? receiver_->port() : 0; }
  store::Writer& writer() { return *writer_; }
  const ReceiverStats* stats() const { return receiver_ ? &receiver_->stats() : nullptr; }

 private:
  ServiceOptions options_;
  std::unique_ptr<store::Writer> writer_;
  std::unique_ptr<HttpReceiver> receiver_;
};

}  // namespace cctv::ingest
