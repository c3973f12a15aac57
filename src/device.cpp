#include "vramfit/device.hpp"

#include <fmt/format.h>

namespace vramfit {
namespace {

std::string mib(Bytes b) { return fmt::format("{} MiB", b / k_mib); }

} // namespace

DeviceBudget device_budget(const GpuSpec& gpu, std::optional<Bytes> wired_limit_bytes) {
  DeviceBudget b;
  b.capacity_bytes = gpu.memory_bytes;
  if (gpu.backend == Backend::metal) {
    if (wired_limit_bytes) {
      b.total_bytes = *wired_limit_bytes;
      b.basis = "iogpu.wired_limit_mb " + mib(b.total_bytes);
    } else if (gpu.working_set_bytes) {
      b.total_bytes = *gpu.working_set_bytes;
      b.basis = "Metal working-set limit " + mib(b.total_bytes) + " (measured)";
    } else {
      b.total_bytes = default_apple_working_set_bytes(gpu.memory_bytes);
      b.total_estimated = true;
      b.basis = "Metal working-set limit ~" + mib(b.total_bytes) + " (estimated share of RAM)";
    }
  } else {
    b.total_bytes = gpu.reported_total_bytes.value_or(gpu.memory_bytes);
    b.basis = gpu.reported_total_bytes ? "reported total " + mib(b.total_bytes) : "nominal " + mib(b.total_bytes);
  }
  if (gpu.context_reserve_bytes) {
    b.reserve_bytes = *gpu.context_reserve_bytes;
  } else {
    b.reserve_bytes = default_context_reserve_bytes(gpu.backend);
    b.reserve_estimated = b.reserve_bytes > 0;
  }
  if (b.reserve_bytes > 0) {
    b.basis += fmt::format(" - {} context {}{}", name(gpu.backend), mib(b.reserve_bytes),
                           b.reserve_estimated ? " (estimated)" : " (measured)");
  }
  b.usable_bytes = b.total_bytes > b.reserve_bytes ? b.total_bytes - b.reserve_bytes : 0;
  return b;
}

} // namespace vramfit
