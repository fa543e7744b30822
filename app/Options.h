#pragma once
// Command line of the cctv executable.

#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>

#include "config/Settings.h"

namespace cctv::app {

struct Options {
  bool headless = false;
  QString bind = QStringLiteral("127.0.0.1");
  int httpPort = 4318;
  int grpcPort = 4317;  // OTLP/gRPC; 0 picks a free port
  bool noGrpc = false;  // --no-grpc: HTTP only
  QString dbPath;  // empty: the default under the XDG data dir
  QString token;
  std::uint64_t maxBody = 16ull * 1024 * 1024;
  bool insecure = false;
  bool redact = false;
  bool quiet = false;  // no per-request lines on stderr
  // Retention (--retain-days, --retain-mb); unset: the window's preference, or off when headless. 0 is off.
  std::optional<int> retainDays;
  std::optional<std::int64_t> retainMb;
  // Forwarding (core/forward): a base URL like OTEL_EXPORTER_OTLP_ENDPOINT and/or full per-signal URLs.
  QString forward, forwardLogs, forwardMetrics, forwardTraces;
  QStringList forwardHeaders;  // K=V, validated
  QString forwardCa;
  std::int64_t forwardQueueMax = 256ll * 1024 * 1024;
  bool forwarding() const {
    return !forward.isEmpty() || !forwardLogs.isEmpty() || !forwardMetrics.isEmpty() || !forwardTraces.isEmpty();
  }
  QString screenshot;  // --screenshot FILE: render the window, save, exit
  QString page = QStringLiteral("sessions");  // --page for the screenshot: sessions, prompt, costs, tools, ingest
  QString session;  // --open-session: show this session instead of following the newest
  // Batch commands: import files, or export a session, into/from --db and exit (no receiver, no window).
  QStringList importFiles;  // --import FILE [FILE...]
  QString signal;           // --signal for protobuf files whose name does not say
  QString exportSession;    // --export SESSION_ID
  QString exportFormat = QStringLiteral("otlp-json");  // --format otlp-json | csv
  QString output;           // -o / --output FILE
  // --read-only: the window only views the database (no receiver, no writer, no maintenance).
  bool readOnly = false;
  // The preferences given on the command line: they win over the saved ones for this run (config::merge).
  config::Fields fixed = 0;
};

// The preference-shaped part of the options, and back (the per-signal forward URLs stay as they are).
config::Settings settingsOf(const Options& o);
void applySettings(const config::Settings& s, Options* o);

// True when argv asks for a batch command (--import / --export): no window is needed for it.
bool isBatchCommand(const QStringList& args);

// Parses argv. On --help/--version prints and returns nullopt with *exitCode 0; on a bad argument prints a
// one-line error and returns nullopt with *exitCode 1.
std::optional<Options> parseOptions(const QStringList& args, int* exitCode);

}  // namespace cctv::app
