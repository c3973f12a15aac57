#include "catch.hpp"
#include "test_support.hpp"

#include "vramfit/plan/report.hpp"
#include "vramfit/support/error.hpp"

#include <algorithm>
#include <cmath>

using namespace vramfit;

namespace {

Request request(const char* model, std::vector<std::string> gpus, std::vector<std::string> quants,
                std::vector<std::uint64_t> contexts, GgmlType cache = GgmlType::f16) {
  Request r;
  r.model = model;
  r.gpus = std::move(gpus);
  r.quants = std::move(quants);
  r.contexts = std::move(contexts);
  r.settings.type_k = r.settings.type_v = cache;
  return r;
}

Report run(const char* model, std::vector<std::string> gpus, std::vector<std::string> quants,
           std::vector<std::uint64_t> contexts, GgmlType cache = GgmlType::f16) {
  return build_report(test::catalog(), request(model, std::move(gpus), std::move(quants), std::move(contexts), cache));
}

const FitRow& find(const Report& r, const std::string& quant, std::size_t gpu = 0, std::size_t context = 0) {
  for (std::size_t q = 0; q < r.quants.size(); ++q) {
    if (r.quants[q].id == quant) {
      return r.row(q, gpu, context);
    }
  }
  throw std::runtime_error("no quant " + quant);
}

}  // namespace

TEST_CASE("the guide's arithmetic, corrected: Qwen3.6-35B-A3B on a 24 GB card", "[report]") {
  const auto r =
      run("qwen3.6-35b-a3b", {"rtx3090", "rtx4090"}, {"F16", "Q8_0", "Q6_K", "Q4_K_M"}, {16384}, GgmlType::q8_0);
  for (std::size_t g = 0; g < 2; ++g) {
    CHECK(find(r, "Q4_K_M", g).fits);
    CHECK_FALSE(find(r, "Q6_K", g).fits);
    CHECK_FALSE(find(r, "Q8_0", g).fits);
    CHECK_FALSE(find(r, "F16", g).fits);
  }
  // KV at 8K is about 90 MB (not 1.5 GB), the whole 262K context about 2.9 GB (not 48 GB).
  const auto k8 = run("qwen3.6-35b-a3b", {"rtx3090"}, {"Q4_K_M"}, {8192}, GgmlType::q8_0);
  CHECK(k8.rows[0].memory.kv_cache_bytes == 89128960ULL);
  const auto full = run("qwen3.6-35b-a3b", {"rtx3090"}, {"Q4_K_M"}, {0}, GgmlType::q8_0);
  CHECK(full.contexts[0].context_tokens == 262144);
  CHECK(full.rows[0].memory.kv_cache_bytes == 2852126720ULL);
}

TEST_CASE("parts sum to the total and headroom is usable minus total", "[report]") {
  for (const auto& m : test::catalog().models) {
    CAPTURE(m.spec.id);
    Request req;
    req.model = m.spec.id;
    req.gpus = {"rtx3090", "m4-pro-24gb", "rx7900xtx"};
    req.contexts = {4096, 32768};
    const auto r = build_report(test::catalog(), req);
    for (const auto& row : r.rows) {
      const auto& mem = row.memory;
      CHECK(mem.total_bytes() == mem.weights_bytes + mem.kv_cache_bytes + mem.recurrent_state_bytes +
                                     mem.compute_buffer_bytes + mem.overhead_bytes);
      CHECK(row.headroom_bytes ==
            static_cast<ByteDelta>(r.columns[row.gpu].budget.usable_bytes) - static_cast<ByteDelta>(mem.total_bytes()));
      CHECK(row.fits == (row.headroom_bytes >= 0));
      CHECK(mem.kv_cache_bytes == r.contexts[row.context].kv.total_bytes());
    }
    for (std::size_t i = 1; i < r.quants.size(); ++i) {
      const auto size = [](const QuantResult& q) {
        return q.file_published_bytes.value_or(q.file_predicted_bytes);
      };
      CHECK(size(r.quants[i - 1]) >= size(r.quants[i]));
    }
  }
}

TEST_CASE("predicted file sizes are within 0.5% of the published files", "[report]") {
  // The reference files plus every recipe file in the catalog that is
  // known to follow llama.cpp's recipe.
  const struct {
    const char* model;
    const char* quant;
    Bytes published;
  } cases[] = {
      {"qwen3-8b", "Q4_K_M", 5027783488ULL},         {"qwen3-30b-a3b", "Q4_K_M", 18556685824ULL},
      {"llama-3.1-8b", "Q4_K_M", 4920739232ULL},     {"llama-3.1-8b", "Q8_0", 8540775840ULL},
      {"qwen3.6-35b-a3b", "Q4_K_M", 21166757728ULL}, {"qwen3.6-35b-a3b", "Q8_0", 36903140320ULL},
      {"qwen3.6-27b", "Q8_0", 28595763424ULL},       {"gemma-3-27b", "Q4_K_M", 16546688736ULL},
      {"gpt-oss-20b", "MXFP4_MOE", 12109566624ULL},
  };
  for (const auto& c : cases) {
    CAPTURE(c.model, c.quant);
    const auto r = run(c.model, {"rtx3090"}, {c.quant}, {});
    REQUIRE(r.quants[0].file_published_bytes == c.published);
    const double error =
        std::fabs(static_cast<double>(r.quants[0].file_predicted_bytes) - static_cast<double>(c.published)) /
        static_cast<double>(c.published);
    CHECK(error < 0.005);
    CHECK(r.quants[0].source == WeightsSource::published);
  }
}

TEST_CASE("token_embd stays on the host; device weights are the rest", "[report]") {
  const auto r = run("qwen3-8b", {"rtx3090"}, {"Q6_K"}, {});
  const auto& q = r.quants[0];
  // 4096 x 151936 in Q6_K
  CHECK(q.host_weights_bytes == 151936ULL * 16 * 210);
  CHECK(q.predicted.device_bytes() + q.host_weights_bytes == q.predicted.total_bytes);
}

TEST_CASE("the context ladder names the largest quant that fits", "[report]") {
  Request req;
  req.model = "qwen3.6-35b-a3b";
  req.gpus = {"rtx3090"};
  const auto r = build_report(test::catalog(), req);
  REQUIRE(r.ladder.size() == 4);
  CHECK(r.ladder.back().context.native);
  for (const auto& l : r.ladder) {
    REQUIRE(l.best_quant[0].has_value());
    const auto best = *l.best_quant[0];
    CHECK(best < r.quants.size());
    if (best > 0) {
      // Everything larger overflows at that context.
      Request bigger = req;
      bigger.quants = {r.quants[best - 1].id};
      bigger.contexts = {l.context.context_tokens};
      bigger.with_ladder = false;
      CHECK_FALSE(build_report(test::catalog(), bigger).rows[0].fits);
    }
  }
}

TEST_CASE("requests that cannot be answered are usage errors", "[report]") {
  CHECK_THROWS_WITH(run("qwen3-8b", {"rtx3090"}, {"MXFP4_MOE"}, {}), Catch::Matchers::Contains("mixture-of-experts"));
  CHECK_THROWS_WITH(run("qwen3-8b", {"rtx3090"}, {"UD-Q4_K_XL"}, {}), Catch::Matchers::Contains("published files"));
  CHECK_THROWS_AS(run("qwen3-8b", {}, {}, {}), UsageError);
  CHECK_THROWS_AS(run("qwen3-8b", {"rtx9999"}, {}, {}), UsageError);
}

TEST_CASE("absurd but valid inputs give answers", "[report]") {
  // A 10M-token context on a hybrid model: its KV grows on 10 layers only.
  const auto r = run("qwen3.6-35b-a3b", {"b200"}, {"Q4_K_M"}, {10'000'000});
  CHECK(r.rows[0].memory.kv_cache_bytes == 10ULL * 10000128 * 1024 * 2);
  CHECK_FALSE(r.rows[0].fits);
}

TEST_CASE("a draft model: its own weights, f16 cache at the model's context, and compute beside the model's",
          "[report][draft]") {
  auto r = request("llama-3.3-70b", {"2xrtx3090"}, {"Q4_K_M"}, {8192}, GgmlType::q8_0);
  r.given.type_k = r.given.type_v = true;
  DraftRequest d;
  d.model = "llama-3.1-8b";
  d.quant = "Q8_0";
  r.draft = d;
  const auto with = build_report(test::catalog(), r);
  REQUIRE(with.draft.has_value());
  CHECK(with.draft->model.spec.id == "llama-3.1-8b");
  const auto& row = with.rows.front();
  REQUIRE(row.draft.has_value());
  // 32 layers x 8,192 cells x (8 KV heads x 128) x 2 (K and V) x 2 bytes (f16,
  // not the model's q8_0: llama.cpp's -ctkd/-ctvd default).
  CHECK(row.draft->kv_cache_bytes == Bytes{32} * 8192 * 1024 * 2 * 2);
  CHECK(row.draft->kv_cache_bytes == Bytes{1} << 30);
  // The draft's weights are exactly those of the same file run on its own.
  const auto solo = run("llama-3.1-8b", {"2xrtx3090"}, {"Q8_0"}, {8192});
  CHECK(row.draft->weights_bytes == solo.rows.front().memory.weights_bytes);
  CHECK(row.placement.host.draft.weights_bytes == solo.rows.front().placement.host.weights_bytes);
  // The parts sum to the total, the draft's to its share, every GPU's to the row's.
  CHECK(row.memory.draft_bytes == row.draft->total());
  CHECK(row.memory.draft_bytes ==
        row.draft->weights_bytes + row.draft->kv_cache_bytes + row.draft->compute_buffer.bytes);
  CHECK(row.memory.total_bytes() == row.memory.weights_bytes + row.memory.kv_cache_bytes +
                                        row.memory.recurrent_state_bytes + row.memory.compute_buffer_bytes +
                                        row.memory.overhead_bytes + row.memory.draft_bytes);
  CHECK(row.memory.total_bytes() == row.placement.gpu_total_bytes());
  // One output per sequence: the draft's logits are one row, not the ubatch's 512.
  CHECK(row.draft->compute_buffer.bytes < solo.rows.front().memory.compute_buffer_bytes);
  // Without the draft: the same model, the draft's bytes less, and room for more context.
  r.draft.reset();
  const auto without = build_report(test::catalog(), r);
  const auto& base = without.rows.front();
  CHECK(base.memory.draft_bytes == 0);
  CHECK(row.memory.total_bytes() == base.memory.total_bytes() + row.memory.draft_bytes);
  REQUIRE(row.max_context_tokens.has_value());
  CHECK(*row.max_context_tokens < *base.max_context_tokens);
  // The command line loads it.
  const auto args = with.arguments(row, row.placement);
  CHECK(std::find(args.begin(), args.end(), "-md") != args.end());
}

TEST_CASE("a draft that only the model leaves room for: the ladder says drop it", "[report][draft]") {
  auto r = request("qwen3-8b", {"rtx3060-12gb"}, {"Q8_0"}, {16384});
  DraftRequest d;
  d.model = "qwen3-8b";  // the same vocabulary; a large draft, so that the pair does not fit
  d.quant = "Q4_K_M";
  r.draft = d;
  const auto report = build_report(test::catalog(), r);
  const auto& row = report.rows.front();
  REQUIRE_FALSE(row.fits);
  const auto drop =
      std::find_if(row.what_if.begin(), row.what_if.end(), [](const WhatIf& w) { return w.knob == Knob::draft; });
  REQUIRE(drop != row.what_if.end());
  CHECK(drop->fits);
  CHECK(drop->saved_bytes == static_cast<ByteDelta>(row.memory.draft_bytes));
  CHECK(drop->change.find("drop the draft model") != std::string::npos);
}

TEST_CASE("draft models llama.cpp would refuse, and engines without them, are errors", "[report][draft]") {
  auto r = request("qwen3-8b", {"rtx3090"}, {"Q4_K_M"}, {});
  DraftRequest d;
  d.model = "llama-3.1-8b";  // 128,256 tokens against 151,936
  r.draft = d;
  CHECK_THROWS_AS(build_report(test::catalog(), r), UsageError);
  d.model = "qwen3-30b-a3b";
  r.draft = d;
  r.engine = &find_engine("ollama");
  CHECK_THROWS_WITH(build_report(test::catalog(), r), Catch::Matchers::Contains("Ollama runs no draft models"));
}

TEST_CASE("a vision projector: its weights and compute on the first GPU, or in RAM with --no-mmproj-offload",
          "[report][projector]") {
  auto r = request("qwen3-8b", {"2xrtx3090"}, {"Q4_K_M"}, {16384});
  ProjectorRequest p;
  p.file = "mmproj-F16.gguf";
  p.weights_bytes = 911054272;
  r.projector = p;
  const auto on_gpu = build_report(test::catalog(), r);
  const auto& row = on_gpu.rows.front();
  REQUIRE(row.projector.has_value());
  const auto& first = row.placement.devices.at(0);
  const auto& second = row.placement.devices.at(1);
  CHECK(first.projector.weights_bytes == 911054272);
  CHECK(second.projector.total() == 0);
  // mtmd's compute buffers: the logged 248.10 MiB on the GPU, 24.93 MiB on the CPU (estimates).
  CHECK(first.projector.compute_buffer.bytes == Bytes{24810} * k_mib / 100);
  CHECK(row.placement.host.projector.compute_buffer.bytes == Bytes{2493} * k_mib / 100);
  CHECK(first.projector.compute_buffer.low < first.projector.compute_buffer.bytes);
  CHECK(first.projector.compute_buffer.high > first.projector.compute_buffer.bytes);
  CHECK(row.memory.projector_bytes == first.projector.total());
  CHECK(row.memory.total_bytes() == row.placement.gpu_total_bytes());
  r.projector.reset();
  const auto none = build_report(test::catalog(), r);
  CHECK(row.memory.total_bytes() == none.rows.front().memory.total_bytes() + row.memory.projector_bytes);
  CHECK(row.total_high_bytes - none.rows.front().total_high_bytes == first.projector.total(&Estimate::high));
  // --no-mmproj-offload: nothing on the GPUs, the whole projector in RAM.
  p.offload = false;
  r.projector = p;
  const auto on_host = build_report(test::catalog(), r);
  const auto& host_row = on_host.rows.front();
  CHECK(host_row.memory.projector_bytes == 0);
  CHECK(host_row.memory.total_bytes() == none.rows.front().memory.total_bytes());
  CHECK(host_row.placement.host.projector.weights_bytes == 911054272);
  CHECK(host_row.placement.host.total_bytes() ==
        none.rows.front().placement.host.total_bytes() + host_row.placement.host.projector.total());
}

TEST_CASE("warnings of one result: a context past the native one, a verdict inside the range, --ram exceeded",
          "[report][warnings]") {
  const auto r = run("qwen3-8b", {"rtx3090"}, {"Q4_K_M"}, {32768, 65536});
  const auto has = [](const FitRow& row, std::string_view code) {
    return std::any_of(row.warnings.begin(), row.warnings.end(), [&](const Warning& w) { return w.code == code; });
  };
  CHECK_FALSE(has(r.row(0, 0, 0), "context_beyond_native"));  // 32K of a native 40,960
  CHECK(has(r.row(0, 0, 1), "context_beyond_native"));        // 64K
  for (const auto& row : r.rows) {
    CHECK(has(row, "verdict_within_estimate") == row.marginal);
  }
  auto req = request("qwen3-8b", {"rtx3060-12gb"}, {"Q4_K_M"}, {8192});
  req.n_gpu_layers = 20;
  req.host.ram_bytes = Bytes{1} << 30;  // 1 GiB of RAM cannot hold 16 blocks
  const auto small = build_report(test::catalog(), req);
  REQUIRE(small.rows.front().fits);
  CHECK(has(small.rows.front(), "ram_over"));
}

TEST_CASE("MTP: the model's own MTP layer as the draft, as a real llama-server log of it shows",
          "[report][draft][mtp]") {
  // c09: Qwen3.6-27B with its MTP layer on an RTX 5090, 131,072 tokens, 4
  // sequences unified, q8_0 cache, flash attention: the main context's KV
  // 4352.00 MiB and compute 495.00 MiB, and the MTP context's KV 272.00 MiB (1
  // layer) and compute 495.00 MiB again.
  auto r = request("qwen3.6-27b", {"rtx5090"}, {"Q4_K_M"}, {131072}, GgmlType::q8_0);
  r.given.type_k = r.given.type_v = true;
  r.settings.n_seq = 4;
  r.settings.kv_unified = true;
  r.settings.flash_attn = true;
  r.given.n_seq = r.given.kv_unified = r.given.flash_attn = true;
  r.mtp = true;
  const auto with = build_report(test::catalog(), r);
  REQUIRE(with.draft.has_value());
  CHECK(with.draft->mtp_layers == 1);
  CHECK(with.model.spec.n_layer_nextn == 1);
  CHECK(with.model.files.empty());  // the published files carry no MTP layer
  const auto& row = with.rows.front();
  REQUIRE(row.draft.has_value());
  CHECK(row.memory.kv_cache_bytes == 4352ULL << 20);
  CHECK(row.draft->kv_cache_bytes == 272ULL << 20);
  CHECK(row.draft->compute_buffer.bytes == row.memory.compute_buffer_bytes);
  CHECK(row.draft->compute_buffer.bytes == 495ULL << 20);
  // Its weights are the MTP block's tensors at the quant, beside the main ones.
  const auto& q = with.quants.front();
  CHECK(q.predicted.mtp_bytes > 0);
  CHECK(row.draft->weights_bytes == q.predicted.mtp_bytes);
  CHECK(row.memory.draft_bytes == row.draft->total());
  CHECK(row.memory.total_bytes() == row.placement.gpu_total_bytes());
  // Without --mtp: the same main weights as predicted and the same cache, nothing
  // beside them (the row itself takes the published file's size).
  r.mtp = false;
  const auto without = build_report(test::catalog(), r);
  const auto& base = without.rows.front();
  CHECK(without.quants.front().predicted.device_bytes() == q.predicted.device_bytes());
  CHECK(without.quants.front().predicted.mtp_bytes == 0);
  CHECK(base.memory.kv_cache_bytes == row.memory.kv_cache_bytes);
  CHECK(base.memory.draft_bytes == 0);
  CHECK_FALSE(base.draft.has_value());
  // llama-server's flag loads it.
  const auto args = with.arguments(row, row.placement);
  const auto spec_type = std::find(args.begin(), args.end(), "--spec-type");
  REQUIRE(spec_type != args.end());
  CHECK(*std::next(spec_type) == "draft-mtp");
  CHECK(std::find(args.begin(), args.end(), "-md") == args.end());
}

TEST_CASE("MTP needs MTP layers, llama.cpp's engines, and no draft model beside", "[report][draft][mtp]") {
  auto r = request("qwen3-8b", {"rtx3090"}, {"Q4_K_M"}, {8192});
  r.mtp = true;
  CHECK_THROWS_WITH(build_report(test::catalog(), r), Catch::Matchers::Contains("has no MTP"));
  r.model = "qwen3.6-35b-a3b";
  r.engine = &find_engine("ollama");
  CHECK_THROWS_WITH(build_report(test::catalog(), r), Catch::Matchers::Contains("--mtp: Ollama runs no draft"));
  r.engine = nullptr;
  DraftRequest d;
  d.model = "qwen3.6-27b";
  r.draft = d;
  CHECK_THROWS_WITH(build_report(test::catalog(), r), Catch::Matchers::Contains("not both"));
}

TEST_CASE("a file's MTP layers count in llama.cpp's -ngl whether loaded or not", "[report][mtp]") {
  // GLM-4.5-Air's files carry layer 46 (nextn); llama.cpp's layer count is 47,
  // so the last N main blocks on the GPU take -ngl N + 1.
  const auto& spec = test::catalog().find_model("glm-4.5-air").spec;
  REQUIRE(spec.n_layer_nextn == 1);
  CHECK(llama_gpu_layers(spec, 30) == 31);
  CHECK(llama_gpu_layers(spec, 0) == 0);
  CHECK(gpu_blocks_of(spec, 31) == 30);
  CHECK(gpu_blocks_of(spec, 1) == 0);
  auto r = request("glm-4.5-air", {"rtx3090"}, {"Q4_K_M"}, {8192});
  r.n_gpu_layers = 21;  // as llama.cpp's -ngl
  const auto report = build_report(test::catalog(), r);
  const auto& row = report.rows.front();
  CHECK(row.placement.offload.n_gpu_layers == 20);
  const auto args = report.arguments(row, row.placement);
  const auto ngl = std::find(args.begin(), args.end(), "-ngl");
  REQUIRE(ngl != args.end());
  CHECK(*std::next(ngl) == "21");
}
