// The Ingest page's Forwarding box and how forward rows show in the request log, with states built in code.

#include <QGroupBox>
#include <QLabel>
#include <QTableWidget>
#include <QtTest>

#include "ingest/IngestPage.h"

using namespace cctv;
using namespace cctv::ui;

namespace {

constexpr std::int64_t kNow = 1795548000000000000LL;

forward::ForwardStatus status(forward::ForwardState state) {
  forward::ForwardStatus s;
  s.upstream = "logs to http://collector:4318/v1/logs, metrics to http://collector:4318/v1/metrics";
  s.state = state;
  s.queuedRequests = 12;
  s.queuedBytes = 3 * 1024 * 1024;
  s.queueCapBytes = 256ll * 1024 * 1024;
  s.forwardedRequests = 1234;
  s.forwardedItems = 56789;
  s.lastDeliveredNs = kNow - 60'000'000'000LL;
  return s;
}

QString text(const QLabel* l) { return l->text(); }

}  // namespace

class TestIngestPage : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void forwardingBoxIsHiddenUntilThereIsForwarding() {
    IngestPage page;
    page.show();
    auto* box = page.findChild<QGroupBox*>();
    QVERIFY(box);
    QList<QGroupBox*> boxes = page.findChildren<QGroupBox*>();
    QCOMPARE(boxes.size(), 2);
    QVERIFY(!boxes[1]->isVisible());
    page.setForwarding(status(forward::ForwardState::Ok), kNow);
    QVERIFY(boxes[1]->isVisible());
    QCOMPARE(boxes[1]->title(), QString("Forwarding"));
  }

  void statesAndCounts() {
    IngestPage page;
    forward::ForwardStatus s = status(forward::ForwardState::Ok);
    page.setForwarding(s, kNow);
    QVERIFY(text(page.forwardState()).contains("<b>ok</b>"));
    const QStringList all = [&] {
      QStringList t;
      for (QLabel* l : page.findChildren<QLabel*>()) t << l->text();
      return t;
    }();
    const QString joined = all.join('\n');
    QVERIFY2(joined.contains(QString::fromStdString(s.upstream)), qPrintable(joined));
    QVERIFY2(joined.contains("12 request(s) waiting"), qPrintable(joined));
    QVERIFY2(joined.contains("dropped over the cap: 0"), qPrintable(joined));
    QVERIFY2(joined.contains("none"), qPrintable(joined));  // no error yet

    s = status(forward::ForwardState::BackingOff);
    s.failedAttempts = 3;
    s.lastError = "cannot connect to collector:4318: connection refused";
    s.lastErrorNs = kNow - 1'000'000'000LL;
    s.nextAttemptNs = kNow + 2'500'000'000LL;
    page.setForwarding(s, kNow);
    QVERIFY2(text(page.forwardState()).contains("backing off"), qPrintable(text(page.forwardState())));
    QVERIFY2(text(page.forwardState()).contains("3 failed attempt(s), next in 2.5 s"), qPrintable(text(page.forwardState())));
    bool errorShown = false;
    for (QLabel* l : page.findChildren<QLabel*>()) errorShown |= l->text().contains("connection refused");
    QVERIFY(errorShown);

    s = status(forward::ForwardState::Failing);
    s.refusedRequests = 2;
    page.setForwarding(s, kNow);
    QVERIFY(text(page.forwardState()).contains("failing"));
  }

  void forwardRowsInTheLog() {
    IngestPage page;
    data::IngestLogRow ok, accepted, down;
    ok.transport = "forward";
    ok.status = 200;
    ok.accepted = 11;
    accepted.transport = "forward";
    accepted.status = 202;  // any 2xx from the upstream is a delivery
    down.transport = "forward";
    down.status = 0;
    down.message = "cannot connect to collector:4318: connection refused; retry in 1.0 s";
    page.setLog({ok, accepted, down});
    QTableWidget* t = page.table();
    QCOMPARE(t->rowCount(), 3);
    const QColor bad(0xd0, 0x3a, 0x2f);
    QVERIFY(t->item(0, 3)->foreground().color() != bad);
    QVERIFY(t->item(1, 3)->foreground().color() != bad);
    QCOMPARE(t->item(2, 3)->foreground().color(), bad);
    QCOMPARE(t->item(2, 1)->text(), QString("forward"));
  }
};

QTEST_MAIN(TestIngestPage)
#include "tst_ingest_page.moc"
