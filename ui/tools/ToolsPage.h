#pragma once
// The Tools & errors page: per-tool call statistics and the failed API calls of the selected range. Activating a
// row asks the main window to show the matching events (showEvents), so a number leads straight to its events.

#include <QString>
#include <QWidget>
#include <cstdint>
#include <vector>

#include "query/Data.h"

class QLabel;
class QSortFilterProxyModel;
class QStackedWidget;
class QTableView;

namespace cctv::ui {

class ApiErrorModel;
class RangeSelector;
class ToolStatsModel;

class ToolsPage : public QWidget {
  Q_OBJECT

 public:
  explicit ToolsPage(QWidget* parent = nullptr);

  void setToolStats(std::vector<data::ToolStats> stats);
  void setApiErrors(std::vector<data::ApiErrorStats> errors);

  RangeSelector* rangeSelector() const { return range_; }
  ToolStatsModel* toolModel() const { return toolModel_; }
  ApiErrorModel* errorModel() const { return errorModel_; }
  QTableView* toolTable() const { return toolTable_; }
  QTableView* errorTable() const { return errorTable_; }
  // True while the tools (errors) section shows its empty state instead of the table.
  bool toolsEmptyShown() const;
  bool errorsEmptyShown() const;

 Q_SIGNALS:
  void rangeChanged(std::int64_t fromNs, std::int64_t toNs);
  // A tool row: ("tool_result", tool name). An API error row: (its event name, "").
  void showEvents(QString eventName, QString toolName);

 private:
  QTableView* makeTable(QSortFilterProxyModel* proxy, int sortColumn);
  void updateSummaries();

  RangeSelector* range_ = nullptr;
  ToolStatsModel* toolModel_ = nullptr;
  ApiErrorModel* errorModel_ = nullptr;
  QSortFilterProxyModel* toolProxy_ = nullptr;
  QSortFilterProxyModel* errorProxy_ = nullptr;
  QTableView* toolTable_ = nullptr;
  QTableView* errorTable_ = nullptr;
  QStackedWidget* toolStack_ = nullptr;
  QStackedWidget* errorStack_ = nullptr;
  QLabel* toolSummary_ = nullptr;
  QLabel* errorSummary_ = nullptr;
};

}  // namespace cctv::ui
