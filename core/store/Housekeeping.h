#pragma once
// Taking data out of the store without breaking it: deleting one session, retention by age and by size, and
// compaction. Everything here runs on the writer thread, on the writer's connection (Writer::deleteSession,
// prune and compact queue it), one bounded transaction per step, so ingest waits at most one step.
//
// The roll-ups stay what they would be had the removed rows never arrived: a session goes whole (its
// sessions, prompts, session_models and session_event_counts rows with it, and its series' metric_hours), its API
// requests and errors are subtracted from daily_models, and its tools and API errors from the page roll-ups
// (PageRollups.h). Sessionless points go by time; their series' metric_hours are rewritten from what stays. Retention therefore removes whole sessions: by age, those whose last
// activity is older than the cut-off; by size, the least recently active ones (never the most recent).

#include <cstdint>
#include <string>
#include <vector>

#include "store/Sqlite.h"

namespace cctv::store {

struct RetentionPolicy {
  int days = 0;               // 0: keep forever
  std::int64_t maxBytes = 0;  // 0: no limit; the data (pages in use), not the file: see compact()
  bool enabled() const { return days > 0 || maxBytes > 0; }
};

struct MaintenanceResult {
  bool ok = true;
  std::string error;
  std::int64_t sessions = 0, events = 0, points = 0, spans = 0, logRows = 0;
  int steps = 0;  // transactions it took
  std::int64_t bytesBefore = 0, bytesAfter = 0;  // compact: the file; prune: the data
  bool removedAnything() const { return sessions || events || points || spans || logRows; }
};

class Housekeeper {
 public:
  // `maxRowsPerStep` bounds one step: sessions are taken until their rows reach it (at least one session).
  Housekeeper(Database& db, std::int64_t maxRowsPerStep);

  // Deletes the session and everything recorded under it in one transaction. False when there is none.
  bool deleteSession(const std::string& sessionId, MaintenanceResult* result);
  // One step of retention as of `nowNs`, in its own transaction. True when there may be more to do.
  bool pruneStep(const RetentionPolicy& policy, std::int64_t nowNs, MaintenanceResult* result);
  // Rewrites the file without free pages (VACUUM), and switches it to incremental auto-vacuum so later
  // pruning gives space back to the file system by itself. Blocks the writer while it runs.
  void compact(MaintenanceResult* result);

  std::int64_t dataBytes();  // pages in use × page size
  std::int64_t fileBytes();  // pages in the database × page size (the WAL not counted)

 private:
  bool pruneByAge(std::int64_t cutoffNs, MaintenanceResult* r);
  bool pruneBySize(std::int64_t maxBytes, MaintenanceResult* r);
  bool removeSessionsUpTo(Statement candidates, std::int64_t budget, MaintenanceResult* r);
  // Inside a transaction: removes the sessions with these sessions.id values and all their rows.
  void removeSessions(const std::vector<std::int64_t>& refs, MaintenanceResult* r);
  // Inside a transaction: removes the event_data rows listed in temp.doomed_events, after taking their
  // API requests and errors off daily_models and their tools and errors off the page roll-ups.
  std::int64_t removeDoomedEvents();
  std::int64_t dictRef(const char* text);
  void giveBackFreePages();

  Database& db_;
  std::int64_t maxRowsPerStep_;
};

}  // namespace cctv::store
