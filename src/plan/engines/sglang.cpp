// SGLang: --mem-fraction-static of the GPU's memory holds the weights and the
// KV cache pool, which takes all of it that the weights leave, one token per
// page; activations and CUDA graphs live in the rest (python/sglang/srt/
// server_args.py, "The fraction of the memory used for static allocation
// (model weights and KV cache memory pool)"). Its default is worked out from
// the GPU's memory (_handle_gpu_memory_settings, below).

#include "plan/engines/engines.hpp"

#include "vramfit/model/ggml_type.hpp"
#include "vramfit/model/weight_format.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace vramfit {

std::uint32_t sglang_default_fraction_permille(Bytes total_bytes, std::uint32_t tp) {
  // sgl-project/sglang python/sglang/srt/server_args.py @001067ff,
  // _handle_gpu_memory_settings and reserve_for_graph_mb (CUDA, a dense model,
  // decode and prefill CUDA graphs on, no DP attention): the GPU's memory in MiB
  // picks the chunked-prefill size and the decode graphs' largest batch; the
  // reserve is 512 + 1.5 x chunked prefill + tp/8 GiB + 2 x that batch + 8 per
  // prefill graph size, at least 10 GiB above 60 GiB; the fraction is
  // (memory - reserve) / memory, rounded to 3 decimals.
  const double mib = static_cast<double>(total_bytes) / static_cast<double>(k_mib);
  const double gib = mib / 1024.0;
  std::uint32_t chunked = 16384;
  std::uint32_t max_bs = 512;
  if (gib < 20) {
    chunked = 2048, max_bs = 8;
  } else if (gib < 35) {
    chunked = 2048, max_bs = tp < 4 ? 24 : 80;
  } else if (gib < 60) {
    chunked = 4096, max_bs = tp < 4 ? 32 : 160;
  } else if (gib < 160) {
    chunked = 8192, max_bs = tp < 4 ? 256 : 512;
  }
  // _generate_prefill_cuda_graph_batch_sizes, up to the chunked-prefill size
  std::uint32_t prefill_graphs = 0;
  const auto count = [&](std::uint32_t from, std::uint32_t to, std::uint32_t step) {
    for (std::uint32_t s = from; s <= to && s <= chunked; s += step) {
      ++prefill_graphs;
    }
  };
  count(4, 32, 4);
  count(48, 256, 16);
  count(288, 512, 32);
  count(576, 1024, 64);
  count(1280, 4096, 256);
  count(4608, chunked, 512);
  double reserved = 512.0 + 1.5 * std::max(chunked, 2048U) + tp / 8.0 * 1024.0 + 2.0 * max_bs + 8.0 * prefill_graphs;
  if (mib > 60.0 * 1024.0) {
    reserved = std::max(reserved, 10.0 * 1024.0);
  }
  if (mib <= reserved) {
    return 0;
  }
  return static_cast<std::uint32_t>(std::lround((mib - reserved) / mib * 1000.0));
}

namespace builtin_engines {
namespace {

std::uint32_t fraction_permille(const EngineOptions& options, Bytes total_bytes) {
  return options.memory_fraction ? static_cast<std::uint32_t>(std::lround(*options.memory_fraction * 1000.0))
                                 : sglang_default_fraction_permille(total_bytes, 1);
}

// server_args.py's flags.
constexpr ServingFlags k_flags{"--kv-cache-dtype", "fp8_e4m3", "--max-running-requests", "--context-length",
                               "--tp-size"};

class Sglang final : public EngineRules {
public:
  std::string_view name() const noexcept override { return "sglang"; }
  bool takes_memory_fraction() const override { return true; }
  bool offloads() const override { return false; }
  std::optional<std::string_view> no_draft_reason() const override {
    return "SGLang's speculative decoding (--speculative-algorithm) is not modelled";
  }
  bool loads(const QuantSpec& q) const override {
    return q.kind != QuantKind::format || is_format_of(q, FormatFamily::safetensors);
  }
  bool lists(const QuantSpec& q) const override { return is_format_of(q, FormatFamily::safetensors); }

  // server_args.py's flags; nothing for a 4-bit cache or layer offload.
  std::string describe(const ModelSpec&, const Change& c) const override { return describe_serving(c, k_flags); }

  std::string_view program() const override { return "python"; }

  std::vector<std::string> arguments(const ModelSpec&, const Placement& placement, const RunSettings& settings,
                                     const std::string& model_path) const override {
    return serving_arguments({"-m", "sglang.launch_server", "--model-path", model_path}, k_flags, placement, settings);
  }

  std::string_view command_heading() const override { return "SGLang command lines"; }

  std::vector<std::string> apply_defaults(RunSettings& s, const SettingsGiven& given, const EngineOptions& options,
                                          Bytes vram_bytes) const override {
    serving_defaults(s, given, 2048);
    return {fmt::format("sglang: --mem-fraction-static {:.3f}{} holds weights and the KV pool, which takes all they "
                        "leave; activations and CUDA graphs use the rest",
                        fraction_permille(options, vram_bytes) / 1000.0,
                        options.memory_fraction ? "" : " (its default for this GPU's memory)")};
  }

  DeviceBudget budget(const GpuSpec&, DeviceBudget b, const EngineOptions& options) const override {
    const std::uint32_t permille = fraction_permille(options, b.total_bytes);
    // The fraction applies to the memory free before the weights load: the total less the CUDA context.
    const Bytes free = b.total_bytes > b.reserve_bytes ? b.total_bytes - b.reserve_bytes : 0;
    b.usable_bytes = static_cast<Bytes>(static_cast<long double>(free) * permille / 1000.0L);
    b.basis = fmt::format("SGLang {:.3f} of {} MiB free after the context ({} MiB)", permille / 1000.0, free / k_mib,
                          b.reserve_bytes / k_mib);
    return b;
  }

  // --max-running-requests, else kv_cache_configurator.py resolve_max_num_reqs
  // (@003fca80): pool tokens / context x 512, clamped to 2048..4096; either way
  // at most half the pool's tokens.
  std::optional<std::uint32_t> sequence_limit(const GpuSpec&, const VllmCapacity& pool,
                                              std::optional<std::uint32_t> asked) const override {
    const std::uint64_t half = pool.cached_tokens / 2;
    std::uint64_t limit = 4096;
    if (asked) {
      limit = *asked;
    } else if (pool.request_tokens > 0) {
      const double estimated =
          static_cast<double>(pool.cached_tokens) / static_cast<double>(pool.request_tokens) * 512.0;
      limit = static_cast<std::uint64_t>(std::clamp(estimated, 2048.0, 4096.0));
    }
    return static_cast<std::uint32_t>(std::min(limit, half));  // at most a 32-bit asked value or 4096
  }

  // Every weight on the GPUs, then a token-granular KV pool of the rest.
  EngineVerdict evaluate(const Scenario& s) const override {
    return paged_verdict(EngineRules::evaluate(s), s, Estimate{}, 1);
  }
};

}  // namespace

const EngineRules& sglang() {
  static const Sglang k_engine;
  return k_engine;
}

}  // namespace builtin_engines
}  // namespace vramfit
