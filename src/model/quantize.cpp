#include "vramfit/model/quantize.hpp"

#include "vramfit/model/arch.hpp"
#include "vramfit/support/error.hpp"

#include <algorithm>
#include <functional>
#include <numeric>
#include <string>
#include <string_view>

namespace vramfit {
namespace {

using G = GgmlType;
using F = FileType;

enum class Category {
  output,
  token_embd,
  attn_qkv,
  attn_kv_b,
  attn_v,
  attn_k,
  attn_q,
  attn_output,
  ffn_up,
  ffn_gate,
  ffn_down,
  other
};

bool contains(std::string_view s, std::string_view part) noexcept {
  return s.find(part) != std::string_view::npos;
}

bool ends_with(std::string_view s, std::string_view suffix) noexcept {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// llama.cpp's tensor_get_category: broad categories by name substring.
Category category_of(std::string_view name) noexcept {
  if (name == "output.weight") {
    return Category::output;
  }
  if (name == "token_embd.weight" || name == "per_layer_token_embd.weight") {
    return Category::token_embd;
  }
  if (contains(name, "attn_qkv.weight")) {
    return Category::attn_qkv;
  }
  if (contains(name, "attn_kv_b.weight")) {
    return Category::attn_kv_b;
  }
  if (contains(name, "attn_v.weight")) {
    return Category::attn_v;
  }
  if (contains(name, "attn_k.weight")) {
    return Category::attn_k;
  }
  if (contains(name, "attn_q.weight")) {
    return Category::attn_q;
  }
  if (contains(name, "attn_output.weight")) {
    return Category::attn_output;
  }
  if (contains(name, "ffn_up")) {
    return Category::ffn_up;
  }
  if (contains(name, "ffn_gate")) {
    return Category::ffn_gate;
  }
  if (contains(name, "ffn_down")) {
    return Category::ffn_down;
  }
  return Category::other;
}

// attn_v-like tensors are the most sensitive to quantization; QKV and KV_B count too.
bool is_attn_v_like(Category c) noexcept {
  return c == Category::attn_v || c == Category::attn_qkv || c == Category::attn_kv_b;
}

bool use_more_bits(int i_layer, int n_layers) noexcept {
  return i_layer < n_layers / 8 || i_layer >= 7 * n_layers / 8 || (i_layer - n_layers / 8) % 3 == 2;
}

bool is_one_of(F f, std::initializer_list<F> set) noexcept {
  return std::find(set.begin(), set.end(), f) != set.end();
}

// State carried across tensors, as in llama.cpp's quantize_state_impl.
struct RecipeState {
  const ModelSpec& spec;
  F ftype;
  QuantOptions options;
  bool tied = true;
  int n_attention_wv = 0;
  int i_attention_wv = 0;
  int n_ffn = 0;  // n_ffn_down = n_ffn_gate = n_ffn_up = n_layer_all
  int i_ffn_down = 0;
  int i_ffn_gate = 0;
  int i_ffn_up = 0;

  std::uint32_t n_expert() const { return spec.moe ? spec.moe->n_expert : 0; }
  std::uint32_t n_gqa() const {
    const auto kv = spec.head_count_kv(0);
    return kv == 0 ? 0 : spec.n_head / kv;
  }
  const ArchTraits* arch = find_arch(spec.arch);

  bool falcon() const { return arch != nullptr && arch->falcon_quant_rules; }
  bool is_70b() const {
    // llama.cpp's LLM_TYPE_70B: an 80-layer Llama (or Qwen2) with grouped-query attention.
    return arch != nullptr && arch->llm_type_70b_at_80_layers && spec.n_layer == 80 &&
           spec.n_head != spec.head_count_kv(0);
  }

  // Layer index used by the ffn rules: parsed from the name for MoE models
  // (experts are not stored consecutively), else the running counter.
  int layer_for(int counter, const TensorSpec& t) const {
    if (std::max<std::uint32_t>(1, n_expert()) > 1) {
      if (t.layer < 0 || t.layer >= n_ffn) {
        throw InputError("tensor '" + t.name + "': cannot determine its layer in [0, " + std::to_string(n_ffn) + ")");
      }
      return t.layer;
    }
    return counter;
  }
};

G tensor_type_fallback(const TensorSpec& t, G target) {
  const auto ncols = t.row_length();
  const auto block = traits(target).block_size;
  if (ncols % block == 0) {
    return target;
  }
  G out = target;
  switch (target) {
    case G::iq1_s:
    case G::iq1_m:
    case G::iq2_xxs:
    case G::iq2_xs:
    case G::iq2_s:
    case G::iq3_xxs:
    case G::iq3_s:
    case G::iq4_xs:
      out = G::iq4_nl;
      break;
    case G::q2_0:
    case G::q2_k:
    case G::q3_k:
    case G::tq1_0:
    case G::tq2_0:
      out = G::q4_0;
      break;
    case G::q4_k:
      out = G::q5_0;
      break;
    case G::q5_k:
      out = G::q5_1;
      break;
    case G::q6_k:
      out = G::q8_0;
      break;
    default:
      if (block > 32) {
        throw InputError("tensor '" + t.name + "': row of " + std::to_string(ncols) +
                         " elements has no fallback from " + std::string(name(target)));
      }
      break;
  }
  if (ncols % traits(out).block_size != 0) {
    out = G::f16;  // llama.cpp: "must use F16 due to unusual shape"
  }
  return out;
}

// llama_tensor_get_type_impl: the mixture logic for one tensor.
G recipe_type(RecipeState& qs, const TensorSpec& t, Category category, G new_type) {
  const F ftype = qs.ftype;
  const auto n_expert = qs.n_expert();

  if (category == Category::output || (qs.tied && category == Category::token_embd)) {
    const auto nx = t.row_length();
    const auto qk_k = traits(new_type).block_size;
    if (ftype == F::mxfp4_moe) {
      new_type = G::q8_0;
    } else if (qs.falcon() || nx % qk_k != 0) {
      new_type = G::q8_0;
    } else if (is_one_of(ftype, {F::iq2_xxs, F::iq2_xs, F::iq3_xxs, F::iq1_s, F::iq2_s, F::iq2_m, F::iq1_m})) {
      new_type = G::q5_k;
    } else if (new_type != G::q8_0) {
      new_type = G::q6_k;
    }
    return new_type;
  }
  if (ftype == F::mxfp4_moe) {
    // Expert tensors (3-D) in MXFP4, everything else Q8_0.
    return t.ne[2] > 1 ? G::mxfp4 : G::q8_0;
  }
  if (category == Category::token_embd) {
    if (is_one_of(ftype, {F::iq2_xxs, F::iq2_xs, F::iq1_s, F::iq1_m})) {
      new_type = G::q2_k;
    } else if (is_one_of(ftype, {F::iq2_s, F::iq2_m, F::iq3_xxs})) {
      new_type = G::iq3_s;
    } else if (is_one_of(ftype, {F::tq1_0, F::tq2_0, F::q2_0})) {
      new_type = G::q4_k;
    }
    return new_type;
  }
  if (is_one_of(ftype, {F::iq2_xxs, F::iq2_xs, F::iq1_s, F::iq2_s, F::iq2_m, F::iq1_m})) {
    const bool iq2_s_family = ftype == F::iq2_s || ftype == F::iq2_m;
    if (is_attn_v_like(category)) {
      if (qs.n_gqa() >= 4 || n_expert >= 4) {
        new_type = G::q4_k;
      } else {
        new_type = iq2_s_family ? G::iq3_s : G::q2_k;
      }
      ++qs.i_attention_wv;
    } else if (n_expert == 8 && category == Category::attn_k) {
      new_type = G::q4_k;
    } else if (category == Category::ffn_down) {
      if (qs.i_ffn_down < qs.n_ffn / 8) {
        new_type = iq2_s_family ? G::iq3_s : G::q2_k;
      }
      ++qs.i_ffn_down;
    } else if (category == Category::attn_output) {
      if (n_expert == 8) {
        new_type = G::q5_k;
      } else if (ftype == F::iq1_s || ftype == F::iq1_m) {
        new_type = G::iq2_xxs;
      } else if (iq2_s_family) {
        new_type = G::iq3_s;
      }
    }
    return new_type;
  }
  if (is_attn_v_like(category)) {
    const auto gqa = qs.n_gqa();
    if (ftype == F::q2_k) {
      new_type = gqa >= 4 ? G::q4_k : G::q3_k;
    } else if (ftype == F::q2_k_s && gqa >= 4) {
      new_type = G::q4_k;
    } else if (ftype == F::iq3_xxs) {
      new_type = gqa >= 4 ? G::q4_k : !qs.options.imatrix ? G::iq3_s : G::iq3_xxs;
    } else if ((ftype == F::iq3_xs || ftype == F::iq3_s) && gqa >= 4) {
      new_type = G::q4_k;
    } else if (ftype == F::iq3_m) {
      new_type = G::q4_k;
    } else if (ftype == F::q3_k_m) {
      new_type = qs.i_attention_wv < 2 ? G::q5_k : G::q4_k;
    } else if (ftype == F::q3_k_l) {
      new_type = G::q5_k;
    } else if ((ftype == F::iq4_nl || ftype == F::iq4_xs) && gqa >= 4) {
      new_type = G::q5_k;
    } else if ((ftype == F::q4_k_m || ftype == F::q5_k_m) && use_more_bits(qs.i_attention_wv, qs.n_attention_wv)) {
      new_type = G::q6_k;
    } else if (ftype == F::q4_k_s && qs.i_attention_wv < 4) {
      new_type = G::q5_k;
    }
    if (qs.is_70b() && (new_type == G::q3_k || new_type == G::q4_k)) {
      new_type = G::q5_k;
    }
    if (n_expert == 8) {
      new_type = G::q8_0;
    }
    ++qs.i_attention_wv;
    return new_type;
  }
  if (category == Category::attn_k) {
    if (n_expert == 8) {
      new_type = G::q8_0;
    } else if (ftype == F::iq3_xs) {
      new_type = G::iq3_xxs;
    } else if (ftype == F::iq3_xxs) {
      new_type = G::iq2_s;
    }
    return new_type;
  }
  if (category == Category::attn_q) {
    if (ftype == F::iq3_xs) {
      new_type = G::iq3_xxs;
    } else if (ftype == F::iq3_xxs) {
      new_type = G::iq2_s;
    }
    return new_type;
  }
  if (category == Category::ffn_down) {
    const int i_layer = qs.layer_for(qs.i_ffn_down, t);
    const int n_layer = qs.n_ffn;
    if (ftype == F::q2_k) {
      new_type = G::q3_k;
    } else if (ftype == F::q2_k_s) {
      if (i_layer < n_layer / 8) {
        new_type = G::q4_k;
      }
    } else if (ftype == F::iq3_xxs && !qs.options.imatrix) {
      new_type = i_layer < n_layer / 8 ? G::q4_k : G::q3_k;
    } else if (ftype == F::q3_k_m) {
      new_type = i_layer < n_layer / 16 ? G::q5_k : !qs.falcon() || use_more_bits(i_layer, n_layer) ? G::q4_k : G::q3_k;
    } else if (ftype == F::iq3_m && (i_layer < n_layer / 8 || (n_expert == 8 && use_more_bits(i_layer, n_layer)))) {
      new_type = G::q4_k;
    } else if (ftype == F::q3_k_l) {
      new_type = qs.falcon() ? G::q4_k : G::q5_k;
    } else if (ftype == F::q4_k_m) {
      if (qs.falcon()) {
        new_type = i_layer < n_layer / 16 ? G::q6_k : use_more_bits(i_layer, n_layer) ? G::q5_k : G::q4_k;
      } else if (use_more_bits(i_layer, n_layer)) {
        new_type = G::q6_k;
      }
    } else if (i_layer < n_layer / 8 && (ftype == F::iq4_nl || ftype == F::iq4_xs) && !qs.options.imatrix) {
      new_type = G::q5_k;
    } else if (ftype == F::q5_k_m && use_more_bits(i_layer, n_layer)) {
      new_type = G::q6_k;
    } else if (ftype == F::q4_k_s && !qs.falcon() && i_layer < n_layer / 8) {
      new_type = G::q5_k;
    } else if ((ftype == F::q4_0 || ftype == F::q5_0) && qs.options.imatrix && i_layer < n_layer / 8) {
      new_type = ftype == F::q4_0 ? G::q4_1 : G::q5_1;
    }
    ++qs.i_ffn_down;
    return new_type;
  }
  if (category == Category::attn_output) {
    if (!qs.falcon()) {
      if (n_expert == 8) {
        if (is_one_of(ftype, {F::q2_k, F::iq3_xs, F::iq3_xxs, F::q3_k_s, F::q3_k_m, F::iq4_nl, F::q4_k_s, F::q4_k_m,
                              F::iq3_s, F::iq3_m, F::iq4_xs})) {
          new_type = G::q5_k;
        }
      } else if (ftype == F::q2_k) {
        new_type = G::q3_k;
      } else if (ftype == F::iq3_xxs) {
        new_type = G::iq3_s;
      } else if (ftype == F::q3_k_m) {
        new_type = G::q4_k;
      } else if (ftype == F::q3_k_l) {
        new_type = G::q5_k;
      } else if (ftype == F::iq3_m) {
        new_type = G::q4_k;
      }
    } else if (ftype == F::q3_k_l) {
      new_type = G::q4_k;
    }
    return new_type;
  }
  // attn_qkv never reaches here: it is attn_v-like above (as in llama.cpp).
  if (category == Category::ffn_gate || category == Category::ffn_up) {
    int& counter = category == Category::ffn_gate ? qs.i_ffn_gate : qs.i_ffn_up;
    const int i_layer = qs.layer_for(counter, t);
    const int n_layer = qs.n_ffn;
    if (ftype == F::iq3_xs && i_layer >= n_layer / 8 && i_layer < 7 * n_layer / 8) {
      new_type = G::iq3_xxs;
    }
    ++counter;
  }
  return new_type;
}

}  // namespace

QuantOptions default_options(FileType ftype) noexcept {
  QuantOptions o;
  o.imatrix = is_one_of(ftype, {F::iq2_xxs, F::iq2_xs, F::iq2_s, F::iq2_m, F::iq1_s, F::iq1_m, F::q2_k_s});
  return o;
}

bool tensor_allows_quantization(const TensorSpec& t) noexcept {
  if (t.n_dims < 2) {
    return false;
  }
  const std::string_view n = t.name;
  if (!ends_with(n, "weight")) {
    return false;
  }
  constexpr std::string_view k_never[] = {"_norm.weight",
                                          "ffn_gate_inp.weight",
                                          "ffn_gate_tid2eid.weight",
                                          "altup",
                                          "laurel",
                                          "per_layer_model_proj",
                                          "ssm_conv1d",
                                          "shortconv.conv.weight",
                                          "indexer.k_proj.weight",
                                          "indexer.q_proj.weight",
                                          "time_mix_first.weight",
                                          "time_mix_w0.weight",
                                          "time_mix_w1.weight",
                                          "time_mix_w2.weight",
                                          "time_mix_v0.weight",
                                          "time_mix_v1.weight",
                                          "time_mix_v2.weight",
                                          "time_mix_a0.weight",
                                          "time_mix_a1.weight",
                                          "time_mix_a2.weight",
                                          "time_mix_g1.weight",
                                          "time_mix_g2.weight",
                                          "time_mix_decay_w1.weight",
                                          "time_mix_decay_w2.weight",
                                          "time_mix_lerp_fused.weight",
                                          "attn_rel_b.weight",
                                          ".position_embd",
                                          ".patch_embd"};
  for (const auto part : k_never) {
    if (contains(n, part)) {
      return false;
    }
  }
  return n != "position_embd.weight" && n != "token_types.weight";
}

std::vector<GgmlType> recipe_types(const std::vector<TensorSpec>& inventory, const ModelSpec& spec, FileType ftype,
                                   QuantOptions options) {
  RecipeState qs{spec, ftype, options};
  qs.n_ffn = static_cast<int>(spec.n_layer_all());

  // llama.cpp visits tensors sorted by block index (globals first), then name.
  std::vector<std::size_t> order(inventory.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const auto& ta = inventory[a];
    const auto& tb = inventory[b];
    if (ta.layer != tb.layer) {
      return ta.layer < tb.layer;
    }
    return ta.name < tb.name;
  });
  for (const auto& t : inventory) {
    const auto c = category_of(t.name);
    qs.n_attention_wv += is_attn_v_like(c) ? 1 : 0;
    if (c == Category::output) {
      qs.tied = false;
    }
  }

  const G default_type = traits(ftype).default_type;
  const auto* arch = find_arch(spec.arch);
  const bool keep_mxfp4_experts = arch != nullptr && arch->experts_stay_mxfp4;
  std::vector<GgmlType> out(inventory.size());
  for (const auto index : order) {
    const auto& t = inventory[index];
    if (!tensor_allows_quantization(t)) {
      out[index] = t.type;
      continue;
    }
    if (keep_mxfp4_experts && is_routed_expert(t.name) && t.n_dims == 3) {
      out[index] = G::mxfp4;  // as every publisher ships them
      continue;
    }
    G type = default_type;
    if (is_quantized(default_type)) {
      type = recipe_type(qs, t, category_of(t.name), type);
      type = tensor_type_fallback(t, type);
    }
    out[index] = type;
  }
  return out;
}

Bytes WeightsBreakdown::device_bytes() const {
  // The tied output matrix is token_embd loaded a second time, onto the GPU.
  return total_bytes - token_embd_bytes - mtp_bytes + (tied_output ? output_bytes : 0);
}

WeightsBreakdown summarize_tensors(const std::vector<TensorSpec>& inventory, std::uint32_t n_layer,
                                   const std::function<Bytes(std::size_t)>& bytes_of,
                                   const std::vector<GgmlType>* types) {
  WeightsBreakdown w;
  w.layer_bytes.assign(n_layer, 0);
  w.layer_expert_bytes.assign(n_layer, 0);
  bool tied = true;
  for (std::size_t i = 0; i < inventory.size(); ++i) {
    const auto& t = inventory[i];
    const Bytes bytes = bytes_of(i);
    w.total_bytes = checked_add(w.total_bytes, bytes, "model weights");
    w.n_elements =
        checked_add(w.n_elements, checked_mul(t.row_length(), t.rows(), "tensor elements"), "model parameters");
    if (types != nullptr) {
      const auto type = types->at(i);
      w.bytes_by_type[type] += bytes;
      w.count_by_type[type] += 1;
    }
    ++w.n_tensors;
    const bool mtp = t.layer >= 0 && static_cast<std::uint32_t>(t.layer) >= n_layer;
    if (!mtp && t.rows() > 1 && t.name != "token_embd.weight") {
      const std::uint64_t elements = t.row_length() * t.rows();
      (is_routed_expert(t.name) ? w.expert_elements : w.matmul_elements) += elements;
    }
    if (mtp) {
      w.mtp_bytes = checked_add(w.mtp_bytes, bytes, "MTP weights");
    } else if (t.layer >= 0) {
      const auto il = static_cast<std::size_t>(t.layer);
      w.layer_bytes[il] = checked_add(w.layer_bytes[il], bytes, "layer weights");
      if (is_routed_expert(t.name)) {
        w.layer_expert_bytes[il] = checked_add(w.layer_expert_bytes[il], bytes, "expert weights");
      }
    } else if (t.name != "token_embd.weight") {
      w.output_layer_bytes = checked_add(w.output_layer_bytes, bytes, "output weights");
    }
    if (t.name == "token_embd.weight") {
      w.token_embd_bytes = bytes;
    } else if (t.name == "output.weight") {
      w.output_bytes = bytes;
      tied = false;
    }
  }
  if (tied) {
    // token_embd is multiplied again as the output matrix
    const auto embd = std::find_if(inventory.begin(), inventory.end(),
                                   [](const TensorSpec& t) { return t.name == "token_embd.weight"; });
    if (embd != inventory.end()) {
      w.matmul_elements += embd->row_length() * embd->rows();
    }
    w.output_bytes = w.token_embd_bytes;
    w.tied_output = true;
    w.output_layer_bytes = checked_add(w.output_layer_bytes, w.token_embd_bytes, "output weights");
  }
  return w;
}

WeightsBreakdown summarize_weights(const std::vector<TensorSpec>& inventory, const std::vector<GgmlType>& types,
                                   std::uint32_t n_layer) {
  return summarize_tensors(
      inventory, n_layer,
      [&](std::size_t i) { return tensor_bytes(types.at(i), inventory[i].row_length(), inventory[i].rows()); }, &types);
}

Bytes gguf_tensor_data_bytes(const std::vector<TensorSpec>& inventory, const std::vector<GgmlType>& types) {
  constexpr Bytes k_alignment = 32;  // GGUF_DEFAULT_ALIGNMENT
  Bytes total = 0;
  for (std::size_t i = 0; i < inventory.size(); ++i) {
    const auto& t = inventory[i];
    const Bytes bytes = tensor_bytes(types.at(i), t.row_length(), t.rows());
    total = checked_add(total, checked_pad(bytes, k_alignment, "tensor data"), "tensor data");
  }
  return total;
}

}  // namespace vramfit
