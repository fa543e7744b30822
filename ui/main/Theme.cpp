#include "main/Theme.h"

#include <QApplication>

namespace cctv::ui {

namespace {

// The platform's palette, as it was before cctv changed anything.
const QPalette& platformPalette() {
  static const QPalette original = QApplication::palette();
  return original;
}

QPalette darkPalette() {
  QPalette p;
  const QColor window(0x2b, 0x2d, 0x31), base(0x1f, 0x20, 0x23), text(0xe6, 0xe6, 0xe6);
  const QColor disabled(0x80, 0x80, 0x80), highlight(0x3d, 0x7e, 0xd6);
  p.setColor(QPalette::Window, window);
  p.setColor(QPalette::WindowText, text);
  p.setColor(QPalette::Base, base);
  p.setColor(QPalette::AlternateBase, QColor(0x28, 0x2a, 0x2e));
  p.setColor(QPalette::ToolTipBase, QColor(0x3a, 0x3c, 0x41));
  p.setColor(QPalette::ToolTipText, text);
  p.setColor(QPalette::PlaceholderText, QColor(0x9a, 0x9a, 0x9a));
  p.setColor(QPalette::Text, text);
  p.setColor(QPalette::Button, QColor(0x35, 0x37, 0x3c));
  p.setColor(QPalette::ButtonText, text);
  p.setColor(QPalette::BrightText, QColor(0xff, 0x6b, 0x6b));
  p.setColor(QPalette::Link, QColor(0x6c, 0xa8, 0xf0));
  p.setColor(QPalette::LinkVisited, QColor(0xa8, 0x8c, 0xf0));
  p.setColor(QPalette::Highlight, highlight);
  p.setColor(QPalette::HighlightedText, Qt::white);
  p.setColor(QPalette::Light, QColor(0x45, 0x47, 0x4c));
  p.setColor(QPalette::Midlight, QColor(0x3a, 0x3c, 0x41));
  p.setColor(QPalette::Mid, QColor(0x25, 0x26, 0x29));
  p.setColor(QPalette::Dark, QColor(0x18, 0x19, 0x1b));
  p.setColor(QPalette::Shadow, Qt::black);
  for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
    p.setColor(QPalette::Disabled, role, disabled);
  p.setColor(QPalette::Disabled, QPalette::Base, window);
  p.setColor(QPalette::Disabled, QPalette::Highlight, QColor(0x50, 0x50, 0x50));
  return p;
}

QPalette lightPalette() {
  QPalette p;
  const QColor window(0xef, 0xef, 0xef), text(0x1e, 0x1e, 0x1e);
  p.setColor(QPalette::Window, window);
  p.setColor(QPalette::WindowText, text);
  p.setColor(QPalette::Base, Qt::white);
  p.setColor(QPalette::AlternateBase, QColor(0xf5, 0xf5, 0xf5));
  p.setColor(QPalette::ToolTipBase, QColor(0xff, 0xff, 0xdc));
  p.setColor(QPalette::ToolTipText, text);
  p.setColor(QPalette::PlaceholderText, QColor(0x80, 0x80, 0x80));
  p.setColor(QPalette::Text, text);
  p.setColor(QPalette::Button, window);
  p.setColor(QPalette::ButtonText, text);
  p.setColor(QPalette::BrightText, Qt::white);
  p.setColor(QPalette::Link, QColor(0x1a, 0x5f, 0xb4));
  p.setColor(QPalette::Highlight, QColor(0x30, 0x8c, 0xc6));
  p.setColor(QPalette::HighlightedText, Qt::white);
  p.setColor(QPalette::Light, Qt::white);
  p.setColor(QPalette::Midlight, QColor(0xca, 0xca, 0xca));
  p.setColor(QPalette::Mid, QColor(0xb8, 0xb8, 0xb8));
  p.setColor(QPalette::Dark, QColor(0x9f, 0x9f, 0x9f));
  p.setColor(QPalette::Shadow, QColor(0x76, 0x76, 0x76));
  for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
    p.setColor(QPalette::Disabled, role, QColor(0x9a, 0x9a, 0x9a));
  return p;
}

}  // namespace

QPalette themePalette(config::Theme theme) {
  switch (theme) {
    case config::Theme::Dark: return darkPalette();
    case config::Theme::Light: return lightPalette();
    case config::Theme::System: break;
  }
  return platformPalette();
}

void applyTheme(config::Theme theme) {
  platformPalette();  // remember it before the first change
  QApplication::setPalette(themePalette(theme));
}

}  // namespace cctv::ui
