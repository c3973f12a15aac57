#include "catch.hpp"
#include "test_support.hpp"

#include "vramfit/plan/engine.hpp"
#include "vramfit/plan/report.hpp"
#include "vramfit/support/error.hpp"

using namespace vramfit;

namespace {

Request engine_request(std::string_view engine, const std::string& model, const std::string& gpu,
                       const std::string& quant) {
  Request r;
  r.model = model;
  r.gpus = {gpu};
  r.quants = {quant};
  r.engine = &find_engine(engine);
  r.with_ladder = false;
  r.with_max_context = false;
  return r;
}

}  // namespace

TEST_CASE("engine names", "[engine]") {
  CHECK(find_engine("llama.cpp").name() == "llama.cpp");
  CHECK(find_engine("LLAMA-SERVER").name() == "llama-server");
  CHECK(find_engine("llamacpp").name() == "llama.cpp");
  CHECK(find_engine("Ollama").name() == "ollama");
  CHECK(find_engine("vllm").name() == "vllm");
  CHECK(find_engine("SGLang").name() == "sglang");
  CHECK_THROWS_WITH(find_engine("tgi"), "--engine: 'tgi' must be llama.cpp, llama-server, ollama, vllm, sglang or mlx");
  CHECK(&default_engine() == &find_engine("llama.cpp"));
}

TEST_CASE("llama-server: 4 slots over one unified cache", "[engine]") {
  const auto base = build_report(test::catalog(), engine_request("llama.cpp", "qwen3.6-35b-a3b", "rtx3090", "Q4_K_M"));
  const auto server =
      build_report(test::catalog(), engine_request("llama-server", "qwen3.6-35b-a3b", "rtx3090", "Q4_K_M"));
  CHECK(server.engine_name() == "llama-server");
  CHECK(server.settings.n_seq == 4);
  CHECK(server.settings.kv_unified);
  // The unified cache has the context's cells whatever the slot count; the state has one slot per sequence.
  CHECK(server.rows[0].memory.kv_cache_bytes == base.rows[0].memory.kv_cache_bytes);
  CHECK(server.rows[0].memory.recurrent_state_bytes == 4 * base.rows[0].memory.recurrent_state_bytes);
  CHECK(server.rows[0].placement.host.output_bytes == 4 * base.rows[0].placement.host.output_bytes);
  // An explicit --parallel wins.
  auto r = engine_request("llama-server", "qwen3-8b", "rtx3090", "Q4_K_M");
  r.settings.n_seq = 2;
  r.given.n_seq = true;
  CHECK(build_report(test::catalog(), r).settings.n_seq == 2);
}

TEST_CASE("ollama: context by VRAM, its minimum free memory, f16 cache without flash attention", "[engine]") {
  const auto& c = test::catalog();
  CHECK(build_report(c, engine_request("ollama", "qwen3-8b", "rtx3060-12gb", "Q4_K_M")).contexts[0].context_tokens ==
        4096);
  const auto r3090 = build_report(c, engine_request("ollama", "qwen3-8b", "rtx3090", "Q4_K_M"));
  CHECK(r3090.contexts[0].context_tokens == 32768);
  CHECK(build_report(c, engine_request("ollama", "qwen3-8b", "a100-80gb", "Q4_K_M")).contexts[0].context_tokens ==
        262144);
  // 457 MiB more kept free on CUDA than llama.cpp keeps.
  const auto llama = build_report(c, engine_request("llama.cpp", "qwen3-8b", "rtx3090", "Q4_K_M"));
  CHECK(llama.columns[0].budget.usable_bytes - r3090.columns[0].budget.usable_bytes == 457 * k_mib);
  // Metal: no CUDA/ROCm minimum.
  const auto mac_llama = build_report(c, engine_request("llama.cpp", "qwen3-8b", "m4-pro-24gb", "Q4_K_M"));
  const auto mac_ollama = build_report(c, engine_request("ollama", "qwen3-8b", "m4-pro-24gb", "Q4_K_M"));
  CHECK(mac_llama.columns[0].budget.usable_bytes == mac_ollama.columns[0].budget.usable_bytes);

  auto r = engine_request("ollama", "qwen3-8b", "rtx3090", "Q4_K_M");
  r.engine_options.environment["OLLAMA_KV_CACHE_TYPE"] = "q8_0";
  const auto no_fa = build_report(c, r);
  CHECK(no_fa.settings.type_k == GgmlType::f16);
  CHECK_FALSE(no_fa.settings.flash_attn);
  r.engine_options.environment["OLLAMA_FLASH_ATTENTION"] = "1";
  const auto fa = build_report(c, r);
  CHECK(fa.settings.type_k == GgmlType::q8_0);
  CHECK(fa.settings.type_v == GgmlType::q8_0);
  r.engine_options.environment["OLLAMA_KV_CACHE_TYPE"] = "q5_1";
  CHECK_THROWS_AS(build_report(c, r), UsageError);

  // OLLAMA_NUM_PARALLEL=2: the runner's context is num_ctx x 2.
  auto p = engine_request("ollama", "qwen3-8b", "rtx3060-12gb", "Q4_K_M");
  p.engine_options.environment["OLLAMA_NUM_PARALLEL"] = "2";
  const auto par = build_report(c, p);
  CHECK(par.settings.n_seq == 2);
  CHECK(par.contexts[0].context_tokens == 8192);
}

TEST_CASE("vllm: utilization of the total, paged cache, concurrency", "[engine]") {
  const auto& c = test::catalog();
  const auto r = build_report(c, engine_request("vllm", "qwen3-8b", "rtx3090", "Q4_K_M"));
  const auto& gpu = c.find_gpu("rtx3090");
  // 90% of the reported total, less the CUDA context.
  CHECK(r.columns[0].budget.usable_bytes == *gpu.reported_total_bytes / 100 * 90 - *gpu.context_reserve_bytes);
  REQUIRE(r.rows[0].vllm);
  const auto& v = *r.rows[0].vllm;
  // qwen3-8b: 36 layers x (8 KV heads x 128) x (K + V) x 2 bytes.
  CHECK(v.kv_bytes_per_token == 36ULL * 1024 * 2 * 2);
  CHECK(v.request_tokens == 8192);
  CHECK(v.cached_tokens % 16 == 0);
  CHECK(v.max_concurrency == v.available_bytes / (v.kv_bytes_per_token * 8192));
  CHECK(r.rows[0].fits == (v.max_concurrency >= 1));

  // Sliding-window layers take full-size pages: gemma-3-12b's 48 layers all count.
  const auto g = build_report(c, engine_request("vllm", "gemma-3-12b", "rtx3090", "Q4_K_M"));
  const auto& spec = g.model.spec;
  CHECK(g.rows[0].vllm->kv_bytes_per_token == 48ULL * (spec.n_embd_k_gqa(0) + spec.n_embd_v_gqa(0)) * 2);

  auto low = engine_request("vllm", "qwen3-8b", "rtx3090", "Q4_K_M");
  low.engine_options.memory_fraction = 0.5;
  CHECK(build_report(c, low).rows[0].vllm->cached_tokens < v.cached_tokens);
}

TEST_CASE("vllm: a speed only for rows whose request fits vLLM's cache", "[engine]") {
  // Across the context where the request stops fitting vLLM's cache (llama.cpp's
  // placement of the same weights fits a little longer), speed follows the verdict.
  const auto& c = test::catalog();
  bool seen_fit = false;
  bool seen_over = false;
  for (std::uint64_t tokens = 65536; tokens <= 81920; tokens += 1024) {
    auto r = engine_request("vllm", "qwen3.6-27b", "rtx3090", "Q4_K_M");
    r.contexts = {tokens};
    r.given.context = true;
    const auto row = build_report(c, r).rows.at(0);
    INFO(tokens);
    CHECK(row.speed.has_value() == row.fits);
    (row.fits ? seen_fit : seen_over) = true;
  }
  CHECK(seen_fit);
  CHECK(seen_over);
}

TEST_CASE("sglang: its default static fraction by GPU memory", "[engine]") {
  // server_args.py: a 24 GiB card reserves 512 + 1.5 x 2048 + 128 + 2 x 24 + 8 x 42
  // prefill graph sizes = 4096 MiB: (24576 - 4096) / 24576 = 0.833.
  CHECK(sglang_default_fraction_permille(24576 * k_mib, 1) == 833);
  // 80 GB H100 (81559 MiB): 512 + 12288 + 128 + 512 + 8 x 58 = 13904 MiB: 0.830.
  CHECK(sglang_default_fraction_permille(81559 * k_mib, 1) == 830);
  // H200 (143771 MiB): the same reserve, 0.903.
  CHECK(sglang_default_fraction_permille(143771 * k_mib, 1) == 903);
  // Under 20 GiB: chunked prefill 2048, 8 decode graphs: 512 + 3072 + 128 + 16 + 336 = 4064 of 12288 MiB.
  CHECK(sglang_default_fraction_permille(12288 * k_mib, 1) == 669);
}

TEST_CASE("sglang: weights and a token-granular KV pool in the static fraction", "[engine]") {
  const auto& c = test::catalog();
  const auto r = build_report(c, engine_request("sglang", "qwen3-8b", "rtx3090", "AWQ-INT4"));
  const auto& gpu = c.find_gpu("rtx3090");
  const Bytes free = *gpu.reported_total_bytes - *gpu.context_reserve_bytes;
  CHECK(r.columns[0].budget.usable_bytes == static_cast<Bytes>(static_cast<long double>(free) * 833 / 1000.0L));
  REQUIRE(r.rows[0].vllm);
  const auto& v = *r.rows[0].vllm;
  CHECK(v.kv_bytes_per_token == 36ULL * 1024 * 2 * 2);
  CHECK(v.request_tokens == 8192);
  // The pool is what the weights leave, in single tokens.
  CHECK(v.available_bytes == r.columns[0].budget.usable_bytes - r.rows[0].memory.weights_bytes);
  CHECK(v.cached_tokens == v.available_bytes / v.kv_bytes_per_token);
  CHECK(r.rows[0].memory.compute_buffer_bytes == 0);  // activations live outside the fraction
  // A GGUF file by name is refused by engines that do not load it the other way round.
  CHECK_THROWS_WITH(build_report(c, engine_request("llama.cpp", "qwen3-8b", "rtx3090", "AWQ-INT4")),
                    Catch::Matchers::Contains("llama.cpp does not load this checkpoint format"));
}

TEST_CASE("mlx: mlx-lm's conversions and cache in the Metal working set, on Apple GPUs only", "[engine]") {
  const auto& c = test::catalog();
  CHECK(find_engine("mlx-lm").name() == "mlx");
  const auto r = build_report(c, engine_request("mlx", "qwen3-8b", "m4-pro-24gb", "MLX-4bit"));
  const auto& q = r.quants[0];
  // Every weight, the embeddings too, counts against the working set.
  CHECK(r.rows[0].memory.weights_bytes == q.device_weights_bytes + q.host_weights_bytes);
  CHECK(r.rows[0].headroom_bytes == static_cast<ByteDelta>(r.columns[0].budget.usable_bytes) -
                                        static_cast<ByteDelta>(r.rows[0].memory.total_bytes()));
  // A 16-bit cache in 256-token steps: 36 layers x 1024 x (K + V) x 2 bytes x 8192.
  CHECK(r.rows[0].memory.kv_cache_bytes == 36ULL * 1024 * 2 * 2 * 8192);
  // --kv-bits 8 weighs what a q8_0 cache weighs (1 byte + 4 bytes per 64).
  Change change;
  change.with_cache(GgmlType::q8_0);
  CHECK(find_engine("mlx").describe(r.model.spec, change) == "--kv-bits 8");
  change.with_cache(GgmlType::q5_0);
  CHECK(find_engine("mlx").describe(r.model.spec, change).empty());
  CHECK_THROWS_WITH(build_report(c, engine_request("mlx", "qwen3-8b", "rtx3090", "MLX-4bit")),
                    "--engine mlx runs on Apple silicon; rtx3090 is a CUDA GPU");
  CHECK_THROWS_WITH(build_report(c, engine_request("mlx", "qwen3-8b", "m4-pro-24gb", "Q4_K_M")),
                    Catch::Matchers::Contains("mlx does not load GGUF files"));
}

TEST_CASE("paged engines: requests at once are what the pool holds, within the sequence limit", "[engine]") {
  const auto& c = test::catalog();
  const auto& vllm = find_engine("vllm");
  const auto& sglang = find_engine("sglang");
  VllmCapacity pool;
  pool.cached_tokens = 100000;
  pool.request_tokens = 8192;
  // vLLM's get_batch_defaults: 1024 on 70 GiB or more unless an A100, else 256.
  CHECK(vllm.sequence_limit(c.find_gpu("h100-sxm"), pool, std::nullopt) == 1024U);
  CHECK(vllm.sequence_limit(c.find_gpu("a100-80gb"), pool, std::nullopt) == 256U);
  CHECK(vllm.sequence_limit(c.find_gpu("rtx3090"), pool, std::nullopt) == 256U);
  CHECK(vllm.sequence_limit(c.find_gpu("rtx3090"), pool, 8U) == 8U);
  // SGLang: 100,000 / 8,192 x 512 = 6,250, clamped to 4,096; 2,048 at least;
  // never above half the pool's tokens.
  CHECK(sglang.sequence_limit(c.find_gpu("h100-sxm"), pool, std::nullopt) == 4096U);
  pool.request_tokens = 65536;  // 781: raised to 2,048
  CHECK(sglang.sequence_limit(c.find_gpu("h100-sxm"), pool, std::nullopt) == 2048U);
  pool.cached_tokens = 3000;
  CHECK(sglang.sequence_limit(c.find_gpu("h100-sxm"), pool, std::nullopt) == 1500U);
  CHECK(sglang.sequence_limit(c.find_gpu("h100-sxm"), pool, 4000U) == 1500U);
  CHECK_FALSE(default_engine().sequence_limit(c.find_gpu("rtx3090"), pool, std::nullopt).has_value());

  // In a report: vLLM's whole requests of the context, capped by --parallel (--max-num-seqs).
  auto r = engine_request("vllm", "qwen3-8b", "h100-sxm", "Q4_K_M");
  r.contexts = {2048};
  const auto free = build_report(c, r);
  const auto& row = free.rows.front();
  REQUIRE(row.vllm);
  REQUIRE(row.concurrency);
  CHECK(row.concurrency->context_tokens == 2048);
  CHECK(row.concurrency->max_parallel == row.vllm->max_concurrency);
  CHECK(row.vllm->max_concurrency > 8);
  CHECK(row.concurrency->engine_limit == 1024U);
  r.settings.n_seq = 8;
  r.given.n_seq = true;
  const auto capped = build_report(c, r);
  REQUIRE(capped.rows.front().concurrency);
  CHECK(capped.rows.front().concurrency->max_parallel == 8);
  CHECK(capped.rows.front().concurrency->engine_limit == 8U);
}
