// MLX (mlx-lm) on Apple silicon: the model's weights, embeddings included, and
// its KV cache live in unified memory under the limit mlx-lm wires, Metal's
// recommendedMaxWorkingSetSize (mlx_lm/generate.py wired_limit:
// mx.set_wired_limit(max_recommended_working_set_size)). The cache is 16-bit,
// grown in 256-token steps (mlx_lm/models/cache.py KVCache.step = 256);
// --kv-bits 8 / 4 quantize it with group 64 and 16-bit scales and biases,
// which weighs what llama.cpp's q8_0 / q4_0 cache weighs per element.

#include "plan/engines/engines.hpp"

#include "vramfit/model/ggml_type.hpp"
#include "vramfit/model/weight_format.hpp"
#include "vramfit/support/error.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace vramfit {
namespace builtin_engines {
namespace {

class Mlx final : public EngineRules {
public:
  std::string_view name() const noexcept override { return "mlx"; }
  std::vector<std::string_view> aliases() const override { return {"mlx-lm", "mlx_lm"}; }
  bool offloads() const override { return false; }
  std::optional<std::string_view> no_draft_reason() const override { return "mlx-lm's --draft-model is not modelled"; }
  bool loads(const QuantSpec& q) const override { return is_format_of(q, FormatFamily::mlx); }

  // mlx_lm.generate's flags: --kv-bits for a quantized cache, --max-kv-size for
  // a rotating one; nothing for flash attention, slots or layer offload.
  std::string describe(const ModelSpec&, const Change& c) const override {
    std::vector<std::string> words;
    if (c.cache_type) {
      if (*c.cache_type != GgmlType::q8_0 && *c.cache_type != GgmlType::q4_0) {
        return {};
      }
      words.insert(words.end(), {"--kv-bits", *c.cache_type == GgmlType::q8_0 ? "8" : "4"});
    }
    if (c.offload || c.drop_draft || c.flash_attn || c.parallel) {
      return {};
    }
    if (c.context) {
      words.insert(words.end(), {"--max-kv-size", std::to_string(*c.context)});
    }
    if (c.quant) {
      words.emplace_back("a " + *c.quant + " conversion (--quant " + *c.quant + ")");
    }
    return joined_arguments(words);
  }

  std::string_view program() const override { return "mlx_lm.generate"; }

  std::vector<std::string> arguments(const ModelSpec&, const Placement&, const RunSettings& settings,
                                     const std::string& model_path) const override {
    std::vector<std::string> args{"--model", model_path, "--max-kv-size", std::to_string(settings.context_tokens)};
    if (settings.type_k == GgmlType::q8_0 || settings.type_k == GgmlType::q4_0) {
      args.insert(args.end(), {"--kv-bits", settings.type_k == GgmlType::q8_0 ? "8" : "4"});
    }
    return args;
  }

  std::string_view command_heading() const override { return "mlx-lm command lines"; }

  std::vector<std::string> apply_defaults(RunSettings& s, const SettingsGiven& given, const EngineOptions&,
                                          Bytes) const override {
    if (!given.n_seq) {
      s.n_seq = 1;
    }
    if (s.n_seq > 1) {
      throw UsageError("--parallel: mlx-lm generates one sequence at a time");
    }
    if ((s.type_k != s.type_v) ||
        (s.type_k != GgmlType::f16 && s.type_k != GgmlType::q8_0 && s.type_k != GgmlType::q4_0)) {
      throw UsageError(
          "--cache-type: mlx-lm's cache is 16-bit, or --kv-bits 8 / 4 for K and V alike (f16, q8_0, q4_0)");
    }
    return {"mlx: weights and embeddings, and a KV cache (16-bit, or --kv-bits 8/4) grown in 256-token steps, in the "
            "Metal working set mlx-lm wires; activations estimated with llama.cpp's compute rule"};
  }

  DeviceBudget budget(const GpuSpec& gpu, DeviceBudget b, const EngineOptions&) const override {
    if (gpu.backend != Backend::metal) {
      throw UsageError("--engine mlx runs on Apple silicon; " + gpu.id + " is a " +
                       std::string(vramfit::name(gpu.backend)) + " GPU");
    }
    return b;
  }

  // llama.cpp's placement of the blocks and cache, with the token embeddings
  // in the same memory (mlx-lm keeps them with the rest of the model).
  EngineVerdict evaluate(const Scenario& s) const override {
    EngineVerdict v = EngineRules::evaluate(s);
    const auto host = static_cast<ByteDelta>(s.host_weights_bytes);
    v.memory.weights_bytes = checked_add(v.memory.weights_bytes, s.host_weights_bytes, "MLX");
    v.total_low_bytes = checked_add(v.total_low_bytes, s.host_weights_bytes, "MLX");
    v.total_high_bytes = checked_add(v.total_high_bytes, s.host_weights_bytes, "MLX");
    v.headroom_bytes -= host;
    Bytes usable = 0;
    for (const auto& d : v.placement.devices) {
      usable = checked_add(usable, d.usable_bytes, "MLX");
    }
    v.fits = v.headroom_bytes >= 0;
    v.marginal = (v.total_low_bytes <= usable) != (v.total_high_bytes <= usable);
    return v;
  }
};

}  // namespace

const EngineRules& mlx() {
  static const Mlx k_engine;
  return k_engine;
}

}  // namespace builtin_engines
}  // namespace vramfit
