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
  std::optional<double> fp16_tflops;           ///< dense FP16/BF16 tensor throughput, TFLOPS (FP32 accumulate)
  /// Dense FP16 tensor throughput with FP16 accumulate, where it is higher than
  /// fp16_tflops (GeForce cards run FP32 accumulate at half rate); llama.cpp's
  /// CUDA matrix kernels (cuBLAS FP16 compute, int8 MMQ) run at this rate.
  std::optional<double> fp16_accumulate_tflops;
  std::vector<std::string> aliases;  ///< other names, including what nvidia-smi / rocm-smi / Metal print
  std::string source;                ///< where the numbers come from, in one line
  std::vector<std::pair<std::string, std::string>> sources;  ///< per field: where it comes from
  std::string notes;
};

/// A device as a tool on this machine reported it (`--gpu auto`).
struct DetectedDevice {
  std::string tool;                          ///< "nvidia-smi", "rocm-smi", "sysctl"
  std::string name;                          ///< as the tool printed it ("NVIDIA GeForce RTX 3090")
  Bytes total_bytes = 0;                     ///< reported total (Apple: the machine's RAM)
  std::optional<Bytes> used_bytes;           ///< in use by every process when the tool ran
  std::optional<Bytes> free_bytes;           ///< free when the tool ran
  std::optional<Bytes> wired_limit_bytes;    ///< macOS iogpu.wired_limit_mb, when set (not 0)
  std::optional<std::uint32_t> macos_major;  ///< macOS kern.osproductversion's major number
};

/// Memory on a device that is not llama.cpp's to take: what a desktop or other
/// processes hold. Either an amount (`--reserve`) or the driver's free figure
/// (`--free`, or a detected device's).
struct DeviceOccupancy {
  std::optional<Bytes> in_use_bytes;  ///< held by others
  std::optional<Bytes> free_bytes;    ///< free as the driver reports it, before llama.cpp starts
  std::string origin;                 ///< "--reserve", "--free", "nvidia-smi", ...
};

/// How much of a device llama.cpp can fill, and why.
struct DeviceBudget {
  Bytes capacity_bytes = 0;                ///< nominal memory
  Bytes total_bytes = 0;                   ///< reported total (or nominal when unknown), or the working-set limit
  Bytes reserve_bytes = 0;                 ///< driver/runtime context subtracted from it
  Bytes in_use_bytes = 0;                  ///< held by other processes (--reserve, --free, a detected used figure)
  Bytes usable_bytes = 0;                  ///< total minus reserve and in-use: what buffers may take
  bool reserve_estimated = false;          ///< the reserve is the default estimate, not a measurement
  bool total_estimated = false;            ///< the total is an estimate (Apple working set without a measurement)
  std::string basis;                       ///< one line: how usable_bytes was derived
  std::optional<DetectedDevice> detected;  ///< the tool's figures, for `--gpu auto`
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
/// on unified-memory Apple GPUs (it replaces the working-set limit). Memory held
/// by others comes off the top: usable = total - context reserve - in use, where
/// in use is the larger of the stated amount and total - free. Throws UsageError
/// when the free figure exceeds the device's total. `macos_major` (26 and up:
/// Metal 4's larger working-set limits where a log gives them) applies to
/// Apple GPUs without a catalog measurement.
DeviceBudget device_budget(const GpuSpec& gpu, std::optional<Bytes> wired_limit_bytes = std::nullopt,
                           const DeviceOccupancy& occupancy = {},
                           std::optional<std::uint32_t> macos_major = std::nullopt);

}  // namespace vramfit
