#pragma once
// OTLP/gRPC receiver: opentelemetry.proto.collector.{logs,metrics,trace}.v1.*Service/Export on one port,
// with gzip message compression and optional bearer-token auth through the `authorization` metadata.
//
// It uses gRPC's callback API with raw (ByteBuffer) methods: the request message goes through the very
// gunzip and decode -> normalize functions the HTTP receiver uses for application/x-protobuf bodies (so a
// gRPC capture and its HTTP twin produce identical rows, a gzip bomb stops at the size cap, and an
// undecodable message is INVALID_ARGUMENT with a reason instead of gRPC's generic INTERNAL), and no thread
// waits while the writer commits: the call is finished from the writer's `done` callback.
//
// Status codes follow ../shared/reference/otlp-receiver.md: OK (+partial_success), INVALID_ARGUMENT
// undecodable, UNAUTHENTICATED token, RESOURCE_EXHAUSTED over the size cap, UNAVAILABLE when the store
// cannot keep up, INTERNAL when it failed otherwise. Every request that reaches cctv gets an ingest_log row
// (status = the gRPC code number) and one line on stderr.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "ingest/HttpReceiver.h"
#include "ingest/OtlpDecode.h"

namespace grpc {
class Server;
class ServerUnaryReactor;
class CallbackServerContext;
class ByteBuffer;
class Service;
}  // namespace grpc

namespace cctv::store {
class Writer;
}

namespace cctv::ingest {

struct GrpcServerOptions {
  std::string bindAddress = "127.0.0.1";
  std::uint16_t port = 4317;  // 0 = pick a free port
  // How long stop() lets in-flight calls finish before gRPC cancels them.
  std::chrono::milliseconds shutdownGrace{std::chrono::seconds(10)};
};

class GrpcReceiver {
 public:
  // `options` is shared with the HTTP receiver: token, maxBodyBytes (the message cap, after decompression),
  // normalize options, logRequests.
  GrpcReceiver(store::Writer& writer, ReceiverOptions options, GrpcServerOptions server);
  ~GrpcReceiver();
  GrpcReceiver(const GrpcReceiver&) = delete;
  GrpcReceiver& operator=(const GrpcReceiver&) = delete;

  // Listens. On failure (port taken, bad address): false and a one-line error.
  bool start(std::string* error);
  // Stops accepting, lets in-flight calls get their answers (up to shutdownGrace), then returns. Idempotent.
  void stop();
  std::uint16_t port() const { return port_; }
  std::string url() const;  // grpc://127.0.0.1:4317
  const ReceiverStats& stats() const { return stats_; }

  // Called by the generated service classes (GrpcReceiver.cpp) for each Export call.
  grpc::ServerUnaryReactor* handle(Signal signal, grpc::CallbackServerContext* ctx, const grpc::ByteBuffer* request,
                                   grpc::ByteBuffer* response);

 private:
  struct Call;
  class Unknown;
  void describe(const grpc::CallbackServerContext* ctx, Call* call) const;
  // An answer without a write job: the ingest_log row, the stats, the stderr line. `code` is a gRPC code.
  void record(const Call& call, int code, const std::string& message);
  void refuse(grpc::ServerUnaryReactor* reactor, const Call& call, int code, const std::string& message);
  void callDone();

  store::Writer& writer_;
  ReceiverOptions options_;
  GrpcServerOptions serverOptions_;
  ReceiverStats stats_;
  std::uint16_t port_ = 0;
  std::string host_;  // as it goes into the URL: 127.0.0.1 or [::1]

  // Calls whose write job is queued: stop() waits for their answers before the server goes away, since
  // the writer's callback still refers to this object.
  std::mutex inFlightMutex_;
  std::condition_variable inFlightDone_;
  int inFlight_ = 0;

  std::mutex stopMutex_;
  // The services outlive server_ (declared before it).
  std::unique_ptr<grpc::Service> logs_, metrics_, traces_;
  std::unique_ptr<Unknown> unknown_;
  std::unique_ptr<grpc::Server> server_;
};

}  // namespace cctv::ingest
