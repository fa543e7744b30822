#include "tools/ToolStatsModel.h"

#include <QColor>
#include <QLocale>
#include <algorithm>

#include "costs/PageFormat.h"

namespace cctv::ui {

ToolStatsModel::ToolStatsModel(QObject* parent) : KeyedRowsModel<data::ToolStats>(parent) {}

QString ToolStatsModel::key(const data::ToolStats& row) const { return QString::fromStdString(row.toolName); }

int ToolStatsModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

double ToolStatsModel::successRatio(const data::ToolStats& stats) {
  const std::int64_t finished = stats.successes + stats.failures;
  if (finished <= 0) return -1;
  return static_cast<double>(stats.successes) / static_cast<double>(finished);
}

QString ToolStatsModel::rejectedBy(const data::ToolStats& stats) {
  auto sources = stats.rejectionsBySource;
  std::stable_sort(sources.begin(), sources.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  QStringList parts;
  for (const auto& [source, count] : sources) {
    if (count <= 0) continue;
    parts << QStringLiteral("%1 %2")
                 .arg(source.empty() ? QStringLiteral("unknown") : QString::fromStdString(source))
                 .arg(count);
  }
  return parts.join(QStringLiteral(", "));
}

QVariant ToolStatsModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  const data::ToolStats& row = rowAt(index.row());
  const auto column = static_cast<Column>(index.column());
  const QLocale locale;

  switch (role) {
    case Qt::DisplayRole:
      switch (column) {
        case Tool:
          return QString::fromStdString(row.toolName);
        case Calls:
          return locale.toString(static_cast<qlonglong>(row.calls));
        case Success:
          return pagefmt::percent(successRatio(row));
        case Failures:
          return locale.toString(static_cast<qlonglong>(row.failures));
        case P50:
          return row.calls > 0 ? pagefmt::duration(row.p50Ms) : QStringLiteral("—");
        case P95:
          return row.calls > 0 ? pagefmt::duration(row.p95Ms) : QStringLiteral("—");
        case Rejections:
          return locale.toString(static_cast<qlonglong>(row.rejections));
        case RejectedBy:
          return rejectedBy(row);
        case ColumnCount:
          break;
      }
      break;
    case SortRole:
      switch (column) {
        case Tool:
          return QString::fromStdString(row.toolName);
        case Calls:
          return static_cast<qlonglong>(row.calls);
        case Success:
          return successRatio(row);
        case Failures:
          return static_cast<qlonglong>(row.failures);
        case P50:
          return row.p50Ms;
        case P95:
          return row.p95Ms;
        case Rejections:
          return static_cast<qlonglong>(row.rejections);
        case RejectedBy:
          return rejectedBy(row);
        case ColumnCount:
          break;
      }
      break;
    case RatioRole:
      return successRatio(row);
    case Qt::TextAlignmentRole:
      if (column == Tool || column == RejectedBy) return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
      return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::ForegroundRole:
      // Only problems get colour, so they stand out in a column of ordinary numbers.
      if ((column == Failures && row.failures > 0) || (column == Rejections && row.rejections > 0))
        return QColor(0xd6, 0x45, 0x45);
      break;
    case Qt::ToolTipRole:
      switch (column) {
        case Success:
          return tr("%1 of %2 finished calls succeeded").arg(row.successes).arg(row.successes + row.failures);
        case P50:
        case P95:
          return tr("Median %1 · 95th percentile %2 (tool_result duration_ms)")
              .arg(pagefmt::duration(row.p50Ms), pagefmt::duration(row.p95Ms));
        case RejectedBy:
          return rejectedBy(row);
        default:
          return tr("Double-click to list the tool_result events of %1").arg(QString::fromStdString(row.toolName));
      }
    default:
      break;
  }
  return {};
}

QVariant ToolStatsModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount) return {};
  if (role == Qt::DisplayRole) {
    static const char* const titles[] = {QT_TR_NOOP("Tool"),       QT_TR_NOOP("Calls"),      QT_TR_NOOP("Success"),
                                         QT_TR_NOOP("Failures"),   QT_TR_NOOP("p50"),        QT_TR_NOOP("p95"),
                                         QT_TR_NOOP("Rejections"), QT_TR_NOOP("Rejected by")};
    return tr(titles[section]);
  }
  if (role == Qt::ToolTipRole) {
    switch (section) {
      case Calls:
        return tr("tool_result events");
      case P50:
        return tr("Median duration");
      case P95:
        return tr("95th percentile duration");
      case Rejections:
        return tr("tool_decision events with decision = reject");
      case RejectedBy:
        return tr("Who rejected: config (settings rules), user_reject (the user said no), …");
      default:
        break;
    }
  }
  if (role == Qt::TextAlignmentRole) {
    const bool left = section == Tool || section == RejectedBy;
    return QVariant::fromValue((left ? Qt::AlignLeft : Qt::AlignRight) | Qt::AlignVCenter);
  }
  return {};
}

}  // namespace cctv::ui
