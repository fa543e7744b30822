#include "io/ImportFormat.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <fstream>
#include <sstream>
#include <vector>

namespace cctv::io {

namespace {

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string baseName(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool endsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Skips one JSON string starting at s[i] == '"'; returns the index after its closing quote, or npos.
std::size_t skipString(std::string_view s, std::size_t i, std::string* text) {
  for (++i; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '\\') {
      if (text && i + 1 < s.size()) text->push_back(s[i + 1]);
      ++i;
    } else if (c == '"') {
      return i + 1;
    } else if (text) {
      text->push_back(c);
    }
  }
  return std::string_view::npos;
}

// Skips one JSON value (any kind) starting at s[i]; returns the index after it, or npos when it does not end.
std::size_t skipValue(std::string_view s, std::size_t i) {
  int depth = 0;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '"') {
      i = skipString(s, i, nullptr);
      if (i == std::string_view::npos) return i;
      --i;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (depth == 0) return i;  // the end of the enclosing object
      if (--depth == 0) return i + 1;
    } else if (depth == 0 && (c == ',')) {
      return i;
    }
  }
  return depth == 0 ? i : std::string_view::npos;
}

}  // namespace

const char* formatName(FileFormat f) {
  switch (f) {
    case FileFormat::JsonLines: return "OTLP/JSON Lines";
    case FileFormat::JsonDocument: return "OTLP/JSON";
    case FileFormat::Protobuf: return "OTLP protobuf";
  }
  return "";
}

std::optional<ingest::Signal> parseSignalName(std::string_view name) {
  const std::string n = lower(name);
  if (n == "logs" || n == "log") return ingest::Signal::Logs;
  if (n == "metrics" || n == "metric") return ingest::Signal::Metrics;
  if (n == "traces" || n == "trace" || n == "spans") return ingest::Signal::Traces;
  return std::nullopt;
}

std::optional<ingest::Signal> jsonRequestSignal(std::string_view s, std::string* error) {
  std::size_t i = 0;
  while (i < s.size() && isSpace(s[i])) ++i;
  if (i >= s.size() || s[i] != '{') {
    *error = "not a JSON object";
    return std::nullopt;
  }
  ++i;
  for (;;) {
    while (i < s.size() && (isSpace(s[i]) || s[i] == ',')) ++i;
    if (i >= s.size() || s[i] != '"') break;
    std::string key;
    i = skipString(s, i, &key);
    if (i == std::string_view::npos) break;
    if (key == "resourceLogs" || key == "resource_logs") return ingest::Signal::Logs;
    if (key == "resourceMetrics" || key == "resource_metrics") return ingest::Signal::Metrics;
    if (key == "resourceSpans" || key == "resource_spans") return ingest::Signal::Traces;
    while (i < s.size() && isSpace(s[i])) ++i;
    if (i >= s.size() || s[i] != ':') break;
    i = skipValue(s, i + 1);
    if (i == std::string_view::npos) break;
  }
  *error = "not an OTLP Export request (no resourceLogs, resourceMetrics or resourceSpans)";
  return std::nullopt;
}

bool isCompleteJsonObject(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && isSpace(line[i])) ++i;
  if (i >= line.size() || line[i] != '{') return false;
  int depth = 0;
  for (; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '"') {
      i = skipString(line, i, nullptr);
      if (i == std::string_view::npos) return false;
      --i;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) {
        for (++i; i < line.size(); ++i)
          if (!isSpace(line[i])) return false;
        return true;
      }
    }
  }
  return false;
}

std::optional<ingest::Signal> signalFromFileName(const std::string& path) {
  const std::string name = lower(baseName(path));
  std::optional<ingest::Signal> found;
  std::string word;
  auto take = [&]() -> bool {
    if (auto s = parseSignalName(word)) {
      if (found && *found != *s) return false;  // two different signals named: cannot tell
      found = s;
    }
    word.clear();
    return true;
  };
  for (char c : name) {
    if (std::isalpha(static_cast<unsigned char>(c))) {
      word.push_back(c);
    } else if (!take()) {
      return std::nullopt;
    }
  }
  if (!take()) return std::nullopt;
  return found;
}

std::optional<ingest::Signal> signalFromMetadata(const std::string& path) {
  std::string stem = path;
  for (const char* ext : {".gz", ".pb", ".binpb", ".bin"})
    if (endsWith(stem, ext)) stem.resize(stem.size() - std::string_view(ext).size());
  std::ifstream in(stem + ".meta.json");
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  const nlohmann::json meta = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (!meta.is_object()) return std::nullopt;
  if (auto it = meta.find("signal"); it != meta.end() && it->is_string()) return parseSignalName(it->get<std::string>());
  if (auto it = meta.find("path"); it != meta.end() && it->is_string()) {
    // "/v1/logs", or the gRPC method "/opentelemetry.proto.collector.logs.v1.LogsService/Export".
    const std::string p = it->get<std::string>();
    if (auto s = ingest::signalForPath(p)) return s;
    if (p.find(".logs.") != std::string::npos) return ingest::Signal::Logs;
    if (p.find(".metrics.") != std::string::npos) return ingest::Signal::Metrics;
    if (p.find(".trace.") != std::string::npos) return ingest::Signal::Traces;
  }
  return std::nullopt;
}

bool nameSaysProtobuf(const std::string& path) {
  const std::string name = lower(baseName(path));
  return endsWith(name, ".pb") || endsWith(name, ".pb.gz") || endsWith(name, ".binpb") ||
         endsWith(name, ".binpb.gz");
}

}  // namespace cctv::io
