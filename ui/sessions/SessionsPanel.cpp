#include "sessions/SessionsPanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QStackedLayout>
#include <QMenu>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include "sessions/SessionsModel.h"

namespace cctv::ui {

SessionsPanel::SessionsPanel(QWidget* parent) : QWidget(parent) {
  model_ = new SessionsModel(this);
  proxy_ = new QSortFilterProxyModel(this);
  proxy_->setSourceModel(model_);
  proxy_->setSortRole(SessionsModel::SortRole);

  search_ = new QLineEdit(this);
  search_->setPlaceholderText(tr("Filter sessions (id, user, terminal, model)"));
  search_->setClearButtonEnabled(true);
  range_ = new QComboBox(this);
  range_->addItems({tr("Any time"), tr("Today"), tr("Last 7 days"), tr("Last 30 days"), tr("Custom…")});
  auto dateEdit = [this](const QDateTime& v) {
    auto* e = new QDateTimeEdit(v, this);
    e->setCalendarPopup(true);
    e->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm"));
    e->setVisible(false);
    return e;
  };
  const QDateTime now = QDateTime::currentDateTime();
  from_ = dateEdit(now.addDays(-7));
  to_ = dateEdit(now);
  from_->setToolTip(tr("Sessions active at or after this time"));
  to_->setToolTip(tr("Sessions that started at or before this time"));
  modelBox_ = new QComboBox(this);
  modelBox_->addItem(tr("All models"));
  modelBox_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  errorsOnly_ = new QCheckBox(tr("Has errors"), this);

  view_ = new QTableView(this);
  view_->setModel(proxy_);
  view_->setSortingEnabled(true);
  view_->sortByColumn(SessionsModel::Start, Qt::DescendingOrder);
  view_->setSelectionBehavior(QAbstractItemView::SelectRows);
  view_->setSelectionMode(QAbstractItemView::SingleSelection);
  view_->setAlternatingRowColors(true);
  view_->verticalHeader()->hide();
  view_->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 8);
  view_->horizontalHeader()->setStretchLastSection(true);
  view_->horizontalHeader()->setSectionsMovable(true);
  view_->setWordWrap(false);
  view_->setColumnHidden(SessionsModel::Terminal, true);
  view_->setColumnHidden(SessionsModel::Tokens, true);

  empty_ = new QLabel(tr("No sessions yet.\n\nPoint Claude Code at this receiver (Help → Set up Claude Code)\n"
                         "and its sessions appear here as they run."),
                      this);
  empty_->setAlignment(Qt::AlignCenter);
  empty_->setWordWrap(true);
  empty_->setEnabled(false);

  auto* stack = new QStackedLayout;
  stack->addWidget(view_);
  stack->addWidget(empty_);

  auto* bar = new QHBoxLayout;
  bar->setContentsMargins(0, 0, 0, 0);
  bar->addWidget(range_);
  bar->addWidget(from_);
  bar->addWidget(to_);
  bar->addWidget(modelBox_);
  bar->addWidget(errorsOnly_);
  bar->addStretch();
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addWidget(search_);
  layout->addLayout(bar);
  layout->addLayout(stack);

  debounce_ = new QTimer(this);
  debounce_->setSingleShot(true);
  debounce_->setInterval(300);  // typing: one query when the user pauses, not one per key
  connect(debounce_, &QTimer::timeout, this, &SessionsPanel::filterChanged);
  connect(search_, &QLineEdit::textChanged, debounce_, qOverload<>(&QTimer::start));
  connect(range_, &QComboBox::currentIndexChanged, this, [this](int i) {
    from_->setVisible(i == 4);
    to_->setVisible(i == 4);
    Q_EMIT filterChanged();
  });
  connect(from_, &QDateTimeEdit::dateTimeChanged, debounce_, qOverload<>(&QTimer::start));
  connect(to_, &QDateTimeEdit::dateTimeChanged, debounce_, qOverload<>(&QTimer::start));
  connect(modelBox_, &QComboBox::currentIndexChanged, this, &SessionsPanel::filterChanged);
  connect(errorsOnly_, &QCheckBox::toggled, this, &SessionsPanel::filterChanged);
  connect(view_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& cur) {
    const QString id = cur.data(SessionsModel::SessionIdRole).toString();
    if (id.isEmpty() || id == selected_) return;
    selected_ = id;
    Q_EMIT sessionSelected(id);
  });
  view_->setContextMenuPolicy(Qt::CustomContextMenu);
  connect(view_, &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
    const QModelIndex idx = view_->indexAt(pos);
    const data::SessionSummary* s = idx.isValid() ? model_->session(proxy_->mapToSource(idx).row()) : nullptr;
    if (!s || !deleteEnabled_) return;
    const data::SessionSummary session = *s;  // the model may change while the menu is open
    QMenu menu(this);
    menu.addAction(tr("Delete session…"), this, [this, session] { Q_EMIT deleteRequested(session); });
    menu.exec(view_->viewport()->mapToGlobal(pos));
  });
  connect(model_, &QAbstractItemModel::rowsInserted, this, [this, stack] {
    stack->setCurrentWidget(model_->rowCount() ? static_cast<QWidget*>(view_) : empty_);
  });
  connect(model_, &QAbstractItemModel::rowsRemoved, this, [this, stack] {
    stack->setCurrentWidget(model_->rowCount() ? static_cast<QWidget*>(view_) : empty_);
  });
  stack->setCurrentWidget(empty_);
}

data::SessionFilter SessionsPanel::filter(std::int64_t nowNs) const {
  data::SessionFilter f;
  f.text = search_->text().trimmed().toStdString();
  constexpr std::int64_t day = 86400LL * 1000000000LL;
  switch (range_->currentIndex()) {
    case 1: f.fromNs = nowNs - nowNs % day; break;
    case 2: f.fromNs = nowNs - 7 * day; break;
    case 3: f.fromNs = nowNs - 30 * day; break;
    case 4:
      f.fromNs = from_->dateTime().toMSecsSinceEpoch() * 1000000;
      f.toNs = to_->dateTime().toMSecsSinceEpoch() * 1000000;
      break;
    default: break;
  }
  if (modelBox_->currentIndex() > 0) f.model = modelBox_->currentText().toStdString();
  f.onlyWithErrors = errorsOnly_->isChecked();
  return f;
}

void SessionsPanel::setSessions(std::vector<data::SessionSummary> sessions) {
  const bool first = model_->rowCount() == 0;
  model_->setSessions(std::move(sessions));
  if (first && model_->rowCount() > 0) {
    // Size the columns to their content once; after that the user's widths stay.
    view_->resizeColumnsToContents();
    view_->setColumnWidth(SessionsModel::Models, std::min(view_->columnWidth(SessionsModel::Models), 200));
  }
  if (!selected_.isEmpty()) selectSession(selected_);
}

void SessionsPanel::setModels(const std::vector<std::string>& models) {
  const QString current = modelBox_->currentText();
  QStringList names;
  for (const auto& m : models) names << QString::fromStdString(m);
  QStringList have;
  for (int i = 1; i < modelBox_->count(); ++i) have << modelBox_->itemText(i);
  if (have == names) return;
  QSignalBlocker block(modelBox_);
  modelBox_->clear();
  modelBox_->addItem(tr("All models"));
  modelBox_->addItems(names);
  modelBox_->setCurrentText(current);
}

QString SessionsPanel::currentSessionId() const { return selected_; }

void SessionsPanel::setCustomRange(const QDateTime& from, const QDateTime& to) {
  from_->setDateTime(from);
  to_->setDateTime(to);
  range_->setCurrentIndex(4);
}

void SessionsPanel::selectSession(const QString& sessionId) {
  const int row = model_->rowOf(sessionId);
  if (row < 0) return;
  const QModelIndex idx = proxy_->mapFromSource(model_->index(row, 0));
  if (view_->currentIndex().row() == idx.row()) return;
  selected_ = sessionId;
  QSignalBlocker block(view_->selectionModel());
  view_->selectionModel()->setCurrentIndex(idx, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
}

}  // namespace cctv::ui
