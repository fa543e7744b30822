#pragma once
// Who has the port cctv could not listen on: another cctv receiving into the same database (its
// InstanceFile names the port), another cctv (it answers with "Server: cctv"), or some other program.
// Both the headless receiver (one line and exit code 3 for a cctv) and the window (offer to view the
// database read-only, or to change the port) ask this.

#include <cstdint>
#include <string>

namespace cctv::ingest {

struct PortOwner {
  enum class Kind { SameDatabase, OtherCctv, OtherProgram };
  Kind kind = Kind::OtherProgram;
  std::uint16_t port = 0;
  long pid = 0;         // SameDatabase: the other process
  std::string url;      // SameDatabase: where it listens for OTLP/HTTP
};

// Sends "GET /" to host:port and waits up to timeoutMs for the answer's headers: true when they carry
// "Server: cctv" (every cctv answer does; the other cctv logs the probe as a refused 404).
bool answersAsCctv(const std::string& host, std::uint16_t port, int timeoutMs = 1500);

// Why `port` on `bindAddress` is taken, for a cctv that wanted to receive into `dbPath` there.
PortOwner whoHasPort(const std::string& dbPath, const std::string& bindAddress, std::uint16_t port);

}  // namespace cctv::ingest
