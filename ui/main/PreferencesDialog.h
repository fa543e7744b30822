#pragma once
// Edit → Preferences…: the receiver (ports, address, token), the database and its retention, redaction,
// forwarding and the theme, saved with QSettings (config::save). Values the command line fixed for this run
// are shown greyed with the flag that set them. OK and Apply check the values (config::validate) and hand them
// to the window's apply function, which restarts what it can in place; its error keeps the dialog open.

#include <QDialog>

#include <functional>

#include "config/Settings.h"

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;
class QTabWidget;
class QToolButton;

namespace cctv::ui {

class PreferencesDialog : public QDialog {
  Q_OBJECT
 public:
  enum class Page { Receiver, Storage, Forwarding, Appearance };
  // Applies (and saves) new settings; returns an error to show, or an empty string when all went well.
  using Apply = std::function<QString(const config::Settings&)>;

  // `receiving`: a receiver runs in this window, so listener changes apply at once (else at the next start).
  PreferencesDialog(const config::Settings& current, config::Fields fixed, bool receiving, QWidget* parent = nullptr);

  void setApply(Apply apply) { apply_ = std::move(apply); }
  void showPage(Page page);
  // The settings as the widgets show them (fixed ones as given).
  config::Settings settings() const;
  // Validates and applies; true when both succeeded (the error, if any, is shown in the dialog).
  bool applyChanges();
  QString error() const;  // the message shown, "" when none

  void accept() override;

 private:
  void buildReceiver(QWidget* page);
  void buildStorage(QWidget* page);
  void buildForwarding(QWidget* page);
  void buildAppearance(QWidget* page);
  void fix(QWidget* widget, config::Field field);  // greys it when the command line set it
  void setError(const QString& text);

  config::Settings current_;
  config::Fields fixed_;
  bool receiving_;
  Apply apply_;

  QTabWidget* tabs_ = nullptr;
  QSpinBox* httpPort_ = nullptr;
  QCheckBox* grpc_ = nullptr;
  QSpinBox* grpcPort_ = nullptr;
  QComboBox* bind_ = nullptr;
  QLineEdit* token_ = nullptr;
  QToolButton* showToken_ = nullptr;
  QCheckBox* insecure_ = nullptr;
  QLineEdit* dbPath_ = nullptr;
  QSpinBox* retainDays_ = nullptr;
  QSpinBox* retainMb_ = nullptr;
  QCheckBox* redact_ = nullptr;
  QLineEdit* forward_ = nullptr;
  QPlainTextEdit* headers_ = nullptr;
  QLineEdit* forwardCa_ = nullptr;
  QSpinBox* queueMb_ = nullptr;
  QComboBox* theme_ = nullptr;
  QLabel* error_ = nullptr;
  QDialogButtonBox* buttons_ = nullptr;
};

}  // namespace cctv::ui
