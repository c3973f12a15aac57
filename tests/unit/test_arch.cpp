#include "catch.hpp"
#include "gguf_writer.hpp"
#include "test_support.hpp"

#include "vramfit/input/catalog.hpp"
#include "vramfit/input/gguf_model.hpp"
#include "vramfit/input/hf_config.hpp"
#include "vramfit/model/arch.hpp"
#include "vramfit/model/quantize.hpp"
#include "vramfit/support/error.hpp"

#include <set>

using namespace vramfit;

namespace {

struct Shape {
  std::string name;
  std::array<std::uint64_t, 4> ne;
  bool operator==(const Shape&) const = default;
};

std::vector<Shape> shapes(const ModelSpec& spec) {
  std::vector<Shape> out;
  for (const auto& t : build_inventory(spec)) {
    out.push_back({t.name, t.ne});
  }
  return out;
}

ModelSpec from_catalog(const std::string& arch) {
  const std::string text = test::read_text("arch/" + arch + ".catalog.json");
  const CatalogText doc{"arch/" + arch + ".catalog.json", text};
  return load_catalog(std::span<const CatalogText>(&doc, 1)).models.at(0).spec;
}

ModelSpec from_hf(const std::string& arch) {
  std::vector<std::string> notes;
  return model_from_hf_config(test::read_text("arch/" + arch + ".config.json"), arch + ".config.json", notes).spec;
}

ModelSpec from_gguf(const ModelSpec& spec) {
  const auto inventory = build_inventory(spec);
  std::vector<GgmlType> types;
  for (const auto& t : inventory) {
    types.push_back(t.type);
  }
  const auto writer = test::model_writer(spec, inventory, types, 1);
  test::SparseSource source(writer.header(), writer.total_bytes());
  std::vector<GgufFile> parts;
  parts.push_back(read_gguf(source, "tiny.gguf"));
  return gguf_model(std::move(parts)).model.spec;
}

}  // namespace

TEST_CASE("every buildable architecture is reached from a catalog entry, an HF config and a GGUF header alike",
          "[arch]") {
  std::size_t checked = 0;
  for (const auto& arch : architectures()) {
    if (arch.inventory == nullptr) {
      continue;
    }
    const std::string name(arch.name);
    CAPTURE(name);
    // The catalog entry states no layer types: the architecture's rules fill them.
    const auto catalog = from_catalog(name);
    const auto hf = from_hf(name);
    const auto gguf = from_gguf(catalog);
    for (const auto* other : {&hf, &gguf}) {
      CHECK(other->arch == catalog.arch);
      CHECK(other->layers == catalog.layers);
      CHECK(other->n_swa == catalog.n_swa);
      CHECK(other->n_head_kv == catalog.n_head_kv);
      CHECK(shapes(*other) == shapes(catalog));
    }
    ++checked;
  }
  CHECK(checked == supported_architectures().size());
}

TEST_CASE("an architecture's rules fill the layout a catalog entry leaves out", "[arch]") {
  // Gemma 3 slides 5 of every 6 layers, Gemma 2 every other one; the hybrids
  // attend on every 4th block.
  const auto gemma3 = from_catalog("gemma3");
  CHECK(gemma3.count(LayerKind::sliding_attention) == 7);  // 8 blocks: 0-4 and 6 slide, 5 and 7 attend
  CHECK(gemma3.kind(5) == LayerKind::attention);
  const auto gemma2 = from_catalog("gemma2");
  CHECK(gemma2.count(LayerKind::sliding_attention) == 4);
  const auto qwen35moe = from_catalog("qwen35moe");
  CHECK(qwen35moe.count(LayerKind::attention) == 2);
  CHECK(qwen35moe.kind(3) == LayerKind::attention);
  CHECK(qwen35moe.count(LayerKind::recurrent) == 6);
  const auto granite = from_catalog("granitehybrid");
  CHECK(granite.count(LayerKind::recurrent) == 6);
  CHECK(from_catalog("mamba2").count(LayerKind::recurrent) == 8);
}

TEST_CASE("the layout resolver", "[arch]") {
  std::vector<std::string> notes;
  ModelSpec s;
  s.arch = "phi3";
  s.n_layer = 4;
  s.n_head = 4;
  s.n_head_kv = {4};
  s.n_swa = 2047;
  resolve_layers(s, {}, "test", notes);
  CHECK(s.count(LayerKind::attention) == 4);  // llama.cpp reads Phi-3's window but slides no layer
  CHECK(s.n_swa == 0);

  s.arch = "some-new-arch";
  s.n_swa = 0;
  resolve_layers(s, {}, "test", notes);
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].find("not one vramfit knows") != std::string::npos);

  s.arch = "llama";
  LayoutHints hints;
  hints.types = {LayerKind::attention};
  CHECK_THROWS_AS(resolve_layers(s, hints, "test", notes), InputError);
  CHECK(layer_kind_from_name("linear_attention") == LayerKind::recurrent);
  CHECK(layer_kind_from_name("sliding") == LayerKind::sliding_attention);
  CHECK_FALSE(layer_kind_from_name("conv").has_value());
}

TEST_CASE("every HF model_type maps to an architecture in the table", "[arch]") {
  std::set<std::string_view> names;
  for (const auto& arch : architectures()) {
    CHECK(names.insert(arch.name).second);  // no architecture twice
  }
  const auto types = supported_hf_model_types();
  CHECK(std::find(types.begin(), types.end(), "mistral3") != types.end());
}
