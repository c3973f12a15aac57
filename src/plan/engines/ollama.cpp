// Ollama: its context default by VRAM (docs/context-length.mdx), an f16 cache
// unless OLLAMA_KV_CACHE_TYPE, which needs OLLAMA_FLASH_ATTENTION=1
// (docs/faq.md), 457 MiB kept free on each CUDA/ROCm GPU (discover:
// cudaMinimumMemory / rocmMinimumMemory), OLLAMA_NUM_PARALLEL default 1, and
// a runner started with num_ctx x OLLAMA_NUM_PARALLEL cells.

#include "plan/engines/engines.hpp"

#include "vramfit/input/parse.hpp"
#include "vramfit/model/ggml_type.hpp"
#include "vramfit/support/error.hpp"

#include <fmt/format.h>

namespace vramfit::builtin_engines {
namespace {

// The OLLAMA_* variables that change memory, as typed.
struct Environment {
  std::optional<std::string> kv_cache_type;
  std::optional<bool> flash_attention;
  std::optional<std::uint64_t> context_length;
  std::optional<std::uint32_t> num_parallel;
  std::optional<Bytes> gpu_overhead;

  explicit Environment(const EngineOptions& options) {
    const auto get = [&](std::string_view name) -> std::optional<std::string> {
      const auto it = options.environment.find(name);
      return it == options.environment.end() || it->second.empty() ? std::nullopt
                                                                   : std::optional<std::string>(it->second);
    };
    kv_cache_type = get("OLLAMA_KV_CACHE_TYPE");
    if (const auto fa = get("OLLAMA_FLASH_ATTENTION")) {
      flash_attention = *fa == "1" || *fa == "true" || *fa == "TRUE" || *fa == "True";
    }
    if (const auto c = get("OLLAMA_CONTEXT_LENGTH")) {
      context_length = parse_count(*c, "OLLAMA_CONTEXT_LENGTH", 1ULL << 32);
    }
    if (const auto n = get("OLLAMA_NUM_PARALLEL")) {
      num_parallel = static_cast<std::uint32_t>(parse_count(*n, "OLLAMA_NUM_PARALLEL", 256));
    }
    if (const auto o = get("OLLAMA_GPU_OVERHEAD")) {
      gpu_overhead = parse_size(*o, "OLLAMA_GPU_OVERHEAD");
    }
  }
};

class Ollama final : public EngineRules {
public:
  std::string_view name() const noexcept override { return "ollama"; }
  std::optional<std::string_view> no_draft_reason() const override {
    return "Ollama runs no draft models (no speculative decoding)";
  }
  std::vector<std::string_view> environment_variables() const override {
    return {"OLLAMA_KV_CACHE_TYPE", "OLLAMA_FLASH_ATTENTION", "OLLAMA_CONTEXT_LENGTH", "OLLAMA_NUM_PARALLEL",
            "OLLAMA_GPU_OVERHEAD"};
  }

  std::vector<std::string> apply_defaults(RunSettings& s, const SettingsGiven& given, const EngineOptions& options,
                                          Bytes vram_bytes) const override {
    const Environment env(options);
    std::vector<std::string> notes;
    if (!given.context) {
      if (env.context_length) {
        s.context_tokens = *env.context_length;
        notes.push_back(fmt::format("ollama: context {} from OLLAMA_CONTEXT_LENGTH", *env.context_length));
      } else {
        const std::uint64_t tokens = vram_bytes < 24 * k_gib ? 4096 : vram_bytes < 48 * k_gib ? 32768 : 262144;
        s.context_tokens = tokens;
        notes.push_back(
            fmt::format("ollama: default context {} for {} GiB of VRAM (< 24 GiB: 4k, 24-48: 32k, >= 48: 256k)", tokens,
                        vram_bytes / k_gib));
      }
    }
    if (!given.n_seq) {
      s.n_seq = env.num_parallel.value_or(1);
    }
    if (!given.flash_attn) {
      s.flash_attn = env.flash_attention.value_or(false);
    }
    if (!given.cache_type()) {
      GgmlType t = GgmlType::f16;
      if (env.kv_cache_type) {
        const auto parsed = ggml_type_from_name(*env.kv_cache_type);
        if (!parsed || (*parsed != GgmlType::f16 && *parsed != GgmlType::q8_0 && *parsed != GgmlType::q4_0)) {
          throw UsageError("OLLAMA_KV_CACHE_TYPE='" + env.kv_cache_type->substr(0, 16) +
                           "': Ollama accepts f16, q8_0 and q4_0");
        }
        if (s.flash_attn) {
          t = *parsed;
        } else {
          notes.emplace_back(
              "ollama: OLLAMA_KV_CACHE_TYPE applies only with OLLAMA_FLASH_ATTENTION=1; the cache stays f16");
        }
      }
      s.type_k = s.type_v = t;
    }
    if (!given.n_ubatch) {
      s.n_ubatch = 512;
      s.n_batch = 512;  // Ollama's runner: --batch-size 512
    }
    if (s.n_seq > 1) {
      notes.push_back("ollama: the runner's context is num_ctx x " + std::to_string(s.n_seq) + " parallel requests");
    }
    return notes;
  }

  std::uint64_t runner_context(std::uint64_t per_request, const RunSettings& s) const override {
    return per_request * std::max<std::uint32_t>(1, s.n_seq);
  }
  std::uint64_t request_context(std::uint64_t runner, const RunSettings& s) const override {
    return runner / std::max<std::uint32_t>(1, s.n_seq);
  }

  // Ollama's own knobs: server environment variables and Modelfile
  // parameters (docs/faq.md, docs/modelfile.md). It has no per-expert
  // offload: an expert plan is named as llama-server's.
  std::string describe(const ModelSpec& spec, const Change& c) const override {
    std::vector<std::string> words;
    if (c.cache_type) {
      words.push_back("OLLAMA_KV_CACHE_TYPE=" + lower_name(*c.cache_type));
    }
    if (c.flash_attn || c.cache_type) {
      words.emplace_back("OLLAMA_FLASH_ATTENTION=1");
    }
    if (c.parallel) {
      words.push_back("OLLAMA_NUM_PARALLEL=" + std::to_string(*c.parallel));
    }
    if (c.context) {
      words.push_back("OLLAMA_CONTEXT_LENGTH=" + std::to_string(*c.context));
    }
    if (c.offload) {
      if (c.offload->n_cpu_moe > 0) {
        words.push_back("(no expert offload in Ollama; llama-server " +
                        joined_arguments(offload_flags(spec, *c.offload)) + ")");
      } else {
        words.push_back("PARAMETER num_gpu " + std::to_string(llama_gpu_layers(spec, c.offload->n_gpu_layers)));
      }
    }
    if (c.quant) {
      words.push_back("a model tag with " + *c.quant);
    }
    std::string out;
    for (const auto& w : words) {
      out += (out.empty() ? "" : " ") + w;
    }
    return out;
  }

  std::string command(const ModelSpec& spec, const Placement& placement, const RunSettings& settings,
                      const std::string& model_path) const override {
    if (placement.offload.n_cpu_moe > 0) {
      return "no expert offload in Ollama; llama-server " +
             joined_arguments(llama_arguments(spec, placement, settings, model_path));
    }
    std::string out = "FROM ./" + model_path + "; PARAMETER num_ctx " + std::to_string(settings.context_tokens);
    if (placement.offload.n_gpu_layers <= spec.n_layer) {
      out += "; PARAMETER num_gpu " + std::to_string(llama_gpu_layers(spec, placement.offload.n_gpu_layers));
    }
    return out;
  }

  std::string_view command_heading() const override {
    return "Ollama Modelfile lines (num_gpu: the layers on the GPU)";
  }

  DeviceBudget budget(const GpuSpec& gpu, DeviceBudget b, const EngineOptions& options) const override {
    const Environment env(options);
    Bytes extra = env.gpu_overhead.value_or(0);
    if (gpu.backend == Backend::cuda || gpu.backend == Backend::rocm) {
      extra = checked_add(extra, k_ollama_minimum_free_bytes, "Ollama reserve");
    }
    if (extra > 0) {
      b.reserve_bytes = checked_add(b.reserve_bytes, extra, "Ollama reserve");
      b.usable_bytes = b.usable_bytes > extra ? b.usable_bytes - extra : 0;
      b.basis += fmt::format(" - Ollama minimum free {} MiB", extra / k_mib);
    }
    return b;
  }
};

}  // namespace

const EngineRules& ollama() {
  static const Ollama k_engine;
  return k_engine;
}

}  // namespace vramfit::builtin_engines
