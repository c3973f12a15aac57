#include "vramfit/memory/device.hpp"

#include "vramfit/memory/estimate.hpp"
#include "vramfit/support/error.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace vramfit {
namespace {

std::string mib(Bytes b) {
  return fmt::format("{} MiB", b / k_mib);
}

}  // namespace

DeviceBudget device_budget(const GpuSpec& gpu, std::optional<Bytes> wired_limit_bytes, const DeviceOccupancy& occupancy,
                           std::optional<std::uint32_t> macos_major) {
  DeviceBudget b;
  b.capacity_bytes = gpu.memory_bytes;
  if (gpu.backend == Backend::metal) {
    if (wired_limit_bytes) {
      b.total_bytes = *wired_limit_bytes;
      b.basis = "iogpu.wired_limit_mb " + mib(b.total_bytes);
    } else if (gpu.working_set_bytes) {
      b.total_bytes = *gpu.working_set_bytes;
      b.basis = "Metal working-set limit " + mib(b.total_bytes) + " (measured)";
    } else if (const auto v26 = macos_major && *macos_major >= 26 && gpu.memory == MemoryKind::unified
                                    ? apple_working_set_macos26_bytes(gpu.memory_bytes)
                                    : std::nullopt) {
      b.total_bytes = *v26;
      b.basis = "Metal working-set limit " + mib(b.total_bytes) + " (macOS 26, as logged on Macs of this RAM)";
    } else {
      b.total_bytes = default_apple_working_set_bytes(gpu.memory_bytes);
      b.total_estimated = true;
      const bool unmeasured_26 = macos_major && *macos_major >= 26;
      b.basis = "Metal working-set limit ~" + mib(b.total_bytes) +
                (unmeasured_26 ? " (macOS 15's share of RAM: no macOS 26 log for this RAM size, whose limit is higher)"
                               : " (estimated share of RAM, macOS 15; --macos 26 for Metal 4's)");
    }
  } else {
    b.total_bytes = gpu.reported_total_bytes.value_or(gpu.memory_bytes);
    b.basis = gpu.reported_total_bytes ? "reported total " + mib(b.total_bytes) : "nominal " + mib(b.total_bytes);
    // A marketed decimal capacity (H200's "141 GB") can be below what the driver
    // reports: the device holds what it reports.
    b.capacity_bytes = std::max(b.capacity_bytes, b.total_bytes);
  }
  // Never more than the device has (a wired limit above the RAM, say).
  b.total_bytes = std::min(b.total_bytes, b.capacity_bytes);
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
  b.in_use_bytes = occupancy.in_use_bytes.value_or(0);
  if (occupancy.free_bytes) {
    // The driver's free figure is of the device's whole memory (Apple: the
    // machine's RAM), before llama.cpp's own context exists.
    const Bytes whole = gpu.memory == MemoryKind::unified ? b.capacity_bytes : b.total_bytes;
    if (*occupancy.free_bytes > whole) {
      throw UsageError(fmt::format("{}: {} free is more than {}'s {}", occupancy.origin, mib(*occupancy.free_bytes),
                                   gpu.id, mib(whole)));
    }
    b.in_use_bytes = std::max(b.in_use_bytes, whole - *occupancy.free_bytes);
  }
  if (b.in_use_bytes > 0) {
    b.basis += fmt::format(" - in use {} ({})", mib(b.in_use_bytes), occupancy.origin);
  }
  // Discrete memory loses what others hold. Unified memory keeps its GPU
  // limit until the rest of the machine's RAM runs short of it.
  const Bytes held =
      gpu.memory == MemoryKind::unified
          ? (b.total_bytes + b.in_use_bytes > b.capacity_bytes ? b.total_bytes + b.in_use_bytes - b.capacity_bytes : 0)
          : b.in_use_bytes;
  const Bytes taken = b.reserve_bytes + held;
  b.usable_bytes = b.total_bytes > taken ? b.total_bytes - taken : 0;
  return b;
}

GpuSpec GpuGroup::combined() const {
  if (gpus.size() == 1) {
    return gpus.front();
  }
  GpuSpec g = gpus.front();
  g.id = id;
  g.aliases.clear();
  g.memory_bytes = 0;
  g.bandwidth_gbps = 0;
  g.reported_total_bytes.reset();
  g.context_reserve_bytes.reset();
  g.working_set_bytes.reset();
  // "2x GeForce RTX 3090", or the names joined with " + ".
  const bool same = std::all_of(gpus.begin(), gpus.end(), [&](const GpuSpec& x) { return x.id == gpus.front().id; });
  g.name = same ? fmt::format("{}x {}", gpus.size(), gpus.front().name) : std::string{};
  for (const auto& x : gpus) {
    g.memory_bytes = checked_add(g.memory_bytes, x.memory_bytes, "GPU memory");
    g.bandwidth_gbps += x.bandwidth_gbps;
    if (!same) {
      g.name += (g.name.empty() ? "" : " + ") + x.name;
    }
  }
  return g;
}

DeviceBudget GpuGroup::combined_budget() const {
  if (budgets.size() == 1) {
    return budgets.front();
  }
  DeviceBudget b;
  for (const auto& x : budgets) {
    b.capacity_bytes = checked_add(b.capacity_bytes, x.capacity_bytes, "GPU memory");
    b.total_bytes = checked_add(b.total_bytes, x.total_bytes, "GPU memory");
    b.reserve_bytes = checked_add(b.reserve_bytes, x.reserve_bytes, "GPU memory");
    b.in_use_bytes = checked_add(b.in_use_bytes, x.in_use_bytes, "GPU memory");
    b.usable_bytes = checked_add(b.usable_bytes, x.usable_bytes, "GPU memory");
    b.reserve_estimated = b.reserve_estimated || x.reserve_estimated;
    b.total_estimated = b.total_estimated || x.total_estimated;
  }
  b.basis = fmt::format("{} GPUs, layers split in proportion to usable memory", budgets.size());
  return b;
}

}  // namespace vramfit
