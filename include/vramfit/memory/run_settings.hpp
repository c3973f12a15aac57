#pragma once

// How an engine runs a model: llama.cpp's context parameters that decide the
// KV cache, the recurrent state and the compute buffers.

#include "vramfit/model/ggml_type.hpp"

#include <cstdint>

namespace vramfit {

/// How llama.cpp caches multi-head latent attention (DeepSeek V2/V3, Kimi K2):
/// the rule of the build that runs, for reading older logs.
enum class MlaCache : std::uint8_t {
  k_only,      ///< the latent and the RoPE key, no V (PR #19067, January 2026, and later)
  latent_kv,   ///< the same K plus a V of kv_lora_rank (PR #12801, April 2025, until then)
  full_heads,  ///< every head's K (nope + rope) and V, as plain attention (before PR #12801)
};

/// How the engine runs the model. Defaults are llama.cpp's (llama-cli) defaults.
struct RunSettings {
  std::uint64_t context_tokens = 8192;  ///< requested n_ctx in tokens; 0 means the model's native context
  std::uint32_t n_seq = 1;              ///< parallel sequences (n_seq_max / --parallel)
  std::uint32_t n_batch = 2048;         ///< logical batch (--batch-size)
  std::uint32_t n_ubatch = 512;         ///< physical batch (--ubatch-size)
  GgmlType type_k = GgmlType::f16;      ///< --cache-type-k
  GgmlType type_v = GgmlType::f16;      ///< --cache-type-v
  bool flash_attn = true;               ///< --flash-attn (llama.cpp "auto" enables it on supported GPUs)
  bool kv_unified = false;              ///< --kv-unified: one cache shared by all sequences
  bool swa_full = false;                ///< --swa-full: sliding-window layers keep the whole context
  bool kv_offload = true;               ///< false: -nkvo, the KV cache and recurrent state stay in host memory
  /// Outputs a batch may produce (llama.cpp's n_outputs_max): 0 for every token
  /// of the batch, the default; a draft model's context asks for one per sequence.
  std::uint32_t n_outputs_max = 0;
  /// Pad the sliding-window cache to 256 cells (llama.cpp since Nov 2025, PR #17046);
  /// older builds padded to 256 with flash attention and 32 without.
  bool swa_pad_256 = true;
  MlaCache mla_cache = MlaCache::k_only;  ///< older builds' MLA cache (verify of old logs)
};

/// Checks `settings` against llama.cpp's rules (cache type names, quantized V
/// needs flash attention, context within 2^32); throws UsageError.
void validate(const RunSettings& settings);

}  // namespace vramfit
