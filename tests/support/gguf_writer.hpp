#pragma once

// A small GGUF writer for tests: fixtures are generated, not checked in. It
// writes the header (key/values of any type, nested arrays, tensor infos) and
// either zero tensor data or a sparse file of the full size, so a header of a
// 30 GB model costs a few MB on disk.

#include "vramfit/input/gguf.hpp"
#include "vramfit/model/ggml_type.hpp"
#include "vramfit/model/inventory.hpp"
#include "vramfit/model/model.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace vramfit::test {

/// Little-endian byte encoder for GGUF values.
class Encoder {
public:
  std::vector<unsigned char> bytes;

  template <typename T> void put(T v) {
    unsigned char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));
    bytes.insert(bytes.end(), b, b + sizeof(T));
  }
  void str(const std::string& s) {
    put<std::uint64_t>(s.size());
    bytes.insert(bytes.end(), s.begin(), s.end());
  }
  void raw(const std::vector<unsigned char>& b) { bytes.insert(bytes.end(), b.begin(), b.end()); }
};

class GgufWriter {
public:
  explicit GgufWriter(std::uint32_t version = 3, std::uint64_t alignment = 32)
      : m_version(version), m_alignment(alignment) {}

  // Scalars.
  void u8(const std::string& k, std::uint8_t v) { scalar(k, GgufType::uint8, v); }
  void i8(const std::string& k, std::int8_t v) { scalar(k, GgufType::int8, v); }
  void u16(const std::string& k, std::uint16_t v) { scalar(k, GgufType::uint16, v); }
  void i16(const std::string& k, std::int16_t v) { scalar(k, GgufType::int16, v); }
  void u32(const std::string& k, std::uint32_t v) { scalar(k, GgufType::uint32, v); }
  void i32(const std::string& k, std::int32_t v) { scalar(k, GgufType::int32, v); }
  void f32(const std::string& k, float v) { scalar(k, GgufType::float32, v); }
  void boolean(const std::string& k, bool v) { scalar(k, GgufType::boolean, static_cast<std::uint8_t>(v ? 1 : 0)); }
  void u64(const std::string& k, std::uint64_t v) { scalar(k, GgufType::uint64, v); }
  void i64(const std::string& k, std::int64_t v) { scalar(k, GgufType::int64, v); }
  void f64(const std::string& k, double v) { scalar(k, GgufType::float64, v); }
  void str(const std::string& k, const std::string& v) {
    key(k, GgufType::string);
    m_kv.str(v);
  }

  // Arrays of scalars or strings.
  template <typename T> void array(const std::string& k, GgufType element, const std::vector<T>& values) {
    key(k, GgufType::array);
    m_kv.put(static_cast<std::uint32_t>(element));
    m_kv.put<std::uint64_t>(values.size());
    for (const auto& v : values) {
      m_kv.put(v);
    }
  }
  void strings(const std::string& k, const std::vector<std::string>& values) {
    key(k, GgufType::array);
    m_kv.put(static_cast<std::uint32_t>(GgufType::string));
    m_kv.put<std::uint64_t>(values.size());
    for (const auto& v : values) {
      m_kv.str(v);
    }
  }
  /// An array of arrays of u32 (nested arrays).
  void nested_u32(const std::string& k, const std::vector<std::vector<std::uint32_t>>& values) {
    key(k, GgufType::array);
    m_kv.put(static_cast<std::uint32_t>(GgufType::array));
    m_kv.put<std::uint64_t>(values.size());
    for (const auto& inner : values) {
      m_kv.put(static_cast<std::uint32_t>(GgufType::uint32));
      m_kv.put<std::uint64_t>(inner.size());
      for (const auto v : inner) {
        m_kv.put(v);
      }
    }
  }
  /// A key/value written from raw bytes (for malformed fixtures).
  void raw_kv(const std::string& k, std::uint32_t type, const std::vector<unsigned char>& payload) {
    m_kv.str(k);
    m_kv.put(type);
    m_kv.raw(payload);
    ++m_n_kv;
  }

  /// A tensor; data offsets are assigned in order, aligned.
  void tensor(const std::string& name, const std::vector<std::uint64_t>& shape, GgmlType type) {
    std::uint64_t rows = 1;
    for (std::size_t d = 1; d < shape.size(); ++d) {
      rows *= shape[d];
    }
    const auto bytes = tensor_bytes(type, shape.at(0), rows);
    m_ti.str(name);
    m_ti.put<std::uint32_t>(static_cast<std::uint32_t>(shape.size()));
    for (const auto d : shape) {
      m_ti.put<std::uint64_t>(d);
    }
    m_ti.put(static_cast<std::uint32_t>(type));
    m_ti.put<std::uint64_t>(m_data_bytes);
    m_data_bytes = pad(m_data_bytes + bytes);
    ++m_n_tensors;
  }
  /// A tensor info written from raw fields (for malformed fixtures).
  void raw_tensor(const std::string& name, const std::vector<std::uint64_t>& shape, std::uint32_t type,
                  std::uint64_t offset) {
    m_ti.str(name);
    m_ti.put<std::uint32_t>(static_cast<std::uint32_t>(shape.size()));
    for (const auto d : shape) {
      m_ti.put<std::uint64_t>(d);
    }
    m_ti.put(type);
    m_ti.put(offset);
    ++m_n_tensors;
  }

  /// Overrides the counts written in the header (for malformed fixtures).
  void lie_about_counts(std::uint64_t n_tensors, std::uint64_t n_kv) {
    m_fake_counts = true;
    m_fake_tensors = n_tensors;
    m_fake_kv = n_kv;
  }

  /// The header, padded to the alignment: everything before the tensor data.
  std::vector<unsigned char> header() const {
    Encoder e;
    e.bytes = {'G', 'G', 'U', 'F'};
    e.put(m_version);
    e.put<std::uint64_t>(m_fake_counts ? m_fake_tensors : m_n_tensors);
    e.put<std::uint64_t>(m_fake_counts ? m_fake_kv : m_n_kv);
    e.raw(m_kv.bytes);
    e.raw(m_ti.bytes);
    e.bytes.resize(static_cast<std::size_t>(pad(e.bytes.size())), 0);
    return e.bytes;
  }
  std::uint64_t data_bytes() const { return m_data_bytes; }
  std::uint64_t total_bytes() const { return header().size() + m_data_bytes; }

  /// Header plus zero-filled data, in memory.
  std::vector<unsigned char> bytes() const {
    auto b = header();
    b.resize(static_cast<std::size_t>(b.size() + m_data_bytes), 0);
    return b;
  }

  /// Writes the header and extends the file to its full size without writing
  /// the zeros (a sparse file on file systems that support it).
  void write_sparse(const std::string& path) const {
    const auto h = header();
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(h.data()), static_cast<std::streamsize>(h.size()));
    if (m_data_bytes > 0) {
      out.seekp(static_cast<std::streamoff>(h.size() + m_data_bytes - 1));
      out.put('\0');
    }
    if (!out) {
      throw std::runtime_error("cannot write " + path);
    }
  }

private:
  void key(const std::string& k, GgufType type) {
    m_kv.str(k);
    m_kv.put(static_cast<std::uint32_t>(type));
    ++m_n_kv;
  }
  template <typename T> void scalar(const std::string& k, GgufType type, T v) {
    key(k, type);
    m_kv.put(v);
  }
  std::uint64_t pad(std::uint64_t n) const { return (n + m_alignment - 1) / m_alignment * m_alignment; }

  std::uint32_t m_version;
  std::uint64_t m_alignment;
  Encoder m_kv;
  Encoder m_ti;
  std::uint64_t m_n_kv = 0;
  std::uint64_t m_n_tensors = 0;
  std::uint64_t m_data_bytes = 0;
  bool m_fake_counts = false;
  std::uint64_t m_fake_tensors = 0;
  std::uint64_t m_fake_kv = 0;
};

/// A ByteSource that serves a header, then zeros up to `size` (a sparse file
/// in memory).
class SparseSource final : public ByteSource {
public:
  SparseSource(std::vector<unsigned char> header, std::uint64_t size) : m_header(std::move(header)), m_size(size) {}
  std::uint64_t size() const override { return m_size; }
  bool read(std::uint64_t offset, void* out, std::size_t length) override {
    auto* dst = static_cast<unsigned char*>(out);
    for (std::size_t k = 0; k < length; ++k) {
      const auto at = offset + k;
      dst[k] = at < m_header.size() ? m_header[static_cast<std::size_t>(at)] : 0;
    }
    return offset + length <= m_size;
  }

private:
  std::vector<unsigned char> m_header;
  std::uint64_t m_size;
};

/// Writes the GGUF llama.cpp's converter would write for `spec`: its
/// architecture keys and every tensor of its inventory typed as `types`
/// (index-aligned). With `tokenizer`, a SentencePiece-style vocabulary of
/// n_vocab tokens (special tokens, 256 byte tokens, fillers) that llama.cpp
/// can load; without, a "none" vocabulary of dummy tokens (smaller headers).
inline GgufWriter model_writer(const ModelSpec& spec, const std::vector<TensorSpec>& inventory,
                               const std::vector<GgmlType>& types, std::uint32_t file_type, bool tokenizer = false) {
  GgufWriter w;
  const std::string a = spec.arch + ".";
  w.str("general.architecture", spec.arch);
  w.str("general.name", spec.name);
  w.u32("general.file_type", file_type);
  w.u32("general.quantization_version", 2);
  w.u32(a + "block_count", spec.n_layer_all());
  if (spec.n_layer_nextn > 0) {
    w.u32(a + "nextn_predict_layers", spec.n_layer_nextn);
  }
  w.u32(a + "context_length", static_cast<std::uint32_t>(spec.n_ctx_train));
  w.u32(a + "embedding_length", static_cast<std::uint32_t>(spec.n_embd));
  if (spec.n_ff > 0) {
    w.u32(a + "feed_forward_length", static_cast<std::uint32_t>(spec.n_ff));
  }
  w.u32(a + "attention.head_count", spec.n_head);
  bool per_layer_kv = false;
  for (const auto kv : spec.n_head_kv) {
    per_layer_kv = per_layer_kv || kv != spec.n_head_kv.front();
  }
  if (spec.mla) {
    // The converter turns MLA into MQA over the latent: one KV head (convert_hf_to_gguf, DeepseekV2Model).
    w.u32(a + "attention.head_count_kv", 1);
  } else if (per_layer_kv) {
    std::vector<std::uint32_t> kv(spec.n_head_kv.begin(), spec.n_head_kv.end());
    w.array(a + "attention.head_count_kv", GgufType::uint32, kv);
  } else {
    w.u32(a + "attention.head_count_kv", spec.n_head_kv.front());
  }
  if (spec.mla) {
    w.u32(a + "attention.key_length", static_cast<std::uint32_t>(spec.mla->kv_lora_rank + spec.mla->qk_rope_head_dim));
    w.u32(a + "attention.value_length", static_cast<std::uint32_t>(spec.mla->kv_lora_rank));
    w.u32(a + "attention.key_length_mla",
          static_cast<std::uint32_t>(spec.mla->qk_nope_head_dim + spec.mla->qk_rope_head_dim));
    w.u32(a + "attention.value_length_mla", static_cast<std::uint32_t>(spec.mla->v_head_dim));
    w.u32(a + "attention.kv_lora_rank", static_cast<std::uint32_t>(spec.mla->kv_lora_rank));
    if (spec.mla->q_lora_rank > 0) {
      w.u32(a + "attention.q_lora_rank", static_cast<std::uint32_t>(spec.mla->q_lora_rank));
    }
    w.u32(a + "rope.dimension_count", static_cast<std::uint32_t>(spec.mla->qk_rope_head_dim));
  } else if (spec.n_embd_head_k > 0) {
    w.u32(a + "attention.key_length", static_cast<std::uint32_t>(spec.n_embd_head_k));
    w.u32(a + "attention.value_length", static_cast<std::uint32_t>(spec.n_embd_head_v));
  }
  w.f32(a + "attention.layer_norm_rms_epsilon", 1e-6F);
  if (spec.n_swa > 0) {
    w.u32(a + "attention.sliding_window", static_cast<std::uint32_t>(spec.n_swa));
    std::vector<std::uint8_t> pattern;
    for (std::uint32_t il = 0; il < spec.n_layer; ++il) {
      pattern.push_back(spec.kind(il) == LayerKind::sliding_attention ? 1 : 0);
    }
    w.array(a + "attention.sliding_window_pattern", GgufType::boolean, pattern);
  }
  if (spec.moe) {
    w.u32(a + "expert_count", spec.moe->n_expert);
    w.u32(a + "expert_used_count", spec.moe->n_expert_used);
    w.u32(a + "expert_feed_forward_length", static_cast<std::uint32_t>(spec.moe->n_ff_exp));
    if (spec.moe->n_expert_shared > 0) {
      w.u32(a + "expert_shared_count", spec.moe->n_expert_shared);
    }
    if (spec.moe->n_ff_shexp > 0) {
      w.u32(a + "expert_shared_feed_forward_length", static_cast<std::uint32_t>(spec.moe->n_ff_shexp));
    }
    if (spec.moe->n_layer_dense_lead > 0) {
      w.u32(a + "leading_dense_block_count", spec.moe->n_layer_dense_lead);
    }
  }
  const bool shortconv = spec.arch == "lfm2" || spec.arch == "lfm2moe";
  if (shortconv && spec.ssm) {
    // LFM2: only the convolution's length; 0 KV heads mark the conv blocks.
    w.u32(a + "shortconv.l_cache", static_cast<std::uint32_t>(spec.ssm->d_conv));
  } else if (spec.ssm) {
    w.u32(a + "ssm.conv_kernel", static_cast<std::uint32_t>(spec.ssm->d_conv));
    w.u32(a + "ssm.inner_size", static_cast<std::uint32_t>(spec.ssm->d_inner));
    w.u32(a + "ssm.state_size", static_cast<std::uint32_t>(spec.ssm->d_state));
    w.u32(a + "ssm.time_step_rank", static_cast<std::uint32_t>(spec.ssm->dt_rank));
    w.u32(a + "ssm.group_count", static_cast<std::uint32_t>(spec.ssm->n_group));
    std::vector<std::uint8_t> recurrent;
    for (std::uint32_t il = 0; il < spec.n_layer_all(); ++il) {
      recurrent.push_back(il < spec.n_layer && spec.kind(il) == LayerKind::recurrent ? 1 : 0);
    }
    if (spec.arch != "mamba2") {
      w.array(a + "attention.recurrent_layers", GgufType::boolean, recurrent);
    }
  }
  w.u32(a + "vocab_size", static_cast<std::uint32_t>(spec.n_vocab));
  if (tokenizer) {
    std::vector<std::string> tokens{"<unk>", "<s>", "</s>"};
    std::vector<std::int32_t> token_types{2, 3, 3};
    char byte[8];
    for (int b = 0; b < 256; ++b) {
      std::snprintf(byte, sizeof byte, "<0x%02X>", b);
      tokens.emplace_back(byte);
      token_types.push_back(6);
    }
    while (tokens.size() < spec.n_vocab) {
      tokens.push_back("t" + std::to_string(tokens.size()));
      token_types.push_back(1);
    }
    tokens.resize(static_cast<std::size_t>(spec.n_vocab));
    token_types.resize(tokens.size());
    w.str("tokenizer.ggml.model", "llama");
    w.strings("tokenizer.ggml.tokens", tokens);
    w.array("tokenizer.ggml.scores", GgufType::float32, std::vector<float>(tokens.size(), 0.0F));
    w.array("tokenizer.ggml.token_type", GgufType::int32, token_types);
  } else {
    w.str("tokenizer.ggml.model", "none");
  }
  if (spec.arch == "qwen35" || spec.arch == "qwen35moe") {
    // Required by llama.cpp's Qwen3.5 loaders; the converter's default M-RoPE sections.
    w.array(a + "rope.dimension_sections", GgufType::int32, std::vector<std::int32_t>{11, 11, 10, 0});
  }
  // Keys other loaders require (llama.cpp src/models/<arch>.cpp load_hparams).
  if (spec.arch == "qwen3vl" || spec.arch == "qwen3vlmoe") {
    w.array(a + "rope.dimension_sections", GgufType::int32, std::vector<std::int32_t>{24, 20, 20, 0});
  }
  if (spec.arch == "command-r" || spec.arch == "cohere2") {
    w.f32(a + "logit_scale", 0.0625F);
    w.f32(a + "attention.layer_norm_epsilon", 1e-5F);
  }
  if (spec.moe && (spec.arch == "lfm2moe" || spec.arch == "minimax-m2")) {
    w.u32(a + "expert_gating_func", 2);  // sigmoid
  }
  if (spec.moe && (spec.arch == "ernie4_5-moe" || spec.arch == "llama4")) {
    w.u32(a + "interleave_moe_layer_step", std::max<std::uint32_t>(spec.moe->interleave_step, 1));
  }
  if (spec.mla == std::nullopt && spec.n_embd_head_k > 0) {
    w.u32(a + "rope.dimension_count", static_cast<std::uint32_t>(spec.n_embd_head_k));
  }
  for (std::size_t i = 0; i < inventory.size(); ++i) {
    const auto& t = inventory[i];
    std::vector<std::uint64_t> shape(t.ne.begin(), t.ne.begin() + t.n_dims);
    w.tensor(t.name, shape, types.at(i));
  }
  return w;
}

}  // namespace vramfit::test
