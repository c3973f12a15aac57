#include "vramfit/plan/engine.hpp"

#include "vramfit/support/error.hpp"
#include "vramfit/model/ggml_type.hpp"

#include "detail/text.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace vramfit {

std::string_view name(Engine engine) noexcept {
  switch (engine) {
    case Engine::llama_cpp:
      return "llama.cpp";
    case Engine::llama_server:
      return "llama-server";
    case Engine::ollama:
      return "ollama";
    case Engine::vllm:
      return "vllm";
  }
  return "llama.cpp";
}

std::optional<Engine> engine_from_name(std::string_view text) {
  const std::string t = detail::to_lower(text);
  if (t == "llama.cpp" || t == "llamacpp" || t == "llama-cpp" || t == "llama-cli") {
    return Engine::llama_cpp;
  }
  if (t == "llama-server" || t == "llama.cpp-server" || t == "server") {
    return Engine::llama_server;
  }
  if (t == "ollama") {
    return Engine::ollama;
  }
  if (t == "vllm") {
    return Engine::vllm;
  }
  return std::nullopt;
}

std::vector<std::string> apply_engine_defaults(Engine engine, RunSettings& s, const SettingsGiven& given,
                                               const OllamaEnvironment& ollama, Bytes vram_bytes,
                                               std::uint32_t vllm_utilization_percent) {
  std::vector<std::string> notes;
  switch (engine) {
    case Engine::llama_cpp:
      break;
    case Engine::llama_server:
      if (!given.n_seq) {
        s.n_seq = 4;
        if (!given.kv_unified) {
          s.kv_unified = true;
        }
        notes.push_back("llama-server: 4 slots (-np auto) sharing one unified KV cache of the context's cells");
      }
      break;
    case Engine::ollama: {
      if (!given.context) {
        if (ollama.context_length) {
          s.context_tokens = *ollama.context_length;
          notes.push_back(fmt::format("ollama: context {} from OLLAMA_CONTEXT_LENGTH", *ollama.context_length));
        } else {
          const std::uint64_t tokens = vram_bytes < 24 * k_gib ? 4096 : vram_bytes < 48 * k_gib ? 32768 : 262144;
          s.context_tokens = tokens;
          notes.push_back(fmt::format("ollama: default context {} for {} GiB of VRAM (< 24 GiB: 4k, 24-48: 32k, >= 48: 256k)",
                                      tokens, vram_bytes / k_gib));
        }
      }
      if (!given.n_seq) {
        s.n_seq = ollama.num_parallel.value_or(1);
      }
      if (!given.flash_attn) {
        s.flash_attn = ollama.flash_attention.value_or(false);
      }
      if (!given.cache_type) {
        GgmlType t = GgmlType::f16;
        if (ollama.kv_cache_type) {
          const auto parsed = ggml_type_from_name(*ollama.kv_cache_type);
          if (!parsed || (*parsed != GgmlType::f16 && *parsed != GgmlType::q8_0 && *parsed != GgmlType::q4_0)) {
            throw UsageError("OLLAMA_KV_CACHE_TYPE='" + ollama.kv_cache_type->substr(0, 16) +
                             "': Ollama accepts f16, q8_0 and q4_0");
          }
          if (s.flash_attn) {
            t = *parsed;
          } else {
            notes.push_back("ollama: OLLAMA_KV_CACHE_TYPE applies only with OLLAMA_FLASH_ATTENTION=1; the cache stays f16");
          }
        }
        s.type_k = s.type_v = t;
      }
      if (!given.n_ubatch) {
        s.n_ubatch = 512;
        s.n_batch = 512;  // Ollama's runner: --batch-size 512
      }
      break;
    }
    case Engine::vllm:
      if (!given.n_seq) {
        s.n_seq = 1;
      }
      if (!given.flash_attn) {
        s.flash_attn = true;
      }
      if (!given.n_ubatch) {
        s.n_ubatch = k_vllm_profile_tokens;
      }
      notes.push_back(fmt::format("vllm: --gpu-memory-utilization {:.2f}; the KV cache takes the rest, in {}-token blocks",
                                  vllm_utilization_percent / 100.0, k_vllm_block_tokens));
      break;
  }
  return notes;
}

DeviceBudget engine_budget(Engine engine, const GpuSpec& gpu, DeviceBudget b, const OllamaEnvironment& ollama,
                           std::uint32_t vllm_utilization_percent) {
  if (engine == Engine::ollama) {
    Bytes extra = ollama.gpu_overhead.value_or(0);
    if (gpu.backend == Backend::cuda || gpu.backend == Backend::rocm) {
      extra = checked_add(extra, k_ollama_minimum_free_bytes, "Ollama reserve");
    }
    if (extra > 0) {
      b.reserve_bytes = checked_add(b.reserve_bytes, extra, "Ollama reserve");
      b.usable_bytes = b.usable_bytes > extra ? b.usable_bytes - extra : 0;
      b.basis += fmt::format(" - Ollama minimum free {} MiB", extra / k_mib);
    }
  } else if (engine == Engine::vllm) {
    const Bytes allowed = b.total_bytes / 100 * vllm_utilization_percent;
    // The CUDA context counts against the utilization budget (non-torch memory).
    b.usable_bytes = allowed > b.reserve_bytes ? allowed - b.reserve_bytes : 0;
    b.basis = fmt::format("vLLM {}% of {} MiB - context {} MiB", vllm_utilization_percent, b.total_bytes / k_mib,
                          b.reserve_bytes / k_mib);
  }
  return b;
}

VllmCapacity vllm_capacity(const ModelSpec& spec, const RunSettings& settings, Bytes available_bytes) {
  VllmCapacity c;
  c.available_bytes = available_bytes;
  // vLLM caches in the model's dtype (2 bytes) or fp8 (1 byte); our q8_0 maps to fp8.
  const Bytes element = settings.type_k == GgmlType::q8_0 || settings.type_k == GgmlType::q4_0 ? 1 : 2;
  for (std::uint32_t il = 0; il < spec.n_layer; ++il) {
    if (spec.kind(il) == LayerKind::recurrent) {
      continue;
    }
    // Sliding-window layers get pages of the same size as full-attention ones.
    c.kv_bytes_per_token = checked_add(c.kv_bytes_per_token,
                                       checked_mul(spec.n_embd_k_gqa(il) + spec.n_embd_v_gqa(il), element, "vLLM KV"),
                                       "vLLM KV");
  }
  RunSettings one = settings;
  one.n_seq = 1;
  c.state_bytes_per_request = recurrent_state_size(spec, one).total_bytes();
  const std::uint64_t ctx = settings.context_tokens == 0 ? spec.n_ctx_train : settings.context_tokens;
  c.request_tokens = (ctx + k_vllm_block_tokens - 1) / k_vllm_block_tokens * k_vllm_block_tokens;
  const Bytes block = checked_mul(c.kv_bytes_per_token, k_vllm_block_tokens, "vLLM block");
  if (block > 0) {
    c.cached_tokens = available_bytes / block * k_vllm_block_tokens;
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

} // namespace vramfit
