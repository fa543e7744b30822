#pragma once
// How an import file is read: which of the three formats it is, and which OTLP signal a request holds.
// Pure functions of names and bytes, so each rule can be tested on its own.
//
// Formats:
//   - OTLP/JSON Lines, as the OpenTelemetry Collector's file exporter writes: one Export request per line.
//   - One OTLP/JSON Export request (the whole file, pretty-printed or not).
//   - One protobuf Export request (a raw OTLP/HTTP body, as in the fixtures' *.pb files).
// Any of them may be gzipped (told by the magic bytes, not the name).
//
// Which signal:
//   - JSON: from the request's top-level key (resourceLogs / resourceMetrics / resourceSpans, or snake_case),
//     per line, so one JSON Lines file may mix signals as the Collector's file exporter can.
//   - protobuf: the bytes do not say, so in this order: an explicit signal (--signal), else a word of the file
//     name ("logs", "metrics", "traces", or log/metric/trace/spans: 0001-logs.pb, traces.pb.gz), else the
//     capture's metadata next to it (<name>.meta.json with "signal" or "path", as the fixtures have).
//     Otherwise the file is refused with a message that says how to name it.

#include <optional>
#include <string>
#include <string_view>

#include "ingest/OtlpDecode.h"

namespace cctv::io {

enum class FileFormat { JsonLines, JsonDocument, Protobuf };
const char* formatName(FileFormat f);  // "OTLP/JSON Lines", "OTLP/JSON", "OTLP protobuf"

// "logs" / "metrics" / "traces" (as --signal takes them) -> the signal.
std::optional<ingest::Signal> parseSignalName(std::string_view name);

// The signal of an OTLP/JSON Export request, from its first top-level key that names one. nullopt with a
// reason when there is none (not an object, or an object of something else).
std::optional<ingest::Signal> jsonRequestSignal(std::string_view json, std::string* error);

// True when `line` is one complete JSON object: braces and brackets balance (outside strings) and close at
// its end. Decides JSON Lines (a complete request per line) from one pretty-printed document.
bool isCompleteJsonObject(std::string_view line);

// The signal named by a word of the file's base name, or nullopt (none, or more than one named).
std::optional<ingest::Signal> signalFromFileName(const std::string& path);
// The signal recorded in the capture metadata next to the file (<base>.meta.json without the .pb/.gz
// extensions), or nullopt.
std::optional<ingest::Signal> signalFromMetadata(const std::string& path);

// True when the name says protobuf (.pb, .pb.gz, .binpb), whatever the bytes look like.
bool nameSaysProtobuf(const std::string& path);

}  // namespace cctv::io
