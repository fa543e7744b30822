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
  if (options_.forward) {
    const forward::ForwardTargets& t = options_.forward->targets;
    options_.receiver.forward = {t.logs.has_value(), t.metrics.has_value(), t.traces.has_value()};
    // Before listening: what an earlier run left in the queue goes first.
    forwarder_ = std::make_unique<forward::Forwarder>(*writer_, options_.dbPath, wo.forwardQueueMaxBytes,
                                                      *options_.forward);
    if (!forwarder_->start(error)) {
      forwarder_.reset();
      writer_->stop();
      writer_.reset();
      return false;
    }
  }
  receiver_ = std::make_unique<HttpReceiver>(*writer_, options_.receiver, options_.http);
  if (!receiver_->start(error)) {
    receiver_.reset();
    if (forwarder_) forwarder_->stop();
    forwarder_.reset();
    writer_->stop();
    writer_.reset();
    return false;
  }
  if (options_.grpcPort > 65535) {
    *error = "cannot listen on grpc: port " + std::to_string(options_.grpcPort) + " is out of range";
    stop();
    receiver_.reset();
    writer_.reset();
    return false;
  }
  if (options_.grpcPort >= 0) {
    GrpcServerOptions g;
    g.bindAddress = options_.http.bindAddress;
    g.port = static_cast<std::uint16_t>(options_.grpcPort);
    grpc_ = std::make_unique<GrpcReceiver>(*writer_, options_.receiver, g);
    if (!grpc_->start(error)) {
      grpc_.reset();
      receiver_->stop();
      receiver_.reset();
      if (forwarder_) forwarder_->stop();
      forwarder_.reset();
      writer_->stop();
      writer_.reset();
      return false;
    }
  }
  failure_ = Failure::None;
  return true;
}

void IngestService::stop() {
  // No new requests; in-flight ones get their answers (the writer is still running to give them).
  if (grpc_) grpc_->stop();
  if (receiver_) receiver_->stop();
  // Before the writer: the forwarder's last deletions and log rows go through it.
  if (forwarder_) forwarder_->stop();
  if (writer_) writer_->stop();  // everything acknowledged is committed
}

}  // namespace cctv::ingest
