#pragma once

// Every number vramfit estimates rather than computes exactly lives behind this
// header, and every constant behind it is in src/estimate.cpp with the data it
// came from (docs/ESTIMATES.md explains the rules). Weights, KV cache and
// recurrent state are exact and are not here.

#include "vramfit/memory/backend.hpp"
#include "vramfit/memory/kv_cache.hpp"
#include "vramfit/model/inventory.hpp"
#include "vramfit/model/model.hpp"
#include "vramfit/support/bytes.hpp"

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace vramfit {

/// An estimated byte count with the range the estimate claims.
struct Estimate {
  Bytes bytes = 0;  ///< best guess
  Bytes low = 0;    ///< lower end of the stated range
  Bytes high = 0;   ///< upper end of the stated range
};

/// Device memory llama.cpp needs beyond weights and caches.
struct ComputeEstimate {
  Estimate compute_buffer;  ///< the graph allocator's compute buffer on the device
  Estimate overhead;        ///< backend scratch outside llama.cpp's buffers (pools, workspaces)
};

/// The compute buffer of the worst-case graph llama.cpp reserves (n_ubatch
/// tokens, all outputs, the full KV), and the backend's scratch beside it.
/// Rule: max over graph phases of the tensors alive together: logits
/// (n_vocab x n_ubatch, F32), attention scores without flash attention
/// (n_kv x n_ubatch x n_head, F32), the FFN / expert activations; the extra
/// activation rows per phase are calibrated per backend. `partial_offload`:
/// some weights stay on the CPU, so the graph is split and (on Vulkan) the
/// phases no longer share memory.
ComputeEstimate estimate_compute(const ModelSpec& spec, const RunSettings& settings, const KvCacheSize& kv,
                                 Backend backend, bool partial_offload = false);

/// What one decoded token reads from one memory pool (a GPU, or the host).
struct TokenTraffic {
  Bytes bytes = 0;                 ///< active weights, KV cache and state read per token
  double bandwidth_gbps = 0;       ///< the pool's memory bandwidth (10^9 bytes/s)
  Backend backend = Backend::cpu;  ///< who computes on it
  std::uint32_t layers = 0;        ///< blocks computed there (per-layer launch and sync cost)
};

/// Decode speed in tokens per second, with the range the rule claims.
struct SpeedEstimate {
  double tokens_per_second = 0;
  double low = 0;
  double high = 0;
};

/// A vision projector's compute buffers (mtmd's clip context, reserved at its
/// warmup image): on the device that holds it, and the CPU's share beside a
/// GPU. One llama.cpp log gives them (Qwen3.6-27B's BF16 mmproj, 1472 x 1472
/// warmup, flash attention on: CUDA0 248.10 MiB, CPU 24.93 MiB), one
/// ik_llama.cpp log the flash-attention-off size (Qwen3.5-122B's Q8_0 mmproj,
/// all on the CPU: 558.58 MiB); each projector type warms up at its own image
/// size, so the ranges are wide (docs/ESTIMATES.md).
struct ProjectorCompute {
  Estimate device;  ///< where the projector's weights are
  Estimate host;    ///< the CPU's share when the weights are on a GPU (zero otherwise)
};
ProjectorCompute estimate_projector_compute(bool flash_attn, bool on_gpu);

/// Decode speed of one sequence: per token, each pool's bytes at its bandwidth
/// times the backend's efficiency and the weight type's factor, plus a
/// per-layer cost, summed over the pools the token passes through (layer split
/// and offload are sequential). Fitted on published llama-bench rows by
/// bench/speed/fit.py; held-out error in bench/speed/REPORT.md.
SpeedEstimate estimate_decode_speed(const std::vector<TokenTraffic>& pools, double type_factor = 1.0);

/// How much faster than K-quants a file type's weights decode per byte
/// ("Q4_0" 1.172, "F16" 1.122, "MXFP4..." 0.9038; K and IQ types 1).
double decode_type_factor(std::string_view quant);

/// What one device computes for each prompt token, and what it must fetch.
struct PrefillWork {
  double matmul_flops = 0;     ///< 2 x the active parameters of the layers it runs, per token
  double attention_flops = 0;  ///< 4 x context seen x heads x head size over its attention layers, per token
  double peak_tflops = 0;      ///< its dense FP16 tensor rate, FP16 accumulate (0: unknown)
  Backend backend = Backend::cuda;
  /// Weights of its layers held in host memory: llama.cpp copies them to the
  /// GPU for every ubatch of a prompt (large batches run there).
  Bytes host_weight_bytes = 0;
};

/// Prompt processing speed in tokens per second over the devices a prompt
/// passes through one after another (layer split), or nothing when a device
/// has no known peak rate or its backend no fitted rule (Metal, SYCL, CPU).
/// Rule: efficiency[backend] x factor[type] x (peak / 100 TFLOPS)^-0.402 x
/// (0.505 for `moe` models) x peak / (matmul FLOPs + multiplier[backend] x
/// attention FLOPs), plus the host weights at k_default_link_gbps per
/// `n_ubatch` tokens. Fitted by
/// bench/speed/fit.py on published llama-bench pp rows; the range is the 10th
/// to 90th percentile of measured / predicted on held-out sources.
std::optional<SpeedEstimate> estimate_prefill_speed(const std::vector<PrefillWork>& devices, std::uint32_t n_ubatch,
                                                    double type_factor = 1.0, bool moe = false);

/// What the prefill rule of `backend` claims: measured speed = estimate x
/// [low, high] (10th and 90th percentile on held-out sources), or nothing where
/// the backend has no rule.
struct PrefillRange {
  double low = 0;
  double high = 0;
};
std::optional<PrefillRange> prefill_range(Backend backend);

/// How much faster than K-quants a file type's prompt processing runs
/// ("Q4_0" 0.856, "F16" 1.098; others 1).
double prefill_type_factor(std::string_view quant);

/// Host-to-GPU link bandwidth assumed for weights a prompt fetches from host
/// memory (PCIe 4.0 x16 class, 32 GB/s nominal): an assumption, not fitted.
inline constexpr double k_default_link_gbps = 25.0;

/// A duration in seconds, with the range the rules claim.
struct TimeEstimate {
  double seconds = 0;
  double low = 0;
  double high = 0;
};

/// Time to the first token of a `prompt_tokens` prompt: the prompt's prefill
/// and one decode step, with the range of each.
TimeEstimate time_to_first_token(std::uint64_t prompt_tokens, const SpeedEstimate& prefill,
                                 const SpeedEstimate& decode);

/// Unified memory under pressure: macOS and applications are assumed to keep a
/// quarter of RAM; what a model needs beyond the rest is paged from the SSD,
/// read at this rate for the same share of every token's bytes. Assumptions
/// fitted to one figure (Mac mini M4 Pro 24 GB, 15-22 tok/s); docs/ESTIMATES.md.
inline constexpr std::uint32_t k_unified_os_share_percent = 25;
inline constexpr double k_swap_bandwidth_gbps = 7.0;

/// The token traffic that comes from swap when a unified-memory machine with
/// `ram_bytes` holds `needed_bytes`: nothing when it fits in its share.
TokenTraffic swap_traffic(Bytes needed_bytes, Bytes ram_bytes, Bytes bytes_per_token);

/// Host memory bandwidth assumed for offloaded weights when --host-bandwidth
/// is not given: dual-channel DDR5 class, an assumption, not a measurement.
inline constexpr double k_default_host_bandwidth_gbps = 60.0;

/// Bytes a GGUF file adds to its tensor data: header, tensor infos (exact from
/// the names and shapes) and metadata key/values, dominated by the tokenizer
/// (estimated from the vocabulary size and BPE merges). Padded to 32 bytes.
Bytes estimate_gguf_metadata_bytes(const ModelSpec& spec, const std::vector<TensorSpec>& inventory);

/// Memory the driver and runtime context take on a device before any buffer
/// (the CUDA context, lazily loaded kernels). Used when the catalog has no
/// measurement for that card.
Bytes default_context_reserve_bytes(Backend backend) noexcept;

/// Metal's default recommendedMaxWorkingSetSize for a Mac with `ram_bytes` of
/// unified memory, when the catalog has no measurement: as macOS <= 15 logs
/// print it, 2/3 of RAM up to 32 GB and 3/4 from 36 GB up.
Bytes default_apple_working_set_bytes(Bytes ram_bytes) noexcept;

/// Metal's working-set limit on macOS 26 (Metal 4), which is higher than
/// earlier versions' and not a simple share of RAM: the value public logs print
/// for a Mac of `ram_bytes` (16, 24, 32 and 128 GB), or nothing where no log
/// of that RAM size exists.
std::optional<Bytes> apple_working_set_macos26_bytes(Bytes ram_bytes) noexcept;

}  // namespace vramfit
