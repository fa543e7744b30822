#include "config/Settings.h"

#include <QByteArray>
#include <QHostAddress>
#include <QRandomGenerator>
#include <QSettings>
#include <QStandardPaths>

#include "forward/Endpoint.h"

namespace cctv::config {

namespace {

const QString kHttpPort = QStringLiteral("listener/httpPort");
const QString kGrpcPort = QStringLiteral("listener/grpcPort");
const QString kGrpc = QStringLiteral("listener/grpc");
const QString kBind = QStringLiteral("listener/bind");
const QString kToken = QStringLiteral("listener/token");
const QString kInsecure = QStringLiteral("listener/insecure");
const QString kDbPath = QStringLiteral("database/path");
// The keys Database → Retention… has used since before this dialog.
const QString kRetainDays = QStringLiteral("retention/days");
const QString kRetainMb = QStringLiteral("retention/mb");
const QString kRedact = QStringLiteral("ingest/redact");
const QString kForward = QStringLiteral("forward/url");
const QString kForwardHeaders = QStringLiteral("forward/headers");
const QString kForwardCa = QStringLiteral("forward/ca");
const QString kForwardQueueMax = QStringLiteral("forward/queueMax");
const QString kTheme = QStringLiteral("appearance/theme");

int intIn(const QVariant& v, int fallback, int lo, int hi) {
  bool ok = false;
  const int n = v.toInt(&ok);
  return ok && n >= lo && n <= hi ? n : fallback;
}

std::int64_t int64In(const QVariant& v, std::int64_t fallback, std::int64_t lo, std::int64_t hi) {
  bool ok = false;
  const std::int64_t n = v.toLongLong(&ok);
  return ok && n >= lo && n <= hi ? n : fallback;
}

Problem problem(Field field, const QString& message) { return Problem{field, message}; }

}  // namespace

QString themeName(Theme theme) {
  switch (theme) {
    case Theme::Light: return QStringLiteral("light");
    case Theme::Dark: return QStringLiteral("dark");
    case Theme::System: break;
  }
  return QStringLiteral("system");
}

Theme themeFromName(const QString& name) {
  if (name == QLatin1String("light")) return Theme::Light;
  if (name == QLatin1String("dark")) return Theme::Dark;
  return Theme::System;
}

bool Settings::operator==(const Settings& o) const { return changed(*this, o) == 0; }

Fields changed(const Settings& a, const Settings& b) {
  Fields f = 0;
  if (a.httpPort != b.httpPort) f |= HttpPort;
  if (a.grpcPort != b.grpcPort) f |= GrpcPort;
  if (a.grpc != b.grpc) f |= Grpc;
  if (a.bind != b.bind) f |= Bind;
  if (a.token != b.token) f |= Token;
  if (a.insecure != b.insecure) f |= Insecure;
  if (a.dbPath != b.dbPath) f |= DbPath;
  if (a.retainDays != b.retainDays) f |= RetainDays;
  if (a.retainMb != b.retainMb) f |= RetainMb;
  if (a.redact != b.redact) f |= Redact;
  if (a.forward != b.forward) f |= Forward;
  if (a.forwardHeaders != b.forwardHeaders) f |= ForwardHeaders;
  if (a.forwardCa != b.forwardCa) f |= ForwardCa;
  if (a.forwardQueueMax != b.forwardQueueMax) f |= ForwardQueueMax;
  if (a.theme != b.theme) f |= ThemeField;
  return f;
}

Settings merge(const Settings& saved, const Settings& commandLine, Fields fixed) {
  Settings s = saved;
  const Settings& c = commandLine;
  if (fixed & HttpPort) s.httpPort = c.httpPort;
  if (fixed & GrpcPort) s.grpcPort = c.grpcPort;
  if (fixed & Grpc) s.grpc = c.grpc;
  if (fixed & Bind) s.bind = c.bind;
  if (fixed & Token) s.token = c.token;
  if (fixed & Insecure) s.insecure = c.insecure;
  if (fixed & DbPath) s.dbPath = c.dbPath;
  if (fixed & RetainDays) s.retainDays = c.retainDays;
  if (fixed & RetainMb) s.retainMb = c.retainMb;
  if (fixed & Redact) s.redact = c.redact;
  if (fixed & Forward) s.forward = c.forward;
  if (fixed & ForwardHeaders) s.forwardHeaders = c.forwardHeaders;
  if (fixed & ForwardCa) s.forwardCa = c.forwardCa;
  if (fixed & ForwardQueueMax) s.forwardQueueMax = c.forwardQueueMax;
  if (fixed & ThemeField) s.theme = c.theme;
  return s;
}

Settings load(QSettings& store) {
  Settings d;
  Settings s;
  s.httpPort = intIn(store.value(kHttpPort), d.httpPort, 0, 65535);
  s.grpcPort = intIn(store.value(kGrpcPort), d.grpcPort, 0, 65535);
  s.grpc = store.value(kGrpc, d.grpc).toBool();
  s.bind = store.value(kBind, d.bind).toString();
  s.token = store.value(kToken).toString();
  s.insecure = store.value(kInsecure, false).toBool();
  s.dbPath = store.value(kDbPath).toString();
  s.retainDays = intIn(store.value(kRetainDays), 0, 0, 100000);
  s.retainMb = int64In(store.value(kRetainMb), 0, 0, std::int64_t{1} << 40);
  s.redact = store.value(kRedact, false).toBool();
  s.forward = store.value(kForward).toString();
  s.forwardHeaders = store.value(kForwardHeaders).toStringList();
  s.forwardCa = store.value(kForwardCa).toString();
  s.forwardQueueMax = int64In(store.value(kForwardQueueMax), d.forwardQueueMax, 1, std::int64_t{1} << 50);
  s.theme = themeFromName(store.value(kTheme).toString());
  return s;
}

void save(QSettings& store, const Settings& s, Fields skip) {
  auto put = [&](Field f, const QString& key, const QVariant& value) {
    if (!(skip & f)) store.setValue(key, value);
  };
  put(HttpPort, kHttpPort, s.httpPort);
  put(GrpcPort, kGrpcPort, s.grpcPort);
  put(Grpc, kGrpc, s.grpc);
  put(Bind, kBind, s.bind);
  put(Token, kToken, s.token);
  put(Insecure, kInsecure, s.insecure);
  put(DbPath, kDbPath, s.dbPath);
  put(RetainDays, kRetainDays, s.retainDays);
  put(RetainMb, kRetainMb, static_cast<qint64>(s.retainMb));
  put(Redact, kRedact, s.redact);
  put(Forward, kForward, s.forward);
  put(ForwardHeaders, kForwardHeaders, s.forwardHeaders);
  put(ForwardCa, kForwardCa, s.forwardCa);
  put(ForwardQueueMax, kForwardQueueMax, static_cast<qint64>(s.forwardQueueMax));
  put(ThemeField, kTheme, themeName(s.theme));
  store.sync();
}

QString fieldName(Field field, Naming naming) {
  const bool flags = naming == Naming::Flags;
  switch (field) {
    case HttpPort: return flags ? QStringLiteral("--http-port") : QStringLiteral("HTTP port");
    case GrpcPort: return flags ? QStringLiteral("--grpc-port") : QStringLiteral("gRPC port");
    case Grpc: return flags ? QStringLiteral("--no-grpc") : QStringLiteral("gRPC");
    case Bind: return flags ? QStringLiteral("--bind") : QStringLiteral("Listen address");
    case Token: return flags ? QStringLiteral("--token") : QStringLiteral("Bearer token");
    case Insecure: return flags ? QStringLiteral("--insecure") : QStringLiteral("Allow without a token");
    case DbPath: return flags ? QStringLiteral("--db") : QStringLiteral("Database file");
    case RetainDays: return flags ? QStringLiteral("--retain-days") : QStringLiteral("Retention days");
    case RetainMb: return flags ? QStringLiteral("--retain-mb") : QStringLiteral("Retention size");
    case Redact: return flags ? QStringLiteral("--redact") : QStringLiteral("Redact content");
    case Forward: return flags ? QStringLiteral("--forward") : QStringLiteral("Forward to");
    case ForwardHeaders: return flags ? QStringLiteral("--forward-header") : QStringLiteral("Forward headers");
    case ForwardCa: return flags ? QStringLiteral("--forward-ca") : QStringLiteral("CA file");
    case ForwardQueueMax: return flags ? QStringLiteral("--forward-queue-max") : QStringLiteral("Queue size");
    case ThemeField: return QStringLiteral("Theme");
  }
  return {};
}

Problem checkListener(const QString& bind, const QString& token, bool insecure, Naming naming) {
  QHostAddress probe;
  if (bind != QLatin1String("localhost") && !probe.setAddress(bind))
    return problem(Bind, QStringLiteral("%1 must be an IP address, not '%2'").arg(fieldName(Bind, naming), bind));
  if (!isLoopback(bind) && token.isEmpty() && !insecure) {
    if (naming == Naming::Flags)
      return problem(Token, QStringLiteral("refusing to listen on %1 without --token: anyone who can reach it could "
                                           "write to your database (pass --insecure to do it anyway)")
                                .arg(bind));
    return problem(Token, QStringLiteral("Refusing to listen on %1 without a bearer token: anyone who can reach it "
                                         "could write to your database (set a token, or tick \"%2\")")
                              .arg(bind, fieldName(Insecure, naming)));
  }
  return {};
}

Problem checkForward(const QString& base, const QString& logs, const QString& metrics, const QString& traces,
                     const QStringList& headers, const QString& caFile, Naming naming) {
  std::string error;
  forward::ForwardTargets targets;
  if (!forward::resolveTargets(base.toStdString(), logs.toStdString(), metrics.toStdString(), traces.toStdString(),
                               &targets, &error))
    return problem(Forward, naming == Naming::Flags ? QString::fromStdString(error)
                                                    : fieldName(Forward, naming) + QStringLiteral(": ") +
                                                          QString::fromStdString(error));
  for (const QString& h : headers) {
    std::pair<std::string, std::string> header;
    if (!forward::parseHeader(h.toStdString(), &header, &error))
      return problem(ForwardHeaders, naming == Naming::Flags ? QString::fromStdString(error)
                                                             : fieldName(ForwardHeaders, naming) +
                                                                   QStringLiteral(": ") + QString::fromStdString(error));
  }
  const bool forwarding = !base.isEmpty() || !logs.isEmpty() || !metrics.isEmpty() || !traces.isEmpty();
  if (!forwarding && (!headers.isEmpty() || !caFile.isEmpty())) {
    if (naming == Naming::Flags)
      return problem(ForwardHeaders, QStringLiteral("--forward-header and --forward-ca need --forward URL (or "
                                                    "--forward-logs/-metrics/-traces)"));
    return problem(ForwardHeaders, QStringLiteral("Forward headers and a CA file need a URL to forward to"));
  }
  return {};
}

Problem validate(const Settings& s, Naming naming) {
  auto range = [&](Field f, std::int64_t v, std::int64_t lo, std::int64_t hi) -> Problem {
    if (v >= lo && v <= hi) return {};
    return problem(f, QStringLiteral("%1 must be from %2 to %3, not %4").arg(fieldName(f, naming)).arg(lo).arg(hi).arg(v));
  };
  if (Problem p = range(HttpPort, s.httpPort, 0, 65535)) return p;
  if (Problem p = range(GrpcPort, s.grpcPort, 0, 65535)) return p;
  if (s.grpc && s.httpPort != 0 && s.httpPort == s.grpcPort)
    return problem(GrpcPort, QStringLiteral("%1 and %2 cannot be the same port (%3)")
                                 .arg(fieldName(HttpPort, naming), fieldName(GrpcPort, naming))
                                 .arg(s.httpPort));
  if (Problem p = checkListener(s.bind, s.token, s.insecure, naming)) return p;
  if (Problem p = range(RetainDays, s.retainDays, 0, 100000)) return p;
  if (Problem p = range(RetainMb, s.retainMb, 0, std::int64_t{1} << 40)) return p;
  if (Problem p = range(ForwardQueueMax, s.forwardQueueMax, 1, std::int64_t{1} << 50)) return p;
  return checkForward(s.forward, {}, {}, {}, s.forwardHeaders, s.forwardCa, naming);
}

bool isLoopback(const QString& address) {
  if (address == QLatin1String("localhost")) return true;
  QHostAddress a;
  return a.setAddress(address) && a.isLoopback();
}

QString defaultDatabasePath() {
  return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QStringLiteral("/cctv/cctv.db");
}

QString generateToken() {
  QByteArray bytes(32, '\0');
  QRandomGenerator::system()->generate(reinterpret_cast<quint32*>(bytes.data()),
                                       reinterpret_cast<quint32*>(bytes.data() + bytes.size()));
  return QString::fromLatin1(bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

}  // namespace cctv::config
