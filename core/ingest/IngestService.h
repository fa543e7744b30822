#pragma once
// The ingest spine in one object: the store's writer and the OTLP/HTTP and OTLP/gRPC receivers in front of
// it, started and stopped in the right order. The app (headless or with a window) and the tests use it the
// same way.

#include <memory>
#include <optional>
#include <string>

#include "forward/Forwarder.h"
#include "http/HttpServer.h"
#include "ingest/GrpcReceiver.h"
#include "ingest/HttpReceiver.h"
#include "store/Writer.h"

namespace cctv::ingest {

struct ServiceOptions {
  std::string dbPath;
  http::ServerOptions http;
  ReceiverOptions receiver;  // token, size cap, normalizing, logging: the same for HTTP and gRPC
  // OTLP/gRPC port on http.bindAddress; 0 picks a free port. Off (-1) unless asked for: the app passes
  // --grpc-port (default 4317), while tests and other embedders that only want HTTP need not find a
  // free 4317.
  int grpcPort = -1;
  store::WriterOptions writer;  // path is taken from dbPath
  // Set: accepted requests of the signals it has URLs for are queued and sent upstream (core/forward). The
  // queue's cap is writer.forwardQueueMaxBytes.
  std::optional<forward::ForwardOptions> forward;
};

class IngestService {
 public:
  explicit IngestService(ServiceOptions options);
  ~IngestService();

  // Opens the database, then listens. On failure: false and a one-line error; nothing is left running.
  bool start(std::string* error);
  // After a failed start: whether the database or the listening failed, and what is wrong with the database.
  enum class Failure { None, Database, Listen };
  Failure failure() const { return failure_; }
  store::DatabaseProblem databaseProblem() const { return databaseProblem_; }
  // Stops accepting, lets in-flight requests finish, writes everything queued, closes the database.
  void stop();

  std::string url() const { return receiver_ ? receiver_->url() : std::string(); }
  std::uint16_t port() const { return receiver_ ? receiver_->port() : 0; }
  // grpc://127.0.0.1:4317, or empty when gRPC is off.
  std::string grpcUrl() const { return grpc_ ? grpc_->url() : std::string(); }
  std::uint16_t grpcPort() const { return grpc_ ? grpc_->port() : 0; }
  store::Writer& writer() { return *writer_; }
  const ReceiverStats* stats() const { return receiver_ ? &receiver_->stats() : nullptr; }
  const ReceiverStats* grpcStats() const { return grpc_ ? &grpc_->stats() : nullptr; }
  // Null unless forwarding.
  forward::Forwarder* forwarder() { return forwarder_.get(); }

 private:
  ServiceOptions options_;
  std::unique_ptr<store::Writer> writer_;
  std::unique_ptr<forward::Forwarder> forwarder_;
  std::unique_ptr<HttpReceiver> receiver_;
  std::unique_ptr<GrpcReceiver> grpc_;
  Failure failure_ = Failure::None;
  store::DatabaseProblem databaseProblem_ = store::DatabaseProblem::None;
};

}  // namespace cctv::ingest
