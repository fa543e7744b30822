#include "sessions/SessionsModel.h"

#include <QBrush>
#include <QColor>

#include <unordered_map>

#include "Format.h"

namespace cctv::ui {

namespace {
bool sameRow(const data::SessionSummary& a, const data::SessionSummary& b) {
  return a.lastNs == b.lastNs && a.events == b.events && a.costUsd == b.costUsd && a.models == b.models &&
         a.errors == b.errors && a.appVersion == b.appVersion && a.firstNs == b.firstNs;
}
}  // namespace

SessionsModel::SessionsModel(QObject* parent) : QAbstractTableModel(parent) {}

int SessionsModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int SessionsModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant SessionsModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal) return {};
  if (role == Qt::DisplayRole) {
    static const char* names[] = {"Start", "Duration", "User", "Terminal", "Version", "Models", "Prompts",
                                  "API calls", "Tools", "Errors", "Tokens", "Cost", "Session"};
    return section >= 0 && section < ColumnCount ? tr(names[section]) : QVariant();
  }
  if (role == Qt::ToolTipRole && section == User) return tr("user.id: an anonymous per-machine hash");
  return {};
}

QVariant SessionsModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount()) return {};
  const data::SessionSummary& s = rows_[static_cast<std::size_t>(index.row())];
  const QString models = QString::fromStdString([&] {
    std::string m;
    for (const auto& x : s.models) m += (m.empty() ? "" : ", ") + x;
    return m;
  }());
  if (role == SessionIdRole) return QString::fromStdString(s.sessionId);
  if (role == SortRole) {
    switch (index.column()) {
      case Start: return static_cast<qlonglong>(s.firstNs);
      case Duration: return static_cast<qlonglong>(s.lastNs - s.firstNs);
      case Prompts: return static_cast<qlonglong>(s.prompts);
      case ApiCalls: return static_cast<qlonglong>(s.apiRequests);
      case Tools: return static_cast<qlonglong>(s.toolCalls);
      case Errors: return static_cast<qlonglong>(s.errors);
      case Tokens: return static_cast<qlonglong>(s.tokens.total());
      case Cost: return s.costUsd;
      default: return data(index, Qt::DisplayRole);
    }
  }
  if (role == Qt::DisplayRole) {
    switch (index.column()) {
      case Start: return fmt::dateTime(s.firstNs);
      case Duration: return fmt::durationNs(s.lastNs - s.firstNs);
      case User: return fmt::shortId(QString::fromStdString(s.userId));
      case Terminal: return QString::fromStdString(s.terminal);
      case Version: return QString::fromStdString(s.appVersion);
      case Models: return models;
      case Prompts: return static_cast<qlonglong>(s.prompts);
      case ApiCalls: return static_cast<qlonglong>(s.apiRequests);
      case Tools: return static_cast<qlonglong>(s.toolCalls);
      case Errors: return static_cast<qlonglong>(s.errors);
      case Tokens: return fmt::tokens(s.tokens.total());
      case Cost: return fmt::cost(s.costUsd);
      case SessionId: return QString::fromStdString(s.sessionId);
    }
  }
  if (role == Qt::TextAlignmentRole) {
    switch (index.column()) {
      case Prompts: case ApiCalls: case Tools: case Errors: case Tokens: case Cost: case Duration:
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
      default: return QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    }
  }
  if (role == Qt::ForegroundRole && index.column() == Errors && s.errors > 0) return QBrush(QColor(0xd0, 0x3a, 0x2f));
  if (role == Qt::ToolTipRole) {
    return tr("Session %1\nUser %2\n%3 events, %4 prompts, %5 API calls (%6 errors), %7 tool calls (%8 failed, %9 "
              "rejected)\nTokens: %10 in, %11 out, %12 cache read, %13 cache creation\nCost %14")
        .arg(QString::fromStdString(s.sessionId), QString::fromStdString(s.userId))
        .arg(s.events).arg(s.prompts).arg(s.apiRequests).arg(s.apiErrors).arg(s.toolCalls).arg(s.toolFailures)
        .arg(s.toolRejections)
        .arg(fmt::tokens(s.tokens.input), fmt::tokens(s.tokens.output), fmt::tokens(s.tokens.cacheRead),
             fmt::tokens(s.tokens.cacheCreation), fmt::cost(s.costUsd));
  }
  return {};
}

void SessionsModel::setSessions(std::vector<data::SessionSummary> sessions) {
  std::unordered_map<std::string, std::size_t> incoming;
  for (std::size_t i = 0; i < sessions.size(); ++i) incoming.emplace(sessions[i].sessionId, i);
  // Remove rows that are gone, from the bottom so indices stay valid.
  for (int r = static_cast<int>(rows_.size()) - 1; r >= 0; --r) {
    if (incoming.count(rows_[static_cast<std::size_t>(r)].sessionId)) continue;
    beginRemoveRows({}, r, r);
    rows_.erase(rows_.begin() + r);
    endRemoveRows();
  }
  std::unordered_map<std::string, int> present;
  for (int r = 0; r < static_cast<int>(rows_.size()); ++r) present.emplace(rows_[static_cast<std::size_t>(r)].sessionId, r);
  std::vector<data::SessionSummary> added;
  for (auto& s : sessions) {
    auto it = present.find(s.sessionId);
    if (it == present.end()) {
      added.push_back(std::move(s));
      continue;
    }
    data::SessionSummary& row = rows_[static_cast<std::size_t>(it->second)];
    if (!sameRow(row, s)) {
      row = std::move(s);
      Q_EMIT dataChanged(index(it->second, 0), index(it->second, ColumnCount - 1));
    }
  }
  if (!added.empty()) {
    const int first = static_cast<int>(rows_.size());
    beginInsertRows({}, first, first + static_cast<int>(added.size()) - 1);
    for (auto& s : added) rows_.push_back(std::move(s));
    endInsertRows();
  }
}

const data::SessionSummary* SessionsModel::session(int row) const {
  return row >= 0 && row < rowCount() ? &rows_[static_cast<std::size_t>(row)] : nullptr;
}

int SessionsModel::rowOf(const QString& sessionId) const {
  const std::string id = sessionId.toStdString();
  for (std::size_t i = 0; i < rows_.size(); ++i)
    if (rows_[i].sessionId == id) return static_cast<int>(i);
  return -1;
}

}  // namespace cctv::ui
