#pragma once
// The Appearance preference: a light or dark QPalette for the whole application, or the platform's own.

#include <QPalette>

#include "config/Settings.h"

namespace cctv::ui {

// Sets the application palette. System restores the palette the platform gave at the first call.
void applyTheme(config::Theme theme);
QPalette themePalette(config::Theme theme);  // what applyTheme() sets

}  // namespace cctv::ui
