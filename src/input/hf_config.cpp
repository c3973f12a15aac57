#include "vramfit/input/hf_config.hpp"

#include "detail/json.hpp"
#include "detail/text.hpp"

#include "vramfit/model/arch.hpp"
#include "vramfit/support/error.hpp"
#include "vramfit/support/suggest.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

namespace vramfit {
namespace {

using json = nlohmann::json;

// Typed access to one config object, with errors naming the origin and pointer.
class Config {
public:
  Config(const json& j, std::string origin, std::string pointer)
      : m_j(j), m_origin(std::move(origin)), m_pointer(std::move(pointer)) {}

  [[noreturn]] void fail(std::string_view key, const std::string& what) const {
    throw InputError(m_origin + ": " + m_pointer + "/" + std::string(key) + ": " + what);
  }

  bool has(std::string_view key) const {
    const auto it = m_j.find(std::string(key));
    return it != m_j.end() && !it->is_null();
  }

  std::optional<std::uint64_t> u(std::string_view key, std::uint64_t max = std::uint64_t{1} << 32) const {
    if (!has(key)) {
      return std::nullopt;
    }
    const auto& v = m_j.at(std::string(key));
    std::uint64_t out = 0;
    if (v.is_number_unsigned()) {
      out = v.get<std::uint64_t>();
    } else if (v.is_number_float() && v.get<double>() >= 0 && v.get<double>() == std::floor(v.get<double>()) &&
               v.get<double>() < 1e15) {
      out = static_cast<std::uint64_t>(v.get<double>());
    } else {
      fail(key, "must be a non-negative integer");
    }
    if (out > max) {
      fail(key, std::to_string(out) + " is larger than " + std::to_string(max));
    }
    return out;
  }

  std::uint64_t required(std::string_view key, std::uint64_t max = std::uint64_t{1} << 32) const {
    const auto v = u(key, max);
    if (!v) {
      fail(key, "missing");
    }
    return *v;
  }

  std::optional<double> f(std::string_view key) const {
    if (!has(key)) {
      return std::nullopt;
    }
    const auto& v = m_j.at(std::string(key));
    if (!v.is_number()) {
      fail(key, "must be a number");
    }
    return v.get<double>();
  }

  std::optional<bool> b(std::string_view key) const {
    if (!has(key)) {
      return std::nullopt;
    }
    const auto& v = m_j.at(std::string(key));
    if (!v.is_boolean()) {
      fail(key, "must be true or false");
    }
    return v.get<bool>();
  }

  std::optional<std::string> s(std::string_view key) const {
    if (!has(key)) {
      return std::nullopt;
    }
    const auto& v = m_j.at(std::string(key));
    if (!v.is_string()) {
      fail(key, "must be a string");
    }
    return v.get<std::string>();
  }

  // A list of strings (layer_types).
  std::optional<std::vector<std::string>> strings(std::string_view key) const {
    if (!has(key)) {
      return std::nullopt;
    }
    const auto& v = m_j.at(std::string(key));
    if (!v.is_array() || v.size() > 4096) {
      fail(key, "must be an array of at most 4096 strings");
    }
    std::vector<std::string> out;
    for (const auto& e : v) {
      if (!e.is_string()) {
        fail(key, "must hold strings");
      }
      out.push_back(e.get<std::string>());
    }
    return out;
  }

  const json* raw(std::string_view key) const {
    const auto it = m_j.find(std::string(key));
    return it != m_j.end() && !it->is_null() ? &*it : nullptr;
  }

  const json* object(std::string_view key) const {
    const auto it = m_j.find(std::string(key));
    return it != m_j.end() && it->is_object() ? &*it : nullptr;
  }

  const std::string& origin() const { return m_origin; }
  const std::string& pointer() const { return m_pointer; }

private:
  const json& m_j;
  std::string m_origin;
  std::string m_pointer;
};

std::uint32_t layers_of(const Config& c) {
  return static_cast<std::uint32_t>(c.required("num_hidden_layers", 4096));
}

// The fields every decoder-only transformer config shares.
void common(const Config& c, ModelSpec& s, bool tied_default) {
  s.n_layer = layers_of(c);
  s.n_embd = c.required("hidden_size", 1U << 20);
  s.n_head = static_cast<std::uint32_t>(c.required("num_attention_heads", 1U << 16));
  const auto kv = static_cast<std::uint32_t>(c.u("num_key_value_heads", 1U << 16).value_or(s.n_head));
  s.n_head_kv.assign(s.n_layer, kv);
  s.n_embd_head_k = c.u("head_dim", 1U << 16).value_or(s.n_head == 0 ? 0 : s.n_embd / s.n_head);
  s.n_embd_head_v = s.n_embd_head_k;
  s.n_ff = c.u("intermediate_size", 1U << 24).value_or(0);
  s.n_vocab = c.required("vocab_size", 1U << 24);
  s.n_ctx_train = c.u("max_position_embeddings").value_or(0);
  s.tied_embeddings = c.b("tie_word_embeddings").value_or(tied_default);
}

// layer_types as HF writes them: full_attention / sliding_attention /
// linear_attention (Qwen) / mamba and attention (Granite).
bool apply_layer_types(const Config& c, const ModelSpec& s, LayoutHints& hints) {
  const auto types = c.strings("layer_types");
  if (!types) {
    return false;
  }
  if (types->size() != s.n_layer) {
    c.fail("layer_types",
           "has " + std::to_string(types->size()) + " entries for " + std::to_string(s.n_layer) + " layers");
  }
  hints.types.clear();
  for (std::uint32_t il = 0; il < s.n_layer; ++il) {
    const auto& t = (*types)[il];
    const auto kind = layer_kind_from_name(t);
    if (!kind) {
      c.fail("layer_types", "entry " + std::to_string(il) + " is '" + t.substr(0, 40) + "'");
    }
    hints.types.push_back(*kind);
  }
  return true;
}

void moe_qwen(const Config& c, ModelSpec& s) {
  MoeParams m;
  m.n_expert = static_cast<std::uint32_t>(c.required("num_experts", 65536));
  m.n_expert_used = static_cast<std::uint32_t>(c.required("num_experts_per_tok", 65536));
  m.n_ff_exp = c.required("moe_intermediate_size", 1U << 24);
  m.n_ff_shexp = c.u("shared_expert_intermediate_size", 1U << 24).value_or(0);
  m.n_expert_shared = m.n_ff_shexp > 0 ? 1 : 0;
  s.moe = m;
}

void delta_net(const Config& c, ModelSpec& s, LayoutHints& hints) {
  SsmParams ssm;
  ssm.d_conv = c.required("linear_conv_kernel_dim", 64);
  ssm.d_state = c.required("linear_key_head_dim", 1U << 16);
  ssm.n_group = c.required("linear_num_key_heads", 1U << 16);
  ssm.dt_rank = c.required("linear_num_value_heads", 1U << 16);
  ssm.d_inner = c.required("linear_value_head_dim", 1U << 16) * ssm.dt_rank;
  s.ssm = ssm;
  if (!apply_layer_types(c, s, hints)) {
    if (const auto interval = c.u("full_attention_interval", 4096)) {
      hints.full_attention_interval = static_cast<std::uint32_t>(*interval);
    }
  }
}

// LFM2: conv and attention blocks (0 KV heads on the conv ones), the FFN width
// the converter derives from block_ff_dim, the short convolution's length.
void lfm2(const Config& c, ModelSpec& s) {
  common(c, s, true);
  std::vector<bool> attention(s.n_layer, false);
  if (const auto types = c.strings("layer_types")) {
    if (types->size() != s.n_layer) {
      c.fail("layer_types",
             "has " + std::to_string(types->size()) + " entries for " + std::to_string(s.n_layer) + " layers");
    }
    for (std::uint32_t il = 0; il < s.n_layer; ++il) {
      attention[il] = (*types)[il] != "conv";
    }
  } else if (const auto* idx = c.raw("full_attn_idxs"); idx != nullptr && idx->is_array()) {
    for (const auto& v : *idx) {
      if (!v.is_number_unsigned() || v.get<std::uint64_t>() >= s.n_layer) {
        c.fail("full_attn_idxs", "must list layer indices below " + std::to_string(s.n_layer));
      }
      attention[v.get<std::uint64_t>()] = true;
    }
  } else {
    c.fail("layer_types", "missing (it says which blocks are convolutions)");
  }
  for (std::uint32_t il = 0; il < s.n_layer; ++il) {
    if (!attention[il]) {
      s.n_head_kv[il] = 0;
    }
  }
  if (const auto ff = c.u("block_ff_dim", 1U << 24)) {
    std::uint64_t width = *ff;
    if (c.b("block_auto_adjust_ff_dim").value_or(false)) {
      width = 2 * width / 3;
      if (const auto mult = c.f("block_ffn_dim_multiplier")) {
        width = static_cast<std::uint64_t>(*mult * static_cast<double>(width));
      }
      const auto multiple = c.u("block_multiple_of", 1U << 16).value_or(256);
      width = multiple == 0 ? width : (width + multiple - 1) / multiple * multiple;
    }
    s.n_ff = width;
  }
  SsmParams conv;
  conv.d_conv = c.required("conv_L_cache", 64);
  conv.d_inner = s.n_embd;
  s.ssm = conv;
}

using Mapper = std::function<void(const Config&, ModelSpec&, LayoutHints&, std::vector<std::string>&)>;

// DeepSeek-style routed experts (DeepSeek V2/V3, Kimi K2, GLM-4.5): shared
// experts as wide as a routed one, dense leading layers.
MoeParams moe_routed(const Config& c) {
  MoeParams m;
  m.n_expert = static_cast<std::uint32_t>(c.required("n_routed_experts", 65536));
  m.n_expert_used = static_cast<std::uint32_t>(c.required("num_experts_per_tok", 65536));
  m.n_ff_exp = c.required("moe_intermediate_size", 1U << 24);
  m.n_expert_shared = static_cast<std::uint32_t>(c.u("n_shared_experts", 64).value_or(0));
  m.n_ff_shexp = m.n_ff_exp * m.n_expert_shared;
  m.n_layer_dense_lead = static_cast<std::uint32_t>(c.u("first_k_dense_replace", 4096).value_or(0));
  return m;
}

void deepseek(const Config& c, ModelSpec& s) {
  common(c, s, false);
  MlaParams mla;
  mla.q_lora_rank = c.u("q_lora_rank", 1U << 20).value_or(0);
  mla.kv_lora_rank = c.required("kv_lora_rank", 1U << 20);
  mla.qk_rope_head_dim = c.required("qk_rope_head_dim", 1U << 16);
  mla.qk_nope_head_dim = c.required("qk_nope_head_dim", 1U << 16);
  mla.v_head_dim = c.required("v_head_dim", 1U << 16);
  s.mla = mla;
  // llama.cpp's MLA layout stores one latent "head": K = kv_lora_rank + rope.
  s.n_head_kv.assign(s.n_layer, 1);
  s.n_embd_head_k = mla.kv_lora_rank + mla.qk_rope_head_dim;
  s.n_embd_head_v = mla.kv_lora_rank;
  MoeParams m = moe_routed(c);
  m.expert_bias = c.s("topk_method").value_or("") == "noaux_tc" || c.s("scoring_func").value_or("") == "sigmoid";
  s.moe = m;
}

// The Qwen families: one common layout, plus Q/K/V biases (Qwen2), experts
// and Gated DeltaNet layers (Qwen3-Next, Qwen3.5/3.6) as the type has them.
Mapper qwen(bool bias, bool moe, bool hybrid) {
  return [=](const Config& c, ModelSpec& s, LayoutHints& hints, auto&) {
    common(c, s, false);
    s.attention_bias = bias;
    if (moe) {
      moe_qwen(c, s);
    }
    if (hybrid) {
      delta_net(c, s, hints);
    }
  };
}

const std::map<std::string, std::pair<std::string, Mapper>, std::less<>>& mappers() {
  static const std::map<std::string, std::pair<std::string, Mapper>, std::less<>> k_mappers{
      {"llama",
       {"llama",
        [](const Config& c, ModelSpec& s, LayoutHints&, auto&) {
          common(c, s, false);
          if (const auto* rope = c.object("rope_scaling")) {
            const auto type = rope->value("rope_type", rope->value("type", std::string{}));
            s.rope_freqs = type == "llama3";
          }
        }}},
      {"mistral",
       {"llama",
        [](const Config& c, ModelSpec& s, LayoutHints&, auto&) {
          common(c, s, false);
        }}},
      {"qwen2", {"qwen2", qwen(true, false, false)}},
      {"qwen2_moe", {"qwen2moe", qwen(true, true, false)}},
      {"qwen3", {"qwen3", qwen(false, false, false)}},
      {"qwen3_moe", {"qwen3moe", qwen(false, true, false)}},
      {"qwen3_next", {"qwen3next", qwen(false, true, true)}},
      {"qwen3_5_text", {"qwen35", qwen(false, false, true)}},
      {"qwen3_5_moe_text", {"qwen35moe", qwen(false, true, true)}},
      {"gemma2",
       {"gemma2",
        [](const Config& c, ModelSpec& s, LayoutHints&, auto&) {
          common(c, s, true);
          s.n_swa = c.u("sliding_window").value_or(0);
        }}},
      {"gemma3_text",
       {"gemma3",
        [](const Config& c, ModelSpec& s, LayoutHints& hints, std::vector<std::string>& notes) {
          common(c, s, true);
          s.n_swa = c.u("sliding_window").value_or(4096);
          if (!apply_layer_types(c, s, hints)) {
            if (const auto period = c.u("sliding_window_pattern", 4096)) {
              hints.swa_period = static_cast<std::uint32_t>(*period);
            }
          }
          // llama.cpp's converter sizes the embedding to the tokenizer's 262,144 tokens.
          if (s.n_vocab > 262144) {
            notes.push_back("vocab_size " + std::to_string(s.n_vocab) +
                            " trimmed to the tokenizer's 262,144 tokens, as llama.cpp's converter does");
            s.n_vocab = 262144;
          }
          s.tokenizer.has_scores = true;
        }}},
      {"gpt_oss",
       {"gpt-oss",
        [](const Config& c, ModelSpec& s, LayoutHints& hints, auto&) {
          common(c, s, false);
          MoeParams m;
          m.n_expert = static_cast<std::uint32_t>(c.required("num_local_experts", 65536));
          const auto used = c.u("num_experts_per_tok", 65536);
          m.n_expert_used = static_cast<std::uint32_t>(used ? *used : c.required("experts_per_token", 65536));
          m.n_ff_exp = s.n_ff;
          s.moe = m;
          s.n_swa = c.required("sliding_window");
          apply_layer_types(c, s, hints);
        }}},
      {"deepseek_v3",
       {"deepseek2",
        [](const Config& c, ModelSpec& s, LayoutHints&, auto&) {
          deepseek(c, s);
        }}},
      {"glm4_moe",
       {"glm4moe",
        [](const Config& c, ModelSpec& s, LayoutHints&, auto&) {
          common(c, s, false);
          MoeParams m = moe_routed(c);
          m.expert_bias = true;  // sigmoid routing with e_score_correction_bias
          s.moe = m;
          s.attention_bias = c.b("attention_bias").value_or(false);
          s.qk_norm = c.b("use_qk_norm").value_or(false);
          // llama.cpp's converter keeps the MTP layers (num_nextn_predict_layers).
          s.n_layer_nextn = static_cast<std::uint32_t>(c.u("num_nextn_predict_layers", 64).value_or(0));
        }}},
      {"phi3",
       {"phi3",
        [](const Config& c, ModelSpec& s, LayoutHints&, auto&) {
          common(c, s, false);
        }}},
      {"mamba2",
       {"mamba2",
        [](const Config& c, ModelSpec& s, LayoutHints&, auto&) {
          s.n_layer = layers_of(c);
          s.n_embd = c.required("hidden_size", 1U << 20);
          s.n_vocab = c.required("vocab_size", 1U << 24);
          s.n_ctx_train = c.u("max_position_embeddings").value_or(1U << 20);
          s.tied_embeddings = c.b("tie_word_embeddings").value_or(true);
          SsmParams ssm;
          ssm.d_conv = c.u("conv_kernel", 64).value_or(4);
          ssm.d_state = c.required("state_size", 1U << 16);
          ssm.n_group = c.u("n_groups", 1U << 16).value_or(1);
          ssm.dt_rank = c.required("num_heads", 1U << 16);
          ssm.d_inner = c.u("intermediate_size", 1U << 24).value_or(c.u("expand", 64).value_or(2) * s.n_embd);
          s.ssm = ssm;
          s.n_head_kv.assign(s.n_layer, 0);
        }}},
      {"ministral3",
       {"mistral3",
        [](const Config& c, ModelSpec& s, LayoutHints&, auto&) {
          common(c, s, false);
        }}},
      {"seed_oss",
       {"seed_oss",
        [](const Config& c, ModelSpec& s, LayoutHints&, auto&) {
          common(c, s, false);
          s.attention_bias = c.b("attention_bias").value_or(false);
        }}},
      {"smollm3",
       {"smollm3",
        [](const Config& c, ModelSpec& s, LayoutHints&, auto&) {
          common(c, s, true);
        }}},
      {"olmo2",
       {"olmo2",
        [](const Config& c, ModelSpec& s, LayoutHints&, auto&) {
          common(c, s, false);
        }}},
      {"olmo3",
       {"olmo2",
        [](const Config& c, ModelSpec& s, LayoutHints& hints, auto&) {
          common(c, s, false);
          s.n_swa = c.u("sliding_window").value_or(0);
          apply_layer_types(c, s, hints);
        }}},
      {"exaone4",
       {"exaone4",
        [](const Config& c, ModelSpec& s, LayoutHints& hints, auto&) {
          common(c, s, false);
          // llama.cpp slides only the 64-layer model's layers.
          if (s.n_layer == 64) {
            s.n_swa = c.u("sliding_window").value_or(4096);
            if (!apply_layer_types(c, s, hints)) {
              hints.swa_period = 4;
            }
          }
        }}},
      {"minimax_m2",
       {"minimax-m2",
        [](const Config& c, ModelSpec& s, LayoutHints&, auto&) {
          common(c, s, false);
          MoeParams m;
          m.n_expert = static_cast<std::uint32_t>(c.required("num_local_experts", 65536));
          m.n_expert_used = static_cast<std::uint32_t>(c.required("num_experts_per_tok", 65536));
          m.n_ff_exp = s.n_ff;   // the converter writes intermediate_size for both
          m.expert_bias = true;  // sigmoid routing with e_score_correction_bias
          s.moe = m;
        }}},
      {"ernie4_5",
       {"ernie4_5",
        [](const Config& c, ModelSpec& s, LayoutHints&, auto&) {
          common(c, s, true);
        }}},
      {"ernie4_5_moe",
       {"ernie4_5-moe",
        [](const Config& c, ModelSpec& s, LayoutHints&, auto&) {
          common(c, s, true);
          MoeParams m;
          m.n_expert = static_cast<std::uint32_t>(c.required("moe_num_experts", 65536));
          m.n_expert_used = static_cast<std::uint32_t>(c.required("moe_k", 65536));
          m.n_ff_exp = c.required("moe_intermediate_size", 1U << 24);
          m.n_expert_shared = static_cast<std::uint32_t>(c.u("moe_num_shared_experts", 64).value_or(0));
          // The converter's shared width: intermediate_size / num_key_value_heads.
          const auto kv = s.n_head_kv.empty() ? 0 : s.n_head_kv.front();
          m.n_ff_shexp = m.n_expert_shared > 0 && kv > 0 ? s.n_ff / kv : 0;
          m.n_layer_dense_lead = static_cast<std::uint32_t>(c.u("moe_layer_start_index", 4096).value_or(0));
          m.expert_bias = true;  // moe_statics.e_score_correction_bias becomes exp_probs_b
          s.moe = m;
        }}},
      {"hunyuan_v1_moe",
       {"hunyuan-moe",
        [](const Config& c, ModelSpec& s, LayoutHints&, auto&) {
          common(c, s, true);
          if (const auto head = c.u("attention_head_dim", 1U << 16)) {
            s.n_embd_head_k = s.n_embd_head_v = *head;
          }
          const auto first = [&](std::string_view key) -> std::uint64_t {
            const auto* v = c.raw(key);
            if (v != nullptr && v->is_array() && !v->empty() && (*v)[0].is_number_unsigned()) {
              return (*v)[0].get<std::uint64_t>();
            }
            return c.required(key, 1U << 24);
          };
          MoeParams m;
          m.n_expert = static_cast<std::uint32_t>(c.required("num_experts", 65536));
          m.n_expert_used = static_cast<std::uint32_t>(first("moe_topk"));
          m.n_ff_exp = first("moe_intermediate_size");
          m.n_expert_shared = static_cast<std::uint32_t>(first("num_shared_expert"));
          m.n_ff_shexp = s.n_ff;  // expert_shared_feed_forward_length = intermediate_size
          s.moe = m;
        }}},
      {"cohere",
       {"command-r",
        [](const Config& c, ModelSpec& s, LayoutHints&, auto&) {
          common(c, s, true);
          s.tied_embeddings = true;  // llama.cpp always reuses token_embd as the output
          if (const auto longest = c.u("model_max_length")) {
            s.n_ctx_train = *longest;  // the converter prefers it to max_position_embeddings
          }
        }}},
      {"cohere2",
       {"cohere2",
        [](const Config& c, ModelSpec& s, LayoutHints& hints, auto&) {
          common(c, s, true);
          s.tied_embeddings = true;
          s.n_swa = c.required("sliding_window");
          if (!apply_layer_types(c, s, hints)) {
            hints.swa_period = static_cast<std::uint32_t>(c.u("sliding_window_pattern", 4096).value_or(4));
          }
        }}},
      {"lfm2",
       {"lfm2",
        [](const Config& c, ModelSpec& s, LayoutHints&, auto&) {
          lfm2(c, s);
        }}},
      {"lfm2_moe",
       {"lfm2moe",
        [](const Config& c, ModelSpec& s, LayoutHints&, auto&) {
          lfm2(c, s);
          MoeParams m;
          m.n_expert = static_cast<std::uint32_t>(c.required("num_experts", 65536));
          m.n_expert_used = static_cast<std::uint32_t>(c.required("num_experts_per_tok", 65536));
          m.n_ff_exp = c.required("moe_intermediate_size", 1U << 24);
          m.n_layer_dense_lead = static_cast<std::uint32_t>(c.u("num_dense_layers", 4096).value_or(0));
          m.expert_bias = true;  // expert_bias becomes exp_probs_b (llama.cpp requires it)
          s.moe = m;
        }}},
      {"qwen3_vl_text", {"qwen3vl", qwen(false, false, false)}},
      {"qwen3_vl_moe_text", {"qwen3vlmoe", qwen(false, true, false)}},
      {"llama4_text",
       {"llama4",
        [](const Config& c, ModelSpec& s, LayoutHints& hints, auto&) {
          common(c, s, false);
          // HF's intermediate_size is the expert width; intermediate_size_mlp the dense FFN's.
          MoeParams m;
          m.n_expert = static_cast<std::uint32_t>(c.required("num_local_experts", 65536));
          m.n_expert_used = static_cast<std::uint32_t>(c.required("num_experts_per_tok", 65536));
          m.n_ff_exp = s.n_ff;
          m.n_expert_shared = 1;
          m.n_ff_shexp = m.n_ff_exp;
          m.interleave_step = static_cast<std::uint32_t>(c.u("interleave_moe_layer_step", 4096).value_or(1));
          s.moe = m;
          s.n_ff = c.u("intermediate_size_mlp", 1U << 24).value_or(s.n_ff);
          // llama.cpp chunks 3 of every 4 layers by 8192 tokens, whatever attention_chunk_size says.
          s.n_swa = 8192;
          hints.swa_period = 4;
          if (const auto* rope = c.object("rope_scaling")) {
            s.rope_freqs = rope->value("rope_type", rope->value("type", std::string{})) == "llama3";
          }
        }}},
      {"granitemoehybrid",
       {"granitehybrid",
        [](const Config& c, ModelSpec& s, LayoutHints& hints, auto&) {
          common(c, s, true);
          SsmParams ssm;
          ssm.d_conv = c.u("mamba_d_conv", 64).value_or(4);
          ssm.d_state = c.required("mamba_d_state", 1U << 16);
          ssm.n_group = c.u("mamba_n_groups", 1U << 16).value_or(1);
          ssm.dt_rank = c.required("mamba_n_heads", 1U << 16);
          ssm.d_inner = ssm.dt_rank * c.required("mamba_d_head", 1U << 16);
          s.ssm = ssm;
          if (!apply_layer_types(c, s, hints)) {
            c.fail("layer_types", "missing (it says which layers are Mamba-2 and which attention)");
          }
          for (std::uint32_t il = 0; il < s.n_layer; ++il) {
            if (hints.types[il] == LayerKind::recurrent) {
              s.n_head_kv[il] = 0;
            }
          }
          if (const auto n_expert = c.u("num_local_experts", 65536).value_or(0); n_expert > 0) {
            MoeParams m;
            m.n_expert = static_cast<std::uint32_t>(n_expert);
            m.n_expert_used = static_cast<std::uint32_t>(c.required("num_experts_per_tok", 65536));
            m.n_ff_exp = s.n_ff;
            m.n_ff_shexp = c.u("shared_intermediate_size", 1U << 24).value_or(0);
            m.n_expert_shared = m.n_ff_shexp > 0 ? 1 : 0;
            s.moe = m;
          }
        }}},
  };
  return k_mappers;
}

// Top-level types of multimodal wrappers and renamed releases, mapped to the
// model_type whose mapper reads them.
const std::map<std::string, std::string, std::less<>>& aliases() {
  static const std::map<std::string, std::string, std::less<>> k_aliases{
      {"qwen3_5", "qwen3_5_text"},   {"qwen3_5_moe", "qwen3_5_moe_text"},
      {"gemma3", "gemma3_text"},     {"deepseek_v2", "deepseek_v3"},
      {"kimi_k2", "deepseek_v3"},    {"mistral3", "mistral"},
      {"qwen3_vl", "qwen3_vl_text"}, {"qwen3_vl_moe", "qwen3_vl_moe_text"},
      {"llama4", "llama4_text"},     {"hunyuan", "hunyuan_v1_moe"}};  // the Hunyuan-A13B code repo names it so
  return k_aliases;
}

json parse_json(std::string_view text, const std::string& origin) {
  auto parsed = detail::parse_untrusted_json(text);
  if (const auto* failure = std::get_if<detail::JsonFailure>(&parsed)) {
    const std::string where = failure->byte ? "byte " + std::to_string(*failure->byte) + ": " : "";
    throw InputError(origin + ": " + where + failure->message);
  }
  return std::move(std::get<json>(parsed));
}

}  // namespace

std::vector<std::string_view> supported_hf_model_types() {
  std::vector<std::string_view> out;
  for (const auto& [type, mapper] : mappers()) {
    out.push_back(type);
  }
  for (const auto& [type, target] : aliases()) {
    out.push_back(type);
  }
  std::sort(out.begin(), out.end());
  return out;
}

CatalogModel model_from_hf_config(std::string_view text, const std::string& origin, std::vector<std::string>& notes) {
  const json root = parse_json(text, origin);
  if (!root.is_object()) {
    throw InputError(origin + ": a config.json must be a JSON object");
  }
  const Config top(root, origin, "");
  // Multimodal checkpoints keep the language model's fields in text_config.
  const json* text_config = top.object("text_config");
  const Config c = text_config != nullptr ? Config(*text_config, origin, "/text_config") : top;
  std::string type = c.s("model_type").value_or(top.s("model_type").value_or(""));
  if (type.empty()) {
    top.fail("model_type", "missing");
  }
  if (const auto a = aliases().find(type); a != aliases().end()) {
    type = a->second;
  }
  CatalogModel out;
  auto& s = out.spec;
  const auto& table = mappers();
  const auto it = table.find(type);
  if (it == table.end()) {
    std::vector<std::string> names;
    std::string list;
    for (const auto t : supported_hf_model_types()) {
      names.emplace_back(t);
      list += (list.empty() ? "" : ", ") + std::string(t);
    }
    throw InputError(origin + ": model_type '" + type.substr(0, 64) + "' is not supported" + did_you_mean(type, names) +
                     " (supported: " + list + ")");
  }
  s.arch = it->second.first;
  LayoutHints hints;
  it->second.second(c, s, hints, notes);
  resolve_layers(s, hints, origin, notes);
  // Tied embeddings may be declared at the top of a multimodal config.
  if (text_config != nullptr && top.has("tie_word_embeddings")) {
    s.tied_embeddings = *top.b("tie_word_embeddings");
  }
  // Per-layer head counts cover the MTP layers too, like their last block's.
  if (!s.n_head_kv.empty() && s.n_head_kv.size() < s.n_layer_all()) {
    s.n_head_kv.resize(s.n_layer_all(), s.n_head_kv.back());
  }
  const std::string name = top.s("_name_or_path").value_or("");
  std::string id = name;
  if (const auto slash = id.find_last_of('/'); slash != std::string::npos) {
    id = id.substr(slash + 1);
  }
  s.id = id.empty() ? "hf-" + type : detail::to_lower(id);
  s.name = id.empty() ? origin : id;
  out.source = "Hugging Face config.json (" + origin + ")";
  out.origin = origin;
  out.hf_repo = name;
  validate(s, origin);
  return out;
}

std::string catalog_entry_json(const CatalogModel& model) {
  const auto& s = model.spec;
  nlohmann::ordered_json m;
  // Catalog ids are lower-case letters, digits and . - _ +.
  std::string id = detail::to_lower(s.id);
  if (id.size() > 5 && id.compare(id.size() - 5, 5, ".gguf") == 0) {
    id.resize(id.size() - 5);
  }
  for (auto& ch : id) {
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '_' || ch == '+')) {
      ch = '-';
    }
  }
  m["id"] = id.empty() ? std::string("model") : id.substr(0, 128);
  m["name"] = s.name;
  if (!model.hf_repo.empty()) {
    m["hf_repo"] = model.hf_repo;
  }
  m["source"] = model.source;
  m["arch"] = s.arch;
  m["context_length"] = s.n_ctx_train;
  m["embedding_length"] = s.n_embd;
  m["block_count"] = s.n_layer;
  if (s.n_layer_nextn > 0) {
    m["nextn_layers"] = s.n_layer_nextn;
  }
  m["vocab_size"] = s.n_vocab;
  m["tied_embeddings"] = s.tied_embeddings;
  if (s.n_ff > 0) {
    m["feed_forward_length"] = s.n_ff;
  }
  if (s.rope_freqs) {
    m["rope_freqs"] = true;
  }
  if (s.attention_bias) {
    m["attention_bias"] = true;
  }
  if (s.qk_norm) {
    m["qk_norm"] = true;
  }
  nlohmann::ordered_json a;
  a["head_count"] = s.n_head;
  const bool uniform =
      std::all_of(s.n_head_kv.begin(), s.n_head_kv.end(), [&](std::uint32_t kv) { return kv == s.n_head_kv.front(); });
  a["head_count_kv"] = uniform ? nlohmann::ordered_json(s.n_head_kv.front()) : nlohmann::ordered_json(s.n_head_kv);
  if (s.n_embd_head_k > 0) {
    a["key_length"] = s.n_embd_head_k;
    a["value_length"] = s.n_embd_head_v;
  }
  if (s.n_swa > 0) {
    a["sliding_window"] = s.n_swa;
  }
  m["attention"] = a;
  std::vector<std::string> types;
  for (const auto kind : s.layers) {
    types.emplace_back(name(kind));
  }
  m["layers"] = {{"types", types}};
  if (s.moe) {
    nlohmann::ordered_json e;
    e["expert_count"] = s.moe->n_expert;
    e["expert_used_count"] = s.moe->n_expert_used;
    e["expert_feed_forward_length"] = s.moe->n_ff_exp;
    if (s.moe->n_expert_shared > 0) {
      e["expert_shared_count"] = s.moe->n_expert_shared;
    }
    if (s.moe->n_ff_shexp > 0) {
      e["expert_shared_feed_forward_length"] = s.moe->n_ff_shexp;
    }
    if (s.moe->n_layer_dense_lead > 0) {
      e["leading_dense_block_count"] = s.moe->n_layer_dense_lead;
    }
    if (s.moe->expert_bias) {
      e["expert_bias"] = true;
    }
    if (s.moe->interleave_step > 0) {
      e["interleave_step"] = s.moe->interleave_step;
    }
    m["moe"] = e;
  }
  if (s.ssm) {
    m["ssm"] = {{"conv_kernel", s.ssm->d_conv},
                {"inner_size", s.ssm->d_inner},
                {"state_size", s.ssm->d_state},
                {"time_step_rank", s.ssm->dt_rank},
                {"group_count", s.ssm->n_group}};
  }
  if (s.mla) {
    m["mla"] = {{"q_lora_rank", s.mla->q_lora_rank},
                {"kv_lora_rank", s.mla->kv_lora_rank},
                {"qk_rope_head_dim", s.mla->qk_rope_head_dim},
                {"qk_nope_head_dim", s.mla->qk_nope_head_dim},
                {"v_head_dim", s.mla->v_head_dim}};
  }
  if (s.tokenizer.n_merges || s.tokenizer.has_scores) {
    nlohmann::ordered_json t;
    if (s.tokenizer.n_merges) {
      t["merges"] = *s.tokenizer.n_merges;
    }
    if (s.tokenizer.has_scores) {
      t["scores"] = true;
    }
    t["source"] = model.source;
    m["tokenizer"] = t;
  }
  nlohmann::ordered_json doc;
  doc["models"] = nlohmann::ordered_json::array({m});
  return doc.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace vramfit
