#pragma once
// Left side of the main window: the filter bar and the live session list.

#include <QWidget>

#include "query/Data.h"

class QCheckBox;
class QComboBox;
class QDateTimeEdit;
class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QTableView;
class QTimer;

namespace cctv::ui {

class SessionsModel;

class SessionsPanel : public QWidget {
  Q_OBJECT
 public:
  explicit SessionsPanel(QWidget* parent = nullptr);

  // The filter as the user set it; `nowNs` anchors "Today" / "7 days".
  data::SessionFilter filter(std::int64_t nowNs) const;
  void setSessions(std::vector<data::SessionSummary> sessions);
  void setModels(const std::vector<std::string>& models);
  QString currentSessionId() const;
  // A custom date range (local time); shows the from/to editors.
  void setCustomRange(const QDateTime& from, const QDateTime& to);
  void selectSession(const QString& sessionId);
  SessionsModel* model() const { return model_; }
  QTableView* view() const { return view_; }
  // Whether the context menu offers "Delete session…" (not when the window only views the database).
  void setDeleteEnabled(bool on) { deleteEnabled_ = on; }

 Q_SIGNALS:
  void filterChanged();
  void sessionSelected(const QString& sessionId);
  // "Delete session…" chosen on a row's context menu (shown only when setDeleteEnabled(true)).
  void deleteRequested(const cctv::data::SessionSummary& session);

 private:
  SessionsModel* model_;
  QSortFilterProxyModel* proxy_;
  QTableView* view_;
  QLineEdit* search_;
  QComboBox* range_;
  QDateTimeEdit* from_;
  QDateTimeEdit* to_;
  QComboBox* modelBox_;
  QCheckBox* errorsOnly_;
  QLabel* empty_;
  QTimer* debounce_;
  QString selected_;
  bool deleteEnabled_ = false;
};

}  // namespace cctv::ui
