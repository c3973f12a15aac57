#include "vramfit/input/gguf_model.hpp"

#include "vramfit/input/gguf_check.hpp"
#include "vramfit/model/arch.hpp"
#include "vramfit/support/error.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <set>

namespace vramfit {
namespace {

class Meta {
public:
  Meta(const GgufFile& f, std::string arch) : m_f(f), m_arch(std::move(arch)) {}

  const GgufValue* raw(std::string_view key) const { return m_f.find(m_arch + "." + std::string(key)); }

  [[noreturn]] void fail(std::string_view key, const std::string& what) const {
    throw InputError(m_f.origin + ": " + m_arch + "." + std::string(key) + ": " + what);
  }

  // A scalar, or the largest entry of a per-layer array.
  std::optional<std::uint64_t> u(std::string_view key) const {
    const auto* v = raw(key);
    if (v == nullptr) {
      return std::nullopt;
    }
    if (v->type == GgufType::array) {
      if (!v->elements_kept()) {
        fail(key, "per-layer array too large");
      }
      std::uint64_t best = 0;
      for (const auto& e : v->elements) {
        const auto x = e.as_uint();
        if (!x) {
          fail(key, "must hold non-negative integers");
        }
        best = std::max(best, *x);
      }
      return best;
    }
    const auto x = v->as_uint();
    if (!x) {
      fail(key, "must be a non-negative integer, not " + std::string(name(v->type)));
    }
    return x;
  }

  std::uint64_t required(std::string_view key) const {
    const auto v = u(key);
    if (!v) {
      throw InputError(m_f.origin + ": missing metadata key " + m_arch + "." + std::string(key));
    }
    return *v;
  }

  // A per-layer array of `n` integers, or a scalar repeated.
  std::optional<std::vector<std::uint64_t>> per_layer(std::string_view key, std::uint32_t n) const {
    const auto* v = raw(key);
    if (v == nullptr) {
      return std::nullopt;
    }
    std::vector<std::uint64_t> out;
    if (v->type == GgufType::array) {
      if (!v->elements_kept() || v->count != n) {
        fail(key, "per-layer array has " + std::to_string(v->count) + " entries for " + std::to_string(n) + " layers");
      }
      for (const auto& e : v->elements) {
        const auto x = e.as_uint();
        if (!x) {
          fail(key, "must hold non-negative integers");
        }
        out.push_back(*x);
      }
      return out;
    }
    const auto x = v->as_uint();
    if (!x) {
      fail(key, "must be a non-negative integer");
    }
    out.assign(n, *x);
    return out;
  }

  const std::string& arch() const { return m_arch; }

private:
  const GgufFile& m_f;
  std::string m_arch;
};

std::uint32_t narrow_layers(std::uint64_t v, const Meta& m, std::string_view key) {
  if (v > 4096) {
    m.fail(key, std::to_string(v) + " is implausibly many layers (more than 4096)");
  }
  return static_cast<std::uint32_t>(v);
}

bool has_tensor_ending(const std::vector<TensorSpec>& tensors, std::string_view suffix) {
  return std::any_of(tensors.begin(), tensors.end(), [&](const TensorSpec& t) {
    return t.name.size() >= suffix.size() && t.name.compare(t.name.size() - suffix.size(), suffix.size(), suffix) == 0;
  });
}

const TensorSpec* tensor_named(const std::vector<TensorSpec>& tensors, std::string_view name) {
  for (const auto& t : tensors) {
    if (t.name == name) {
      return &t;
    }
  }
  return nullptr;
}

}  // namespace

std::vector<TensorSpec> tensors_of(const GgufFile& header) {
  std::vector<TensorSpec> out;
  out.reserve(header.tensors.size());
  for (const auto& t : header.tensors) {
    TensorSpec s;
    s.name = t.name;
    s.ne = t.ne;
    s.n_dims = t.n_dims;
    s.type = t.type;
    s.layer = layer_of(t.name);
    out.push_back(std::move(s));
  }
  return out;
}

ModelSpec spec_from_gguf(const GgufFile& header, const std::vector<TensorSpec>& tensors,
                         std::vector<std::string>& notes) {
  const auto* arch_value = header.find("general.architecture");
  if (arch_value == nullptr || arch_value->type != GgufType::string || arch_value->s.empty()) {
    throw InputError(header.origin + ": missing metadata key general.architecture");
  }
  const Meta m(header, arch_value->s);
  ModelSpec s;
  s.arch = m.arch();
  if (const auto* n = header.find("general.name"); n != nullptr && n->type == GgufType::string) {
    s.name = n->s;
  }

  const auto n_layer_all = narrow_layers(m.required("block_count"), m, "block_count");
  s.n_layer_nextn = narrow_layers(m.u("nextn_predict_layers").value_or(0), m, "nextn_predict_layers");
  if (s.n_layer_nextn >= n_layer_all) {
    m.fail("nextn_predict_layers", "leaves no main layers");
  }
  s.n_layer = n_layer_all - s.n_layer_nextn;
  s.n_ctx_train = m.u("context_length").value_or(0);
  s.n_embd = m.required("embedding_length");
  s.n_ff = m.u("feed_forward_length").value_or(0);

  s.n_head = static_cast<std::uint32_t>(std::min<std::uint64_t>(m.u("attention.head_count").value_or(0), 1U << 20));
  const auto kv = m.per_layer("attention.head_count_kv", n_layer_all);
  if (kv) {
    for (const auto x : *kv) {
      s.n_head_kv.push_back(static_cast<std::uint32_t>(std::min<std::uint64_t>(x, 1U << 20)));
    }
  } else {
    s.n_head_kv.assign(n_layer_all, s.n_head);
  }
  const std::uint64_t default_head = s.n_head == 0 ? 0 : s.n_embd / s.n_head;
  s.n_embd_head_k = m.u("attention.key_length").value_or(default_head);
  s.n_embd_head_v = m.u("attention.value_length").value_or(s.n_embd_head_k);

  // Vocabulary: the explicit key, else the tokenizer's list, else the embedding's rows.
  if (const auto v = m.u("vocab_size")) {
    s.n_vocab = *v;
  } else if (const auto* tokens = header.find("tokenizer.ggml.tokens"); tokens != nullptr && tokens->count > 0) {
    s.n_vocab = tokens->count;
  } else if (const auto* embd = tensor_named(tensors, "token_embd.weight")) {
    s.n_vocab = embd->ne[1];
  }
  s.tied_embeddings = tensor_named(tensors, "output.weight") == nullptr;
  s.rope_freqs = tensor_named(tensors, "rope_freqs.weight") != nullptr;
  s.attention_bias = has_tensor_ending(tensors, "attn_k.bias");
  s.qk_norm = has_tensor_ending(tensors, "attn_q_norm.weight");
  if (const auto* merges = header.find("tokenizer.ggml.merges"); merges != nullptr) {
    s.tokenizer.n_merges = merges->count;
  }
  s.tokenizer.has_scores = header.find("tokenizer.ggml.scores") != nullptr;

  if (const auto n_expert = m.u("expert_count").value_or(0); n_expert > 0) {
    MoeParams moe;
    moe.n_expert = static_cast<std::uint32_t>(std::min<std::uint64_t>(n_expert, 1U << 20));
    moe.n_expert_used =
        static_cast<std::uint32_t>(std::min<std::uint64_t>(m.u("expert_used_count").value_or(0), 1U << 20));
    moe.n_ff_exp = m.u("expert_feed_forward_length").value_or(s.n_ff);
    moe.n_expert_shared =
        static_cast<std::uint32_t>(std::min<std::uint64_t>(m.u("expert_shared_count").value_or(0), 64));
    moe.n_ff_shexp = m.u("expert_shared_feed_forward_length").value_or(moe.n_ff_exp * moe.n_expert_shared);
    if (const auto* sh = tensor_named(tensors, "blk.0.ffn_up_shexp.weight"); sh != nullptr && moe.n_ff_shexp == 0) {
      moe.n_ff_shexp = sh->ne[1];
    }
    moe.n_layer_dense_lead =
        narrow_layers(m.u("leading_dense_block_count").value_or(0), m, "leading_dense_block_count");
    moe.expert_bias = has_tensor_ending(tensors, "exp_probs_b.bias");
    if (const auto* traits = find_arch(s.arch); traits != nullptr && traits->moe_interleave) {
      moe.interleave_step = narrow_layers(m.u("interleave_moe_layer_step").value_or(0), m, "interleave_moe_layer_step");
    }
    s.moe = moe;
  }
  if (const auto* traits = find_arch(s.arch); traits != nullptr && traits->shortconv) {
    // LFM2: the convolution's state only, n_embd wide.
    SsmParams ssm;
    ssm.d_conv = m.u("shortconv.l_cache").value_or(0);
    ssm.d_inner = s.n_embd;
    s.ssm = ssm;
  } else if (m.raw("ssm.conv_kernel") != nullptr || m.raw("ssm.inner_size") != nullptr) {
    SsmParams ssm;
    ssm.d_conv = m.u("ssm.conv_kernel").value_or(0);
    ssm.d_inner = m.u("ssm.inner_size").value_or(0);
    ssm.d_state = m.u("ssm.state_size").value_or(0);
    ssm.dt_rank = m.u("ssm.time_step_rank").value_or(0);
    ssm.n_group = m.u("ssm.group_count").value_or(0);
    s.ssm = ssm;
  }
  if (m.raw("attention.kv_lora_rank") != nullptr) {
    if (m.raw("attention.key_length_mla") != nullptr) {
      MlaParams mla;
      mla.q_lora_rank = m.u("attention.q_lora_rank").value_or(0);
      mla.kv_lora_rank = m.required("attention.kv_lora_rank");
      mla.qk_rope_head_dim = m.required("rope.dimension_count");
      const auto k_mla = m.required("attention.key_length_mla");
      if (k_mla <= mla.qk_rope_head_dim) {
        m.fail("attention.key_length_mla", "must exceed rope.dimension_count");
      }
      mla.qk_nope_head_dim = k_mla - mla.qk_rope_head_dim;
      mla.v_head_dim = m.u("attention.value_length_mla").value_or(s.n_embd_head_v);
      s.mla = mla;
    } else {
      notes.emplace_back("an MLA model in the older layout (no key_length_mla): llama.cpp caches full K and V heads");
    }
  }

  // Per-layer layout: what the metadata states, the architecture's rules for the rest.
  LayoutHints hints;
  s.n_swa = m.u("attention.sliding_window").value_or(0);
  const auto flags = [&](std::string_view key) {
    std::vector<bool> out;
    const auto* v = m.raw(key);
    if (v == nullptr || v->type != GgufType::array) {
      return out;
    }
    if (!v->elements_kept() || v->count < s.n_layer) {
      m.fail(key, "must be an array with one entry per layer");
    }
    for (std::uint32_t il = 0; il < s.n_layer; ++il) {
      out.push_back(v->elements[il].as_uint().value_or(0) != 0);
    }
    return out;
  };
  if (m.raw("attention.recurrent_layers") != nullptr && m.raw("attention.recurrent_layers")->type != GgufType::array) {
    m.fail("attention.recurrent_layers", "must be an array with one entry per layer");
  }
  hints.recurrent = flags("attention.recurrent_layers");
  hints.sliding = flags("attention.sliding_window_pattern");
  if (const auto* pattern = m.raw("attention.sliding_window_pattern");
      pattern != nullptr && pattern->type != GgufType::array) {
    hints.swa_period = static_cast<std::uint32_t>(std::min<std::uint64_t>(pattern->as_uint().value_or(0), 4096));
  }
  if (const auto interval = m.u("full_attention_interval")) {
    hints.full_attention_interval = static_cast<std::uint32_t>(std::min<std::uint64_t>(*interval, 4096));
  }
  resolve_layers(s, hints, header.origin, notes);
  return s;
}

GgufModel gguf_model(std::vector<GgufFile> parts) {
  if (parts.empty()) {
    throw InputError("no GGUF file given");
  }
  const auto split_no = [](const GgufFile& f) -> std::uint64_t {
    const auto* v = f.find("split.no");
    return v != nullptr ? v->as_uint().value_or(0) : 0;
  };
  std::sort(parts.begin(), parts.end(),
            [&](const GgufFile& a, const GgufFile& b) { return split_no(a) < split_no(b); });
  const auto* count_value = parts.front().find("split.count");
  const std::uint64_t count = count_value != nullptr ? count_value->as_uint().value_or(0) : 1;
  if (count != parts.size()) {
    throw InputError(parts.front().origin + ": split.count says " + std::to_string(count) + " parts, " +
                     std::to_string(parts.size()) + " were found");
  }
  for (std::size_t k = 0; k < parts.size(); ++k) {
    if (split_no(parts[k]) != k) {
      throw InputError(parts[k].origin + ": split.no is " + std::to_string(split_no(parts[k])) + ", expected " +
                       std::to_string(k));
    }
  }
  GgufModel out;
  std::set<std::string> names;
  for (const auto& p : parts) {
    out.parts.push_back(p.origin);
    out.file_bytes = checked_add(out.file_bytes, p.file_bytes, "file size");
    for (auto& t : tensors_of(p)) {
      if (!names.insert(t.name).second) {
        throw InputError(p.origin + ": tensor '" + t.name + "' appears in more than one part");
      }
      out.tensors.push_back(std::move(t));
    }
  }
  if (const auto* total = parts.front().find("split.tensors.count")) {
    if (total->as_uint().value_or(0) != out.tensors.size()) {
      throw InputError(parts.front().origin + ": split.tensors.count says " +
                       std::to_string(total->as_uint().value_or(0)) + " tensors, the parts hold " +
                       std::to_string(out.tensors.size()));
    }
  }
  const GgufFile& first = parts.front();
  out.version = first.version;
  auto& spec = out.model.spec;
  spec = spec_from_gguf(first, out.tensors, out.notes);
  std::string file = first.origin;
  if (const auto slash = file.find_last_of('/'); slash != std::string::npos) {
    file = file.substr(slash + 1);
  }
  spec.id = file;
  if (spec.name.empty()) {
    spec.name = file;
  }
  if (const auto* ft = first.find("general.file_type")) {
    if (const auto id = ft->as_uint(); id && *id <= 0xFFFFFFFFULL) {
      out.file_type = file_type_from_id(static_cast<std::uint32_t>(*id));
    }
  }
  Bytes tensor_bytes = 0;
  for (const auto& p : parts) {
    tensor_bytes = checked_add(tensor_bytes, p.tensor_bytes(), "tensor bytes");
  }
  out.metadata_bytes = out.file_bytes - std::min(out.file_bytes, tensor_bytes);
  out.model.source = "GGUF header of " + first.origin;
  out.model.origin = first.origin;
  validate(spec, first.origin);
  out.refusals = llama_load_refusals(first, out.tensors, spec);
  return out;
}

FileWeights file_weights(const GgufModel& model, const std::string& path) {
  FileWeights file;
  file.label = model.file_type ? std::string(name(*model.file_type)) : std::string("file");
  file.path = path;
  file.tensors = model.tensors;
  file.file_bytes = model.file_bytes;
  file.file_type = model.file_type;
  return file;
}

}  // namespace vramfit
