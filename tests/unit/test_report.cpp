#include "catch.hpp"
#include "test_support.hpp"

#include "vramfit/plan/report.hpp"
#include "vramfit/support/error.hpp"

#include <cmath>

using namespace vramfit;

namespace {

Report run(const char* model, std::vector<std::string> gpus, std::vector<std::string> quants,
           std::vector<std::uint64_t> contexts, GgmlType cache = GgmlType::f16) {
  Request r;
  r.model = model;
  r.gpus = std::move(gpus);
  r.quants = std::move(quants);
  r.contexts = std::move(contexts);
  r.settings.type_k = r.settings.type_v = cache;
  return build_report(test::catalog(), r);
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
