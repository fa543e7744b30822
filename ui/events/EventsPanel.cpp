#include "events/EventsPanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include "events/EventsModel.h"
#include "query/Reader.h"

namespace cctv::ui {

EventsPanel::EventsPanel(QueryRunner* runner, QWidget* parent) : QWidget(parent) {
  model_ = new EventsModel(runner, this);
  columns_ = query::Reader::defaultEventColumns();
  allSessions_ = new QCheckBox(tr("All sessions"), this);
  names_ = new QComboBox(this);
  names_->addItem(tr("All events"));
  names_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  search_ = new QLineEdit(this);
  search_->setPlaceholderText(tr("Search attributes, prompts, tool input, errors…"));
  search_->setClearButtonEnabled(true);
  count_ = new QLabel(this);
  view_ = new QTableView(this);
  view_->setModel(model_);
  view_->setSortingEnabled(true);
  view_->horizontalHeader()->setSortIndicator(0, Qt::AscendingOrder);
  view_->setSelectionBehavior(QAbstractItemView::SelectRows);
  view_->setSelectionMode(QAbstractItemView::SingleSelection);
  view_->setAlternatingRowColors(true);
  view_->setWordWrap(false);
  view_->verticalHeader()->hide();
  view_->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
  view_->horizontalHeader()->setContextMenuPolicy(Qt::CustomContextMenu);
  view_->horizontalHeader()->setToolTip(tr("Right-click to choose columns"));
  view_->horizontalHeader()->setDefaultSectionSize(110);

  auto* bar = new QHBoxLayout;
  bar->setContentsMargins(0, 0, 0, 0);
  bar->addWidget(names_);
  bar->addWidget(search_, 1);
  bar->addWidget(allSessions_);
  bar->addWidget(count_);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addLayout(bar);
  layout->addWidget(view_);

  debounce_ = new QTimer(this);
  debounce_->setSingleShot(true);
  debounce_->setInterval(300);
  connect(debounce_, &QTimer::timeout, this, &EventsPanel::apply);
  connect(search_, &QLineEdit::textChanged, debounce_, qOverload<>(&QTimer::start));
  connect(names_, &QComboBox::currentIndexChanged, this, &EventsPanel::apply);
  connect(allSessions_, &QCheckBox::toggled, this, &EventsPanel::apply);
  connect(view_->horizontalHeader(), &QHeaderView::customContextMenuRequested, this, &EventsPanel::chooseColumns);
  connect(model_, &QAbstractItemModel::dataChanged, this, [this] {
    if (sized_) return;
    sized_ = true;  // fit the columns to the first page once per column set
    view_->resizeColumnsToContents();
    for (int c = 0; c < model_->columnCount(); ++c) view_->setColumnWidth(c, std::min(view_->columnWidth(c), 320));
  });
  connect(model_, &EventsModel::totalChanged, this, [this](qint64 n) {
    count_->setText(model_->totalCapped() ? tr("%1+ events (search stops counting there)").arg(QLocale::system().toString(n))
                                          : tr("%1 events").arg(QLocale::system().toString(n)));
  });
  connect(model_, &QAbstractItemModel::modelReset, this, [this] { count_->setText(tr("…")); });
  connect(view_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& cur) {
    const QVariant id = cur.siblingAtColumn(0).data(EventsModel::EventIdRole);
    if (id.isValid()) Q_EMIT eventSelected(id.toLongLong());
  });
}

void EventsPanel::setSession(const QString& sessionId) {
  if (sessionId == session_) return;
  session_ = sessionId;
  if (!allSessions_->isChecked()) apply();
}

void EventsPanel::setEventNames(const std::vector<std::string>& names) {
  QStringList list;
  for (const auto& n : names) list << QString::fromStdString(n);
  QStringList have;
  for (int i = 1; i < names_->count(); ++i) have << names_->itemText(i);
  if (have == list) return;
  const QString current = names_->currentText();
  QSignalBlocker block(names_);
  names_->clear();
  names_->addItem(tr("All events"));
  names_->addItems(list);
  names_->setCurrentText(current);
}

void EventsPanel::showEvents(const QString& eventName, const QString& search) {
  QSignalBlocker b1(names_), b2(allSessions_), b3(search_);
  if (names_->findText(eventName) < 0) names_->addItem(eventName);
  names_->setCurrentText(eventName);
  allSessions_->setChecked(true);
  search_->setText(search);
  apply();
}

void EventsPanel::refresh() { model_->refresh(); }

void EventsPanel::apply() {
  data::EventQuery q = model_->query();
  q.sessionId = allSessions_->isChecked() ? std::string() : session_.toStdString();
  q.eventName = names_->currentIndex() > 0 ? names_->currentText().toStdString() : std::string();
  q.search = search_->text().trimmed().toStdString();
  q.columns = columns_;
  q.offset = 0;
  if (!allSessions_->isChecked() && session_.isEmpty()) q.sessionId = "\x01 none";  // nothing selected yet
  if (q.columns != model_->query().columns) sized_ = false;
  model_->setQuery(q);
}

void EventsPanel::chooseColumns(const QPoint& pos) {
  QMenu menu(this);
  for (const std::string& c : query::Reader::eventColumns()) {
    if (c == "id") continue;
    QAction* a = menu.addAction(QString::fromStdString(c));
    a->setCheckable(true);
    a->setChecked(std::find(columns_.begin(), columns_.end(), c) != columns_.end());
    a->setData(QString::fromStdString(c));
  }
  menu.addSeparator();
  QAction* reset = menu.addAction(tr("Default columns"));
  QAction* chosen = menu.exec(view_->horizontalHeader()->mapToGlobal(pos));
  if (!chosen) return;
  if (chosen == reset) {
    columns_ = query::Reader::defaultEventColumns();
  } else {
    const std::string c = chosen->data().toString().toStdString();
    auto it = std::find(columns_.begin(), columns_.end(), c);
    if (it != columns_.end()) {
      if (columns_.size() > 1) columns_.erase(it);
    } else {
      columns_.push_back(c);
    }
  }
  apply();
}

}  // namespace cctv::ui
