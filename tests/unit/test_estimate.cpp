#include "catch.hpp"
#include "test_support.hpp"

#include "vramfit/estimate.hpp"
#include "vramfit/quantize.hpp"

using namespace vramfit;

TEST_CASE("compute buffer: logits dominate with flash attention", "[estimate]") {
  const auto& m = test::embedded().find_model("qwen3-8b").spec;
  RunSettings s;
  s.context_tokens = 4096;
  const auto kv = kv_cache_size(m, s);
  // 512 x 151936 x 4 (logits) + 512 x 4096 x 4 (final hidden state)
  const auto e = estimate_compute(m, s, kv, Backend::cuda);
  CHECK(e.compute_buffer.bytes == 319553536ULL);
  CHECK(e.compute_buffer.low == 319553536ULL - 319553536ULL / 4);
  CHECK(e.compute_buffer.high == 319553536ULL + 319553536ULL / 4);
  CHECK(e.overhead.bytes == 32ULL << 20);  // f16 cache: no conversion buffer
}

TEST_CASE("compute buffer: attention scores dominate without flash attention", "[estimate]") {
  const auto& m = test::embedded().find_model("qwen3-8b").spec;
  RunSettings s;
  s.context_tokens = 4096;
  s.flash_attn = false;
  const auto kv = kv_cache_size(m, s);
  // 4096 x 512 x 32 heads x 4 + 7 x 512 x 4096 x 4
  CHECK(estimate_compute(m, s, kv, Backend::cuda).compute_buffer.bytes == 268435456ULL + 58720256ULL);
}

TEST_CASE("a quantized cache with flash attention adds an F16 copy of one layer", "[estimate]") {
  const auto& m = test::embedded().find_model("qwen3.6-35b-a3b").spec;
  RunSettings s;
  s.context_tokens = 262144;
  s.type_k = s.type_v = GgmlType::q8_0;
  const auto kv = kv_cache_size(m, s);
  CHECK(estimate_compute(m, s, kv, Backend::cuda).overhead.bytes == (32ULL << 20) + 262144ULL * 1024 * 2);
  CHECK(estimate_compute(m, s, kv, Backend::metal).overhead.bytes == 0);
}

TEST_CASE("metadata estimate lands near the real files' metadata", "[estimate]") {
  // Published size minus exact tensor data: Qwen3-8B Q4_K_M 5,956,416 B; Llama-3.1-8B 7,840,928 B.
  const std::pair<const char*, Bytes> cases[] = {{"qwen3-8b", 5956416}, {"llama-3.1-8b", 7840928}};
  for (const auto& [id, actual] : cases) {
    CAPTURE(id);
    const auto& m = test::embedded().find_model(id).spec;
    const auto estimate = estimate_gguf_metadata_bytes(m, build_inventory(m));
    CHECK(estimate > actual * 98 / 100);
    CHECK(estimate < actual * 102 / 100);
  }
}

TEST_CASE("device reserves and Apple working sets", "[estimate]") {
  CHECK(default_context_reserve_bytes(Backend::cuda) == 300ULL << 20);
  CHECK(default_context_reserve_bytes(Backend::metal) == 0);
  CHECK(default_apple_working_set_bytes(24ULL << 30) == 16ULL << 30);
  CHECK(default_apple_working_set_bytes(128ULL << 30) == 96ULL << 30);
}
