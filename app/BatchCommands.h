#pragma once
// `cctv --import FILE…` and `cctv --export SESSION_ID …`: one job on the database, a summary, an exit code.

#include "Options.h"

namespace cctv::app {

// Imports o.importFiles into o.dbPath. Prints one summary line per file on stdout and each problem on
// stderr; returns 0 when every file was imported whole, 1 otherwise.
int runImport(const Options& o);
// Exports o.exportSession from o.dbPath to o.output in o.exportFormat; 0 on success, 1 with a reason.
int runExport(const Options& o);

}  // namespace cctv::app
