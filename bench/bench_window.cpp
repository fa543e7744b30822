// The window on a large database (issue 4): time from process start until the session list shows its rows,
// then opening the largest session, its busiest prompt's trace, and each page, with the process RSS after each
// step. Offscreen unless a display is set. Make the database with bench_make_db, then:
//   build/bench/bench_window /tmp/cctv-5m.db [PREFIX]
// With PREFIX, also saves the largest session's timeline fitted and zoomed in around its middle to about an
// hour and to about five minutes: PREFIX-fit.png, PREFIX-1h.png, PREFIX-5min.png.
// Times are wall-clock since the process started (from /proc/self/stat), so they include loading Qt.

#include <QApplication>
#include <QElapsedTimer>
#include <QThread>
#include <QTimer>

#include <cstdio>
#include <fstream>
#include <string>

#include <unistd.h>

#include "main/MainWindow.h"
#include "sessions/SessionsModel.h"
#include "sessions/SessionsPanel.h"
#include "store/Sqlite.h"
#include "timeline/TimelineWidget.h"

using namespace cctv;

namespace {

double rssMb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::atof(line.c_str() + 6) / 1024.0;
  return -1;
}

// Seconds since this process started: /proc/uptime minus the process's start time (clock ticks since boot).
double sinceProcessStart() {
  std::ifstream stat("/proc/self/stat");
  std::string s((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  std::size_t pos = s.rfind(')');
  for (int field = 2; field < 22 && pos != std::string::npos; ++field) pos = s.find(' ', pos + 1);
  const double startTicks = std::atof(s.c_str() + pos + 1);
  std::ifstream up("/proc/uptime");
  double uptime = 0;
  up >> uptime;
  return uptime - startTicks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Runs the event loop until the window has no query pending (twice in a row, 10 ms apart).
void settle(ui::MainWindow& w) {
  int quiet = 0;
  QElapsedTimer t;
  t.start();
  while (quiet < 2 && t.elapsed() < 60000) {
    QApplication::processEvents(QEventLoop::AllEvents, 10);
    QThread::msleep(10);
    quiet = w.idle() ? quiet + 1 : 0;
  }
  QApplication::processEvents();
}

// Notes when the timeline first paints something of the session it was told to show (histograms or events).
class FirstPaint : public QObject {
 public:
  explicit FirstPaint(ui::TimelineWidget* w) : w_(w) {}
  void arm() {
    armed_ = true;
    ms_ = -1;
    clock_.start();
  }
  qint64 ms() const { return ms_; }
  bool eventFilter(QObject* o, QEvent* e) override {
    // The paint that shows content; it is done when the event loop next gets to run a zero timer.
    if (armed_ && o == w_ && e->type() == QEvent::Paint && (!w_->model().empty() || !w_->densityBars().bars.empty())) {
      armed_ = false;
      QTimer::singleShot(0, this, [this] { ms_ = clock_.elapsed(); });
    }
    return false;
  }

 private:
  ui::TimelineWidget* w_;
  QElapsedTimer clock_;
  bool armed_ = false;
  qint64 ms_ = -1;
};

void report(const char* step, QElapsedTimer& clock) {
  std::printf("%-44s %8.3f s %8.0f ms %8.1f MB\n", step, sinceProcessStart(), static_cast<double>(clock.restart()),
              rssMb());
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DB [SCREENSHOT-PREFIX]\n", argv[0]);
    return 2;
  }
  if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
    qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  QElapsedTimer clock;
  clock.start();
  std::printf("%-44s %10s %11s %11s\n", "step", "since start", "step took", "RSS");

  ui::WindowOptions wo;
  wo.dbPath = QString::fromLocal8Bit(argv[1]);
  ui::MainWindow w(wo);
  w.setOfferSetup(false);
  w.resize(1440, 900);
  w.show();
  auto* panel = w.findChild<ui::SessionsPanel*>();
  while (panel->model()->rowCount() == 0 && clock.elapsed() < 60000) QApplication::processEvents(QEventLoop::AllEvents, 5);
  QApplication::processEvents();  // paint the rows
  report("session list shown", clock);
  std::printf("  (%d sessions listed)\n", panel->model()->rowCount());
  settle(w);
  report("newest session opened (window idle)", clock);

  std::string largest;
  {
    store::Database db(argv[1], store::Database::Mode::ReadOnly);
    auto st = db.prepare("SELECT session_id, events FROM sessions ORDER BY events DESC LIMIT 1");
    if (st.step()) {
      largest = st.columnText(0);
      std::printf("  (largest session %s: %lld events)\n", largest.c_str(), static_cast<long long>(st.columnInt(1)));
    }
  }
  auto* timeline = w.findChild<ui::TimelineWidget*>();
  FirstPaint firstPaint(timeline);
  timeline->installEventFilter(&firstPaint);
  firstPaint.arm();
  w.selectSession(QString::fromStdString(largest));
  settle(w);
  report("largest session: timeline + prompts", clock);
  std::printf("  (timeline first painted %lld ms after selecting it)\n", static_cast<long long>(firstPaint.ms()));
  if (argc > 2) {
    const std::string prefix = argv[2];
    timeline->grab().save(QString::fromStdString(prefix + "-fit.png"));
    // 1.5x per step: 13 steps take eight days to about an hour, 6 more to about five minutes.
    for (auto [steps, name] : {std::pair{13, "-1h.png"}, std::pair{6, "-5min.png"}}) {
      for (int i = 0; i < steps; ++i) timeline->zoomIn();
      QElapsedTimer pause;
      pause.start();
      while (pause.elapsed() < 200) QApplication::processEvents(QEventLoop::AllEvents, 10);  // the slice request
      settle(w);
      timeline->grab().save(QString::fromStdString(prefix + name));
    }
    timeline->fitToData();
    settle(w);
    clock.restart();
  }
  w.showBusiestPrompt();
  settle(w);
  report("its busiest prompt's trace", clock);
  w.showEventsTab();
  settle(w);
  report("events tab (first page)", clock);
  for (auto [name, page] : {std::pair{"costs page", ui::MainWindow::Page::Costs},
                            std::pair{"metrics page", ui::MainWindow::Page::Metrics},
                            std::pair{"tools & errors page", ui::MainWindow::Page::Tools},
                            std::pair{"ingest page", ui::MainWindow::Page::Ingest},
                            std::pair{"back to sessions", ui::MainWindow::Page::Sessions}}) {
    w.showPage(page);
    settle(w);
    report(name, clock);
  }
  return 0;
}
