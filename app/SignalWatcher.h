#pragma once
// Turns SIGINT/SIGTERM into a Qt signal on the main thread (self-pipe + QSocketNotifier), so shutdown
// runs as ordinary code: stop accepting, flush the writer, exit 0.

#include <QObject>

class QSocketNotifier;

namespace cctv::app {

class SignalWatcher : public QObject {
  Q_OBJECT
 public:
  explicit SignalWatcher(QObject* parent = nullptr);
  ~SignalWatcher() override;

 Q_SIGNALS:
  void terminationRequested(int signal);

 private:
  QSocketNotifier* notifier_ = nullptr;
};

}  // namespace cctv::app
