#pragma once
// A session's prompts, one row each, in the order they started. Live updates arrive as the whole list again
// (the query is cheap); the model updates in place: rows whose prompt is already shown get dataChanged when
// their numbers moved, new prompts are appended, and only a different list resets. So selection and scroll
// position survive, and a session with thousands of prompts costs no widget items and no per-tick relayout.

#include <QAbstractTableModel>

#include <vector>

#include "query/Data.h"

namespace cctv::ui {

class PromptsModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { Number, Started, Prompt, Duration, ApiCalls, Tools, Tokens, Cost, ColumnCount };
  static constexpr int PromptIdRole = Qt::UserRole + 1;

  explicit PromptsModel(QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

  void setPrompts(std::vector<data::PromptSummary> prompts);
  const std::vector<data::PromptSummary>& prompts() const { return rows_; }
  int rowOf(const std::string& promptId) const;  // -1: none
  // The row with the most events (the busiest prompt), -1 when empty.
  int busiestRow() const;

  // What the Prompt column shows: the text, "/command", or a note when no user_prompt event arrived.
  static QString promptText(const data::PromptSummary& p);

 private:
  std::vector<data::PromptSummary> rows_;
};

}  // namespace cctv::ui
