#pragma once
// The forward_queue table: requests accepted by the receivers and waiting to be sent upstream (core/forward).
//
// Two sides, two connections. The writer thread adds entries in the same transaction as the rows they
// carry, removes the ones the forwarder is done with, and drops the oldest when the queue is over its byte
// cap; it alone keeps the totals, so they are exact without scanning. The forwarder reads entries in id
// order on its own read-only connection (WAL: readers never block the writer).

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "store/IngestTypes.h"
#include "store/Sqlite.h"

namespace cctv::store {

// Shared between the writer (which updates it after each commit) and whoever shows it (forwarder, UI).
struct ForwardQueueStats {
  std::atomic<std::int64_t> entries{0};
  std::atomic<std::int64_t> bytes{0};
  std::atomic<std::int64_t> droppedEntries{0};  // dropped because the queue was over its cap, since start
  std::atomic<std::int64_t> droppedBytes{0};
};

struct ForwardQueueTotals {
  std::int64_t entries = 0;
  std::int64_t bytes = 0;
};

// What dropOldestOver() removed.
struct ForwardQueueDrop {
  std::int64_t entries = 0;
  std::int64_t bytes = 0;
  std::int64_t items = 0;  // records, points and spans in them
};

// Writer thread only, inside the writer's transaction. The totals it keeps are "as of the open transaction":
// commit() makes them the committed ones, rollback() returns to those.
class ForwardQueueWriter {
 public:
  explicit ForwardQueueWriter(Database& db);

  void enqueue(const ForwardRequest& request, std::int64_t queuedAtNs);
  // Deletes an entry the forwarder finished with; an entry already dropped by the cap is no error.
  void remove(std::int64_t id);
  // Deletes the oldest entries until the queue holds at most maxBytes of bodies.
  ForwardQueueDrop dropOldestOver(std::int64_t maxBytes);

  ForwardQueueTotals pending() const { return pending_; }
  void restore(const ForwardQueueTotals& mark) { pending_ = mark; }  // after ROLLBACK TO a savepoint
  void commit() { committed_ = pending_; }
  void rollback() { pending_ = committed_; }
  ForwardQueueTotals committed() const { return committed_; }

 private:
  Database& db_;
  Statement insert_, remove_, oldest_, removeUpTo_;
  ForwardQueueTotals committed_, pending_;
};

struct QueuedRequest {
  std::int64_t id = 0;
  std::int64_t queuedAtNs = 0;
  ForwardRequest request;
};

// The forwarder's side: a read-only connection of its own.
class ForwardQueueReader {
 public:
  // Throws SqliteError when the file cannot be opened.
  explicit ForwardQueueReader(const std::string& dbPath);
  // The first entry with an id above afterId, in queue order.
  std::optional<QueuedRequest> next(std::int64_t afterId);

 private:
  Database db_;
  Statement next_;
};

}  // namespace cctv::store
