#pragma once
// The inspector: every normalized field of the selected event, every attribute as sent, the resource,
// and embedded JSON (tool_parameters, tool_input) pretty-printed, with copy buttons. A selected span shows
// its identity, timing, status, attributes in the order sent, and its span events.

#include <QWidget>

#include "query/Data.h"

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace cctv::ui {

class Inspector : public QWidget {
  Q_OBJECT
 public:
  explicit Inspector(QWidget* parent = nullptr);
  void setDetail(const data::EventDetail& detail);
  void setSpan(const data::SpanItem& span);
  void clear();
  QTreeWidget* tree() const { return tree_; }
  // The whole event (or span) as pretty JSON (what "Copy as JSON" puts on the clipboard).
  QString eventJson() const;

 private:
  void showValue(QTreeWidgetItem* item);

  QLabel* title_;
  QTreeWidget* tree_;
  QPlainTextEdit* value_;
  QPushButton* copyValue_;
  QPushButton* copyEvent_;
  data::EventDetail detail_;
  QString spanJson_;  // set while a span is shown
};

}  // namespace cctv::ui
