#pragma once

// The KV cache and recurrent state llama.cpp allocates for a context
// (src/llama-context.cpp, llama-kv-cache.cpp, llama-kv-cache-iswa.cpp,
// llama-memory-recurrent.cpp). Exact: these are ggml tensor sizes.

#include "vramfit/memory/layer_sums.hpp"
#include "vramfit/memory/run_settings.hpp"
#include "vramfit/model/ggml_type.hpp"
#include "vramfit/model/model.hpp"
#include "vramfit/support/bytes.hpp"

#include <cstdint>
#include <memory>
#include <vector>

namespace vramfit {

/// The cache geometry llama.cpp derives from the settings.
struct ContextLayout {
  std::uint64_t n_ctx = 0;                 ///< context after llama.cpp pads it to a multiple of 256
  std::uint64_t n_ctx_seq = 0;             ///< cells per stream
  std::uint32_t n_stream = 1;              ///< 1 when unified, else one stream per sequence
  std::uint32_t n_ubatch = 0;              ///< effective physical batch (capped by the context)
  std::uint64_t swa_cells_per_stream = 0;  ///< cells of each sliding-window layer per stream
};

/// The geometry for `spec` under `settings` (context 0 resolves to the native context).
ContextLayout context_layout(const ModelSpec& spec, const RunSettings& settings);

/// What a model's KV cache costs per cell under given cache types: the part
/// that does not change with the context, so a cache at any context is O(1).
/// K and V rows are whole blocks, so a layer's bytes are exactly its bytes per
/// cell times its cells.
struct KvProfile {
  LayerSums full_per_cell;    ///< K plus V bytes per cell of each full-attention block (0 elsewhere)
  LayerSums swa_per_cell;     ///< ... of each sliding-window block
  Bytes k_full_per_cell = 0;  ///< K bytes per cell, all full-attention blocks
  Bytes v_full_per_cell = 0;
  Bytes k_swa_per_cell = 0;
  Bytes v_swa_per_cell = 0;
  std::uint32_t full_layers = 0;
  std::uint32_t swa_layers = 0;
  std::uint64_t widest_quantized = 0;  ///< elements of quantized K plus V in the widest attending layer
};

/// The per-cell profile of `spec`'s cache under `settings`' cache types and
/// flash attention. Throws UsageError when a cache type does not divide a
/// layer's row.
KvProfile kv_profile(const ModelSpec& spec, const RunSettings& settings);

/// KV cache bytes, by cache (full-attention layers vs sliding-window layers) and by K/V.
struct KvCacheSize {
  Bytes k_bytes = 0;
  Bytes v_bytes = 0;
  Bytes full_bytes = 0;          ///< layers that attend to the whole context
  Bytes swa_bytes = 0;           ///< sliding-window layers
  std::uint64_t full_cells = 0;  ///< cells per full-attention layer (all streams)
  std::uint64_t swa_cells = 0;   ///< cells per sliding-window layer (all streams)
  std::uint32_t full_layers = 0;
  std::uint32_t swa_layers = 0;
  ContextLayout layout;                      ///< the geometry the cache was sized for
  std::uint64_t widest_quantized = 0;        ///< elements of quantized K plus V in the widest attending layer
  std::shared_ptr<const KvProfile> profile;  ///< the per-cell costs behind it

  /// K plus V.
  Bytes total_bytes() const;
  /// K plus V of main blocks [begin, end) (0 for recurrent blocks).
  Bytes range(std::uint32_t begin, std::uint32_t end) const;
  /// K plus V of main block `il`.
  Bytes at(std::uint32_t il) const { return range(il, il + 1); }
};

/// Whether the cache types of `settings` divide every attending layer's K and V
/// rows (q4_0 rows of 32 values do not divide a head of 80).
bool cache_types_fit(const ModelSpec& spec, const RunSettings& settings);

/// The KV cache llama.cpp allocates: only layers with attention hold one;
/// sliding-window layers hold pad256(min(n_ctx_seq, n_swa*(unified ? n_seq : 1) + n_ubatch))
/// cells per stream; MLA layers store K only. Throws UsageError when a cache
/// type does not divide a layer's row.
KvCacheSize kv_cache_size(const ModelSpec& spec, const RunSettings& settings);

/// The same from a profile made under the same cache types and flash attention: O(1).
KvCacheSize kv_cache_size(const ModelSpec& spec, const RunSettings& settings, std::shared_ptr<const KvProfile> profile);

/// The KV cache of llama.cpp's MTP draft context (llama-server --spec-type
/// draft-mtp, LLAMA_CONTEXT_TYPE_MTP): a plain cache that holds only the MTP
/// (nextn) blocks n_layer..n_layer_all()-1, at the model's context, sequences
/// and cache types (src/llama-model.cpp create_memory: the layer filter
/// `il >= n_layer()`). Zero for a model without MTP blocks. Exact.
KvCacheSize mtp_kv_cache_size(const ModelSpec& spec, const RunSettings& settings);

/// Recurrent (conv + SSM) state of linear-attention / SSM layers: F32, one slot
/// per sequence, independent of the context.
struct RecurrentStateSize {
  Bytes r_bytes = 0;  ///< convolution state
  Bytes s_bytes = 0;  ///< SSM / delta-rule state
  std::uint32_t layers = 0;
  std::uint32_t slots = 0;  ///< max(1, n_seq)

  /// Conv plus SSM state.
  Bytes total_bytes() const;
  /// One recurrent layer's share (0 without recurrent layers).
  Bytes per_layer_bytes() const;

  LayerSums per_layer;  ///< state of each main block (0 for attention blocks)
};

/// The recurrent state llama.cpp allocates for `spec` under `settings`.
RecurrentStateSize recurrent_state_size(const ModelSpec& spec, const RunSettings& settings);

}  // namespace vramfit
