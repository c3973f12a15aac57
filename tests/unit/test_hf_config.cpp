#include "catch.hpp"
#include "test_support.hpp"

#include "vramfit/input/hf_config.hpp"
#include "vramfit/memory/kv_cache.hpp"
#include "vramfit/model/quantize.hpp"
#include "vramfit/support/error.hpp"

#include <algorithm>

using namespace vramfit;

namespace {

CatalogModel from_file(const std::string& name, std::vector<std::string>* notes_out = nullptr) {
  std::vector<std::string> notes;
  auto m = model_from_hf_config(test::read_text("hf/" + name), name, notes);
  if (notes_out != nullptr) {
    *notes_out = notes;
  }
  return m;
}

std::vector<std::string> shapes(const ModelSpec& spec) {
  std::vector<std::string> out;
  for (const auto& t : build_inventory(spec)) {
    out.push_back(t.name + ":" + std::to_string(t.ne[0]) + "x" + std::to_string(t.ne[1]) + "x" +
                  std::to_string(t.ne[2]));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string error_of(std::string_view text) {
  std::vector<std::string> notes;
  try {
    model_from_hf_config(text, "config.json", notes);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("configs of catalog models give the catalog's architecture exactly", "[hf_config]") {
  const std::pair<const char*, const char*> cases[] = {
      {"qwen3.6-35b-a3b.json", "qwen3.6-35b-a3b"},
      {"llama-3.1-8b.json", "llama-3.1-8b"},
      {"deepseek-r1.json", "deepseek-v3"},
      {"gpt-oss-120b.json", "gpt-oss-120b"},
      {"gemma-3-27b.json", "gemma-3-27b"},
      {"glm-4.5-air.json", "glm-4.5-air"},
      {"qwen3-next-80b-a3b.json", "qwen3-next-80b-a3b"},
      {"phi-4.json", "phi-4"},
  };
  for (const auto& [file, id] : cases) {
    CAPTURE(file);
    const auto imported = from_file(file).spec;
    const auto& catalog = test::catalog().find_model(id).spec;
    CHECK(imported.arch == catalog.arch);
    CHECK(imported.n_layer == catalog.n_layer);
    CHECK(imported.n_layer_nextn == catalog.n_layer_nextn);
    CHECK(imported.layers == catalog.layers);
    CHECK(imported.tied_embeddings == catalog.tied_embeddings);
    CHECK(imported.n_vocab == catalog.n_vocab);
    CHECK(imported.n_ctx_train == catalog.n_ctx_train);
    CHECK(shapes(imported) == shapes(catalog));
    for (const std::uint64_t ctx : {8192ULL, 32768ULL}) {
      RunSettings s;
      s.context_tokens = ctx;
      CHECK(kv_cache_size(imported, s).total_bytes() == kv_cache_size(catalog, s).total_bytes());
      CHECK(recurrent_state_size(imported, s).total_bytes() == recurrent_state_size(catalog, s).total_bytes());
    }
  }
}

TEST_CASE("Gemma 3's padded vocabulary is trimmed as llama.cpp's converter does", "[hf_config]") {
  std::vector<std::string> notes;
  const auto m = from_file("gemma-3-27b.json", &notes);
  CHECK(m.spec.n_vocab == 262144);
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].find("262,144") != std::string::npos);
}

TEST_CASE("a pure SSM and an SSM hybrid map to llama.cpp's recurrent state", "[hf_config]") {
  const auto mamba = from_file("mamba2.json").spec;
  CHECK(mamba.arch == "mamba2");
  CHECK(mamba.count(LayerKind::recurrent) == 64);
  RunSettings s;
  // conv: (4 - 1) x (8192 + 2 x 8 x 128) floats; ssm: 128 x 8192 floats; 64 layers
  CHECK(recurrent_state_size(mamba, s).total_bytes() == 64ULL * (3 * (8192 + 2048) + 128 * 8192) * 4);
  CHECK(kv_cache_size(mamba, s).total_bytes() == 0);
  CHECK(build_inventory(mamba).size() == 3 + 64 * 9);

  const auto granite = from_file("granite-hybrid.json").spec;
  CHECK(granite.arch == "granitehybrid");
  CHECK(granite.count(LayerKind::attention) == 4);
  CHECK(granite.count(LayerKind::recurrent) == 36);
  CHECK(granite.head_count_kv(5) == 4);
  CHECK(granite.head_count_kv(0) == 0);
  s.context_tokens = 8192;
  CHECK(kv_cache_size(granite, s).total_bytes() == 4ULL * 8192 * 4 * 128 * 2 * 2);
  CHECK(recurrent_state_size(granite, s).total_bytes() == 36ULL * (3 * (3072 + 256) + 128 * 3072) * 4);
}

TEST_CASE("bad configs are rejected with the file and the field", "[hf_config]") {
  CHECK(error_of(test::read_text("hf/unknown-type.json"))
            .find("config.json: model_type 'qwen4_moe' is not supported (did you mean 'qwen2_moe'?)") == 0);
  CHECK(error_of(R"({"model_type": "llama", "hidden_size": 64})") == "config.json: /num_hidden_layers: missing");
  CHECK(error_of(R"({"model_type": "qwen3", "num_hidden_layers": -1})") ==
        "config.json: /num_hidden_layers: must be a non-negative integer");
  CHECK(error_of(R"({"model_type": "qwen3", "num_hidden_layers": 100000})").find("is larger than 4096") !=
        std::string::npos);
  CHECK(error_of("{\"model_type\": ").find("config.json: byte") == 0);
  CHECK(error_of(std::string(1000, '[')).find("nesting deeper") != std::string::npos);
  CHECK(error_of("[]") == "config.json: a config.json must be a JSON object");
}

TEST_CASE("a catalog entry printed for an import merges back to the same model", "[hf_config]") {
  for (const char* file : {"qwen3.6-35b-a3b.json", "deepseek-r1.json", "granite-hybrid.json", "gemma-3-27b.json"}) {
    CAPTURE(file);
    const auto m = from_file(file);
    const auto entry = catalog_entry_json(m);
    auto texts = std::vector<CatalogText>(embedded_catalog_texts().begin(), embedded_catalog_texts().end());
    texts.push_back({"entry.json", entry});
    const auto merged = load_catalog(texts);
    const auto& back = merged.find_model(m.spec.id).spec;
    CHECK(shapes(back) == shapes(m.spec));
    CHECK(back.layers == m.spec.layers);
    CHECK(back.n_head_kv == m.spec.n_head_kv);
  }
}
