#include "main/DatabaseActions.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>

#include "Format.h"
#include "store/Writer.h"

namespace cctv::ui {

namespace {

const QString kDaysKey = QStringLiteral("retention/days");
const QString kMbKey = QStringLiteral("retention/mb");

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
  QSettings settings;
  store::RetentionPolicy p;
  p.days = std::max(0, settings.value(kDaysKey, 0).toInt());
  p.maxBytes = std::max<qint64>(0, settings.value(kMbKey, 0).toLongLong()) * 1024 * 1024;
  return p;
}

void DatabaseActions::saveRetention(const store::RetentionPolicy& policy) {
  QSettings settings;
  settings.setValue(kDaysKey, policy.days);
  settings.setValue(kMbKey, static_cast<qint64>(policy.maxBytes / (1024 * 1024)));
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

void DatabaseActions::editRetention() {
  const store::RetentionPolicy current = savedRetention();
  QDialog dialog(window_);
  dialog.setWindowTitle(tr("Retention"));
  auto* form = new QFormLayout(&dialog);
  auto* intro = new QLabel(tr("Old sessions are removed in the background, whole, with everything recorded under "
                              "them. The most recent session is always kept."),
                           &dialog);
  intro->setWordWrap(true);
  form->addRow(intro);
  auto* days = new QSpinBox(&dialog);
  days->setRange(0, 3650);
  days->setSpecialValueText(tr("Keep everything"));
  days->setSuffix(tr(" days"));
  days->setValue(current.days);
  form->addRow(tr("Remove sessions idle for more than"), days);
  auto* mb = new QSpinBox(&dialog);
  mb->setRange(0, 1000000);
  mb->setSpecialValueText(tr("No limit"));
  mb->setSuffix(tr(" MiB"));
  mb->setValue(static_cast<int>(current.maxBytes / (1024 * 1024)));
  form->addRow(tr("Keep the data under"), mb);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
  connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
  form->addRow(buttons);
  if (dialog.exec() != QDialog::Accepted) return;
  store::RetentionPolicy policy;
  policy.days = days->value();
  policy.maxBytes = static_cast<std::int64_t>(mb->value()) * 1024 * 1024;
  saveRetention(policy);
  if (writer_) writer_->setRetention(policy);
  Q_EMIT message(policy.enabled() ? tr("Retention saved; it runs in the background now and every ten minutes.")
                                  : tr("Retention off: everything is kept."));
}

}  // namespace cctv::ui
