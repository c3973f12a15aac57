#include "catch.hpp"
#include "test_support.hpp"

#include "vramfit/model/inventory.hpp"
#include "vramfit/support/error.hpp"

#include <algorithm>

using namespace vramfit;

namespace {

// Name, shape and type of each tensor, sorted by name, for set comparison.
std::vector<std::string> describe(std::vector<TensorSpec> tensors) {
  std::vector<std::string> out;
  for (const auto& t : tensors) {
    std::string s = t.name + " " + std::string(name(t.type));
    for (std::uint32_t d = 0; d < t.n_dims; ++d) {
      s += " " + std::to_string(t.ne[d]);
    }
    out.push_back(s);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("inventories built from hyper-parameters match what llama.cpp loads", "[inventory]") {
  const std::pair<const char*, const char*> cases[] = {
      {"qwen3-8b", "qwen3-8b"},       {"qwen3-30b-a3b", "qwen3-30b-a3b"}, {"llama-3.1-8b", "llama-3.1-8b"},
      {"gpt-oss-20b", "gpt-oss-20b"}, {"gemma-3-27b", "gemma-3-27b"},     {"qwen3.6-35b-a3b", "qwen3.6-35b-a3b"},
  };
  for (const auto& [model, reference] : cases) {
    CAPTURE(model);
    const auto built = build_inventory(test::catalog().find_model(model).spec);
    CHECK(describe(built) == describe(test::reference_inventory(reference)));
  }
}

TEST_CASE("the MTP block of Qwen3.6 adds a full-attention MoE layer with nextn tensors", "[inventory]") {
  ModelSpec spec = test::catalog().find_model("qwen3.6-35b-a3b").spec;
  spec.n_layer_nextn = 1;
  spec.n_head_kv.assign(spec.n_layer_all(), 2);
  CHECK(describe(build_inventory(spec)) == describe(test::reference_inventory("qwen3.6-35b-a3b-with-mtp")));
}

TEST_CASE("layer indices are parsed from tensor names", "[inventory]") {
  CHECK(layer_of("blk.12.ffn_down.weight") == 12);
  CHECK(layer_of("token_embd.weight") == -1);
  CHECK(layer_of("blk.x.attn") == -1);
  CHECK(layer_of("blk.7") == -1);
}

TEST_CASE("an architecture without a builder is a clear error", "[inventory]") {
  ModelSpec spec = test::catalog().find_model("qwen3-8b").spec;
  spec.arch = "rwkv7";
  CHECK_THROWS_WITH(build_inventory(spec), Catch::Matchers::Contains("architecture 'rwkv7'"));
}
