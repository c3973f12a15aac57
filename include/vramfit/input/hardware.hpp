#pragma once

// What the tools on a machine print about its GPUs and memory, read into
// devices (`--gpu auto`). Text in, values out: running the tools is the
// caller's business.

#include "vramfit/memory/device.hpp"
#include "vramfit/support/bytes.hpp"

#include <optional>
#include <string_view>
#include <vector>

namespace vramfit {

/// The query vramfit runs; parse_nvidia_smi reads its output.
inline constexpr std::string_view k_nvidia_smi_query =
    "nvidia-smi --query-gpu=name,memory.total,memory.used,memory.free --format=csv";

/// Devices from nvidia-smi's `--query-gpu=... --format=csv` output, with or
/// without the header and the " MiB" units. With a header the columns follow
/// it (name, memory.total, memory.used, memory.free in any order, others
/// ignored); without one they are name, total, used, free. A missing used
/// figure is total - free. "[N/A]" figures are absent. Throws InputError
/// naming the line it cannot read.
std::vector<DetectedDevice> parse_nvidia_smi(std::string_view text);

/// The query vramfit runs; parse_rocm_smi reads its output.
inline constexpr std::string_view k_rocm_smi_query = "rocm-smi --showproductname --showmeminfo vram --json";

/// Devices from `rocm-smi --showproductname --showmeminfo vram --json`: one per
/// "cardN" object with "VRAM Total Memory (B)" (and "VRAM Total Used Memory
/// (B)", "Card Series" when printed). Devices of less than 1 GiB (an APU's
/// carve-out beside a discrete card) are left out. Throws InputError.
std::vector<DetectedDevice> parse_rocm_smi(std::string_view text);

/// The query vramfit runs on macOS; parse_sysctl reads its output.
inline constexpr std::string_view k_sysctl_query =
    "sysctl hw.memsize iogpu.wired_limit_mb machdep.cpu.brand_string kern.osproductversion";

/// An Apple-silicon Mac from sysctl's "key: value" lines: hw.memsize (required),
/// machdep.cpu.brand_string ("Apple M4 Pro"), iogpu.wired_limit_mb (0 = the
/// default limit), kern.osproductversion ("26.1": Metal's working-set rule). Returns nothing when hw.memsize is absent;
/// throws InputError on a malformed figure.
std::optional<DetectedDevice> parse_sysctl(std::string_view text);

/// System memory as /proc/meminfo states it.
struct HostMemory {
  Bytes total_bytes = 0;                 ///< MemTotal
  std::optional<Bytes> available_bytes;  ///< MemAvailable (kernels before 3.14 lack it)
};

/// MemTotal and MemAvailable from /proc/meminfo ("kB" figures). Throws
/// InputError when MemTotal is missing or malformed.
HostMemory parse_meminfo(std::string_view text);

/// The catalog name to look a detected device up by: nvidia-smi's and
/// rocm-smi's names as printed; a Mac as "<chip> <RAM> GB" ("Apple M4 Pro 64 GB").
std::string catalog_name(const DetectedDevice& device);

}  // namespace vramfit
