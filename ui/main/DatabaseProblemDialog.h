#pragma once
// Asked at start-up when the database cannot be used (damaged, not cctv's, locked, read-only, disk full):
// says what is wrong in one sentence and offers the ways out, instead of a crash or a silent empty window.

#include <QMessageBox>

namespace cctv::ui {

class DatabaseProblemDialog : public QMessageBox {
  Q_OBJECT
 public:
  enum class Choice { OpenAnother, MoveAside, Retry, Quit };

  // `error` is the receiver's one-line message; "Move aside" is offered only when `offerMoveAside` (the
  // file's content is the problem, not its lock or the disk).
  DatabaseProblemDialog(const QString& path, const QString& error, bool offerMoveAside, QWidget* parent = nullptr);

  // What was clicked, after exec() (Quit when the dialog was closed otherwise).
  Choice choice() const;
  // The button for a choice, or nullptr when not offered.
  QAbstractButton* buttonFor(Choice c) const;

 private:
  QAbstractButton* openAnother_ = nullptr;
  QAbstractButton* moveAside_ = nullptr;
  QAbstractButton* retry_ = nullptr;
  QAbstractButton* quit_ = nullptr;
};

}  // namespace cctv::ui
