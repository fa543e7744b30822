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
  spanJson_.clear();
  tree_->clear();
  value_->clear();
  title_->setText(tr("Select an event to inspect it."));
  copyValue_->setEnabled(false);
  copyEvent_->setEnabled(false);
}

void Inspector::setDetail(const data::EventDetail& detail) {
  detail_ = detail;
  spanJson_.clear();
  copyEvent_->setText(tr("Copy event as JSON"));
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

void Inspector::setSpan(const data::SpanItem& span) {
  detail_ = {};
  tree_->clear();
  value_->clear();
  const QString name = QString::fromStdString(span.name);
  title_->setText(tr("span %1 at %2").arg(name, fmt::dateTime(span.startNs)));
  QJsonObject json;
  auto* fields = new QTreeWidgetItem(tree_, {tr("Span")});
  auto add = [&](QTreeWidgetItem* parent, const QString& k, const QString& v) {
    auto* item = new QTreeWidgetItem(parent, {k, v});
    item->setToolTip(1, v.left(2000));
    return item;
  };
  const std::pair<const char*, QString> core[] = {
      {"name", name},
      {"traceId", QString::fromStdString(span.traceId)},
      {"spanId", QString::fromStdString(span.spanId)},
      {"parentSpanId", QString::fromStdString(span.parentSpanId)},
      {"startTimeUnixNano", QString::number(span.startNs)},
      {"endTimeUnixNano", QString::number(span.endNs)},
      {"duration", fmt::durationNs(span.endNs - span.startNs)},
      {"status", span.statusCode == 2 ? tr("error") : span.statusCode == 1 ? tr("ok") : tr("unset")},
      {"status.message", QString::fromStdString(span.statusMessage)},
  };
  for (const auto& [k, v] : core) {
    if (v.isEmpty()) continue;
    add(fields, QString::fromLatin1(k), v);
    json.insert(QString::fromLatin1(k), v);
  }
  auto* attrs = new QTreeWidgetItem(tree_, {tr("Attributes as sent")});
  QJsonObject attrJson;
  for (const auto& [k, v] : span.attributes) {
    add(attrs, QString::fromStdString(k), QString::fromStdString(v));
    attrJson.insert(QString::fromStdString(k), QString::fromStdString(v));
  }
  json.insert(QStringLiteral("attributes"), attrJson);
  QJsonArray eventsJson;
  if (!span.events.empty()) {
    auto* events = new QTreeWidgetItem(tree_, {tr("Span events")});
    for (const data::SpanEvent& e : span.events) {
      auto* item = add(events, QString::fromStdString(e.name), fmt::durationNs(e.timeNs - span.startNs) + tr(" after start"));
      QJsonObject ej{{QStringLiteral("name"), QString::fromStdString(e.name)},
                     {QStringLiteral("timeUnixNano"), QString::number(e.timeNs)}};
      QJsonObject ea;
      for (const auto& [k, v] : e.attributes) {
        add(item, QString::fromStdString(k), QString::fromStdString(v));
        ea.insert(QString::fromStdString(k), QString::fromStdString(v));
      }
      ej.insert(QStringLiteral("attributes"), ea);
      eventsJson.append(ej);
      item->setExpanded(true);
    }
    events->setExpanded(true);
  }
  json.insert(QStringLiteral("events"), eventsJson);
  fields->setExpanded(true);
  attrs->setExpanded(true);
  spanJson_ = QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Indented));
  copyEvent_->setText(tr("Copy span as JSON"));
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
  if (!spanJson_.isEmpty()) return spanJson_;
  QJsonObject o;
  for (const auto& [k, v] : detail_.fields) o.insert(QString::fromStdString(k), QString::fromStdString(v));
  o.insert(QStringLiteral("attributes"), QJsonDocument::fromJson(QByteArray::fromStdString(detail_.attributesJson)).object());
  o.insert(QStringLiteral("resource"), QJsonDocument::fromJson(QByteArray::fromStdString(detail_.resourceJson)).object());
  return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Indented));
}

}  // namespace cctv::ui
