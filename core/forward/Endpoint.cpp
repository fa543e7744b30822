#include "forward/Endpoint.h"

#include <algorithm>
#include <cctype>

namespace cctv::forward {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool isTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// The URL as an error message may show it: a password in it is masked, since error lines end up in logs.
std::string shown(const std::string& text) {
  const auto sep = text.find("://");
  const auto start = sep == std::string::npos ? 0 : sep + 3;
  const auto end = text.find_first_of("/?#", start);
  const auto at = text.rfind('@', end == std::string::npos ? std::string::npos : end);
  if (at == std::string::npos || at < start) return text;
  const auto colon = text.find(':', start);
  if (colon == std::string::npos || colon > at) return text;
  return text.substr(0, colon + 1) + "***" + text.substr(at);
}

}  // namespace

std::string Url::authority() const {
  const std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return h + ":" + std::to_string(port);
}

std::string Url::hostHeader() const {
  const std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  const bool defaultPort = (scheme == "http" && port == 80) || (scheme == "https" && port == 443);
  return defaultPort ? h : h + ":" + std::to_string(port);
}

std::string Url::text() const { return scheme + "://" + hostHeader() + target; }

bool parseUrl(const std::string& text, Url* out, std::string* error) {
  auto fail = [&](const std::string& why) {
    *error = "invalid upstream URL '" + shown(text) + "': " + why;
    return false;
  };
  const auto sep = text.find("://");
  if (sep == std::string::npos) return fail("expected http://HOST[:PORT][/PATH] or https://...");
  Url u;
  u.scheme = lower(text.substr(0, sep));
  if (u.scheme != "http" && u.scheme != "https") return fail("the scheme must be http or https");
  std::string rest = text.substr(sep + 3);
  if (rest.find('#') != std::string::npos) return fail("a fragment (#...) has no meaning here");
  const auto pathAt = rest.find_first_of("/?");
  std::string authority = rest.substr(0, pathAt);
  u.target = pathAt == std::string::npos ? "/" : rest.substr(pathAt);
  if (u.target[0] == '?') u.target = "/" + u.target;
  if (authority.find('@') != std::string::npos)
    return fail("credentials in the URL are not supported; pass them with --forward-header (never logged)");
  if (authority.empty()) return fail("no host");
  std::string portText;
  if (authority[0] == '[') {
    const auto close = authority.find(']');
    if (close == std::string::npos) return fail("unclosed [ in an IPv6 address");
    u.host = authority.substr(1, close - 1);
    const std::string after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return fail("unexpected text after the IPv6 address");
      portText = after.substr(1);
    }
  } else {
    const auto colon = authority.rfind(':');
    u.host = authority.substr(0, colon);
    if (colon != std::string::npos) portText = authority.substr(colon + 1);
  }
  if (u.host.empty()) return fail("no host");
  for (char c : u.target)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return fail("spaces or control characters in the path");
  if (portText.empty()) {
    u.port = u.tls() ? 443 : 80;
  } else {
    if (portText.size() > 5 || !std::all_of(portText.begin(), portText.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return fail("the port must be a number");
    const long p = std::stol(portText);
    if (p < 1 || p > 65535) return fail("the port must be from 1 to 65535");
    u.port = static_cast<std::uint16_t>(p);
  }
  *out = std::move(u);
  return true;
}

Url signalUrl(const Url& base, const std::string& signalPath) {
  Url u = base;
  const auto q = base.target.find('?');
  std::string path = base.target.substr(0, q);
  const std::string query = q == std::string::npos ? std::string() : base.target.substr(q);
  while (!path.empty() && path.back() == '/') path.pop_back();
  u.target = path + signalPath + query;
  return u;
}

const Url* ForwardTargets::forPath(const std::string& p) const {
  const std::optional<Url>* t = p == "/v1/logs" ? &logs : p == "/v1/metrics" ? &metrics : p == "/v1/traces" ? &traces : nullptr;
  return t && *t ? &**t : nullptr;
}

std::string ForwardTargets::describe() const {
  std::string out;
  for (const auto& [name, url] : {std::pair<const char*, const std::optional<Url>*>{"logs", &logs},
                                  {"metrics", &metrics},
                                  {"traces", &traces}}) {
    if (!*url) continue;
    if (!out.empty()) out += ", ";
    out += std::string(name) + " to " + (*url)->text();
  }
  return out.empty() ? "nothing" : out;
}

bool resolveTargets(const std::string& base, const std::string& logs, const std::string& metrics,
                    const std::string& traces, ForwardTargets* out, std::string* error) {
  ForwardTargets t;
  if (!base.empty()) {
    Url b;
    if (!parseUrl(base, &b, error)) return false;
    t.logs = signalUrl(b, "/v1/logs");
    t.metrics = signalUrl(b, "/v1/metrics");
    t.traces = signalUrl(b, "/v1/traces");
  }
  for (const auto& [text, slot] : {std::pair<const std::string*, std::optional<Url>*>{&logs, &t.logs},
                                   {&metrics, &t.metrics},
                                   {&traces, &t.traces}}) {
    if (text->empty()) continue;
    Url u;
    if (!parseUrl(*text, &u, error)) return false;
    *slot = u;
  }
  *out = std::move(t);
  return true;
}

bool parseHeader(const std::string& flag, std::pair<std::string, std::string>* out, std::string* error) {
  const auto eq = flag.find('=');
  if (eq == std::string::npos || eq == 0) {
    *error = "--forward-header takes NAME=VALUE, e.g. Authorization=Bearer abc";
    return false;
  }
  std::string name = flag.substr(0, eq);
  std::string value = flag.substr(eq + 1);
  while (!name.empty() && name.back() == ' ') name.pop_back();
  while (!value.empty() && value.front() == ' ') value.erase(0, 1);
  if (!std::all_of(name.begin(), name.end(), isTokenChar)) {
    *error = "--forward-header: '" + name + "' is not a valid header name";
    return false;
  }
  if (value.find_first_of("\r\n") != std::string::npos || value.find('\0') != std::string::npos) {
    *error = "--forward-header " + name + ": the value must not contain line breaks";
    return false;
  }
  const std::string l = lower(name);
  for (const char* own : {"host", "content-type", "content-encoding", "content-length", "transfer-encoding",
                          "connection"})
    if (l == own) {
      *error = "--forward-header " + name +
               ": cctv sets this header itself (requests are forwarded with the type and encoding they arrived with)";
      return false;
    }
  *out = {std::move(name), std::move(value)};
  return true;
}

}  // namespace cctv::forward
