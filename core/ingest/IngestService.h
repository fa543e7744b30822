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
#include "ingest/InstanceFile.h"
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
  // After a listener failed to start (start() or reconfigure()): the port it wanted (HTTP or gRPC), 0 if none.
  std::uint16_t failedPort() const { return failedPort_; }
  // Stops accepting, lets in-flight requests finish, writes everything queued, closes the database.
  void stop();

  // Applies new options to the running service without closing the database (its dbPath and writer options
  // other than retention are kept): a changed listener (address, ports, token, redaction, size cap, logging)
  // replaces the HTTP and gRPC receivers, letting in-flight requests finish first; changed forwarding restarts
  // the forwarder (queued requests stay in the on-disk queue and go to the new upstream); retention applies at
  // once. When the new listener cannot start (port taken), the previous one is started again and false is
  // returned with the error; if even that fails, nothing listens (failure() is Listen, url() is empty).
  // A forwarder that cannot start (bad CA file) leaves the previous forwarding in place, and false.
  // Call from one thread at a time, after a successful start().
  bool reconfigure(const ServiceOptions& next, std::string* error);
  const ServiceOptions& options() const { return options_; }

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
  // Starts the HTTP and gRPC receivers from options_; on failure none is left running.
  bool startListeners(std::string* error);
  void stopListeners();
  bool startForwarder(std::string* error);

  ServiceOptions options_;
  std::unique_ptr<store::Writer> writer_;
  std::unique_ptr<forward::Forwarder> forwarder_;
  std::unique_ptr<HttpReceiver> receiver_;
  std::unique_ptr<GrpcReceiver> grpc_;
  std::unique_ptr<InstanceFile> instance_;  // names this process next to the database while it listens
  Failure failure_ = Failure::None;
  std::uint16_t failedPort_ = 0;
  store::DatabaseProblem databaseProblem_ = store::DatabaseProblem::None;
};

}  // namespace cctv::ingest
