#pragma once

// Inference engines: their documented defaults, how much of a GPU they let a
// model use, how they lay memory out, and the command line that realizes a
// placement. Each engine implements EngineRules in src/plan/engines/; the
// report, the what-if ladder and the renderers only call the interface, so a
// new engine is one file and one line in the registry (src/plan/engine.cpp).
//
//   llama.cpp     llama-cli / the library: one sequence; the settings as given.
//   llama-server  -np auto = 4 slots sharing one unified KV cache of n_ctx cells.
//   ollama        context by VRAM, f16 cache without flash attention, a minimum
//                 free memory per GPU, OLLAMA_* variables.
//   vllm          --gpu-memory-utilization of the total, a paged KV cache of
//                 what is left after weights and activations.
//   sglang        --mem-fraction-static of the free memory for weights and a
//                 token-granular KV pool; activations outside it.
//   mlx           mlx-lm on Apple silicon: its own 4/8-bit conversions, the
//                 whole model and a 16-bit cache in the Metal working set.

#include "vramfit/input/catalog.hpp"
#include "vramfit/memory/device.hpp"
#include "vramfit/memory/estimate.hpp"
#include "vramfit/memory/kv_cache.hpp"
#include "vramfit/memory/run_settings.hpp"
#include "vramfit/model/model.hpp"
#include "vramfit/plan/placement.hpp"
#include "vramfit/support/bytes.hpp"

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vramfit {

/// Which settings the user gave explicitly (the engine's defaults fill the rest).
struct SettingsGiven {
  bool context = false;
  bool type_k = false;
  bool type_v = false;
  bool flash_attn = false;
  bool n_seq = false;
  bool kv_unified = false;
  bool n_ubatch = false;

  /// Either cache type was given.
  bool cache_type() const { return type_k || type_v; }
};

/// What an engine reads beyond the settings: environment variables by name
/// (the CLI passes those the engine lists) and a memory fraction
/// (--gpu-memory-utilization).
struct EngineOptions {
  std::map<std::string, std::string, std::less<>> environment;
  std::optional<double> memory_fraction;
};

/// vLLM's paged KV cache for one configuration.
struct VllmCapacity {
  Bytes kv_bytes_per_token = 0;       ///< every attention layer, sliding-window ones at full size
  Bytes state_bytes_per_request = 0;  ///< recurrent state of one request (hybrid models)
  Bytes available_bytes = 0;          ///< what is left for the cache after weights and activations
  std::uint64_t cached_tokens = 0;    ///< tokens the cache holds (whole blocks)
  std::uint64_t request_tokens = 0;   ///< tokens per request (the context, in whole blocks)
  std::uint64_t max_concurrency = 0;  ///< whole requests of request_tokens served at once
  double concurrency = 0;             ///< vLLM's "maximum concurrency ... : N.NNx" (cached / per request)
};

/// One configuration as an engine evaluates it: the model, its weights per
/// block, the cache geometry at one context, the GPUs and the offload asked for.
struct Scenario {
  const ModelSpec& spec;
  const LayerWeights& weights;
  Bytes host_weights_bytes = 0;  ///< token_embd (vLLM keeps it on the GPU)
  const RunSettings& settings;   ///< context_tokens is the context evaluated
  const KvCacheSize& kv;
  const RecurrentStateSize& state;
  const std::vector<GpuSpec>& gpus;
  const std::vector<DeviceBudget>& budgets;
  Offload offload;
  Companions companions;  ///< a draft model's and a projector's loads beside the model
};

/// What an engine says about one scenario's device memory.
struct EngineVerdict {
  Placement placement;           ///< where everything goes (llama.cpp's split; vLLM: every weight on the GPUs)
  MemoryBreakdown memory;        ///< what the GPUs hold, summed
  ComputeEstimate estimate;      ///< the estimated terms with their ranges, summed
  Bytes total_low_bytes = 0;     ///< total with the estimates at the low end of their range
  Bytes total_high_bytes = 0;    ///< ... and at the high end
  ByteDelta headroom_bytes = 0;  ///< the tightest GPU's usable minus its total
  bool fits = false;
  bool marginal = false;             ///< the verdict could flip within the estimates' range
  std::optional<VllmCapacity> vllm;  ///< the paged cache, for engines that page it
};

/// An inference engine's rules.
/// A change to the configuration, for advice in the engine's own terms.
struct Change {
  std::optional<GgmlType> cache_type;     ///< K and V cache type
  bool flash_attn = false;                ///< turn flash attention on
  std::optional<std::uint32_t> parallel;  ///< parallel requests
  std::optional<std::uint64_t> context;   ///< tokens per request
  std::optional<Offload> offload;         ///< layers / experts on the host
  std::optional<std::string> quant;       ///< another quantization
  bool drop_draft = false;                ///< run without the draft model
  bool draft_is_mtp = false;              ///< ... which is the model's MTP blocks (--spec-type draft-mtp)

  Change& with_cache(GgmlType t) { return cache_type = t, *this; }
  Change& with_flash_attn(bool on = true) { return flash_attn = on, *this; }
  Change& with_parallel(std::uint32_t n) { return parallel = n, *this; }
  Change& with_context(std::uint64_t tokens) { return context = tokens, *this; }
  Change& with_offload(const Offload& o) { return offload = o, *this; }
  Change& with_quant(std::string id) { return quant = std::move(id), *this; }
  Change& without_draft(bool mtp = false) { return drop_draft = true, draft_is_mtp = mtp, *this; }
};

class EngineRules {
public:
  virtual ~EngineRules() = default;

  /// The name --engine takes and outputs print ("llama.cpp", "ollama").
  virtual std::string_view name() const noexcept = 0;
  /// Other spellings --engine accepts (case-insensitive).
  virtual std::vector<std::string_view> aliases() const { return {}; }
  /// Environment variables the engine reads; the CLI passes their values.
  virtual std::vector<std::string_view> environment_variables() const { return {}; }
  /// Whether --gpu-memory-utilization means something to it.
  virtual bool takes_memory_fraction() const { return false; }

  /// Fills the engine's defaults into `settings` where `given` says the user
  /// did not choose; `vram_bytes` is the first GPU's memory. Returns notes
  /// describing what it decided. Throws UsageError for settings or an
  /// environment it cannot run.
  virtual std::vector<std::string> apply_defaults(RunSettings& settings, const SettingsGiven& given,
                                                  const EngineOptions& options, Bytes vram_bytes) const = 0;
  /// The context the runner allocates for `per_request` tokens per request
  /// (Ollama: num_ctx x OLLAMA_NUM_PARALLEL); notes say so when it differs.
  virtual std::uint64_t runner_context(std::uint64_t per_request, const RunSettings& settings) const;
  /// The per-request context of a runner context (the inverse of runner_context).
  virtual std::uint64_t request_context(std::uint64_t runner, const RunSettings& settings) const;
  /// The budget of a GPU under this engine.
  virtual DeviceBudget budget(const GpuSpec& gpu, DeviceBudget budget, const EngineOptions& options) const;

  /// Whether it loads `q`'s files: GGUF (llama.cpp's recipes and published
  /// families) by default; vLLM and SGLang also the safetensors formats.
  virtual bool loads(const QuantSpec& q) const { return q.kind != QuantKind::format; }
  /// Whether a table without --quant lists `q`: the files the engine's users run.
  virtual bool lists(const QuantSpec& q) const { return loads(q); }

  /// Whether it places layers like llama.cpp (-ngl, --n-cpu-moe, offload plans).
  virtual bool offloads() const { return true; }
  /// The most requests a paged engine runs at once beside what its cache
  /// holds: `asked` (--parallel: vLLM's --max-num-seqs, SGLang's
  /// --max-running-requests) or its default for `gpu` and `pool`. Nothing for
  /// engines whose slots are what --parallel allocates (llama.cpp, Ollama).
  virtual std::optional<std::uint32_t> sequence_limit(const GpuSpec& gpu, const VllmCapacity& pool,
                                                      std::optional<std::uint32_t> asked) const;
  /// Why it takes no draft model (--model-draft), or nothing when it does.
  virtual std::optional<std::string_view> no_draft_reason() const { return std::nullopt; }
  /// Device memory of one scenario: llama.cpp's placement unless the engine lays memory out otherwise.
  virtual EngineVerdict evaluate(const Scenario& scenario) const;
  /// The program and arguments that realize `placement` (llama-server's by default).
  virtual std::vector<std::string> arguments(const ModelSpec& spec, const Placement& placement,
                                             const RunSettings& settings, const std::string& model_path) const;
  /// The program the arguments are for.
  virtual std::string_view program() const { return "llama-server"; }
  /// How the engine's user asks for `change` (llama.cpp's flags by default:
  /// "--cache-type q8_0 --n-cpu-moe 4").
  virtual std::string describe(const ModelSpec& spec, const Change& change) const;
  /// The line that realizes `placement` for the user to copy (the program and
  /// its arguments by default), and what the lines are.
  virtual std::string command(const ModelSpec& spec, const Placement& placement, const RunSettings& settings,
                              const std::string& model_path) const;
  virtual std::string_view command_heading() const {
    return "llama.cpp command lines (the model file name is the quant's usual one)";
  }
};

/// llama.cpp's flags for an offload: "-ngl 30", "--n-cpu-moe 6", "-ot exps=CPU".
std::vector<std::string> offload_flags(const ModelSpec& spec, const Offload& offload);

/// Every engine, in the order --help lists them.
std::span<const EngineRules* const> engines() noexcept;

/// The engine named `text` (its name or an alias, case-insensitive); throws
/// UsageError listing the engines when there is none.
const EngineRules& find_engine(std::string_view text);

/// The llama.cpp library's own rules, the default engine.
const EngineRules& default_engine() noexcept;

/// vLLM's default --gpu-memory-utilization, in percent.
inline constexpr std::uint32_t k_vllm_default_utilization_percent = 90;
/// vLLM's KV cache block size, tokens.
inline constexpr std::uint64_t k_vllm_block_tokens = 16;
/// vLLM's default max_num_batched_tokens for a server (the profiled batch).
inline constexpr std::uint32_t k_vllm_profile_tokens = 2048;
/// Ollama keeps this much free on each CUDA or ROCm GPU.
inline constexpr Bytes k_ollama_minimum_free_bytes = 457 * k_mib;

/// vLLM's non-cache memory beyond the weights, as its profiling run sees it:
/// the peak BF16 activation of a max_num_batched_tokens (2048) batch (the
/// attention projections, the FFN or active experts), FP32 logits for up to
/// 256 sequences, plus CUDA graph capture (512 MiB). An estimate, +-50%.
Estimate vllm_activation(const ModelSpec& spec);

/// A paged cache's geometry for `spec` at `settings` (cache dtype from the
/// cache type: f16/bf16 2 bytes, q8_0 as fp8 1 byte) with `available_bytes`
/// left, in pages of `page_tokens` (vLLM 16, SGLang 1).
VllmCapacity vllm_capacity(const ModelSpec& spec, const RunSettings& settings, Bytes available_bytes,
                           std::uint64_t page_tokens = k_vllm_block_tokens);

/// SGLang's default --mem-fraction-static, in thousandths, for a GPU of
/// `total_bytes` (as nvidia-smi reports it) at tensor parallelism `tp`:
/// 0.833 on a 24 GiB card, 0.830 on an 80 GB H100 (server_args.py).
std::uint32_t sglang_default_fraction_permille(Bytes total_bytes, std::uint32_t tp);

}  // namespace vramfit
