#include "io/DataTransfer.h"

#include <QAction>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressDialog>
#include <QUrl>
#include <QWidget>

#include "io/Importer.h"
#include "io/SessionExport.h"
#include "store/Writer.h"

namespace cctv::ui {

namespace {

QStringList localFiles(const QMimeData* mime) {
  QStringList files;
  if (!mime || !mime->hasUrls()) return files;
  for (const QUrl& url : mime->urls()) {
    if (!url.isLocalFile()) return {};  // all or nothing: a web link is not a file to import
    files << url.toLocalFile();
  }
  return files;
}

std::string importSummary(const std::vector<io::FileSummary>& files, bool* ok) {
  io::FileSummary total;
  int failed = 0;
  std::string details;
  for (const io::FileSummary& s : files) {
    total.events += s.events;
    total.points += s.points;
    total.spans += s.spans;
    total.duplicates += s.duplicates;
    if (!s.ok()) ++failed;
    details += io::describe(s) + "\n";
    for (const std::string& e : s.errors) details += "    " + e + "\n";
    if (s.errorCount > static_cast<std::int64_t>(s.errors.size()))
      details += "    ... and " + std::to_string(s.errorCount - static_cast<std::int64_t>(s.errors.size())) + " more\n";
  }
  *ok = failed == 0;
  std::string head = "Stored " + std::to_string(total.events) + " events, " + std::to_string(total.points) +
                     " metric points and " + std::to_string(total.spans) + " spans from " +
                     std::to_string(files.size()) + (files.size() == 1 ? " file" : " files") + " (" +
                     std::to_string(total.duplicates) + " already stored).";
  if (failed) head += " " + std::to_string(failed) + (failed == 1 ? " file had" : " files had") + " errors.";
  return head + "\n\n" + details;
}

}  // namespace

DataTransfer::DataTransfer(QWidget* window, QString dbPath, store::Writer* writer, model::NormalizeOptions normalize)
    : QObject(window), window_(window), dbPath_(std::move(dbPath)), writer_(writer), normalize_(normalize) {
  import_ = new QAction(tr("&Import…"), this);
  import_->setShortcut(QKeySequence(QStringLiteral("Ctrl+I")));
  import_->setEnabled(writer_ != nullptr);
  import_->setToolTip(writer_ ? tr("Import OTLP files (JSON Lines, JSON, protobuf; gzipped or not)")
                              : tr("Import needs the receiver; this window only views the database"));
  connect(import_, &QAction::triggered, this, &DataTransfer::chooseAndImport);
  if (writer_) {
    window_->setAcceptDrops(true);
    window_->installEventFilter(this);
  }
}

DataTransfer::~DataTransfer() {
  cancel_ = true;
  if (worker_.joinable()) worker_.join();
}

void DataTransfer::chooseAndImport() {
  const QStringList files = QFileDialog::getOpenFileNames(
      window_, tr("Import OTLP files"), QDir::homePath(),
      tr("OTLP files (*.jsonl *.ndjson *.json *.pb *.binpb *.gz);;All files (*)"));
  if (!files.isEmpty()) importFiles(files);
}

void DataTransfer::importFiles(const QStringList& files) {
  if (!writer_) return done(false, tr("Import needs the receiver; this window only views the database."), tr("Import"));
  if (busy() || files.isEmpty()) return;
  std::vector<std::string> paths;
  for (const QString& f : files) paths.push_back(QDir::toNativeSeparators(f).toStdString());
  const int n = files.size();
  run(tr("Import"), tr("Importing…"), [this, paths, n, normalize = normalize_](const std::atomic<bool>& cancel,
                                                                              std::string* summary) {
    io::ImportOptions o;
    o.normalize = normalize;
    o.cancel = &cancel;
    o.progress = [this, n](const io::ImportProgress& p) {
      const QString label = tr("Importing %1 (%2 of %3)…")
                                .arg(QFileInfo(QString::fromStdString(p.file)).fileName())
                                .arg(p.fileIndex + 1)
                                .arg(n);
      QMetaObject::invokeMethod(
          this, [this, p, label] { progress(p.bytesDone, p.bytesTotal, label); }, Qt::QueuedConnection);
    };
    std::vector<io::FileSummary> result;
    {
      io::Importer importer(*writer_, std::move(o));
      result = importer.run(paths);
    }
    bool ok = false;
    *summary = importSummary(result, &ok);
    if (cancel) *summary = "Cancelled. " + *summary;
    return ok && !cancel;
  });
}

void DataTransfer::exportSession(const QString& sessionId, SessionFormat format, const QString& path) {
  exportOne(false, sessionId, format, path);
}

void DataTransfer::exportPrompt(const QString& promptId, SessionFormat format, const QString& path) {
  exportOne(true, promptId, format, path);
}

void DataTransfer::exportOne(bool prompt, const QString& id, SessionFormat format, const QString& path) {
  if (busy() || id.isEmpty()) return;
  const bool csv = format == SessionFormat::Csv;
  const QString what = prompt ? tr("prompt %1").arg(id) : tr("session %1").arg(id);
  QString file = path;
  if (file.isEmpty()) {
    if (!interactive_) return;
    const QString suggested = QDir::home().filePath(
        QStringLiteral("cctv-%1%2.%3").arg(prompt ? QStringLiteral("prompt-") : QString(), id, csv ? "csv" : "jsonl"));
    file = QFileDialog::getSaveFileName(window_, tr("Export %1").arg(what), suggested,
                                        csv ? tr("CSV (*.csv)") : tr("OTLP JSON Lines (*.jsonl)"));
    if (file.isEmpty()) return;
  }
  const std::string db = dbPath_.toStdString(), sid = id.toStdString(), out = file.toStdString(),
                    label = what.toStdString();
  run(tr("Export"), tr("Exporting %1…").arg(what),
      [db, sid, out, csv, prompt, label](const std::atomic<bool>& cancel, std::string* summary) {
        io::ExportCounts c;
        std::string error;
        bool ok;
        if (csv) {
          data::EventQuery q;
          (prompt ? q.promptId : q.sessionId) = sid;
          ok = io::exportEventsCsv(db, q, out, &c, &error, &cancel);
        } else {
          ok = prompt ? io::exportPromptOtlpJson(db, sid, out, &c, &error, &cancel)
                      : io::exportSessionOtlpJson(db, sid, out, &c, &error, &cancel);
        }
        *summary = ok ? "Exported " + label + " to " + out + ": " + std::to_string(c.events) + " events, " +
                            std::to_string(c.points) + " metric points, " + std::to_string(c.spans) + " spans."
                      : "Export failed: " + error;
        return ok;
      });
}

void DataTransfer::exportEvents(const data::EventQuery& filter, const QString& path) {
  if (busy()) return;
  QString file = path;
  if (file.isEmpty()) {
    if (!interactive_) return;
    file = QFileDialog::getSaveFileName(window_, tr("Export events as CSV"), QDir::home().filePath("cctv-events.csv"),
                                        tr("CSV (*.csv)"));
    if (file.isEmpty()) return;
  }
  const std::string db = dbPath_.toStdString(), out = file.toStdString();
  run(tr("Export"), tr("Exporting events…"), [db, out, filter](const std::atomic<bool>& cancel, std::string* summary) {
    io::ExportCounts c;
    std::string error;
    const bool ok = io::exportEventsCsv(db, filter, out, &c, &error, &cancel);
    *summary = ok ? "Exported " + std::to_string(c.events) + " events to " + out + "." : "Export failed: " + error;
    return ok;
  });
}

void DataTransfer::run(const QString& title, const QString& label, Job job) {
  cancel_ = false;
  if (interactive_) {
    dialog_ = new QProgressDialog(label, tr("Cancel"), 0, 0, window_);
    dialog_->setWindowTitle(title);
    dialog_->setWindowModality(Qt::WindowModal);
    dialog_->setAutoClose(false);
    dialog_->setAutoReset(false);
    dialog_->setMinimumDuration(200);
    connect(dialog_, &QProgressDialog::canceled, this, [this] { cancel_ = true; });
  }
  worker_ = std::thread([this, job = std::move(job), title] {
    std::string summary;
    const bool ok = job(cancel_, &summary);
    QMetaObject::invokeMethod(
        this, [this, ok, summary, title] { done(ok, QString::fromStdString(summary), title); }, Qt::QueuedConnection);
  });
}

void DataTransfer::progress(qint64 done, qint64 total, const QString& label) {
  if (!dialog_ || cancel_) return;
  if (total > 0) {
    dialog_->setMaximum(1000);
    dialog_->setValue(static_cast<int>(std::min<qint64>(1000, done * 1000 / total)));
  }
  dialog_->setLabelText(label);
}

void DataTransfer::done(bool ok, const QString& summary, const QString& title) {
  if (worker_.joinable()) worker_.join();
  if (dialog_) dialog_->deleteLater();
  if (interactive_) {
    const QString head = summary.section(QStringLiteral("\n\n"), 0, 0);
    const QString details = summary.section(QStringLiteral("\n\n"), 1);
    QMessageBox box(ok ? QMessageBox::Information : QMessageBox::Warning, title, head, QMessageBox::Ok, window_);
    if (!details.trimmed().isEmpty()) box.setDetailedText(details);
    box.exec();
  }
  Q_EMIT finished(summary, ok);
}

bool DataTransfer::eventFilter(QObject* watched, QEvent* event) {
  if (watched == window_ && event->type() == QEvent::DragEnter) {
    auto* e = static_cast<QDragEnterEvent*>(event);
    if (!busy() && !localFiles(e->mimeData()).isEmpty()) {
      e->acceptProposedAction();
      return true;
    }
  } else if (watched == window_ && event->type() == QEvent::Drop) {
    auto* e = static_cast<QDropEvent*>(event);
    const QStringList files = localFiles(e->mimeData());
    if (!files.isEmpty()) {
      e->acceptProposedAction();
      importFiles(files);
      return true;
    }
  }
  return QObject::eventFilter(watched, event);
}

}  // namespace cctv::ui
