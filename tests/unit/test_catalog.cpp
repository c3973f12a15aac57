#include "catch.hpp"
#include "test_support.hpp"

#include "vramfit/input/catalog.hpp"
#include "vramfit/plan/report.hpp"
#include "vramfit/support/error.hpp"

#include <string>

using namespace vramfit;

namespace {

Catalog load_one(const std::string& text) {
  const std::vector<CatalogText> texts{{"user.json", text}};
  return load_catalog(texts);
}

std::vector<std::string> problems_of(const std::string& text) {
  try {
    load_one(text);
  } catch (const InputErrors& e) {
    return e.problems();
  }
  return {};
}

}  // namespace

TEST_CASE("the embedded catalog loads and every entry names its source", "[catalog]") {
  const auto& c = test::catalog();
  CHECK(c.models.size() >= 7);
  CHECK(c.gpus.size() >= 45);
  for (const auto& m : c.models) {
    CAPTURE(m.spec.id);
    CHECK_FALSE(m.source.empty());
    for (const auto& f : m.files) {
      CHECK_FALSE(f.source.empty());
    }
  }
  for (const auto& g : c.gpus) {
    CAPTURE(g.id);
    CHECK_FALSE(g.source.empty());
    CHECK(g.memory_bytes > 0);
    CHECK(g.bandwidth_gbps > 0);
  }
  for (const auto& q : c.quants) {
    CHECK_FALSE(q.source.empty());
  }
  for (const char* id :
       {"qwen3.6-35b-a3b", "qwen3.6-27b", "qwen3-8b", "qwen3-30b-a3b", "llama-3.1-8b", "gpt-oss-20b", "gemma-3-27b"}) {
    CHECK(c.find_model(id).spec.id == id);
  }
  for (const char* id : {"F16", "BF16", "Q8_0", "Q6_K", "Q5_K_M", "Q5_K_S", "Q4_K_M", "Q4_K_S", "Q4_0", "Q3_K_L",
                         "Q3_K_M", "Q3_K_S", "Q2_K", "IQ4_XS", "MXFP4_MOE", "UD-Q4_K_XL"}) {
    CHECK(c.find_quant(id).id == id);
  }
}

TEST_CASE("the RTX 5070 has 12 GB", "[catalog]") {
  CHECK(test::catalog().find_gpu("rtx5070").memory_bytes == 12ULL << 30);
}

TEST_CASE("lookups accept case, punctuation and aliases", "[catalog]") {
  const auto& c = test::catalog();
  CHECK(c.find_gpu("RTX 3090").id == "rtx3090");
  CHECK(c.find_gpu("rtx-3090").id == "rtx3090");
  CHECK(c.find_gpu("3090").id == "rtx3090");
  CHECK(c.find_gpu("Mac mini M4 Pro 24GB").id == "m4-pro-24gb");
  CHECK(c.find_model("Qwen/Qwen3.6-35B-A3B").spec.id == "qwen3.6-35b-a3b");
  CHECK(c.find_quant("q4_k_m").id == "Q4_K_M");
}

TEST_CASE("unknown ids get a did-you-mean", "[catalog]") {
  const auto& c = test::catalog();
  CHECK_THROWS_WITH(c.find_gpu("rtx3900"), Catch::Matchers::Contains("did you mean 'rtx3090'?"));
  CHECK_THROWS_WITH(c.find_model("qwen3.6-35"), Catch::Matchers::Contains("did you mean 'qwen3.6-35b-a3b'?"));
  CHECK_THROWS_WITH(c.find_quant("Q4_K_XM"), Catch::Matchers::Contains("did you mean 'Q4_K_M'?"));
  CHECK_THROWS_AS(c.find_gpu("nonexistent-accelerator"), UsageError);
}

TEST_CASE("malformed catalogs name the file and the JSON pointer", "[catalog]") {
  const auto p = problems_of(R"({"gpus": [{"id": "x", "name": "X", "vendor": "NVIDIA", "backend": "cuda",
                                            "memory_bytes": -5, "bandwidth_gbps": 100, "source": "s"}]})");
  REQUIRE(p.size() == 1);
  CHECK(p[0] == "user.json: /gpus/0/memory_bytes: must be a non-negative integer");
}

TEST_CASE("every problem of a catalog is reported at once", "[catalog]") {
  const auto p = problems_of(R"({"gpus": [
      {"id": "Bad Id", "name": "X", "vendor": "NVIDIA", "backend": "cuda", "memory_bytes": 1, "bandwidth_gbps": 1, "source": "s"},
      {"id": "y", "name": "Y", "vendor": "NVIDIA", "backend": "warp", "memory_bytes": 1, "bandwidth_gbps": 1},
      {"id": "z", "name": "Z", "vendor": "NVIDIA", "backend": "cuda", "memroy_bytes": 1, "memory_bytes": 2, "bandwidth_gbps": 1, "source": "s"}
    ]})");
  REQUIRE(p.size() == 4);
  CHECK(p[0].find("/gpus/0/id") != std::string::npos);
  CHECK(p[1].find("/gpus/1/source: missing required field") != std::string::npos);
  CHECK(p[2].find("/gpus/1/backend") != std::string::npos);
  CHECK(p[3] == "user.json: /gpus/2/memroy_bytes: unknown field (did you mean 'memory_bytes'?)");
}

TEST_CASE("invalid JSON reports line and column", "[catalog]") {
  const auto p = problems_of("{\n  \"gpus\": [,]\n}");
  REQUIRE(p.size() == 1);
  CHECK(p[0].rfind("user.json: line 2, column 12: invalid JSON", 0) == 0);
}

TEST_CASE("deep nesting is rejected without recursion", "[catalog]") {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const auto p = problems_of(deep);
  REQUIRE(p.size() == 1);
  CHECK(p[0].find("nesting deeper than 32 levels") != std::string::npos);
}

TEST_CASE("model hyper-parameters are validated with the field's pointer", "[catalog]") {
  const auto p = problems_of(R"({"models": [{"id": "m", "source": "s", "arch": "llama", "context_length": 4096,
      "embedding_length": 64, "block_count": 2, "vocab_size": 100, "feed_forward_length": 128,
      "attention": {"head_count": 8, "head_count_kv": 3, "key_length": 8}}]})");
  REQUIRE(p.size() == 1);
  CHECK(p[0].rfind("user.json: /models/0/attention/head_count_kv: layer 0: 3 KV heads do not divide 8 heads", 0) == 0);
}

TEST_CASE("user catalogs add and override entries by id", "[catalog]") {
  const std::string user = R"({"gpus": [
      {"id": "rtx3090", "name": "My 3090", "vendor": "NVIDIA", "backend": "cuda", "memory_bytes": 1000, "bandwidth_gbps": 1, "source": "me"},
      {"id": "my-card", "name": "Mine", "vendor": "AMD", "backend": "rocm", "memory_bytes": 2000, "bandwidth_gbps": 1, "source": "me"}]})";
  auto texts = std::vector<CatalogText>(embedded_catalog_texts().begin(), embedded_catalog_texts().end());
  texts.push_back({"user.json", user});
  const auto c = load_catalog(texts);
  CHECK(c.find_gpu("rtx3090").name == "My 3090");
  CHECK(c.find_gpu("my-card").memory_bytes == 2000);
  CHECK(c.gpus.size() == load_catalog(embedded_catalog_texts()).gpus.size() + 1);
}

TEST_CASE("published files must name a known quant", "[catalog]") {
  auto texts = std::vector<CatalogText>(embedded_catalog_texts().begin(), embedded_catalog_texts().end());
  const std::string user = R"({"models": [{"id": "m", "source": "s", "arch": "llama", "context_length": 4096,
      "embedding_length": 64, "block_count": 2, "vocab_size": 100, "feed_forward_length": 128,
      "attention": {"head_count": 8, "head_count_kv": 8, "key_length": 8},
      "files": [{"quant": "Q4_K_XM", "bytes": 100, "source": "s"}]}]})";
  texts.push_back({"user.json", user});
  CHECK_THROWS_WITH(load_catalog(texts), Catch::Matchers::Contains("did you mean 'Q4_K_M'?"));
}

TEST_CASE("the embedded catalog: usable memory never above capacity, for every GPU and group", "[catalog]") {
  const auto catalog = load_catalog(embedded_catalog_texts());
  REQUIRE(catalog.gpus.size() >= 110);
  for (const auto& gpu : catalog.gpus) {
    INFO(gpu.id);
    CHECK(!gpu.source.empty());
    for (const std::uint32_t n : {1U, 2U, 4U, 8U}) {
      if (n > 1 && gpu.memory == MemoryKind::unified) {
        break;  // a unified-memory GPU is the whole machine
      }
      const auto group = resolve_gpu_group(catalog, std::to_string(n) + "x" + gpu.id);
      const auto b = group.combined_budget();
      CHECK(b.usable_bytes <= b.total_bytes);
      CHECK(b.total_bytes <= b.capacity_bytes);
      CHECK(b.capacity_bytes >= n * gpu.memory_bytes);
    }
  }
}

TEST_CASE("the embedded catalog: every tensor rate names its source, and FP16 accumulate is never the slower",
          "[catalog]") {
  const auto catalog = load_catalog(embedded_catalog_texts());
  const auto has_source = [](const GpuSpec& g, const std::string& field) {
    return std::any_of(g.sources.begin(), g.sources.end(), [&](const auto& s) { return s.first == field; });
  };
  std::size_t accumulate = 0;
  for (const auto& g : catalog.gpus) {
    CAPTURE(g.id);
    if (g.fp16_tflops) {
      CHECK(has_source(g, "fp16_tflops"));
    }
    if (g.fp16_accumulate_tflops) {
      ++accumulate;
      CHECK(has_source(g, "fp16_accumulate_tflops"));
      REQUIRE(g.fp16_tflops);
      CHECK(*g.fp16_accumulate_tflops >= *g.fp16_tflops);
    }
  }
  CHECK(accumulate >= 36);  // the GeForce cards
}

TEST_CASE("the embedded catalog resolves the devices published llama-bench tables print", "[catalog]") {
  const auto catalog = load_catalog(embedded_catalog_texts());
  for (const auto& [printed, id] :
       std::vector<std::pair<std::string, std::string>>{{"AMD Radeon RX 5700 XT (RADV NAVI10) (radv)", "rx5700xt"},
                                                        {"Intel(R) Arc(tm) A310 Graphics (DG2)", "arc-a310"},
                                                        {"AMD Radeon Pro W7800", "radeon-pro-w7800"},
                                                        {"Arc B70", "arc-pro-b70"},
                                                        {"NVIDIA GeForce RTX 3090", "rtx3090"},
                                                        {"NVIDIA RTX 6000 Ada Generation", "rtx6000-ada"}}) {
    CAPTURE(printed);
    CHECK(catalog.find_gpu(printed).id == id);
  }
}

TEST_CASE("the embedded catalog: published vision projectors, each with its source", "[catalog]") {
  const auto catalog = load_catalog(embedded_catalog_texts());
  const auto& m = catalog.find_model("qwen3.6-35b-a3b");
  REQUIRE_FALSE(m.projectors.empty());
  CHECK(m.projectors.front().file == "mmproj-F16.gguf");
  CHECK(m.projectors.front().bytes == 899'283'680);
  std::size_t with_projector = 0;
  for (const auto& model : catalog.models) {
    for (const auto& p : model.projectors) {
      CAPTURE(model.spec.id);
      CHECK_FALSE(p.source.empty());
      CHECK_FALSE(p.repo.empty());
      CHECK(p.bytes > 100'000'000);
    }
    with_projector += model.projectors.empty() ? 0U : 1U;
  }
  CHECK(with_projector >= 9);
}

TEST_CASE("the embedded catalog: MTP layers a model's files leave out name their source", "[catalog][mtp]") {
  const auto catalog = load_catalog(embedded_catalog_texts());
  std::size_t with_mtp = 0;
  for (const auto& m : catalog.models) {
    CAPTURE(m.spec.id);
    if (m.mtp_layers > 0) {
      ++with_mtp;
      CHECK(std::any_of(m.sources.begin(), m.sources.end(), [](const auto& s) { return s.first == "mtp"; }));
      // Either the files carry the layers or the catalog adds them, not both.
      CHECK(m.spec.n_layer_nextn == 0);
    }
  }
  CHECK(with_mtp >= 2);  // Qwen3.6-27B and Qwen3.6-35B-A3B
}
