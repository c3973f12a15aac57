#include "vramfit/inventory.hpp"

#include "vramfit/error.hpp"

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

  // Standard Q/K/V/O projections of layer il. q_width is the Q projection's
  // output width (doubled for Qwen3.5's gated attention).
  void attention(std::uint32_t il, std::uint64_t q_width, bool bias) {
    const auto& s = m_spec;
    const auto kv = s.head_count_kv(il);
    const auto o_in = s.n_head * s.n_embd_head_k;
    add(blk(il, "attn_q.weight"), {s.n_embd, q_width});
    if (bias) {
      add(blk(il, "attn_q.bias"), {q_width});
    }
    add(blk(il, "attn_k.weight"), {s.n_embd, kv * s.n_embd_head_k});
    if (bias) {
      add(blk(il, "attn_k.bias"), {kv * s.n_embd_head_k});
    }
    add(blk(il, "attn_v.weight"), {s.n_embd, kv * s.n_embd_head_v});
    if (bias) {
      add(blk(il, "attn_v.bias"), {kv * s.n_embd_head_v});
    }
    add(blk(il, "attn_output.weight"), {o_in, s.n_embd});
    if (bias) {
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

// llama, mistral and the Qwen 2/3 dense and MoE families share one layout;
// `variant` selects Q/K biases (qwen2) or per-head Q/K norms (qwen3).
enum class LlamaVariant { llama, qwen2, qwen3 };

std::vector<TensorSpec> llama_like(const ModelSpec& s, LlamaVariant variant) {
  Builder b(s);
  b.embeddings();
  if (s.rope_freqs) {
    b.add("rope_freqs.weight", {s.n_embd_head_k / 2});
  }
  for (std::uint32_t il = 0; il < s.n_layer_all(); ++il) {
    b.add(Builder::blk(il, "attn_norm.weight"), {s.n_embd});
    const auto q = s.n_head * s.n_embd_head_k;
    const auto kv = s.head_count_kv(il);
    b.add(Builder::blk(il, "attn_q.weight"), {s.n_embd, q});
    b.add(Builder::blk(il, "attn_k.weight"), {s.n_embd, kv * s.n_embd_head_k});
    b.add(Builder::blk(il, "attn_v.weight"), {s.n_embd, kv * s.n_embd_head_v});
    b.add(Builder::blk(il, "attn_output.weight"), {q, s.n_embd});
    if (variant == LlamaVariant::qwen2) {
      b.add(Builder::blk(il, "attn_q.bias"), {q});
      b.add(Builder::blk(il, "attn_k.bias"), {kv * s.n_embd_head_k});
      b.add(Builder::blk(il, "attn_v.bias"), {kv * s.n_embd_head_v});
    }
    if (variant == LlamaVariant::qwen3) {
      b.qk_norm(il);
    }
    b.add(Builder::blk(il, "ffn_norm.weight"), {s.n_embd});
    if (s.is_moe_layer(il)) {
      b.routed_experts(il, GgmlType::f16, false);
      b.shared_experts(il, true);
    } else {
      b.dense_ffn(il, s.n_ff);
    }
  }
  return b.take();
}

// Qwen3.5 / Qwen3.6 (qwen35, qwen35moe): every 4th block is gated full
// attention, the others Gated DeltaNet; MTP blocks are full attention.
std::vector<TensorSpec> qwen35(const ModelSpec& s) {
  Builder b(s);
  b.embeddings();
  const auto& ssm = *s.ssm;
  const auto key_dim = ssm.d_state * ssm.n_group;
  const auto value_dim = ssm.d_inner;
  const auto head_v_dim = ssm.dt_rank == 0 ? 0 : ssm.d_inner / ssm.dt_rank;
  for (std::uint32_t il = 0; il < s.n_layer_all(); ++il) {
    b.add(Builder::blk(il, "attn_norm.weight"), {s.n_embd});
    b.add(Builder::blk(il, "post_attention_norm.weight"), {s.n_embd});
    if (s.kind(il) == LayerKind::recurrent && il < s.n_layer) {
      b.add(Builder::blk(il, "attn_qkv.weight"), {s.n_embd, key_dim * 2 + value_dim});
      b.add(Builder::blk(il, "attn_gate.weight"), {s.n_embd, value_dim});
      b.add(Builder::blk(il, "ssm_conv1d.weight"), {ssm.d_conv, key_dim * 2 + value_dim});
      b.add(Builder::blk(il, "ssm_dt.bias"), {ssm.dt_rank});
      b.add(Builder::blk(il, "ssm_a"), {ssm.dt_rank});
      b.add(Builder::blk(il, "ssm_beta.weight"), {s.n_embd, ssm.dt_rank});
      b.add(Builder::blk(il, "ssm_alpha.weight"), {s.n_embd, ssm.dt_rank});
      b.add(Builder::blk(il, "ssm_norm.weight"), {head_v_dim});
      b.add(Builder::blk(il, "ssm_out.weight"), {value_dim, s.n_embd});
    } else {
      b.attention(il, s.n_head * s.n_embd_head_k * 2, false);
      b.qk_norm(il);
    }
    if (s.is_moe_layer(il)) {
      b.routed_experts(il, GgmlType::f16, false);
      b.shared_experts(il, true);
    } else {
      b.dense_ffn(il, s.n_ff);
    }
    if (il >= s.n_layer) {
      b.add(Builder::blk(il, "nextn.eh_proj.weight"), {2 * s.n_embd, s.n_embd});
      b.add(Builder::blk(il, "nextn.enorm.weight"), {s.n_embd});
      b.add(Builder::blk(il, "nextn.hnorm.weight"), {s.n_embd});
      b.add(Builder::blk(il, "nextn.shared_head_norm.weight"), {s.n_embd});
    }
  }
  return b.take();
}

// Gemma 3: tied embeddings, sandwich norms, per-head Q/K norms.
std::vector<TensorSpec> gemma3(const ModelSpec& s) {
  Builder b(s);
  b.embeddings();
  for (std::uint32_t il = 0; il < s.n_layer_all(); ++il) {
    b.add(Builder::blk(il, "attn_norm.weight"), {s.n_embd});
    b.attention(il, s.n_head * s.n_embd_head_k, false);
    b.add(Builder::blk(il, "post_attention_norm.weight"), {s.n_embd});
    b.add(Builder::blk(il, "attn_k_norm.weight"), {s.n_embd_head_k});
    b.add(Builder::blk(il, "attn_q_norm.weight"), {s.n_embd_head_k});
    b.add(Builder::blk(il, "ffn_norm.weight"), {s.n_embd});
    b.dense_ffn(il, s.n_ff);
    b.add(Builder::blk(il, "post_ffw_norm.weight"), {s.n_embd});
  }
  return b.take();
}

// gpt-oss: biased attention with per-head sinks; MoE experts ship in MXFP4.
std::vector<TensorSpec> gpt_oss(const ModelSpec& s) {
  Builder b(s);
  b.embeddings();
  for (std::uint32_t il = 0; il < s.n_layer_all(); ++il) {
    b.add(Builder::blk(il, "attn_norm.weight"), {s.n_embd});
    b.add(Builder::blk(il, "post_attention_norm.weight"), {s.n_embd});
    b.attention(il, s.n_head * s.n_embd_head_k, true);
    b.add(Builder::blk(il, "attn_sinks.weight"), {s.n_head});
    b.routed_experts(il, GgmlType::mxfp4, true);
  }
  return b.take();
}

using InventoryFn = std::function<std::vector<TensorSpec>(const ModelSpec&)>;

const std::map<std::string_view, InventoryFn>& builders() {
  static const std::map<std::string_view, InventoryFn> k_builders{
      {"llama", [](const ModelSpec& s) { return llama_like(s, LlamaVariant::llama); }},
      {"qwen3", [](const ModelSpec& s) { return llama_like(s, LlamaVariant::qwen3); }},
      {"qwen3moe", [](const ModelSpec& s) { return llama_like(s, LlamaVariant::qwen3); }},
      {"qwen35", qwen35},
      {"qwen35moe", qwen35},
      {"gemma3", gemma3},
      {"gpt-oss", gpt_oss},
  };
  return k_builders;
}

} // namespace

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
  for (const auto& [arch, fn] : builders()) {
    out.push_back(arch);
  }
  return out;
}

std::vector<TensorSpec> build_inventory(const ModelSpec& spec) {
  const auto& table = builders();
  const auto it = table.find(spec.arch);
  if (it == table.end()) {
    std::string list;
    for (const auto& arch : supported_architectures()) {
      list += list.empty() ? "" : ", ";
      list += arch;
    }
    throw InputError("model '" + spec.id + "': architecture '" + spec.arch +
                     "' cannot be built from hyper-parameters (supported: " + list + ")");
  }
  if ((spec.arch == "qwen35" || spec.arch == "qwen35moe") && !spec.ssm) {
    throw InputError("model '" + spec.id + "': architecture '" + spec.arch + "' needs ssm parameters");
  }
  if ((spec.arch == "qwen3moe" || spec.arch == "qwen35moe" || spec.arch == "gpt-oss") && !spec.moe) {
    throw InputError("model '" + spec.id + "': architecture '" + spec.arch + "' needs moe parameters");
  }
  return it->second(spec);
}

} // namespace vramfit
