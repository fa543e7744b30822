#include "main/MainWindow.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDateTime>
#include <QDockWidget>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

#include "Format.h"
#include "costs/CostsPage.h"
#include "data/QueryRunner.h"
#include "events/EventsPanel.h"
#include "ingest/IngestPage.h"
#include "ingest/SetupDialog.h"
#include "inspector/Inspector.h"
#include "main/DatabaseActions.h"
#include "metrics/MetricBuckets.h"
#include "metrics/MetricsPage.h"
#include "prompts/PromptsModel.h"
#include "metrics/MetricsText.h"
#include "sessions/SessionsModel.h"
#include "sessions/SessionsPanel.h"
#include "store/Writer.h"
#include "timeline/TimelineSlice.h"
#include "timeline/TimelineWidget.h"
#include "tools/ToolsPage.h"
#include "trace/SpanTraceLayout.h"
#include "trace/TraceWidget.h"

namespace cctv::ui {

namespace {
std::int64_t nowNs() { return QDateTime::currentMSecsSinceEpoch() * 1000000; }
// Live refresh: at once when data arrives after a quiet spell, then at most five times a second. (A fixed
// 250 ms tick made the newest event wait 125 ms on average and up to 250 ms before its query even started.)
constexpr int kMinRefreshMs = 200;
}  // namespace

MainWindow::MainWindow(WindowOptions options, QWidget* parent)
    : QMainWindow(parent), options_(std::move(options)), runner_(std::make_unique<QueryRunner>(options_.dbPath)) {
  setWindowTitle(options_.readOnly ? tr("cctv — Claude Code Telemetry Viewer (read-only)")
                                   : tr("cctv — Claude Code Telemetry Viewer"));
  setWindowIcon(QIcon(QStringLiteral(":/cctv/cctv.svg")));
  dbActions_ = new DatabaseActions(options_.writer, this);
  buildUi();
  buildMenus();
  connect(runner_.get(), &QueryRunner::failed, this, [this](const QString& msg) {
    statusBar()->showMessage(tr("Query failed: %1").arg(msg), 10000);
  });
  if (options_.notifier)
    connect(options_.notifier, &store::StoreNotifier::stored, this, &MainWindow::onStored, Qt::QueuedConnection);
  if (options_.notifier)
    // Removed rows (retention, a deleted session): refresh like after a commit, on the same schedule.
    connect(options_.notifier, &store::StoreNotifier::removed, this, [this] { onStored({}); }, Qt::QueuedConnection);
  connect(dbActions_, &DatabaseActions::message, this, [this](const QString& text) {
    statusBar()->showMessage(text, 15000);
  });
  connect(dbActions_, &DatabaseActions::sessionDeleted, this, [this](const QString& id) {
    if (id == session_) {
      // Nothing left to show for it: go back to following the newest session.
      session_.clear();
      userPickedSession_ = false;
      header_->clear();
      timeline_->clear();
      promptsModel_->setPrompts({});
      inspector_->clear();
    }
    refreshAll();
  });
  tick_ = new QTimer(this);
  tick_->setSingleShot(true);
  connect(tick_, &QTimer::timeout, this, &MainWindow::tick);
  sinceTick_.start();
  {
    // The forwarder's state changes without new data (the upstream goes down), so it is polled on its own.
    auto* poll = new QTimer(this);
    poll->setInterval(500);
    connect(poll, &QTimer::timeout, this, [this] {
      if (options_.forwardStatus && pages_->currentIndex() == static_cast<int>(Page::Ingest)) refreshForwarding();
    });
    poll->start();
  }
  if (options_.readOnly) watchForeignCommits();

  QSettings settings;
  resize(1280, 800);  // first run; a saved geometry replaces it
  restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
  restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
  refreshAll();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildUi() {
  // Sessions page.
  sessions_ = new SessionsPanel(this);
  header_ = new QLabel(this);
  header_->setTextFormat(Qt::RichText);
  header_->setWordWrap(true);
  header_->setMargin(6);
  header_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  timeline_ = new TimelineWidget(this);
  timeline_->setFollowLive(true);
  promptsModel_ = new PromptsModel(this);
  prompts_ = new QTableView(this);
  prompts_->setObjectName(QStringLiteral("promptsView"));
  prompts_->setModel(promptsModel_);
  prompts_->verticalHeader()->hide();
  prompts_->verticalHeader()->setDefaultSectionSize(prompts_->fontMetrics().height() + 6);
  prompts_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  prompts_->setSelectionBehavior(QAbstractItemView::SelectRows);
  prompts_->setSelectionMode(QAbstractItemView::SingleSelection);
  prompts_->setWordWrap(false);
  prompts_->setAlternatingRowColors(true);
  {
    // Fixed widths from the font, not from the rows: measuring thousands of rows on every live update was
    // most of the cost of a long session. The prompt text takes what is left.
    QHeaderView* h = prompts_->horizontalHeader();
    const QFontMetrics fm = prompts_->fontMetrics();
    const char* samples[] = {"0000", "00:00:00.000", "", "00 min 00 s", "API calls", "Tools", "000.0k", "$00.00"};
    for (int c = 0; c < PromptsModel::ColumnCount; ++c)
      h->resizeSection(c, fm.horizontalAdvance(QString::fromLatin1(samples[c])) + 18);
    h->setSectionResizeMode(PromptsModel::Prompt, QHeaderView::Stretch);
  }
  trace_ = new TraceWidget(this);
  auto* promptSplit = new QSplitter(Qt::Vertical, this);
  promptSplit->addWidget(prompts_);
  promptSplit->addWidget(trace_);
  promptSplit->setStretchFactor(0, 1);
  promptSplit->setStretchFactor(1, 3);
  events_ = new EventsPanel(runner_.get(), this);
  tabs_ = new QTabWidget(this);
  tabs_->addTab(timeline_, tr("Timeline"));
  tabs_->addTab(promptSplit, tr("Prompts"));
  tabs_->addTab(events_, tr("Events"));
  auto* center = new QWidget(this);
  auto* centerLayout = new QVBoxLayout(center);
  centerLayout->setContentsMargins(0, 0, 0, 0);
  centerLayout->addWidget(header_);
  centerLayout->addWidget(tabs_, 1);
  auto* split = new QSplitter(Qt::Horizontal, this);
  split->addWidget(sessions_);
  split->addWidget(center);
  split->setStretchFactor(0, 2);
  split->setStretchFactor(1, 3);
  split->setSizes({560, 880});

  costs_ = new CostsPage(this);
  metrics_ = new MetricsPage(this);
  tools_ = new ToolsPage(this);
  ingest_ = new IngestPage(this);
  ingest_->setDatabase(options_.dbPath);
  ingest_->setListener(options_.url, options_.listenError, options_.grpcUrl);

  pages_ = new QStackedWidget(this);
  pages_->addWidget(split);
  pages_->addWidget(costs_);
  pages_->addWidget(metrics_);
  pages_->addWidget(tools_);
  pages_->addWidget(ingest_);
  setCentralWidget(pages_);

  inspector_ = new Inspector(this);
  auto* dock = new QDockWidget(tr("Inspector"), this);
  dock->setObjectName(QStringLiteral("inspector"));
  dock->setWidget(inspector_);
  addDockWidget(Qt::RightDockWidgetArea, dock);
  inspectorDock_ = dock;

  statusListener_ = new QLabel(this);
  statusTotals_ = new QLabel(this);
  statusBar()->addWidget(statusListener_);
  statusBar()->addPermanentWidget(statusTotals_);
  showListenerStatus();

  sessions_->setDeleteEnabled(dbActions_->canModify());
  connect(sessions_, &SessionsPanel::deleteRequested, dbActions_,
          [this](const data::SessionSummary& s) { dbActions_->deleteSession(s); });
  connect(sessions_, &SessionsPanel::filterChanged, this, &MainWindow::loadSessions);
  connect(sessions_, &SessionsPanel::sessionSelected, this, [this](const QString& id) {
    userPickedSession_ = true;
    loadSession(id);
  });
  connect(timeline_, &TimelineWidget::eventSelected, this, [this](std::int64_t id) { loadEvent(id); });
  connect(timeline_, &TimelineWidget::sliceNeeded, this, &MainWindow::loadTimelineSlice);
  connect(trace_, &TraceWidget::eventSelected, this, [this](std::int64_t id) { loadEvent(id, true); });
  connect(trace_, &TraceWidget::spanSelected, this, [this](std::int64_t ref) {
    for (const data::SpanItem& s : promptSpans_)
      if (s.id == ref) inspector_->setSpan(s);
  });
  connect(events_, &EventsPanel::eventSelected, this, [this](qint64 id) { loadEvent(id, true); });
  connect(prompts_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& cur) {
    if (cur.isValid() && !selectingPrompt_) loadPrompt(cur.data(PromptsModel::PromptIdRole).toString());
  });
  connect(costs_, &CostsPage::rangeChanged, this, [this](std::int64_t from, std::int64_t to) {
    costFrom_ = from;
    costTo_ = to;
    loadCosts();
  });
  connect(costs_, &CostsPage::sessionActivated, this, [this](const QString& id) {
    showPage(Page::Sessions);
    selectSession(id);
  });
  connect(metrics_, &MetricsPage::rangeChanged, this, [this](std::int64_t from, std::int64_t to) {
    metricsFrom_ = from;
    metricsTo_ = to;
    loadMetrics();
  });
  connect(metrics_, &MetricsPage::seriesChanged, this, &MainWindow::loadMetricSeries);
  connect(metrics_, &MetricsPage::sessionActivated, this, [this](const QString& id) {
    showPage(Page::Sessions);
    selectSession(id);
  });
  connect(tools_, &ToolsPage::rangeChanged, this, [this](std::int64_t from, std::int64_t to) {
    toolsFrom_ = from;
    toolsTo_ = to;
    loadTools();
  });
  connect(tools_, &ToolsPage::showEvents, this, [this](const QString& eventName, const QString& tool) {
    showPage(Page::Sessions);
    tabs_->setCurrentWidget(events_);
    events_->showEvents(eventName, tool);
  });
  connect(ingest_, &IngestPage::onlyProblemsChanged, this, &MainWindow::loadIngest);
  connect(pages_, &QStackedWidget::currentChanged, this, [this] { dirty_ = true; });
}

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  buildTransferMenus(file);
  QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);
  QMenu* edit = menuBar()->addMenu(tr("&Edit"));
  QAction* prefs = edit->addAction(tr("&Preferences…"), this, [this] { openPreferences(); });
  prefs->setShortcut(QKeySequence(QStringLiteral("Ctrl+,")));
  prefs->setMenuRole(QAction::PreferencesRole);

  QToolBar* bar = addToolBar(tr("Pages"));
  bar->setObjectName(QStringLiteral("pages"));
  bar->setMovable(false);
  bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
  pageActions_ = new QActionGroup(this);
  QMenu* go = menuBar()->addMenu(tr("&Go"));
  const struct {
    const char* name;
    Page page;
  } pages[] = {{"&Sessions", Page::Sessions}, {"&Costs", Page::Costs}, {"&Metrics", Page::Metrics},
               {"&Tools && errors", Page::Tools},
               {"&Ingest", Page::Ingest}};
  int n = 1;
  for (const auto& p : pages) {
    QAction* a = new QAction(tr(p.name), this);
    a->setCheckable(true);
    a->setShortcut(QKeySequence(QStringLiteral("Ctrl+%1").arg(n++)));
    const Page page = p.page;
    connect(a, &QAction::triggered, this, [this, page] { showPage(page); });
    pageActions_->addAction(a);
    bar->addAction(a);
    go->addAction(a);
  }
  pageActions_->actions().first()->setChecked(true);

  QMenu* view = menuBar()->addMenu(tr("&View"));
  QAction* follow = view->addAction(tr("&Follow live"));
  follow->setCheckable(true);
  follow->setChecked(true);
  follow->setShortcut(QKeySequence(QStringLiteral("Ctrl+L")));
  connect(follow, &QAction::toggled, this, [this](bool on) {
    followLive_ = on;
    timeline_->setFollowLive(on);
  });
  // Panning the timeline by hand stops following; the menu shows it.
  connect(timeline_, &TimelineWidget::followLiveChanged, follow, [follow](bool on) {
    QSignalBlocker block(follow);
    follow->setChecked(on);
  });
  view->addAction(tr("&Fit timeline"), QKeySequence(QStringLiteral("Ctrl+0")), timeline_, &TimelineWidget::fitToData);
  view->addAction(tr("&Refresh"), QKeySequence::Refresh, this, &MainWindow::refreshAll);
  QAction* findEvents = view->addAction(tr("Search &events"), QKeySequence::Find, this, [this] {
    showPage(Page::Sessions);
    tabs_->setCurrentWidget(events_);
  });
  Q_UNUSED(findEvents);

  QMenu* database = menuBar()->addMenu(tr("&Database"));
  QAction* deleteSession = database->addAction(tr("&Delete session…"), this, [this] {
    const int row = sessions_->model()->rowOf(session_);
    if (const data::SessionSummary* s = row >= 0 ? sessions_->model()->session(row) : nullptr)
      dbActions_->deleteSession(*s);
  });
  database->addAction(tr("&Compact database"), dbActions_, &DatabaseActions::compact);
  database->addAction(tr("&Retention…"), this, [this] { openPreferences(PreferencesDialog::Page::Storage); });
  for (QAction* a : database->actions()) a->setEnabled(dbActions_->canModify());
  connect(database, &QMenu::aboutToShow, this, [this, deleteSession] {
    deleteSession->setEnabled(dbActions_->canModify() && sessions_->model()->rowOf(session_) >= 0);
  });

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&Set up Claude Code…"), this, &MainWindow::showSetup);
  help->addAction(tr("&About cctv"), this, [this] {
    QMessageBox::about(this, tr("About cctv"),
                       tr("<b>cctv %1</b> — Claude Code Telemetry Viewer<br>Receives Claude Code's OpenTelemetry "
                          "export and shows every session, prompt, tool call and API request.<br><br>Database: %2")
                           .arg(QStringLiteral(CCTV_VERSION), options_.dbPath.toHtmlEscaped()));
  });
}

void MainWindow::showPage(Page page) {
  pages_->setCurrentIndex(static_cast<int>(page));
  // The inspector belongs to the session views; the other pages use the whole width.
  inspectorDock_->setVisible(page == Page::Sessions);
  pageActions_->actions().at(static_cast<int>(page))->setChecked(true);
  dirty_ = true;
  tick();
}

void MainWindow::onStored(const store::StoredSummary& summary) {
  dirty_ = true;
  for (const std::string& s : summary.sessionIds)
    if (QString::fromStdString(s) == session_) sessionDirty_ = true;
  if (!tick_->isActive())
    tick_->start(static_cast<int>(std::max<qint64>(0, kMinRefreshMs - sinceTick_.elapsed())));
}

void MainWindow::tick() {
  if (options_.forwardStatus && pages_->currentIndex() == static_cast<int>(Page::Ingest)) refreshForwarding();
  if (!dirty_ && !sessionDirty_) return;
  sinceTick_.restart();
  const bool all = dirty_;
  dirty_ = false;
  if (sessionDirty_) {
    sessionDirty_ = false;
    loadNewSessionEvents();
    loadPrompts();
    if (tabs_->currentWidget() == events_) events_->refresh();
  }
  if (!all) return;
  loadTotals();
  switch (static_cast<Page>(pages_->currentIndex())) {
    case Page::Sessions: loadSessions(); break;
    case Page::Costs: loadCosts(); break;
    case Page::Metrics: loadMetrics(); break;
    case Page::Tools: loadTools(); break;
    case Page::Ingest: loadIngest(); break;
  }
}

void MainWindow::refreshAll() {
  dirty_ = true;
  tick();
  if (!session_.isEmpty()) loadSession(session_);
}

bool MainWindow::idle() const { return runner_->pending() == 0; }

void MainWindow::loadSessions() {
  const data::SessionFilter f = sessions_->filter(nowNs());
  runner_->run<std::vector<data::SessionSummary>>(
      QStringLiteral("sessions"), this, [f](query::Reader& r) { return r.sessions(f); },
      [this](std::vector<data::SessionSummary> rows) {
        const QString newest = rows.empty() ? QString() : QString::fromStdString(rows.front().sessionId);
        // Until the user picks a session, the window follows the newest one (a new claude run shows up by itself).
        const bool first = !userPickedSession_ && !newest.isEmpty() && newest != session_;
        for (const auto& s : rows)
          if (QString::fromStdString(s.sessionId) == session_) setSessionHeader(s);
        sessions_->setSessions(std::move(rows));
        if (first) showSession(newest);
      });
  runner_->run<std::pair<std::vector<std::string>, std::vector<std::string>>>(
      QStringLiteral("names"), this, [](query::Reader& r) { return std::make_pair(r.models(), r.eventNames()); },
      [this](std::pair<std::vector<std::string>, std::vector<std::string>> v) {
        sessions_->setModels(v.first);
        events_->setEventNames(v.second);
      });
}

void MainWindow::selectSession(const QString& sessionId) {
  userPickedSession_ = true;  // chosen: the window stops following the newest session
  showSession(sessionId);
}

void MainWindow::showSession(const QString& sessionId) {
  sessions_->selectSession(sessionId);
  loadSession(sessionId);
}

void MainWindow::loadSession(const QString& sessionId) {
  session_ = sessionId;
  sessionMetrics_ = {};
  lastEventId_ = 0;
  sessionOpened_ = false;
  missedLiveTick_ = false;
  prompt_.clear();
  inspector_->clear();
  const std::string id = sessionId.toStdString();
  // The session's row first (its extent), so the timeline can ask for the slice its view needs
  // (loadTimelineSlice) before anything else queues: a session of 70,000 events opens as fast as one of 700.
  // The header's metrics, the prompt list and the events table come after.
  runner_->run<data::SessionSummary>(
      QStringLiteral("session-events"), this, [id](query::Reader& r) { return r.session(id); },
      [this, sessionId](data::SessionSummary s) {
        if (sessionId != session_) return;
        setSessionHeader(s);
        const bool empty = s.ref == 0 || s.events == 0 || s.firstNs == 0;
        // Live ticks continue after the newest event the first slice counted; with no events yet, from the start.
        sessionOpened_ = empty;
        timeline_->showSession(s.firstNs, s.lastNs, empty);
        loadSessionHeader();
        events_->setSession(sessionId);
        loadPrompts();
      });
  if (pages_->currentIndex() == static_cast<int>(Page::Costs)) loadCosts();
}

void MainWindow::loadTimelineSlice(const TimelineRequest& request) {
  if (session_.isEmpty()) return;
  const QString session = session_;
  const std::string id = session.toStdString();
  // One request at a time: a newer view's request drops an older one that has not run yet.
  runner_->run<TimelineSlice>(
      QStringLiteral("timeline-slice"), this,
      [id, request](query::Reader& r) { return queryTimelineSlice(r, id, request); },
      [this, session, request](TimelineSlice s) {
        if (session != session_) return;
        if (!sessionOpened_) {
          // The first slice covers the whole session (the view is fitted to it): its newest event is where
          // the live updates continue.
          lastEventId_ = std::max<qint64>(lastEventId_, s.density.lastEventId);
          sessionOpened_ = true;
        }
        timeline_->setSlice(request, std::move(s.density), s.detail, std::move(s.events), std::move(s.prompts));
        if (missedLiveTick_) loadNewSessionEvents();  // events stored while this slice was on its way
      });
}

void MainWindow::loadNewSessionEvents() {
  if (session_.isEmpty()) return;
  const std::string id = session_.toStdString();
  const qint64 after = lastEventId_;
  missedLiveTick_ = !sessionOpened_;
  if (sessionOpened_) {
    runner_->run<std::vector<data::EventItem>>(
        QStringLiteral("session-events-new"), this,
        [id, after](query::Reader& r) { return r.sessionEventsAfter(id, after); },
        [this, after](std::vector<data::EventItem> events) {
          if (events.empty() || after != lastEventId_) return;
          for (const auto& e : events) lastEventId_ = std::max<qint64>(lastEventId_, e.id);
          timeline_->appendEvents(std::move(events));
        });
  }
  loadSessionHeader();
}

void MainWindow::loadSessionHeader() {
  if (session_.isEmpty()) return;
  const std::string id = session_.toStdString();
  using Header = std::pair<data::SessionSummary, data::MetricTotals>;
  runner_->run<Header>(QStringLiteral("session-header"), this,
                       [id](query::Reader& r) { return Header{r.session(id), r.sessionMetrics(id)}; },
                       [this](Header h) {
                         sessionMetrics_ = h.second;
                         setSessionHeader(h.first);
                       });
}

void MainWindow::setSessionHeader(const data::SessionSummary& s) {
  if (!s.ref) {
    header_->setText(tr("<i>Select a session.</i>"));
    return;
  }
  header_->setText(sessionHeaderHtml(s, sessionMetrics_, palette().color(QPalette::WindowText).name()));
}

void MainWindow::loadPrompts() {
  if (session_.isEmpty()) return;
  const std::string id = session_.toStdString();
  runner_->run<std::vector<data::PromptSummary>>(
      QStringLiteral("prompts"), this, [id](query::Reader& r) { return r.prompts(id); },
      [this](std::vector<data::PromptSummary> rows) {
        timeline_->setPrompts(rows);
        selectingPrompt_ = true;  // updating is not choosing
        promptsModel_->setPrompts(std::move(rows));
        selectingPrompt_ = false;
        const int selected = promptsModel_->rowOf(prompt_.toStdString());
        if (selected >= 0) {
          selectPromptRow(selected);
          loadPrompt(prompt_);  // a live prompt keeps growing
        } else if (prompt_.isEmpty() && promptsModel_->rowCount() > 0) {
          const int last = promptsModel_->rowCount() - 1;
          selectPromptRow(last);
          loadPrompt(promptsModel_->index(last, 0).data(PromptsModel::PromptIdRole).toString());
        }
      });
}

void MainWindow::selectPromptRow(int row) {
  selectingPrompt_ = true;
  prompts_->selectionModel()->setCurrentIndex(promptsModel_->index(row, 0),
                                              QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
  selectingPrompt_ = false;
}

void MainWindow::showBusiestPrompt() {
  tabs_->setCurrentIndex(1);
  const int best = promptsModel_->busiestRow();
  if (best < 0) return;
  selectPromptRow(best);
  prompts_->scrollTo(promptsModel_->index(best, 0));
  loadPrompt(promptsModel_->index(best, 0).data(PromptsModel::PromptIdRole).toString());
}

void MainWindow::showEventsTab() {
  showPage(Page::Sessions);
  tabs_->setCurrentWidget(events_);
}

void MainWindow::loadPrompt(const QString& promptId) {
  prompt_ = promptId;
  const std::string id = promptId.toStdString();
  // Spans when Claude Code's enhanced tracing sent them (a nested waterfall), else the prompt's events.
  // Reloaded on every live tick of the session, so spans exported after their logs merge in.
  using Trace = std::pair<std::vector<data::SpanItem>, std::vector<data::EventItem>>;
  runner_->run<Trace>(
      QStringLiteral("prompt-trace"), this, [id](query::Reader& r) { return Trace{r.promptSpans(id), r.promptEvents(id)}; },
      [this](Trace t) {
        const std::int64_t selectedSpan = trace_->selectedSpanRef();
        const std::int64_t selectedEvent = trace_->selectedEventId();
        promptSpans_ = t.first;
        trace_->setTraceLayout(buildSpanTraceLayout(std::move(t.first), std::move(t.second)));
        if (selectedSpan > 0) trace_->selectSpan(selectedSpan);  // a live reload keeps the selection
        else if (selectedEvent > 0) trace_->selectEvent(selectedEvent);
      });
}

void MainWindow::loadEvent(qint64 id, bool reveal) {
  runner_->run<data::EventDetail>(QStringLiteral("event"), this, [id](query::Reader& r) { return r.event(id); },
                                  [this, reveal](data::EventDetail d) {
                                    inspector_->setDetail(d);
                                    if (reveal) revealInTimeline(d);
                                  });
}

void MainWindow::revealInTimeline(const data::EventDetail& d) {
  // Picked in the events table or the trace: the timeline selects it too, loading its time range if needed.
  std::string session, time;
  for (const auto& [name, value] : d.fields) {
    if (name == "session_id") session = value;
    else if (name == "timeUnixNano") time = value;
  }
  if (d.id <= 0 || time.empty() || QString::fromStdString(session) != session_) return;
  timeline_->revealEvent(d.id, std::strtoll(time.c_str(), nullptr, 10));
}

void MainWindow::loadCosts() {
  const std::int64_t from = costFrom_, to = costTo_;
  const std::string session = session_.toStdString();
  struct Costs {
    std::vector<data::DailyCost> days;
    std::vector<data::SessionSummary> top;
    std::int64_t sessions = 0;
  };
  runner_->run<Costs>(
      QStringLiteral("costs"), this,
      [from, to](query::Reader& r) {
        return Costs{r.dailyCosts(from, to), r.topSessionsByCost(from, to, 10), r.sessionCount(from, to)};
      },
      [this](Costs v) {
        costs_->setDailyCosts(std::move(v.days));
        costs_->setTopSessions(std::move(v.top));
        costs_->setSessionCount(v.sessions);
      });
  runner_->run<std::vector<data::CumulativePoint>>(
      QStringLiteral("cumulative"), this, [session](query::Reader& r) { return r.cumulativeCost(session); },
      [this, session](std::vector<data::CumulativePoint> points) {
        costs_->setCumulative(QString::fromStdString(session), std::move(points));
      });
}

void MainWindow::loadTools() {
  const std::int64_t from = toolsFrom_, to = toolsTo_;
  runner_->run<std::pair<std::vector<data::ToolStats>, std::vector<data::ApiErrorStats>>>(
      QStringLiteral("tools"), this,
      [from, to](query::Reader& r) { return std::make_pair(r.toolStats(from, to), r.apiErrors(from, to)); },
      [this](std::pair<std::vector<data::ToolStats>, std::vector<data::ApiErrorStats>> v) {
        tools_->setToolStats(std::move(v.first));
        tools_->setApiErrors(std::move(v.second));
      });
}

void MainWindow::loadMetrics() {
  const std::int64_t from = metricsFrom_, to = metricsTo_;
  struct Metrics {
    data::MetricTotals totals;
    std::vector<std::string> names;
    std::vector<data::Reconciliation> sessions;
  };
  runner_->run<Metrics>(
      QStringLiteral("metrics"), this,
      [from, to](query::Reader& r) { return Metrics{r.metricTotals(from, to), r.metricNames(), r.reconciliation(from, to)}; },
      [this](Metrics m) {
        metrics_->setMetricNames(m.names);
        metrics_->setTotals(m.totals);
        metrics_->setReconciliation(std::move(m.sessions));
      });
  loadMetricSeries();
}

void MainWindow::loadMetricSeries() {
  const std::int64_t from = metricsFrom_, to = metricsTo_;
  const std::string metric = metrics_->metric(), dimension = metrics_->dimension();
  using Series = std::pair<std::vector<data::MetricBucket>, std::int64_t>;
  runner_->run<Series>(
      QStringLiteral("metric-series"), this,
      [=](query::Reader& r) {
        // Buckets no finer than the chart can show: per-minute rows over 90 days were most of the page's time.
        const auto [oldest, newest] = r.metricTimeRange();
        const std::int64_t span = (to ? std::min(to, newest) : newest) - std::max(from, oldest);
        const std::int64_t bucket = metricBucketFor(std::max<std::int64_t>(span, 0));
        return Series{r.metricOverTime(metric, dimension, from, to, bucket), bucket};
      },
      [this](Series s) { metrics_->setSeries(std::move(s.first), s.second); });
}

void MainWindow::loadIngest() {
  const bool problems = ingest_->onlyProblems();
  runner_->run<std::vector<data::IngestLogRow>>(QStringLiteral("ingest"), this,
                                                [problems](query::Reader& r) { return r.ingestLog(500, problems); },
                                                [this](std::vector<data::IngestLogRow> rows) { ingest_->setLog(rows); });
}

void MainWindow::refreshForwarding() {
  const forward::ForwardStatus s = options_.forwardStatus();
  ingest_->setForwarding(s, nowNs());
  const std::int64_t stamp = s.forwardedRequests + s.refusedRequests + s.capDroppedRequests + s.lastErrorNs;
  if (stamp != forwardStamp_) {
    forwardStamp_ = stamp;
    loadIngest();
  }
}

void MainWindow::loadTotals() {
  runner_->run<data::StoreTotals>(QStringLiteral("totals"), this, [](query::Reader& r) { return r.totals(); },
                                  [this](data::StoreTotals t) {
                                    const qint64 now = QDateTime::currentMSecsSinceEpoch();
                                    if (lastTotalEvents_ >= 0 && now > lastTotalsAtMs_)
                                      eventsPerSecond_ = static_cast<double>(t.events - lastTotalEvents_) * 1000.0 /
                                                         static_cast<double>(now - lastTotalsAtMs_);
                                    lastTotalEvents_ = t.events;
                                    lastTotalsAtMs_ = now;
                                    statusTotals_->setText(tr("%1 sessions · %2 events · %3 · %4")
                                                               .arg(t.sessions)
                                                               .arg(t.events)
                                                               .arg(fmt::cost(t.costUsd), fmt::bytes(t.fileBytes)));
                                    ingest_->setTotals(t, eventsPerSecond_);
                                    if (setupDialog_) setupDialog_->setEventsStored(t.events);
                                    if (!setupOffered_ && t.events == 0 && options_.notifier) {
                                      setupOffered_ = true;  // first run: show how to point Claude Code here
                                      showSetup();
                                    }
                                    setupOffered_ = true;
                                  });
}

void MainWindow::showSetup() {
  auto* dlg = new SetupDialog(options_.url.isEmpty() ? QStringLiteral("http://127.0.0.1:4318") : options_.url,
                              options_.token, this, options_.grpcUrl);
  dlg->setAttribute(Qt::WA_DeleteOnClose);
  dlg->setEventsStored(lastTotalEvents_ > 0 ? lastTotalEvents_ : 0);
  setupDialog_ = dlg;  // loadTotals keeps its "waiting / receiving" line current
  dlg->show();
}

void MainWindow::closeEvent(QCloseEvent* event) {
  QSettings settings;
  settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
  settings.setValue(QStringLiteral("window/state"), saveState());
  QMainWindow::closeEvent(event);
}

}  // namespace cctv::ui
