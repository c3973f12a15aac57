#include "detect.hpp"

#include "file_source.hpp"
#include "session.hpp"

#include "vramfit/support/error.hpp"

#include <cstdio>
#include <fstream>
#include <sys/wait.h>

namespace vramfit::cli {
namespace {

constexpr std::size_t k_max_tool_output = 1U << 20;

struct ToolRun {
  bool ran = false;  ///< the tool exists and exited 0
  std::string output;
};

// Runs `command` (a constant: no user text reaches the shell) with a time limit
// where coreutils' timeout exists, standard error discarded.
ToolRun run_tool(std::string_view command) {
  const std::string program(command.substr(0, command.find(' ')));
  const std::string line = "command -v " + program + " >/dev/null 2>&1 || exit 127; " +
                           "if command -v timeout >/dev/null 2>&1; then exec timeout 10 " + std::string(command) +
                           " 2>/dev/null; else exec " + std::string(command) + " 2>/dev/null; fi";
  const std::string shell = "sh -c '" + line + "'";
  ToolRun run;
  FILE* pipe = popen(shell.c_str(), "r");
  if (pipe == nullptr) {
    return run;
  }
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) {
    if (run.output.size() < k_max_tool_output) {
      run.output.append(buffer, n);
    }
  }
  const int status = pclose(pipe);
  run.ran = status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  return run;
}

std::string status_of(std::string_view tool, const ToolRun& run, std::size_t devices) {
  if (!run.ran && run.output.empty()) {
    return std::string(tool) + ": not installed, or it failed";
  }
  return std::string(tool) + ": " + std::to_string(devices) + " devices";
}

}  // namespace

DetectedMachine detect_machine() {
  DetectedMachine m;
  const auto nvidia = run_tool(k_nvidia_smi_query);
  if (nvidia.ran) {
    m.gpus = parse_nvidia_smi(nvidia.output);
  }
  m.tried.push_back(status_of("nvidia-smi", nvidia, m.gpus.size()));
  if (m.gpus.empty()) {
    const auto rocm = run_tool(k_rocm_smi_query);
    if (rocm.ran) {
      m.gpus = parse_rocm_smi(rocm.output);
    }
    m.tried.push_back(status_of("rocm-smi", rocm, m.gpus.size()));
  }
  if (m.gpus.empty()) {
    // sysctl prints the keys it knows and fails on the others (Linux knows none).
    const auto mac = run_tool(k_sysctl_query);
    if (auto d = parse_sysctl(mac.output)) {
      m.gpus.push_back(std::move(*d));
    }
    m.tried.emplace_back(m.gpus.empty() ? "sysctl: no hw.memsize (not a Mac)" : "sysctl: a Mac");
  }
  const std::string root = Session::environment("VRAMFIT_SYSROOT").value_or("");
  const std::string meminfo = root + "/proc/meminfo";
  if (std::ifstream(meminfo).good()) {
    m.ram = parse_meminfo(read_text_file(meminfo, "/proc/meminfo"));
  }
  return m;
}

}  // namespace vramfit::cli
