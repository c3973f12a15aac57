#include "catch.hpp"
#include "test_support.hpp"

#include "vramfit/input/llama_log.hpp"

using namespace vramfit;

namespace {

// The printed "X.YZ MiB" in bytes, as the parser converts it.
Bytes mib(double printed) {
  return static_cast<Bytes>(printed * 1048576.0 + 0.5);
}

Bytes sum(const std::map<std::string, Bytes>& m) {
  Bytes total = 0;
  for (const auto& [k, v] : m) {
    total += v;
  }
  return total;
}

}  // namespace

TEST_CASE("current logs: devices, print_info, settings and buffers", "[llama_log]") {
  const auto log = parse_llama_log(test::read_text("logs/c05_gptoss20b_vulkan_m2pro_ncmoe.log"));
  CHECK(log.build == 6182U);
  REQUIRE(log.devices.size() == 1);
  CHECK(log.devices[0].name == "Vulkan0");
  CHECK(log.devices[0].description == "Apple M2 Pro (G14S B1)");  // nested parentheses kept
  CHECK(log.devices[0].free_mib == 7789U);
  CHECK(log.info.at("n_swa") == "128");
  CHECK(log.info_uint("n_expert") == 32U);
  CHECK(log.info.count("arch") == 0);
  CHECK(log.file_type == "MXFP4 MoE");
  CHECK(log.n_ctx == 4096U);
  CHECK(log.n_batch == 2048U);
  CHECK(log.n_ubatch == 512U);
  CHECK(log.n_seq_max == 1U);
  CHECK(log.flash_attn == "0");
  CHECK(log.kv_unified == false);
  CHECK(log.offloaded_layers == 24U);
  CHECK(log.offload_total == 25U);
  CHECK(log.buffers_of("model").at("Vulkan0") == mib(4699.90));
  CHECK(log.buffers_of("model").at("CPU_Mapped") == mib(7218.45));
  CHECK(sum(log.buffers_of("KV")) == mib(96.0) + mib(15.0));
  CHECK(log.buffers_of("compute").at("Vulkan0") == mib(985.20));
  CHECK(log.buffers_of("compute").at("Vulkan_Host") == mib(58.33));
  CHECK(log.buffers_of("output").at("CPU") == mib(0.77));
  REQUIRE(log.kv_lines.size() == 2);
  CHECK(log.kv_lines[0].cells == 4096);
  CHECK(log.kv_lines[0].layers == 12);
  CHECK(log.kv_lines[0].type_k == "f16");
  CHECK(log.kv_lines[1].cells == 640);
  CHECK(log.base_cells == 4096U);
  CHECK(log.swa_cells == 640U);
}

TEST_CASE("2024 logs: llm_load_tensors and llama_new_context_with_model", "[llama_log]") {
  const auto log = parse_llama_log(test::read_text("logs/c34_commandr35b_2gpu_4070ti_3090ti_2024.log"));
  CHECK(log.n_ctx == 4096U);
  CHECK(log.n_ubatch == 512U);
  CHECK(log.offloaded_layers == 41U);
  CHECK(log.offload_total == 41U);
  const auto model = log.buffers_of("model");
  CHECK(model.at("CPU") == mib(1640.62));
  CHECK(model.at("CUDA0") == mib(5434.38));
  CHECK(model.at("CUDA1") == mib(13989.53));
  const auto kv = log.buffers_of("KV");
  CHECK(kv.at("CUDA0") == mib(1536.0));
  CHECK(kv.at("CUDA1") == mib(3584.0));
  CHECK(log.buffers_of("output").at("CUDA_Host") == mib(1.95));
  CHECK(log.buffers_of("compute").at("CUDA0") == mib(672.01));
}

TEST_CASE("journald prefixes and the Ollama runner command line", "[llama_log]") {
  const auto log = parse_llama_log(test::read_text("logs/c27_r1_distill_llama8b_q4km_ollama_gtx1080.log"));
  CHECK(log.info.at("arch") == "llama");
  CHECK(log.info_uint("n_layer") == 32U);
  CHECK(log.file_type == "Q4_K - Medium");
  CHECK(log.tensor_types.at("q4_K") == 193U);
  REQUIRE(log.devices.size() == 1);
  CHECK(log.devices[0].description == "NVIDIA GeForce GTX 1080");
  CHECK(log.devices[0].free_mib == 7990U);
}

TEST_CASE("fragments: buffer lines quoted without a prefix", "[llama_log]") {
  const auto log = parse_llama_log(test::read_text("logs/c18_qwen3_8b_rocm_gfx906_q40kv.log"));
  CHECK(log.recognised == 3);
  CHECK(log.buffers_of("model").at("ROCm0") == mib(4455.34));
  CHECK(log.buffers_of("KV").at("ROCm0") == mib(324.0));
  CHECK(log.buffers_of("compute").at("ROCm0") == mib(304.75));
  CHECK_FALSE(log.n_ctx.has_value());
}

TEST_CASE("text that is not a log yields nothing, and never throws", "[llama_log]") {
  CHECK(parse_llama_log("").recognised == 0);
  CHECK(parse_llama_log("hello\nworld\n").recognised == 0);
  const std::string long_line(200000, 'x');
  CHECK(parse_llama_log(long_line + "\nCUDA0 KV buffer size = 12.00 MiB\n").buffers.size() == 1);
  // Numbers that do not fit are ignored rather than wrapped.
  const auto huge = parse_llama_log("llama_context: n_ctx = 99999999999999999999999999\n");
  CHECK_FALSE(huge.n_ctx.has_value());
  const auto negative = parse_llama_log("CUDA0 KV buffer size = -12.00 MiB\n");
  CHECK(negative.buffers.empty());
}

TEST_CASE("the memory breakdown table, as llama.cpp, LM Studio and --log-jsonl print it", "[llama_log]") {
  SECTION("four GPUs and the host (llama-server at exit)") {
    const auto log = parse_llama_log(test::read_text("logs/n07_qwen3vl235b_iq1m_4x3080_np4_q40kv_fit_breakdown.log"));
    REQUIRE(log.breakdown.size() == 5);
    const auto& cuda0 = log.breakdown[0];
    CHECK(cuda0.name == "CUDA0");
    CHECK(cuda0.description == "RTX 3080");
    CHECK(cuda0.total_mib == 20181U);
    CHECK(cuda0.free_mib == 319U);
    CHECK(cuda0.self_mib == 17714);
    CHECK(cuda0.model_mib == 16250);
    CHECK(cuda0.context_mib == 864);
    CHECK(cuda0.compute_mib == 600);
    CHECK(cuda0.unaccounted_mib == 2146);
    const auto& host = log.breakdown[4];
    CHECK(host.name == "Host");
    CHECK_FALSE(host.total_mib);
    CHECK(host.model_mib == 741);
    CHECK(host.compute_mib == 80);
    // The pasted command line: settings llama.cpp's own lines would print.
    CHECK(log.command.ctx_size == 65536U);
    CHECK(log.command.parallel == 4U);
    CHECK(log.command.cache_type_k == std::optional<std::string>("q4_0"));
    CHECK(log.command.ubatch == 1024U);
    CHECK(log.command.flash_attn == std::optional<std::string>("on"));
    CHECK(log.command.n_gpu_layers == 95U);
    CHECK(log.command.tensor_split == std::vector<double>{24, 25, 24, 22});
    CHECK(log.command.tensor_overrides == 1);
  }
  SECTION("LM Studio's runtime, a timestamp line in between") {
    const auto log = parse_llama_log(test::read_text("logs/n23_qwen3vl_4b_lmstudio_vulkan_radeon760m_breakdown.log"));
    REQUIRE(log.breakdown.size() == 2);
    CHECK(log.breakdown[0].name == "Vulkan0");
    CHECK(log.breakdown[0].description == "Radeon(TM) 760M");
    CHECK(log.breakdown[0].context_mib == 1152);
    CHECK(log.n_ctx == 8192U);  // "Generate: n_ctx = 8192, ..."
  }
  SECTION("--log-jsonl: log lines by their message, the breakdown as rows") {
    const std::string text =
        R"({"type":"log","time":1,"level":"INFO","msg":"llama_context: n_ctx         = 4096\n"})"
        "\n"
        R"({"type":"fit_memory_breakdown","data":{"unit":"MiB","rows":[{"kind":"device","name":"CUDA0",)"
        R"("description":"RTX 4090","total":24080,"free":1000,"self":20000,"model":18000,"context":1500,)"
        R"("compute":500,"unaccounted":3080},{"kind":"host","name":"Host","self":700,"model":600,"context":0,)"
        R"("compute":100}]}})"
        "\n";
    const auto log = parse_llama_log(text);
    CHECK(log.n_ctx == 4096U);
    REQUIRE(log.breakdown.size() == 2);
    CHECK(log.breakdown[0].description == "RTX 4090");
    CHECK(log.breakdown[0].unaccounted_mib == 3080);
    CHECK(log.breakdown[1].model_mib == 600);
  }
  SECTION("prose with dashes and numbers is not a table, nor a command line") {
    const auto log = parse_llama_log("Memory use - GPU | 12 = 3 + 4 + 5\n-c is a total budget in llama.cpp\n");
    CHECK(log.breakdown.empty());
    CHECK_FALSE(log.command.ctx_size);
  }
}

TEST_CASE("KV cache lines: sequences and streams; the first line's cache types", "[llama_log]") {
  const auto log = parse_llama_log(test::read_text("logs/n14_llama3_8b_q4km_metal_m5_np1_np4_q80_kvlines.log"));
  REQUIRE(log.kv_lines.size() == 3);
  CHECK(log.kv_lines[1].cells == 2048);
  CHECK(log.kv_lines[1].seqs == 4);
  CHECK(log.kv_lines[1].streams == 4);
  CHECK(log.kv_lines[2].type_k == "q8_0");
  CHECK(log.type_k == std::optional<std::string>("f16"));
}

TEST_CASE("an abort is recorded", "[llama_log]") {
  const auto log = parse_llama_log(
      "llama_context: n_ctx = 4096\n/ggml/src/ggml-backend.cpp:1294: GGML_ASSERT(*cur_backend_id != -1) failed\n");
  REQUIRE(log.abort_message);
  CHECK(log.abort_message->find("cur_backend_id") != std::string::npos);
}

TEST_CASE("colour sequences of a pasted terminal log are ignored", "[llama_log]") {
  const auto log = parse_llama_log("\x1b[32mllama_context: n_ctx         = 4096\x1b[0m\n"
                                   "\x1b[1;33mload_tensors:\x1b[0m        CUDA0 model buffer size =  1024.00 MiB\n");
  CHECK(log.n_ctx == 4096U);
  REQUIRE(log.buffers.size() == 1);
  CHECK(log.buffers[0].device == "CUDA0");
}
