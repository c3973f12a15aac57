#include "vramfit/memory/kv_cache.hpp"

#include "vramfit/support/error.hpp"

#include <algorithm>
#include <limits>
#include <optional>
#include <string>

namespace vramfit {
namespace {

constexpr std::uint64_t k_ctx_pad = 256;  // llama_context pads n_ctx (and the SWA cache) to 256

std::uint64_t pad(std::uint64_t n, std::uint64_t to) {
  return (n + to - 1) / to * to;
}

bool is_cache_type(GgmlType t) {
  const auto types = kv_cache_types();
  return std::find(types.begin(), types.end(), t) != types.end();
}

}  // namespace

void validate(const RunSettings& s) {
  if (s.context_tokens > std::numeric_limits<std::uint32_t>::max()) {
    throw UsageError("--context: " + std::to_string(s.context_tokens) +
                     " tokens exceeds llama.cpp's limit of 4294967295");
  }
  if (s.n_seq == 0 || s.n_seq > 256) {
    throw UsageError("--parallel: must be between 1 and 256 sequences");
  }
  if (s.n_ubatch == 0 || s.n_batch == 0) {
    throw UsageError("--ubatch-size: must be positive");
  }
  if (!is_cache_type(s.type_k)) {
    throw UsageError("--cache-type-k: '" + lower_name(s.type_k) + "' is not a llama.cpp cache type");
  }
  if (!is_cache_type(s.type_v)) {
    throw UsageError("--cache-type-v: '" + lower_name(s.type_v) + "' is not a llama.cpp cache type");
  }
  if (is_quantized(s.type_v) && !s.flash_attn) {
    throw UsageError("--cache-type-v " + lower_name(s.type_v) +
                     ": a quantized V cache requires flash attention (llama.cpp refuses it without)");
  }
}

ContextLayout context_layout(const ModelSpec& spec, const RunSettings& s) {
  validate(s);
  ContextLayout l;
  const std::uint64_t requested = s.context_tokens == 0 ? spec.n_ctx_train : s.context_tokens;
  if (requested == 0) {
    throw UsageError("context: the model has no native context length; give --context");
  }
  if (requested > std::numeric_limits<std::uint32_t>::max()) {
    throw UsageError("--context: " + std::to_string(requested) + " tokens exceeds llama.cpp's limit of 4294967295");
  }
  // llama_context: n_batch is capped by the requested context (before padding),
  // n_ubatch by n_batch; then n_ctx is padded to 256.
  const std::uint64_t n_batch = std::min<std::uint64_t>(requested, s.n_batch);
  l.n_ubatch = static_cast<std::uint32_t>(std::min<std::uint64_t>(n_batch, s.n_ubatch));
  l.n_ctx = pad(requested, k_ctx_pad);
  if (s.kv_unified || s.n_seq == 1) {
    l.n_stream = s.kv_unified ? 1 : s.n_seq;
    l.n_ctx_seq = l.n_ctx;
  } else {
    l.n_stream = s.n_seq;
    l.n_ctx_seq = pad(l.n_ctx / s.n_seq, k_ctx_pad);
    if (l.n_ctx_seq == 0) {
      throw UsageError("--parallel: " + std::to_string(s.n_seq) + " sequences leave no context per sequence");
    }
    l.n_ctx = l.n_ctx_seq * s.n_seq;
  }
  const std::uint64_t window = checked_add(checked_mul(spec.n_swa, s.kv_unified ? s.n_seq : 1, "sliding window cells"),
                                           l.n_ubatch, "sliding window cells");
  const std::uint64_t swa_pad = s.swa_pad_256 || s.flash_attn ? k_ctx_pad : 32;
  l.swa_cells_per_stream =
      s.swa_full ? l.n_ctx_seq : std::min(l.n_ctx_seq, pad(std::min(l.n_ctx_seq, window), swa_pad));
  return l;
}

Bytes KvCacheSize::total_bytes() const {
  return checked_add(k_bytes, v_bytes, "KV cache");
}

namespace {

// A layer's cached K and V widths under the build's MLA rule.
std::uint64_t k_width(const ModelSpec& spec, const RunSettings& s, std::uint32_t il) {
  if (spec.mla && s.mla_cache == MlaCache::full_heads) {
    return spec.n_head * (spec.mla->qk_nope_head_dim + spec.mla->qk_rope_head_dim);
  }
  return spec.n_embd_k_gqa(il);
}

std::uint64_t v_gqa(const ModelSpec& spec, const RunSettings& s, std::uint32_t il) {
  if (spec.mla && s.mla_cache == MlaCache::full_heads) {
    return spec.n_head * spec.mla->v_head_dim;
  }
  if (spec.mla && s.mla_cache == MlaCache::latent_kv) {
    return spec.mla->kv_lora_rank;
  }
  return spec.n_embd_v_gqa(il);
}

// Without flash attention V is stored transposed and padded to the widest layer.
std::uint64_t widest_v(const ModelSpec& spec, const RunSettings& s) {
  std::uint64_t v_max = 0;
  for (std::uint32_t il = 0; il < spec.n_layer_all(); ++il) {
    v_max = std::max(v_max, v_gqa(spec, s, il));
  }
  return v_max;
}

// The first layer whose K or V row a cache type does not divide, if any.
struct Misfit {
  std::uint32_t layer;
  GgmlType type;
  std::uint64_t width;
};

// The V row a layer stores: its own width with flash attention; without, the
// transposed V padded to the widest layer (none for the V-less MLA cache).
std::uint64_t v_width(const ModelSpec& spec, const RunSettings& s, std::uint32_t il, std::uint64_t v_max) {
  if (s.flash_attn) {
    return v_gqa(spec, s, il);
  }
  return spec.mla && s.mla_cache == MlaCache::k_only ? 0 : v_max;
}

std::optional<Misfit> first_misfit(const ModelSpec& spec, const RunSettings& s, std::uint64_t v_max,
                                   std::uint32_t begin, std::uint32_t end) {
  for (std::uint32_t il = begin; il < end; ++il) {
    if (spec.kind(il) == LayerKind::recurrent) {
      continue;
    }
    const auto k = k_width(spec, s, il);
    const auto v = v_width(spec, s, il, v_max);
    if (!row_fits(s.type_k, k)) {
      return Misfit{il, s.type_k, k};
    }
    if (v > 0 && !row_fits(s.type_v, v)) {
      return Misfit{il, s.type_v, v};
    }
  }
  return std::nullopt;
}

// The per-cell profile of the cache of layers [begin, end): the main blocks
// for the model's context, the MTP blocks for the MTP draft context.
KvProfile profile_of_layers(const ModelSpec& spec, const RunSettings& s, std::uint32_t begin, std::uint32_t end) {
  const std::uint64_t v_max = widest_v(spec, s);
  if (const auto misfit = first_misfit(spec, s, v_max, begin, end)) {
    throw UsageError("cache type " + lower_name(misfit->type) + ": layer " + std::to_string(misfit->layer) +
                     " stores rows of " + std::to_string(misfit->width) + " elements, not a multiple of its block");
  }
  KvProfile out;
  std::vector<Bytes> full(end, 0);
  std::vector<Bytes> swa(end, 0);
  for (std::uint32_t il = begin; il < end; ++il) {
    const auto kind = spec.kind(il);
    if (kind == LayerKind::recurrent) {
      continue;
    }
    const bool sliding = kind == LayerKind::sliding_attention;
    const auto kw = k_width(spec, s, il);
    const auto vw = v_width(spec, s, il, v_max);
    out.widest_quantized = std::max(out.widest_quantized, (is_quantized(s.type_k) ? kw : 0) +
                                                              (is_quantized(s.type_v) ? v_gqa(spec, s, il) : 0));
    const Bytes k = row_bytes(s.type_k, kw);
    const Bytes v = vw == 0 ? 0 : row_bytes(s.type_v, vw);
    (sliding ? swa : full)[il] = checked_add(k, v, "KV cache");
    Bytes& k_sum = sliding ? out.k_swa_per_cell : out.k_full_per_cell;
    Bytes& v_sum = sliding ? out.v_swa_per_cell : out.v_full_per_cell;
    k_sum = checked_add(k_sum, k, "KV cache");
    v_sum = checked_add(v_sum, v, "KV cache");
    ++(sliding ? out.swa_layers : out.full_layers);
  }
  out.full_per_cell = LayerSums(full);
  out.swa_per_cell = LayerSums(swa);
  return out;
}

}  // namespace

bool cache_types_fit(const ModelSpec& spec, const RunSettings& settings) {
  return !first_misfit(spec, settings, widest_v(spec, settings), 0, spec.n_layer);
}

KvProfile kv_profile(const ModelSpec& spec, const RunSettings& s) {
  // Only the main blocks: the MTP blocks' cache belongs to the draft context.
  return profile_of_layers(spec, s, 0, spec.n_layer);
}

KvCacheSize kv_cache_size(const ModelSpec& spec, const RunSettings& s) {
  return kv_cache_size(spec, s, std::make_shared<const KvProfile>(kv_profile(spec, s)));
}

KvCacheSize kv_cache_size(const ModelSpec& spec, const RunSettings& s, std::shared_ptr<const KvProfile> profile) {
  const auto l = context_layout(spec, s);
  const auto& p = *profile;
  KvCacheSize out;
  out.layout = l;
  out.full_cells = checked_mul(l.n_ctx_seq, l.n_stream, "KV cells");
  out.swa_cells = checked_mul(l.swa_cells_per_stream, l.n_stream, "KV cells");
  out.full_layers = p.full_layers;
  out.swa_layers = p.swa_layers;
  out.widest_quantized = p.widest_quantized;
  const Bytes k_full = checked_mul(p.k_full_per_cell, out.full_cells, "KV cache");
  const Bytes v_full = checked_mul(p.v_full_per_cell, out.full_cells, "KV cache");
  const Bytes k_swa = checked_mul(p.k_swa_per_cell, out.swa_cells, "KV cache");
  const Bytes v_swa = checked_mul(p.v_swa_per_cell, out.swa_cells, "KV cache");
  out.k_bytes = checked_add(k_full, k_swa, "KV cache");
  out.v_bytes = checked_add(v_full, v_swa, "KV cache");
  out.full_bytes = checked_add(k_full, v_full, "KV cache");
  out.swa_bytes = checked_add(k_swa, v_swa, "KV cache");
  checked_add(out.full_bytes, out.swa_bytes, "KV cache");
  out.profile = std::move(profile);
  return out;
}

KvCacheSize mtp_kv_cache_size(const ModelSpec& spec, const RunSettings& s) {
  return kv_cache_size(spec, s,
                       std::make_shared<const KvProfile>(profile_of_layers(spec, s, spec.n_layer, spec.n_layer_all())));
}

Bytes KvCacheSize::range(std::uint32_t begin, std::uint32_t end) const {
  if (!profile) {
    return 0;
  }
  // Within the totals checked when the cache was sized.
  return profile->full_per_cell.range(begin, end) * full_cells + profile->swa_per_cell.range(begin, end) * swa_cells;
}

Bytes RecurrentStateSize::total_bytes() const {
  return checked_add(r_bytes, s_bytes, "recurrent state");
}

Bytes RecurrentStateSize::per_layer_bytes() const {
  return layers > 0 ? total_bytes() / layers : 0;
}

RecurrentStateSize recurrent_state_size(const ModelSpec& spec, const RunSettings& s) {
  RecurrentStateSize out;
  out.layers = spec.count(LayerKind::recurrent);
  out.slots = std::max<std::uint32_t>(1, s.n_seq);
  if (out.layers == 0) {
    return out;
  }
  constexpr Bytes k_f32 = 4;
  const Bytes per_slot_r = checked_mul(spec.n_embd_r(), k_f32, "recurrent state");
  const Bytes per_slot_s = checked_mul(spec.n_embd_s(), k_f32, "recurrent state");
  out.r_bytes = checked_mul(checked_mul(per_slot_r, out.slots, "recurrent state"), out.layers, "recurrent state");
  out.s_bytes = checked_mul(checked_mul(per_slot_s, out.slots, "recurrent state"), out.layers, "recurrent state");
  std::vector<Bytes> per_layer(spec.n_layer, 0);
  for (std::uint32_t il = 0; il < spec.n_layer; ++il) {
    per_layer[il] = spec.kind(il) == LayerKind::recurrent ? out.per_layer_bytes() : 0;
  }
  out.per_layer = LayerSums(per_layer);
  return out;
}

}  // namespace vramfit
