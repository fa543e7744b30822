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
  SetupDialog(const QString& url, const QString& token, QWidget* parent = nullptr, const QString& grpcUrl = {});
  // The text blocks, for a given protocol ("http/json", "http/protobuf" or "grpc") and its endpoint.
  static QString envBlock(const QString& url, const QString& token, const QString& protocol);
  static QString managedSettings(const QString& url, const QString& token, const QString& protocol);
  void setEventsStored(qint64 events);
  // The listener moved or the token changed (Preferences): the blocks show the new values at once.
  void setListener(const QString& url, const QString& token, const QString& grpcUrl);
  QString environmentText() const;

 private:
  void rebuild();
  QString url_, token_, grpcUrl_;
  QComboBox* protocol_;
  QPlainTextEdit* env_;
  QPlainTextEdit* json_;
  QLabel* waiting_;
};

}  // namespace cctv::ui
