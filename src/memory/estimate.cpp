// The estimation rules, all in one place. Each constant says where it came
// from; docs/ESTIMATES.md has the data behind the calibration.

#include "vramfit/memory/estimate.hpp"

#include <algorithm>
#include <cmath>

namespace vramfit {
namespace {

constexpr Bytes k_f32 = 4;
constexpr Bytes k_f16 = 2;

// Activations alive beside the phase's big tensor, in units of
// n_ubatch x width F32 values (width: max(n_embd, n_head x head_dim) for
// attention, n_embd beside the logits), per backend. Calibrated on llama.cpp
// logs (docs/ESTIMATES.md):
//  - without flash attention, beside the scores: CUDA 7 rows (Phi-3 RTX 3070
//    150 MiB; Llama 8B GTX 1080 560 MiB; Pythia V100 162 MiB; Qwen3-30B-A3B
//    2x CUDA 1080 MiB; Command-R 672 MiB), CPU 1/4 row (Llama 8B 258.5 MiB);
//  - with flash attention, beside the logits: CUDA/ROCm 1 row (Qwen3.6-27B
//    495 MiB, Qwen3-Coder-30B 300.75 MiB, Qwen3-8B ROCm 304.75 MiB), CPU 2 rows
//    (Gemma 2 2B 509 MiB; Qwen3-8B F16 312.75 MiB measured here), Metal 5 rows
//    (gpt-oss-20b M5 420.08 MiB). Vulkan and SYCL reuse Metal's and CUDA's
//    figures for want of logs.
struct BackendRows {
  Bytes attention_x4;  // rows beside the attention scores, in quarters
  Bytes logits;        // rows beside the logits
};

BackendRows rows_for(Backend b) {
  switch (b) {
    case Backend::cuda:
    case Backend::rocm:
    case Backend::sycl:
      return {28, 1};
    case Backend::cpu:
      return {1, 2};
    case Backend::metal:
    case Backend::vulkan:
      return {28, 5};
  }
  return {28, 1};
}

// The compute buffer estimate claims +-25% (the calibration logs land within
// -7%..+2%).
constexpr Bytes k_compute_range_percent = 25;

// Backend scratch outside llama.cpp's buffers on CUDA/ROCm: the cuBLAS
// workspace and the pool's quantized-activation buffers. A round figure, not
// a measurement; the range is 0 to twice it.
constexpr Bytes k_gpu_scratch_bytes = 32 * k_mib;

// Driver/runtime context when the catalog has no measurement for the card:
// PyTorch maintainers report 300-400 MB of CUDA context since CUDA 11.7's
// lazy loading (pytorch/pytorch #107667, #109888); measured 107 MiB (RTX 4060
// Ti) to 555 MiB (RTX PRO 6000) in ggml-org/llama.cpp PR #23604. The ROCm,
// Vulkan and SYCL figures reuse the CUDA one for want of measurements.
constexpr Bytes k_default_gpu_context_reserve = 300 * k_mib;

// GGUF metadata: a token costs its string (8-byte length + UTF-8 bytes) plus
// an int32 token type, a SentencePiece token also a float score; a BPE merge
// costs its string. The average string lengths (8.5 bytes per token, 10.5 per
// merge) and the 10 KiB of other keys (architecture keys, chat template) were
// fitted to two published files whose tensor bytes are known exactly
// (Llama-3.1-8B Q4_K_M: 7,840,928 metadata bytes; Qwen3-8B Q4_K_M: 5,956,416).
constexpr Bytes k_token_bytes_x2 = 2 * (8 + 4) + 17;  // (12 + 8.5) x 2
constexpr Bytes k_merge_bytes_x2 = 2 * 8 + 21;        // (8 + 10.5) x 2
constexpr Bytes k_score_bytes = 4;
constexpr Bytes k_other_metadata_bytes = 10 * k_kib;
constexpr Bytes k_gguf_header_bytes = 4 + 4 + 8 + 8;  // magic, version, tensor count, kv count
constexpr Bytes k_gguf_alignment = 32;

Estimate with_range(Bytes bytes, Bytes percent) {
  return Estimate{bytes, bytes - bytes * percent / 100, bytes + bytes * percent / 100};
}

}  // namespace

ProjectorCompute estimate_projector_compute(bool flash_attn, bool on_gpu) {
  // The logs' figures, ranges from a quarter to two and a half times them.
  const auto around = [](Bytes mib_x100) {
    const Bytes bytes = mib_x100 * k_mib / 100;
    return Estimate{bytes, bytes / 4, bytes * 5 / 2};
  };
  ProjectorCompute c;
  c.device = flash_attn ? around(24810) : around(55858);
  if (on_gpu) {
    c.host = around(2493);
  }
  return c;
}

ComputeEstimate estimate_compute(const ModelSpec& spec, const RunSettings& settings, const KvCacheSize& kv,
                                 Backend backend, bool partial_offload) {
  // The geometry the cache was sized with (kv_cache_size() under the same settings).
  const auto& layout = kv.layout;
  const Bytes n_tok = layout.n_ubatch;
  const Bytes n_stream = std::max<Bytes>(1, layout.n_stream);
  // Cells one stream attends to in the widest layer.
  const Bytes n_kv = kv.full_layers > 0 ? kv.full_cells / n_stream : kv.swa_layers > 0 ? kv.swa_cells / n_stream : 0;

  const Bytes q_width = spec.mla ? Bytes{spec.n_head} * (spec.mla->qk_nope_head_dim + spec.mla->qk_rope_head_dim)
                                 : Bytes{spec.n_head} * spec.n_embd_head_k;
  const Bytes width = std::max<Bytes>(spec.n_embd, q_width);

  const auto rows = rows_for(backend);
  // Output phase: logits for every output of the ubatch (every token unless
  // n_outputs_max says fewer: llama_context reserves min(n_tokens,
  // n_outputs_max)) plus the hidden states beside them.
  const Bytes n_out = settings.n_outputs_max == 0 ? n_tok : std::min<Bytes>(n_tok, settings.n_outputs_max);
  const Bytes logits_only = checked_mul(checked_mul(n_out, spec.n_vocab, "logits"), k_f32, "logits");
  const Bytes logits = checked_add(logits_only, rows.logits * n_tok * spec.n_embd * k_f32, "logits");
  // Attention phase: without flash attention the F32 score matrix dominates.
  Bytes activations = rows.attention_x4 * n_tok * width * k_f32 / 4;
  if (spec.mla) {
    // Absorbed MLA attends in the latent: per token and head the query of
    // kv_lora + rope values, the latent output and its projection stay live
    // (deepseek-v3 blocks on the CPU backend, n_ubatch 512: 412 / 424 MiB
    // logged with flash attention at 4K / 16K cells, this rule 400 MiB).
    activations = checked_mul(checked_mul(n_tok, Bytes{spec.n_head}, "MLA attention"),
                              (3 * spec.mla->kv_lora_rank + spec.mla->qk_rope_head_dim) * k_f32, "MLA attention");
  }
  const auto scores = [&](Bytes cells) {
    return checked_mul(checked_mul(cells, n_tok, "attention scores"), Bytes{spec.n_head} * k_f32, "attention scores");
  };
  Bytes attention = activations;
  if (!settings.flash_attn && n_kv > 0) {
    attention = checked_add(attention, scores(n_kv), "attention scores");
  }
  // FFN phase: gate, up and their product (routed experts: per active expert, plus routing).
  Bytes ffn = n_tok * spec.n_ff * k_f32 * 3;
  if (spec.moe) {
    const Bytes experts = n_tok * Bytes{spec.moe->n_expert_used} * spec.moe->n_ff_exp * k_f32 * 3 +
                          n_tok * Bytes{spec.moe->n_expert} * k_f32 * 2;
    ffn = std::max(ffn, experts);
  }
  Bytes compute = std::max({logits, attention, ffn});
  // A graph split by partial offload on Vulkan keeps the full-attention and
  // sliding-window score matrices and the logits apart (gpt-oss-20b, M2 Pro,
  // --n-cpu-moe 14: 985.2 MiB logged, this rule 984.8 MiB; a single log).
  if (partial_offload && backend == Backend::vulkan && !settings.flash_attn && n_kv > 0) {
    const Bytes swa = kv.swa_layers > 0 && kv.full_layers > 0 ? scores(kv.swa_cells / n_stream) : 0;
    compute = checked_add(checked_add(scores(n_kv), swa, "compute"), logits_only, "compute");
  }

  Bytes overhead = 0;
  if (backend == Backend::cuda || backend == Backend::rocm) {
    overhead = k_gpu_scratch_bytes;
    // Flash attention over a quantized cache converts the layer's K and V to
    // F16 in the backend pool during prompt processing (ggml-cuda fattn).
    if (settings.flash_attn && n_kv > 0 && (is_quantized(settings.type_k) || is_quantized(settings.type_v))) {
      const Bytes widest = kv.widest_quantized;
      overhead =
          checked_add(overhead, checked_mul(checked_mul(n_kv, widest, "F16 conversion"), k_f16, "F16 conversion"),
                      "backend scratch");
    }
  }
  ComputeEstimate out;
  out.compute_buffer = with_range(compute, k_compute_range_percent);
  out.overhead = Estimate{overhead, overhead > k_gpu_scratch_bytes ? overhead - k_gpu_scratch_bytes : 0,
                          checked_add(overhead, overhead == 0 ? 0 : k_gpu_scratch_bytes, "backend scratch")};
  return out;
}

Bytes estimate_gguf_metadata_bytes(const ModelSpec& spec, const std::vector<TensorSpec>& inventory) {
  Bytes bytes = k_gguf_header_bytes + k_other_metadata_bytes;
  for (const auto& t : inventory) {
    // name (u64 length + bytes), n_dims (u32), dims (u64 each), type (u32), offset (u64)
    bytes = checked_add(bytes, 8 + t.name.size() + 4 + 8 * Bytes{t.n_dims} + 4 + 8, "GGUF metadata");
  }
  const Bytes per_token_x2 = k_token_bytes_x2 + (spec.tokenizer.has_scores ? 2 * k_score_bytes : 0);
  bytes = checked_add(bytes, checked_mul(spec.n_vocab, per_token_x2, "GGUF metadata") / 2, "GGUF metadata");
  // Without a known merge count, assume one merge per token (a BPE vocabulary's usual size).
  const Bytes merges = spec.tokenizer.has_scores ? 0 : spec.tokenizer.n_merges.value_or(spec.n_vocab);
  bytes = checked_add(bytes, checked_mul(merges, k_merge_bytes_x2, "GGUF metadata") / 2, "GGUF metadata");
  return checked_pad(bytes, k_gguf_alignment, "GGUF metadata");
}

Bytes default_context_reserve_bytes(Backend backend) noexcept {
  switch (backend) {
    case Backend::cuda:
    case Backend::rocm:
    case Backend::vulkan:
    case Backend::sycl:
      return k_default_gpu_context_reserve;
    case Backend::metal:
    case Backend::cpu:
      return 0;
  }
  return 0;
}

Bytes default_apple_working_set_bytes(Bytes ram_bytes) noexcept {
  // recommendedMaxWorkingSetSize as ggml_metal_init prints it on macOS <= 15
  // (reference/apple-working-set.md, public llama.cpp and Ollama logs): exactly
  // 2/3 of RAM up to 32 GB (8 -> 5461, 16 -> 10923, 24 -> 16384, 32 -> 21845 MiB)
  // and 3/4 from 36 GB up (36 -> 27648, 48 -> 36864, 64 -> 49152, 96 -> 73728,
  // 128 -> 98304 MiB). macOS 26 prints more (16 GB -> 12124 MiB, 24 -> 18186,
  // 32 -> 25559); a catalog entry's measured working_set_bytes takes precedence.
  return ram_bytes <= 32 * k_gib ? ram_bytes / 3 * 2 : ram_bytes / 4 * 3;
}

std::optional<Bytes> apple_working_set_macos26_bytes(Bytes ram_bytes) noexcept {
  // recommendedMaxWorkingSetSize printed by ggml_metal_device_init on macOS 26
  // (MTLGPUFamilyMetal4 (5002)), reference/apple-working-set.md: 16 GB (M2
  // MacBook Air, also M4, M3, M1 Pro, M1) 12713.12 MB; 24 GB (M5, M4) 19069.67 MB;
  // 32 GB (M4 iMac) 26800.60 MB; 128 GB (M5 Max, stock macOS 26) 107.52 GiB,
  // antirez/ds4 PRs #890/#893 (not a llama.cpp log). Printed in decimal MB with
  // two decimals: exact to 10 kB.
  constexpr Bytes k_mb_hundredth = 10000;
  if (ram_bytes % k_gib != 0) {
    return std::nullopt;
  }
  switch (ram_bytes / k_gib) {
    case 16:
      return Bytes{1271312} * k_mb_hundredth;
    case 24:
      return Bytes{1906967} * k_mb_hundredth;
    case 32:
      return Bytes{2680060} * k_mb_hundredth;
    case 128:
      return Bytes{10752} * k_gib / 100;
    default:
      return std::nullopt;
  }
}

namespace {

// Fraction of the memory bandwidth a decode step achieves, and the fixed cost
// per layer (kernel launches, synchronisation), per backend.
struct SpeedRule {
  double efficiency;
  double layer_seconds;
  double range;  ///< +- fraction of the tokens/s the rule claims
};

SpeedRule speed_rule(Backend backend) {
  // Fitted by bench/speed/fit.py on the fit part of bench/published (published
  // llama-bench tg rows, whole sources held out by a hash of their URL);
  // bench/speed/REPORT.md has the held-out error. The range is about twice the
  // median |error| with no machine of the fit seen (leave one repository out):
  // CUDA 10.4%, Metal 21.0%, ROCm 15.1%, Vulkan 27.0%.
  switch (backend) {
    case Backend::cuda:
      return {0.7849, 98.58e-6, 0.20};
    case Backend::metal:
      return {0.6378, 104.5e-6, 0.30};
    case Backend::rocm:
      return {0.6636, 87.47e-6, 0.25};
    case Backend::vulkan:
      return {0.6359, 90.07e-6, 0.35};
    case Backend::sycl:
      // 3 published rows: not fitted; the former all-GPU rule, a wide range.
      return {0.457, 82e-6, 0.40};
    case Backend::cpu:
      // No CPU rows in the data: host memory serving weights, an assumed rule.
      return {0.50, 10e-6, 0.40};
  }
  return {0.457, 82e-6, 0.40};
}

// The type families bench/speed/fit.py fits a factor for, from a quant's name.
enum class TypeFamily : std::uint8_t { k_quant, legacy, float16, mxfp4 };

TypeFamily type_family(std::string_view quant) {
  const auto starts = [&](std::string_view p) {
    return quant.substr(0, p.size()) == p;
  };
  if (starts("Q4_0") || starts("Q4_1") || starts("Q5_0") || starts("Q5_1") || starts("Q8_0")) {
    return TypeFamily::legacy;
  }
  if (starts("F16") || starts("BF16") || starts("F32")) {
    return TypeFamily::float16;
  }
  if (starts("MXFP4")) {
    return TypeFamily::mxfp4;
  }
  return TypeFamily::k_quant;  // K-quants, and IQ types (no rows of their own)
}

// Prompt processing per backend: the share of the FP16 tensor peak reached at
// a 100 TFLOPS GPU, the weight of attention FLOPs against matrix FLOPs, and the
// measured / predicted spread on held-out sources (10th and 90th percentile).
struct PrefillRule {
  double efficiency;
  double attention;
  double low;
  double high;
};

std::optional<PrefillRule> prefill_rule(Backend backend) {
  // bench/speed/constants.json "prefill_with_attention", fitted on the fit part
  // of bench/published (CUDA: 10 GPUs; ROCm and Vulkan: essentially one Strix
  // Halo under many builds, hence their width). Metal, SYCL and CPU had no or
  // too few rows with a known peak: no rule rather than a guess.
  switch (backend) {
    case Backend::cuda:
      return PrefillRule{0.4238, 1.343, 0.6209, 1.214};
    case Backend::rocm:
      return PrefillRule{0.1779, 0.8264, 0.2662, 1.849};
    case Backend::vulkan:
      return PrefillRule{0.1215, 1.119, 0.3601, 3.76};
    case Backend::metal:
    case Backend::sycl:
    case Backend::cpu:
      return std::nullopt;
  }
  return std::nullopt;
}

constexpr double k_prefill_size_exponent = -0.4018;  // fitted on CUDA's 10 GPUs (40-760 TFLOPS), shared
// Mixture-of-experts models reach this share of a dense model's rate (expert
// routing, each expert's small share of the batch); 203 MoE fit rows.
constexpr double k_prefill_moe_factor = 0.5052;
constexpr double k_prefill_reference_tflops = 100.0;

}  // namespace

std::optional<PrefillRange> prefill_range(Backend backend) {
  const auto rule = prefill_rule(backend);
  if (!rule) {
    return std::nullopt;
  }
  return PrefillRange{rule->low, rule->high};
}

double prefill_type_factor(std::string_view quant) {
  switch (type_family(quant)) {
    case TypeFamily::legacy:
      return 0.8557;
    case TypeFamily::float16:
      return 1.098;
    case TypeFamily::k_quant:
    case TypeFamily::mxfp4:  // too few rows
      return 1.0;
  }
  return 1.0;
}

std::optional<SpeedEstimate> estimate_prefill_speed(const std::vector<PrefillWork>& devices, std::uint32_t n_ubatch,
                                                    double type_factor, bool moe) {
  double seconds = 0;
  double low_seconds = 0;
  double high_seconds = 0;
  for (const auto& d : devices) {
    if (d.matmul_flops <= 0 && d.attention_flops <= 0 && d.host_weight_bytes == 0) {
      continue;
    }
    const auto rule = prefill_rule(d.backend);
    if (!rule || d.peak_tflops <= 0) {
      return std::nullopt;
    }
    const double rate = rule->efficiency * type_factor * (moe ? k_prefill_moe_factor : 1.0) *
                        std::pow(d.peak_tflops / k_prefill_reference_tflops, k_prefill_size_exponent) * d.peak_tflops *
                        1e12;
    const double compute = (d.matmul_flops + rule->attention * d.attention_flops) / rate;
    const double fetch = static_cast<double>(d.host_weight_bytes) / (k_default_link_gbps * 1e9) /
                         static_cast<double>(std::max<std::uint32_t>(n_ubatch, 1));
    seconds += compute + fetch;
    // measured = predicted x [low, high]: time divides by it; the fetch is an
    // assumption of its own and keeps its value
    low_seconds += compute / rule->high + fetch;
    high_seconds += compute / rule->low + fetch;
  }
  if (seconds <= 0) {
    return std::nullopt;
  }
  SpeedEstimate e;
  e.tokens_per_second = 1.0 / seconds;
  e.low = 1.0 / high_seconds;
  e.high = 1.0 / low_seconds;
  return e;
}

TimeEstimate time_to_first_token(std::uint64_t prompt_tokens, const SpeedEstimate& prefill,
                                 const SpeedEstimate& decode) {
  const auto at = [&](double pp, double tg) {
    return (pp > 0 ? static_cast<double>(prompt_tokens) / pp : 0.0) + (tg > 0 ? 1.0 / tg : 0.0);
  };
  TimeEstimate t;
  t.seconds = at(prefill.tokens_per_second, decode.tokens_per_second);
  t.low = at(prefill.high, decode.high);
  t.high = at(prefill.low, decode.low);
  return t;
}

TokenTraffic swap_traffic(Bytes needed_bytes, Bytes ram_bytes, Bytes bytes_per_token) {
  TokenTraffic t;
  t.backend = Backend::cpu;
  t.bandwidth_gbps = k_swap_bandwidth_gbps / speed_rule(Backend::cpu).efficiency;  // the SSD's rate, not derated
  const Bytes available = ram_bytes / 100 * (100 - k_unified_os_share_percent);
  if (needed_bytes > available && needed_bytes > 0) {
    const long double paged =
        static_cast<long double>(needed_bytes - available) / static_cast<long double>(needed_bytes);
    t.bytes = static_cast<Bytes>(paged * static_cast<long double>(bytes_per_token));
  }
  return t;
}

double decode_type_factor(std::string_view quant) {
  // Fitted with the backends' rules (bench/speed/constants.json) on GPU rows:
  // K-quants are the reference; legacy blocks dequantize faster, MXFP4 slower.
  // IQ types had no rows and keep 1. Host pools (no CPU rows) keep 1.
  switch (type_family(quant)) {
    case TypeFamily::legacy:
      return 1.172;
    case TypeFamily::float16:
      return 1.122;
    case TypeFamily::mxfp4:
      return 0.9038;
    case TypeFamily::k_quant:
      return 1.0;
  }
  return 1.0;
}

SpeedEstimate estimate_decode_speed(const std::vector<TokenTraffic>& pools, double type_factor) {
  double seconds = 0;
  double range = 0;
  for (const auto& p : pools) {
    if (p.bytes == 0 && p.layers == 0) {
      continue;
    }
    const auto rule = speed_rule(p.backend);
    const double bw = std::max(p.bandwidth_gbps, 1.0) * 1e9;
    const double t =
        static_cast<double>(p.bytes) / (bw * rule.efficiency * (p.backend == Backend::cpu ? 1.0 : type_factor)) +
        p.layers * rule.layer_seconds;
    seconds += t;
    range += rule.range * t;
  }
  SpeedEstimate e;
  if (seconds <= 0) {
    return e;
  }
  const double r = range / seconds;  // the pools' ranges, weighted by their time
  e.tokens_per_second = 1.0 / seconds;
  e.low = e.tokens_per_second * (1.0 - r);
  e.high = e.tokens_per_second * (1.0 + r);
  return e;
}

}  // namespace vramfit
