#pragma once
// The windowed app: receiver + main window in one process, and the --screenshot renderer.

#include "Options.h"

namespace cctv::app {

// Runs the window until it closes; returns the exit code. Needs a QApplication.
int runGui(const Options& options);

}  // namespace cctv::app
