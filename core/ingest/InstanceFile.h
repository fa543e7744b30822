#pragma once
// "<database>.instance", next to the database: while a cctv receives into that database it holds an
// exclusive flock(2) on this file, which names its pid and where it listens. When a second cctv cannot
// listen, it reads the file to tell "another cctv is already receiving into this very database" (offer to
// view it read-only) from "some other program has the port". The lock, not the file's existence, is the
// proof: a file left by a crash is not locked by anyone, and the kernel drops the lock with its process.

#include <cstdint>
#include <optional>
#include <string>

namespace cctv::ingest {

struct RunningInstance {
  long pid = 0;
  std::string url;      // http://127.0.0.1:4318, or empty when not listening
  std::string grpcUrl;  // grpc://127.0.0.1:4317, or empty
  std::uint16_t port() const;      // of url, 0 if none
  std::uint16_t grpcPort() const;  // of grpcUrl, 0 if none
};

class InstanceFile {
 public:
  explicit InstanceFile(std::string dbPath);
  ~InstanceFile();  // release()
  InstanceFile(const InstanceFile&) = delete;
  InstanceFile& operator=(const InstanceFile&) = delete;

  static std::string pathFor(const std::string& dbPath);  // dbPath + ".instance"

  // Takes the lock without waiting and writes this process's pid and URLs. False when another process
  // holds it (two cctv may write one database on different ports; only the first is named) or the
  // directory is not writable: neither stops the receiver.
  bool claim(const std::string& url, const std::string& grpcUrl);
  // Rewrites the URLs (after the listener moved), if this process holds the lock.
  void update(const std::string& url, const std::string& grpcUrl);
  bool held() const { return fd_ >= 0; }
  // Removes the file and drops the lock.
  void release();

  // The cctv holding the lock on dbPath's instance file, if one does.
  static std::optional<RunningInstance> running(const std::string& dbPath);

 private:
  void write(const std::string& url, const std::string& grpcUrl);
  std::string path_;
  int fd_ = -1;
};

}  // namespace cctv::ingest
