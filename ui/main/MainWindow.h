#pragma once
// The main window: pages (Sessions, Costs, Metrics, Tools & errors, Ingest) switched from the toolbar; the
// Sessions page holds the live session list, the session's timeline / prompts / events tabs, and the
// inspector dock. Live data: the store's batched "stored" signal marks the window dirty and schedules a
// refresh (at once after a quiet spell, at most five a second) of what is visible with background queries (QueryRunner), so neither side waits on the other.

#include <QMainWindow>
#include <QElapsedTimer>
#include <QPointer>

#include <functional>
#include <memory>

#include "config/Settings.h"
#include "forward/Forwarder.h"
#include "main/PreferencesDialog.h"
#include "query/Data.h"

class QActionGroup;
class QDockWidget;
class QLabel;
class QMenu;
class QStackedWidget;
class QTabWidget;
class QTableView;
class QTimer;

namespace cctv::store {
class StoreNotifier;
class Writer;
struct StoredSummary;
}

namespace cctv::ui {

class CostsPage;
class DataTransfer;
class DatabaseActions;
class EventsPanel;
class IngestPage;
class MetricsPage;
class PromptsModel;
class Inspector;
class QueryRunner;
class SessionsPanel;
class SetupDialog;
class TimelineWidget;
struct TimelineRequest;
class ToolsPage;
class TraceWidget;

struct WindowOptions {
  QString dbPath;
  QString url;          // the receiver's address, "" when not listening
  QString grpcUrl;      // the gRPC receiver's address, "" when off
  QString listenError;  // why not, when not
  QString token;
  store::StoreNotifier* notifier = nullptr;  // null: no receiver in this process (viewing only)
  store::Writer* writer = nullptr;            // the receiver's writer (File → Import, Database menu); null: viewing only
  bool redact = false;                        // imports redact content as the receiver does (--redact)
  std::function<forward::ForwardStatus()> forwardStatus;  // empty: not forwarding
  // Viewing a database another cctv receives into: no writer, and the window polls for its commits.
  bool readOnly = false;
  // The preferences in effect (saved ones merged with the command line) and those the command line fixed.
  config::Settings settings;
  config::Fields fixed = 0;
  // Applies and saves new preferences (restarting the listener, the forwarder...); returns an error or "".
  // Empty: the window saves them and applies the theme only (they take effect at the next start).
  PreferencesDialog::Apply applySettings;
};

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  enum class Page { Sessions, Costs, Metrics, Tools, Ingest };

  explicit MainWindow(WindowOptions options, QWidget* parent = nullptr);
  ~MainWindow() override;

  void showPage(Page page);
  // Shows this session as if the user had picked it (the window stops following the newest session).
  void selectSession(const QString& sessionId);
  // Opens the prompt tab with the session's first prompt that has the most events (for screenshots).
  void showBusiestPrompt();
  void showEventsTab();
  // Refreshes everything now (not on the next tick).
  void refreshAll();
  // True when no query is pending (used by --screenshot to wait until the window shows real data).
  bool idle() const;
  QueryRunner* runner() const { return runner_.get(); }
  DataTransfer* transfer() const { return transfer_; }
  DatabaseActions* databaseActions() const { return dbActions_; }
  // Offer the setup dialog automatically when the database is empty (first run). On by default.
  void setOfferSetup(bool on) { setupOffered_ = !on; }

  // Edit → Preferences… (non-modal; one at a time), opened on `page`.
  PreferencesDialog* openPreferences(PreferencesDialog::Page page = PreferencesDialog::Page::Receiver);
  // The receiver moved, got a new token, or stopped (error set): status bar, Ingest page, setup dialog.
  void setListener(const QString& url, const QString& grpcUrl, const QString& token, const QString& error = {});
  // Forwarding started, moved or stopped (empty function).
  void setForwardStatus(std::function<forward::ForwardStatus()> status);
  void setRedact(bool on);
  const config::Settings& settings() const { return options_.settings; }
  QString listenerStatus() const;  // the status bar's listener text
  QString totalsText() const;      // the status bar's "N sessions · N events · …"
  IngestPage* ingestPage() const { return ingest_; }
  SetupDialog* setupDialog() const;
  void showSetupDialog() { showSetup(); }

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void buildUi();
  void buildMenus();
  void buildTransferMenus(QMenu* file);
  void onStored(const store::StoredSummary& summary);
  void tick();
  void loadSessions();
  void showSession(const QString& sessionId);  // select and load, without stopping follow-newest
  void loadSession(const QString& sessionId);
  void loadNewSessionEvents();
  void loadSessionHeader();  // the session's row and its metrics
  void loadTimelineSlice(const TimelineRequest& request);
  void loadPrompts();
  void loadPrompt(const QString& promptId);
  // Shows the event in the inspector; `reveal`: also select it in the timeline (it was picked elsewhere).
  void loadEvent(qint64 id, bool reveal = false);
  void revealInTimeline(const data::EventDetail& d);
  void loadCosts();
  void loadTools();
  void loadMetrics();
  void selectPromptRow(int row);  // without loading it
  void loadMetricSeries();
  void loadIngest();
  void refreshForwarding();
  void loadTotals();
  void showSetup();
  void setSessionHeader(const data::SessionSummary& s);
  void showListenerStatus();
  void watchForeignCommits();  // read-only: another process writes; poll its commits

  WindowOptions options_;
  std::unique_ptr<QueryRunner> runner_;
  QStackedWidget* pages_ = nullptr;
  QActionGroup* pageActions_ = nullptr;
  SessionsPanel* sessions_ = nullptr;
  QLabel* header_ = nullptr;
  QTabWidget* tabs_ = nullptr;
  TimelineWidget* timeline_ = nullptr;
  QTableView* prompts_ = nullptr;
  PromptsModel* promptsModel_ = nullptr;
  bool selectingPrompt_ = false;  // a programmatic prompt selection: the caller loads what it needs
  TraceWidget* trace_ = nullptr;
  EventsPanel* events_ = nullptr;
  Inspector* inspector_ = nullptr;
  QDockWidget* inspectorDock_ = nullptr;
  CostsPage* costs_ = nullptr;
  MetricsPage* metrics_ = nullptr;
  ToolsPage* tools_ = nullptr;
  IngestPage* ingest_ = nullptr;
  QLabel* statusListener_ = nullptr;
  QLabel* statusTotals_ = nullptr;
  QTimer* tick_ = nullptr;      // single shot: the next live refresh
  QElapsedTimer sinceTick_;     // since the last refresh
  DataTransfer* transfer_ = nullptr;
  DatabaseActions* dbActions_ = nullptr;

  QString session_;
  qint64 lastEventId_ = 0;
  bool sessionOpened_ = false;  // lastEventId_ is known (from the first slice): live ticks may run
  bool missedLiveTick_ = false;  // a live tick came before that: run it when the first slice arrives
  std::vector<data::SpanItem> promptSpans_;
  data::MetricTotals sessionMetrics_;  // of the selected session, for its header  // of the trace shown, for the inspector
  QString prompt_;
  bool dirty_ = true;
  bool sessionDirty_ = false;
  std::int64_t costFrom_ = 0, costTo_ = 0;
  std::int64_t toolsFrom_ = 0, toolsTo_ = 0;
  std::int64_t metricsFrom_ = 0, metricsTo_ = 0;
  std::int64_t forwardStamp_ = -1;  // changes when the forwarder logged something: reload the log
  std::int64_t lastTotalEvents_ = -1;
  qint64 lastTotalsAtMs_ = 0;
  double eventsPerSecond_ = 0;
  bool followLive_ = true;
  bool setupOffered_ = false;
  QPointer<SetupDialog> setupDialog_;
  bool userPickedSession_ = false;
  QPointer<PreferencesDialog> preferences_;
  std::int64_t dataVersion_ = -1;  // read-only: PRAGMA data_version last seen
};

}  // namespace cctv::ui
