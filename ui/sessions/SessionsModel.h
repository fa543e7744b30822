#pragma once
// The session list: one row per session, merged in place when fresh results arrive so selection and
// scroll position survive live updates. Sorting happens in a proxy (a few thousand rows at most);
// filtering happens in SQL (data::SessionFilter).

#include <QAbstractTableModel>

#include <vector>

#include "query/Data.h"

namespace cctv::ui {

class SessionsModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { Start, Duration, User, Terminal, Version, Models, Prompts, ApiCalls, Tools, Errors, Tokens, Cost,
                SessionId, ColumnCount };
  static constexpr int SortRole = Qt::UserRole + 1;  // raw value for sorting
  static constexpr int SessionIdRole = Qt::UserRole + 2;

  explicit SessionsModel(QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

  // Replaces the content with `sessions`: changed rows are updated, new ones inserted, missing removed.
  void setSessions(std::vector<data::SessionSummary> sessions);
  const data::SessionSummary* session(int row) const;
  int rowOf(const QString& sessionId) const;

 private:
  std::vector<data::SessionSummary> rows_;
};

}  // namespace cctv::ui
