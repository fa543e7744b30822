#include "data/QueryRunner.h"

#include "store/Sqlite.h"

namespace cctv::ui {

QueryRunner::QueryRunner(QString dbPath, QObject* parent) : QObject(parent), path_(std::move(dbPath)) {
  worker_ = new QObject;
  worker_->moveToThread(&thread_);
  connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
  thread_.setObjectName(QStringLiteral("cctv-queries"));
  thread_.start();
}

QueryRunner::~QueryRunner() {
  {
    QMutexLocker lock(&state_->mutex);
    state_->closed = true;  // everything still queued or on its way back is dropped
  }
  // The reader must be destroyed on its own thread.
  QMetaObject::invokeMethod(worker_, [this] { reader_.reset(); }, Qt::BlockingQueuedConnection);
  thread_.quit();
  thread_.wait();
}

void QueryRunner::post(std::function<void(query::Reader&)> job) {
  ++pending_;
  QMetaObject::invokeMethod(
      worker_,
      [this, job = std::move(job)] {
        try {
          if (!reader_) reader_ = std::make_unique<query::Reader>(path_.toStdString());
          job(*reader_);
        } catch (const std::exception& e) {
          // The file may have been replaced or damaged; open it afresh next time.
          reader_.reset();
          Q_EMIT failed(QString::fromUtf8(e.what()));
        }
        --pending_;
      },
      Qt::QueuedConnection);
}

int QueryRunner::pending() const { return pending_.load(); }

}  // namespace cctv::ui
