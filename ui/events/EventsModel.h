#pragma once
// The events table over millions of rows: SQL filters and sorts (query::Reader::events), this model only
// holds the pages that were looked at and fetches the others in the background when they scroll into view.

#include <QAbstractTableModel>

#include <map>

#include "query/Data.h"

namespace cctv::ui {

class QueryRunner;

class EventsModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  static constexpr int kPageSize = 200;
  static constexpr int EventIdRole = Qt::UserRole + 1;

  explicit EventsModel(QueryRunner* runner, QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
  void sort(int column, Qt::SortOrder order) override;

  // New filter/columns: starts over from the first page.
  void setQuery(data::EventQuery query);
  const data::EventQuery& query() const { return query_; }
  // Same query, fresh data (new events arrived); keeps the rows' positions where it can.
  void refresh();
  std::int64_t total() const { return total_; }
  bool totalCapped() const { return totalCapped_; }  // a search found at least total() rows
  bool loading() const { return !requested_.empty(); }

 Q_SIGNALS:
  void totalChanged(qint64 total);

 private:
  void requestPage(int page) const;
  void applyPage(quint64 generation, int page, data::EventPage result);

  QueryRunner* runner_;
  data::EventQuery query_;
  std::vector<std::string> columns_;
  std::int64_t total_ = 0;
  bool totalCapped_ = false;
  quint64 generation_ = 0;
  std::map<int, data::EventPage> pages_;
  mutable std::map<int, bool> requested_;
};

}  // namespace cctv::ui
