#pragma once

// Every number vramfit estimates rather than computes exactly lives behind this
// header, and every constant behind it is in src/estimate.cpp with the data it
// came from (docs/ESTIMATES.md explains the rules). Weights, KV cache and
// recurrent state are exact and are not here.

#include "vramfit/bytes.hpp"
#include "vramfit/inventory.hpp"
#include "vramfit/kv_cache.hpp"
#include "vramfit/model.hpp"

#include <cstdint>
#include <string_view>
#include <vector>

namespace vramfit {

/// The ggml backend a device runs with.
enum class Backend : std::uint8_t { cuda, rocm, vulkan, metal, sycl, cpu };

/// llama.cpp's name for a backend family ("CUDA", "ROCm", "Metal").
std::string_view name(Backend backend) noexcept;

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
ComputeEstimate estimate_compute(const ModelSpec& spec, const RunSettings& settings,
                                 const KvCacheSize& kv, Backend backend, bool partial_offload = false);

/// Bytes a GGUF file adds to its tensor data: header, tensor infos (exact from
/// the names and shapes) and metadata key/values, dominated by the tokenizer
/// (estimated from the vocabulary size and BPE merges). Padded to 32 bytes.
Bytes estimate_gguf_metadata_bytes(const ModelSpec& spec, const std::vector<TensorSpec>& inventory);

/// Memory the driver and runtime context take on a device before any buffer
/// (the CUDA context, lazily loaded kernels). Used when the catalog has no
/// measurement for that card.
Bytes default_context_reserve_bytes(Backend backend) noexcept;

/// Metal's default recommendedMaxWorkingSetSize for a Mac with `ram_bytes` of
/// unified memory, when the catalog has no measurement: about 2/3 of RAM up to
/// 36 GiB, 3/4 above.
Bytes default_apple_working_set_bytes(Bytes ram_bytes) noexcept;

} // namespace vramfit
