#include "catch.hpp"
#include "test_support.hpp"

#include "vramfit/plan/placement.hpp"
#include "vramfit/plan/report.hpp"
#include "vramfit/support/error.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

using namespace vramfit;

namespace {

Request request_for(const std::string& model, const std::string& gpu, std::vector<std::string> quants = {},
                    std::uint64_t context = 8192) {
  Request r;
  r.model = model;
  r.gpus = {gpu};
  r.quants = std::move(quants);
  r.contexts = {context};
  r.with_ladder = false;
  return r;
}

Bytes device_sum(const Placement& p, Bytes DeviceLoad::*field) {
  Bytes t = 0;
  for (const auto& d : p.devices) {
    t += d.*field;
  }
  return t;
}

// The flags vramfit prints and the values llama.cpp's common/arg.cpp accepts for them.
void check_llama_arguments(const std::vector<std::string>& args, const ModelSpec& spec) {
  static const std::set<std::string> k_cache{"f32", "f16", "bf16", "q8_0", "q4_0", "q4_1", "iq4_nl", "q5_0", "q5_1"};
  const auto is_uint = [](const std::string& v) {
    return !v.empty() && v.size() < 10 && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  std::map<std::string, int> seen;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& flag = args[i];
    INFO(flag);
    ++seen[flag];
    const auto value = [&]() -> const std::string& {
      REQUIRE(i + 1 < args.size());
      return args[++i];
    };
    if (flag == "-m") {
      CHECK(value().size() > 5);
    } else if (flag == "-c" || flag == "-ngl" || flag == "--n-cpu-moe" || flag == "-np" || flag == "-ub" ||
               flag == "-b") {
      CHECK(is_uint(value()));
    } else if (flag == "-ctk" || flag == "-ctv") {
      CHECK(k_cache.count(value()) == 1);
    } else if (flag == "-fa") {
      const auto& v = value();
      CHECK((v == "on" || v == "off" || v == "auto"));
    } else if (flag == "-ot") {
      CHECK(value() == "exps=CPU");
    } else if (flag == "-ts") {
      std::stringstream parts(value());
      for (std::string part; std::getline(parts, part, ',');) {
        CHECK(is_uint(part));
      }
    } else if (flag == "-kvu" || flag == "--swa-full") {
      // switches
    } else {
      FAIL("not a llama.cpp flag vramfit means to print: " << flag);
    }
  }
  for (const auto& [flag, count] : seen) {
    INFO(flag);
    CHECK(count == 1);
  }
  CHECK(seen.count("--n-cpu-moe") + seen.count("-ot") <= 1);
  if (seen.count("--n-cpu-moe") || seen.count("-ot")) {
    CHECK(spec.moe.has_value());
  }
}

}  // namespace

TEST_CASE("llama.cpp's layer split: 65 layers over two equal GPUs, 33 and 32", "[placement]") {
  const auto report = build_report(test::catalog(), request_for("qwen3-32b", "2xrtx3090", {"Q4_K_M"}));
  REQUIRE(report.columns.size() == 1);
  CHECK(report.columns[0].group.id == "2xrtx3090");
  CHECK(report.columns[0].combined.name == "2x GeForce RTX 3090");
  CHECK(report.columns[0].budget.usable_bytes == 2 * report.columns[0].group.budgets[0].usable_bytes);
  const auto& p = report.rows[0].placement;
  REQUIRE(p.devices.size() == 2);
  // Layer il goes to GPU 1 once il / 65 reaches 0.5: blocks 0..32 on GPU 0, 33..63 and the output on GPU 1.
  CHECK(p.devices[0].layers == 33);
  CHECK(p.devices[1].layers == 31);
  CHECK_FALSE(p.devices[0].output_layer);
  CHECK(p.devices[1].output_layer);
  CHECK(p.tensor_split.size() == 2);
  CHECK(p.tensor_split[0] == p.tensor_split[1]);
  // Each GPU holding layers reserves a compute buffer of its own.
  CHECK(p.devices[0].compute_buffer.bytes > 0);
  CHECK(p.devices[1].compute_buffer.bytes > 0);
}

TEST_CASE("placements conserve every byte", "[placement]") {
  for (const char* model : {"qwen3.6-35b-a3b", "qwen3-32b", "gemma-3-12b", "gpt-oss-20b"}) {
    const auto report = build_report(test::catalog(), request_for(model, "rtx3090+rtx4060ti-16gb", {"Q4_K_M"}));
    const auto& spec = report.model.spec;
    const auto& q = report.quants[0];
    const auto& full = report.rows[0].placement;
    const Bytes kv = report.contexts[0].kv.total_bytes();
    const Bytes state = report.contexts[0].state.total_bytes();
    for (const Offload o : {Offload::full(spec), Offload{spec.n_layer / 2, 0}, Offload{0, 0},
                            Offload{spec.n_layer + 1, spec.n_layer / 3}}) {
      INFO(model << " ngl " << o.n_gpu_layers << " n_cpu_moe " << o.n_cpu_moe);
      const auto p = place(spec, q.layers, RunSettings{}, report.contexts[0].kv, report.contexts[0].state,
                           report.columns[0].group.gpus, report.columns[0].group.budgets, o);
      CHECK(device_sum(p, &DeviceLoad::weights_bytes) + p.host.weights_bytes ==
            q.device_weights_bytes + q.host_weights_bytes);
      CHECK(q.layers.device_bytes() == q.device_weights_bytes);
      CHECK(device_sum(p, &DeviceLoad::kv_cache_bytes) + p.host.kv_cache_bytes == kv);
      CHECK(device_sum(p, &DeviceLoad::recurrent_state_bytes) + p.host.recurrent_state_bytes == state);
      std::uint32_t layers = 0;
      for (const auto& d : p.devices) {
        layers += d.layers;
      }
      CHECK(layers == std::min(o.n_gpu_layers, spec.n_layer));
    }
    // The report's row is the full placement; its memory is the GPUs' sum.
    CHECK(report.rows[0].memory.weights_bytes == device_sum(full, &DeviceLoad::weights_bytes));
  }
}

TEST_CASE("offload plans: the fewest experts or layers on the host that fit", "[placement]") {
  SECTION("MoE: --n-cpu-moe, minimal") {
    const auto report = build_report(test::catalog(), request_for("qwen3.6-35b-a3b", "rtx3090", {"Q8_0"}));
    const auto& row = report.rows[0];
    REQUIRE_FALSE(row.fits);
    REQUIRE(row.plan);
    const auto& plan = *row.plan;
    CHECK(plan.fits());
    CHECK(plan.offload.n_gpu_layers == 41);
    REQUIRE(plan.offload.n_cpu_moe > 0);
    Request one = request_for("qwen3.6-35b-a3b", "rtx3090", {"Q8_0"});
    one.n_cpu_moe = plan.offload.n_cpu_moe - 1;
    CHECK_FALSE(build_report(test::catalog(), one).rows[0].fits);
    one.n_cpu_moe = plan.offload.n_cpu_moe;
    CHECK(build_report(test::catalog(), one).rows[0].fits);
  }
  SECTION("dense: -ngl, maximal") {
    const auto report = build_report(test::catalog(), request_for("qwen3-32b", "rtx3090", {"Q8_0"}));
    const auto& row = report.rows[0];
    REQUIRE_FALSE(row.fits);
    REQUIRE(row.plan);
    const auto ngl = row.plan->offload.n_gpu_layers;
    CHECK(ngl > 0);
    CHECK(ngl < 64);
    CHECK(row.plan->offload.n_cpu_moe == 0);
    Request r = request_for("qwen3-32b", "rtx3090", {"Q8_0"});
    r.n_gpu_layers = ngl;
    CHECK(build_report(test::catalog(), r).rows[0].fits);
    r.n_gpu_layers = ngl + 1;
    CHECK_FALSE(build_report(test::catalog(), r).rows[0].fits);
  }
  SECTION("--ram: the host's share against system memory") {
    Request r = request_for("qwen3.6-35b-a3b", "rtx3090", {"Q8_0"});
    r.n_cpu_moe = 20;
    r.host.ram_bytes = 8 * k_gib;
    const auto small = build_report(test::catalog(), r);
    REQUIRE(small.rows[0].ram_fits);
    CHECK_FALSE(*small.rows[0].ram_fits);
    r.host.ram_bytes = 64 * k_gib;
    CHECK(*build_report(test::catalog(), r).rows[0].ram_fits);
  }
}

TEST_CASE("every printed command line is llama.cpp's flags", "[placement]") {
  for (const auto& model : test::catalog().models) {
    for (const char* gpu : {"rtx3090", "2xrtx4090", "rtx3060-12gb+rtx3090"}) {
      Request r = request_for(model.spec.id, gpu);
      r.settings.n_seq = 2;
      r.settings.kv_unified = true;
      r.with_max_context = false;
      const auto report = build_report(test::catalog(), r);
      for (const auto& row : report.rows) {
        INFO(model.spec.id << " " << gpu << " " << report.quants[row.quant].id);
        for (const Placement* p : {&row.placement, row.plan ? &*row.plan : nullptr}) {
          if (p != nullptr) {
            RunSettings s = r.settings;
            check_llama_arguments(llama_arguments(report.model.spec, *p, s, "model.gguf"), report.model.spec);
          }
        }
      }
    }
  }
}

TEST_CASE("shell quoting of command lines", "[placement]") {
  CHECK(shell_command("llama-server", {"-m", "a b.gguf"}) == "llama-server -m 'a b.gguf'");
  CHECK(shell_command("llama-server", {"-m", "it's.gguf"}) == "llama-server -m 'it'\\''s.gguf'");
  CHECK(shell_command("llama-server", {"-ot", "exps=CPU"}) == "llama-server -ot exps=CPU");
}

TEST_CASE("GPU groups on the command line", "[placement]") {
  const auto& c = test::catalog();
  CHECK(resolve_gpu_group(c, "2xrtx3090").gpus.size() == 2);
  CHECK(resolve_gpu_group(c, "2x rtx3090").id == "2xrtx3090");
  CHECK(resolve_gpu_group(c, "rtx3090+rtx4060ti-16gb").id == "rtx3090+rtx4060ti-16gb");
  CHECK(resolve_gpu_group(c, "rtx3090 + 2xrtx3060-12gb").gpus.size() == 3);
  CHECK(resolve_gpu_group(c, "rtx3090").id == "rtx3090");
  CHECK_THROWS_AS(resolve_gpu_group(c, "0xrtx3090"), UsageError);
  CHECK_THROWS_AS(resolve_gpu_group(c, "17xrtx3090"), UsageError);
  CHECK_THROWS_AS(resolve_gpu_group(c, "rtx3090++rtx4090"), UsageError);
  CHECK_THROWS_AS(resolve_gpu_group(c, "rtx3090+"), UsageError);
  CHECK_THROWS_AS(resolve_gpu_group(c, "2xrtx3099"), UsageError);
  CHECK_THROWS_AS(resolve_gpu_group(c, "m4-pro-24gb+rtx3090"), UsageError);
  try {
    resolve_gpu_group(c, "rtx3090+rtx4099");
  } catch (const UsageError& e) {
    CHECK(std::string(e.what()).find("did you mean") != std::string::npos);
  }
}

TEST_CASE("max-context is the largest context check passes, for every catalog model on a 24 GB card", "[placement]") {
  for (const auto& model : test::catalog().models) {
    Request r = request_for(model.spec.id, "rtx3090");
    const auto report = build_report(test::catalog(), r);
    for (const auto& row : report.rows) {
      const auto& q = report.quants[row.quant].id;
      INFO(model.spec.id << " " << q);
      REQUIRE(row.max_context_tokens);
      const auto m = *row.max_context_tokens;
      const auto check_at = [&](std::uint64_t tokens) {
        Request one = request_for(model.spec.id, "rtx3090", {q}, tokens);
        one.with_max_context = false;
        return build_report(test::catalog(), one).rows[0].fits;
      };
      if (m > 0) {
        CHECK((m % 256 == 0 || m == model.spec.n_ctx_train));
        CHECK(check_at(m));
      }
      if (m < model.spec.n_ctx_train) {
        CHECK_FALSE(check_at(m == 0 ? 256 : m + 256));
      }
    }
  }
}

TEST_CASE("max-context per cache type: quantized caches reach further", "[placement]") {
  Request r = request_for("qwen3-8b", "rtx3060-12gb", {"Q8_0"});
  const auto m = build_max_context(test::catalog(), r);
  REQUIRE(m.caches.size() == 3);
  REQUIRE(m.rows.size() == 3);
  CHECK(m.rows[0].tokens < m.rows[1].tokens);
  CHECK(m.rows[1].tokens <= m.rows[2].tokens);
  // Without flash attention only f16 is allowed for V.
  r.settings.flash_attn = false;
  r.given.flash_attn = true;
  CHECK(build_max_context(test::catalog(), r).caches.size() == 1);
}

TEST_CASE("max-context --parallel N: the longest context each of N requests at once may have", "[placement]") {
  Request r = request_for("qwen3-8b", "rtx3090", {"Q4_K_M"});
  r.settings.n_seq = 4;
  r.given.n_seq = true;
  r.settings.type_k = r.settings.type_v = GgmlType::f16;
  r.given.type_k = r.given.type_v = true;
  const auto m = build_max_context(test::catalog(), r);
  REQUIRE(m.rows.size() == 1);
  const auto& row = m.rows.front();
  REQUIRE(row.per_request_tokens.has_value());
  const auto each = *row.per_request_tokens;
  CHECK(each % 256 == 0);
  CHECK(row.tokens == 4 * each);
  CHECK(each < 40960);  // four native contexts (4 x 5.6 GiB of f16 cache) do not fit 24 GB
  // Four requests of that context fit, each with its own; 256 tokens more each do not.
  const auto fits_each = [&](std::uint64_t tokens) {
    Request one = request_for("qwen3-8b", "rtx3090", {"Q4_K_M"}, 4 * tokens);
    one.settings.n_seq = 4;
    one.given.n_seq = true;
    one.with_max_context = false;
    return build_report(test::catalog(), one).rows[0].fits;
  };
  CHECK(fits_each(each));
  CHECK_FALSE(fits_each(each + 256));
  // One request: no per-request figure, the context is the runner's.
  r.settings.n_seq = 1;
  CHECK_FALSE(build_max_context(test::catalog(), r).rows.front().per_request_tokens.has_value());
}

TEST_CASE("llama.cpp's layer split rule", "[placement]") {
  // 24 blocks, -ngl 24: blocks on the GPU, the output layer on the CPU.
  const auto a = layer_split(24, 24, {1.0}).per_layer();
  CHECK(a[0] == 0);
  CHECK(a[23] == 0);
  CHECK(a[24] == -1);
  // -ngl 10 of 32: the last 10 blocks.
  const auto b = layer_split(32, 10, {1.0});
  CHECK(b.first_gpu_layer == 22);
  CHECK(b.device_of(21) == -1);
  CHECK(b.device_of(22) == 0);
  CHECK(b.device_of(31) == 0);
  CHECK(b.device_of(32) == -1);
  // Two GPUs 1:3, everything offloaded: 33 layers, the first quarter on GPU 0.
  const auto c = layer_split(32, 33, {1.0, 3.0});
  const auto per_layer = c.per_layer();
  CHECK(std::count(per_layer.begin(), per_layer.end(), 0) == 9);
  CHECK(std::count(per_layer.begin(), per_layer.end(), 1) == 24);
  CHECK(c.begin(1) == 9);
  CHECK(c.end[1] == 33);
  CHECK(layer_split(8, 9, {}).per_layer() == std::vector<int>(9, -1));
  // A split read back from a log's per-layer lines is the same split.
  const auto back = layer_split_from(per_layer);
  CHECK(back.per_layer() == per_layer);
  CHECK_THROWS_AS(layer_split_from({0, 1, 0}), InputError);
}

TEST_CASE("one rule sends each weight to its device", "[placement]") {
  const auto split = layer_split(4, 5, {1.0, 1.0});  // blocks 0-2 on GPU 0, 3 and the output on GPU 1
  CHECK(weight_device(weight_part("token_embd.weight", -1), 0, split, 0) == -1);
  CHECK(weight_device(weight_part("output.weight", -1), 0, split, 0) == 1);
  CHECK(weight_device(weight_part("blk.0.attn_q.weight", 0), 0, split, 2) == 0);
  CHECK(weight_device(weight_part("blk.1.ffn_up_exps.weight", 1), 1, split, 2) == -1);  // --n-cpu-moe 2
  CHECK(weight_device(weight_part("blk.3.ffn_up_exps.weight", 3), 3, split, 2) == 1);
}

TEST_CASE("the KV cache in host memory with no KV offload, and -nkvo on the command line", "[placement]") {
  auto r = request_for("qwen3-8b", "rtx3090", {"Q4_K_M"}, 32768);
  const auto on_gpu = build_report(test::catalog(), r);
  r.settings.kv_offload = false;
  const auto on_host = build_report(test::catalog(), r);
  const auto& a = on_gpu.rows[0];
  const auto& b = on_host.rows[0];
  // Qwen3-8B at 32,768 tokens, f16: 36 layers x 32,768 x 2 x 8 heads x 128 x 2 bytes.
  const Bytes kv = 36ULL * 32768 * 2 * 8 * 128 * 2;
  CHECK(a.memory.kv_cache_bytes == kv);
  CHECK(b.memory.kv_cache_bytes == 0);
  CHECK(b.placement.host.kv_cache_bytes == kv);
  CHECK(b.memory.weights_bytes == a.memory.weights_bytes);
  const auto args = on_host.arguments(b, b.placement);
  CHECK(std::find(args.begin(), args.end(), "-nkvo") != args.end());
  REQUIRE(a.speed);
  REQUIRE(b.speed);
  CHECK(b.speed->tokens_per_second < a.speed->tokens_per_second);  // the cache is read at host bandwidth
}

TEST_CASE("prefill work: FLOPs per device and the host weights a prompt fetches", "[placement][speed]") {
  const auto report = build_report(test::catalog(), request_for("qwen3-8b", "rtx3090+rtx4060ti-16gb", {"Q4_K_M"}));
  const auto& spec = report.model.spec;
  const auto& q = report.quants[0];
  const auto& gpus = report.columns[0].group.gpus;
  const double active = 1e9;
  const auto full = prefill_work(spec, q.layers, active, 512, report.rows[0].placement, gpus);
  REQUIRE(full.size() == 2);
  // Every FLOP once: 2 x the active parameters, and attention at the prompt's
  // mean context of 256 tokens: 4 x 256 x 32 heads x 128 x 36 layers.
  CHECK(full[0].matmul_flops + full[1].matmul_flops == Approx(2e9));
  CHECK(full[0].attention_flops + full[1].attention_flops == Approx(4.0 * 256 * 32 * 128 * 36));
  CHECK(full[0].attention_flops > 0);
  CHECK(full[1].attention_flops > 0);
  CHECK(full[0].host_weight_bytes + full[1].host_weight_bytes == 0);
  CHECK(full[0].peak_tflops == 142.74);  // the RTX 3090's FP16-accumulate rate
  // -ngl 18: the host's 18 blocks and the output layer run on the first GPU, which fetches their weights.
  const auto half = place(spec, q.layers, RunSettings{}, report.contexts[0].kv, report.contexts[0].state, gpus,
                          report.columns[0].group.budgets, Offload{18, 0});
  const auto w = prefill_work(spec, q.layers, active, 512, half, gpus);
  CHECK(w[0].host_weight_bytes ==
        q.layers.layers.range(0, 18) + q.layers.output_layer_bytes);  // -ngl <= 36: output too
  CHECK(w[0].matmul_flops + w[1].matmul_flops == Approx(2e9));
  // A sliding window caps what its layers attend to: Gemma 3's 1024-token window
  // in 52 of 62 layers, at a 4096-token prompt (mean context 2048).
  const auto g = build_report(test::catalog(), request_for("gemma-3-27b", "rtx3090", {"Q4_K_M"}));
  const auto& gs = g.model.spec;
  const auto gw = prefill_work(gs, g.quants[0].layers, active, 4096, g.rows[0].placement, g.columns[0].group.gpus);
  const double per_token = 4.0 * gs.n_head * static_cast<double>(gs.n_embd_head_k);
  CHECK(gs.count(LayerKind::sliding_attention) == 52);
  CHECK(gw[0].attention_flops == Approx(per_token * (52 * 1024.0 + 10 * 2048.0)));
}
