#include "ingest/SetupDialog.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace cctv::ui {

QString SetupDialog::envBlock(const QString& url, const QString& token, const QString& protocol) {
  QString s = QStringLiteral(
                  "export CLAUDE_CODE_ENABLE_TELEMETRY=1\n"
                  "export OTEL_LOGS_EXPORTER=otlp\n"
                  "export OTEL_METRICS_EXPORTER=otlp\n"
                  "export OTEL_EXPORTER_OTLP_PROTOCOL=%1\n"
                  "export OTEL_EXPORTER_OTLP_ENDPOINT=%2\n")
                  .arg(protocol, url);
  if (!token.isEmpty()) s += QStringLiteral("export OTEL_EXPORTER_OTLP_HEADERS=\"Authorization=Bearer %1\"\n").arg(token);
  s += QStringLiteral(
      "export OTEL_LOGS_EXPORT_INTERVAL=1000\n"
      "export OTEL_METRIC_EXPORT_INTERVAL=1000\n"
      "# optional: prompt text and tool details\n"
      "export OTEL_LOG_USER_PROMPTS=1\n"
      "export OTEL_LOG_TOOL_DETAILS=1\n"
      "# optional: spans, for nested prompt waterfalls (Claude Code's beta enhanced telemetry)\n"
      "export OTEL_TRACES_EXPORTER=otlp\n"
      "export OTEL_TRACES_EXPORT_INTERVAL=1000\n"
      "export CLAUDE_CODE_ENHANCED_TELEMETRY_BETA=1\n");
  return s;
}

QString SetupDialog::managedSettings(const QString& url, const QString& token, const QString& protocol) {
  QJsonObject env{{QStringLiteral("CLAUDE_CODE_ENABLE_TELEMETRY"), QStringLiteral("1")},
                  {QStringLiteral("OTEL_LOGS_EXPORTER"), QStringLiteral("otlp")},
                  {QStringLiteral("OTEL_METRICS_EXPORTER"), QStringLiteral("otlp")},
                  {QStringLiteral("OTEL_EXPORTER_OTLP_PROTOCOL"), protocol},
                  {QStringLiteral("OTEL_EXPORTER_OTLP_ENDPOINT"), url}};
  if (!token.isEmpty()) env.insert(QStringLiteral("OTEL_EXPORTER_OTLP_HEADERS"), QStringLiteral("Authorization=Bearer ") + token);
  return QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("env"), env}}).toJson(QJsonDocument::Indented));
}

SetupDialog::SetupDialog(const QString& url, const QString& token, QWidget* parent, const QString& grpcUrl)
    : QDialog(parent), url_(url), token_(token), grpcUrl_(grpcUrl) {
  setWindowTitle(tr("Set up Claude Code"));
  protocol_ = new QComboBox(this);
  protocol_->addItems({QStringLiteral("http/json"), QStringLiteral("http/protobuf")});
  if (!grpcUrl_.isEmpty()) protocol_->addItem(QStringLiteral("grpc"));
  auto mono = [this] {
    auto* e = new QPlainTextEdit(this);
    e->setReadOnly(true);
    e->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    e->setLineWrapMode(QPlainTextEdit::NoWrap);
    return e;
  };
  env_ = mono();
  json_ = mono();
  waiting_ = new QLabel(this);
  setEventsStored(0);

  auto copyRow = [this](QPlainTextEdit* edit, const QString& label) {
    auto* b = new QPushButton(label, this);
    connect(b, &QPushButton::clicked, this, [edit] { QApplication::clipboard()->setText(edit->toPlainText()); });
    return b;
  };
  auto* layout = new QVBoxLayout(this);
  auto* top = new QFormLayout;
  top->addRow(tr("Protocol"), protocol_);
  layout->addLayout(top);
  layout->addWidget(new QLabel(tr("In the shell where you run <code>claude</code>:"), this));
  layout->addWidget(env_);
  layout->addWidget(copyRow(env_, tr("Copy environment")), 0, Qt::AlignLeft);
  layout->addWidget(new QLabel(tr("Or in managed settings (<code>/etc/claude-code/managed-settings.json</code>):"), this));
  layout->addWidget(json_);
  layout->addWidget(copyRow(json_, tr("Copy managed settings")), 0, Qt::AlignLeft);
  layout->addWidget(waiting_);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  layout->addWidget(buttons);
  connect(protocol_, &QComboBox::currentIndexChanged, this, &SetupDialog::rebuild);
  rebuild();
  resize(680, 620);
}

void SetupDialog::rebuild() {
  // The exporter takes an http:// endpoint for gRPC too (grpc://host:port is cctv's own notation).
  const QString protocol = protocol_->currentText();
  QString url = url_;
  if (protocol == QLatin1String("grpc")) url = QString(grpcUrl_).replace(QStringLiteral("grpc://"), QStringLiteral("http://"));
  env_->setPlainText(envBlock(url, token_, protocol));
  json_->setPlainText(managedSettings(url, token_, protocol));
}

void SetupDialog::setListener(const QString& url, const QString& token, const QString& grpcUrl) {
  url_ = url;
  token_ = token;
  grpcUrl_ = grpcUrl;
  const int grpcItem = protocol_->findText(QStringLiteral("grpc"));
  if (grpcUrl_.isEmpty() && grpcItem >= 0) protocol_->removeItem(grpcItem);  // rebuilds if it was selected
  if (!grpcUrl_.isEmpty() && grpcItem < 0) protocol_->addItem(QStringLiteral("grpc"));
  rebuild();
}

QString SetupDialog::environmentText() const { return env_->toPlainText(); }

void SetupDialog::setEventsStored(qint64 events) {
  if (events > 0)
    waiting_->setText(tr("<span style='color:#2e9d50'>● Receiving: %1 events stored.</span>").arg(events));
  else
    waiting_->setText(tr("<span style='color:#c77c02'>● Waiting for the first event… run claude with the settings above.</span>"));
}

}  // namespace cctv::ui
