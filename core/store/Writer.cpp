#include "store/Writer.h"

#include <QMetaType>

#include <chrono>
#include <cstdio>

#include "store/RowWriter.h"
#include "store/Schema.h"
#include "store/Sqlite.h"
#include "util/ThreadName.h"

namespace cctv::store {

namespace {
constexpr std::size_t kMaxQueuedLogs = 10000;  // refused requests logged while the writer is stalled
using Clock = std::chrono::steady_clock;
constexpr std::chrono::seconds kForwardDropLineInterval{10};

std::int64_t systemNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}
}  // namespace

struct Writer::Task {
  enum class Kind { DeleteSession, Prune, Compact } kind = Kind::Prune;
  std::string sessionId;
  RetentionPolicy policy;
  std::int64_t nowNs = 0;
  bool periodic = false;  // the background prune (at most one queued at a time)
  MaintenanceDone done;
  MaintenanceResult result;
};

struct Writer::State {
  mutable std::mutex mutex;
  std::condition_variable wake;
  std::deque<std::unique_ptr<WriteJob>> jobs;
  std::vector<IngestLogEntry> logs;
  std::vector<std::int64_t> forwarded;       // queue entries the forwarder is done with
  std::vector<std::int64_t> forwardedRetry;  // ... whose deletion a failed transaction lost: next time
  std::function<void()> forwardListener;
  std::size_t queuedItems = 0;
  bool stopping = false;
  bool running = false;
  std::uint64_t droppedLogs = 0;
  std::deque<std::unique_ptr<Task>> tasks;
  RetentionPolicy retention;
  Clock::time_point nextPrune;
  bool periodicQueued = false;
  Database db;
  std::unique_ptr<RowWriter> rows;
  std::unique_ptr<Housekeeper> housekeeper;
  std::unique_ptr<ForwardQueueWriter> queue;
  // Writer thread only: the cap's stderr line is rate-limited; drops in between are summed into the next.
  std::chrono::steady_clock::time_point lastDropLine{};
  ForwardQueueDrop unreportedDrop;
};

Writer::Writer(WriterOptions options) : options_(std::move(options)), d(std::make_unique<State>()) {
  qRegisterMetaType<cctv::store::StoredSummary>();
}

Writer::~Writer() { stop(); }

bool Writer::open(std::string* error, DatabaseProblem* problem) {
  try {
    d->db = Database(options_.path, Database::Mode::ReadWriteCreate);
    // A migration can take a while on a large file (schema 3 fills roll-ups from every row): say so, with times.
    const auto started = std::chrono::steady_clock::now();
    bool migrated = false;
    openForWriting(d->db, [&](const std::string& step) {
      migrated = true;
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      std::fprintf(stderr, "cctv: %s: %s (%.1f s)\n", options_.path.c_str(), step.c_str(), s);
    });
    if (migrated) {
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      std::fprintf(stderr, "cctv: %s: upgraded to schema %d in %.1f s\n", options_.path.c_str(), kSchemaVersion, s);
    }
    sqlite3_busy_timeout(d->db.handle(), options_.busyTimeoutMs);
    d->rows = std::make_unique<RowWriter>(d->db);
    d->housekeeper = std::make_unique<Housekeeper>(d->db, options_.maxRowsPerMaintenanceStep);
    d->queue = std::make_unique<ForwardQueueWriter>(d->db);
  } catch (const SqliteError& e) {
    *error = e.what();
    if (problem) *problem = classifySqlite(e.code(), e.what());
    d->rows.reset();
    d->housekeeper.reset();
    d->queue.reset();
    d->db = Database();
    return false;
  }
  forwardStats_.entries = d->queue->committed().entries;
  forwardStats_.bytes = d->queue->committed().bytes;
  d->running = true;
  d->retention = options_.retention;
  d->nextPrune = Clock::now();  // the first background prune right after opening
  thread_ = std::thread([this] {
    util::setThreadName("cctv-writer");
    run();
  });
  return true;
}

Writer::Submit Writer::submit(std::unique_ptr<WriteJob> job) {
  const std::size_t items = job->batch.itemCount();
  {
    std::lock_guard<std::mutex> lock(d->mutex);
    if (!d->running || d->stopping) return Submit::Stopped;
    // An empty queue takes any job, so one large request can never be refused forever.
    if (d->queuedItems > 0 && d->queuedItems + items > options_.maxQueuedItems) return Submit::Full;
    d->queuedItems += items;
    d->jobs.push_back(std::move(job));
  }
  d->wake.notify_one();
  return Submit::Queued;
}

void Writer::log(IngestLogEntry entry) {
  {
    std::lock_guard<std::mutex> lock(d->mutex);
    if (!d->running) return;
    if (d->logs.size() >= kMaxQueuedLogs) {
      ++d->droppedLogs;
      return;
    }
    d->logs.push_back(std::move(entry));
  }
  d->wake.notify_one();
}

void Writer::forwardDone(std::int64_t id, IngestLogEntry entry) {
  {
    std::lock_guard<std::mutex> lock(d->mutex);
    if (!d->running) return;
    d->forwarded.push_back(id);
    // Not subject to kMaxQueuedLogs: there is at most one per forwarded request, and it goes with the deletion.
    d->logs.push_back(std::move(entry));
  }
  d->wake.notify_one();
}

void Writer::setForwardListener(std::function<void()> listener) {
  std::lock_guard<std::mutex> lock(d->mutex);
  d->forwardListener = std::move(listener);
}

std::size_t Writer::queuedItems() const {
  std::lock_guard<std::mutex> lock(d->mutex);
  return d->queuedItems;
}

void Writer::stop() {
  {
    std::lock_guard<std::mutex> lock(d->mutex);
    if (!d->running) return;
    d->stopping = true;
  }
  d->wake.notify_one();
  if (thread_.joinable()) thread_.join();
  std::lock_guard<std::mutex> lock(d->mutex);
  d->running = false;
  d->rows.reset();
  d->housekeeper.reset();
  d->queue.reset();
  try {
    // Fold the WAL back into the main file so the database is one self-contained file at rest.
    d->db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  } catch (const SqliteError&) {
  }
  d->db = Database();
}

void Writer::deleteSession(std::string sessionId, MaintenanceDone done) {
  auto t = std::make_unique<Task>();
  t->kind = Task::Kind::DeleteSession;
  t->sessionId = std::move(sessionId);
  t->done = std::move(done);
  queueTask(std::move(t));
}

void Writer::prune(RetentionPolicy policy, MaintenanceDone done, std::int64_t nowNs) {
  auto t = std::make_unique<Task>();
  t->kind = Task::Kind::Prune;
  t->policy = policy;
  t->nowNs = nowNs ? nowNs : systemNowNs();
  t->done = std::move(done);
  queueTask(std::move(t));
}

void Writer::compact(MaintenanceDone done) {
  auto t = std::make_unique<Task>();
  t->kind = Task::Kind::Compact;
  t->done = std::move(done);
  queueTask(std::move(t));
}

void Writer::setRetention(RetentionPolicy policy) {
  {
    std::lock_guard<std::mutex> lock(d->mutex);
    d->retention = policy;
    d->nextPrune = Clock::now();
  }
  d->wake.notify_one();
}

void Writer::queueTask(std::unique_ptr<Task> task) {
  {
    std::lock_guard<std::mutex> lock(d->mutex);
    if (d->running && !d->stopping) {
      d->tasks.push_back(std::move(task));
      task = nullptr;
    }
  }
  if (!task) {
    d->wake.notify_one();
    return;
  }
  task->result.ok = false;
  task->result.error = "the store is closed";
  if (task->done) task->done(task->result);
}

bool Writer::runTaskStep(Task& task) {
  MaintenanceResult& r = task.result;
  const std::int64_t before = r.sessions + r.events + r.points + r.spans + r.logRows;
  bool finished = true;
  try {
    switch (task.kind) {
      case Task::Kind::DeleteSession:
        if (!d->housekeeper->deleteSession(task.sessionId, &r)) {
          r.ok = false;
          r.error = "no session " + task.sessionId;
        }
        break;
      case Task::Kind::Prune: finished = !d->housekeeper->pruneStep(task.policy, task.nowNs, &r); break;
      case Task::Kind::Compact: d->housekeeper->compact(&r); break;
    }
  } catch (const SqliteError& e) {
    r.ok = false;
    r.error = e.what();
    finished = true;
  }
  // Cached ids may name sessions, prompts or series that are gone now.
  d->rows->clearCaches();
  if (r.sessions + r.events + r.points + r.spans + r.logRows != before) Q_EMIT notifier_.removed();
  return finished;
}

void Writer::run() {
  std::deque<std::unique_ptr<Task>> abandoned;
  for (;;) {
    std::vector<std::unique_ptr<WriteJob>> jobs;
    std::vector<IngestLogEntry> logs;
    std::vector<std::int64_t> forwarded;
    Task* task = nullptr;
    {
      std::unique_lock<std::mutex> lock(d->mutex);
      auto pruneDue = [&] { return d->retention.enabled() && !d->periodicQueued && Clock::now() >= d->nextPrune; };
      auto ready = [&] {
        return d->stopping || !d->jobs.empty() || !d->logs.empty() || !d->forwarded.empty() || !d->tasks.empty() ||
               pruneDue();
      };
      if (d->retention.enabled() && !d->periodicQueued) d->wake.wait_until(lock, d->nextPrune, ready);
      else d->wake.wait(lock, ready);
      if (!d->stopping && pruneDue()) {
        auto t = std::make_unique<Task>();
        t->policy = d->retention;
        t->nowNs = systemNowNs();
        t->periodic = true;
        d->tasks.push_back(std::move(t));
        d->periodicQueued = true;
        d->nextPrune = Clock::now() + std::chrono::milliseconds(options_.pruneIntervalMs);
      }
      if (d->jobs.empty() && d->logs.empty() && d->forwarded.empty()) {
        if (d->stopping) {
          abandoned.swap(d->tasks);
          break;
        }
        if (d->tasks.empty()) continue;
        // Maintenance only when no ingest is waiting: one step, then ingest gets its turn again.
        task = d->tasks.front().get();
      } else {
        std::size_t items = 0;
        while (!d->jobs.empty() && (jobs.empty() || items + d->jobs.front()->batch.itemCount() <=
                                                        options_.maxItemsPerTransaction)) {
          items += d->jobs.front()->batch.itemCount();
          jobs.push_back(std::move(d->jobs.front()));
          d->jobs.pop_front();
        }
        logs.swap(d->logs);
        forwarded.swap(d->forwardedRetry);
        forwarded.insert(forwarded.end(), d->forwarded.begin(), d->forwarded.end());
        d->forwarded.clear();
      }
    }
    if (task) {
      if (!runTaskStep(*task)) continue;
      std::unique_ptr<Task> finished;
      {
        std::lock_guard<std::mutex> lock(d->mutex);
        finished = std::move(d->tasks.front());
        d->tasks.pop_front();
        if (finished->periodic) d->periodicQueued = false;
      }
      if (finished->done) finished->done(finished->result);
      continue;
    }
    writeBatch(jobs, logs, forwarded);
    std::size_t done = 0;
    for (const auto& j : jobs) done += j->batch.itemCount();
    std::lock_guard<std::mutex> lock(d->mutex);
    d->queuedItems -= done;
  }
  for (auto& t : abandoned) {
    t->result.ok = false;
    t->result.error = "cctv stopped before this was done";
    if (t->done) t->done(t->result);
  }
}

void Writer::writeBatch(std::vector<std::unique_ptr<WriteJob>>& jobs, std::vector<IngestLogEntry>& logs,
                        const std::vector<std::int64_t>& forwarded) {
  std::vector<WriteResult> results(jobs.size());
  Rollups all;
  std::string failure;
  bool retryable = false;
  bool queuedForward = false;
  ForwardQueueDrop drop;
  try {
    Transaction tx(d->db);
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      WriteJob& job = *jobs[i];
      WriteResult& res = results[i];
      Rollups mine;
      const ForwardQueueTotals queueMark = d->queue->pending();
      d->db.exec("SAVEPOINT job");
      try {
        d->rows->write(job.batch, &mine, &res);
        res.ok = true;
        job.log.status = job.statuses.stored;
        job.log.accepted = res.stored;
        job.log.duplicates = res.duplicates;
        job.log.rejected = job.batch.rejected;
        if (job.batch.rejected && job.log.message.empty()) job.log.message = job.batch.rejectReason;
        d->rows->writeLog(job.log);
        // Queued with its rows or not at all: an acknowledged request is a queued one, even after a crash.
        if (job.forward && res.stored > 0) {
          d->queue->enqueue(*job.forward, job.log.receivedAtNs ? job.log.receivedAtNs : systemNowNs());
          queuedForward = true;
        }
        d->db.exec("RELEASE job");
        all.merge(mine);
      } catch (const SqliteError& e) {
        // Storage trouble ends the whole transaction; anything else spoils only this job. A damaged file is
        // storage trouble too: nothing can be acknowledged, and the sender keeps the data for its retries.
        const int primary = e.code() & 0xff;
        if (e.isFull() || e.isBusy() || primary == SQLITE_IOERR || primary == SQLITE_CORRUPT ||
            primary == SQLITE_NOTADB)
          throw;
        d->db.exec("ROLLBACK TO job");
        d->db.exec("RELEASE job");
        d->queue->restore(queueMark);
        d->rows->clearCaches();
        res = WriteResult{};
        res.error = std::string("store: ") + e.what();
        job.log.status = job.statuses.failed;
        job.log.accepted = job.log.duplicates = 0;
        job.log.rejected = static_cast<std::int64_t>(job.batch.itemCount()) + job.batch.rejected;
        job.log.message = res.error;
        d->rows->writeLog(job.log);
      }
    }
    for (const IngestLogEntry& e : logs) d->rows->writeLog(e);
    for (std::int64_t id : forwarded) d->queue->remove(id);
    drop = d->queue->dropOldestOver(options_.forwardQueueMaxBytes);
    if (drop.entries > 0) {
      IngestLogEntry e;
      e.receivedAtNs = systemNowNs();
      e.transport = "forward";
      e.bytes = drop.bytes;
      e.status = 0;
      e.rejected = drop.items;
      e.message = "forward queue over its cap of " + std::to_string(options_.forwardQueueMaxBytes) +
                  " bytes: dropped the " + std::to_string(drop.entries) + " oldest request(s) not yet forwarded";
      d->rows->writeLog(e);
    }
    d->rows->flushRollups(all);
    tx.commit();
    d->queue->commit();
  } catch (const SqliteError& e) {
    d->rows->clearCaches();
    d->queue->rollback();
    queuedForward = false;
    drop = {};
    failure = e.what();
    retryable = true;
    if (!forwarded.empty()) {
      std::lock_guard<std::mutex> lock(d->mutex);
      d->forwardedRetry.insert(d->forwardedRetry.end(), forwarded.begin(), forwarded.end());
    }
  }
  forwardStats_.entries = d->queue->committed().entries;
  forwardStats_.bytes = d->queue->committed().bytes;
  if (drop.entries > 0) reportForwardDrop(drop);
  if (!failure.empty()) {
    for (WriteResult& r : results) {
      r = WriteResult{};
      r.retryable = retryable;
      r.error = "store unavailable: " + failure;
    }
    // Record the refusals if the database takes anything at all now (it may not, on a full disk).
    try {
      Transaction tx(d->db);
      for (std::size_t i = 0; i < jobs.size(); ++i) {
        IngestLogEntry e = jobs[i]->log;
        e.status = jobs[i]->statuses.unavailable;
        e.accepted = e.duplicates = 0;
        e.message = results[i].error;
        d->rows->writeLog(e);
      }
      for (const IngestLogEntry& e : logs) d->rows->writeLog(e);
      tx.commit();
    } catch (const SqliteError&) {
    }
    Q_EMIT notifier_.storeError(QString::fromStdString(failure));
  }
  for (std::size_t i = 0; i < jobs.size(); ++i)
    if (jobs[i]->done) jobs[i]->done(results[i]);
  if (queuedForward) {
    std::function<void()> listener;
    {
      std::lock_guard<std::mutex> lock(d->mutex);
      listener = d->forwardListener;
    }
    if (listener) listener();
  }
  if (failure.empty() && !all.empty()) {
    StoredSummary s;
    s.sessionIds.assign(all.sessionIds.begin(), all.sessionIds.end());
    s.events = all.events;
    s.points = all.points;
    s.spans = all.spans;
    s.newestNs = all.newestNs;
    Q_EMIT notifier_.stored(s);
  }
}

void Writer::reportForwardDrop(const ForwardQueueDrop& drop) {
  forwardStats_.droppedEntries += drop.entries;
  forwardStats_.droppedBytes += drop.bytes;
  d->unreportedDrop.entries += drop.entries;
  d->unreportedDrop.bytes += drop.bytes;
  const auto now = std::chrono::steady_clock::now();
  if (!options_.logForwardDrops || now - d->lastDropLine < kForwardDropLineInterval) return;
  d->lastDropLine = now;
  std::fprintf(stderr,
               "cctv: forward queue over its cap of %lld bytes: dropped the %lld oldest request(s) (%lld bytes) "
               "not yet forwarded; %lld dropped since start\n",
               static_cast<long long>(options_.forwardQueueMaxBytes), static_cast<long long>(d->unreportedDrop.entries),
               static_cast<long long>(d->unreportedDrop.bytes), static_cast<long long>(forwardStats_.droppedEntries));
  d->unreportedDrop = {};
}

}  // namespace cctv::store
