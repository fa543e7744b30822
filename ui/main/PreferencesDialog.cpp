#include "main/PreferencesDialog.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace cctv::ui {

namespace {

constexpr std::int64_t kMiB = 1024 * 1024;

QLabel* note(const QString& text, QWidget* parent) {
  auto* l = new QLabel(text, parent);
  l->setWordWrap(true);
  QFont f = l->font();
  f.setPointSizeF(f.pointSizeF() * 0.92);
  l->setFont(f);
  l->setForegroundRole(QPalette::PlaceholderText);
  return l;
}

QWidget* row(QWidget* parent, std::initializer_list<QWidget*> widgets, int stretchFirst = 1) {
  auto* w = new QWidget(parent);
  auto* h = new QHBoxLayout(w);
  h->setContentsMargins(0, 0, 0, 0);
  bool first = true;
  for (QWidget* x : widgets) {
    h->addWidget(x, first ? stretchFirst : 0);
    first = false;
  }
  if (stretchFirst == 0) h->addStretch(1);  // a row of small widgets stays on the left
  return w;
}

PreferencesDialog::Page pageOf(config::Field f) {
  if (f & config::kListenerFields) return PreferencesDialog::Page::Receiver;
  if (f & config::kForwardFields) return PreferencesDialog::Page::Forwarding;
  if (f == config::ThemeField) return PreferencesDialog::Page::Appearance;
  return PreferencesDialog::Page::Storage;
}

}  // namespace

PreferencesDialog::PreferencesDialog(const config::Settings& current, config::Fields fixed, bool receiving,
                                     QWidget* parent)
    : QDialog(parent), current_(current), fixed_(fixed), receiving_(receiving) {
  setWindowTitle(tr("Preferences"));
  setObjectName(QStringLiteral("preferences"));
  auto* layout = new QVBoxLayout(this);
  if (fixed_) {
    QStringList flags;
    for (std::uint32_t bit = 1; bit <= config::ThemeField; bit <<= 1)
      if (fixed_ & bit) flags << config::fieldName(static_cast<config::Field>(bit), config::Naming::Flags);
    flags.removeDuplicates();
    auto* fixedNote = note(tr("Greyed values are set on the command line for this run (%1). Start cctv without "
                              "those flags to use the values saved here.")
                               .arg(flags.join(QStringLiteral(", "))),
                           this);
    fixedNote->setObjectName(QStringLiteral("fixedNote"));
    layout->addWidget(fixedNote);
  }
  tabs_ = new QTabWidget(this);
  const struct {
    const char* title;
    void (PreferencesDialog::*build)(QWidget*);
  } pages[] = {{"Receiver", &PreferencesDialog::buildReceiver},
               {"Storage", &PreferencesDialog::buildStorage},
               {"Forwarding", &PreferencesDialog::buildForwarding},
               {"Appearance", &PreferencesDialog::buildAppearance}};
  for (const auto& p : pages) {
    auto* page = new QWidget(tabs_);
    (this->*p.build)(page);
    tabs_->addTab(page, tr(p.title));
  }
  layout->addWidget(tabs_, 1);
  error_ = new QLabel(this);
  error_->setObjectName(QStringLiteral("error"));
  error_->setWordWrap(true);
  error_->setStyleSheet(QStringLiteral("color: #d03a2f"));
  error_->hide();
  layout->addWidget(error_);
  buttons_ = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Apply | QDialogButtonBox::Cancel, this);
  connect(buttons_, &QDialogButtonBox::accepted, this, &PreferencesDialog::accept);
  connect(buttons_, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(buttons_->button(QDialogButtonBox::Apply), &QPushButton::clicked, this, [this] { applyChanges(); });
  layout->addWidget(buttons_);
  if (httpPort_->isEnabled()) httpPort_->setFocus();  // the one most often changed
  resize(620, 520);
}

void PreferencesDialog::fix(QWidget* widget, config::Field field) {
  if (!(fixed_ & field)) return;
  widget->setEnabled(false);
  widget->setToolTip(tr("Set by %1 on the command line for this run")
                         .arg(config::fieldName(field, config::Naming::Flags)));
}

void PreferencesDialog::buildReceiver(QWidget* page) {
  auto* form = new QFormLayout(page);
  form->addRow(note(receiving_ ? tr("Changes apply at once: the receiver restarts on the new address (requests "
                                    "in flight get their answers, nothing queued is lost).")
                               : tr("This window does not receive: changes apply the next time cctv starts."),
                    page));
  httpPort_ = new QSpinBox(page);
  httpPort_->setObjectName(QStringLiteral("httpPort"));
  httpPort_->setRange(0, 65535);
  httpPort_->setSpecialValueText(tr("any free port"));
  httpPort_->setValue(current_.httpPort);
  fix(httpPort_, config::HttpPort);
  form->addRow(tr("OTLP/HTTP port"), httpPort_);

  grpc_ = new QCheckBox(tr("Listen for OTLP/gRPC on port"), page);
  grpc_->setObjectName(QStringLiteral("grpc"));
  grpc_->setChecked(current_.grpc);
  fix(grpc_, config::Grpc);
  grpcPort_ = new QSpinBox(page);
  grpcPort_->setObjectName(QStringLiteral("grpcPort"));
  grpcPort_->setRange(0, 65535);
  grpcPort_->setSpecialValueText(tr("any free port"));
  grpcPort_->setValue(current_.grpcPort);
  fix(grpcPort_, config::GrpcPort);
  grpcPort_->setEnabled(current_.grpc && !(fixed_ & config::GrpcPort));
  connect(grpc_, &QCheckBox::toggled, this, [this](bool on) { grpcPort_->setEnabled(on && !(fixed_ & config::GrpcPort)); });
  form->addRow(tr("OTLP/gRPC"), row(page, {grpc_, grpcPort_}, 0));

  bind_ = new QComboBox(page);
  bind_->setObjectName(QStringLiteral("bind"));
  bind_->setEditable(true);
  bind_->addItems({QStringLiteral("127.0.0.1"), QStringLiteral("::1"), QStringLiteral("0.0.0.0"), QStringLiteral("::")});
  bind_->setCurrentText(current_.bind);
  fix(bind_, config::Bind);
  form->addRow(tr("Listen address"), bind_);

  token_ = new QLineEdit(current_.token, page);
  token_->setObjectName(QStringLiteral("token"));
  token_->setEchoMode(QLineEdit::Password);
  token_->setPlaceholderText(tr("none: any local program may send"));
  showToken_ = new QToolButton(page);
  showToken_->setText(tr("Show"));
  showToken_->setCheckable(true);
  connect(showToken_, &QToolButton::toggled, this, [this](bool on) {
    token_->setEchoMode(on ? QLineEdit::Normal : QLineEdit::Password);
    showToken_->setText(on ? tr("Hide") : tr("Show"));
  });
  auto* generate = new QPushButton(tr("Generate"), page);
  generate->setObjectName(QStringLiteral("generateToken"));
  generate->setToolTip(tr("A new random token (256 bits from the system's random source)"));
  connect(generate, &QPushButton::clicked, this, [this] { token_->setText(config::generateToken()); });
  auto* copy = new QPushButton(tr("Copy"), page);
  connect(copy, &QPushButton::clicked, this, [this] { QApplication::clipboard()->setText(token_->text()); });
  QWidget* tokenRow = row(page, {token_, showToken_, generate, copy});
  if (fixed_ & config::Token) {
    fix(token_, config::Token);
    generate->setEnabled(false);
  }
  form->addRow(tr("Bearer token"), tokenRow);
  form->addRow(QString(), note(tr("Claude Code then sends it as OTEL_EXPORTER_OTLP_HEADERS=\"Authorization=Bearer "
                                  "…\" (Help → Set up Claude Code shows the lines)."),
                               page));
  insecure_ = new QCheckBox(tr("Allow a non-loopback address without a token (anyone who can reach it can write)"), page);
  insecure_->setObjectName(QStringLiteral("insecure"));
  insecure_->setChecked(current_.insecure);
  fix(insecure_, config::Insecure);
  form->addRow(QString(), insecure_);
}

void PreferencesDialog::buildStorage(QWidget* page) {
  auto* form = new QFormLayout(page);
  dbPath_ = new QLineEdit(current_.dbPath, page);
  dbPath_->setObjectName(QStringLiteral("dbPath"));
  dbPath_->setPlaceholderText(config::defaultDatabasePath());
  auto* browse = new QPushButton(tr("Browse…"), page);
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString start = dbPath_->text().isEmpty() ? config::defaultDatabasePath() : dbPath_->text();
    const QString picked = QFileDialog::getSaveFileName(this, tr("Database file"), start,
                                                        tr("cctv databases (*.db);;All files (*)"), nullptr,
                                                        QFileDialog::DontConfirmOverwrite);
    if (!picked.isEmpty()) dbPath_->setText(picked);
  });
  if (fixed_ & config::DbPath) browse->setEnabled(false);
  fix(dbPath_, config::DbPath);
  form->addRow(tr("Database file"), row(page, {dbPath_, browse}));
  form->addRow(QString(), note(tr("Takes effect when cctv starts again (empty: the default shown)."), page));

  retainDays_ = new QSpinBox(page);
  retainDays_->setObjectName(QStringLiteral("retainDays"));
  retainDays_->setRange(0, 3650);
  retainDays_->setSpecialValueText(tr("Keep everything"));
  retainDays_->setSuffix(tr(" days"));
  retainDays_->setValue(current_.retainDays);
  fix(retainDays_, config::RetainDays);
  form->addRow(tr("Remove sessions idle for more than"), retainDays_);
  retainMb_ = new QSpinBox(page);
  retainMb_->setObjectName(QStringLiteral("retainMb"));
  retainMb_->setRange(0, 1000000);
  retainMb_->setSpecialValueText(tr("No limit"));
  retainMb_->setSuffix(tr(" MiB"));
  retainMb_->setValue(static_cast<int>(std::min<std::int64_t>(current_.retainMb, 1000000)));
  fix(retainMb_, config::RetainMb);
  form->addRow(tr("Keep the data under"), retainMb_);
  form->addRow(QString(), note(tr("Old sessions are removed in the background, whole, with everything recorded under "
                                  "them; the most recent session is always kept. Applies at once."),
                               page));

  redact_ = new QCheckBox(tr("Store <REDACTED> instead of prompt text, responses, tool input and output, and raw API "
                             "bodies"),
                          page);
  redact_->setObjectName(QStringLiteral("redact"));
  redact_->setChecked(current_.redact);
  fix(redact_, config::Redact);
  form->addRow(tr("Redaction"), redact_);
  form->addRow(QString(), note(receiving_ ? tr("Applies at once to what arrives from then on (and to imports); what "
                                               "is stored stays as it is.")
                                          : tr("Applies the next time cctv receives."),
                               page));
}

void PreferencesDialog::buildForwarding(QWidget* page) {
  auto* form = new QFormLayout(page);
  forward_ = new QLineEdit(current_.forward, page);
  forward_->setObjectName(QStringLiteral("forward"));
  forward_->setPlaceholderText(tr("e.g. https://collector.example:4318 (empty: do not forward)"));
  fix(forward_, config::Forward);
  form->addRow(tr("Forward to"), forward_);
  form->addRow(QString(), note(tr("A base URL like OTEL_EXPORTER_OTLP_ENDPOINT: logs go to URL/v1/logs, metrics to "
                                  "URL/v1/metrics, traces to URL/v1/traces, as received."),
                               page));
  headers_ = new QPlainTextEdit(current_.forwardHeaders.join(QLatin1Char('\n')), page);
  headers_->setObjectName(QStringLiteral("forwardHeaders"));
  headers_->setPlaceholderText(tr("One K=V per line, e.g. Authorization=Bearer abc"));
  headers_->setMaximumHeight(90);
  fix(headers_, config::ForwardHeaders);
  form->addRow(tr("Headers"), headers_);
  forwardCa_ = new QLineEdit(current_.forwardCa, page);
  forwardCa_->setObjectName(QStringLiteral("forwardCa"));
  forwardCa_->setPlaceholderText(tr("only the system's CAs"));
  auto* browse = new QPushButton(tr("Browse…"), page);
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString picked = QFileDialog::getOpenFileName(this, tr("CA certificates (PEM)"), forwardCa_->text(),
                                                        tr("PEM files (*.pem *.crt);;All files (*)"));
    if (!picked.isEmpty()) forwardCa_->setText(picked);
  });
  if (fixed_ & config::ForwardCa) browse->setEnabled(false);
  fix(forwardCa_, config::ForwardCa);
  form->addRow(tr("Extra CA file"), row(page, {forwardCa_, browse}));
  queueMb_ = new QSpinBox(page);
  queueMb_->setObjectName(QStringLiteral("forwardQueueMax"));
  queueMb_->setRange(1, 1024 * 1024);
  queueMb_->setSuffix(tr(" MiB"));
  queueMb_->setValue(static_cast<int>(std::max<std::int64_t>(1, current_.forwardQueueMax / kMiB)));
  fix(queueMb_, config::ForwardQueueMax);
  form->addRow(tr("Queue at most"), queueMb_);
  form->addRow(QString(), note(receiving_ ? tr("URL, headers and CA file apply at once: the forwarder restarts, and "
                                               "requests already queued stay queued for the new upstream. The queue "
                                               "size applies the next time cctv starts.")
                                          : tr("Applies the next time cctv receives."),
                               page));
}

void PreferencesDialog::buildAppearance(QWidget* page) {
  auto* form = new QFormLayout(page);
  theme_ = new QComboBox(page);
  theme_->setObjectName(QStringLiteral("theme"));
  theme_->addItem(tr("System"), QVariant::fromValue(static_cast<int>(config::Theme::System)));
  theme_->addItem(tr("Light"), QVariant::fromValue(static_cast<int>(config::Theme::Light)));
  theme_->addItem(tr("Dark"), QVariant::fromValue(static_cast<int>(config::Theme::Dark)));
  theme_->setCurrentIndex(theme_->findData(static_cast<int>(current_.theme)));
  form->addRow(tr("Theme"), theme_);
  form->addRow(QString(), note(tr("System follows the desktop's palette."), page));
}

void PreferencesDialog::showPage(Page page) { tabs_->setCurrentIndex(static_cast<int>(page)); }

config::Settings PreferencesDialog::settings() const {
  config::Settings s = current_;
  auto take = [this](config::Field f) { return !(fixed_ & f); };
  if (take(config::HttpPort)) s.httpPort = httpPort_->value();
  if (take(config::Grpc)) s.grpc = grpc_->isChecked();
  if (take(config::GrpcPort)) s.grpcPort = grpcPort_->value();
  if (take(config::Bind)) s.bind = bind_->currentText().trimmed();
  if (take(config::Token)) s.token = token_->text().trimmed();
  if (take(config::Insecure)) s.insecure = insecure_->isChecked();
  if (take(config::DbPath)) s.dbPath = dbPath_->text().trimmed();
  if (take(config::RetainDays)) s.retainDays = retainDays_->value();
  if (take(config::RetainMb)) s.retainMb = retainMb_->value();
  if (take(config::Redact)) s.redact = redact_->isChecked();
  if (take(config::Forward)) s.forward = forward_->text().trimmed();
  if (take(config::ForwardHeaders)) {
    s.forwardHeaders.clear();
    for (const QString& line : headers_->toPlainText().split(QLatin1Char('\n'))) {
      const QString h = line.trimmed();
      if (!h.isEmpty()) s.forwardHeaders << h;
    }
  }
  if (take(config::ForwardCa)) s.forwardCa = forwardCa_->text().trimmed();
  // The spin box counts MiB; an exact byte count from before stays unless the MiB figure was changed.
  if (take(config::ForwardQueueMax) && queueMb_->value() != std::max<std::int64_t>(1, current_.forwardQueueMax / kMiB))
    s.forwardQueueMax = queueMb_->value() * kMiB;
  s.theme = static_cast<config::Theme>(theme_->currentData().toInt());
  return s;
}

void PreferencesDialog::setError(const QString& text) {
  error_->setText(text);
  error_->setVisible(!text.isEmpty());
}

QString PreferencesDialog::error() const { return error_->text(); }

bool PreferencesDialog::applyChanges() {
  const config::Settings s = settings();
  if (const config::Problem p = config::validate(s, config::Naming::Labels)) {
    showPage(pageOf(p.field));
    setError(p.message);
    return false;
  }
  if (apply_) {
    const QString failed = apply_(s);
    if (!failed.isEmpty()) {
      setError(failed);
      return false;
    }
  }
  current_ = s;
  setError({});
  return true;
}

void PreferencesDialog::accept() {
  if (applyChanges()) QDialog::accept();
}

}  // namespace cctv::ui
