#include "catch.hpp"
#include "test_support.hpp"

#include "vramfit/model/inventory.hpp"
#include "vramfit/model/weight_format.hpp"

#include <algorithm>

using namespace vramfit;

namespace {

const TensorSpec& tensor(const std::vector<TensorSpec>& inventory, const std::string& name) {
  const auto it = std::find_if(inventory.begin(), inventory.end(), [&](const TensorSpec& t) { return t.name == name; });
  REQUIRE(it != inventory.end());
  return *it;
}

const WeightFormat& format(const char* id) {
  const auto* f = find_weight_format(id);
  REQUIRE(f != nullptr);
  return *f;
}

}  // namespace

TEST_CASE("checkpoint formats: one 4096 x 4096 projection by hand", "[format]") {
  const auto inventory = build_inventory(test::catalog().find_model("qwen3-8b").spec);
  const auto& q = tensor(inventory, "blk.0.attn_q.weight");  // 16,777,216 elements
  // 16 bits
  CHECK(format_tensor_bytes(format("HF-BF16"), q) == 33'554'432);
  // 8 bits + one FP32 scale per 128 x 128 block (1024 blocks)
  CHECK(format_tensor_bytes(format("FP8"), q) == 16'777'216 + 1024 * 4);
  // 4 bits + 20 bits per group of 128 (131,072 groups: FP16 scale and 4-bit zero)
  CHECK(format_tensor_bytes(format("AWQ-INT4"), q) == 8'388'608 + 327'680);
  // ... and GPTQ's g_idx, 4 bytes per input column
  CHECK(format_tensor_bytes(format("GPTQ-INT4"), q) == 8'388'608 + 327'680 + 4096 * 4);
  // 4 bits + an FP8 scale per 16
  CHECK(format_tensor_bytes(format("NVFP4"), q) == 8'388'608 + 1'048'576);
  // mlx-lm: 4 bits + 16-bit scale and bias per 64 (262,144 groups)
  CHECK(format_tensor_bytes(format("MLX-4bit"), q) == 8'388'608 + 262'144 * 4);
  CHECK(format_tensor_bytes(format("MLX-8bit"), q) == 16'777'216 + 262'144 * 4);
  // Norms stay 16-bit; embeddings stay 16-bit except under mlx-lm, which quantizes them.
  const auto& norm = tensor(inventory, "blk.0.attn_norm.weight");
  CHECK(format_tensor_bytes(format("AWQ-INT4"), norm) == 4096ULL * 2);
  const auto& embd = tensor(inventory, "token_embd.weight");  // 151936 x 4096
  CHECK(format_tensor_bytes(format("AWQ-INT4"), embd) == 151'936ULL * 4096 * 2);
  CHECK(format_tensor_bytes(format("MLX-4bit"), embd) == 151'936ULL * 4096 / 2 + 151'936ULL * 64 * 4);
}

TEST_CASE("checkpoint formats: whole models", "[format]") {
  const auto& spec = test::catalog().find_model("qwen3-8b").spec;
  const auto inventory = build_inventory(spec);
  const auto bf16 = summarize_format(inventory, format("HF-BF16"), spec.n_layer);
  CHECK(bf16.total_bytes == 2 * bf16.n_elements);
  CHECK(bf16.token_embd_bytes == 151'936ULL * 4096 * 2);
  // A row that the group does not divide stays 16-bit: gpt-oss's 2880-wide
  // experts under AWQ's group of 128; its MXFP4 quantizes the experts only.
  const auto& oss = test::catalog().find_model("gpt-oss-20b").spec;
  const auto oss_inventory = build_inventory(oss);
  const auto& experts = tensor(oss_inventory, "blk.0.ffn_down_exps.weight");
  CHECK(format_tensor_bytes(format("AWQ-INT4"), experts) == experts.row_length() * experts.rows() * 2);
  CHECK(format_tensor_bytes(format("MXFP4"), experts) == experts.row_length() * experts.rows() * 17 / 32);
  CHECK(format_tensor_bytes(format("MXFP4"), tensor(oss_inventory, "blk.0.attn_q.weight")) ==
        tensor(oss_inventory, "blk.0.attn_q.weight").row_length() *
            tensor(oss_inventory, "blk.0.attn_q.weight").rows() * 2);
}

TEST_CASE("checkpoint formats: mlx-community's Llama 3.1 8B 4-bit", "[format]") {
  // huggingface.co/mlx-community/Meta-Llama-3.1-8B-Instruct-4bit lists model.safetensors
  // at "4.52 GB" (rounded to 10 MB): every Linear and the embedding at 4 bits with
  // group 64, norms in 16 bits.
  const auto& spec = test::catalog().find_model("llama-3.1-8b").spec;
  const auto w = summarize_format(build_inventory(spec), format("MLX-4bit"), spec.n_layer);
  CHECK(w.total_bytes >= 4'515'000'000ULL);
  CHECK(w.total_bytes < 4'525'000'000ULL);
}
