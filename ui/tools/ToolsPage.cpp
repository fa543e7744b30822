#include "tools/ToolsPage.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>

#include "costs/PageFormat.h"
#include "costs/RangeSelector.h"
#include "tools/ApiErrorModel.h"
#include "tools/RatioBarDelegate.h"
#include "tools/ToolStatsModel.h"

namespace cctv::ui {
namespace {

QLabel* sectionTitle(const QString& text, QWidget* parent) {
  auto* label = new QLabel(text, parent);
  QFont font = label->font();
  font.setBold(true);
  font.setPointSizeF(font.pointSizeF() * 1.15);
  label->setFont(font);
  return label;
}

// Framed like the table it replaces, so the page keeps its shape when a section has nothing to show.
QWidget* emptyState(const QString& title, const QString& hint, const QString& name, QWidget* parent) {
  auto* widget = new QFrame(parent);
  widget->setObjectName(name);
  widget->setFrameShape(QFrame::StyledPanel);
  widget->setBackgroundRole(QPalette::Base);
  widget->setAutoFillBackground(true);
  auto* headline = new QLabel(title, widget);
  QFont font = headline->font();
  font.setBold(true);
  font.setPointSizeF(font.pointSizeF() * 1.25);
  headline->setFont(font);
  headline->setAlignment(Qt::AlignCenter);
  auto* detail = new QLabel(hint, widget);
  detail->setAlignment(Qt::AlignCenter);
  detail->setWordWrap(true);
  detail->setForegroundRole(QPalette::PlaceholderText);
  auto* layout = new QVBoxLayout(widget);
  layout->addStretch(1);
  layout->addWidget(headline);
  layout->addWidget(detail);
  layout->addStretch(1);
  return widget;
}

// A section: bold title with a one-line summary on the right, then the table or its empty state.
QWidget* section(QLabel* title, QLabel* summary, QStackedWidget* stack, QWidget* parent) {
  auto* widget = new QWidget(parent);
  summary->setForegroundRole(QPalette::PlaceholderText);
  auto* header = new QHBoxLayout;
  header->addWidget(title);
  header->addStretch(1);
  header->addWidget(summary);
  auto* layout = new QVBoxLayout(widget);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(6);
  layout->addLayout(header);
  layout->addWidget(stack, 1);
  return widget;
}

}  // namespace

ToolsPage::ToolsPage(QWidget* parent)
    : QWidget(parent),
      range_(new RangeSelector(this)),
      toolModel_(new ToolStatsModel(this)),
      errorModel_(new ApiErrorModel(this)),
      toolProxy_(new QSortFilterProxyModel(this)),
      errorProxy_(new QSortFilterProxyModel(this)),
      toolStack_(new QStackedWidget(this)),
      errorStack_(new QStackedWidget(this)),
      toolSummary_(new QLabel(this)),
      errorSummary_(new QLabel(this)) {
  toolProxy_->setSourceModel(toolModel_);
  errorProxy_->setSourceModel(errorModel_);
  toolTable_ = makeTable(toolProxy_, ToolStatsModel::Calls);
  toolTable_->setObjectName(QStringLiteral("toolTable"));
  toolTable_->setItemDelegateForColumn(ToolStatsModel::Success,
                                       new RatioBarDelegate(ToolStatsModel::RatioRole, toolTable_));
  errorTable_ = makeTable(errorProxy_, ApiErrorModel::Count);
  errorTable_->setObjectName(QStringLiteral("errorTable"));
  toolSummary_->setObjectName(QStringLiteral("toolSummary"));
  errorSummary_->setObjectName(QStringLiteral("errorSummary"));

  toolStack_->addWidget(toolTable_);
  toolStack_->addWidget(emptyState(tr("No tool calls yet"),
                                   tr("Tool calls appear here when Claude Code runs a tool (tool_result and "
                                      "tool_decision events)."),
                                   QStringLiteral("toolsEmptyState"), this));
  errorStack_->addWidget(errorTable_);
  errorStack_->addWidget(emptyState(tr("No API errors in this range"),
                                    tr("api_error, api_retries_exhausted and api_refusal events are counted here."),
                                    QStringLiteral("errorsEmptyState"), this));

  QHBoxLayout* header = rangePageHeader(tr("Tools & errors"), range_, this);

  auto* splitter = new QSplitter(Qt::Vertical, this);
  splitter->setChildrenCollapsible(false);
  splitter->addWidget(section(sectionTitle(tr("Tools"), this), toolSummary_, toolStack_, splitter));
  splitter->addWidget(section(sectionTitle(tr("API errors"), this), errorSummary_, errorStack_, splitter));
  splitter->setStretchFactor(0, 3);
  splitter->setStretchFactor(1, 2);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(16, 12, 16, 16);
  layout->setSpacing(10);
  layout->addLayout(header);
  layout->addWidget(splitter, 1);

  QHeaderView* toolHeader = toolTable_->horizontalHeader();
  toolHeader->setSectionResizeMode(ToolStatsModel::Tool, QHeaderView::Interactive);
  toolTable_->setColumnWidth(ToolStatsModel::Tool, 200);
  toolTable_->setColumnWidth(ToolStatsModel::Success, 140);
  QHeaderView* errorHeader = errorTable_->horizontalHeader();
  errorTable_->setColumnWidth(ApiErrorModel::Event, 190);
  errorTable_->setColumnWidth(ApiErrorModel::Model, 190);
  errorHeader->setSectionResizeMode(ApiErrorModel::Status, QHeaderView::ResizeToContents);
  errorHeader->setSectionResizeMode(ApiErrorModel::Count, QHeaderView::ResizeToContents);

  connect(range_, &RangeSelector::rangeChanged, this, &ToolsPage::rangeChanged);
  connect(toolTable_, &QAbstractItemView::activated, this, [this](const QModelIndex& index) {
    const QModelIndex source = toolProxy_->mapToSource(index);
    if (!source.isValid()) return;
    Q_EMIT showEvents(QStringLiteral("tool_result"), QString::fromStdString(toolModel_->rowAt(source.row()).toolName));
  });
  connect(errorTable_, &QAbstractItemView::activated, this, [this](const QModelIndex& index) {
    const QModelIndex source = errorProxy_->mapToSource(index);
    if (!source.isValid()) return;
    Q_EMIT showEvents(QString::fromStdString(errorModel_->rowAt(source.row()).eventName), QString());
  });
  updateSummaries();
}

QTableView* ToolsPage::makeTable(QSortFilterProxyModel* proxy, int sortColumn) {
  proxy->setSortRole(ToolStatsModel::SortRole);
  proxy->setSortCaseSensitivity(Qt::CaseInsensitive);
  auto* table = new QTableView(this);
  table->setModel(proxy);
  table->setSortingEnabled(true);
  table->sortByColumn(sortColumn, Qt::DescendingOrder);
  table->setSelectionBehavior(QAbstractItemView::SelectRows);
  table->setSelectionMode(QAbstractItemView::SingleSelection);
  table->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table->setAlternatingRowColors(true);
  table->setShowGrid(false);
  table->setWordWrap(false);
  table->setTextElideMode(Qt::ElideRight);
  table->verticalHeader()->hide();
  table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 12);
  table->horizontalHeader()->setStretchLastSection(true);
  table->horizontalHeader()->setDefaultSectionSize(90);
  table->horizontalHeader()->setHighlightSections(false);
  return table;
}

void ToolsPage::setToolStats(std::vector<data::ToolStats> stats) {
  toolModel_->setRows(std::move(stats));
  updateSummaries();
}

void ToolsPage::setApiErrors(std::vector<data::ApiErrorStats> errors) {
  errorModel_->setRows(std::move(errors));
  updateSummaries();
}

bool ToolsPage::toolsEmptyShown() const { return toolStack_->currentIndex() == 1; }
bool ToolsPage::errorsEmptyShown() const { return errorStack_->currentIndex() == 1; }

void ToolsPage::updateSummaries() {
  std::int64_t calls = 0, successes = 0, failures = 0, rejections = 0;
  for (const data::ToolStats& tool : toolModel_->rows()) {
    calls += tool.calls;
    successes += tool.successes;
    failures += tool.failures;
    rejections += tool.rejections;
  }
  const QLocale locale;
  const double ratio =
      successes + failures > 0 ? static_cast<double>(successes) / static_cast<double>(successes + failures) : -1;
  toolSummary_->setText(tr("%1 calls · %2 succeeded · %3 rejected · double-click a row for its events")
                            .arg(locale.toString(static_cast<qlonglong>(calls)), pagefmt::percent(ratio),
                                 locale.toString(static_cast<qlonglong>(rejections))));
  toolStack_->setCurrentIndex(toolModel_->rowCount() == 0 ? 1 : 0);

  std::int64_t errors = 0;
  for (const data::ApiErrorStats& error : errorModel_->rows()) errors += error.count;
  errorSummary_->setText(tr("%1 failed API calls").arg(locale.toString(static_cast<qlonglong>(errors))));
  errorStack_->setCurrentIndex(errorModel_->rowCount() == 0 ? 1 : 0);
  toolSummary_->setVisible(toolModel_->rowCount() > 0);
  errorSummary_->setVisible(errorModel_->rowCount() > 0);
}

}  // namespace cctv::ui
