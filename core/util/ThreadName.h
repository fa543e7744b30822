#pragma once

// Names the calling thread (at most 15 characters on Linux), so `top -H`, `perf report --sort comm` and a
// debugger show which of cctv's threads is busy: cctv-http, cctv-writer, cctv-grpc, cctv-forward.
#include <pthread.h>

namespace cctv::util {

inline void setThreadName(const char* name) {
#if defined(__linux__)
  pthread_setname_np(pthread_self(), name);
#else
  (void)name;
#endif
}

}  // namespace cctv::util
