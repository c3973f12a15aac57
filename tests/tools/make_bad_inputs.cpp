// Writes the binary half of the bad-input corpus (tests/bad-inputs): GGUF
// files broken in every way the reader must reject. The text half (catalogs,
// configs) is checked in beside the case list.
//
//   make_bad_inputs OUT_DIR

#include "gguf_writer.hpp"

#include <cstdio>
#include <exception>
#include <fstream>
#include <functional>
#include <string>

using namespace vramfit;
using test::Encoder;
using test::GgufWriter;

namespace {

void write(const std::string& path, const std::vector<unsigned char>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    throw std::runtime_error("cannot write " + path);
  }
}

// A valid little llama header to break.
GgufWriter llama(const std::function<void(GgufWriter&)>& extra = {}) {
  GgufWriter w;
  w.str("general.architecture", "llama");
  w.u32("llama.block_count", 1);
  w.u32("llama.context_length", 4096);
  w.u32("llama.embedding_length", 64);
  w.u32("llama.feed_forward_length", 128);
  w.u32("llama.attention.head_count", 4);
  w.u32("llama.attention.head_count_kv", 4);
  if (extra) {
    extra(w);
  }
  w.tensor("token_embd.weight", {64, 32}, GgmlType::f16);
  return w;
}

// A complete one-block llama llama.cpp would load (its tensors, a "none"
// vocabulary of 32 tokens), with `change` applied: files that read fine but
// that llama.cpp refuses. `drop` leaves a tensor out, `rename` renames one.
struct TinyModel {
  std::string arch = "llama";
  bool block_count_i32 = false;
  std::uint32_t head_count_kv_entries = 0;  // 0: a scalar
  std::uint32_t vocab_size = 32;
  std::string drop;
  std::string rename_from;
  std::string rename_to;
  std::vector<std::uint64_t> attn_q_shape{64, 64};
  std::vector<std::string> bpe_tokens;  // non-empty: a "gpt2" vocabulary of these tokens
};

GgufWriter tiny_model(const TinyModel& m) {
  GgufWriter w;
  const std::string a = m.arch + ".";
  w.str("general.architecture", m.arch);
  if (m.block_count_i32) {
    w.i32(a + "block_count", 1);
  } else {
    w.u32(a + "block_count", 1);
  }
  w.u32(a + "context_length", 4096);
  w.u32(a + "embedding_length", 64);
  w.u32(a + "feed_forward_length", 128);
  w.u32(a + "attention.head_count", 4);
  if (m.head_count_kv_entries > 0) {
    w.array<std::uint32_t>(a + "attention.head_count_kv", GgufType::uint32,
                           std::vector<std::uint32_t>(m.head_count_kv_entries, 4));
  } else {
    w.u32(a + "attention.head_count_kv", 4);
  }
  w.f32(a + "attention.layer_norm_rms_epsilon", 1e-5F);
  if (m.bpe_tokens.empty()) {
    w.u32(a + "vocab_size", m.vocab_size);
    w.str("tokenizer.ggml.model", "none");
  } else {
    w.str("tokenizer.ggml.model", "gpt2");
    w.strings("tokenizer.ggml.tokens", m.bpe_tokens);
  }
  const std::vector<std::pair<std::string, std::vector<std::uint64_t>>> tensors{
      {"token_embd.weight", {64, 32}},
      {"output_norm.weight", {64}},
      {"output.weight", {64, 32}},
      {"blk.0.attn_norm.weight", {64}},
      {"blk.0.attn_q.weight", m.attn_q_shape},
      {"blk.0.attn_k.weight", {64, 64}},
      {"blk.0.attn_v.weight", {64, 64}},
      {"blk.0.attn_output.weight", {64, 64}},
      {"blk.0.ffn_norm.weight", {64}},
      {"blk.0.ffn_gate.weight", {64, 128}},
      {"blk.0.ffn_up.weight", {64, 128}},
      {"blk.0.ffn_down.weight", {128, 64}},
  };
  for (const auto& [name, shape] : tensors) {
    if (name == m.drop) {
      continue;
    }
    const bool vector = shape.size() == 1;
    w.tensor(name == m.rename_from ? m.rename_to : name, shape, vector ? GgmlType::f32 : GgmlType::f16);
  }
  return w;
}

std::vector<unsigned char> bytes_of(std::initializer_list<int> b) {
  std::vector<unsigned char> out;
  for (const int x : b) {
    out.push_back(static_cast<unsigned char>(x));
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_bad_inputs OUT_DIR\n");
    return 2;
  }
  try {
    const std::string d = std::string(argv[1]) + "/";
    write(d + "empty.gguf", {});
    write(d + "three-bytes.gguf", bytes_of({'G', 'G', 'U'}));
    write(d + "bad-magic.gguf", bytes_of({'G', 'G', 'M', 'L', 3, 0, 0, 0, 0, 0, 0, 0}));
    const auto with_version = [&](const char* name, int b4, int b7) {
      auto b = llama().bytes();
      b[4] = static_cast<unsigned char>(b4);
      b[7] = static_cast<unsigned char>(b7);
      write(d + name, b);
    };
    with_version("version-0.gguf", 0, 0);
    with_version("version-1.gguf", 1, 0);
    with_version("version-4.gguf", 4, 0);
    with_version("big-endian.gguf", 0, 3);
    {
      GgufWriter w;
      w.lie_about_counts(0, 1ULL << 60);
      write(d + "huge-kv-count.gguf", w.bytes());
      GgufWriter t;
      t.lie_about_counts(1ULL << 50, 0);
      write(d + "huge-tensor-count.gguf", t.bytes());
    }
    {
      auto b = llama().bytes();
      b.resize(40);
      write(d + "truncated-in-key.gguf", b);
    }
    {
      // One key/value whose key claims 2^62 bytes.
      std::vector<unsigned char> b{'G', 'G', 'U', 'F', 3, 0, 0, 0};
      Encoder h;
      h.put<std::uint64_t>(0);
      h.put<std::uint64_t>(1);
      h.put<std::uint64_t>(1ULL << 62);  // key length
      b.insert(b.end(), h.bytes.begin(), h.bytes.end());
      b.resize(b.size() + 64, 0);
      write(d + "huge-key-length.gguf", b);
    }
    const auto raw = [&](const char* name, std::uint32_t type, const std::vector<unsigned char>& payload) {
      GgufWriter w;
      w.raw_kv("k", type, payload);
      write(d + name, w.bytes());
    };
    {
      Encoder e;
      e.put<std::uint64_t>(1ULL << 61);
      raw("huge-string.gguf", 8, e.bytes);
    }
    {
      Encoder e;
      e.put<std::uint32_t>(10);
      e.put<std::uint64_t>(1ULL << 58);
      raw("huge-u64-array.gguf", 9, e.bytes);
    }
    {
      Encoder e;
      e.put<std::uint32_t>(8);
      e.put<std::uint64_t>(1ULL << 58);
      raw("huge-string-array.gguf", 9, e.bytes);
    }
    {
      Encoder e;
      for (int i = 0; i < 20; ++i) {
        e.put<std::uint32_t>(9);
        e.put<std::uint64_t>(1);
      }
      e.put<std::uint32_t>(0);
      e.put<std::uint64_t>(0);
      raw("deep-nesting.gguf", 9, e.bytes);
    }
    raw("bad-value-type.gguf", 99, {});
    raw("bool-2.gguf", 7, {2});
    {
      Encoder e;
      e.put<std::uint32_t>(4);
      e.put<std::uint64_t>(100);
      raw("truncated-array.gguf", 9, e.bytes);
    }
    write(d + "duplicate-key.gguf", llama([](GgufWriter& w) { w.u32("llama.block_count", 2); }).bytes());
    {
      GgufWriter w;
      w.raw_kv("", 4, {1, 0, 0, 0});
      write(d + "empty-key.gguf", w.bytes());
    }
    const auto tensor = [&](const char* name, const std::string& tname, const std::vector<std::uint64_t>& shape,
                            std::uint32_t type, std::uint64_t offset, std::size_t data) {
      GgufWriter w;
      w.raw_tensor(tname, shape, type, offset);
      auto b = w.bytes();
      b.resize(b.size() + data, 0);
      write(d + name, b);
    };
    tensor("tensor-0-dims.gguf", "t", {}, 0, 0, 64);
    tensor("tensor-9-dims.gguf", "t", {1, 1, 1, 1, 1, 1, 1, 1, 1}, 0, 0, 64);
    tensor("tensor-dim-0.gguf", "t", {0, 4}, 0, 0, 64);
    tensor("tensor-type-200.gguf", "t", {8}, 200, 0, 64);
    tensor("tensor-type-removed.gguf", "t", {32}, 4, 0, 64);
    tensor("tensor-partial-block.gguf", "t", {100}, 12, 0, 512);
    tensor("tensor-misaligned.gguf", "t", {8}, 0, 7, 64);
    tensor("tensor-past-end.gguf", "t", {1024, 1024}, 0, 0, 64);
    tensor("tensor-offset-huge.gguf", "t", {8}, 0, 1ULL << 62, 64);
    tensor("tensor-elements-overflow.gguf", "t", {1ULL << 40, 1ULL << 40}, 0, 0, 64);
    tensor("tensor-name-long.gguf", std::string(300, 'n'), {8}, 0, 0, 64);
    tensor("tensor-name-empty.gguf", "", {8}, 0, 0, 64);
    {
      GgufWriter w;
      w.raw_tensor("a", {64}, 0, 0);
      w.raw_tensor("b", {64}, 0, 64);
      auto b = w.bytes();
      b.resize(b.size() + 512, 0);
      write(d + "tensors-overlap.gguf", b);
      GgufWriter n;
      n.raw_tensor("a", {8}, 0, 0);
      n.raw_tensor("a", {8}, 0, 32);
      auto nb = n.bytes();
      nb.resize(nb.size() + 128, 0);
      write(d + "tensors-same-name.gguf", nb);
    }
    write(d + "alignment-3.gguf", llama([](GgufWriter& w) { w.u32("general.alignment", 3); }).bytes());
    write(d + "alignment-string.gguf", llama([](GgufWriter& w) { w.str("general.alignment", "32"); }).bytes());
    {
      GgufWriter w;
      w.u32("llama.block_count", 1);
      w.tensor("token_embd.weight", {64, 32}, GgmlType::f16);
      write(d + "no-architecture.gguf", w.bytes());
      GgufWriter b;
      b.str("general.architecture", "llama");
      b.u32("llama.embedding_length", 64);
      write(d + "no-block-count.gguf", b.bytes());
    }
    {
      GgufWriter w;
      w.str("general.architecture", "llama");
      w.u32("llama.block_count", 100000);
      w.u32("llama.embedding_length", 64);
      write(d + "block-count-huge.gguf", w.bytes());
    }
    {
      GgufWriter w;
      w.str("general.architecture", "llama");
      w.u32("llama.block_count", 4);
      w.u32("llama.embedding_length", 64);
      w.u32("llama.feed_forward_length", 128);
      w.u32("llama.attention.head_count", 4);
      w.array<std::uint32_t>("llama.attention.head_count_kv", GgufType::uint32, {4, 4});
      write(d + "per-layer-array-short.gguf", w.bytes());
      GgufWriter h;
      h.str("general.architecture", "llama");
      h.u32("llama.block_count", 1);
      h.u32("llama.embedding_length", 64);
      h.u32("llama.feed_forward_length", 128);
      h.u32("llama.attention.head_count", 6);
      h.u32("llama.attention.head_count_kv", 4);
      h.u32("llama.vocab_size", 32);
      write(d + "heads-do-not-divide.gguf", h.bytes());
      GgufWriter n;
      n.str("general.architecture", "qwen35");
      n.u32("qwen35.block_count", 2);
      n.u32("qwen35.nextn_predict_layers", 2);
      n.u32("qwen35.embedding_length", 64);
      write(d + "nextn-all-layers.gguf", n.bytes());
      GgufWriter e;
      e.str("general.architecture", "llama");
      e.u32("llama.block_count", 1);
      e.u64("llama.embedding_length", 1ULL << 40);
      e.u32("llama.attention.head_count", 4);
      e.u32("llama.feed_forward_length", 128);
      write(d + "embedding-huge.gguf", e.bytes());
    }
    {
      auto w = llama([](GgufWriter& g) {
        g.u16("split.no", 0);
        g.u16("split.count", 3);
      });
      write(d + "split-count-mismatch.gguf", w.bytes());
      write(d + "parts-00001-of-00002.gguf", llama().bytes());
    }
    {
      auto b = llama().bytes();
      b.resize(b.size() - 100);
      write(d + "data-truncated.gguf", b);
    }
    // Files that read fine but that llama.cpp refuses.
    write(d + "tiny-loadable.gguf", tiny_model({}).bytes());
    {
      TinyModel m;
      m.block_count_i32 = true;
      write(d + "refused-block-count-i32.gguf", tiny_model(m).bytes());
    }
    {
      TinyModel m;
      m.rename_from = "output.weight";
      m.rename_to = "output.weight." + std::string(60, 'x');
      write(d + "refused-tensor-name-64.gguf", tiny_model(m).bytes());
    }
    {
      TinyModel m;
      m.vocab_size = 40;
      write(d + "refused-vocab-mismatch.gguf", tiny_model(m).bytes());
    }
    {
      TinyModel m;
      m.attn_q_shape = {64, 48};
      write(d + "refused-shape.gguf", tiny_model(m).bytes());
    }
    {
      TinyModel m;
      m.drop = "blk.0.ffn_down.weight";
      write(d + "refused-missing-tensor.gguf", tiny_model(m).bytes());
    }
    {
      TinyModel m;
      for (int i = 0; i < 32; ++i) {
        m.bpe_tokens.push_back("t" + std::to_string(i));
      }
      m.bpe_tokens[7] = "\xC3\x28";  // a lead byte without its continuation
      write(d + "refused-bpe-invalid-utf8.gguf", tiny_model(m).bytes());
    }
    {
      TinyModel m;
      m.arch = std::string("ll\x7F") + "\xFF" + "ama";
      write(d + "arch-control-bytes.gguf", tiny_model(m).bytes());
    }
    {
      TinyModel m;
      m.head_count_kv_entries = 3;
      write(d + "refused-per-layer-array-long.gguf", tiny_model(m).bytes());
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_bad_inputs: %s\n", e.what());
    return 1;
  }
}
