#include "main/DatabaseProblemDialog.h"

#include <QPushButton>

namespace cctv::ui {

DatabaseProblemDialog::DatabaseProblemDialog(const QString& path, const QString& error, bool offerMoveAside,
                                             QWidget* parent)
    : QMessageBox(parent) {
  setIcon(QMessageBox::Warning);
  setWindowTitle(tr("cctv: the database cannot be used"));
  setText(tr("cctv cannot use the database\n%1").arg(path));
  setInformativeText(error + QLatin1String("\n\n") +
                     (offerMoveAside ? tr("You can move this file aside (it is renamed, not deleted) and start with "
                                          "a new database in its place, or open another file.")
                                     : tr("You can try again once the cause is gone, or open another file.")));
  openAnother_ = addButton(tr("Open Another File…"), QMessageBox::ActionRole);
  if (offerMoveAside) moveAside_ = addButton(tr("Move Aside and Start Fresh"), QMessageBox::DestructiveRole);
  else retry_ = addButton(tr("Try Again"), QMessageBox::AcceptRole);
  quit_ = addButton(tr("Quit"), QMessageBox::RejectRole);
  setDefaultButton(qobject_cast<QPushButton*>(openAnother_));
  setEscapeButton(quit_);
}

DatabaseProblemDialog::Choice DatabaseProblemDialog::choice() const {
  const QAbstractButton* b = clickedButton();
  if (b && b == openAnother_) return Choice::OpenAnother;
  if (b && b == moveAside_) return Choice::MoveAside;
  if (b && b == retry_) return Choice::Retry;
  return Choice::Quit;
}

QAbstractButton* DatabaseProblemDialog::buttonFor(Choice c) const {
  switch (c) {
    case Choice::OpenAnother: return openAnother_;
    case Choice::MoveAside: return moveAside_;
    case Choice::Retry: return retry_;
    case Choice::Quit: return quit_;
  }
  return nullptr;
}

}  // namespace cctv::ui
