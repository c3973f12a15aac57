#include "catch.hpp"
#include "test_support.hpp"

#include "vramfit/memory/kv_cache.hpp"
#include "vramfit/support/error.hpp"

using namespace vramfit;

namespace {

const ModelSpec& model(const char* id) {
  return test::catalog().find_model(id).spec;
}

RunSettings settings(std::uint64_t context, GgmlType k = GgmlType::f16, GgmlType v = GgmlType::f16) {
  RunSettings s;
  s.context_tokens = context;
  s.type_k = k;
  s.type_v = v;
  return s;
}

}  // namespace

TEST_CASE("Qwen3.6-35B-A3B: only the 10 full-attention layers hold KV", "[kv_cache]") {
  // 10 layers x 8192 cells x (512 / 32 x 34) bytes x (K + V)
  const auto kv = kv_cache_size(model("qwen3.6-35b-a3b"), settings(8192, GgmlType::q8_0, GgmlType::q8_0));
  CHECK(kv.total_bytes() == 89128960ULL);
  CHECK(kv.k_bytes == 10ULL * 8192 * 544);
  CHECK(kv.full_layers == 10);
  const auto state = recurrent_state_size(model("qwen3.6-35b-a3b"), settings(8192));
  // 30 layers x (24576 + 524288) x 4 bytes, one sequence
  CHECK(state.total_bytes() == 65863680ULL);
  // The full native context at q8_0: 2.85 GB, not 48 GB.
  CHECK(kv_cache_size(model("qwen3.6-35b-a3b"), settings(262144, GgmlType::q8_0, GgmlType::q8_0)).total_bytes() ==
        2852126720ULL);
}

TEST_CASE("Qwen3.6-27B at its native context", "[kv_cache]") {
  // 16 layers x 262144 cells x 1024 x 2 bytes x 2
  CHECK(kv_cache_size(model("qwen3.6-27b"), settings(262144)).total_bytes() == 17179869184ULL);
  CHECK(recurrent_state_size(model("qwen3.6-27b"), settings(262144)).total_bytes() == 156893184ULL);
}

TEST_CASE("Qwen3-8B K and V at 4096 tokens", "[kv_cache]") {
  const auto kv = kv_cache_size(model("qwen3-8b"), settings(4096));
  CHECK(kv.k_bytes == 301989888ULL);  // 36 x 4096 x 1024 x 2
  CHECK(kv.v_bytes == 301989888ULL);
}

TEST_CASE("gpt-oss sliding-window layers hold 768 cells whatever the context", "[kv_cache]") {
  for (const std::uint64_t ctx : {4096ULL, 32768ULL, 131072ULL}) {
    CAPTURE(ctx);
    const auto kv = kv_cache_size(model("gpt-oss-20b"), settings(ctx));
    CHECK(kv.swa_cells == 768);  // pad256(128 + 512)
    CHECK(kv.swa_layers == 12);
    CHECK(kv.full_cells == ctx);
    CHECK(kv.swa_bytes == 12ULL * 768 * 512 * 2 * 2);
  }
  // A context shorter than the window plus the ubatch caps the SWA cache at the context.
  CHECK(kv_cache_size(model("gpt-oss-20b"), settings(512)).swa_cells == 512);
}

TEST_CASE("Gemma 3 windows: 1024 + 512 padded, global layers take the context", "[kv_cache]") {
  const auto kv = kv_cache_size(model("gemma-3-27b"), settings(32768));
  CHECK(kv.swa_cells == 1536);
  CHECK(kv.swa_layers == 52);
  CHECK(kv.full_layers == 10);
  CHECK(kv.total_bytes() == (10ULL * 32768 + 52ULL * 1536) * 2048 * 2 * 2);
  auto s = settings(32768);
  s.swa_full = true;
  CHECK(kv_cache_size(model("gemma-3-27b"), s).swa_cells == 32768);
}

TEST_CASE("llama.cpp pads the context to 256 cells", "[kv_cache]") {
  const auto kv = kv_cache_size(model("qwen3-8b"), settings(5000));
  CHECK(kv.full_cells == 5120);
  CHECK(context_layout(model("qwen3-8b"), settings(100)).n_ubatch == 100);  // n_batch capped by the context
}

TEST_CASE("parallel sequences: streams of n_ctx / n_seq, or one unified cache", "[kv_cache]") {
  auto s = settings(8192);
  s.n_seq = 4;
  const auto l = context_layout(model("gpt-oss-20b"), s);
  CHECK(l.n_stream == 4);
  CHECK(l.n_ctx_seq == 2048);
  const auto kv = kv_cache_size(model("gpt-oss-20b"), s);
  CHECK(kv.full_cells == 8192);
  CHECK(kv.swa_cells == 4 * 768);
  s.kv_unified = true;
  const auto unified = kv_cache_size(model("gpt-oss-20b"), s);
  CHECK(unified.full_cells == 8192);
  CHECK(unified.swa_cells == 1024);  // pad256(128 x 4 + 512)
  CHECK(recurrent_state_size(model("qwen3.6-27b"), s).total_bytes() == 4ULL * 156893184);
}

TEST_CASE("settings llama.cpp refuses are usage errors", "[kv_cache]") {
  auto s = settings(8192, GgmlType::q8_0, GgmlType::q8_0);
  s.flash_attn = false;
  CHECK_THROWS_WITH(validate(s), Catch::Matchers::Contains("requires flash attention"));
  CHECK_THROWS_AS(validate(settings(8192, GgmlType::q4_k)), UsageError);
  CHECK_THROWS_AS(kv_cache_size(model("qwen3-8b"), settings(5'000'000'000ULL)), UsageError);
}

TEST_CASE("without flash attention V is padded to the widest layer", "[kv_cache]") {
  auto s = settings(4096);
  s.flash_attn = false;
  CHECK(kv_cache_size(model("qwen3-8b"), s).v_bytes == 301989888ULL);
}

TEST_CASE("the KV cache never shrinks as the context grows", "[kv_cache]") {
  for (const auto& m : test::catalog().models) {
    CAPTURE(m.spec.id);
    Bytes previous = 0;
    for (std::uint64_t ctx = 256; ctx <= m.spec.n_ctx_train; ctx = ctx * 3 / 2 + 1) {
      const auto total = kv_cache_size(m.spec, settings(ctx)).total_bytes();
      CHECK(total >= previous);
      previous = total;
    }
  }
}

TEST_CASE("the MTP draft context caches only the MTP layers, in the model's cache type", "[kv_cache][mtp]") {
  // c09 (a public llama-server log of Qwen3.6-27B with its MTP layer, 131,072
  // cells, 4 sequences unified, q8_0): "size = 272.00 MiB (131072 cells, 1 layers,
  // 4/1 seqs)": 1 layer x 131072 cells x (4 KV heads x 256) x 34/32 bytes x (K + V).
  auto spec = model("qwen3.6-27b");
  auto s = settings(131072, GgmlType::q8_0, GgmlType::q8_0);
  s.n_seq = 4;
  s.kv_unified = true;
  CHECK(mtp_kv_cache_size(spec, s).total_bytes() == 0);  // the catalog's files carry no MTP layer
  spec = with_mtp_layers(spec, 1);
  const auto mtp = mtp_kv_cache_size(spec, s);
  CHECK(mtp.total_bytes() == 1ULL * 131072 * 1024 * 34 / 32 * 2);
  CHECK(mtp.total_bytes() == 272ULL << 20);
  CHECK(mtp.full_layers == 1);
  // The main context's cache is unchanged by it: its 16 full-attention layers (c09: 4352.00 MiB).
  CHECK(kv_cache_size(spec, s).total_bytes() == 4352ULL << 20);
  // GLM-4.5-Air's file carries its MTP layer: 8 KV heads x 128, f16, K and V, at 32K.
  const auto glm = mtp_kv_cache_size(model("glm-4.5-air"), settings(32768));
  CHECK(glm.total_bytes() == 32768ULL * 8 * 128 * 2 * 2);
  // MLA: one K-only latent row of 512 + 64 per cell (DeepSeek's MTP layer).
  const auto ds = with_mtp_layers(model("deepseek-v3"), 1);
  CHECK(mtp_kv_cache_size(ds, settings(8192)).total_bytes() == 8192ULL * 576 * 2);
}
