#include "store/Writer.h"

#include <QMetaType>

#include "store/RowWriter.h"
#include "store/Schema.h"
#include "store/Sqlite.h"

namespace cctv::store {

namespace {
constexpr std::size_t kMaxQueuedLogs = 10000;  // refused requests logged while the writer is stalled
}

struct Writer::State {
  mutable std::mutex mutex;
  std::condition_variable wake;
  std::deque<std::unique_ptr<WriteJob>> jobs;
  std::vector<IngestLogEntry> logs;
  std::size_t queuedItems = 0;
  bool stopping = false;
  bool running = false;
  std::uint64_t droppedLogs = 0;
  Database db;
  std::unique_ptr<RowWriter> rows;
};

Writer::Writer(WriterOptions options) : options_(std::move(options)), d(std::make_unique<State>()) {
  qRegisterMetaType<cctv::store::StoredSummary>();
}

Writer::~Writer() { stop(); }

bool Writer::open(std::string* error, DatabaseProblem* problem) {
  try {
    d->db = Database(options_.path, Database::Mode::ReadWriteCreate);
    openForWriting(d->db);
    sqlite3_busy_timeout(d->db.handle(), options_.busyTimeoutMs);
    d->rows = std::make_unique<RowWriter>(d->db);
  } catch (const SqliteError& e) {
    *error = e.what();
    if (problem) *problem = classifySqlite(e.code(), e.what());
    d->rows.reset();
    d->db = Database();
    return false;
  }
  d->running = true;
  thread_ = std::thread([this] { run(); });
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
  try {
    // Fold the WAL back into the main file so the database is one self-contained file at rest.
    d->db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  } catch (const SqliteError&) {
  }
  d->db = Database();
}

void Writer::run() {
  for (;;) {
    std::vector<std::unique_ptr<WriteJob>> jobs;
    std::vector<IngestLogEntry> logs;
    {
      std::unique_lock<std::mutex> lock(d->mutex);
      d->wake.wait(lock, [&] { return d->stopping || !d->jobs.empty() || !d->logs.empty(); });
      if (d->jobs.empty() && d->logs.empty() && d->stopping) return;
      std::size_t items = 0;
      while (!d->jobs.empty() && (jobs.empty() || items + d->jobs.front()->batch.itemCount() <=
                                                      options_.maxItemsPerTransaction)) {
        items += d->jobs.front()->batch.itemCount();
        jobs.push_back(std::move(d->jobs.front()));
        d->jobs.pop_front();
      }
      logs.swap(d->logs);
    }
    writeBatch(jobs, logs);
    std::size_t done = 0;
    for (const auto& j : jobs) done += j->batch.itemCount();
    std::lock_guard<std::mutex> lock(d->mutex);
    d->queuedItems -= done;
  }
}

void Writer::writeBatch(std::vector<std::unique_ptr<WriteJob>>& jobs, std::vector<IngestLogEntry>& logs) {
  std::vector<WriteResult> results(jobs.size());
  Rollups all;
  std::string failure;
  bool retryable = false;
  try {
    Transaction tx(d->db);
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      WriteJob& job = *jobs[i];
      WriteResult& res = results[i];
      Rollups mine;
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
    d->rows->flushRollups(all);
    tx.commit();
  } catch (const SqliteError& e) {
    d->rows->clearCaches();
    failure = e.what();
    retryable = true;
  }
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

}  // namespace cctv::store
