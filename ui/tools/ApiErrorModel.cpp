#include "tools/ApiErrorModel.h"

#include <QColor>
#include <QLocale>

namespace cctv::ui {
namespace {

// Error texts can be whole JSON bodies; the cell shows one line, the tooltip the rest (bounded).
constexpr int kMaxTooltipChars = 2000;

QString oneLine(const std::string& text) { return QString::fromStdString(text).simplified(); }

}  // namespace

ApiErrorModel::ApiErrorModel(QObject* parent) : KeyedRowsModel<data::ApiErrorStats>(parent) {}

QString ApiErrorModel::key(const data::ApiErrorStats& row) const {
  return QString::fromStdString(row.eventName) + QLatin1Char('\n') + QString::fromStdString(row.model) +
         QLatin1Char('\n') + QString::number(row.statusCode);
}

int ApiErrorModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant ApiErrorModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  const data::ApiErrorStats& row = rowAt(index.row());
  const auto column = static_cast<Column>(index.column());

  switch (role) {
    case Qt::DisplayRole:
      switch (column) {
        case Event:
          return QString::fromStdString(row.eventName);
        case Model:
          return row.model.empty() ? QStringLiteral("—") : QString::fromStdString(row.model);
        // api_refusal carries no status code.
        case Status:
          return row.statusCode > 0 ? QString::number(row.statusCode) : QStringLiteral("—");
        case Count:
          return QLocale().toString(static_cast<qlonglong>(row.count));
        case LastError:
          return oneLine(row.lastError);
        case ColumnCount:
          break;
      }
      break;
    case SortRole:
      switch (column) {
        case Event:
          return QString::fromStdString(row.eventName);
        case Model:
          return QString::fromStdString(row.model);
        case Status:
          return static_cast<qlonglong>(row.statusCode);
        case Count:
          return static_cast<qlonglong>(row.count);
        case LastError:
          return QString::fromStdString(row.lastError);
        case ColumnCount:
          break;
      }
      break;
    case Qt::TextAlignmentRole:
      if (column == Status || column == Count) return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
      return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::ForegroundRole:
      // Exhausted retries mean a request was lost for good: the one kind worth flagging in red.
      if (column == Event && row.eventName == "api_retries_exhausted") return QColor(0xd6, 0x45, 0x45);
      break;
    case Qt::ToolTipRole:
      if (column == LastError && !row.lastError.empty())
        return QString::fromStdString(row.lastError).left(kMaxTooltipChars);
      return tr("Double-click to list the %1 events").arg(QString::fromStdString(row.eventName));
    default:
      break;
  }
  return {};
}

QVariant ApiErrorModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount) return {};
  if (role == Qt::DisplayRole) {
    static const char* const titles[] = {QT_TR_NOOP("Event"), QT_TR_NOOP("Model"), QT_TR_NOOP("Status"),
                                         QT_TR_NOOP("Count"), QT_TR_NOOP("Last error")};
    return tr(titles[section]);
  }
  if (role == Qt::TextAlignmentRole) {
    const bool right = section == Status || section == Count;
    return QVariant::fromValue((right ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignVCenter);
  }
  return {};
}

}  // namespace cctv::ui
