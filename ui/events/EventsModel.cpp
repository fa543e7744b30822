#include "events/EventsModel.h"

#include "Format.h"
#include "data/QueryRunner.h"

namespace cctv::ui {

EventsModel::EventsModel(QueryRunner* runner, QObject* parent) : QAbstractTableModel(parent), runner_(runner) {
  columns_ = query::Reader::defaultEventColumns();
}

int EventsModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(std::min<std::int64_t>(total_, 1 << 30));
}

int EventsModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(columns_.size());
}

QVariant EventsModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation == Qt::Horizontal && role == Qt::DisplayRole && section >= 0 && section < columnCount())
    return QString::fromStdString(columns_[static_cast<std::size_t>(section)]);
  return {};
}

QVariant EventsModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount() || index.column() >= columnCount()) return {};
  const int page = index.row() / kPageSize;
  const auto it = pages_.find(page);
  if (it == pages_.end()) {
    requestPage(page);
    return role == Qt::DisplayRole && index.column() == 0 ? QVariant(tr("loading…")) : QVariant();
  }
  const std::size_t r = static_cast<std::size_t>(index.row() % kPageSize);
  if (r >= it->second.rows.size()) return {};
  if (role == EventIdRole) return static_cast<qlonglong>(it->second.ids[r]);
  const std::string& col = columns_[static_cast<std::size_t>(index.column())];
  const QString raw = QString::fromStdString(it->second.rows[r][static_cast<std::size_t>(index.column())]);
  if (role == Qt::DisplayRole) {
    if ((col == "timeUnixNano" || col == "observedTimeUnixNano") && !raw.isEmpty()) {
      const qint64 ns = raw.toLongLong();
      return fmt::dateTime(ns) + QStringLiteral(".%1").arg(ns / 1000000 % 1000, 3, 10, QLatin1Char('0'));
    }
    if (col == "cost_usd" && !raw.isEmpty()) return fmt::cost(raw.toDouble());
    return raw.size() > 300 ? raw.left(300) + QStringLiteral("…") : raw;
  }
  if (role == Qt::ToolTipRole && raw.size() > 60) return raw.left(2000);
  if (role == Qt::TextAlignmentRole) {
    bool numeric = false;
    raw.toDouble(&numeric);
    return numeric && col != "session_id" ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant(Qt::AlignLeft | Qt::AlignVCenter);
  }
  return {};
}

void EventsModel::sort(int column, Qt::SortOrder order) {
  if (column < 0 || column >= columnCount()) return;
  data::EventQuery q = query_;
  q.sortColumn = columns_[static_cast<std::size_t>(column)];
  q.ascending = order == Qt::AscendingOrder;
  setQuery(q);
}

void EventsModel::setQuery(data::EventQuery query) {
  beginResetModel();
  query_ = std::move(query);
  query_.limit = kPageSize;
  if (query_.columns.empty()) query_.columns = query::Reader::defaultEventColumns();
  columns_ = query_.columns;
  pages_.clear();
  requested_.clear();
  total_ = 0;
  totalCapped_ = false;
  ++generation_;
  endResetModel();
  requestPage(0);
}

void EventsModel::refresh() {
  // Keep what is shown until the fresh pages arrive; then replace them in place.
  ++generation_;
  requested_.clear();
  std::vector<int> pages;
  for (const auto& [p, _] : pages_) pages.push_back(p);
  if (pages.empty()) pages.push_back(0);
  for (int p : pages) requestPage(p);
}

void EventsModel::requestPage(int page) const {
  if (requested_.count(page)) return;
  requested_[page] = true;
  data::EventQuery q = query_;
  q.offset = static_cast<std::int64_t>(page) * kPageSize;
  const quint64 gen = generation_;
  auto* self = const_cast<EventsModel*>(this);
  runner_->run<data::EventPage>(
      QStringLiteral("events-page-%1").arg(page), self, [q](query::Reader& r) { return r.events(q); },
      [self, gen, page](data::EventPage result) { self->applyPage(gen, page, std::move(result)); });
}

void EventsModel::applyPage(quint64 generation, int page, data::EventPage result) {
  if (generation != generation_) return;
  requested_.erase(page);
  const std::int64_t oldTotal = total_;
  const std::int64_t newTotal = result.total;
  const bool cappedChanged = totalCapped_ != result.totalCapped;
  totalCapped_ = result.totalCapped;
  if (newTotal == oldTotal && cappedChanged) Q_EMIT totalChanged(total_);
  if (newTotal != oldTotal) {
    // Row count changes: tell views through insert/remove at the end so scroll positions stay.
    if (newTotal > oldTotal) {
      beginInsertRows({}, static_cast<int>(oldTotal), static_cast<int>(newTotal - 1));
      total_ = newTotal;
      endInsertRows();
    } else {
      beginRemoveRows({}, static_cast<int>(newTotal), static_cast<int>(oldTotal - 1));
      total_ = newTotal;
      pages_.erase(pages_.upper_bound(static_cast<int>(newTotal / kPageSize)), pages_.end());
      endRemoveRows();
    }
    Q_EMIT totalChanged(total_);
  }
  pages_[page] = std::move(result);
  const int first = page * kPageSize;
  const int last = std::min<int>(first + kPageSize, rowCount()) - 1;
  if (last >= first) Q_EMIT dataChanged(index(first, 0), index(last, columnCount() - 1));
}

}  // namespace cctv::ui
