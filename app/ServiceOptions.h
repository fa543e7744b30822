#pragma once
// Command-line options -> the ingest service's options (shared by the headless and windowed modes).

#include "Options.h"
#include "ingest/IngestService.h"

namespace cctv::app {
ingest::ServiceOptions serviceOptions(const Options& o);
}
