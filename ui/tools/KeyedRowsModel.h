#pragma once
// A table model over a few value rows that updates in place. Each refresh is merged by a row key: rows that
// vanished are removed, rows still present are updated with one dataChanged, new rows are appended. Selection,
// the current row and the scroll position survive live refreshes, which a model reset would throw away.

#include <QAbstractTableModel>
#include <QHash>
#include <QString>
#include <utility>
#include <vector>

namespace cctv::ui {

template <typename Row>
class KeyedRowsModel : public QAbstractTableModel {
 public:
  // Raw values for sorting (numbers, not their formatted text).
  static constexpr int SortRole = Qt::UserRole;

  using QAbstractTableModel::QAbstractTableModel;

  int rowCount(const QModelIndex& parent = QModelIndex()) const override {
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
  }

  const std::vector<Row>& rows() const { return rows_; }
  const Row& rowAt(int row) const { return rows_.at(static_cast<std::size_t>(row)); }

  // Replaces the content with `incoming` (any order; the first of duplicate keys wins).
  void setRows(std::vector<Row> incoming) {
    QHash<QString, std::size_t> wanted;
    for (std::size_t i = incoming.size(); i-- > 0;)  // backwards, so the first occurrence of a key wins
      wanted.insert(key(incoming[i]), i);

    // Remove vanished rows, bottom-up, one contiguous run at a time.
    for (int last = static_cast<int>(rows_.size()) - 1; last >= 0;) {
      if (wanted.contains(key(rows_[static_cast<std::size_t>(last)]))) {
        --last;
        continue;
      }
      int first = last;
      while (first > 0 && !wanted.contains(key(rows_[static_cast<std::size_t>(first - 1)]))) --first;
      beginRemoveRows(QModelIndex(), first, last);
      rows_.erase(rows_.begin() + first, rows_.begin() + last + 1);
      endRemoveRows();
      last = first - 1;
    }

    // Update the rows that stay.
    std::vector<bool> placed(incoming.size(), false);
    for (Row& row : rows_) {
      const std::size_t source = wanted.value(key(row));
      placed[source] = true;
      row = std::move(incoming[source]);
    }
    if (!rows_.empty()) Q_EMIT dataChanged(index(0, 0), index(static_cast<int>(rows_.size()) - 1, columnCount() - 1));

    // Append the new ones in the order given.
    std::vector<Row> added;
    for (std::size_t i = 0; i < incoming.size(); ++i)
      if (!placed[i] && wanted.value(key(incoming[i])) == i) added.push_back(std::move(incoming[i]));
    if (added.empty()) return;
    const int first = static_cast<int>(rows_.size());
    beginInsertRows(QModelIndex(), first, first + static_cast<int>(added.size()) - 1);
    for (Row& row : added) rows_.push_back(std::move(row));
    endInsertRows();
  }

 protected:
  virtual QString key(const Row& row) const = 0;

 private:
  std::vector<Row> rows_;
};

}  // namespace cctv::ui
