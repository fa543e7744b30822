#pragma once
// One row per tool: calls, success rate, failures, p50/p95 duration, permission rejections and who rejected.

#include "query/Data.h"
#include "tools/KeyedRowsModel.h"

namespace cctv::ui {

class ToolStatsModel : public KeyedRowsModel<data::ToolStats> {
  Q_OBJECT

 public:
  enum Column { Tool, Calls, Success, Failures, P50, P95, Rejections, RejectedBy, ColumnCount };
  // The success ratio 0..1 (-1 without calls) for the inline bar.
  static constexpr int RatioRole = Qt::UserRole + 1;

  explicit ToolStatsModel(QObject* parent = nullptr);

  int columnCount(const QModelIndex& parent = QModelIndex()) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

  // successes / (successes + failures), or -1 when the tool never finished a call.
  static double successRatio(const data::ToolStats& stats);
  // "config 2, user_reject 1": most frequent source first.
  static QString rejectedBy(const data::ToolStats& stats);

 protected:
  QString key(const data::ToolStats& row) const override;
};

}  // namespace cctv::ui
