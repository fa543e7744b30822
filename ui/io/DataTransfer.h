#pragma once
// Import and export from the window: File → Import… and files dropped on the window, File → Export session…
// (and the sessions list's context menu), one prompt (the prompts table's and the trace's context menus), the
// Events tab's filter as CSV. Each runs on a thread of its own with a progress dialog and Cancel, then says
// what happened. Imports go through the receiver's writer (the
// store has one writer), so the window's live refresh shows the new sessions as they commit.

#include <QObject>
#include <QPointer>
#include <QStringList>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "model/Normalizer.h"
#include "query/Data.h"

class QAction;
class QProgressDialog;
class QWidget;

namespace cctv::store {
class Writer;
}

namespace cctv::ui {

class DataTransfer : public QObject {
  Q_OBJECT
 public:
  enum class SessionFormat { OtlpJson, Csv };

  // `writer` null: this window only views the database; import is then unavailable.
  DataTransfer(QWidget* window, QString dbPath, store::Writer* writer, model::NormalizeOptions normalize);
  ~DataTransfer() override;  // cancels and waits for a running job

  QAction* importAction() const { return import_; }
  bool canImport() const { return writer_ != nullptr; }
  bool busy() const { return worker_.joinable(); }
  // Redaction changed in Preferences: the next import follows it (one that is running keeps its own).
  void setNormalize(const model::NormalizeOptions& normalize) { normalize_ = normalize; }
  // Off in tests: no file or message dialogs, results only through the signals.
  void setInteractive(bool on) { interactive_ = on; }

  // Asks for files (interactive) and imports them.
  void chooseAndImport();
  void importFiles(const QStringList& files);
  // Asks for the file name, then exports. With `path` given (tests), exports there without asking.
  void exportSession(const QString& sessionId, SessionFormat format, const QString& path = {});
  // One prompt: as OTLP JSON Lines its events, spans and the metric points of its time window
  // (io::exportPromptOtlpJson); as CSV its events.
  void exportPrompt(const QString& promptId, SessionFormat format, const QString& path = {});
  void exportEvents(const data::EventQuery& filter, const QString& path = {});

 Q_SIGNALS:
  // After each job: a one-paragraph summary, and whether everything went well.
  void finished(const QString& summary, bool ok);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;  // drops on the window

 private:
  using Job = std::function<bool(const std::atomic<bool>& cancel, std::string* summary)>;
  // Runs `job` on the worker thread behind a progress dialog; one job at a time.
  void run(const QString& title, const QString& label, Job job);
  void progress(qint64 done, qint64 total, const QString& label);
  void exportOne(bool prompt, const QString& id, SessionFormat format, const QString& path);
  void done(bool ok, const QString& summary, const QString& title);

  QWidget* window_;
  QString dbPath_;
  store::Writer* writer_;
  model::NormalizeOptions normalize_;
  QAction* import_ = nullptr;
  QPointer<QProgressDialog> dialog_;
  std::thread worker_;
  std::atomic<bool> cancel_{false};
  bool interactive_ = true;
};

}  // namespace cctv::ui
