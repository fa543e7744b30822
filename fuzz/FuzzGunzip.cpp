// libFuzzer target: gzip request bodies through otlp::gunzip with a small cap, so the cap, truncation and
// corruption paths are all reached. Contracts: the output never exceeds the cap; a failure leaves no output
// and says why; what inflates compresses and inflates back to the same bytes.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "otlp/Gzip.h"

namespace {
[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "contract broken: %s\n", what);
  std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using cctv::otlp::InflateResult;
  // The first byte picks the cap (1 byte .. 64 KiB), the rest is the body.
  if (size < 1) return 0;
  const std::size_t cap = std::size_t{1} << (data[0] % 17);
  const std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string out = "stale";
  std::string error;
  const InflateResult r = cctv::otlp::gunzip(in, cap, &out, &error);
  if (r != InflateResult::Ok) {
    if (!out.empty()) fail("failed but left output");
    if (error.empty()) fail("failed without a reason");
    return 0;
  }
  if (out.size() > cap) fail("output larger than the cap");
  std::string again;
  if (cctv::otlp::gunzip(cctv::otlp::gzip(out), cap, &again, &error) != InflateResult::Ok || again != out)
    fail("gzip round trip changed the bytes");
  return 0;
}
