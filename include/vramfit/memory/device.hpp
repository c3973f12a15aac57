#pragma once

// GPUs and how much of their memory a model may use.

#include "vramfit/memory/backend.hpp"
#include "vramfit/support/bytes.hpp"

#include <optional>
#include <string>
#include <vector>

namespace vramfit {

/// Whether the GPU has its own memory or shares the host's.
enum class MemoryKind : std::uint8_t { discrete, unified };

/// A GPU as the catalog describes it.
struct GpuSpec {
  std::string id;      ///< catalog id ("rtx3090")
  std::string name;    ///< display name ("GeForce RTX 3090")
  std::string vendor;  ///< "NVIDIA", "AMD", "Intel", "Apple"
  Backend backend = Backend::cuda;
  MemoryKind memory = MemoryKind::discrete;
  Bytes memory_bytes = 0;                      ///< nominal capacity (unified: the machine's RAM)
  std::optional<Bytes> reported_total_bytes;   ///< what the driver reports as total (nvidia-smi)
  std::optional<Bytes> context_reserve_bytes;  ///< measured driver/runtime context on this card
  std::optional<Bytes> working_set_bytes;      ///< measured Metal recommendedMaxWorkingSetSize
  double bandwidth_gbps = 0;                   ///< memory bandwidth, GB/s
  std::optional<double> fp16_tflops;           ///< dense FP16/BF16 tensor throughput, TFLOPS (prefill speed)
  std::vector<std::string> aliases;            ///< other names, including what nvidia-smi / rocm-smi / Metal print
  std::string source;                          ///< where the numbers come from, in one line
  std::vector<std::pair<std::string, std::string>> sources;  ///< per field: where it comes from
  std::string notes;
};

/// How much of a device llama.cpp can fill, and why.
struct DeviceBudget {
  Bytes capacity_bytes = 0;        ///< nominal memory
  Bytes total_bytes = 0;           ///< reported total (or nominal when unknown), or the working-set limit
  Bytes reserve_bytes = 0;         ///< driver/runtime context subtracted from it
  Bytes usable_bytes = 0;          ///< total minus reserve: what buffers may take
  bool reserve_estimated = false;  ///< the reserve is the default estimate, not a measurement
  bool total_estimated = false;    ///< the total is an estimate (Apple working set without a measurement)
  std::string basis;               ///< one line: how usable_bytes was derived
};

/// GPUs that serve one model together in one host (llama.cpp's layer split):
/// one GPU, "2xrtx3090", or "rtx3090+rtx4060ti-16gb".
struct GpuGroup {
  std::string id;                     ///< canonical: "rtx3090", "2xrtx3090", "rtx3090+rtx4060ti-16gb"
  std::vector<GpuSpec> gpus;          ///< in llama.cpp's device order
  std::vector<DeviceBudget> budgets;  ///< index-aligned with gpus

  /// The group as one column: memory and bandwidth summed, the first GPU's backend.
  GpuSpec combined() const;
  /// The budgets summed.
  DeviceBudget combined_budget() const;
};

/// The budget of `gpu`. `wired_limit_bytes` models macOS's iogpu.wired_limit_mb
/// on unified-memory Apple GPUs (it replaces the working-set limit).
DeviceBudget device_budget(const GpuSpec& gpu, std::optional<Bytes> wired_limit_bytes = std::nullopt);

}  // namespace vramfit
