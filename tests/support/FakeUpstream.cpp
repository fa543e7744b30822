#include "FakeUpstream.h"

#include <QtGlobal>

#include <algorithm>
#include <cctype>

namespace cctv::test {

namespace {
bool iequals(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}
}  // namespace

std::string UpstreamRequest::header(const std::string& name) const {
  for (const http::Header& h : headers)
    if (iequals(h.name, name)) return h.value;
  return {};
}

bool UpstreamRequest::has(const std::string& name) const {
  return std::any_of(headers.begin(), headers.end(), [&](const http::Header& h) { return iequals(h.name, name); });
}

FakeUpstream::FakeUpstream() = default;

FakeUpstream::~FakeUpstream() { stop(); }

bool FakeUpstream::start() {
  http::ServerOptions o;
  o.port = port_;
  server_ = std::make_unique<http::HttpServer>(
      o, [](const http::RequestHead&) { return std::optional<http::Response>(); },
      [this](http::Request&& r, http::Responder respond) { handle(std::move(r), std::move(respond)); });
  std::string error;
  if (!server_->start(&error)) {
    qWarning("fake upstream: %s", error.c_str());
    server_.reset();
    return false;
  }
  port_ = server_->port();
  return true;
}

void FakeUpstream::stop() {
  if (!server_) return;
  server_->stop(std::chrono::milliseconds(100));  // hung requests are not waited for
  server_.reset();
  std::lock_guard<std::mutex> lock(m_);
  hung_.clear();
}

std::string FakeUpstream::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void FakeUpstream::setMode(Mode mode, int retryAfterSeconds) {
  std::lock_guard<std::mutex> lock(m_);
  mode_ = mode;
  retryAfter_ = retryAfterSeconds;
}

std::vector<UpstreamRequest> FakeUpstream::received() const {
  std::lock_guard<std::mutex> lock(m_);
  return received_;
}

std::size_t FakeUpstream::count() const {
  std::lock_guard<std::mutex> lock(m_);
  return received_.size();
}

void FakeUpstream::handle(http::Request&& r, http::Responder respond) {
  std::lock_guard<std::mutex> lock(m_);
  received_.push_back({r.head.method, r.head.path, r.head.headers, std::move(r.body), std::chrono::steady_clock::now()});
  http::Response res;
  res.contentType = "application/json";
  switch (mode_) {
    case Mode::Ok:
      res.body = "{}";
      break;
    case Mode::Unavailable:
      res.status = 503;
      res.body = R"({"code":14,"message":"upstream overloaded"})";
      if (retryAfter_ > 0) res.headers.push_back({"Retry-After", std::to_string(retryAfter_)});
      break;
    case Mode::BadRequest:
      res.status = 400;
      res.body = R"({"code":3,"message":"bad payload"})";
      break;
    case Mode::Hang:
      hung_.push_back(std::move(respond));
      return;
  }
  respond(std::move(res));
}

}  // namespace cctv::test
