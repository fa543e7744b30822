#include "RollupChecks.h"

#include "store/PageRollups.h"
#include "store/Sqlite.h"

namespace cctv::test {

namespace {

std::vector<std::string> textRows(store::Database& db, const std::string& sql) {
  store::Statement st = db.prepare(sql);
  const int columns = sqlite3_column_count(st.handle());
  std::vector<std::string> out;
  while (st.step()) {
    std::string row;
    for (int i = 0; i < columns; ++i) row += (i ? "\t" : "") + (st.columnIsNull(i) ? std::string("NULL") : st.columnText(i));
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace

const std::vector<std::pair<std::string, std::string>>& pageRollupChecks() {
  static const std::string day = "timeUnixNano / 86400000000000";
  static const std::vector<std::pair<std::string, std::string>> checks = {
      {"SELECT day, (SELECT s FROM dict WHERE id = tool_ref), calls, successes, failures FROM daily_tools ORDER BY 1, 2",
       "SELECT " + day + ", tool_name, count(*), sum(success IS 1), sum(success IS 0) FROM events WHERE event_name = "
       "'tool_result' GROUP BY 1, 2 ORDER BY 1, 2"},
      {"SELECT day, (SELECT s FROM dict WHERE id = tool_ref), bucket, n, duration_ms FROM daily_tool_durations "
       "ORDER BY 1, 2, 3",
       "SELECT " + day + ", tool_name, cctv_duration_bucket(duration_ms), count(*), sum(duration_ms) FROM events "
       "WHERE event_name = 'tool_result' AND typeof(duration_ms) IN ('integer', 'real') GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"},
      {"SELECT day, (SELECT s FROM dict WHERE id = tool_ref), source, n FROM daily_tool_rejections ORDER BY 1, 2, 3",
       "SELECT " + day + ", tool_name, coalesce(source, ''), count(*) FROM events WHERE event_name = 'tool_decision' "
       "AND decision = 'reject' GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"},
      {"SELECT day, (SELECT s FROM dict WHERE id = name_ref), (SELECT s FROM dict WHERE id = model_ref), status_code, n "
       "FROM daily_api_errors ORDER BY 1, 2, 3, 4",
       "SELECT " + day + ", event_name, model, coalesce(status_code, -1), count(*) FROM events WHERE event_name IN "
       "('api_error', 'api_retries_exhausted', 'api_refusal') GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4"},
      // Sums of doubles in another order differ in the last bits: compared to 9 significant digits.
      // (Series that differ only in unit or temporality are added up on both sides: the view cannot tell them apart.)
      {"SELECT s.metric_name, s.attributes, h.hour, printf('%.9g', total(h.inc)), sum(h.points), max(h.last_ns) FROM "
       "metric_hours h JOIN metric_series s ON s.id = h.series_ref GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
       "SELECT metric_name, attributes, time_unix_nano / 3600000000000, printf('%.9g', total(increment)), count(*), "
       "max(time_unix_nano) FROM metric_increments GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"},
  };
  return checks;
}

std::string pageRollupMismatch(const std::string& dbPath) {
  store::Database db(dbPath, store::Database::Mode::ReadOnly);
  store::registerRollupFunctions(db);
  for (const auto& [table, fromRows] : pageRollupChecks()) {
    const std::vector<std::string> a = textRows(db, table), b = textRows(db, fromRows);
    if (a == b) continue;
    std::string msg = table + "\n  table has " + std::to_string(a.size()) + " rows, the rows give " +
                      std::to_string(b.size());
    for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
      const std::string x = i < a.size() ? a[i] : "(none)", y = i < b.size() ? b[i] : "(none)";
      if (x != y) return msg + "\n  first difference at row " + std::to_string(i) + ":\n  table: " + x + "\n  rows:  " + y;
    }
    return msg;
  }
  return {};
}

}  // namespace cctv::test
