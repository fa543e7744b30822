// The main window's preferences and receiver wiring: Edit → Preferences…, the listener shown in the status
// bar, on the Ingest page and in the Set up dialog (and moved when Preferences restart it), forwarding status,
// redaction for imports, and, for a read-only window, noticing what another process commits.

#include <QLabel>
#include <QSettings>
#include <QStatusBar>
#include <QTimer>

#include "data/QueryRunner.h"
#include "ingest/IngestPage.h"
#include "ingest/SetupDialog.h"
#include "io/DataTransfer.h"
#include "main/MainWindow.h"
#include "main/Theme.h"
#include "store/Writer.h"

namespace cctv::ui {

PreferencesDialog* MainWindow::openPreferences(PreferencesDialog::Page page) {
  if (!preferences_) {
    preferences_ = new PreferencesDialog(options_.settings, options_.fixed, options_.writer != nullptr, this);
    preferences_->setAttribute(Qt::WA_DeleteOnClose);
    preferences_->setApply([this](const config::Settings& next) -> QString {
      if (options_.applySettings) {
        const QString failed = options_.applySettings(next);
        if (!failed.isEmpty()) return failed;
      } else {
        QSettings qs;
        config::save(qs, next, options_.fixed);
        applyTheme(next.theme);
      }
      options_.settings = next;
      // The message covers the listener label for a while: it names the address itself.
      statusBar()->showMessage(options_.url.isEmpty() ? tr("Preferences saved.")
                                                      : tr("Preferences saved; listening on %1.").arg(options_.url),
                               8000);
      return {};
    });
  }
  preferences_->showPage(page);
  preferences_->show();
  preferences_->raise();
  preferences_->activateWindow();
  return preferences_;
}

void MainWindow::showListenerStatus() {
  if (options_.readOnly)
    statusListener_->setText(tr("● Read-only: viewing %1 (another cctv receives into it; new data shows up here)")
                                 .arg(options_.dbPath));
  else if (options_.listenError.isEmpty() && !options_.url.isEmpty())
    statusListener_->setText(options_.grpcUrl.isEmpty()
                                 ? tr("● Listening on %1").arg(options_.url)
                                 : tr("● Listening on %1 and %2").arg(options_.url, options_.grpcUrl));
  else if (!options_.listenError.isEmpty())
    statusListener_->setText(tr("<span style='color:#d03a2f'>● Not receiving: %1</span>").arg(options_.listenError.toHtmlEscaped()));
  else
    statusListener_->setText(tr("Viewing %1 (no receiver in this window)").arg(options_.dbPath));
  ingest_->setListener(options_.url, options_.listenError, options_.grpcUrl);
}

QString MainWindow::listenerStatus() const { return statusListener_->text(); }

QString MainWindow::totalsText() const { return statusTotals_->text(); }

SetupDialog* MainWindow::setupDialog() const { return setupDialog_.data(); }

void MainWindow::setListener(const QString& url, const QString& grpcUrl, const QString& token, const QString& error) {
  options_.url = url;
  options_.grpcUrl = grpcUrl;
  options_.token = token;
  options_.listenError = error;
  showListenerStatus();
  if (setupDialog_) setupDialog_->setListener(url.isEmpty() ? QStringLiteral("http://127.0.0.1:4318") : url, token, grpcUrl);
}

void MainWindow::setForwardStatus(std::function<forward::ForwardStatus()> status) {
  options_.forwardStatus = std::move(status);
  forwardStamp_ = -1;
  if (options_.forwardStatus) refreshForwarding();
  else ingest_->clearForwarding();
}

void MainWindow::setRedact(bool on) {
  options_.redact = on;
  model::NormalizeOptions n;
  n.redactContent = on;
  transfer_->setNormalize(n);
}

void MainWindow::watchForeignCommits() {
  // Another process commits: PRAGMA data_version on the window's read connection changes with each of its
  // commits, which is as cheap as a query gets; a change refreshes like a commit of our own would.
  auto* watch = new QTimer(this);
  watch->setInterval(1000);
  connect(watch, &QTimer::timeout, this, [this] {
    runner_->run<std::int64_t>(
        QStringLiteral("data-version"), this, [](query::Reader& r) { return r.dataVersion(); },
        [this](std::int64_t version) {
          // The first answer counts as a change too: a commit between the window's first queries and this
          // one would otherwise go unseen.
          const bool changed = version != dataVersion_;
          dataVersion_ = version;
          if (!changed) return;
          if (!session_.isEmpty()) sessionDirty_ = true;
          onStored({});
        });
  });
  watch->start();
}

}  // namespace cctv::ui
