#include "vramfit/model/inventory.hpp"

#include "model/builders.hpp"

#include "vramfit/model/arch.hpp"
#include "vramfit/support/error.hpp"

#include <algorithm>
#include <charconv>
#include <functional>
#include <initializer_list>
#include <map>

namespace vramfit {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) noexcept {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// The type a tensor has in an F16/BF16 conversion: llama.cpp's converter keeps
// 1-D tensors (norms, biases, scales), MoE routers and SSM conv/decay tensors in
// F32 and writes the 2-D/3-D weight matrices in the output type.
GgmlType conversion_type(std::string_view name, std::size_t n_dims) {
  if (n_dims < 2 || ends_with(name, ".bias") || name.find("ffn_gate_inp") != std::string_view::npos ||
      name.find("ssm_conv1d") != std::string_view::npos || ends_with(name, "ssm_a")) {
    return GgmlType::f32;
  }
  return GgmlType::f16;
}

class Builder {
public:
  explicit Builder(const ModelSpec& spec) : m_spec(spec) {}

  void add(const std::string& name, std::initializer_list<std::uint64_t> shape) {
    add_typed(name, shape, conversion_type(name, shape.size()));
  }

  void add_typed(const std::string& name, std::initializer_list<std::uint64_t> shape, GgmlType type) {
    TensorSpec t;
    t.name = name;
    t.ne = {1, 1, 1, 1};
    std::size_t i = 0;
    for (const auto d : shape) {
      t.ne[i++] = d;
    }
    t.n_dims = static_cast<std::uint32_t>(shape.size());
    t.type = type;
    t.layer = layer_of(name);
    m_out.push_back(std::move(t));
  }

  static std::string blk(std::uint32_t il, std::string_view rest) {
    return "blk." + std::to_string(il) + "." + std::string(rest);
  }

  // token_embd, output_norm and (untied) output, in the converter's order.
  void embeddings() {
    add("token_embd.weight", {m_spec.n_embd, m_spec.n_vocab});
    add("output_norm.weight", {m_spec.n_embd});
    if (!m_spec.tied_embeddings) {
      add("output.weight", {m_spec.n_embd, m_spec.n_vocab});
    }
  }

  // Which of the Q/K/V/O projections carry a bias.
  enum class Bias { none, qkv, qkvo };

  // Standard Q/K/V/O projections of layer il. q_width is the Q projection's
  // output width (doubled for Qwen3.5's gated attention).
  void attention(std::uint32_t il, std::uint64_t q_width, Bias bias) {
    const auto& s = m_spec;
    const auto kv = s.head_count_kv(il);
    const auto o_in = s.n_head * s.n_embd_head_k;
    const bool qkv_bias = bias != Bias::none;
    add(blk(il, "attn_q.weight"), {s.n_embd, q_width});
    if (qkv_bias) {
      add(blk(il, "attn_q.bias"), {q_width});
    }
    add(blk(il, "attn_k.weight"), {s.n_embd, kv * s.n_embd_head_k});
    if (qkv_bias) {
      add(blk(il, "attn_k.bias"), {kv * s.n_embd_head_k});
    }
    add(blk(il, "attn_v.weight"), {s.n_embd, kv * s.n_embd_head_v});
    if (qkv_bias) {
      add(blk(il, "attn_v.bias"), {kv * s.n_embd_head_v});
    }
    add(blk(il, "attn_output.weight"), {o_in, s.n_embd});
    if (bias == Bias::qkvo) {
      add(blk(il, "attn_output.bias"), {s.n_embd});
    }
  }

  void qk_norm(std::uint32_t il) {
    add(blk(il, "attn_q_norm.weight"), {m_spec.n_embd_head_k});
    add(blk(il, "attn_k_norm.weight"), {m_spec.n_embd_head_k});
  }

  void dense_ffn(std::uint32_t il, std::uint64_t n_ff) {
    add(blk(il, "ffn_gate.weight"), {m_spec.n_embd, n_ff});
    add(blk(il, "ffn_up.weight"), {m_spec.n_embd, n_ff});
    add(blk(il, "ffn_down.weight"), {n_ff, m_spec.n_embd});
  }

  // Routed experts: router, then gate/up/down stacked over experts.
  void routed_experts(std::uint32_t il, GgmlType expert_type, bool bias) {
    const auto& s = m_spec;
    const auto& m = *s.moe;
    add(blk(il, "ffn_gate_inp.weight"), {s.n_embd, m.n_expert});
    if (bias) {
      add(blk(il, "ffn_gate_inp.bias"), {m.n_expert});
    }
    add_typed(blk(il, "ffn_gate_exps.weight"), {s.n_embd, m.n_ff_exp, m.n_expert}, expert_type);
    if (bias) {
      add(blk(il, "ffn_gate_exps.bias"), {m.n_ff_exp, m.n_expert});
    }
    add_typed(blk(il, "ffn_up_exps.weight"), {s.n_embd, m.n_ff_exp, m.n_expert}, expert_type);
    if (bias) {
      add(blk(il, "ffn_up_exps.bias"), {m.n_ff_exp, m.n_expert});
    }
    add_typed(blk(il, "ffn_down_exps.weight"), {m.n_ff_exp, s.n_embd, m.n_expert}, expert_type);
    if (bias) {
      add(blk(il, "ffn_down_exps.bias"), {s.n_embd, m.n_expert});
    }
  }

  // Shared-expert block; `gated` adds Qwen's scalar gate (ffn_gate_inp_shexp).
  void shared_experts(std::uint32_t il, bool gated) {
    const auto& s = m_spec;
    const auto width = s.moe->n_ff_shexp;
    if (width == 0) {
      return;
    }
    if (gated) {
      add(blk(il, "ffn_gate_inp_shexp.weight"), {s.n_embd});
    }
    add(blk(il, "ffn_gate_shexp.weight"), {s.n_embd, width});
    add(blk(il, "ffn_up_shexp.weight"), {s.n_embd, width});
    add(blk(il, "ffn_down_shexp.weight"), {width, s.n_embd});
  }

  std::vector<TensorSpec> take() { return std::move(m_out); }

private:
  const ModelSpec& m_spec;
  std::vector<TensorSpec> m_out;
};

// Routed experts plus the optional routing bias and shared experts of an MoE layer.
void moe_ffn(Builder& b, const ModelSpec& s, std::uint32_t il, bool gated_shared) {
  b.routed_experts(il, GgmlType::f16, false);
  if (s.moe->expert_bias) {
    b.add(Builder::blk(il, "exp_probs_b.bias"), {s.moe->n_expert});
  }
  b.shared_experts(il, gated_shared);
}

// MTP (NextN) block extras, stored after the main blocks.
// The block's FFN: routed experts (and shared ones) on MoE layers, else a dense FFN.
void ffn(Builder& b, const ModelSpec& s, std::uint32_t il, bool gated_shared) {
  if (s.is_moe_layer(il)) {
    moe_ffn(b, s, il, gated_shared);
  } else {
    b.dense_ffn(il, s.n_ff);
  }
}

void nextn_extras(Builder& b, const ModelSpec& s, std::uint32_t il) {
  if (il < s.n_layer) {
    return;
  }
  b.add(Builder::blk(il, "nextn.eh_proj.weight"), {2 * s.n_embd, s.n_embd});
  b.add(Builder::blk(il, "nextn.enorm.weight"), {s.n_embd});
  b.add(Builder::blk(il, "nextn.hnorm.weight"), {s.n_embd});
  b.add(Builder::blk(il, "nextn.shared_head_norm.weight"), {s.n_embd});
}

// Qwen2 and GLM-4.5 bias Q, K and V (not the output projection).
Builder::Bias qkv_bias(const ModelSpec& s) {
  return s.attention_bias ? Builder::Bias::qkv : Builder::Bias::none;
}

// llama, mistral and the Qwen 2/3 dense and MoE families share one layout;
// Qwen2 adds Q/K/V biases, Qwen3 per-head Q/K norms.
}  // namespace

std::vector<TensorSpec> builders::llama_like(const ModelSpec& s) {
  Builder b(s);
  b.embeddings();
  if (s.rope_freqs) {
    b.add("rope_freqs.weight", {s.n_embd_head_k / 2});
  }
  const auto* arch = find_arch(s.arch);
  const bool qwen3 = arch != nullptr && arch->implied_qk_norm;
  for (std::uint32_t il = 0; il < s.n_layer_all(); ++il) {
    b.add(Builder::blk(il, "attn_norm.weight"), {s.n_embd});
    b.attention(il, s.n_head * s.n_embd_head_k, qkv_bias(s));
    if (qwen3 || s.qk_norm) {
      b.qk_norm(il);
    }
    b.add(Builder::blk(il, "ffn_norm.weight"), {s.n_embd});
    ffn(b, s, il, true);
  }
  return b.take();
}

namespace {

// Gated DeltaNet tensors of a linear-attention layer (Qwen3-Next, Qwen3.5/3.6).
// Qwen3-Next stores beta and alpha fused (ssm_ba), Qwen3.5 separately.
void gated_delta_net(Builder& b, const ModelSpec& s, std::uint32_t il, bool fused_beta_alpha) {
  const auto& ssm = *s.ssm;
  const auto key_dim = ssm.d_state * ssm.n_group;
  const auto value_dim = ssm.d_inner;
  const auto head_v_dim = ssm.dt_rank == 0 ? 0 : ssm.d_inner / ssm.dt_rank;
  b.add(Builder::blk(il, "attn_qkv.weight"), {s.n_embd, key_dim * 2 + value_dim});
  b.add(Builder::blk(il, "attn_gate.weight"), {s.n_embd, value_dim});
  b.add(Builder::blk(il, "ssm_conv1d.weight"), {ssm.d_conv, key_dim * 2 + value_dim});
  b.add(Builder::blk(il, "ssm_dt.bias"), {ssm.dt_rank});
  b.add(Builder::blk(il, "ssm_a"), {ssm.dt_rank});
  if (fused_beta_alpha) {
    b.add(Builder::blk(il, "ssm_ba.weight"), {s.n_embd, 2 * ssm.dt_rank});
  } else {
    b.add(Builder::blk(il, "ssm_beta.weight"), {s.n_embd, ssm.dt_rank});
    b.add(Builder::blk(il, "ssm_alpha.weight"), {s.n_embd, ssm.dt_rank});
  }
  b.add(Builder::blk(il, "ssm_norm.weight"), {head_v_dim});
  b.add(Builder::blk(il, "ssm_out.weight"), {value_dim, s.n_embd});
}

// Qwen3-Next and Qwen3.5/3.6 (qwen3next, qwen35, qwen35moe): every 4th block is
// gated full attention, the others Gated DeltaNet; MTP blocks are full attention.
std::vector<TensorSpec> qwen_hybrid(const ModelSpec& s, bool fused_beta_alpha) {
  Builder b(s);
  b.embeddings();
  for (std::uint32_t il = 0; il < s.n_layer_all(); ++il) {
    b.add(Builder::blk(il, "attn_norm.weight"), {s.n_embd});
    b.add(Builder::blk(il, "post_attention_norm.weight"), {s.n_embd});
    if (s.kind(il) == LayerKind::recurrent && il < s.n_layer) {
      gated_delta_net(b, s, il, fused_beta_alpha);
    } else {
      b.attention(il, s.n_head * s.n_embd_head_k * 2, Builder::Bias::none);
      b.qk_norm(il);
    }
    ffn(b, s, il, true);
    nextn_extras(b, s, il);
  }
  return b.take();
}

// Gemma 2 and 3: tied embeddings, sandwich norms; Gemma 3 adds per-head Q/K norms.
std::vector<TensorSpec> gemma(const ModelSpec& s, bool qk_norms) {
  Builder b(s);
  b.embeddings();
  for (std::uint32_t il = 0; il < s.n_layer_all(); ++il) {
    b.add(Builder::blk(il, "attn_norm.weight"), {s.n_embd});
    b.attention(il, s.n_head * s.n_embd_head_k, Builder::Bias::none);
    b.add(Builder::blk(il, "post_attention_norm.weight"), {s.n_embd});
    if (qk_norms) {
      b.add(Builder::blk(il, "attn_k_norm.weight"), {s.n_embd_head_k});
      b.add(Builder::blk(il, "attn_q_norm.weight"), {s.n_embd_head_k});
    }
    b.add(Builder::blk(il, "ffn_norm.weight"), {s.n_embd});
    b.dense_ffn(il, s.n_ff);
    b.add(Builder::blk(il, "post_ffw_norm.weight"), {s.n_embd});
  }
  return b.take();
}

}  // namespace

std::vector<TensorSpec> builders::qwen3next(const ModelSpec& s) {
  return qwen_hybrid(s, true);
}
std::vector<TensorSpec> builders::qwen35(const ModelSpec& s) {
  return qwen_hybrid(s, false);
}
std::vector<TensorSpec> builders::gemma2(const ModelSpec& s) {
  return gemma(s, false);
}
std::vector<TensorSpec> builders::gemma3(const ModelSpec& s) {
  return gemma(s, true);
}

// gpt-oss: biased attention with per-head sinks; MoE experts ship in MXFP4.
std::vector<TensorSpec> builders::gpt_oss(const ModelSpec& s) {
  Builder b(s);
  b.embeddings();
  for (std::uint32_t il = 0; il < s.n_layer_all(); ++il) {
    b.add(Builder::blk(il, "attn_norm.weight"), {s.n_embd});
    b.add(Builder::blk(il, "post_attention_norm.weight"), {s.n_embd});
    b.attention(il, s.n_head * s.n_embd_head_k, Builder::Bias::qkvo);
    b.add(Builder::blk(il, "attn_sinks.weight"), {s.n_head});
    b.routed_experts(il, GgmlType::mxfp4, true);
  }
  return b.take();
}

// Phi-3 / Phi-4: fused QKV and fused gate+up projections.
std::vector<TensorSpec> builders::phi3(const ModelSpec& s) {
  Builder b(s);
  b.embeddings();
  for (std::uint32_t il = 0; il < s.n_layer_all(); ++il) {
    const auto kv = s.head_count_kv(il);
    const auto q = s.n_head * s.n_embd_head_k;
    b.add(Builder::blk(il, "attn_norm.weight"), {s.n_embd});
    b.add(Builder::blk(il, "attn_qkv.weight"), {s.n_embd, q + kv * (s.n_embd_head_k + s.n_embd_head_v)});
    b.add(Builder::blk(il, "attn_output.weight"), {q, s.n_embd});
    b.add(Builder::blk(il, "ffn_norm.weight"), {s.n_embd});
    b.add(Builder::blk(il, "ffn_down.weight"), {s.n_ff, s.n_embd});
    b.add(Builder::blk(il, "ffn_up.weight"), {s.n_embd, 2 * s.n_ff});
  }
  return b.take();
}

// DeepSeek V2/V3, Kimi K2 (deepseek2): multi-head latent attention with the
// K/V up-projections stored per head (attn_k_b, attn_v_b), dense leading
// layers, routed plus shared experts.
std::vector<TensorSpec> builders::deepseek2(const ModelSpec& s) {
  Builder b(s);
  b.embeddings();
  const auto& mla = *s.mla;
  const auto head_k = mla.qk_nope_head_dim + mla.qk_rope_head_dim;
  for (std::uint32_t il = 0; il < s.n_layer_all(); ++il) {
    b.add(Builder::blk(il, "attn_norm.weight"), {s.n_embd});
    if (mla.q_lora_rank > 0) {
      b.add(Builder::blk(il, "attn_q_a_norm.weight"), {mla.q_lora_rank});
    }
    b.add(Builder::blk(il, "attn_kv_a_norm.weight"), {mla.kv_lora_rank});
    if (mla.q_lora_rank > 0) {
      b.add(Builder::blk(il, "attn_q_a.weight"), {s.n_embd, mla.q_lora_rank});
      b.add(Builder::blk(il, "attn_q_b.weight"), {mla.q_lora_rank, s.n_head * head_k});
    } else {
      b.add(Builder::blk(il, "attn_q.weight"), {s.n_embd, s.n_head * head_k});
    }
    b.add(Builder::blk(il, "attn_kv_a_mqa.weight"), {s.n_embd, mla.kv_lora_rank + mla.qk_rope_head_dim});
    b.add(Builder::blk(il, "attn_k_b.weight"), {mla.qk_nope_head_dim, mla.kv_lora_rank, s.n_head});
    b.add(Builder::blk(il, "attn_v_b.weight"), {mla.kv_lora_rank, mla.v_head_dim, s.n_head});
    b.add(Builder::blk(il, "attn_output.weight"), {s.n_head * mla.v_head_dim, s.n_embd});
    b.add(Builder::blk(il, "ffn_norm.weight"), {s.n_embd});
    ffn(b, s, il, false);
    nextn_extras(b, s, il);
  }
  return b.take();
}

// GLM-4.5 (glm4moe): biased Q/K/V, the FFN pre-norm stored as post_attention_norm,
// dense leading layers, sigmoid-routed experts with one shared expert.
std::vector<TensorSpec> builders::glm4moe(const ModelSpec& s) {
  Builder b(s);
  b.embeddings();
  for (std::uint32_t il = 0; il < s.n_layer_all(); ++il) {
    b.add(Builder::blk(il, "attn_norm.weight"), {s.n_embd});
    b.attention(il, s.n_head * s.n_embd_head_k, qkv_bias(s));
    if (s.qk_norm) {
      b.qk_norm(il);
    }
    b.add(Builder::blk(il, "post_attention_norm.weight"), {s.n_embd});
    ffn(b, s, il, false);
    nextn_extras(b, s, il);
  }
  return b.take();
}

namespace {

// Mamba-2 mixer tensors of one layer (mamba2, granitehybrid).
void mamba2_mixer(Builder& b, const ModelSpec& s, std::uint32_t il) {
  const auto& ssm = *s.ssm;
  const auto conv_dim = ssm.d_inner + 2 * ssm.n_group * ssm.d_state;
  const auto d_in_proj = ssm.d_inner + conv_dim + ssm.dt_rank;
  const auto n_group = std::max<std::uint64_t>(1, ssm.n_group);
  b.add(Builder::blk(il, "ssm_in.weight"), {s.n_embd, d_in_proj});
  b.add(Builder::blk(il, "ssm_conv1d.weight"), {ssm.d_conv, conv_dim});
  b.add(Builder::blk(il, "ssm_conv1d.bias"), {conv_dim});
  b.add(Builder::blk(il, "ssm_dt.bias"), {ssm.dt_rank});
  b.add_typed(Builder::blk(il, "ssm_a"), {1, ssm.dt_rank}, GgmlType::f32);
  b.add_typed(Builder::blk(il, "ssm_d"), {1, ssm.dt_rank}, GgmlType::f32);
  b.add_typed(Builder::blk(il, "ssm_norm.weight"), {ssm.d_inner / n_group, n_group}, GgmlType::f32);
  b.add(Builder::blk(il, "ssm_out.weight"), {ssm.d_inner, s.n_embd});
}

}  // namespace

// Pure Mamba-2: every layer is an SSM mixer, no attention and no FFN.
std::vector<TensorSpec> builders::mamba2(const ModelSpec& s) {
  Builder b(s);
  b.embeddings();
  for (std::uint32_t il = 0; il < s.n_layer; ++il) {
    b.add(Builder::blk(il, "attn_norm.weight"), {s.n_embd});
    mamba2_mixer(b, s, il);
  }
  return b.take();
}

// Granite 4.0 hybrid: each layer is a Mamba-2 mixer or attention (per-layer
// head_count_kv 0 marks the mixers), followed by a dense or MoE FFN.
std::vector<TensorSpec> builders::granite_hybrid(const ModelSpec& s) {
  Builder b(s);
  b.embeddings();
  for (std::uint32_t il = 0; il < s.n_layer; ++il) {
    b.add(Builder::blk(il, "attn_norm.weight"), {s.n_embd});
    if (s.kind(il) == LayerKind::recurrent) {
      mamba2_mixer(b, s, il);
    } else {
      b.attention(il, s.n_head * s.n_embd_head_k, Builder::Bias::none);
    }
    b.add(Builder::blk(il, "ffn_norm.weight"), {s.n_embd});
    ffn(b, s, il, false);
  }
  return b.take();
}

// Seed-OSS: llama's attention (Q/K/V biases as the config has them), the FFN
// pre-norm stored as post_attention_norm.
std::vector<TensorSpec> builders::seed_oss(const ModelSpec& s) {
  Builder b(s);
  b.embeddings();
  for (std::uint32_t il = 0; il < s.n_layer_all(); ++il) {
    b.add(Builder::blk(il, "attn_norm.weight"), {s.n_embd});
    b.attention(il, s.n_head * s.n_embd_head_k, qkv_bias(s));
    b.add(Builder::blk(il, "post_attention_norm.weight"), {s.n_embd});
    b.dense_ffn(il, s.n_ff);
  }
  return b.take();
}

// OLMo 2 / 3: post-norms only, Q and K norms over the whole projection.
std::vector<TensorSpec> builders::olmo2(const ModelSpec& s) {
  Builder b(s);
  b.embeddings();
  for (std::uint32_t il = 0; il < s.n_layer_all(); ++il) {
    b.attention(il, s.n_embd, Builder::Bias::none);
    b.add(Builder::blk(il, "attn_q_norm.weight"), {s.n_embd});
    b.add(Builder::blk(il, "attn_k_norm.weight"), {s.head_count_kv(il) * (s.n_embd / s.n_head)});
    b.add(Builder::blk(il, "post_attention_norm.weight"), {s.n_embd});
    b.dense_ffn(il, s.n_ff);
    b.add(Builder::blk(il, "post_ffw_norm.weight"), {s.n_embd});
  }
  return b.take();
}

// EXAONE 4: post-norms, per-head Q/K norms; MTP blocks (EXAONE 4.5) are skipped by llama.cpp.
std::vector<TensorSpec> builders::exaone4(const ModelSpec& s) {
  Builder b(s);
  b.embeddings();
  if (s.rope_freqs) {
    b.add("rope_freqs.weight", {s.n_embd_head_k / 2});
  }
  for (std::uint32_t il = 0; il < s.n_layer; ++il) {
    b.attention(il, s.n_head * s.n_embd_head_k, Builder::Bias::none);
    b.add(Builder::blk(il, "post_attention_norm.weight"), {s.n_embd});
    b.qk_norm(il);
    b.dense_ffn(il, s.n_ff);
    b.add(Builder::blk(il, "post_ffw_norm.weight"), {s.n_embd});
  }
  return b.take();
}

// MiniMax-M2: Q/K norms over the whole projection, sigmoid-routed experts
// (their width is the config's intermediate_size), no dense layers.
std::vector<TensorSpec> builders::minimax_m2(const ModelSpec& spec) {
  ModelSpec s = spec;
  s.moe->n_ff_exp = s.n_ff;  // llama.cpp sizes the experts with n_ff
  Builder b(s);
  b.embeddings();
  for (std::uint32_t il = 0; il < s.n_layer_all(); ++il) {
    b.add(Builder::blk(il, "attn_norm.weight"), {s.n_embd});
    b.attention(il, s.n_head * s.n_embd_head_k, Builder::Bias::none);
    b.add(Builder::blk(il, "attn_q_norm.weight"), {s.n_head * s.n_embd_head_k});
    b.add(Builder::blk(il, "attn_k_norm.weight"), {s.n_embd_k_gqa(il)});
    b.add(Builder::blk(il, "ffn_norm.weight"), {s.n_embd});
    moe_ffn(b, s, il, false);
  }
  return b.take();
}

// ERNIE 4.5 (dense and MoE): llama's attention; experts on every layer from
// leading_dense_block_count on (llama.cpp creates them there whatever the
// interleave step), shared experts, an optional routing bias.
std::vector<TensorSpec> builders::ernie4_5(const ModelSpec& s) {
  Builder b(s);
  b.embeddings();
  for (std::uint32_t il = 0; il < s.n_layer_all(); ++il) {
    b.add(Builder::blk(il, "attn_norm.weight"), {s.n_embd});
    b.attention(il, s.n_head * s.n_embd_head_k, Builder::Bias::none);
    b.add(Builder::blk(il, "ffn_norm.weight"), {s.n_embd});
    ffn(b, s, il, false);
  }
  return b.take();
}

// Hunyuan-MoE (Hunyuan-A13B): per-head Q/K norms; routed experts as wide as
// the dense FFN (llama.cpp sizes them with n_ff), one shared expert.
std::vector<TensorSpec> builders::hunyuan_moe(const ModelSpec& spec) {
  ModelSpec s = spec;
  s.moe->n_ff_exp = s.n_ff;  // llama.cpp sizes the experts with n_ff
  if (s.moe->n_ff_shexp == 0) {
    s.moe->n_ff_shexp = s.n_ff;
  }
  Builder b(s);
  b.embeddings();
  for (std::uint32_t il = 0; il < s.n_layer_all(); ++il) {
    b.add(Builder::blk(il, "attn_norm.weight"), {s.n_embd});
    b.attention(il, s.n_head * s.n_embd_head_k, Builder::Bias::none);
    b.qk_norm(il);
    b.add(Builder::blk(il, "ffn_norm.weight"), {s.n_embd});
    moe_ffn(b, s, il, false);
  }
  return b.take();
}

// Command R (command-r) and Command R7B / A (cohere2): one parallel block per
// layer (no FFN norm), the output tied to token_embd; Command R's 64+ layer
// models (Plus) add per-head Q/K norms.
std::vector<TensorSpec> builders::command_r(const ModelSpec& s) {
  Builder b(s);
  b.embeddings();
  const bool norms = s.arch == "command-r" && s.n_layer >= 64;
  for (std::uint32_t il = 0; il < s.n_layer_all(); ++il) {
    b.add(Builder::blk(il, "attn_norm.weight"), {s.n_embd});
    if (norms) {
      b.add(Builder::blk(il, "attn_q_norm.weight"), {s.n_embd_head_k, s.n_head});
      b.add(Builder::blk(il, "attn_k_norm.weight"), {s.n_embd_head_k, s.head_count_kv(il)});
    }
    b.attention(il, s.n_embd, Builder::Bias::none);
    b.dense_ffn(il, s.n_ff);
  }
  return b.take();
}

// LFM2 / LFM2-MoE: blocks with 0 KV heads are short convolutions, the others
// attention with per-head Q/K norms; the final norm is token_embd_norm.
std::vector<TensorSpec> builders::lfm2(const ModelSpec& s) {
  Builder b(s);
  b.add("token_embd.weight", {s.n_embd, s.n_vocab});
  b.add("token_embd_norm.weight", {s.n_embd});
  if (!s.tied_embeddings) {
    b.add("output.weight", {s.n_embd, s.n_vocab});
  }
  const auto l_cache = s.ssm ? s.ssm->d_conv : 0;
  for (std::uint32_t il = 0; il < s.n_layer; ++il) {
    b.add(Builder::blk(il, "attn_norm.weight"), {s.n_embd});
    if (s.kind(il) == LayerKind::recurrent) {
      b.add_typed(Builder::blk(il, "shortconv.conv.weight"), {l_cache, s.n_embd}, GgmlType::f32);
      b.add(Builder::blk(il, "shortconv.in_proj.weight"), {s.n_embd, 3 * s.n_embd});
      b.add(Builder::blk(il, "shortconv.out_proj.weight"), {s.n_embd, s.n_embd});
    } else {
      b.attention(il, s.n_embd, Builder::Bias::none);
      b.qk_norm(il);
    }
    b.add(Builder::blk(il, "ffn_norm.weight"), {s.n_embd});
    ffn(b, s, il, false);
  }
  return b.take();
}

// Llama 4: experts (with one shared expert as wide as a routed one) on every
// interleave_step-th layer, dense FFNs on the others; one rope_freqs for all.
std::vector<TensorSpec> builders::llama4(const ModelSpec& s) {
  Builder b(s);
  b.embeddings();
  if (s.rope_freqs) {
    b.add("rope_freqs.weight", {s.n_embd_head_k / 2});
  }
  for (std::uint32_t il = 0; il < s.n_layer; ++il) {
    b.add(Builder::blk(il, "attn_norm.weight"), {s.n_embd});
    b.attention(il, s.n_head * s.n_embd_head_k, Builder::Bias::none);
    b.add(Builder::blk(il, "ffn_norm.weight"), {s.n_embd});
    ffn(b, s, il, false);
  }
  return b.take();
}

bool is_routed_expert(std::string_view tensor_name) noexcept {
  return tensor_name.find("_exps") != std::string_view::npos;
}

std::int32_t layer_of(std::string_view name) noexcept {
  constexpr std::string_view prefix = "blk.";
  if (name.substr(0, prefix.size()) != prefix) {
    return -1;
  }
  const auto digits = name.substr(prefix.size());
  std::int32_t value = -1;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc{} || end == digits.data() || end == digits.data() + digits.size() || *end != '.') {
    return -1;
  }
  return value;
}

std::vector<std::string_view> supported_architectures() {
  std::vector<std::string_view> out;
  for (const auto& arch : architectures()) {
    if (arch.inventory != nullptr) {
      out.push_back(arch.name);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool can_build_inventory(const ModelSpec& spec) noexcept {
  const auto* arch = find_arch(spec.arch);
  return arch != nullptr && arch->inventory != nullptr && (!arch->needs.ssm || spec.ssm) &&
         (!arch->needs.moe || spec.moe) && (!arch->needs.mla || spec.mla);
}

std::vector<TensorSpec> build_inventory(const ModelSpec& spec) {
  const auto* arch = find_arch(spec.arch);
  if (arch == nullptr || arch->inventory == nullptr) {
    std::string list;
    for (const auto& name : supported_architectures()) {
      list += list.empty() ? "" : ", ";
      list += name;
    }
    throw InputError("model '" + spec.id + "': architecture '" + spec.arch +
                     "' cannot be built from hyper-parameters (supported: " + list + ")");
  }
  const auto needs = [&](bool needed, bool present, const char* what) {
    if (needed && !present) {
      throw InputError("model '" + spec.id + "': architecture '" + spec.arch + "' needs " + what + " parameters");
    }
  };
  needs(arch->needs.ssm, spec.ssm.has_value(), "ssm");
  needs(arch->needs.moe, spec.moe.has_value(), "moe");
  needs(arch->needs.mla, spec.mla.has_value(), "mla");
  return arch->inventory(spec);
}

}  // namespace vramfit
