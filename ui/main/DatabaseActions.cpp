#include "main/DatabaseActions.h"

#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QSettings>

#include "Format.h"
#include "config/Settings.h"
#include "store/Writer.h"

namespace cctv::ui {

namespace {

// Runs `report` on the GUI thread with the writer's result, unless `target` is gone by then.
template <typename F>
store::Writer::MaintenanceDone onGuiThread(QObject* target, F report) {
  QPointer<QObject> guard(target);
  return [guard, report](const store::MaintenanceResult& r) {
    if (!guard) return;
    QMetaObject::invokeMethod(guard, [guard, report, r] {
      if (guard) report(r);
    }, Qt::QueuedConnection);
  };
}

}  // namespace

DatabaseActions::DatabaseActions(store::Writer* writer, QWidget* window)
    : QObject(window), writer_(writer), window_(window) {}

store::RetentionPolicy DatabaseActions::savedRetention() {
  QSettings qs;
  const config::Settings s = config::load(qs);
  store::RetentionPolicy p;
  p.days = s.retainDays;
  p.maxBytes = s.retainMb * 1024 * 1024;
  return p;
}

void DatabaseActions::saveRetention(const store::RetentionPolicy& policy) {
  QSettings qs;
  config::Settings s = config::load(qs);
  s.retainDays = policy.days;
  s.retainMb = policy.maxBytes / (1024 * 1024);
  config::save(qs, s, ~(config::RetainDays | config::RetainMb));
}

void DatabaseActions::deleteSession(const data::SessionSummary& session, bool confirm) {
  const QString id = QString::fromStdString(session.sessionId);
  if (!writer_) {
    Q_EMIT message(tr("This window only views the database: it cannot delete sessions."));
    return;
  }
  if (confirm) {
    const QString text =
        tr("Delete session %1?\n\n%2 events, %3 prompts, %4 API requests (%5) will be removed from the database "
           "for good, and the costs and counts that include them will be updated.")
            .arg(id)
            .arg(session.events)
            .arg(session.prompts)
            .arg(session.apiRequests)
            .arg(fmt::cost(session.costUsd));
    QMessageBox ask(QMessageBox::Question, tr("Delete session"), text, QMessageBox::Cancel, window_);
    QPushButton* remove = ask.addButton(tr("Delete"), QMessageBox::DestructiveRole);
    ask.setDefaultButton(QMessageBox::Cancel);
    ask.exec();
    if (ask.clickedButton() != remove) return;
  }
  Q_EMIT message(tr("Deleting session %1…").arg(id));
  writer_->deleteSession(session.sessionId, onGuiThread(this, [this, id](const store::MaintenanceResult& r) {
    if (!r.ok) {
      Q_EMIT message(tr("Could not delete session %1: %2").arg(id, QString::fromStdString(r.error)));
      return;
    }
    Q_EMIT message(tr("Deleted session %1: %2 events, %3 metric points, %4 spans.")
                       .arg(id).arg(r.events).arg(r.points).arg(r.spans));
    Q_EMIT sessionDeleted(id);
  }));
}

void DatabaseActions::compact() {
  if (!writer_) {
    Q_EMIT message(tr("This window only views the database: it cannot compact it."));
    return;
  }
  Q_EMIT message(tr("Compacting the database (new telemetry waits until it is done)…"));
  writer_->compact(onGuiThread(this, [this](const store::MaintenanceResult& r) {
    if (!r.ok) {
      Q_EMIT message(tr("Could not compact the database: %1").arg(QString::fromStdString(r.error)));
      return;
    }
    Q_EMIT message(tr("Compacted the database: %1 → %2.").arg(fmt::bytes(r.bytesBefore), fmt::bytes(r.bytesAfter)));
    Q_EMIT compacted();
  }));
}

}  // namespace cctv::ui
