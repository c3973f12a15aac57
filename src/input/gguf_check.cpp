#include "vramfit/input/gguf_check.hpp"

#include "vramfit/model/arch.hpp"
#include "vramfit/support/text.hpp"

#include <algorithm>
#include <iterator>
#include <map>
#include <optional>
#include <string_view>

namespace vramfit {
namespace {

constexpr std::size_t k_max_tensor_name = 63;  // GGML_MAX_NAME (64) with its terminating zero

// Keys llama.cpp reads with get_key into a uint32_t: the stored type must be
// u32, with no widening or narrowing (llama-model-loader.cpp GGUFMeta).
constexpr std::string_view k_u32_keys[] = {
    "block_count",
    "context_length",
    "embedding_length",
    "vocab_size",
    "expert_count",
    "expert_shared_count",
    "expert_feed_forward_length",
    "expert_shared_feed_forward_length",
    "leading_dense_block_count",
    "nextn_predict_layers",
    "attention.key_length",
    "attention.value_length",
    "attention.key_length_mla",
    "attention.value_length_mla",
    "attention.sliding_window",
    "attention.kv_lora_rank",
    "attention.q_lora_rank",
    "rope.dimension_count",
    "ssm.conv_kernel",
    "ssm.inner_size",
    "ssm.state_size",
    "ssm.time_step_rank",
    "ssm.group_count",
};

// Keys read with get_key_or_arr: a u32 scalar, or a u32/i32 array of exactly
// block_count entries.
constexpr std::string_view k_per_layer_keys[] = {
    "feed_forward_length",
    "attention.head_count",
    "attention.head_count_kv",
};

// Per-block tensors every architecture llama.cpp builds creates as required
// (create_tensor without TENSOR_NOT_REQUIRED): when the expected inventory has
// them, the file must too.
constexpr std::string_view k_required_suffixes[] = {
    ".attn_q.weight",      ".attn_k.weight",        ".attn_v.weight",        ".attn_qkv.weight",
    ".attn_output.weight", ".ffn_up.weight",        ".ffn_down.weight",      ".ffn_gate.weight",
    ".ffn_up_exps.weight", ".ffn_down_exps.weight", ".ffn_gate_exps.weight", ".attn_norm.weight",
};

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string shape(const std::array<std::uint64_t, 4>& ne, std::uint32_t n_dims) {
  std::string out = "[";
  for (std::uint32_t d = 0; d < std::max<std::uint32_t>(n_dims, 1); ++d) {
    out += (d == 0 ? "" : ", ") + std::to_string(ne[d]);
  }
  return out + "]";
}

}  // namespace

std::vector<std::string> llama_load_refusals(const GgufFile& header, const std::vector<TensorSpec>& tensors,
                                             const ModelSpec& spec, std::size_t limit) {
  std::vector<std::string> out;
  const auto add = [&](std::string reason) {
    if (out.size() < limit) {
      out.push_back(std::move(reason));
    }
  };
  const auto* arch_value = header.find("general.architecture");
  const std::string arch = arch_value != nullptr ? arch_value->s : spec.arch;
  if (arch_value != nullptr && !arch_value->utf8) {
    add("general.architecture is not valid UTF-8: llama.cpp knows no such architecture");
  }
  // Keys and tensor names: byte strings llama.cpp matches exactly.
  for (const auto& [key, value] : header.metadata) {
    if (!valid_utf8(key)) {
      add("metadata key '" + key + "' is not valid UTF-8");
    }
  }
  for (const auto& t : tensors) {
    if (t.name.size() > k_max_tensor_name) {
      add("tensor name '" + t.name + "' is " + std::to_string(t.name.size()) + " bytes; llama.cpp allows at most " +
          std::to_string(k_max_tensor_name));
    } else if (!valid_utf8(t.name)) {
      add("tensor name '" + t.name + "' is not valid UTF-8");
    }
  }
  // Strict key types.
  const std::string a = arch + ".";
  for (const auto key : k_u32_keys) {
    const auto* v = header.find(a + std::string(key));
    if (v != nullptr && v->type != GgufType::uint32) {
      add("key " + a + std::string(key) + " is stored as " + std::string(name(v->type)) +
          "; llama.cpp reads it as u32 only");
    }
  }
  const std::uint64_t blocks = spec.n_layer_all();
  for (const auto key : k_per_layer_keys) {
    const auto* v = header.find(a + std::string(key));
    if (v == nullptr) {
      continue;
    }
    if (v->type == GgufType::array) {
      if (v->element_type != GgufType::uint32 && v->element_type != GgufType::int32) {
        add("key " + a + std::string(key) + " is an array of " + std::string(name(v->element_type)) +
            "; llama.cpp reads u32 or i32 arrays");
      } else if (v->count != blocks) {
        add("key " + a + std::string(key) + " has " + std::to_string(v->count) + " entries; llama.cpp needs one per " +
            "block (" + std::to_string(blocks) + ")");
      }
    } else if (v->type != GgufType::uint32) {
      add("key " + a + std::string(key) + " is stored as " + std::string(name(v->type)) +
          "; llama.cpp reads it as u32 only");
    }
  }
  // The vocabulary: tokenizer.ggml.model is required; "none" has vocab_size
  // dummy tokens, any other its token list. token_embd's rows must equal it.
  const auto* model = header.find("tokenizer.ggml.model");
  const auto* tokens = header.find("tokenizer.ggml.tokens");
  std::optional<std::uint64_t> n_vocab;
  if (model == nullptr || model->type != GgufType::string) {
    add("no tokenizer model (tokenizer.ggml.model)");
  } else if (model->s == "none" || model->s == "no_vocab") {
    const auto* size = header.find(a + "vocab_size");
    n_vocab = size != nullptr ? size->as_uint().value_or(0) : 0;
  } else if (tokens == nullptr) {
    add("no tokenizer vocabulary (tokenizer.ggml.tokens)");
  } else if (tokens->type != GgufType::array || tokens->element_type != GgufType::string) {
    add("tokenizer.ggml.tokens is not an array of strings");
  } else {
    n_vocab = tokens->count;
    if (!tokens->utf8 && model->s == "gpt2") {
      add("a BPE vocabulary token is not valid UTF-8 (llama.cpp's tokenizer rejects it)");
    }
  }
  if (n_vocab) {
    for (const auto& t : tensors) {
      if (t.name == "token_embd.weight" && t.ne[1] != *n_vocab) {
        add("token_embd.weight has " + std::to_string(t.ne[1]) + " rows for a vocabulary of " +
            std::to_string(*n_vocab) + " tokens");
      }
    }
  }
  // The tensors llama.cpp creates for this architecture, where vramfit builds them.
  const auto* traits = find_arch(spec.arch);
  if (traits != nullptr && traits->inventory != nullptr && can_build_inventory(spec)) {
    std::map<std::string_view, const TensorSpec*> in_file;
    for (const auto& t : tensors) {
      in_file.emplace(t.name, &t);
    }
    for (const auto& want : build_inventory(spec)) {
      const auto it = in_file.find(want.name);
      if (it == in_file.end()) {
        const bool required = want.name == "token_embd.weight" ||
                              (want.layer >= 0 && static_cast<std::uint32_t>(want.layer) < spec.n_layer &&
                               std::any_of(std::begin(k_required_suffixes), std::end(k_required_suffixes),
                                           [&](std::string_view s) { return ends_with(want.name, s); }));
        if (required) {
          add("tensor '" + want.name + "' is missing");
        }
        continue;
      }
      const auto& got = *it->second;
      if (got.ne != want.ne) {
        add("tensor '" + want.name + "' has shape " + shape(got.ne, got.n_dims) + "; the hyper-parameters give " +
            shape(want.ne, want.n_dims));
      }
    }
  }
  return out;
}

}  // namespace vramfit
