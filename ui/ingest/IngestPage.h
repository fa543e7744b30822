#pragma once
// The Ingest page: is the receiver listening, is data arriving, where does it go, and which requests
// were refused and why. The answer to "why is my telemetry not arriving?".

#include <QWidget>

#include "forward/Forwarder.h"
#include "query/Data.h"

class QCheckBox;
class QGroupBox;
class QLabel;
class QTableWidget;

namespace cctv::ui {

class IngestPage : public QWidget {
  Q_OBJECT
 public:
  explicit IngestPage(QWidget* parent = nullptr);

  // error empty when listening; grpcUrl empty when gRPC is off.
  void setListener(const QString& url, const QString& error, const QString& grpcUrl = {});
  void setDatabase(const QString& path);
  void setTotals(const data::StoreTotals& totals, double eventsPerSecond);
  void setLog(const std::vector<data::IngestLogRow>& rows);
  // Shows the Forwarding box (hidden until called): upstream, state, last error, queue, counts.
  void setForwarding(const forward::ForwardStatus& status, std::int64_t nowNs);
  void clearForwarding();  // not forwarding (any more): the box goes
  QLabel* forwardState() const { return forwardState_; }
  QString listenerText() const;
  bool onlyProblems() const;
  QTableWidget* table() const { return table_; }

 Q_SIGNALS:
  void onlyProblemsChanged(bool on);

 private:
  QLabel* listener_;
  QLabel* database_;
  QLabel* totals_;
  QGroupBox* forwarding_;
  QLabel* forwardUpstream_;
  QLabel* forwardState_;
  QLabel* forwardError_;
  QLabel* forwardQueue_;
  QLabel* forwardCounts_;
  QCheckBox* problems_;
  QTableWidget* table_;
  QLabel* empty_;
};

}  // namespace cctv::ui
