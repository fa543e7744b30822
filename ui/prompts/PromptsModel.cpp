#include "prompts/PromptsModel.h"

#include "Format.h"

namespace cctv::ui {

namespace {

bool sameNumbers(const data::PromptSummary& a, const data::PromptSummary& b) {
  return a.firstNs == b.firstNs && a.lastNs == b.lastNs && a.text == b.text && a.commandName == b.commandName &&
         a.events == b.events && a.apiRequests == b.apiRequests && a.toolCalls == b.toolCalls &&
         a.tokens.total() == b.tokens.total() && a.costUsd == b.costUsd;
}

}  // namespace

PromptsModel::PromptsModel(QObject* parent) : QAbstractTableModel(parent) {}

int PromptsModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int PromptsModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QString PromptsModel::promptText(const data::PromptSummary& p) {
  QString text = p.commandName.empty() ? QString::fromStdString(p.text) : QStringLiteral("/") + QString::fromStdString(p.commandName);
  return text.isEmpty() ? tr("(no user_prompt event)") : text.simplified();
}

QVariant PromptsModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount() || index.column() >= ColumnCount) return {};
  const data::PromptSummary& p = rows_[static_cast<std::size_t>(index.row())];
  if (role == PromptIdRole) return QString::fromStdString(p.promptId);
  if (role == Qt::TextAlignmentRole)
    return index.column() == Prompt || index.column() == Started ? QVariant(Qt::AlignLeft | Qt::AlignVCenter)
                                                                 : QVariant(Qt::AlignRight | Qt::AlignVCenter);
  if (role == Qt::ToolTipRole && index.column() == Prompt) return QString::fromStdString(p.text).left(2000);
  if (role != Qt::DisplayRole) return {};
  switch (index.column()) {
    case Number: return index.row() + 1;
    case Started: return fmt::timeOfDay(p.firstNs);
    case Prompt: return promptText(p);
    case Duration: return fmt::durationNs(p.lastNs - p.firstNs);
    case ApiCalls: return static_cast<qlonglong>(p.apiRequests);
    case Tools: return static_cast<qlonglong>(p.toolCalls);
    case Tokens: return fmt::tokens(p.tokens.total());
    case Cost: return fmt::cost(p.costUsd);
    default: return {};
  }
}

QVariant PromptsModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  static const char* names[] = {"#", "Started", "Prompt", "Duration", "API calls", "Tools", "Tokens", "Cost"};
  return section >= 0 && section < ColumnCount ? tr(names[section]) : QVariant();
}

void PromptsModel::setPrompts(std::vector<data::PromptSummary> prompts) {
  // The same list, possibly grown: update in place and append. Anything else: reset.
  bool prefix = prompts.size() >= rows_.size();
  for (std::size_t i = 0; prefix && i < rows_.size(); ++i) prefix = rows_[i].promptId == prompts[i].promptId;
  if (!prefix) {
    beginResetModel();
    rows_ = std::move(prompts);
    endResetModel();
    return;
  }
  const std::size_t old = rows_.size();
  for (std::size_t i = 0; i < old; ++i) {
    if (sameNumbers(rows_[i], prompts[i])) continue;
    rows_[i] = prompts[i];
    Q_EMIT dataChanged(index(static_cast<int>(i), 0), index(static_cast<int>(i), ColumnCount - 1));
  }
  if (prompts.size() > old) {
    beginInsertRows({}, static_cast<int>(old), static_cast<int>(prompts.size()) - 1);
    rows_.insert(rows_.end(), std::make_move_iterator(prompts.begin() + static_cast<std::ptrdiff_t>(old)),
                 std::make_move_iterator(prompts.end()));
    endInsertRows();
  }
}

int PromptsModel::rowOf(const std::string& promptId) const {
  for (std::size_t i = 0; i < rows_.size(); ++i)
    if (rows_[i].promptId == promptId) return static_cast<int>(i);
  return -1;
}

int PromptsModel::busiestRow() const {
  int best = -1;
  for (std::size_t i = 0; i < rows_.size(); ++i)
    if (best < 0 || rows_[i].events > rows_[static_cast<std::size_t>(best)].events) best = static_cast<int>(i);
  return best;
}

}  // namespace cctv::ui
