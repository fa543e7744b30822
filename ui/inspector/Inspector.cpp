#include "inspector/Inspector.h"

#include <QApplication>
#include <QClipboard>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "Format.h"

namespace cctv::ui {

namespace {

// Pretty JSON when `text` is a JSON object or array, else the text itself.
QString pretty(const QString& text) {
  const QString t = text.trimmed();
  if (!(t.startsWith(QLatin1Char('{')) || t.startsWith(QLatin1Char('[')))) return text;
  QJsonParseError err{};
  const QJsonDocument doc = QJsonDocument::fromJson(t.toUtf8(), &err);
  return err.error == QJsonParseError::NoError ? QString::fromUtf8(doc.toJson(QJsonDocument::Indented)) : text;
}

QString jsonScalar(const QJsonValue& v) {
  switch (v.type()) {
    case QJsonValue::String: return v.toString();
    case QJsonValue::Bool: return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double: return QString::number(v.toDouble(), 'g', 17);
    case QJsonValue::Null: return QStringLiteral("null");
    default: return QString::fromUtf8(QJsonDocument(v.isArray() ? QJsonDocument(v.toArray()) : QJsonDocument(v.toObject())).toJson(QJsonDocument::Compact));
  }
}

void addJsonChildren(QTreeWidgetItem* parent, const QJsonObject& obj) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    auto* item = new QTreeWidgetItem(parent, {it.key(), jsonScalar(it.value())});
    item->setToolTip(1, item->text(1).left(2000));
    const QString v = item->text(1).trimmed();
    if (it.value().isString() && (v.startsWith(QLatin1Char('{')) || v.startsWith(QLatin1Char('[')))) {
      const QJsonDocument inner = QJsonDocument::fromJson(v.toUtf8());
      if (inner.isObject()) addJsonChildren(item, inner.object());
    }
  }
}

}  // namespace

Inspector::Inspector(QWidget* parent) : QWidget(parent) {
  title_ = new QLabel(tr("Select an event to inspect it."), this);
  title_->setWordWrap(true);
  QFont bold = title_->font();
  bold.setBold(true);
  title_->setFont(bold);
  tree_ = new QTreeWidget(this);
  tree_->setColumnCount(2);
  tree_->setHeaderLabels({tr("Field"), tr("Value")});
  tree_->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
  tree_->setUniformRowHeights(true);
  tree_->setAlternatingRowColors(true);
  value_ = new QPlainTextEdit(this);
  value_->setReadOnly(true);
  value_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  value_->setPlaceholderText(tr("The selected value, in full"));
  copyValue_ = new QPushButton(tr("Copy value"), this);
  copyEvent_ = new QPushButton(tr("Copy event as JSON"), this);
  copyValue_->setEnabled(false);
  copyEvent_->setEnabled(false);

  auto* split = new QSplitter(Qt::Vertical, this);
  split->addWidget(tree_);
  split->addWidget(value_);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 1);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(copyValue_);
  buttons->addWidget(copyEvent_);
  buttons->addStretch();
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addWidget(title_);
  layout->addWidget(split, 1);
  layout->addLayout(buttons);

  connect(tree_, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* cur) { showValue(cur); });
  connect(copyValue_, &QPushButton::clicked, this, [this] { QApplication::clipboard()->setText(value_->toPlainText()); });
  connect(copyEvent_, &QPushButton::clicked, this, [this] { QApplication::clipboard()->setText(eventJson()); });
}

void Inspector::clear() {
  detail_ = {};
  tree_->clear();
  value_->clear();
  title_->setText(tr("Select an event to inspect it."));
  copyValue_->setEnabled(false);
  copyEvent_->setEnabled(false);
}

void Inspector::setDetail(const data::EventDetail& detail) {
  detail_ = detail;
  tree_->clear();
  value_->clear();
  if (!detail.id) {
    clear();
    return;
  }
  QString name, time;
  for (const auto& [k, v] : detail.fields) {
    if (k == "event_name") name = QString::fromStdString(v);
    if (k == "timeUnixNano") time = fmt::dateTime(std::stoll(v));
  }
  title_->setText(tr("%1 at %2").arg(name.isEmpty() ? tr("event") : name, time));
  auto* fields = new QTreeWidgetItem(tree_, {tr("Normalized fields")});
  for (const auto& [k, v] : detail.fields) {
    auto* item = new QTreeWidgetItem(fields, {QString::fromStdString(k), QString::fromStdString(v)});
    item->setToolTip(1, item->text(1).left(2000));
    if (k == "tool_parameters" || k == "tool_input" || k == "extra_attributes") {
      const QJsonDocument inner = QJsonDocument::fromJson(QByteArray::fromStdString(v));
      if (inner.isObject()) addJsonChildren(item, inner.object());
    }
  }
  auto* attrs = new QTreeWidgetItem(tree_, {tr("Attributes as sent")});
  addJsonChildren(attrs, QJsonDocument::fromJson(QByteArray::fromStdString(detail.attributesJson)).object());
  auto* resource = new QTreeWidgetItem(tree_, {tr("Resource")});
  addJsonChildren(resource, QJsonDocument::fromJson(QByteArray::fromStdString(detail.resourceJson)).object());
  fields->setExpanded(true);
  attrs->setExpanded(false);
  resource->setExpanded(false);
  copyEvent_->setEnabled(true);
}

void Inspector::showValue(QTreeWidgetItem* item) {
  if (!item || item->text(1).isEmpty()) {
    value_->clear();
    copyValue_->setEnabled(false);
    return;
  }
  value_->setPlainText(pretty(item->text(1)));
  copyValue_->setEnabled(true);
}

QString Inspector::eventJson() const {
  QJsonObject o;
  for (const auto& [k, v] : detail_.fields) o.insert(QString::fromStdString(k), QString::fromStdString(v));
  o.insert(QStringLiteral("attributes"), QJsonDocument::fromJson(QByteArray::fromStdString(detail_.attributesJson)).object());
  o.insert(QStringLiteral("resource"), QJsonDocument::fromJson(QByteArray::fromStdString(detail_.resourceJson)).object());
  return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Indented));
}

}  // namespace cctv::ui
