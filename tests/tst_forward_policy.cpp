// The forwarder's rules without a network: which answers are final, the backoff and its jitter and cap,
// Retry-After in both forms, upstream URLs with OTEL_EXPORTER_OTLP_ENDPOINT semantics, and header flags.

#include <QtTest>

#include <set>

#include "forward/Endpoint.h"
#include "forward/RetryPolicy.h"

using namespace cctv::forward;
using std::chrono::milliseconds;

class TestForwardPolicy : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void verdicts() {
    for (int s : {200, 201, 202, 204, 299}) QCOMPARE(verdictFor(s), Verdict::Delivered);
    for (int s : {0, 408, 429, 500, 502, 503, 504, 599}) QCOMPARE(verdictFor(s), Verdict::Retry);
    for (int s : {100, 301, 302, 400, 401, 403, 404, 405, 413, 415, 422}) QCOMPARE(verdictFor(s), Verdict::Drop);
  }

  void backoffGrowsToItsCapWithJitter() {
    BackoffPolicy p;
    p.initial = milliseconds(1000);
    p.max = milliseconds(30000);
    // unitRandom 1 gives the full step (just under), 0 half of it.
    QCOMPARE(backoffDelay(p, 1, 0.0), milliseconds(500));
    QCOMPARE(backoffDelay(p, 1, 1.0), milliseconds(1000));
    QCOMPARE(backoffDelay(p, 2, 1.0), milliseconds(2000));
    QCOMPARE(backoffDelay(p, 3, 1.0), milliseconds(4000));
    QCOMPARE(backoffDelay(p, 5, 1.0), milliseconds(16000));
    QCOMPARE(backoffDelay(p, 6, 1.0), milliseconds(30000));   // capped
    QCOMPARE(backoffDelay(p, 60, 1.0), milliseconds(30000));  // no overflow far out
    QCOMPARE(backoffDelay(p, 60, 0.0), milliseconds(15000));
    // Jitter spreads the waits over [step/2, step].
    std::set<long long> seen;
    for (int i = 0; i < 20; ++i) {
      const auto d = backoffDelay(p, 3, i / 20.0);
      QVERIFY(d >= milliseconds(2000) && d <= milliseconds(4000));
      seen.insert(d.count());
    }
    QCOMPARE(seen.size(), std::size_t{20});
  }

  void retryAfterSecondsAndDate() {
    const auto now = std::chrono::system_clock::from_time_t(1445412480);  // Wed, 21 Oct 2015 07:28:00 GMT
    QCOMPARE(parseRetryAfter("120", now), std::optional<milliseconds>(milliseconds(120000)));
    QCOMPARE(parseRetryAfter(" 0 ", now), std::optional<milliseconds>(milliseconds(0)));
    QCOMPARE(parseRetryAfter("Wed, 21 Oct 2015 07:28:30 GMT", now), std::optional<milliseconds>(milliseconds(30000)));
    QCOMPARE(parseRetryAfter("Wed, 21 Oct 2015 07:00:00 GMT", now), std::optional<milliseconds>(milliseconds(0)));
    QVERIFY(!parseRetryAfter("", now));
    QVERIFY(!parseRetryAfter("soon", now));
    QVERIFY(!parseRetryAfter("-5", now));
    QVERIFY(!parseRetryAfter("1.5", now));
  }

  void retryDelayHonoursRetryAfterOnlyOn429And503() {
    BackoffPolicy p;
    p.initial = milliseconds(100);
    p.maxRetryAfter = milliseconds(60000);
    const auto now = std::chrono::system_clock::now();
    QCOMPARE(retryDelay(p, 503, "7", 1, 1.0, now), milliseconds(7000));
    QCOMPARE(retryDelay(p, 429, "2", 4, 1.0, now), milliseconds(2000));
    QCOMPARE(retryDelay(p, 503, "86400", 1, 1.0, now), milliseconds(60000));  // capped
    QCOMPARE(retryDelay(p, 503, "", 1, 1.0, now), milliseconds(100));         // none: the backoff
    QCOMPARE(retryDelay(p, 503, "garbage", 2, 1.0, now), milliseconds(200));
    QCOMPARE(retryDelay(p, 500, "7", 1, 1.0, now), milliseconds(100));        // not for other statuses
    QCOMPARE(retryDelay(p, 0, "", 3, 1.0, now), milliseconds(400));
  }

  void baseUrlGetsTheSignalPaths() {
    ForwardTargets t;
    std::string error;
    QVERIFY(resolveTargets("http://127.0.0.1:4318", "", "", "", &t, &error));
    QCOMPARE(t.logs->text(), std::string("http://127.0.0.1:4318/v1/logs"));
    QCOMPARE(t.metrics->text(), std::string("http://127.0.0.1:4318/v1/metrics"));
    QCOMPARE(t.traces->text(), std::string("http://127.0.0.1:4318/v1/traces"));
    QCOMPARE(t.forPath("/v1/metrics"), &*t.metrics);
    QCOMPARE(t.forPath("/v1/other"), nullptr);
    // A path in the base is kept, with or without a trailing slash; a default port is implied.
    QVERIFY(resolveTargets("https://collector.example/otlp/", "", "", "", &t, &error));
    QCOMPARE(t.logs->text(), std::string("https://collector.example/otlp/v1/logs"));
    QCOMPARE(t.logs->port, std::uint16_t{443});
    QCOMPARE(t.logs->hostHeader(), std::string("collector.example"));
    QCOMPARE(t.logs->authority(), std::string("collector.example:443"));
    QVERIFY(resolveTargets("http://[::1]:9000/a", "", "", "", &t, &error));
    QCOMPARE(t.traces->host, std::string("::1"));
    QCOMPARE(t.traces->text(), std::string("http://[::1]:9000/a/v1/traces"));
  }

  void perSignalUrlsAreUsedAsIs() {
    ForwardTargets t;
    std::string error;
    const std::string panther = "https://logs.acme.runpanther.net/http/4a2f0d39-1fd4-4b21-9d87-3f5b2b0e6c11";
    QVERIFY(resolveTargets("", panther, "", "", &t, &error));
    QCOMPARE(t.logs->text(), panther);
    QCOMPARE(t.logs->target, std::string("/http/4a2f0d39-1fd4-4b21-9d87-3f5b2b0e6c11"));
    QVERIFY(!t.metrics && !t.traces);
    QVERIFY(t.any());
    // A per-signal URL wins over the base for its signal only.
    QVERIFY(resolveTargets("http://c:4318", "http://other:1/in?x=1", "", "", &t, &error));
    QCOMPARE(t.logs->text(), std::string("http://other:1/in?x=1"));
    QCOMPARE(t.metrics->text(), std::string("http://c:4318/v1/metrics"));
    QVERIFY(resolveTargets("", "", "", "", &t, &error));
    QVERIFY(!t.any());
  }

  void badUrlsAreRefusedWithAReason() {
    ForwardTargets t;
    for (const char* bad : {"127.0.0.1:4318", "ftp://h/", "http://", "http://:80", "http://h:0", "http://h:99999",
                            "http://h:8x", "http://user:pw@h/", "http://h/#frag", "http://[::1/", "http://h/a b"}) {
      std::string error;
      QVERIFY2(!resolveTargets(bad, "", "", "", &t, &error), bad);
      QVERIFY2(error.find("invalid upstream URL") == 0, error.c_str());
    }
    std::string error;
    QVERIFY(!resolveTargets("http://user:secret@h/", "", "", "", &t, &error));
    QVERIFY(error.find("--forward-header") != std::string::npos);
    QVERIFY2(error.find("secret") == std::string::npos, error.c_str());  // error lines end up in logs
    QVERIFY2(error.find("'http://user:***@h/'") != std::string::npos, error.c_str());
  }

  void headerFlags() {
    std::pair<std::string, std::string> h;
    std::string error;
    QVERIFY(parseHeader("Authorization=Bearer abc==", &h, &error));
    QCOMPARE(h.first, std::string("Authorization"));
    QCOMPARE(h.second, std::string("Bearer abc=="));  // split at the first '=' only
    QVERIFY(parseHeader("X-Empty=", &h, &error));
    QCOMPARE(h.second, std::string());
    for (const char* bad : {"NoEquals", "=value", "Bad Name=x", "X-A=line\r\nInjected: 1", "Host=evil",
                            "content-type=text/plain", "Content-Encoding=br", "Content-Length=1",
                            "Transfer-Encoding=chunked", "Connection=close"}) {
      QVERIFY2(!parseHeader(bad, &h, &error), bad);
      QVERIFY(error.find("--forward-header") == 0);
    }
  }
};

QTEST_GUILESS_MAIN(TestForwardPolicy)
#include "tst_forward_policy.moc"
