#include "Options.h"

#include <QCommandLineParser>
#include <QHostAddress>

#include <cstdio>


namespace cctv::app {

config::Settings settingsOf(const Options& o) {
  config::Settings s;
  s.httpPort = o.httpPort;
  s.grpcPort = o.grpcPort;
  s.grpc = !o.noGrpc;
  s.bind = o.bind;
  s.token = o.token;
  s.insecure = o.insecure;
  s.dbPath = o.dbPath;
  s.retainDays = o.retainDays.value_or(0);
  s.retainMb = o.retainMb.value_or(0);
  s.redact = o.redact;
  s.forward = o.forward;
  s.forwardHeaders = o.forwardHeaders;
  s.forwardCa = o.forwardCa;
  s.forwardQueueMax = o.forwardQueueMax;
  return s;
}

void applySettings(const config::Settings& s, Options* o) {
  o->httpPort = s.httpPort;
  o->grpcPort = s.grpcPort;
  o->noGrpc = !s.grpc;
  o->bind = s.bind;
  o->token = s.token;
  o->insecure = s.insecure;
  o->dbPath = s.dbPath.isEmpty() ? config::defaultDatabasePath() : s.dbPath;
  o->retainDays = s.retainDays;
  o->retainMb = s.retainMb;
  o->redact = s.redact;
  o->forward = s.forward;
  o->forwardHeaders = s.forwardHeaders;
  o->forwardCa = s.forwardCa;
  o->forwardQueueMax = s.forwardQueueMax;
}

bool isBatchCommand(const QStringList& args) {
  for (const QString& a : args)
    if (a == QLatin1String("--import") || a.startsWith(QLatin1String("--import=")) || a == QLatin1String("--export") ||
        a.startsWith(QLatin1String("--export=")))
      return true;
  return false;
}

std::optional<Options> parseOptions(const QStringList& args, int* exitCode) {
  QCommandLineParser p;
  p.setApplicationDescription(QStringLiteral(
      "cctv - Claude Code Telemetry Viewer.\n"
      "Receives Claude Code's OpenTelemetry export (OTLP/HTTP, JSON or protobuf, and OTLP/gRPC) and keeps it in "
      "a SQLite file."));
  p.addHelpOption();
  p.addVersionOption();
  const QCommandLineOption headless(QStringLiteral("headless"),
                                    QStringLiteral("Run the receiver without a window (also the default when "
                                                   "there is no display)."));
  const QCommandLineOption port(QStringLiteral("http-port"),
                                QStringLiteral("OTLP/HTTP port (default 4318; 0 picks a free port)."),
                                QStringLiteral("N"), QStringLiteral("4318"));
  const QCommandLineOption grpcPort(QStringLiteral("grpc-port"),
                                    QStringLiteral("OTLP/gRPC port (default 4317; 0 picks a free port)."),
                                    QStringLiteral("N"), QStringLiteral("4317"));
  const QCommandLineOption noGrpc(QStringLiteral("no-grpc"), QStringLiteral("Do not listen for OTLP/gRPC."));
  const QCommandLineOption bind(QStringLiteral("bind"),
                                QStringLiteral("Address to listen on (default 127.0.0.1). A non-loopback "
                                               "address needs --token, or --insecure."),
                                QStringLiteral("ADDR"), QStringLiteral("127.0.0.1"));
  const QCommandLineOption db(QStringLiteral("db"),
                              QStringLiteral("SQLite database file (default ~/.local/share/cctv/cctv.db)."),
                              QStringLiteral("FILE"));
  const QCommandLineOption token(QStringLiteral("token"),
                                 QStringLiteral("Require 'Authorization: Bearer T' on every request."),
                                 QStringLiteral("T"));
  const QCommandLineOption maxBody(QStringLiteral("max-body"),
                                   QStringLiteral("Largest request body accepted, raw and after gunzip "
                                                  "(default 16777216)."),
                                   QStringLiteral("BYTES"), QStringLiteral("16777216"));
  const QCommandLineOption insecure(QStringLiteral("insecure"),
                                    QStringLiteral("Allow a non-loopback --bind without --token."));
  const QCommandLineOption redact(QStringLiteral("redact"),
                                  QStringLiteral("Replace prompt text, responses, tool input and raw API bodies "
                                                 "with <REDACTED> before storing."));
  const QCommandLineOption quiet(QStringLiteral("quiet"), QStringLiteral("No per-request lines on stderr."));
  const QCommandLineOption retainDays(QStringLiteral("retain-days"),
                                      QStringLiteral("Remove sessions whose last activity is more than N days old, "
                                                     "in the background (default 0: keep everything)."),
                                      QStringLiteral("N"));
  const QCommandLineOption retainMb(QStringLiteral("retain-mb"),
                                    QStringLiteral("Keep the data under N MiB by removing the least recently active "
                                                   "sessions (default 0: no limit)."),
                                    QStringLiteral("N"));
  const QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                      QStringLiteral("Render the main window at 1440x900 with the database's data, "
                                                     "save it as a PNG and exit (no receiver)."),
                                      QStringLiteral("OUT.png"));
  const QCommandLineOption page(QStringLiteral("page"),
                                QStringLiteral("Page to open the window on, or to render with --screenshot: sessions, prompt, "
                                               "events, costs, metrics, tools, ingest."),
                                QStringLiteral("PAGE"), QStringLiteral("sessions"));
  // Not --session: QGuiApplication takes -session/--session (X11 session management) out of the arguments.
  const QCommandLineOption session(QStringLiteral("open-session"),
                                   QStringLiteral("Open this session at start (also for --screenshot) instead of "
                                                  "following the newest."),
                                   QStringLiteral("ID"));
  const QCommandLineOption importOpt(QStringLiteral("import"),
                                  QStringLiteral("Import OTLP files into --db and exit: OTLP/JSON Lines (the Collector's "
                                                 "file exporter), one OTLP/JSON request, or a protobuf body (.pb); "
                                                 "gzipped or not. More files may follow as arguments."),
                                  QStringLiteral("FILE"));
  const QCommandLineOption signalOpt(QStringLiteral("signal"),
                                  QStringLiteral("For --import of protobuf files whose name does not say: logs, "
                                                 "metrics or traces."),
                                  QStringLiteral("SIGNAL"));
  const QCommandLineOption exportSession(QStringLiteral("export"),
                                         QStringLiteral("Export one session from --db to -o FILE and exit."),
                                         QStringLiteral("SESSION_ID"));
  const QCommandLineOption format(QStringLiteral("format"),
                                  QStringLiteral("--export format: otlp-json (OTLP/JSON Lines, re-importable; the "
                                                 "default) or csv (the events table)."),
                                  QStringLiteral("FORMAT"), QStringLiteral("otlp-json"));
  const QCommandLineOption output(QStringList{QStringLiteral("o"), QStringLiteral("output")},
                                  QStringLiteral("File --export writes (replaced only once complete)."),
                                  QStringLiteral("FILE"));
  const QCommandLineOption forward(
      QStringLiteral("forward"),
      QStringLiteral("Also send everything accepted, as received, to this OTLP/HTTP endpoint (a base URL like "
                     "OTEL_EXPORTER_OTLP_ENDPOINT: URL/v1/logs, URL/v1/metrics, URL/v1/traces). Queued on disk, "
                     "retried with backoff."),
      QStringLiteral("URL"));
  const QCommandLineOption forwardLogs(QStringLiteral("forward-logs"),
                                       QStringLiteral("Full URL for forwarded logs (used as is; wins over --forward)."),
                                       QStringLiteral("URL"));
  const QCommandLineOption forwardMetrics(QStringLiteral("forward-metrics"),
                                          QStringLiteral("Full URL for forwarded metrics (used as is)."),
                                          QStringLiteral("URL"));
  const QCommandLineOption forwardTraces(QStringLiteral("forward-traces"),
                                         QStringLiteral("Full URL for forwarded traces (used as is)."),
                                         QStringLiteral("URL"));
  const QCommandLineOption forwardHeader(QStringLiteral("forward-header"),
                                         QStringLiteral("Header sent with every forwarded request, e.g. "
                                                        "'Authorization=Bearer abc' (repeatable; never logged)."),
                                         QStringLiteral("K=V"));
  const QCommandLineOption forwardCa(QStringLiteral("forward-ca"),
                                     QStringLiteral("More CA certificates (PEM) to trust for an https upstream, "
                                                    "besides the system's."),
                                     QStringLiteral("FILE"));
  const QCommandLineOption forwardQueueMax(QStringLiteral("forward-queue-max"),
                                           QStringLiteral("Cap of the forward queue in bytes; past it the oldest "
                                                          "requests are dropped (default 268435456)."),
                                           QStringLiteral("BYTES"), QStringLiteral("268435456"));
  const QCommandLineOption readOnly(QStringLiteral("read-only"),
                                    QStringLiteral("Open the database in the window for viewing only: no receiver, no "
                                                   "writes, no retention or deletions (e.g. while another cctv "
                                                   "receives into it); the window still shows what arrives."));
  p.addOptions({headless, port, grpcPort, noGrpc, bind, db, token, maxBody, insecure, redact, quiet, retainDays,
                retainMb, forward, forwardLogs, forwardMetrics, forwardTraces, forwardHeader, forwardCa,
                forwardQueueMax, readOnly, screenshot, page, session, importOpt, signalOpt, exportSession, format,
                output});

  auto fail = [&](const QString& msg) -> std::optional<Options> {
    std::fprintf(stderr, "cctv: %s\n", qPrintable(msg));
    *exitCode = 1;
    return std::nullopt;
  };
  if (!p.parse(args)) return fail(p.errorText());
  if (p.isSet(QStringLiteral("help"))) {
    std::fputs(qPrintable(p.helpText()), stdout);
    *exitCode = 0;
    return std::nullopt;
  }
  if (p.isSet(QStringLiteral("version"))) {
    std::printf("cctv %s\n", CCTV_VERSION);
    *exitCode = 0;
    return std::nullopt;
  }
  if (!p.positionalArguments().isEmpty() && !p.isSet(importOpt))
    return fail(QStringLiteral("unexpected argument '%1' (see --help)").arg(p.positionalArguments().first()));

  Options o;
  o.headless = p.isSet(headless);
  bool ok = false;
  o.httpPort = p.value(port).toInt(&ok);
  if (!ok || o.httpPort < 0 || o.httpPort > 65535)
    return fail(QStringLiteral("--http-port must be a number from 0 to 65535, not '%1'").arg(p.value(port)));
  o.grpcPort = p.value(grpcPort).toInt(&ok);
  if (!ok || o.grpcPort < 0 || o.grpcPort > 65535)
    return fail(QStringLiteral("--grpc-port must be a number from 0 to 65535, not '%1' (--no-grpc turns gRPC off)")
                    .arg(p.value(grpcPort)));
  o.noGrpc = p.isSet(noGrpc);
  o.bind = p.value(bind);
  if (const config::Problem bad = config::checkListener(o.bind, QStringLiteral("-"), true, config::Naming::Flags))
    return fail(bad.message);
  o.dbPath = p.isSet(db) ? p.value(db) : config::defaultDatabasePath();
  o.token = p.value(token);
  o.maxBody = p.value(maxBody).toULongLong(&ok);
  if (!ok || o.maxBody == 0)
    return fail(QStringLiteral("--max-body must be a positive number of bytes, not '%1'").arg(p.value(maxBody)));
  o.insecure = p.isSet(insecure);
  o.redact = p.isSet(redact);
  o.quiet = p.isSet(quiet);
  if (p.isSet(retainDays)) {
    o.retainDays = p.value(retainDays).toInt(&ok);
    if (!ok || *o.retainDays < 0 || *o.retainDays > 100000)
      return fail(QStringLiteral("--retain-days must be a number of days (0 keeps everything), not '%1'")
                      .arg(p.value(retainDays)));
  }
  if (p.isSet(retainMb)) {
    o.retainMb = p.value(retainMb).toLongLong(&ok);
    if (!ok || *o.retainMb < 0 || *o.retainMb > (std::int64_t{1} << 40))
      return fail(QStringLiteral("--retain-mb must be a number of MiB (0 for no limit), not '%1'").arg(p.value(retainMb)));
  }
  o.forward = p.value(forward);
  o.forwardLogs = p.value(forwardLogs);
  o.forwardMetrics = p.value(forwardMetrics);
  o.forwardTraces = p.value(forwardTraces);
  o.forwardHeaders = p.values(forwardHeader);
  o.forwardCa = p.value(forwardCa);
  o.forwardQueueMax = p.value(forwardQueueMax).toLongLong(&ok);
  if (!ok || o.forwardQueueMax <= 0)
    return fail(QStringLiteral("--forward-queue-max must be a positive number of bytes, not '%1'")
                    .arg(p.value(forwardQueueMax)));
  if (const config::Problem bad = config::checkForward(o.forward, o.forwardLogs, o.forwardMetrics, o.forwardTraces,
                                                       o.forwardHeaders, o.forwardCa, config::Naming::Flags))
    return fail(bad.message);
  o.screenshot = p.value(screenshot);
  o.page = p.value(page);
  o.session = p.value(session);
  static const QStringList pages = {QStringLiteral("sessions"), QStringLiteral("prompt"), QStringLiteral("events"),
                                    QStringLiteral("costs"), QStringLiteral("metrics"), QStringLiteral("tools"),
                                    QStringLiteral("ingest")};
  if (!pages.contains(o.page)) return fail(QStringLiteral("--page must be one of %1").arg(pages.join(QStringLiteral(", "))));
  o.importFiles = p.values(importOpt) + p.positionalArguments();
  o.signal = p.value(signalOpt);
  o.exportSession = p.value(exportSession);
  o.exportFormat = p.value(format);
  o.output = p.value(output);
  if (!o.importFiles.isEmpty() && p.isSet(exportSession))
    return fail(QStringLiteral("--import and --export cannot be used together"));
  if (p.isSet(signalOpt) && o.importFiles.isEmpty()) return fail(QStringLiteral("--signal goes with --import"));
  if (p.isSet(signalOpt) && o.signal != QLatin1String("logs") && o.signal != QLatin1String("metrics") &&
      o.signal != QLatin1String("traces"))
    return fail(QStringLiteral("--signal must be logs, metrics or traces, not '%1'").arg(o.signal));
  if (p.isSet(exportSession)) {
    if (o.exportSession.isEmpty()) return fail(QStringLiteral("--export needs a session id"));
    if (o.output.isEmpty()) return fail(QStringLiteral("--export needs -o FILE"));
    if (o.exportFormat != QLatin1String("otlp-json") && o.exportFormat != QLatin1String("csv"))
      return fail(QStringLiteral("--format must be otlp-json or csv, not '%1'").arg(o.exportFormat));
  } else if (p.isSet(output) || p.isSet(format)) {
    return fail(QStringLiteral("-o and --format go with --export"));
  }
  // Forwarding sends on what the receiver accepts; a batch command runs no receiver, so it would do nothing.
  if (o.forwarding() && (!o.importFiles.isEmpty() || p.isSet(exportSession)))
    return fail(QStringLiteral("--forward goes with the receiver, not with --import/--export (imported files are not "
                               "forwarded)"));
  o.readOnly = p.isSet(readOnly);
  if (o.readOnly && (o.headless || !o.importFiles.isEmpty() || p.isSet(exportSession)))
    return fail(QStringLiteral("--read-only opens the window for viewing; it does not go with --headless, --import "
                               "or --export"));
  if (o.readOnly && o.forwarding())
    return fail(QStringLiteral("--read-only runs no receiver, so there is nothing to --forward"));
  if (const config::Problem bad = config::checkListener(o.bind, o.token, o.insecure, config::Naming::Flags))
    return fail(bad.message);
  if (o.grpcPort == o.httpPort && o.httpPort != 0 && !o.noGrpc)
    return fail(QStringLiteral("--http-port and --grpc-port cannot be the same port (%1)").arg(o.httpPort));
  // Which preferences the command line fixed for this run.
  const struct {
    const QCommandLineOption& option;
    config::Fields field;
  } fixedBy[] = {{port, config::HttpPort},         {grpcPort, config::GrpcPort},   {noGrpc, config::Grpc},
                 {bind, config::Bind},             {token, config::Token},         {insecure, config::Insecure},
                 {db, config::DbPath},             {retainDays, config::RetainDays}, {retainMb, config::RetainMb},
                 {redact, config::Redact},         {forward, config::Forward},     {forwardHeader, config::ForwardHeaders},
                 {forwardCa, config::ForwardCa},   {forwardQueueMax, config::ForwardQueueMax}};
  for (const auto& f : fixedBy)
    if (p.isSet(f.option)) o.fixed |= f.field;
  if (p.isSet(grpcPort)) o.fixed |= config::Grpc;  // a gRPC port on the command line means gRPC on
  // Per-signal forward URLs have no preference; with them the whole forwarding setup is the command line's.
  if (!o.forwardLogs.isEmpty() || !o.forwardMetrics.isEmpty() || !o.forwardTraces.isEmpty())
    o.fixed |= config::kForwardFields;
  return o;
}

}  // namespace cctv::app
