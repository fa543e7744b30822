#include "ingest/GrpcReceiver.h"

#include <arpa/inet.h>
#include <grpc/support/log.h>
#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>

#include "ingest/ForwardCapture.h"
#include "model/JsonText.h"
#include "otlp/Gzip.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.grpc.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.grpc.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"
#include "store/Writer.h"

namespace cctv::ingest {

namespace logs = opentelemetry::proto::collector::logs::v1;
namespace metrics = opentelemetry::proto::collector::metrics::v1;
namespace trace = opentelemetry::proto::collector::trace::v1;

namespace {

std::int64_t nowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const char* methodPath(Signal s) {
  switch (s) {
    case Signal::Logs: return "/opentelemetry.proto.collector.logs.v1.LogsService/Export";
    case Signal::Metrics: return "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";
    case Signal::Traces: return "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
  }
  return "";
}

// "LogsService/Export": the method as the stderr line shows it.
const char* shortMethod(const char* path) {
  const char* service = std::strrchr(path, '.');
  return service ? service + 1 : path;
}

const char* codeName(int code) {
  switch (code) {
    case 0: return "OK";
    case 1: return "CANCELLED";
    case 3: return "INVALID_ARGUMENT";
    case 4: return "DEADLINE_EXCEEDED";
    case 8: return "RESOURCE_EXHAUSTED";
    case 12: return "UNIMPLEMENTED";
    case 13: return "INTERNAL";
    case 14: return "UNAVAILABLE";
    case 16: return "UNAUTHENTICATED";
    default: return "UNKNOWN";
  }
}

std::string metadata(const grpc::CallbackServerContext* ctx, const char* key) {
  const auto& md = ctx->client_metadata();
  const auto it = md.find(key);  // gRPC lower-cases metadata keys
  return it == md.end() ? std::string() : std::string(it->second.data(), it->second.size());
}

// gRPC's peer strings ("ipv4:127.0.0.1:47558", "ipv6:%5B::1%5D:47558") in the HTTP receiver's form.
std::string remoteOf(const std::string& peer) {
  std::string r = peer;
  for (const char* scheme : {"ipv4:", "ipv6:"})
    if (r.rfind(scheme, 0) == 0) r.erase(0, std::strlen(scheme));
  for (auto [from, to] : {std::pair<const char*, const char*>{"%5B", "["}, {"%5D", "]"}})
    for (std::size_t at; (at = r.find(from)) != std::string::npos;) r.replace(at, 3, to);
  return r;
}

// gRPC logs through gpr_log to stderr by itself (a busy port is several JSON lines). cctv reports what
// matters in its own one-line form, so the library stays quiet unless the user asks for it with
// GRPC_VERBOSITY (gRPC's own switch).
void quietGrpc() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (!std::getenv("GRPC_VERBOSITY")) gpr_set_log_function([](gpr_log_func_args*) {});
  });
}

// Why gRPC could not listen: it only says "no address added", so ask the OS with a plain bind().
std::string bindProblem(const std::string& address, std::uint16_t port) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  int family = AF_INET;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (::inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    len = sizeof(sockaddr_in);
  } else if (::inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
    family = AF_INET6;
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    len = sizeof(sockaddr_in6);
  } else {
    return "invalid address";
  }
  const int fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::strerror(errno);
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  std::string why;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) why = std::strerror(errno);
  ::close(fd);
  if (why.empty()) return "gRPC could not bind it";
  why[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(why[0])));
  return why;
}

// One Export method, answered by GrpcReceiver::handle. The raw (ByteBuffer) variant of the generated
// service hands over the message bytes as sent (still gzipped when they were).
template <typename Base>
class ExportService final : public Base {
 public:
  ExportService(GrpcReceiver* receiver, Signal signal) : receiver_(receiver), signal_(signal) {}
  using Base::Export;
  grpc::ServerUnaryReactor* Export(grpc::CallbackServerContext* ctx, const grpc::ByteBuffer* request,
                                   grpc::ByteBuffer* response) override {
    return receiver_->handle(signal_, ctx, request, response);
  }

 private:
  GrpcReceiver* receiver_;
  Signal signal_;
};

using LogsExport = ExportService<logs::LogsService::WithRawCallbackMethod_Export<logs::LogsService::Service>>;
using MetricsExport =
    ExportService<metrics::MetricsService::WithRawCallbackMethod_Export<metrics::MetricsService::Service>>;
using TraceExport = ExportService<trace::TraceService::WithRawCallbackMethod_Export<trace::TraceService::Service>>;

}  // namespace

// What a call is, for its ingest_log row and stderr line.
struct GrpcReceiver::Call {
  const char* method = "";
  store::IngestLogEntry log;
};

// Any other method (a typo'd service, reflection, health checks): UNIMPLEMENTED, like gRPC would answer,
// but with a reason, an ingest_log row and a stderr line.
class GrpcReceiver::Unknown final : public grpc::CallbackGenericService {
 public:
  explicit Unknown(GrpcReceiver* receiver) : receiver_(receiver) {}
  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext* ctx) override {
    class Reactor final : public grpc::ServerGenericBidiReactor {
     public:
      explicit Reactor(grpc::Status status) { Finish(status); }
      void OnDone() override { delete this; }
    };
    Call call;
    call.method = ctx->method().c_str();
    receiver_->describe(ctx, &call);
    const std::string message = "unknown method " + ctx->method() +
                                "; OTLP/gRPC methods are opentelemetry.proto.collector.{logs,metrics,trace}.v1."
                                "{Logs,Metrics,Trace}Service/Export";
    receiver_->record(call, grpc::StatusCode::UNIMPLEMENTED, message);
    return new Reactor(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, message));
  }

 private:
  GrpcReceiver* receiver_;
};

GrpcReceiver::GrpcReceiver(store::Writer& writer, ReceiverOptions options, GrpcServerOptions server)
    : writer_(writer), options_(std::move(options)), serverOptions_(std::move(server)) {}

GrpcReceiver::~GrpcReceiver() { stop(); }

bool GrpcReceiver::start(std::string* error) {
  quietGrpc();
  const std::string& addr = serverOptions_.bindAddress;
  host_ = addr.find(':') != std::string::npos ? "[" + addr + "]" : addr;
  const std::string where = host_ + ":" + std::to_string(serverOptions_.port);
  auto fail = [&](const std::string& why) {
    if (error) *error = "cannot listen on grpc " + where + ": " + why;
    server_.reset();
    return false;
  };
  if (server_) return fail("already started");

  logs_ = std::make_unique<LogsExport>(this, Signal::Logs);
  metrics_ = std::make_unique<MetricsExport>(this, Signal::Metrics);
  traces_ = std::make_unique<TraceExport>(this, Signal::Traces);
  unknown_ = std::make_unique<Unknown>(this);

  grpc::ServerBuilder b;
  int selected = 0;
  b.AddListeningPort(where, grpc::InsecureServerCredentials(), &selected);
  // gRPC sets SO_REUSEPORT by default, so a second cctv (or anything else) on the same port would share it
  // silently and take half the traffic. A taken port must be an error instead.
  b.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  // The cap on the message as sent: gRPC answers RESOURCE_EXHAUSTED by itself, before cctv sees the call.
  b.SetMaxReceiveMessageSize(static_cast<int>(
      std::min<std::uint64_t>(options_.maxBodyBytes, static_cast<std::uint64_t>(std::numeric_limits<int>::max()))));
  // gzip, what OTEL_EXPORTER_OTLP_COMPRESSION=gzip sends, and nothing else (gRPC answers UNIMPLEMENTED for
  // deflate). gRPC 1.51 would inflate a message without any limit before the handler runs (and before the
  // token is checked): a few MB of gzip could take gigabytes. So it hands over the compressed bytes and
  // handle() inflates them with the HTTP receiver's gunzip, which stops at the cap.
  b.SetCompressionAlgorithmSupportStatus(GRPC_COMPRESS_GZIP, true);
  b.SetCompressionAlgorithmSupportStatus(GRPC_COMPRESS_DEFLATE, false);
  b.AddChannelArgument(GRPC_ARG_ENABLE_PER_MESSAGE_DECOMPRESSION, 0);
  b.RegisterService(logs_.get());
  b.RegisterService(metrics_.get());
  b.RegisterService(traces_.get());
  b.RegisterCallbackGenericService(unknown_.get());
  server_ = b.BuildAndStart();
  // A port that cannot be bound makes BuildAndStart fail (nullptr), or leaves the selected port 0.
  if (!server_ || selected == 0) return fail(bindProblem(addr, serverOptions_.port));
  port_ = static_cast<std::uint16_t>(selected);
  return true;
}

void GrpcReceiver::stop() {
  std::lock_guard<std::mutex> stopLock(stopMutex_);
  if (!server_) return;
  // No new calls from here on; calls still running get until the deadline, then gRPC cancels them.
  server_->Shutdown(std::chrono::system_clock::now() + serverOptions_.shutdownGrace);
  // The writer (still running: it stops after the receivers) answers every queued job, also for calls
  // gRPC cancelled; their callbacks refer to this object, so wait for them, before and after the last
  // handlers have returned.
  auto drain = [&] {
    std::unique_lock<std::mutex> lock(inFlightMutex_);
    inFlightDone_.wait(lock, [&] { return inFlight_ == 0; });
  };
  drain();
  server_->Wait();
  drain();
  server_.reset();
}

std::string GrpcReceiver::url() const { return endpointUrl("grpc", host_, port_); }

void GrpcReceiver::describe(const grpc::CallbackServerContext* ctx, Call* call) const {
  store::IngestLogEntry& e = call->log;
  e.receivedAtNs = nowNs();
  e.transport = "grpc";
  e.path = call->method;
  e.contentType = "application/grpc";
  e.remote = remoteOf(ctx->peer());
  e.userAgent = metadata(ctx, "user-agent");
}

void GrpcReceiver::record(const Call& call, int code, const std::string& message) {
  ++stats_.requests;
  ++stats_.refused;
  store::IngestLogEntry e = call.log;
  e.status = code;
  e.message = logSafeReason(message);  // never the offending value, which can be content
  writer_.log(e);
  if (options_.logRequests)
    std::fprintf(stderr, "GRPC %s %s %lldB %s\n", shortMethod(call.method), codeName(code),
                 static_cast<long long>(e.bytes), e.message.c_str());
}

void GrpcReceiver::refuse(grpc::ServerUnaryReactor* reactor, const Call& call, int code, const std::string& message) {
  const std::string clean = model::validUtf8(message);
  record(call, code, clean);
  reactor->Finish(grpc::Status(static_cast<grpc::StatusCode>(code), clean));
}

void GrpcReceiver::callDone() {
  std::lock_guard<std::mutex> lock(inFlightMutex_);
  if (--inFlight_ == 0) inFlightDone_.notify_all();
}

grpc::ServerUnaryReactor* GrpcReceiver::handle(Signal signal, grpc::CallbackServerContext* ctx,
                                               const grpc::ByteBuffer* request, grpc::ByteBuffer* response) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  Call call;
  call.method = methodPath(signal);
  describe(ctx, &call);
  call.log.bytes = static_cast<std::int64_t>(request->Length());

  if (!options_.token.empty()) {
    const std::string auth = metadata(ctx, "authorization");
    if (!bearerMatches(auth.empty() ? nullptr : &auth, options_.token)) {
      refuse(reactor, call, grpc::StatusCode::UNAUTHENTICATED,
             auth.empty() ? "missing authorization: Bearer metadata" : "wrong bearer token");
      return reactor;
    }
  }

  grpc::Slice slice;
  if (!request->DumpToSingleSlice(&slice).ok()) {
    refuse(reactor, call, grpc::StatusCode::INTERNAL, "cannot read the request message");
    return reactor;
  }
  std::string_view body(reinterpret_cast<const char*>(slice.begin()), slice.size());
  std::string err, inflated;
  // The compressed flag of the message does not reach the application, but the bytes tell: a gzip stream
  // starts 1f 8b, a protobuf message never starts with 0x1f (field 3 with wire type 7, which does not exist).
  if (body.size() >= 2 && body[0] == '\x1f' && body[1] == '\x8b') {
    call.log.contentEncoding = "gzip";
    const otlp::InflateResult r = otlp::gunzip(body, options_.maxBodyBytes, &inflated, &err);
    if (r != otlp::InflateResult::Ok) {
      const bool tooLarge = r == otlp::InflateResult::TooLarge;
      refuse(reactor, call, tooLarge ? grpc::StatusCode::RESOURCE_EXHAUSTED : grpc::StatusCode::INVALID_ARGUMENT, err);
      return reactor;
    }
    body = inflated;
  }
  auto job = std::make_unique<store::WriteJob>();
  if (!decodeAndNormalize(signal, Format::Protobuf, body, &job->batch, options_.normalize, &err)) {
    refuse(reactor, call, grpc::StatusCode::INVALID_ARGUMENT,
           std::string("cannot decode ") + signalName(signal) + ": " + err);
    return reactor;
  }

  const std::int64_t rejected = job->batch.rejected;
  const std::string rejectMessage =
      rejected ? model::validUtf8(std::to_string(rejected) + " " + itemNoun(signal) + " rejected: " +
                                  job->batch.rejectReason)
               : std::string();
  if (forwards(options_, signal))
    // A gRPC Export message is an OTLP/HTTP protobuf body byte for byte (gzipped or not), so it goes on as one.
    job->forward = forwardRequest(signal, "application/x-protobuf", call.log.contentEncoding,
                                  std::string(reinterpret_cast<const char*>(slice.begin()), slice.size()),
                                  static_cast<std::int64_t>(job->batch.itemCount()) + rejected);
  job->log = call.log;
  job->log.message = rejectMessage;
  // The writer records the outcome in gRPC's codes, not HTTP's 200/500/503.
  job->statuses = {grpc::StatusCode::OK, grpc::StatusCode::INTERNAL, grpc::StatusCode::UNAVAILABLE};
  const char* method = call.method;
  const std::int64_t size = call.log.bytes;
  // Runs on the writer thread once the rows are committed (or could not be): only then is the call answered.
  job->done = [this, reactor, response, signal, rejected, rejectMessage, method, size](const store::WriteResult& res) {
    ++stats_.requests;
    grpc::Status status;
    if (res.ok) {
      stats_.stored += static_cast<std::uint64_t>(res.stored);
      stats_.duplicates += static_cast<std::uint64_t>(res.duplicates);
      stats_.lastRequestNs = nowNs();
      grpc::Slice reply(exportResponse(signal, Format::Protobuf, rejected, rejectMessage));
      *response = grpc::ByteBuffer(&reply, 1);
    } else {
      ++stats_.refused;
      // Retryable (locked, disk full): the exporter resends the same message later. Otherwise it would not
      // help, so say INTERNAL and the exporter drops it.
      status = grpc::Status(res.retryable ? grpc::StatusCode::UNAVAILABLE : grpc::StatusCode::INTERNAL,
                            model::validUtf8(res.error));
    }
    if (options_.logRequests)
      std::fprintf(stderr, "GRPC %s %s %lldB accepted=%lld rejected=%lld duplicates=%lld%s%s\n", shortMethod(method),
                   codeName(status.error_code()), static_cast<long long>(size), static_cast<long long>(res.stored),
                   static_cast<long long>(rejected), static_cast<long long>(res.duplicates),
                   res.ok ? (rejectMessage.empty() ? "" : " ") : " ",
                   res.ok ? rejectMessage.c_str() : res.error.c_str());
    reactor->Finish(status);
    callDone();
  };

  {
    std::lock_guard<std::mutex> lock(inFlightMutex_);
    ++inFlight_;
  }
  switch (writer_.submit(std::move(job))) {
    case store::Writer::Submit::Queued: break;
    case store::Writer::Submit::Full:
      callDone();
      refuse(reactor, call, grpc::StatusCode::UNAVAILABLE, "store is busy (write queue full); retry later");
      break;
    case store::Writer::Submit::Stopped:
      callDone();
      refuse(reactor, call, grpc::StatusCode::UNAVAILABLE, "receiver is shutting down; retry later");
      break;
  }
  return reactor;
}

}  // namespace cctv::ingest
