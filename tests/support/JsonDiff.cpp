#include "support/JsonDiff.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/message.h>
#include <google/protobuf/util/field_comparator.h>
#include <google/protobuf/util/message_differencer.h>

#include <memory>

#include "otlp/OtlpJsonDecoders.h"

namespace cctv::test {

namespace {

namespace pb = google::protobuf;

std::string deterministicBytes(const pb::Message& m) {
  std::string out;
  {
    pb::io::StringOutputStream raw(&out);
    pb::io::CodedOutputStream coded(&raw);
    coded.SetSerializationDeterministic(true);
    m.SerializeToCodedStream(&coded);
  }
  return out;
}

}  // namespace

std::string compareJsonDecoders(std::string_view json, const pb::Message& prototype) {
  const std::unique_ptr<pb::Message> typed(prototype.New()), reflective(prototype.New());
  if (!otlp::detail::hasTypedDecoder(*typed)) return "no typed decoder for " + prototype.GetDescriptor()->full_name();
  std::string typedError, reflectiveError;
  const bool typedOk = otlp::detail::parseOtlpJsonTyped(json, typed.get(), &typedError);
  const bool reflectiveOk = otlp::detail::parseOtlpJsonReflective(json, reflective.get(), &reflectiveError);
  if (typedOk != reflectiveOk)
    return std::string("typed decoder ") + (typedOk ? "accepts" : "refuses (" + typedError + ")") +
           ", reflective decoder " + (reflectiveOk ? "accepts" : "refuses (" + reflectiveError + ")");
  if (!typedOk) {
    if (typedError != reflectiveError) return "different errors: typed \"" + typedError + "\", reflective \"" + reflectiveError + "\"";
    if (typed->ByteSizeLong() != 0) return "typed decoder left a partial message after refusing";
    return {};
  }
  pb::util::DefaultFieldComparator cmp;
  cmp.set_treat_nan_as_equal(true);
  pb::util::MessageDifferencer diff;
  diff.set_field_comparator(&cmp);
  std::string report;
  diff.ReportDifferencesToString(&report);
  if (!diff.Compare(*reflective, *typed)) return "different messages (reflective -> typed):\n" + report.substr(0, 2000);
  // Catches what the comparator lets pass: -0.0 vs 0.0, NaN payloads, set-but-default optional fields.
  if (deterministicBytes(*typed) != deterministicBytes(*reflective)) return "same fields, different serialized bytes";
  return {};
}

}  // namespace cctv::test
