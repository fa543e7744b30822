#pragma once
// Runs the viewer's queries on a thread of their own, with their own read connection, so the UI never
// waits on SQLite. Each request carries a key; when a newer request with the same key is submitted
// before an older one finished, the older result is dropped (and, if it has not started, never run).

#include <QHash>
#include <QMutex>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QThread>

#include <functional>
#include <atomic>
#include <memory>

#include "query/Reader.h"

namespace cctv::ui {

class QueryRunner : public QObject {
  Q_OBJECT
 public:
  explicit QueryRunner(QString dbPath, QObject* parent = nullptr);
  ~QueryRunner() override;

  template <typename R>
  void run(const QString& key, QObject* receiver, std::function<R(query::Reader&)> fn, std::function<void(R)> done) {
    const quint64 gen = state_->next(key);
    QPointer<QObject> target(receiver);
    // Captures the shared state, not `this`: a result may arrive after the runner is gone.
    post([state = state_, key, gen, target, fn = std::move(fn), done = std::move(done)](query::Reader& reader) mutable {
      if (!state->isCurrent(key, gen)) return;
      auto result = std::make_shared<R>(fn(reader));
      if (!target) return;
      QMetaObject::invokeMethod(
          target.data(),
          [state, key, gen, result, done = std::move(done)] {
            if (state->isCurrent(key, gen)) done(std::move(*result));
          },
          Qt::QueuedConnection);
    });
  }

  // Requests waiting or running; 0 when every submitted query has delivered.
  int pending() const;
  const QString& databasePath() const { return path_; }

 Q_SIGNALS:
  // A query failed (database unreadable, not a cctv file...): one line for the status bar or a dialog.
  void failed(const QString& message);

 private:
  struct State {
    mutable QMutex mutex;
    QHash<QString, quint64> generations;
    bool closed = false;
    quint64 next(const QString& key) {
      QMutexLocker lock(&mutex);
      return ++generations[key];
    }
    bool isCurrent(const QString& key, quint64 gen) const {
      QMutexLocker lock(&mutex);
      return !closed && generations.value(key) == gen;
    }
  };
  void post(std::function<void(query::Reader&)> job);

  QString path_;
  QThread thread_;
  QObject* worker_ = nullptr;  // lives in thread_
  std::unique_ptr<query::Reader> reader_;  // used only on thread_
  std::shared_ptr<State> state_ = std::make_shared<State>();
  std::atomic<int> pending_{0};
};

}  // namespace cctv::ui
