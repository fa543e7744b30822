#pragma once
// Where forwarded requests go: the upstream URLs, with OTEL_EXPORTER_OTLP_ENDPOINT semantics.
//
// `--forward BASE` is a base URL like OTEL_EXPORTER_OTLP_ENDPOINT: each signal goes to BASE + /v1/logs,
// /v1/metrics, /v1/traces (a path in BASE is kept: http://gw/otlp -> http://gw/otlp/v1/logs). A per-signal URL
// (`--forward-logs URL`, like OTEL_EXPORTER_OTLP_LOGS_ENDPOINT) is used verbatim and wins over BASE; it is
// what endpoints such as Panther's HTTP source need, whose URL does not end in /v1/logs. A signal with no URL
// is not forwarded (and not queued).

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cctv::forward {

struct Url {
  std::string scheme;  // "http" or "https"
  std::string host;    // without brackets for IPv6
  std::uint16_t port = 0;
  std::string target;  // path and query as sent in the request line, at least "/"

  bool tls() const { return scheme == "https"; }
  // The Host header value: host, [v6], plus :port when it is not the scheme's default.
  std::string hostHeader() const;
  std::string authority() const;  // host:port, [v6]:port
  std::string text() const;       // scheme://authority/target
};

// Parses an http:// or https:// URL. Refuses user:password@ (credentials belong in --forward-header, which is
// never logged), fragments, other schemes, and bad ports, with a one-line reason.
bool parseUrl(const std::string& text, Url* out, std::string* error);

// BASE + "/v1/logs", keeping BASE's path and avoiding a double slash.
Url signalUrl(const Url& base, const std::string& signalPath);

struct ForwardTargets {
  std::optional<Url> logs, metrics, traces;
  // The URL for a queued request's signal path ("/v1/logs"), or nullptr when that signal is not forwarded.
  const Url* forPath(const std::string& signalPath) const;
  bool any() const { return logs || metrics || traces; }
  std::string describe() const;  // "logs to http://b:4318/v1/logs, metrics to ..."
};

// Resolves the flags into per-signal URLs. Empty strings are unset.
bool resolveTargets(const std::string& base, const std::string& logs, const std::string& metrics,
                    const std::string& traces, ForwardTargets* out, std::string* error);

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// "K=V" (split at the first '='; V may contain '='). Refuses names that are not HTTP tokens, values with
// CR/LF, and the headers cctv sets itself for the request to stay as received (Host, Content-Type,
// Content-Encoding, Content-Length, Transfer-Encoding, Connection).
bool parseHeader(const std::string& flag, std::pair<std::string, std::string>* out, std::string* error);

}  // namespace cctv::forward
