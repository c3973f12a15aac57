#include "catch.hpp"
#include "test_support.hpp"

#include "vramfit/memory/device.hpp"
#include "vramfit/memory/estimate.hpp"
#include "vramfit/model/quantize.hpp"
#include "vramfit/plan/report.hpp"

#include <cmath>

using namespace vramfit;

TEST_CASE("compute buffer: logits dominate with flash attention", "[estimate]") {
  const auto& m = test::catalog().find_model("qwen3-8b").spec;
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
  const auto& m = test::catalog().find_model("qwen3-8b").spec;
  RunSettings s;
  s.context_tokens = 4096;
  s.flash_attn = false;
  const auto kv = kv_cache_size(m, s);
  // 4096 x 512 x 32 heads x 4 + 7 x 512 x 4096 x 4
  CHECK(estimate_compute(m, s, kv, Backend::cuda).compute_buffer.bytes == 268435456ULL + 58720256ULL);
}

TEST_CASE("a quantized cache with flash attention adds an F16 copy of one layer", "[estimate]") {
  const auto& m = test::catalog().find_model("qwen3.6-35b-a3b").spec;
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
    const auto& m = test::catalog().find_model(id).spec;
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
  // The logged values of macOS <= 15 (reference/apple-working-set.md), in MiB.
  CHECK(default_apple_working_set_bytes(8ULL << 30) / 1048576 == 5461);
  CHECK(default_apple_working_set_bytes(32ULL << 30) / 1048576 == 21845);
  CHECK(default_apple_working_set_bytes(36ULL << 30) / 1048576 == 27648);  // 3/4 from 36 GB up
  CHECK(default_apple_working_set_bytes(48ULL << 30) / 1048576 == 36864);
  // macOS 26 (Metal 4) prints more, and not a share of RAM: the logged values,
  // "12713.12 MB" on 16 GB = 12124.18 MiB, "19069.67 MB" on 24 GB = 18186.25 MiB.
  REQUIRE(apple_working_set_macos26_bytes(16ULL << 30).has_value());
  CHECK(*apple_working_set_macos26_bytes(16ULL << 30) == 12713120000ULL);
  CHECK(*apple_working_set_macos26_bytes(24ULL << 30) * 100 / 1048576 == 1818625);
  CHECK(*apple_working_set_macos26_bytes(32ULL << 30) * 100 / 1048576 == 2555904);
  CHECK(*apple_working_set_macos26_bytes(24ULL << 30) > default_apple_working_set_bytes(24ULL << 30));
  CHECK_FALSE(apple_working_set_macos26_bytes(64ULL << 30).has_value());  // no macOS 26 log of 64 GB
  CHECK_FALSE(apple_working_set_macos26_bytes((16ULL << 30) + 1).has_value());
}

TEST_CASE("an Apple GPU's budget by macOS version", "[estimate]") {
  GpuSpec mac;
  mac.id = "m4-pro-24gb";
  mac.backend = Backend::metal;
  mac.memory = MemoryKind::unified;
  mac.memory_bytes = 24ULL << 30;
  CHECK(device_budget(mac).total_bytes == 16ULL << 30);
  CHECK(device_budget(mac, std::nullopt, {}, 15).total_bytes == 16ULL << 30);
  const auto v26 = device_budget(mac, std::nullopt, {}, 26);
  CHECK(v26.total_bytes == 19069670000ULL);
  CHECK_FALSE(v26.total_estimated);
  // A wired limit still wins; RAM sizes without a macOS 26 log keep the lower rule, said so.
  CHECK(device_budget(mac, Bytes{20000} << 20, {}, 26).total_bytes == Bytes{20000} << 20);
  mac.memory_bytes = 64ULL << 30;
  const auto unmeasured = device_budget(mac, std::nullopt, {}, 26);
  CHECK(unmeasured.total_bytes == 48ULL << 30);
  CHECK(unmeasured.total_estimated);
  CHECK(unmeasured.basis.find("no macOS 26 log") != std::string::npos);
}

TEST_CASE("decode speed: its range meets the published figures for Qwen3.6-35B-A3B at 4 bits", "[estimate][speed]") {
  // Published (not used in the fit, bench/published): RTX 3090 107-136 tok/s,
  // RTX 4090 about 120, RTX 5090 160-180, Mac mini M4 Pro 24 GB 15-22.
  const auto speed = [](const char* gpu) {
    Request r;
    r.model = "qwen3.6-35b-a3b";
    r.gpus = {gpu};
    r.quants = {"Q4_K_M"};
    r.settings.type_k = r.settings.type_v = GgmlType::q8_0;
    r.with_ladder = false;
    r.with_max_context = false;
    const auto report = build_report(test::catalog(), r);
    REQUIRE(report.rows[0].speed);
    return *report.rows[0].speed;
  };
  const auto meets = [](const SpeedEstimate& e, double low, double high) {
    return e.low <= high && e.high >= low;
  };
  CHECK(meets(speed("rtx3090"), 107, 136));
  CHECK(meets(speed("rtx4090"), 110, 130));
  CHECK(meets(speed("rtx5090"), 160, 180));
  // The 24 GB Mac mini holds neither the model in its Metal working set nor
  // model and macOS in its RAM: experts on the CPU, some pages on the SSD.
  CHECK(meets(speed("m4-pro-24gb"), 15, 22));
}

TEST_CASE("decode speed: the fitted rule by hand", "[estimate][speed]") {
  // 2 GB at 1000 GB/s x 0.7849 + 40 layers x 98.58 us = 6.49132 ms: 154.05 tok/s, +-20%.
  const auto e = estimate_decode_speed({TokenTraffic{2'000'000'000, 1000, Backend::cuda, 40}});
  CHECK(e.tokens_per_second == Approx(1.0 / (2e9 / (1e12 * 0.7849) + 40 * 98.58e-6)));
  CHECK(e.tokens_per_second == Approx(154.05).epsilon(0.001));
  CHECK(e.low == Approx(e.tokens_per_second * 0.8));
  // Legacy blocks read faster per byte than K-quants; MXFP4 slower.
  const auto legacy =
      estimate_decode_speed({TokenTraffic{2'000'000'000, 1000, Backend::cuda, 40}}, decode_type_factor("Q4_0"));
  CHECK(legacy.tokens_per_second == Approx(1.0 / (2e9 / (1e12 * 0.7849 * 1.172) + 40 * 98.58e-6)));
  CHECK(decode_type_factor("MXFP4_MOE") == 0.9038);
  CHECK(decode_type_factor("Q4_K_M") == 1.0);
  CHECK(decode_type_factor("BF16") == 1.122);
}

TEST_CASE("decode speed: bandwidth, active experts, and offloaded bytes", "[estimate][speed]") {
  TokenTraffic gpu{2'000'000'000, 1000, Backend::cuda, 40};
  const auto base = estimate_decode_speed({gpu});
  CHECK(base.low < base.tokens_per_second);
  CHECK(base.high > base.tokens_per_second);
  gpu.bandwidth_gbps = 2000;
  CHECK(estimate_decode_speed({gpu}).tokens_per_second > base.tokens_per_second);
  // A pool on the host costs its bytes at host bandwidth.
  const TokenTraffic host{500'000'000, 60, Backend::cpu, 0};
  CHECK(estimate_decode_speed({TokenTraffic{2'000'000'000, 1000, Backend::cuda, 40}, host}).tokens_per_second <
        base.tokens_per_second);
  CHECK(estimate_decode_speed({}).tokens_per_second == 0);
  // Swap: nothing while model and OS fit, then a share of every token.
  CHECK(swap_traffic(10 * k_gib, 24 * k_gib, 1'000'000'000).bytes == 0);
  CHECK(std::llabs(static_cast<long long>(swap_traffic(24 * k_gib, 24 * k_gib, 1'000'000'000).bytes) - 250'000'000) <
        10);
}

TEST_CASE("prefill speed: the fitted rule by hand", "[estimate][speed]") {
  // 10B active parameters (2e10 FLOPs per token) on a 100 TFLOPS CUDA GPU, the
  // size exponent's reference: 0.4238 x 1e14 / 2e10 = 2119 tokens/s, measured
  // within x0.6209 .. x1.214 of it on held-out sources.
  PrefillWork w;
  w.matmul_flops = 2e10;
  w.peak_tflops = 100;
  const auto e = estimate_prefill_speed({w}, 512);
  REQUIRE(e);
  CHECK(e->tokens_per_second == Approx(2119.0));
  CHECK(e->low == Approx(2119.0 * 0.6209));
  CHECK(e->high == Approx(2119.0 * 1.214));
  // A 4x larger GPU is not 4x faster: 4^-0.4018 = 0.57292 of the share.
  w.peak_tflops = 400;
  CHECK(estimate_prefill_speed({w}, 512)->tokens_per_second == Approx(0.4238 * 0.57292 * 4e14 / 2e10).epsilon(1e-4));
  w.peak_tflops = 100;
  // Mixture-of-experts models at 0.5052 of the rate; legacy quants 0.8557, F16 1.098.
  CHECK(estimate_prefill_speed({w}, 512, 1.0, true)->tokens_per_second == Approx(2119.0 * 0.5052));
  CHECK(estimate_prefill_speed({w}, 512, prefill_type_factor("Q8_0"))->tokens_per_second == Approx(2119.0 * 0.8557));
  CHECK(prefill_type_factor("BF16") == 1.098);
  CHECK(prefill_type_factor("Q4_K_M") == 1.0);
  // Attention FLOPs count at the backend's multiplier: 1e10 x 1.343 more.
  PrefillWork a = w;
  a.attention_flops = 1e10;
  CHECK(estimate_prefill_speed({a}, 512)->tokens_per_second == Approx(4.238e13 / (2e10 + 1.343e10)));
  // Host weights cross the link once per ubatch: 25 GB at 25 GB/s over 500 tokens = 2 ms a token.
  PrefillWork h = w;
  h.host_weight_bytes = 25'000'000'000;
  CHECK(estimate_prefill_speed({h}, 500)->tokens_per_second == Approx(1.0 / (1.0 / 2119.0 + 0.002)));
  // Layer split: the devices run one after another.
  PrefillWork half = w;
  half.matmul_flops = 1e10;
  CHECK(estimate_prefill_speed({half, half}, 512)->tokens_per_second == Approx(2119.0));
  // No rule without calibration data or a peak: nothing rather than a guess.
  for (const auto b : {Backend::metal, Backend::sycl, Backend::cpu}) {
    PrefillWork x = w;
    x.backend = b;
    CHECK_FALSE(estimate_prefill_speed({x}, 512));
  }
  PrefillWork unknown = w;
  unknown.peak_tflops = 0;
  CHECK_FALSE(estimate_prefill_speed({unknown}, 512));
  CHECK_FALSE(estimate_prefill_speed({}, 512));
}

TEST_CASE("time to first token: the prompt's prefill and one decode step", "[estimate][speed]") {
  const SpeedEstimate pp{2048, 1024, 4096};
  const SpeedEstimate tg{100, 50, 200};
  const auto t = time_to_first_token(512, pp, tg);
  CHECK(t.seconds == Approx(0.25 + 0.01));
  CHECK(t.low == Approx(0.125 + 0.005));
  CHECK(t.high == Approx(0.5 + 0.02));
}
