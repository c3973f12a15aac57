#pragma once

// Inference engines and their documented defaults and allocation rules. Every
// rule names its source; docs/ESTIMATES.md collects them.
//
//   llama.cpp     llama-cli / the library: one sequence; the settings as given.
//   llama-server  -np auto = 4 slots sharing one unified KV cache of n_ctx cells
//                 (tools/server/server.cpp: "n_parallel is set to auto, using
//                 n_parallel = 4 and kv_unified = true").
//   ollama        default context by VRAM: < 24 GiB 4k, 24-48 GiB 32k, >= 48 GiB
//                 256k (ollama docs/context-length.mdx); f16 KV cache unless
//                 OLLAMA_KV_CACHE_TYPE, which needs OLLAMA_FLASH_ATTENTION=1
//                 (ollama docs/faq.md); 457 MiB kept free on each CUDA/ROCm GPU
//                 (ollama discover: cudaMinimumMemory / rocmMinimumMemory);
//                 OLLAMA_NUM_PARALLEL default 1.
//   vllm          --gpu-memory-utilization 0.9 of the total (vLLM engine args);
//                 the KV cache takes whatever is left after weights and the
//                 profiled activations, in blocks of 16 tokens; sliding-window
//                 layers take full-size pages; "maximum concurrency" = cached
//                 tokens / tokens per request.

#include "vramfit/support/bytes.hpp"
#include "vramfit/memory/device.hpp"
#include "vramfit/memory/estimate.hpp"
#include "vramfit/memory/kv_cache.hpp"
#include "vramfit/model/model.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vramfit {

enum class Engine : std::uint8_t { llama_cpp, llama_server, ollama, vllm };

/// "llama.cpp", "llama-server", "ollama", "vllm".
std::string_view name(Engine engine) noexcept;
/// Parses an engine name (case-insensitive; "llamacpp", "llama-cpp" too).
std::optional<Engine> engine_from_name(std::string_view text);

/// Ollama keeps this much free on each CUDA or ROCm GPU.
inline constexpr Bytes k_ollama_minimum_free_bytes = 457 * k_mib;
/// vLLM's default --gpu-memory-utilization, in percent.
inline constexpr std::uint32_t k_vllm_default_utilization_percent = 90;
/// vLLM's KV cache block size, tokens.
inline constexpr std::uint64_t k_vllm_block_tokens = 16;
/// vLLM's default max_num_batched_tokens for a server (the profiled batch).
inline constexpr std::uint32_t k_vllm_profile_tokens = 2048;

/// Which settings the user gave explicitly (the engine's defaults fill the rest).
struct SettingsGiven {
  bool context = false;
  bool cache_type = false;
  bool flash_attn = false;
  bool n_seq = false;
  bool kv_unified = false;
  bool n_ubatch = false;
};

/// The environment variables Ollama reads that change memory.
struct OllamaEnvironment {
  std::optional<std::string> kv_cache_type;    ///< OLLAMA_KV_CACHE_TYPE
  std::optional<bool> flash_attention;         ///< OLLAMA_FLASH_ATTENTION
  std::optional<std::uint64_t> context_length; ///< OLLAMA_CONTEXT_LENGTH
  std::optional<std::uint32_t> num_parallel;   ///< OLLAMA_NUM_PARALLEL
  std::optional<Bytes> gpu_overhead;           ///< OLLAMA_GPU_OVERHEAD (bytes)
};

/// Fills the engine's defaults into `settings` where `given` says the user did
/// not choose; `vram_bytes` is the first GPU's memory (Ollama's context
/// default). Returns notes describing what the engine decided. Throws
/// UsageError for settings the engine cannot run.
std::vector<std::string> apply_engine_defaults(Engine engine, RunSettings& settings, const SettingsGiven& given,
                                               const OllamaEnvironment& ollama, Bytes vram_bytes,
                                               std::uint32_t vllm_utilization_percent);

/// The budget of a GPU under `engine`: Ollama keeps its minimum free memory
/// (and OLLAMA_GPU_OVERHEAD) aside; vLLM may use utilization x total.
DeviceBudget engine_budget(Engine engine, const GpuSpec& gpu, DeviceBudget budget, const OllamaEnvironment& ollama,
                           std::uint32_t vllm_utilization_percent);

/// vLLM's paged KV cache for one configuration.
struct VllmCapacity {
  Bytes kv_bytes_per_token = 0;    ///< every attention layer, sliding-window ones at full size
  Bytes state_bytes_per_request = 0;  ///< recurrent state of one request (hybrid models)
  Bytes available_bytes = 0;       ///< what is left for the cache after weights and activations
  std::uint64_t cached_tokens = 0;   ///< tokens the cache holds (whole blocks)
  std::uint64_t request_tokens = 0;  ///< tokens per request (the context, in whole blocks)
  std::uint64_t max_concurrency = 0;  ///< whole requests of request_tokens served at once
  double concurrency = 0;             ///< vLLM's "maximum concurrency ... : N.NNx" (cached / per request)
};

/// vLLM's non-cache memory beyond the weights, as its profiling run sees it:
/// the peak BF16 activation of a max_num_batched_tokens (2048) batch (the
/// attention projections, the FFN or active experts), FP32 logits for up to
/// 256 sequences, plus CUDA graph capture (512 MiB). An estimate, +-50%.
Estimate vllm_activation(const ModelSpec& spec);

/// vLLM's cache geometry for `spec` at `settings` (cache dtype from the cache
/// type: f16/bf16 2 bytes, q8_0 as fp8 1 byte) with `available_bytes` left.
VllmCapacity vllm_capacity(const ModelSpec& spec, const RunSettings& settings, Bytes available_bytes);

} // namespace vramfit
