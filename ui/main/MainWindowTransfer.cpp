// The main window's import/export wiring: File menu entries, the sessions list's, the prompts table's, the
// trace's and the events table's context menus. The work itself is DataTransfer's.

#include <QMenu>
#include <QTableView>

#include "events/EventsModel.h"
#include "events/EventsPanel.h"
#include "io/DataTransfer.h"
#include "main/MainWindow.h"
#include "prompts/PromptsModel.h"
#include "trace/TraceWidget.h"
#include "sessions/SessionsModel.h"
#include "sessions/SessionsPanel.h"

namespace cctv::ui {

void MainWindow::buildTransferMenus(QMenu* file) {
  model::NormalizeOptions normalize;
  normalize.redactContent = options_.redact;
  transfer_ = new DataTransfer(this, options_.dbPath, options_.writer, normalize);
  file->addAction(transfer_->importAction());

  QMenu* exportMenu = file->addMenu(tr("&Export session"));
  QAction* asOtlp = exportMenu->addAction(tr("As &OTLP JSON Lines…"), this, [this] {
    transfer_->exportSession(session_, DataTransfer::SessionFormat::OtlpJson);
  });
  asOtlp->setShortcut(QKeySequence(QStringLiteral("Ctrl+E")));
  QAction* asCsv = exportMenu->addAction(
      tr("As &CSV…"), this, [this] { transfer_->exportSession(session_, DataTransfer::SessionFormat::Csv); });
  QAction* eventsCsv = file->addAction(tr("Export &filtered events as CSV…"), this,
                                       [this] { transfer_->exportEvents(events_->model()->query()); });
  auto enable = [this, asOtlp, asCsv, eventsCsv] {
    asOtlp->setEnabled(!session_.isEmpty());
    asCsv->setEnabled(!session_.isEmpty());
    eventsCsv->setEnabled(events_->model()->total() > 0);
  };
  connect(file, &QMenu::aboutToShow, this, enable);
  connect(exportMenu, &QMenu::aboutToShow, this, enable);
  file->addSeparator();

  QTableView* list = sessions_->view();
  list->setContextMenuPolicy(Qt::CustomContextMenu);
  connect(list, &QWidget::customContextMenuRequested, this, [this, list](const QPoint& pos) {
    const QString id = list->indexAt(pos).data(SessionsModel::SessionIdRole).toString();
    if (id.isEmpty()) return;
    QMenu menu(this);
    menu.addAction(tr("Export session as OTLP JSON Lines…"), this,
                   [this, id] { transfer_->exportSession(id, DataTransfer::SessionFormat::OtlpJson); });
    menu.addAction(tr("Export session as CSV…"), this,
                   [this, id] { transfer_->exportSession(id, DataTransfer::SessionFormat::Csv); });
    menu.exec(list->viewport()->mapToGlobal(pos));
  });

  // One prompt, from the prompts table (the row under the mouse) and from its trace (the prompt shown).
  auto promptMenu = [this](const QString& id, QWidget* on, const QPoint& pos) {
    if (id.isEmpty()) return;
    QMenu menu(this);
    menu.addAction(tr("Export prompt as OTLP JSON Lines…"), this,
                   [this, id] { transfer_->exportPrompt(id, DataTransfer::SessionFormat::OtlpJson); });
    menu.addAction(tr("Export prompt as CSV…"), this,
                   [this, id] { transfer_->exportPrompt(id, DataTransfer::SessionFormat::Csv); });
    menu.exec(on->mapToGlobal(pos));
  };
  prompts_->setContextMenuPolicy(Qt::CustomContextMenu);
  connect(prompts_, &QWidget::customContextMenuRequested, this, [this, promptMenu](const QPoint& pos) {
    promptMenu(prompts_->indexAt(pos).data(PromptsModel::PromptIdRole).toString(), prompts_->viewport(), pos);
  });
  trace_->setContextMenuPolicy(Qt::CustomContextMenu);
  connect(trace_, &QWidget::customContextMenuRequested, this,
          [this, promptMenu](const QPoint& pos) { promptMenu(prompt_, trace_->viewport(), pos); });

  QTableView* table = events_->view();
  table->setContextMenuPolicy(Qt::CustomContextMenu);
  connect(table, &QWidget::customContextMenuRequested, this, [this, table](const QPoint& pos) {
    QMenu menu(this);
    QAction* a = menu.addAction(tr("Export these events as CSV…"), this,
                                [this] { transfer_->exportEvents(events_->model()->query()); });
    a->setEnabled(events_->model()->total() > 0);
    menu.exec(table->viewport()->mapToGlobal(pos));
  });
}

}  // namespace cctv::ui
