#include "catch.hpp"
#include "test_support.hpp"

#include "vramfit/model/model.hpp"
#include "vramfit/support/error.hpp"

using namespace vramfit;

TEST_CASE("hybrid layouts put full attention on every 4th layer", "[model]") {
  const auto layers = hybrid_layers(40, 4);
  std::vector<std::uint32_t> full;
  for (std::uint32_t il = 0; il < layers.size(); ++il) {
    if (layers[il] == LayerKind::attention) {
      full.push_back(il);
    }
  }
  CHECK(full == std::vector<std::uint32_t>{3, 7, 11, 15, 19, 23, 27, 31, 35, 39});
}

TEST_CASE("sliding-window patterns follow llama.cpp's set_swa_pattern", "[model]") {
  const auto gemma = sliding_layers(62, 6);
  CHECK(gemma[0] == LayerKind::sliding_attention);
  CHECK(gemma[5] == LayerKind::attention);
  CHECK(gemma[59] == LayerKind::attention);
  CHECK(gemma[61] == LayerKind::sliding_attention);
  CHECK(std::count(gemma.begin(), gemma.end(), LayerKind::attention) == 10);
  const auto oss = sliding_layers(24, 2);
  CHECK(oss[0] == LayerKind::sliding_attention);
  CHECK(oss[1] == LayerKind::attention);
}

TEST_CASE("Gated DeltaNet state widths match llama.cpp's n_embd_r and n_embd_s", "[model]") {
  const auto& m = test::catalog().find_model("qwen3.6-35b-a3b").spec;
  // (4 - 1) x (4096 + 2 x 16 x 128) and 128 x 4096 (reference README 1.1).
  CHECK(m.n_embd_r() == 24576);
  CHECK(m.n_embd_s() == 524288);
  CHECK(m.n_embd_k_gqa(3) == 512);
  CHECK(m.count(LayerKind::recurrent) == 30);
  CHECK(describe_layers(m) == "40 layers: 10 full attention + 30 linear (Gated DeltaNet)");
  const auto& d = test::catalog().find_model("qwen3.6-27b").spec;
  CHECK(d.n_embd_r() == 30720);
  CHECK(d.n_embd_s() == 786432);
}

TEST_CASE("inconsistent hyper-parameters are rejected with the field named", "[model]") {
  ModelSpec s = test::catalog().find_model("qwen3-8b").spec;
  s.n_head_kv.assign(s.n_layer_all(), 7);
  CHECK_THROWS_WITH(validate(s, "m"), Catch::Matchers::Contains("attention.head_count_kv"));
  s = test::catalog().find_model("qwen3-8b").spec;
  s.layers.pop_back();
  CHECK_THROWS_AS(validate(s, "m"), InputError);
  s = test::catalog().find_model("gemma-3-27b").spec;
  s.n_swa = 0;
  CHECK_THROWS_WITH(validate(s, "m"), Catch::Matchers::Contains("sliding_window"));
}
