#pragma once
// The preferences: what the Preferences dialog edits and QSettings keeps between runs, and the checks both
// the command line (app/Options.cpp) and the dialog apply to them. A flag given on the command line fixes its
// value for that run: merge() takes it over the saved one, and the dialog shows it greyed.
//
// Plain values and functions, no widgets, so the rules have tests of their own (tst_settings).

#include <QString>
#include <QStringList>

#include <cstdint>

class QSettings;

namespace cctv::config {

enum class Theme { System, Light, Dark };
QString themeName(Theme theme);  // "system", "light", "dark" (as saved)
Theme themeFromName(const QString& name);  // unknown: System

constexpr std::int64_t kDefaultForwardQueueMax = 256ll * 1024 * 1024;

struct Settings {
  // The listener (HTTP and gRPC on the same address).
  int httpPort = 4318;
  int grpcPort = 4317;
  bool grpc = true;  // false: --no-grpc
  QString bind = QStringLiteral("127.0.0.1");
  QString token;  // empty: no authentication
  bool insecure = false;  // a non-loopback bind without a token
  // The database file; empty: defaultDatabasePath(). Read at start only.
  QString dbPath;
  // Retention; 0 is off.
  int retainDays = 0;
  std::int64_t retainMb = 0;
  bool redact = false;
  // Forwarding: a base URL like OTEL_EXPORTER_OTLP_ENDPOINT (empty: off), headers as K=V, extra CA file.
  QString forward;
  QStringList forwardHeaders;
  QString forwardCa;
  std::int64_t forwardQueueMax = kDefaultForwardQueueMax;
  Theme theme = Theme::System;

  bool operator==(const Settings& o) const;
  bool operator!=(const Settings& o) const { return !(*this == o); }
};

// One bit per setting: which ones the command line fixed (Options::fixed), which ones changed.
enum Field : std::uint32_t {
  HttpPort = 1u << 0,
  GrpcPort = 1u << 1,
  Grpc = 1u << 2,
  Bind = 1u << 3,
  Token = 1u << 4,
  Insecure = 1u << 5,
  DbPath = 1u << 6,
  RetainDays = 1u << 7,
  RetainMb = 1u << 8,
  Redact = 1u << 9,
  Forward = 1u << 10,
  ForwardHeaders = 1u << 11,
  ForwardCa = 1u << 12,
  ForwardQueueMax = 1u << 13,
  ThemeField = 1u << 14,
};
using Fields = std::uint32_t;
constexpr Fields kListenerFields = HttpPort | GrpcPort | Grpc | Bind | Token | Insecure;
constexpr Fields kForwardFields = Forward | ForwardHeaders | ForwardCa | ForwardQueueMax;

// The fields whose values differ.
Fields changed(const Settings& a, const Settings& b);
// `saved`, with every field in `fixed` taken from `commandLine`.
Settings merge(const Settings& saved, const Settings& commandLine, Fields fixed);

// QSettings keys under listener/, database/, retention/, ingest/, forward/, appearance/. A missing or
// unreadable value is the default; load() never fails (validate() the result).
Settings load(QSettings& store);
// Writes every field except those in `skip` (the command line's, so a one-off flag is not saved).
void save(QSettings& store, const Settings& settings, Fields skip = 0);

// How an error names a setting: by its flag (--http-port) or by its label in the dialog (HTTP port).
enum class Naming { Flags, Labels };
QString fieldName(Field field, Naming naming);

struct Problem {
  Field field = HttpPort;
  QString message;  // one line, naming the setting as asked
  explicit operator bool() const { return !message.isEmpty(); }
};

// Checks the listener: the address is an IP address (or localhost), and a non-loopback one needs a token
// unless `insecure`. Empty Problem when fine.
Problem checkListener(const QString& bind, const QString& token, bool insecure, Naming naming);
// Checks the forwarding settings (URLs, K=V headers, that headers or a CA file come with a URL).
// `logs`, `metrics`, `traces` are the per-signal URLs (command line only; empty in the dialog).
Problem checkForward(const QString& base, const QString& logs, const QString& metrics, const QString& traces,
                     const QStringList& headers, const QString& caFile, Naming naming);
// Everything above plus the ranges (ports 0-65535, retention, queue size). Empty Problem when fine.
Problem validate(const Settings& settings, Naming naming);

bool isLoopback(const QString& address);
// ~/.local/share/cctv/cctv.db (XDG_DATA_HOME respected).
QString defaultDatabasePath();

// A token for --token: 32 random bytes from the system's CSPRNG, base64url without padding (43 characters).
QString generateToken();

}  // namespace cctv::config
