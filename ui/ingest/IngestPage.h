#pragma once
// The Ingest page: is the receiver listening, is data arriving, where does it go, and which requests
// were refused and why. The answer to "why is my telemetry not arriving?".

#include <QWidget>

#include "query/Data.h"

class QCheckBox;
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
  bool onlyProblems() const;
  QTableWidget* table() const { return table_; }

 Q_SIGNALS:
  void onlyProblemsChanged(bool on);

 private:
  QLabel* listener_;
  QLabel* database_;
  QLabel* totals_;
  QCheckBox* problems_;
  QTableWidget* table_;
  QLabel* empty_;
};

}  // namespace cctv::ui
