// vLLM: --gpu-memory-utilization 0.9 of the total (vLLM engine args); the KV
// cache takes whatever is left after weights and the profiled activations, in
// blocks of 16 tokens; sliding-window layers take full-size pages; "maximum
// concurrency" = cached tokens / tokens per request.

#include "plan/engines/engines.hpp"

#include "vramfit/model/ggml_type.hpp"
#include "vramfit/model/weight_format.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>

namespace vramfit {
namespace builtin_engines {
namespace {

std::uint32_t utilization_percent(const EngineOptions& options) {
  return options.memory_fraction ? static_cast<std::uint32_t>(std::lround(*options.memory_fraction * 100.0))
                                 : k_vllm_default_utilization_percent;
}

// vllm serve's flags (vllm serve --help).
constexpr ServingFlags k_flags{"--kv-cache-dtype", "fp8", "--max-num-seqs", "--max-model-len",
                               "--tensor-parallel-size"};

class Vllm final : public EngineRules {
public:
  std::string_view name() const noexcept override { return "vllm"; }
  bool takes_memory_fraction() const override { return true; }
  bool offloads() const override { return false; }
  std::optional<std::string_view> no_draft_reason() const override {
    return "vLLM's speculative decoding (--speculative-config) is not modelled";
  }
  // vLLM runs Hugging Face checkpoints (BF16, FP8, AWQ, GPTQ, NVFP4, MXFP4),
  // and GGUF files experimentally: those when asked for by --quant.
  bool loads(const QuantSpec& q) const override {
    return q.kind != QuantKind::format || is_format_of(q, FormatFamily::safetensors);
  }
  bool lists(const QuantSpec& q) const override { return is_format_of(q, FormatFamily::safetensors); }

  // vLLM's engine arguments (vllm serve --help); nothing for what vLLM has no
  // switch for (a 4-bit cache, flash attention, llama.cpp's layer offload).
  std::string describe(const ModelSpec&, const Change& c) const override { return describe_serving(c, k_flags); }

  std::string_view program() const override { return "vllm"; }

  // --max-num-seqs, else EngineArgs.get_batch_defaults (vllm/engine/arg_utils.py):
  // 1024 on a GPU of 70 GiB or more that is not an A100, else 256.
  std::optional<std::uint32_t> sequence_limit(const GpuSpec& gpu, const VllmCapacity&,
                                              std::optional<std::uint32_t> asked) const override {
    if (asked) {
      return *asked;
    }
    constexpr Bytes k_large = 70 * k_gib;
    const Bytes memory = gpu.reported_total_bytes.value_or(gpu.memory_bytes);
    std::string name = gpu.name;
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    return memory >= k_large && name.find("a100") == std::string::npos ? 1024 : 256;
  }

  std::vector<std::string> arguments(const ModelSpec&, const Placement& placement, const RunSettings& settings,
                                     const std::string& model_path) const override {
    return serving_arguments({"serve", model_path}, k_flags, placement, settings);
  }

  std::string_view command_heading() const override { return "vLLM command lines"; }

  std::vector<std::string> apply_defaults(RunSettings& s, const SettingsGiven& given, const EngineOptions& options,
                                          Bytes) const override {
    serving_defaults(s, given, k_vllm_profile_tokens);
    return {fmt::format("vllm: --gpu-memory-utilization {:.2f}; the KV cache takes the rest, in {}-token blocks",
                        utilization_percent(options) / 100.0, k_vllm_block_tokens)};
  }

  DeviceBudget budget(const GpuSpec&, DeviceBudget b, const EngineOptions& options) const override {
    const std::uint32_t percent = utilization_percent(options);
    const Bytes allowed = b.total_bytes / 100 * percent;
    // The CUDA context counts against the utilization budget (non-torch memory).
    b.usable_bytes = allowed > b.reserve_bytes ? allowed - b.reserve_bytes : 0;
    b.basis =
        fmt::format("vLLM {}% of {} MiB - context {} MiB", percent, b.total_bytes / k_mib, b.reserve_bytes / k_mib);
    return b;
  }

  // Every weight stays on the GPUs (the token embeddings too), then the
  // activation estimate; the rest is a paged cache that one request must fit.
  EngineVerdict evaluate(const Scenario& s) const override {
    return paged_verdict(EngineRules::evaluate(s), s, vllm_activation(s.spec), k_vllm_block_tokens);
  }
};

}  // namespace

const EngineRules& vllm() {
  static const Vllm k_engine;
  return k_engine;
}

}  // namespace builtin_engines

VllmCapacity vllm_capacity(const ModelSpec& spec, const RunSettings& settings, Bytes available_bytes,
                           std::uint64_t page_tokens) {
  page_tokens = std::max<std::uint64_t>(page_tokens, 1);
  VllmCapacity c;
  c.available_bytes = available_bytes;
  // vLLM caches in the model's dtype (2 bytes) or fp8 (1 byte); our q8_0 maps to fp8.
  const Bytes element = settings.type_k == GgmlType::q8_0 || settings.type_k == GgmlType::q4_0 ? 1 : 2;
  for (std::uint32_t il = 0; il < spec.n_layer; ++il) {
    if (spec.kind(il) == LayerKind::recurrent) {
      continue;
    }
    // Sliding-window layers get pages of the same size as full-attention ones.
    c.kv_bytes_per_token =
        checked_add(c.kv_bytes_per_token,
                    checked_mul(spec.n_embd_k_gqa(il) + spec.n_embd_v_gqa(il), element, "vLLM KV"), "vLLM KV");
  }
  RunSettings one = settings;
  one.n_seq = 1;
  c.state_bytes_per_request = recurrent_state_size(spec, one).total_bytes();
  const std::uint64_t ctx = settings.context_tokens == 0 ? spec.n_ctx_train : settings.context_tokens;
  c.request_tokens = (ctx + page_tokens - 1) / page_tokens * page_tokens;
  const Bytes block = checked_mul(c.kv_bytes_per_token, page_tokens, "KV page");
  if (block > 0) {
    c.cached_tokens = available_bytes / block * page_tokens;
  }
  const Bytes per_request = checked_add(checked_mul(c.kv_bytes_per_token, c.request_tokens, "vLLM request"),
                                        c.state_bytes_per_request, "vLLM request");
  c.max_concurrency = per_request > 0 ? available_bytes / per_request : 0;
  c.concurrency = per_request > 0 ? static_cast<double>(available_bytes) / static_cast<double>(per_request) : 0.0;
  return c;
}

Estimate vllm_activation(const ModelSpec& spec) {
  constexpr Bytes k_bf16 = 2;
  constexpr Bytes k_max_seqs = 256;
  constexpr Bytes k_cuda_graphs = 512 * k_mib;
  const Bytes tokens = k_vllm_profile_tokens;
  Bytes kv_width = 0;
  for (std::uint32_t il = 0; il < spec.n_layer; ++il) {
    kv_width = std::max(kv_width, spec.n_embd_k_gqa(il) + spec.n_embd_v_gqa(il));
  }
  const Bytes q_width = Bytes{spec.n_head} * std::max(spec.n_embd_head_k, spec.n_embd_head_v);
  const Bytes attention = tokens * (q_width + kv_width + spec.n_embd) * k_bf16;
  Bytes ffn = tokens * spec.n_ff * 3 * k_bf16;
  if (spec.moe) {
    ffn = std::max(ffn, tokens * Bytes{spec.moe->n_expert_used} * spec.moe->n_ff_exp * 3 * k_bf16);
  }
  const Bytes logits = k_max_seqs * spec.n_vocab * 4;
  const Bytes peak = std::max({attention, ffn, logits}) + tokens * spec.n_embd * k_bf16 * 2 + k_cuda_graphs;
  return Estimate{peak, peak / 2, peak + peak / 2};
}

}  // namespace vramfit
