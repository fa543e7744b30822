#include "store/ForwardQueue.h"

namespace cctv::store {

ForwardQueueWriter::ForwardQueueWriter(Database& db) : db_(db) {
  insert_ = db.prepare(
      "INSERT INTO forward_queue (queued_at, path, content_type, content_encoding, items, bytes, body) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)");
  remove_ = db.prepare("DELETE FROM forward_queue WHERE id = ? RETURNING bytes");
  oldest_ = db.prepare("SELECT id, bytes, items FROM forward_queue ORDER BY id");
  removeUpTo_ = db.prepare("DELETE FROM forward_queue WHERE id <= ?");
  Statement totals = db.prepare("SELECT count(*), coalesce(sum(bytes), 0) FROM forward_queue");
  if (totals.step()) committed_ = {totals.columnInt(0), totals.columnInt(1)};
  pending_ = committed_;
}

void ForwardQueueWriter::enqueue(const ForwardRequest& r, std::int64_t queuedAtNs) {
  Statement& st = insert_;
  st.bind(1, queuedAtNs);
  st.bind(2, r.path);
  st.bind(3, r.contentType);
  st.bind(4, r.contentEncoding);
  st.bind(5, r.items);
  st.bind(6, static_cast<std::int64_t>(r.body.size()));
  st.bindBlob(7, r.body);
  st.step();
  st.reset();
  ++pending_.entries;
  pending_.bytes += static_cast<std::int64_t>(r.body.size());
}

void ForwardQueueWriter::remove(std::int64_t id) {
  Statement& st = remove_;
  st.bind(1, id);
  if (st.step()) {
    pending_.bytes -= st.columnInt(0);
    --pending_.entries;
    while (st.step()) {
    }
  }
  st.reset();
}

ForwardQueueDrop ForwardQueueWriter::dropOldestOver(std::int64_t maxBytes) {
  ForwardQueueDrop drop;
  if (pending_.bytes <= maxBytes) return drop;
  Statement& st = oldest_;
  std::int64_t lastId = 0;
  while (pending_.bytes - drop.bytes > maxBytes && st.step()) {
    lastId = st.columnInt(0);
    drop.bytes += st.columnInt(1);
    drop.items += st.columnInt(2);
    ++drop.entries;
  }
  st.reset();
  if (drop.entries == 0) return drop;
  removeUpTo_.bind(1, lastId);
  removeUpTo_.step();
  removeUpTo_.reset();
  pending_.entries -= drop.entries;
  pending_.bytes -= drop.bytes;
  return drop;
}

ForwardQueueReader::ForwardQueueReader(const std::string& dbPath) : db_(dbPath, Database::Mode::ReadOnly) {
  next_ = db_.prepare(
      "SELECT id, queued_at, path, content_type, content_encoding, items, body FROM forward_queue "
      "WHERE id > ? ORDER BY id LIMIT 1");
}

std::optional<QueuedRequest> ForwardQueueReader::next(std::int64_t afterId) {
  Statement& st = next_;
  st.bind(1, afterId);
  std::optional<QueuedRequest> out;
  if (st.step()) {
    QueuedRequest q;
    q.id = st.columnInt(0);
    q.queuedAtNs = st.columnInt(1);
    q.request.path = st.columnText(2);
    q.request.contentType = st.columnText(3);
    q.request.contentEncoding = st.columnText(4);
    q.request.items = st.columnInt(5);
    const void* blob = sqlite3_column_blob(st.handle(), 6);
    const int n = sqlite3_column_bytes(st.handle(), 6);
    if (blob && n > 0) q.request.body.assign(static_cast<const char*>(blob), static_cast<std::size_t>(n));
    out = std::move(q);
  }
  st.reset();
  return out;
}

}  // namespace cctv::store
