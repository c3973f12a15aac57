#include "vramfit/model/model.hpp"

#include "vramfit/model/arch.hpp"
#include "vramfit/support/error.hpp"

#include <string>
#include <utility>

namespace vramfit {

std::uint32_t ModelSpec::head_count_kv(std::uint32_t il) const {
  if (n_head_kv.empty()) {
    return 0;
  }
  return il < n_head_kv.size() ? n_head_kv[il] : n_head_kv.back();
}

LayerKind ModelSpec::kind(std::uint32_t il) const {
  return il < layers.size() ? layers[il] : LayerKind::attention;
}

std::uint64_t ModelSpec::n_embd_k_gqa(std::uint32_t il) const {
  if (mla) {
    // llama.cpp stores the compressed latent and the shared RoPE key: one "head".
    return mla->kv_lora_rank + mla->qk_rope_head_dim;
  }
  return n_embd_head_k * head_count_kv(il);
}

std::uint64_t ModelSpec::n_embd_v_gqa(std::uint32_t il) const {
  if (mla) {
    return 0;
  }
  return n_embd_head_v * head_count_kv(il);
}

std::uint64_t ModelSpec::n_embd_r() const {
  if (!ssm || ssm->d_conv == 0) {
    return 0;
  }
  return (ssm->d_conv - 1) * (ssm->d_inner + 2 * ssm->n_group * ssm->d_state);
}

std::uint64_t ModelSpec::n_embd_s() const {
  return ssm ? ssm->d_state * ssm->d_inner : 0;
}

bool ModelSpec::is_moe_layer(std::uint32_t il) const {
  return moe && moe->n_expert > 0 && il >= moe->n_layer_dense_lead &&
         (moe->interleave_step == 0 || (il + 1) % moe->interleave_step == 0);
}

std::uint32_t ModelSpec::count(LayerKind k) const {
  std::uint32_t n = 0;
  for (std::uint32_t il = 0; il < n_layer; ++il) {
    n += kind(il) == k ? 1U : 0U;
  }
  return n;
}

namespace {

[[noreturn]] void invalid(std::string_view origin, std::string_view field, std::string_view what) {
  throw InputError(std::string(origin) + ": " + std::string(field) + ": " + std::string(what));
}

}  // namespace

void validate(const ModelSpec& s, std::string_view origin) {
  if (s.arch.empty()) {
    invalid(origin, "arch", "missing architecture");
  }
  if (s.n_layer == 0) {
    invalid(origin, "block_count", "must be at least 1");
  }
  if (s.n_layer > 4096 || s.n_layer_nextn > 64) {
    invalid(origin, "block_count", "implausibly many layers (more than 4096)");
  }
  if (s.n_embd == 0) {
    invalid(origin, "embedding_length", "must be positive");
  }
  const auto moe = s.moe.value_or(MoeParams{});
  const auto ssm = s.ssm.value_or(SsmParams{});
  const auto mla = s.mla.value_or(MlaParams{});
  const std::pair<const char*, std::uint64_t> widths[] = {
      {"embedding_length", s.n_embd},
      {"vocab_size", s.n_vocab},
      {"feed_forward_length", s.n_ff},
      {"attention.key_length", s.n_embd_head_k},
      {"attention.value_length", s.n_embd_head_v},
      {"moe.expert_feed_forward_length", moe.n_ff_exp},
      {"moe.expert_shared_feed_forward_length", moe.n_ff_shexp},
      {"ssm.inner_size", ssm.d_inner},
      {"ssm.state_size", ssm.d_state},
      {"ssm.conv_kernel", ssm.d_conv},
      {"ssm.group_count", ssm.n_group},
      {"ssm.time_step_rank", ssm.dt_rank},
      {"mla.kv_lora_rank", mla.kv_lora_rank},
      {"mla.q_lora_rank", mla.q_lora_rank},
      {"mla.qk_rope_head_dim", mla.qk_rope_head_dim},
      {"mla.qk_nope_head_dim", mla.qk_nope_head_dim},
      {"mla.v_head_dim", mla.v_head_dim},
  };
  for (const auto& [field, value] : widths) {
    if (value > k_max_model_width) {
      invalid(origin, field,
              std::to_string(value) + " is implausibly large (more than " + std::to_string(k_max_model_width) + ")");
    }
  }
  if (s.n_head > 65536) {
    invalid(origin, "attention.head_count", "implausibly many heads (more than 65536)");
  }
  if (s.n_vocab == 0) {
    invalid(origin, "vocab_size", "must be positive");
  }
  const bool any_attention = s.count(LayerKind::recurrent) < s.n_layer || s.n_layer_nextn > 0;
  if (s.n_head == 0 && any_attention) {
    invalid(origin, "attention.head_count", "must be positive");
  }
  if (s.n_head_kv.size() != 1 && s.n_head_kv.size() != s.n_layer_all()) {
    invalid(origin, "attention.head_count_kv",
            "must be one number or one per layer (" + std::to_string(s.n_layer_all()) + ")");
  }
  for (std::uint32_t il = 0; il < s.n_layer_all(); ++il) {
    const auto kv = s.head_count_kv(il);
    const bool holds_kv = s.kind(il) != LayerKind::recurrent;
    if (holds_kv && !s.mla && (kv == 0 || s.n_head % kv != 0)) {
      invalid(origin, "attention.head_count_kv",
              "layer " + std::to_string(il) + ": " + std::to_string(kv) + " KV heads do not divide " +
                  std::to_string(s.n_head) + " heads");
    }
  }
  if (any_attention && !s.mla && (s.n_embd_head_k == 0 || s.n_embd_head_v == 0)) {
    invalid(origin, "attention.key_length", "head dimensions must be positive");
  }
  if (s.n_ctx_train > (std::uint64_t{1} << 32)) {
    invalid(origin, "context_length", "exceeds llama.cpp's 32-bit context");
  }
  if (s.layers.size() != s.n_layer) {
    invalid(origin, "layers",
            "layer layout has " + std::to_string(s.layers.size()) + " entries for " + std::to_string(s.n_layer) +
                " blocks");
  }
  const bool any_swa = s.count(LayerKind::sliding_attention) > 0;
  if (any_swa && s.n_swa == 0) {
    invalid(origin, "attention.sliding_window", "sliding-window layers need a window size");
  }
  const auto* traits = find_arch(s.arch);
  const bool shortconv = traits != nullptr && traits->shortconv;
  if (s.count(LayerKind::recurrent) > 0 && (!s.ssm || s.ssm->d_inner == 0 || (s.ssm->d_state == 0 && !shortconv))) {
    invalid(origin, "ssm", "recurrent layers need ssm.inner_size and ssm.state_size");
  }
  if (s.moe) {
    if (s.moe->n_expert == 0 || s.moe->n_expert_used == 0 || s.moe->n_ff_exp == 0) {
      invalid(origin, "moe", "expert_count, expert_used_count and expert_feed_forward_length must be positive");
    }
    if (s.moe->n_expert_used > s.moe->n_expert) {
      invalid(origin, "moe.expert_used_count", "more experts used than exist");
    }
    if (s.moe->n_expert > 65536) {
      invalid(origin, "moe.expert_count", "implausibly many experts (more than 65536)");
    }
    if (s.moe->n_layer_dense_lead > 0 && s.n_ff == 0) {
      invalid(origin, "feed_forward_length", "leading dense layers need a dense FFN width");
    }
  } else if (const auto* arch = find_arch(s.arch); s.n_ff == 0 && (arch == nullptr || arch->ffn_required)) {
    invalid(origin, "feed_forward_length", "must be positive for a dense model");
  }
  if (s.mla && s.mla->kv_lora_rank == 0) {
    invalid(origin, "mla.kv_lora_rank", "must be positive");
  }
}

ModelSpec with_mtp_layers(ModelSpec spec, std::uint32_t n) {
  std::uint32_t heads = 0;
  for (std::uint32_t il = 0; il < spec.n_layer; ++il) {
    if (spec.kind(il) != LayerKind::recurrent) {
      heads = spec.head_count_kv(il);
    }
  }
  spec.n_head_kv.resize(spec.n_layer);
  spec.n_layer_nextn = n;
  spec.n_head_kv.resize(spec.n_layer_all(), heads);
  validate(spec, "MTP layers");
  return spec;
}

std::vector<LayerKind> hybrid_layers(std::uint32_t n_layer, std::uint32_t interval) {
  std::vector<LayerKind> out(n_layer, LayerKind::recurrent);
  for (std::uint32_t il = 0; il < n_layer; ++il) {
    if (interval != 0 && (il + 1) % interval == 0) {
      out[il] = LayerKind::attention;
    }
  }
  return out;
}

std::vector<LayerKind> sliding_layers(std::uint32_t n_layer, std::uint32_t period) {
  std::vector<LayerKind> out(n_layer, LayerKind::attention);
  for (std::uint32_t il = 0; il < n_layer; ++il) {
    if (period > 1 && il % period < period - 1) {
      out[il] = LayerKind::sliding_attention;
    }
  }
  return out;
}

std::string recurrent_layer_name(const ModelSpec& spec) {
  const auto* arch = find_arch(spec.arch);
  return arch != nullptr && !arch->recurrent_name.empty() ? std::string(arch->recurrent_name) : std::string("Mamba2");
}

std::string describe_layers(const ModelSpec& s) {
  const auto full = s.count(LayerKind::attention);
  const auto swa = s.count(LayerKind::sliding_attention);
  const auto recr = s.count(LayerKind::recurrent);
  std::string out = std::to_string(s.n_layer) + " layers";
  if (swa == 0 && recr == 0) {
    return out + (s.mla ? ", all MLA attention" : ", all full attention");
  }
  out += ": " + std::to_string(full) + " full attention";
  if (swa > 0) {
    out += " + " + std::to_string(swa) + " sliding window (" + std::to_string(s.n_swa) + ")";
  }
  if (recr > 0) {
    out += " + " + std::to_string(recr) + " linear (" + recurrent_layer_name(s) + ")";
  }
  return out;
}

}  // namespace vramfit
