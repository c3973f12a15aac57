#pragma once

// `--gpu auto`: runs the machine's own tools (nvidia-smi, rocm-smi, sysctl) and
// reads /proc/meminfo; the library parses what they print.

#include "vramfit/input/hardware.hpp"

#include <optional>
#include <string>
#include <vector>

namespace vramfit::cli {

/// What this machine reported.
struct DetectedMachine {
  std::vector<DetectedDevice> gpus;  ///< the first tool that found devices
  std::optional<HostMemory> ram;     ///< /proc/meminfo (Linux)
  std::vector<std::string> tried;    ///< "nvidia-smi: not installed", ... for the error message
};

/// Runs the tools in order (nvidia-smi, rocm-smi, sysctl) until one reports a
/// device. VRAMFIT_SYSROOT, when set, is a directory read in place of / for
/// /proc/meminfo (recorded machines in tests). Each tool gets 10 seconds.
DetectedMachine detect_machine();

}  // namespace vramfit::cli
