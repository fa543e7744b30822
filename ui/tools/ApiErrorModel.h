#pragma once
// One row per (event, model, status code) of failed API calls: api_error, api_retries_exhausted, api_refusal.

#include "query/Data.h"
#include "tools/KeyedRowsModel.h"

namespace cctv::ui {

class ApiErrorModel : public KeyedRowsModel<data::ApiErrorStats> {
  Q_OBJECT

 public:
  enum Column { Event, Model, Status, Count, LastError, ColumnCount };

  explicit ApiErrorModel(QObject* parent = nullptr);

  int columnCount(const QModelIndex& parent = QModelIndex()) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 protected:
  QString key(const data::ApiErrorStats& row) const override;
};

}  // namespace cctv::ui
