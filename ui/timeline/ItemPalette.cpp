#include "timeline/ItemPalette.h"

namespace cctv::ui {

QColor itemColor(ColorRole role, int modelSlot) {
  static const QRgb kModels[kModelColorCount] = {
      0xB07AA1,  // opus: purple
      0x4E79A7,  // sonnet: blue
      0x76B7B2,  // haiku: teal
      0xF28E2B,  // others: orange, brown, olive
      0x9C755F,
      0x8CA252,
  };
  switch (role) {
    case ColorRole::Prompt: return QColor(0x7F8FA6);
    case ColorRole::Model:
      return QColor(kModels[modelSlot >= 0 && modelSlot < kModelColorCount ? modelSlot : 1]);
    case ColorRole::ApiError: return QColor(0xE15759);
    case ColorRole::ToolOk: return QColor(0x59A14F);
    case ColorRole::ToolFailed: return QColor(0xE15759);
    case ColorRole::ToolUnknown: return QColor(0xA0A0A0);
    case ColorRole::PermissionWait: return QColor(0xD9A21B);
    case ColorRole::Reject: return QColor(0xD62728);
    case ColorRole::Hook: return QColor(0xE377C2);
    case ColorRole::Neutral: return QColor(0x8C8C8C);
  }
  return QColor(0x8C8C8C);
}

QColor textColorOn(const QColor& background) {
  // Relative luminance (sRGB weights); the threshold favours white text on the mid tones of the palette.
  const double l = 0.2126 * background.redF() + 0.7152 * background.greenF() + 0.0722 * background.blueF();
  return l > 0.62 ? QColor(Qt::black) : QColor(Qt::white);
}

}  // namespace cctv::ui
