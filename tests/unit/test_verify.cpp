#include "catch.hpp"
#include "test_support.hpp"

#include "vramfit/plan/verify.hpp"
#include "vramfit/support/error.hpp"

#include <algorithm>

using namespace vramfit;

namespace {

const VerifyTerm& term(const VerifyResult& r, const std::string& device, const std::string& term_name) {
  const auto it = std::find_if(r.terms.begin(), r.terms.end(),
                               [&](const VerifyTerm& t) { return t.device == device && name(t.term) == term_name; });
  if (it == r.terms.end()) {
    throw std::runtime_error("no term " + device + " " + term_name);
  }
  return *it;
}

VerifyResult verify_file(const std::string& name, const VerifyOptions& options = {}) {
  return verify_log(parse_llama_log(test::read_text("logs/" + name)), options);
}

}  // namespace

TEST_CASE("every provided log with its hyper-parameters verifies", "[verify]") {
  struct Case {
    const char* file;
    std::size_t terms;
  };
  const Case cases[] = {
      {"c01_phi3_rtx3070.log", 3},
      {"c09_qwen36_27b_mtp_rtx5090.log", 4},
      {"c11_qwen3coder30b_q8_a100.log", 3},
      {"c14_llama31_8b_q40_cpu_repack_macvulkan.log", 2},
      {"c15_qwen3_30b_a3b_q4km_2gpu_otexps.log", 5},
      {"c16_gptoss20b_metal_m5_131k.log", 3},
      {"c27_r1_distill_llama8b_q4km_ollama_gtx1080.log", 3},
      {"c28_gemma2_2b_q4km_cpu_server.log", 3},
      {"c33_pythia28b_f16_v100_ggmlci.log", 3},
  };
  for (const auto& c : cases) {
    INFO(c.file);
    const auto r = verify_file(c.file);
    CHECK(r.ok);
    CHECK(r.terms.size() == c.terms);
    for (const auto& t : r.terms) {
      INFO(t.device << " " << name(t.term));
      CHECK(t.within_range);
      if (t.provenance == Provenance::exact) {
        // Exact terms: within the printed precision plus tensor padding.
        const auto diff = t.predicted_bytes > t.logged_bytes ? t.predicted_bytes - t.logged_bytes
                                                             : t.logged_bytes - t.predicted_bytes;
        CHECK(diff <= k_mib);
      }
    }
  }
}

TEST_CASE("hand-checked exact terms", "[verify]") {
  SECTION("qwen3.6-27b with MTP at 131072 cells, q8_0: 16 attention layers, 48 recurrent layers, 4 sequences") {
    const auto r = verify_file("c09_qwen36_27b_mtp_rtx5090.log");
    // 4 KV heads x 256 x 34/32 B (q8_0), K and V: 2176 B per cell and layer; the MTP layer is the draft's.
    CHECK(term(r, "CUDA0", "kv_cache").predicted_bytes == 131072ULL * 16 * 2176);
    CHECK(term(r, "CUDA0", "recurrent_state").predicted_bytes == 627572736);
  }
  SECTION("two GPUs split by free memory: 12 and 36 layers of qwen3-30b-a3b") {
    const auto r = verify_file("c15_qwen3_30b_a3b_q4km_2gpu_otexps.log");
    // 4 KV heads x 128 x 2 B, K and V: 2048 B per cell and layer, 16384 cells.
    CHECK(term(r, "CUDA0", "kv_cache").predicted_bytes == 12ULL * 16384 * 2048);
    CHECK(term(r, "CUDA1", "kv_cache").predicted_bytes == 36ULL * 16384 * 2048);
  }
  SECTION("the output buffer holds one row of F32 logits per sequence") {
    const auto r = verify_file("c28_gemma2_2b_q4km_cpu_server.log");
    CHECK(term(r, "CPU", "output").predicted_bytes == 256000 * 4 * 4);  // n_seq_max 4
  }
}

TEST_CASE("a log without its architecture: the catalog model that matches every printed value", "[verify]") {
  const auto log = parse_llama_log(test::read_text("logs/c05_gptoss20b_vulkan_m2pro_ncmoe.log"));
  const auto matches = models_matching_log(log, test::catalog().models);
  REQUIRE(matches.size() == 1);
  CHECK(matches.front()->spec.id == "gpt-oss-20b");

  VerifyOptions o;
  o.model = std::make_shared<const CatalogModel>(*matches.front());
  const auto r = verify_log(log, o);
  CHECK(r.ok);
  // 12 full layers x 4096 cells + 12 SWA layers x 640 cells (build 6182: no 256 padding), 512 x 2 x 2 B.
  CHECK(term(r, "Vulkan0", "kv_cache").predicted_bytes == (12ULL * 4096 + 12ULL * 640) * 512 * 2 * 2);
  // --n-cpu-moe 14 (from the command line, not the log) is recovered from the GPU buffer.
  CHECK(std::any_of(r.notes.begin(), r.notes.end(),
                    [](const std::string& n) { return n.find("14 inferred") != std::string::npos; }));
  CHECK(term(r, "Vulkan0", "weights").within_range);
  CHECK(term(r, "CPU", "weights").within_range);  // the mapped file span, not the sum of host tensors

  o.n_cpu_moe = 13;  // the wrong value moves one layer's experts and fails
  const auto wrong = verify_log(log, o);
  CHECK_FALSE(wrong.ok);
}

TEST_CASE("too few printed values match nothing", "[verify]") {
  const auto log = parse_llama_log(test::read_text("logs/c18_qwen3_8b_rocm_gfx906_q40kv.log"));
  CHECK(models_matching_log(log, test::catalog().models).empty());
  CHECK_THROWS_AS(verify_log(log, {}), InputError);
}

TEST_CASE("a fragment verifies with the model and settings it omits", "[verify]") {
  const auto log = parse_llama_log(test::read_text("logs/c18_qwen3_8b_rocm_gfx906_q40kv.log"));
  VerifyOptions o;
  o.model = std::make_shared<const CatalogModel>(test::catalog().find_model("qwen3-8b"));
  o.settings.context_tokens = 8192;
  o.settings.type_k = o.settings.type_v = GgmlType::q4_0;
  o.settings.flash_attn = true;
  o.given.context = o.given.type_k = o.given.type_v = o.given.flash_attn = true;
  o.file_type = FileType::q4_k_m;
  const auto r = verify_log(log, o);
  CHECK(r.ok);
  // 36 layers x 8192 cells x 2 x 1024 x 0.5625 B
  CHECK(term(r, "ROCm0", "kv_cache").predicted_bytes == 36ULL * 8192 * 2 * 1024 * 18 / 32);
  CHECK(term(r, "ROCm0", "weights").provenance == Provenance::estimate);

  o.settings.context_tokens = 4096;  // a wrong context fails the exact term
  const auto wrong = verify_log(log, o);
  CHECK_FALSE(wrong.ok);
  CHECK_FALSE(term(wrong, "ROCm0", "kv_cache").within_range);
}

TEST_CASE("a changed byte count fails its term", "[verify]") {
  auto text = test::read_text("logs/c11_qwen3coder30b_q8_a100.log");
  const auto at = text.find("KV buffer size =");
  REQUIRE(at != std::string::npos);
  const auto line_end = text.find('\n', at);
  text.replace(at, line_end - at, "KV buffer size =  6146.00 MiB");  // logged 6144 MiB
  const auto r = verify_log(parse_llama_log(text), {});
  CHECK_FALSE(r.ok);
  CHECK_FALSE(term(r, "CUDA0", "kv_cache").within_range);
}

TEST_CASE("unreadable logs say what is missing", "[verify]") {
  CHECK_THROWS_AS(verify_log(parse_llama_log("nothing here\n"), {}), InputError);
  try {
    verify_log(parse_llama_log(test::read_text("logs/c34_commandr35b_2gpu_4070ti_3090ti_2024.log")), {});
    FAIL("expected an InputError");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).find("architecture") != std::string::npos);
  }
}

TEST_CASE("weights from the catalog recipe of the printed file type", "[verify]") {
  VerifyOptions o;
  o.model = std::make_shared<const CatalogModel>(test::catalog().find_model("llama-3.1-8b"));
  SECTION("a stock Q4_K_M file: GPU and host buffers within a few KiB") {
    const auto r = verify_file("c27_r1_distill_llama8b_q4km_ollama_gtx1080.log", o);
    CHECK(r.ok);
    const auto& gpu = term(r, "CUDA0", "weights");
    CHECK(gpu.provenance == Provenance::estimate);
    CHECK((gpu.predicted_bytes > gpu.logged_bytes ? gpu.predicted_bytes - gpu.logged_bytes
                                                  : gpu.logged_bytes - gpu.predicted_bytes) < 16 * 1024);
  }
  SECTION("a file whose tensor types differ from the recipe is not compared") {
    const auto r = verify_file("c14_llama31_8b_q40_cpu_repack_macvulkan.log", o);
    CHECK(std::none_of(r.terms.begin(), r.terms.end(), [](const VerifyTerm& t) { return t.term == Term::weights; }));
    CHECK(std::any_of(r.notes.begin(), r.notes.end(), [](const std::string& n) {
      return n.find("not llama.cpp's stock Q4_0 recipe (log: 2 f16 tensors") != std::string::npos;
    }));
  }
}

TEST_CASE("fragments: the error names the options still missing", "[verify]") {
  const auto message = [](const std::string& file, const VerifyOptions& o) {
    try {
      verify_file(file, o);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(message("c18_qwen3_8b_rocm_gfx906_q40kv.log", {}) ==
        "log: the log prints no architecture (print_info: arch) and no context size (n_ctx); give --model M (or "
        "--gguf FILE) and --context N");
  VerifyOptions model;
  model.model = std::make_shared<const CatalogModel>(test::catalog().find_model("qwen3-8b"));
  CHECK(message("c18_qwen3_8b_rocm_gfx906_q40kv.log", model) ==
        "log: the log prints no context size (n_ctx); give --context N");
}

TEST_CASE("fragments verify with --model and the settings flags", "[verify]") {
  SECTION("three ROCm buffer lines, q4_0 cache, flash attention") {
    VerifyOptions o;
    o.model = std::make_shared<const CatalogModel>(test::catalog().find_model("qwen3-8b"));
    o.settings.context_tokens = 8192;
    o.settings.type_k = o.settings.type_v = GgmlType::q4_0;
    o.settings.flash_attn = true;
    o.given.context = o.given.type_k = o.given.type_v = o.given.flash_attn = true;
    const auto r = verify_file("c18_qwen3_8b_rocm_gfx906_q40kv.log", o);
    CHECK(r.ok);
    // 36 layers x 8192 cells x 2 x 1024 x 18/32 B = 324 MiB.
    CHECK(term(r, "ROCm0", "kv_cache").predicted_bytes == 36ULL * 8192 * 2 * 1024 * 18 / 32);
  }
  SECTION("three runs' KV lines, each checked by its own cells, streams and types") {
    VerifyOptions o;
    o.model = std::make_shared<const CatalogModel>(test::catalog().find_model("llama-3.1-8b"));
    const auto r = verify_file("n14_llama3_8b_q4km_metal_m5_np1_np4_q80_kvlines.log", o);
    CHECK(term(r, "line 1 (8192 cells)", "kv_cache").within_range);
    CHECK(term(r, "line 2 (2048 cells x 4 streams)", "kv_cache").predicted_bytes == 1024ULL * k_mib);
    CHECK(term(r, "line 3 (8192 cells)", "kv_cache").predicted_bytes == 544ULL * k_mib);  // q8_0: 34/32 B
    // The breakdown row (re-typed by the page's author) gives the context column.
    CHECK(term(r, "MTL0", "context").within_range);
  }
}

TEST_CASE("breakdown-only logs: context per device from -ts, compute per device", "[verify]") {
  // gpt-oss-20b on an M5: buffer lines and the breakdown agree; the breakdown
  // does not double the buffers it repeats.
  const auto r = verify_file("n35_gptoss20b_q4km_metal_m5_server_np4_unified_breakdown.log");
  CHECK(r.ok);
  CHECK(r.terms.size() == 3);
  CHECK(std::any_of(r.notes.begin(), r.notes.end(),
                    [](const std::string& n) { return n.find("n_ff_exp") != std::string::npos; }));
}

TEST_CASE("old logs without head sizes: derived from n_embd_k_gqa and n_head_kv", "[verify]") {
  // pythia-1.4B on an ARM runner (build 4763): 24 layers x 2048 cells x 2 x 2048 x 2 B.
  const auto r = verify_file("n02_pythia14b_q40_cpu_aarch64_arm_ggmlci.log");
  CHECK(r.ok);
  CHECK(term(r, "CPU", "kv_cache").predicted_bytes == 384ULL * k_mib);
}

TEST_CASE("extra buffers: the class a log shows, or the one given", "[verify]") {
  SECTION("AMX") {
    const auto r = verify_file("n01_pythia14b_q40_amx_cpu_ggmlci.log");
    CHECK(r.cpu == CpuClass::amx);
  }
  SECTION("CPU_AARCH64, the repack buffer's old name") {
    const auto r = verify_file("n02_pythia14b_q40_cpu_aarch64_arm_ggmlci.log");
    CHECK(r.cpu == CpuClass::arm64);  // "build: ... for aarch64-linux-gnu"
  }
}

TEST_CASE("split mode row: every layer on the main GPU, the split matrices with it", "[verify]") {
  const std::string text = "llama-server -m model.gguf -sm row -c 4096\n"
                           "print_info: arch             = qwen3\n"
                           "print_info: n_layer          = 36\n"
                           "print_info: n_embd           = 4096\n"
                           "print_info: n_head           = 32\n"
                           "print_info: n_head_kv        = 8\n"
                           "print_info: n_embd_head_k    = 128\n"
                           "print_info: n_embd_head_v    = 128\n"
                           "print_info: n_ff             = 12288\n"
                           "print_info: n_vocab          = 151936\n"
                           "llama_context: n_ctx         = 4096\n"
                           "llama_kv_cache:      CUDA0 KV buffer size =   576.00 MiB\n";
  const auto r = verify_log(parse_llama_log(text), {});
  // 36 layers x 4096 cells x 2 x 1024 x 2 B, all on CUDA0.
  CHECK(term(r, "CUDA0", "kv_cache").predicted_bytes == 576ULL * k_mib);
  CHECK(r.ok);
}

TEST_CASE("logs of older builds are read by their own cache rules", "[verify]") {
  SECTION("before the sliding-window cache: every Gemma 3 layer caches the whole context") {
    const std::string text = "build: 4800 (0123abcd) with cc for x86_64-linux-gnu\n"
                             "llama_init_from_model: n_ctx         = 4096\n"
                             "llama_init_from_model: flash_attn    = 0\n"
                             "llama_kv_cache_init:      CUDA0 KV buffer size =  1536.00 MiB\n"
                             "llama_init_from_model: KV self size  = 1536.00 MiB, K (f16):  768.00 MiB, V (f16):  "
                             "768.00 MiB\n";
    VerifyOptions o;
    o.model = std::make_shared<const CatalogModel>(test::catalog().find_model("gemma-3-12b"));
    const auto r = verify_log(parse_llama_log(text), o);
    // 48 layers x 4096 cells x 2 x 8 x 256 x 2 B.
    CHECK(term(r, "CUDA0", "kv_cache").predicted_bytes == 48ULL * 4096 * 8192);
    CHECK(r.ok);
  }
  SECTION("DeepSeek V3 between April 2025 and January 2026: K 576 and V 512 per token and layer") {
    const std::string text = "llama_context: n_ctx         = 4096\n"
                             "llama_context: flash_attn    = 0\n"
                             "llama_kv_cache_unified:      CUDA0 KV buffer size =   518.50 MiB\n"
                             "llama_kv_cache_unified: size =  518.50 MiB (  4096 cells,  61 layers,  1/1 seqs), K "
                             "(f16):  274.50 MiB, V (f16):  244.00 MiB\n";
    VerifyOptions o;
    o.model = std::make_shared<const CatalogModel>(test::catalog().find_model("deepseek-v3"));
    const auto r = verify_log(parse_llama_log(text), o);
    CHECK(term(r, "CUDA0", "kv_cache").predicted_bytes == 61ULL * 4096 * (576 + 512) * 2);
    CHECK(r.ok);
    CHECK(std::any_of(r.notes.begin(), r.notes.end(),
                      [](const std::string& n) { return n.find("PR #19067") != std::string::npos; }));
  }
}
