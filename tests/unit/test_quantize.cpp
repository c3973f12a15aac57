#include "catch.hpp"
#include "test_support.hpp"

#include "vramfit/model/quantize.hpp"

#include <map>

using namespace vramfit;

namespace {

struct Typed {
  std::vector<TensorSpec> inventory;
  std::vector<GgmlType> types;
  std::map<std::string, GgmlType> by_name;
};

Typed typed(const char* model, FileType ftype, bool imatrix = false) {
  const auto& spec = test::catalog().find_model(model).spec;
  Typed t;
  t.inventory = build_inventory(spec);
  t.types = recipe_types(t.inventory, spec, ftype, QuantOptions{imatrix});
  for (std::size_t i = 0; i < t.inventory.size(); ++i) {
    t.by_name[t.inventory[i].name] = t.types[i];
  }
  return t;
}

}  // namespace

TEST_CASE("Q4_K_M is not 4.5 bits everywhere", "[quantize]") {
  // Qwen3-8B: 36 layers, so use_more_bits(i, 36) is i < 4, i >= 31, or (i - 4) % 3 == 2.
  const auto t = typed("qwen3-8b", FileType::q4_k_m);
  CHECK(t.by_name.at("output.weight") == GgmlType::q6_k);
  CHECK(t.by_name.at("token_embd.weight") == GgmlType::q4_k);
  CHECK(t.by_name.at("output_norm.weight") == GgmlType::f32);
  CHECK(t.by_name.at("blk.0.attn_v.weight") == GgmlType::q6_k);
  CHECK(t.by_name.at("blk.3.attn_v.weight") == GgmlType::q6_k);
  CHECK(t.by_name.at("blk.4.attn_v.weight") == GgmlType::q4_k);
  CHECK(t.by_name.at("blk.6.attn_v.weight") == GgmlType::q6_k);
  CHECK(t.by_name.at("blk.29.ffn_down.weight") == GgmlType::q4_k);
  CHECK(t.by_name.at("blk.30.ffn_down.weight") == GgmlType::q6_k);
  CHECK(t.by_name.at("blk.31.attn_v.weight") == GgmlType::q6_k);
  CHECK(t.by_name.at("blk.10.attn_q.weight") == GgmlType::q4_k);
  CHECK(t.by_name.at("blk.10.ffn_up.weight") == GgmlType::q4_k);
  CHECK(t.by_name.at("blk.10.attn_q_norm.weight") == GgmlType::f32);
}

TEST_CASE("tensor data bytes match an independent per-tensor computation", "[quantize]") {
  // Values computed tensor by tensor from the reference inventories with the same
  // rules by a separate script (block sizes, 32-byte alignment).
  CHECK(gguf_tensor_data_bytes(typed("qwen3-8b", FileType::q4_k_m).inventory,
                               typed("qwen3-8b", FileType::q4_k_m).types) == 5021827072ULL);
  const auto moe = typed("qwen3-30b-a3b", FileType::q4_k_m);
  CHECK(gguf_tensor_data_bytes(moe.inventory, moe.types) == 18550716416ULL);
  const auto llama = typed("llama-3.1-8b", FileType::q4_k_m);
  CHECK(gguf_tensor_data_bytes(llama.inventory, llama.types) == 4912898304ULL);
  const auto llama8 = typed("llama-3.1-8b", FileType::q8_0);
  CHECK(gguf_tensor_data_bytes(llama8.inventory, llama8.types) == 8532934912ULL);
  const auto hybrid = typed("qwen3.6-35b-a3b", FileType::q4_k_m);
  CHECK(gguf_tensor_data_bytes(hybrid.inventory, hybrid.types) == 21155768832ULL);
  const auto oss = typed("gpt-oss-20b", FileType::mxfp4_moe);
  CHECK(gguf_tensor_data_bytes(oss.inventory, oss.types) == 12096558336ULL);
}

TEST_CASE("rows that do not fit the block fall back as llama.cpp does", "[quantize]") {
  // gpt-oss rows are 2880 wide: not a multiple of 256.
  const auto t = typed("gpt-oss-20b", FileType::q4_k_m);
  CHECK(t.by_name.at("blk.0.attn_q.weight") == GgmlType::q5_0);  // Q4_K -> Q5_0
  // Every published gpt-oss file keeps the experts in MXFP4 (the stock recipe
  // would requantize them to Q5_0): vramfit follows the files.
  CHECK(t.by_name.at("blk.0.ffn_gate_exps.weight") == GgmlType::mxfp4);
  CHECK(t.by_name.at("output.weight") == GgmlType::q8_0);        // output: ne0 % 256 -> Q8_0
  CHECK(t.by_name.at("blk.0.attn_v.weight") == GgmlType::q8_0);  // Q6_K -> Q8_0 (more bits)
  CHECK(t.by_name.at("blk.0.attn_sinks.weight") == GgmlType::f32);
}

TEST_CASE("MXFP4_MOE puts experts in MXFP4 and the rest in Q8_0", "[quantize]") {
  const auto t = typed("qwen3.6-35b-a3b", FileType::mxfp4_moe);
  CHECK(t.by_name.at("blk.0.ffn_up_exps.weight") == GgmlType::mxfp4);
  CHECK(t.by_name.at("blk.0.ffn_up_shexp.weight") == GgmlType::q8_0);
  CHECK(t.by_name.at("blk.0.attn_qkv.weight") == GgmlType::q8_0);
  CHECK(t.by_name.at("token_embd.weight") == GgmlType::q8_0);
  CHECK(t.by_name.at("output.weight") == GgmlType::q8_0);
  CHECK(t.by_name.at("blk.0.ffn_gate_inp.weight") == GgmlType::f32);
  CHECK(t.by_name.at("blk.0.ssm_conv1d.weight") == GgmlType::f32);
}

TEST_CASE("tied embeddings are quantized like the output matrix", "[quantize]") {
  const auto t = typed("gemma-3-27b", FileType::q4_k_m);
  CHECK(t.by_name.at("token_embd.weight") == GgmlType::q6_k);
  const auto w = summarize_weights(t.inventory, t.types, 62);
  CHECK(w.tied_output);
  CHECK(w.device_bytes() == w.total_bytes);  // token_embd on the host, its duplicate on the GPU
}

TEST_CASE("Gated DeltaNet's fused projection counts as attn_v-like", "[quantize]") {
  // 40 attn_v-like tensors (30 attn_qkv + 10 attn_v): use_more_bits(i, 40) -> i < 5 ...
  const auto t = typed("qwen3.6-35b-a3b", FileType::q4_k_m);
  CHECK(t.by_name.at("blk.0.attn_qkv.weight") == GgmlType::q6_k);
  CHECK(t.by_name.at("blk.3.attn_v.weight") == GgmlType::q6_k);
  CHECK(t.by_name.at("blk.5.attn_qkv.weight") == GgmlType::q4_k);
  CHECK(t.by_name.at("blk.7.attn_v.weight") == GgmlType::q6_k);  // (7 - 5) % 3 == 2
  CHECK(t.by_name.at("blk.0.attn_gate.weight") == GgmlType::q4_k);
  CHECK(t.by_name.at("blk.0.ssm_out.weight") == GgmlType::q4_k);
  CHECK(t.by_name.at("blk.0.ssm_alpha.weight") == GgmlType::q4_k);
}

TEST_CASE("Q3_K_M bumps the first two attn_v and early ffn_down", "[quantize]") {
  const auto t = typed("llama-3.1-8b", FileType::q3_k_m);
  CHECK(t.by_name.at("blk.0.attn_v.weight") == GgmlType::q5_k);
  CHECK(t.by_name.at("blk.1.attn_v.weight") == GgmlType::q5_k);
  CHECK(t.by_name.at("blk.2.attn_v.weight") == GgmlType::q4_k);
  CHECK(t.by_name.at("blk.1.ffn_down.weight") == GgmlType::q5_k);  // i < 32/16
  CHECK(t.by_name.at("blk.2.ffn_down.weight") == GgmlType::q4_k);
  CHECK(t.by_name.at("blk.2.attn_output.weight") == GgmlType::q4_k);
}

TEST_CASE("an 80-layer GQA Llama gets Q5_K attn_v (LLM_TYPE_70B)", "[quantize]") {
  ModelSpec spec = test::catalog().find_model("llama-3.1-8b").spec;
  spec.n_layer = 80;
  spec.n_head_kv.assign(80, 8);
  spec.layers.assign(80, LayerKind::attention);
  spec.n_embd = 256;
  spec.n_embd_head_k = spec.n_embd_head_v = 8;
  spec.n_ff = 512;
  spec.n_vocab = 256;
  const auto inventory = build_inventory(spec);
  const auto types = recipe_types(inventory, spec, FileType::q4_k_s, {});
  for (std::size_t i = 0; i < inventory.size(); ++i) {
    if (inventory[i].name == "blk.40.attn_v.weight") {
      CHECK(types[i] == GgmlType::q5_k);
    }
  }
}

TEST_CASE("an importance matrix changes IQ4_XS ffn_down", "[quantize]") {
  CHECK(typed("llama-3.1-8b", FileType::iq4_xs, false).by_name.at("blk.0.ffn_down.weight") == GgmlType::q5_k);
  CHECK(typed("llama-3.1-8b", FileType::iq4_xs, true).by_name.at("blk.0.ffn_down.weight") == GgmlType::iq4_xs);
}

TEST_CASE("F16 and BF16 keep non-quantizable tensors in their source type", "[quantize]") {
  const auto t = typed("qwen3.6-35b-a3b", FileType::bf16);
  CHECK(t.by_name.at("blk.0.ffn_down_exps.weight") == GgmlType::bf16);
  CHECK(t.by_name.at("blk.0.ssm_a") == GgmlType::f32);
  CHECK(t.by_name.at("output.weight") == GgmlType::bf16);
}

TEST_CASE("the parameters prompt processing multiplies", "[quantize][speed]") {
  // Qwen3-8B, per block: q and o 4096 x 4096, k and v 4096 x 1024, gate/up/down
  // 4096 x 12288 = 192,937,984; x 36 blocks, plus the output matrix 151936 x
  // 4096. token_embd (a lookup) and the 1-D norms are not multiplied.
  const auto t = typed("qwen3-8b", FileType::q4_k_m);
  const auto w = summarize_weights(t.inventory, t.types, 36);
  CHECK(w.matmul_elements == 36ULL * 192'937'984ULL + 151'936ULL * 4096ULL);
  CHECK(w.expert_elements == 0);
  // Tied embeddings multiply token_embd again as the output matrix.
  const auto g = typed("gemma-3-27b", FileType::q4_k_m);
  const auto tied = summarize_weights(g.inventory, g.types, 62);
  std::uint64_t blocks = 0;
  std::uint64_t embd = 0;
  for (const auto& x : g.inventory) {
    if (x.name == "token_embd.weight") {
      embd = x.row_length() * x.rows();
    } else if (x.rows() > 1) {
      blocks += x.row_length() * x.rows();
    }
  }
  CHECK(tied.matmul_elements == blocks + embd);
  // Routed experts apart: Qwen3.6-35B-A3B has 256 experts of 3 x 2048 x 512 in 40 blocks.
  const auto m = typed("qwen3.6-35b-a3b", FileType::q4_k_m);
  CHECK(summarize_weights(m.inventory, m.types, 40).expert_elements == 40ULL * 256ULL * 3ULL * 2048ULL * 512ULL);
}
