#pragma once
// The Events tab: every event of the selected session (or of all sessions) with the schema's columns,
// a column chooser, a filter by event name and free-text search. Backed by EventsModel (paged SQL).

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;
class QTimer;

namespace cctv::ui {

class EventsModel;
class QueryRunner;

class EventsPanel : public QWidget {
  Q_OBJECT
 public:
  explicit EventsPanel(QueryRunner* runner, QWidget* parent = nullptr);

  void setSession(const QString& sessionId);
  void setEventNames(const std::vector<std::string>& names);
  // Shows `eventName` events (optionally of one tool) of all sessions: the tools page's click-through.
  void showEvents(const QString& eventName, const QString& search);
  void refresh();
  EventsModel* model() const { return model_; }
  QTableView* view() const { return view_; }

 Q_SIGNALS:
  void eventSelected(qint64 id);

 private:
  void apply();
  void chooseColumns(const QPoint& pos);

  EventsModel* model_;
  QTableView* view_;
  QCheckBox* allSessions_;
  QComboBox* names_;
  QLineEdit* search_;
  QLabel* count_;
  QTimer* debounce_;
  QString session_;
  std::vector<std::string> columns_;
  bool sized_ = false;
};

}  // namespace cctv::ui
