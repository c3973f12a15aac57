#pragma once

// llama.cpp's CPU "extra buffer types": weights that stay on the CPU are
// repacked into a layout the CPU's matrix kernels read faster, in memory of
// their own beside the memory-mapped file. Which weights, and how many bytes,
// depends on the CPU class of the CPU-backend variant that loads (llama.cpp
// ggml/src/ggml-cpu: amx/amx.cpp supports_op and get_alloc_size, repack.cpp
// ggml_repack_get_optimal_repack_type; src/llama-model.cpp make_cpu_buft_list).
//
// - AMX (Sapphire/Emerald/Granite Rapids, Linux or Windows): 2-D MUL_MAT
//   weights of Q4_0, Q4_1, Q8_0 (K % 32), Q4_K, Q5_K, Q6_K, IQ4_XS (K % 256)
//   and F16 (K % 16) with rows % 32; Q8_0, Q4_K, Q5_K and IQ4_XS blocks grow
//   by 4, 4, 4 and 2 bytes (compensation terms).
// - CPU_REPACK (x86 with AVX2, ARM with dot product): 2-D MUL_MAT and 3-D
//   MUL_MAT_ID (expert) weights of the types the class repacks, rows % 8 (or
//   % 4 for ARM's 4-row layouts); the copy is exactly the tensor's size.
// - Both are tried only for weights on the CPU, and only where no GPU host
//   buffer comes first: CPU-only and Metal builds. CUDA, ROCm, Vulkan and SYCL
//   builds put their host buffer (pinned, then mmapped) ahead of them.
// - token_embd (GET_ROWS), norms and biases never qualify. --no-repack
//   (use_extra_bufts = false) turns all of it off.
// KleidiAI (CPU_KLEIDIAI) is off in llama.cpp's default builds and is not modelled.

#include "vramfit/model/ggml_type.hpp"
#include "vramfit/model/inventory.hpp"
#include "vramfit/support/bytes.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace vramfit {

/// The host CPU as llama.cpp's CPU backend sees it.
enum class CpuClass : std::uint8_t {
  none,    ///< extra buffers off (--no-repack), or a CPU without repack kernels (x86-64 without AVX2)
  avx2,    ///< x86 with AVX2: CPU_REPACK for Q4_0, Q4_K, IQ4_NL, MXFP4
  avx512,  ///< x86 with AVX-512: CPU_REPACK adds Q2_K
  amx,     ///< x86 with AMX (Sapphire Rapids and later): AMX first, CPU_REPACK as AVX-512 for the rest
  arm64,   ///< ARM with dot product (Graviton, Ampere, Apple M-series): CPU_REPACK for Q4_0, Q4_K,
           ///< Q5_K, Q6_K, Q8_0, IQ4_NL, MXFP4, Q1_0
};

/// "none", "avx2", "avx512", "amx" or "arm64".
std::string_view name(CpuClass cpu) noexcept;

/// The class named `text`: none (also "off", "x86-64"), avx2, avx512, amx,
/// arm64 (also "apple", "aarch64"); case-insensitive.
std::optional<CpuClass> cpu_class_from_name(std::string_view text) noexcept;

/// Every class, for listings.
std::span<const CpuClass> cpu_classes() noexcept;

/// The extra buffer types, as llama.cpp names them in its logs.
enum class ExtraBuffer : std::uint8_t {
  none,    ///< the plain CPU buffer (or the mapped file)
  amx,     ///< "AMX"
  repack,  ///< "CPU_REPACK" ("CPU_AARCH64" before mid-2025)
};

/// "CPU", "AMX" or "CPU_REPACK".
std::string_view name(ExtraBuffer buffer) noexcept;

/// Where a CPU-resident weight goes, and what it allocates there.
struct ExtraPlacement {
  ExtraBuffer buffer = ExtraBuffer::none;
  Bytes bytes = 0;  ///< the allocation, padded to the buffer's 32-byte alignment (0 for none)
};

/// The extra buffer llama.cpp puts a CPU-resident weight of type `type` in
/// (AMX before CPU_REPACK), with its allocation.
ExtraPlacement extra_buffer_for(CpuClass cpu, const TensorSpec& tensor, GgmlType type);

/// Why llama.cpp aborts creating a context when `tensor` (typed `type`) is
/// on the CPU, or nothing: AMX accepts the 3-D MLA up-projections (attn_k_b;
/// attn_v_b with flash attention) at load, then meets them with permuted
/// activations it cannot run, and no backend can
/// (ggml-backend.cpp: GGML_ASSERT(*cur_backend_id != -1)).
std::optional<std::string_view> extra_buffer_abort(CpuClass cpu, const TensorSpec& tensor, GgmlType type,
                                                   bool flash_attn);

}  // namespace vramfit
