#pragma once
// The store's single writer: one thread that owns the write connection and commits batches.
//
// Receivers submit jobs (never blocking); the writer groups whatever is queued into one transaction,
// with a savepoint per job so one bad job cannot spoil the others, writes each job's ingest_log row in the
// same transaction, commits, and only then reports each job's outcome. So an acknowledgement always means
// "committed". The queue is bounded: when it is full, submit() says so and the receiver answers 503.

#include <QObject>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/DatabaseFile.h"
#include "store/ForwardQueue.h"
#include "store/Housekeeping.h"
#include "store/IngestTypes.h"

namespace cctv::store {

// Qt face of the writer: announces committed data to whoever listens (the viewer), batched per commit.
class StoreNotifier : public QObject {
  Q_OBJECT
 Q_SIGNALS:
  void stored(const cctv::store::StoredSummary& summary);
  // The store failed in a way the user should see (disk full, database locked); empty when recovered.
  void storeError(const QString& message);
  // Rows were taken out (a deleted session, retention): views showing them should reload.
  void removed();
};

struct WriterOptions {
  std::string path;
  std::size_t maxQueuedItems = 200000;  // rows waiting; past this, submit() returns Full
  std::size_t maxItemsPerTransaction = 20000;
  int busyTimeoutMs = 5000;  // how long a commit waits for another process's lock before answering 503
  RetentionPolicy retention{};  // applied at open and then every pruneIntervalMs, in the background
  int pruneIntervalMs = 10 * 60 * 1000;
  std::int64_t maxRowsPerMaintenanceStep = 5000;  // one maintenance transaction; ingest waits at most that long
  // Cap of the forward queue (bodies, bytes): past it the oldest entries are dropped, logged and counted.
  std::int64_t forwardQueueMaxBytes = 256ll * 1024 * 1024;
  bool logForwardDrops = true;  // a line on stderr when the cap drops entries (at most one per 10 s)
};

class Writer {
 public:
  explicit Writer(WriterOptions options);
  ~Writer();  // stop()s

  // Opens (creating or migrating) the database and starts the thread. On failure: false + one-line error,
  // and in *problem (when given) what kind of trouble it is.
  bool open(std::string* error, DatabaseProblem* problem = nullptr);

  enum class Submit { Queued, Full, Stopped };
  Submit submit(std::unique_ptr<WriteJob> job);
  // Queues an ingest_log row for a request that stored nothing (refused, undecodable, overload).
  void log(IngestLogEntry entry);
  // The forwarder is done with queue entry `id` (sent, or refused for good): deletes it and logs `entry`
  // (transport "forward"), in the writer's next transaction.
  void forwardDone(std::int64_t id, IngestLogEntry entry);
  // Called on the writer thread after a commit that added entries to the forward queue. Pass {} to stop.
  void setForwardListener(std::function<void()> listener);
  const ForwardQueueStats& forwardQueue() const { return forwardStats_; }
  // Writes everything queued, commits, closes. Idempotent. Maintenance not yet finished reports an error.
  void stop();

  // Maintenance, queued for the writer thread and done between ingest batches (ingest goes first). `done`
  // is called on the writer thread.
  using MaintenanceDone = std::function<void(const MaintenanceResult&)>;
  void deleteSession(std::string sessionId, MaintenanceDone done);
  // Retention now, as of nowNs (0: the current time), in steps of maxRowsPerMaintenanceStep rows.
  void prune(RetentionPolicy policy, MaintenanceDone done, std::int64_t nowNs = 0);
  void compact(MaintenanceDone done);
  // The policy of the periodic background prune; takes effect now.
  void setRetention(RetentionPolicy policy);

  StoreNotifier* notifier() { return &notifier_; }
  std::size_t queuedItems() const;
  const std::string& path() const { return options_.path; }

 private:
  void run();
  void writeBatch(std::vector<std::unique_ptr<WriteJob>>& jobs, std::vector<IngestLogEntry>& logs,
                  const std::vector<std::int64_t>& forwarded);
  void reportForwardDrop(const ForwardQueueDrop& drop);
  struct Task;
  void queueTask(std::unique_ptr<Task> task);
  // One step of the task at the head of the queue; true when that task is finished.
  bool runTaskStep(Task& task);

  WriterOptions options_;
  StoreNotifier notifier_;
  ForwardQueueStats forwardStats_;
  struct State;
  std::unique_ptr<State> d;
  std::thread thread_;
};

}  // namespace cctv::store

Q_DECLARE_METATYPE(cctv::store::StoredSummary)
