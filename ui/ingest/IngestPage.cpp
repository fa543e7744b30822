#include "ingest/IngestPage.h"

#include <QCheckBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

#include "Format.h"

namespace cctv::ui {

IngestPage::IngestPage(QWidget* parent) : QWidget(parent) {
  listener_ = new QLabel(this);
  listener_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  database_ = new QLabel(this);
  database_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  database_->setWordWrap(true);
  totals_ = new QLabel(this);
  auto* status = new QGroupBox(tr("Receiver"), this);
  auto* form = new QFormLayout(status);
  form->addRow(tr("Listening"), listener_);
  form->addRow(tr("Database"), database_);
  form->addRow(tr("Stored"), totals_);

  forwarding_ = new QGroupBox(tr("Forwarding"), this);
  auto* fwd = new QFormLayout(forwarding_);
  forwardUpstream_ = new QLabel(this);
  forwardUpstream_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  forwardUpstream_->setWordWrap(true);
  forwardState_ = new QLabel(this);
  forwardError_ = new QLabel(this);
  forwardError_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  forwardError_->setWordWrap(true);
  forwardQueue_ = new QLabel(this);
  forwardCounts_ = new QLabel(this);
  fwd->addRow(tr("Upstream"), forwardUpstream_);
  fwd->addRow(tr("State"), forwardState_);
  fwd->addRow(tr("Last error"), forwardError_);
  fwd->addRow(tr("Queue"), forwardQueue_);
  fwd->addRow(tr("Forwarded"), forwardCounts_);
  forwarding_->hide();

  problems_ = new QCheckBox(tr("Only refused or partly rejected requests"), this);
  table_ = new QTableWidget(0, 10, this);
  table_->setHorizontalHeaderLabels({tr("Received"), tr("Transport"), tr("Path"), tr("Status"), tr("Accepted"),
                                     tr("Rejected"), tr("Duplicates"), tr("Bytes"), tr("Type"), tr("Message")});
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->verticalHeader()->hide();
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setAlternatingRowColors(true);
  table_->setWordWrap(false);
  empty_ = new QLabel(tr("No requests received yet."), this);
  empty_->setEnabled(false);
  empty_->setAlignment(Qt::AlignCenter);

  auto* layout = new QVBoxLayout(this);
  layout->addWidget(status);
  layout->addWidget(forwarding_);
  layout->addWidget(problems_);
  layout->addWidget(table_, 1);
  layout->addWidget(empty_);
  connect(problems_, &QCheckBox::toggled, this, &IngestPage::onlyProblemsChanged);
}

bool IngestPage::onlyProblems() const { return problems_->isChecked(); }

void IngestPage::setListener(const QString& url, const QString& error, const QString& grpcUrl) {
  if (error.isEmpty() && url.isEmpty())
    listener_->setText(tr("<b>Read-only:</b> this window only views the database; it does not receive."));
  else if (error.isEmpty())
    listener_->setText(tr("<b>%1</b> (OTLP/HTTP: /v1/logs, /v1/metrics, /v1/traces)").arg(url.toHtmlEscaped()) +
                       (grpcUrl.isEmpty() ? QString()
                                          : tr("<br><b>%1</b> (OTLP/gRPC: Logs, Metrics and Trace services)")
                                                .arg(grpcUrl.toHtmlEscaped())));
  else
    listener_->setText(tr("<span style='color:#d03a2f'><b>Not listening:</b> %1</span>").arg(error.toHtmlEscaped()));
}

void IngestPage::setDatabase(const QString& path) { database_->setText(path); }

void IngestPage::setTotals(const data::StoreTotals& t, double eventsPerSecond) {
  const QLocale loc = QLocale::system();
  totals_->setText(tr("%1 events, %2 metric points, %3 spans in %4 sessions · %5 · last event %6 · %7 events/s")
                       .arg(loc.toString(static_cast<qlonglong>(t.events)), loc.toString(static_cast<qlonglong>(t.points)),
                            loc.toString(static_cast<qlonglong>(t.spans)), loc.toString(static_cast<qlonglong>(t.sessions)),
                            fmt::bytes(t.fileBytes), t.lastEventNs ? fmt::dateTime(t.lastEventNs) : tr("never"))
                       .arg(eventsPerSecond, 0, 'f', 1));
}

void IngestPage::clearForwarding() { forwarding_->hide(); }

QString IngestPage::listenerText() const { return listener_->text(); }

void IngestPage::setForwarding(const forward::ForwardStatus& s, std::int64_t nowNs) {
  const QLocale loc = QLocale::system();
  forwarding_->show();
  forwardUpstream_->setText(QString::fromStdString(s.upstream));
  QString state;
  switch (s.state) {
    case forward::ForwardState::Ok:
      state = tr("<span style='color:#2e7d32'><b>ok</b></span>");
      break;
    case forward::ForwardState::BackingOff: {
      const qint64 inMs = std::max<std::int64_t>(0, (s.nextAttemptNs - nowNs) / 1000000);
      state = tr("<span style='color:#c77c02'><b>backing off</b></span> · %n failed attempt(s), next in %1", nullptr,
                 s.failedAttempts)
                  .arg(QStringLiteral("%1 s").arg(static_cast<double>(inMs) / 1000.0, 0, 'f', 1));
      break;
    }
    case forward::ForwardState::Failing:
      state = tr("<span style='color:#d03a2f'><b>failing</b></span> · the upstream refuses requests for good; "
                 "cctv drops each one it refuses");
      break;
  }
  forwardState_->setText(state);
  forwardError_->setText(s.lastErrorNs ? QStringLiteral("%1 · %2").arg(fmt::dateTime(s.lastErrorNs),
                                                                        QString::fromStdString(s.lastError))
                                       : tr("none"));
  forwardQueue_->setText(tr("%1 request(s) waiting, %2 of %3")
                             .arg(loc.toString(static_cast<qlonglong>(s.queuedRequests)), fmt::bytes(s.queuedBytes),
                                  fmt::bytes(s.queueCapBytes)));
  forwardCounts_->setText(tr("%1 request(s), %2 item(s) since cctv started · last %3 · refused for good and dropped: %4 · "
                             "dropped over the cap: %5")
                              .arg(loc.toString(static_cast<qlonglong>(s.forwardedRequests)),
                                   loc.toString(static_cast<qlonglong>(s.forwardedItems)),
                                   s.lastDeliveredNs ? fmt::dateTime(s.lastDeliveredNs) : tr("never"),
                                   loc.toString(static_cast<qlonglong>(s.refusedRequests)),
                                   loc.toString(static_cast<qlonglong>(s.capDroppedRequests))));
}

void IngestPage::setLog(const std::vector<data::IngestLogRow>& rows) {
  table_->setRowCount(static_cast<int>(rows.size()));
  const QColor bad(0xd0, 0x3a, 0x2f), warn(0xc7, 0x7c, 0x02);
  for (int i = 0; i < static_cast<int>(rows.size()); ++i) {
    const data::IngestLogRow& r = rows[static_cast<std::size_t>(i)];
    const QStringList cells = {fmt::dateTime(r.receivedAtNs) + QStringLiteral(".%1").arg(r.receivedAtNs / 1000000 % 1000, 3, 10, QLatin1Char('0')),
                               QString::fromStdString(r.transport), QString::fromStdString(r.path),
                               QString::number(r.status), QString::number(r.accepted), QString::number(r.rejected),
                               QString::number(r.duplicates), fmt::bytes(r.bytes),
                               QString::fromStdString(r.contentType) +
                                   (r.contentEncoding.empty() ? QString() : QStringLiteral(" + ") + QString::fromStdString(r.contentEncoding)),
                               QString::fromStdString(r.message)};
    for (int c = 0; c < cells.size(); ++c) {
      auto* item = new QTableWidgetItem(cells[c]);
      // status is the HTTP status, or the gRPC code (0 = OK) for gRPC requests; for forwarding, the upstream's.
      const bool ok = r.transport == "grpc" ? r.status == 0
                      : r.transport == "forward" ? r.status >= 200 && r.status <= 299
                                                 : r.status == 200;
      if (!ok) item->setForeground(bad);
      else if (r.rejected > 0) item->setForeground(warn);
      if (c == 9) item->setToolTip(cells[c] + QStringLiteral("\n") + QString::fromStdString(r.userAgent) +
                                   QStringLiteral(" from ") + QString::fromStdString(r.remote));
      table_->setItem(i, c, item);
    }
  }
  table_->resizeColumnsToContents();
  empty_->setVisible(rows.empty());
  empty_->setText(problems_->isChecked() ? tr("No refused requests. Everything received was stored.")
                                         : tr("No requests received yet."));
}

}  // namespace cctv::ui
