#pragma once
// "Set up Claude Code": the exact environment block and managed-settings JSON for this listener, with
// copy buttons, and a live indicator that turns green when the first event arrives.

#include <QDialog>

class QComboBox;
class QLabel;
class QPlainTextEdit;

namespace cctv::ui {

class SetupDialog : public QDialog {
  Q_OBJECT
 public:
  SetupDialog(const QString& url, const QString& token, QWidget* parent = nullptr);
  // The text blocks, for a given protocol ("http/json" or "http/protobuf").
  static QString envBlock(const QString& url, const QString& token, const QString& protocol);
  static QString managedSettings(const QString& url, const QString& token, const QString& protocol);
  void setEventsStored(qint64 events);

 private:
  void rebuild();
  QString url_, token_;
  QComboBox* protocol_;
  QPlainTextEdit* env_;
  QPlainTextEdit* json_;
  QLabel* waiting_;
};

}  // namespace cctv::ui
