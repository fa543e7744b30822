#pragma once
// The page roll-ups (store/PageRollups.h) recomputed from the rows through the views, by the rules the writer
// applies: whatever was written, resent, imported or removed, the tables must match these.

#include <string>
#include <utility>
#include <vector>

namespace cctv::test {

// (a roll-up table's rows, the same rows computed from the events view / metric_increments view)
const std::vector<std::pair<std::string, std::string>>& pageRollupChecks();

// Runs every check on the file (read-only); "" when all agree, else the first difference.
std::string pageRollupMismatch(const std::string& dbPath);

}  // namespace cctv::test
