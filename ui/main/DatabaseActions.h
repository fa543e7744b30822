#pragma once
// The window's maintenance actions on its store: "Delete session…" (after a confirmation) and "Compact
// database". (Retention is edited in Preferences; savedRetention() reads it for the start-up.) Each is handed to the
// writer thread, which does it between ingest batches; the outcome comes back here and is reported through
// message(). Without a writer (the window only views a database) the actions say so instead.

#include <QObject>
#include <QString>

#include "query/Data.h"
#include "store/Housekeeping.h"

class QWidget;

namespace cctv::store {
class Writer;
}

namespace cctv::ui {

class DatabaseActions : public QObject {
  Q_OBJECT
 public:
  // `writer` may be null; `window` parents the dialogs.
  DatabaseActions(store::Writer* writer, QWidget* window);

  bool canModify() const { return writer_ != nullptr; }
  // Asks first; `confirm` false skips the question (tests).
  void deleteSession(const data::SessionSummary& session, bool confirm = true);
  void compact();

  // The saved retention preference (config::load: retention/days, retention/mb); off unless the user set it.
  static store::RetentionPolicy savedRetention();
  static void saveRetention(const store::RetentionPolicy& policy);

 Q_SIGNALS:
  void message(const QString& text);
  void sessionDeleted(const QString& sessionId);
  void compacted();

 private:
  store::Writer* writer_;
  QWidget* window_;
};

}  // namespace cctv::ui
