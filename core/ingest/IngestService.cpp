#include "ingest/IngestService.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cctv::ingest {

namespace {

// "cannot open database /x/cctv.db: it is damaged (database disk image is malformed)": what the person can
// act on first, SQLite's own words after (without the "prepare: " or "cannot open /x/cctv.db: " it adds).
std::string databaseMessage(const std::string& path, store::DatabaseProblem problem, const std::string& sqlite) {
  const std::size_t colon = sqlite.rfind(": ");
  const std::string detail = colon == std::string::npos ? sqlite : sqlite.substr(colon + 2);
  return "cannot open database " + path + ": it " + store::describe(problem) + " (" + detail + ")";
}

// The database holds prompts and tool input: create it (and, through SQLite, its -wal/-shm files, which
// copy the main file's mode) readable by its owner only.
bool createPrivate(const std::string& path, std::string* error, store::DatabaseProblem* problem) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    const int err = errno;
    *problem = store::classifyErrno(err);
    *error = databaseMessage(path, *problem, std::strerror(err));
    return false;
  }
  struct stat st {};
  if (::fstat(fd, &st) == 0 && (st.st_mode & 077) && st.st_uid == ::geteuid()) ::fchmod(fd, 0600);
  ::close(fd);
  return true;
}

}  // namespace

IngestService::IngestService(ServiceOptions options) : options_(std::move(options)) {}

IngestService::~IngestService() { stop(); }

bool IngestService::start(std::string* error) {
  failure_ = Failure::Database;
  if (!createPrivate(options_.dbPath, error, &databaseProblem_)) return false;
  store::WriterOptions wo = options_.writer;
  wo.path = options_.dbPath;
  writer_ = std::make_unique<store::Writer>(wo);
  databaseProblem_ = store::DatabaseProblem::CannotOpen;
  if (!writer_->open(error, &databaseProblem_)) {
    *error = databaseMessage(options_.dbPath, databaseProblem_, *error);
    writer_.reset();
    return false;
  }
  databaseProblem_ = store::DatabaseProblem::None;
  failure_ = Failure::Listen;  // from here on, cctv is not receiving (a forwarder that cannot start included)
  // Before listening: what an earlier run left in the queue goes first.
  if (!startForwarder(error) || !startListeners(error)) {
    if (forwarder_) forwarder_->stop();
    forwarder_.reset();
    writer_->stop();
    writer_.reset();
    return false;
  }
  failure_ = Failure::None;
  return true;
}

bool IngestService::startForwarder(std::string* error) {
  options_.receiver.forward = {};
  if (!options_.forward) return true;
  const forward::ForwardTargets& t = options_.forward->targets;
  auto f = std::make_unique<forward::Forwarder>(*writer_, options_.dbPath, options_.writer.forwardQueueMaxBytes,
                                                *options_.forward);
  if (!f->start(error)) return false;
  forwarder_ = std::move(f);
  options_.receiver.forward = {t.logs.has_value(), t.metrics.has_value(), t.traces.has_value()};
  return true;
}

bool IngestService::startListeners(std::string* error) {
  failedPort_ = 0;
  if (options_.grpcPort > 65535) {
    *error = "cannot listen on grpc: port " + std::to_string(options_.grpcPort) + " is out of range";
    return false;
  }
  failedPort_ = options_.http.port;
  receiver_ = std::make_unique<HttpReceiver>(*writer_, options_.receiver, options_.http);
  if (!receiver_->start(error)) {
    receiver_.reset();
    return false;
  }
  if (options_.grpcPort >= 0) {
    GrpcServerOptions g;
    g.bindAddress = options_.http.bindAddress;
    g.port = static_cast<std::uint16_t>(options_.grpcPort);
    failedPort_ = g.port;
    grpc_ = std::make_unique<GrpcReceiver>(*writer_, options_.receiver, g);
    if (!grpc_->start(error)) {
      grpc_.reset();
      receiver_->stop();
      receiver_.reset();
      return false;
    }
  }
  failedPort_ = 0;
  if (!instance_) instance_ = std::make_unique<InstanceFile>(options_.dbPath);
  instance_->claim(url(), grpcUrl());
  return true;
}

void IngestService::stopListeners() {
  if (grpc_) grpc_->stop();
  if (receiver_) receiver_->stop();
  if (instance_) instance_->release();
}

namespace {

bool sameForwarding(const std::optional<forward::ForwardOptions>& a, const std::optional<forward::ForwardOptions>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a) return true;
  return a->targets.describe() == b->targets.describe() && a->headers == b->headers && a->caFile == b->caFile;
}

bool sameListener(const ServiceOptions& a, const ServiceOptions& b) {
  const ReceiverOptions &ra = a.receiver, &rb = b.receiver;
  return a.http.bindAddress == b.http.bindAddress && a.http.port == b.http.port &&
         a.http.maxBodyBytes == b.http.maxBodyBytes && a.grpcPort == b.grpcPort && ra.token == rb.token &&
         ra.maxBodyBytes == rb.maxBodyBytes && ra.normalize.redactContent == rb.normalize.redactContent &&
         ra.logRequests == rb.logRequests;
}

}  // namespace

bool IngestService::reconfigure(const ServiceOptions& next, std::string* error) {
  if (!writer_) {
    *error = "the receiver is not running";
    return false;
  }
  const ServiceOptions previous = options_;
  const bool forwarding = !sameForwarding(previous.forward, next.forward);
  const bool listener = forwarding || !sameListener(previous, next) || !receiver_;
  if (next.writer.retention.days != previous.writer.retention.days ||
      next.writer.retention.maxBytes != previous.writer.retention.maxBytes) {
    writer_->setRetention(next.writer.retention);
    options_.writer.retention = next.writer.retention;
  }
  if (!listener) return true;
  // The ports it has now (a 0 in the options picked one): a fallback goes back to these very ports.
  ServiceOptions fallback = previous;
  if (receiver_) fallback.http.port = receiver_->port();
  fallback.grpcPort = grpc_ ? grpc_->port() : previous.grpcPort;
  // No new requests while the parts change; those in flight get their answers (the writer keeps running).
  stopListeners();
  grpc_.reset();
  receiver_.reset();
  bool ok = true;
  if (forwarding) {
    if (forwarder_) forwarder_->stop();
    forwarder_.reset();
    options_.forward = next.forward;
    if (!startForwarder(error)) {
      ok = false;
      options_.forward = previous.forward;
      std::string again;
      if (!startForwarder(&again)) options_.forward.reset();  // the old one started before; say the first error
    }
  }
  options_.http = next.http;
  options_.grpcPort = next.grpcPort;
  const ReceiverOptions::Forwarded routed = options_.receiver.forward;  // as startForwarder() left it
  options_.receiver = next.receiver;
  options_.receiver.forward = routed;
  std::string listenError;
  if (startListeners(&listenError)) {
    failure_ = Failure::None;
    return ok;
  }
  *error = listenError;
  const std::uint16_t failedPort = failedPort_;
  // Back to what listened before, on the same ports (they were free a moment ago).
  options_.http = fallback.http;
  options_.grpcPort = fallback.grpcPort;
  options_.receiver = previous.receiver;
  options_.receiver.forward = routed;
  std::string again;
  failure_ = startListeners(&again) ? Failure::None : Failure::Listen;
  if (failure_ == Failure::None) failedPort_ = failedPort;  // what the caller asks about is the new port
  return false;
}

void IngestService::stop() {
  // No new requests; in-flight ones get their answers (the writer is still running to give them).
  stopListeners();
  // Before the writer: the forwarder's last deletions and log rows go through it.
  if (forwarder_) forwarder_->stop();
  if (writer_) writer_->stop();  // everything acknowledged is committed
}

}  // namespace cctv::ingest
