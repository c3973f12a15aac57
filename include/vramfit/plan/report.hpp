#pragma once

// The main job: for a model, a set of quantizations, GPUs and contexts, what
// each configuration needs on the device and whether it fits. The CLI calls
// build_report() once and renders the result; nothing here prints.

#include "vramfit/support/bytes.hpp"
#include "vramfit/input/catalog.hpp"
#include "vramfit/input/file_weights.hpp"
#include "vramfit/memory/device.hpp"
#include "vramfit/plan/engine.hpp"
#include "vramfit/memory/estimate.hpp"
#include "vramfit/memory/kv_cache.hpp"
#include "vramfit/model/model.hpp"
#include "vramfit/plan/placement.hpp"
#include "vramfit/support/provenance.hpp"
#include "vramfit/model/quantize.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace vramfit {

/// Where a row's weight bytes come from.
enum class WeightsSource : std::uint8_t {
  published,  ///< a real file's size from the catalog
  predicted,  ///< the llama.cpp recipe applied to the architecture's tensors
  gguf,       ///< the tensor sizes of a GGUF file read from disk
};

/// "published", "predicted" or "gguf".
std::string_view name(WeightsSource source) noexcept;

/// What the device holds for one configuration. All bytes.
struct MemoryBreakdown {
  Bytes weights_bytes = 0;          ///< weights resident on the device
  Bytes kv_cache_bytes = 0;         ///< exact
  Bytes recurrent_state_bytes = 0;  ///< exact
  Bytes compute_buffer_bytes = 0;   ///< estimate
  Bytes overhead_bytes = 0;         ///< estimate

  /// Sum of the parts (checked).
  Bytes total_bytes() const;
};

/// One quantization of the model, independent of GPU and context.
struct QuantResult {
  std::string id;                ///< "Q4_K_M", "UD-Q4_K_XL"
  std::string description;
  WeightsSource source = WeightsSource::predicted;
  Provenance weights_provenance = Provenance::exact;  ///< of device_weights_bytes
  std::string recipe;            ///< the llama.cpp file type the prediction uses
  bool follows_recipe = true;    ///< false for published-only families: the prediction is of `recipe`, not of this file
  Bytes file_predicted_bytes = 0;  ///< predicted GGUF size: tensor data + metadata estimate
  std::optional<Bytes> file_published_bytes;
  std::string published_file;    ///< repo/file of the published size
  Bytes metadata_bytes = 0;      ///< the metadata estimate inside file_predicted_bytes
  Bytes device_weights_bytes = 0;  ///< weights on the GPU at full offload
  Bytes host_weights_bytes = 0;    ///< weights llama.cpp keeps in host memory (token_embd)
  WeightsBreakdown predicted;      ///< the recipe's per-type breakdown
};

/// One context length, independent of quantization and GPU.
struct ContextResult {
  std::uint64_t context_tokens = 0;  ///< requested tokens (the native context resolved)
  bool native = false;               ///< it is the model's native context
  ContextLayout layout;
  KvCacheSize kv;
  RecurrentStateSize state;
};

/// Where each term of a row comes from.
struct RowProvenance {
  Provenance weights = Provenance::exact;
  Provenance kv_cache = Provenance::exact;
  Provenance recurrent_state = Provenance::exact;
  Provenance compute_buffer = Provenance::estimate;
  Provenance overhead = Provenance::estimate;
  Provenance total = Provenance::estimate;     ///< includes the compute estimate
  Provenance headroom = Provenance::estimate;  ///< total and the device's usable memory
  Provenance usable = Provenance::estimate;    ///< driver reserve / working-set rule
};

/// One configuration: quant x GPU x context.
struct FitRow {
  std::size_t quant = 0;    ///< index into Report::quants
  std::size_t gpu = 0;      ///< index into Report::gpus
  std::size_t context = 0;  ///< index into Report::contexts
  MemoryBreakdown memory;
  ComputeEstimate estimate;
  ByteDelta headroom_bytes = 0;  ///< usable - total
  bool fits = false;             ///< headroom >= 0
  bool marginal = false;         ///< the verdict could flip within the estimate's range
  Bytes total_low_bytes = 0;     ///< total with the estimates at the low end of their range
  Bytes total_high_bytes = 0;    ///< ... and at the high end
  RowProvenance provenance;
  Placement placement;              ///< per GPU and host, as requested (full offload unless -ngl / --n-cpu-moe)
  std::optional<Placement> plan;    ///< when it does not fit: the offload that fits (partial, or CPU only)
  std::optional<bool> ram_fits;     ///< with --ram (or unified memory): the host's share fits in system memory
  std::optional<bool> plan_ram_fits;  ///< the same for the offload plan
  std::optional<std::uint64_t> max_context_tokens;  ///< the largest context that fits (multiple of 256, at most native; 0: none)
  std::optional<VllmCapacity> vllm;  ///< engine vllm: the paged cache left after weights and activations
  std::optional<SpeedEstimate> speed;  ///< decode tokens/s of the placement, or of the plan when it does not fit
  bool speed_of_plan = false;          ///< speed is the offload plan's
};

/// A row of the context ladder: what the context adds, and the largest
/// quantization that still fits on each GPU.
struct LadderRow {
  ContextResult context;
  std::vector<std::optional<std::size_t>> best_quant;  ///< per GPU, index into Report::quants
};

/// What to evaluate.
struct Request {
  std::string model;                    ///< catalog id or alias (ignored when model_spec is set)
  std::optional<CatalogModel> model_spec;  ///< a model that is not in the catalog (HF config, GGUF header)
  std::optional<FileWeights> file;      ///< the weights of a real file instead of predicted quants
  std::vector<std::string> notes;       ///< caveats from reading the input, carried into the report
  std::vector<std::string> gpus;        ///< catalog ids or aliases, at least one
  std::vector<std::string> quants;      ///< empty: every listed quant that applies
  bool all_quants = false;              ///< with quants empty: every quant that applies, listed or not
  std::vector<std::uint64_t> contexts;  ///< tokens; 0 = native; empty = the settings' context
  RunSettings settings;
  std::optional<std::uint32_t> n_cpu_moe;  ///< --n-cpu-moe: expert tensors of the first N layers stay in host memory
  std::optional<std::uint32_t> n_gpu_layers;  ///< -ngl: blocks on the GPUs (default: all and the output layer)
  std::optional<Bytes> ram_bytes;          ///< --ram: the host's system memory
  std::optional<Bytes> wired_limit_bytes;  ///< --wired-limit-mb: macOS iogpu.wired_limit_mb
  std::vector<std::uint64_t> ladder;    ///< ladder contexts; empty = 8K, 16K, 32K and native
  bool with_ladder = true;
  bool with_max_context = true;         ///< compute each row's largest fitting context
  Engine engine = Engine::llama_cpp;    ///< --engine: its defaults fill what `given` leaves open
  SettingsGiven given;                  ///< settings the user chose (all others: the engine's defaults)
  OllamaEnvironment ollama;             ///< OLLAMA_* variables (engine ollama)
  std::uint32_t vllm_utilization_percent = k_vllm_default_utilization_percent;
  double host_bandwidth_gbps = k_default_host_bandwidth_gbps;  ///< --host-bandwidth: RAM bandwidth for offloaded weights
  bool host_bandwidth_given = false;
};

/// One knob of the what-if ladder (whatif.hpp).
struct WhatIf {
  std::string knob;    ///< cache-type | flash-attn | parallel | context | expert-offload | layer-offload | quant
  std::string change;  ///< "--cache-type q8_0", "--context 40192", "--quant Q4_K_M", "--n-cpu-moe 14"
  ByteDelta saved_bytes = 0;  ///< GPU bytes saved against the configuration as asked (estimate)
  bool fits = false;          ///< that change alone makes it fit
  ByteDelta headroom_bytes = 0;  ///< headroom after the change
  std::optional<SpeedEstimate> speed;  ///< decode speed after the change
};

/// The finished report.
struct Report {
  CatalogModel model;                 ///< the model evaluated (a copy of the catalog entry, or the file's)
  std::vector<std::string> notes;     ///< caveats to print with the result (assumptions the input forced)
  std::string engine = "llama.cpp";
  RunSettings settings;
  double host_bandwidth_gbps = k_default_host_bandwidth_gbps;  ///< for offloaded weights' speed
  bool host_bandwidth_assumed = true;
  std::vector<GpuSpec> gpus;          ///< one column each: a GPU, or a group serving together (combined)
  std::vector<DeviceBudget> budgets;  ///< index-aligned with gpus (a group's: summed)
  std::vector<GpuGroup> groups;       ///< index-aligned with gpus: the GPUs of each column
  std::vector<QuantResult> quants;    ///< largest file first
  std::vector<ContextResult> contexts;
  std::vector<FitRow> rows;           ///< quant-major, then GPU, then context
  std::vector<LadderRow> ladder;
  std::vector<std::vector<WhatIf>> what_if;  ///< per row: the knobs that make it fit (attach_what_if; empty rows fit)

  /// The row for (quant, gpu, context) indices.
  const FitRow& row(std::size_t quant, std::size_t gpu, std::size_t context) const;
};

/// The largest context (a multiple of 256 cells, or the native context) at
/// which `q` fits `group` under `settings` and the request's offload; 0 when
/// not even 256 tokens fit.
std::uint64_t max_context_tokens(const ModelSpec& spec, const QuantResult& q, const GpuGroup& group,
                                 const Request& request, const RunSettings& settings);

/// max-context: for each quantization, GPU and cache type, the largest context that fits.
struct MaxContextRow {
  std::size_t quant = 0;  ///< index into Report::quants
  std::size_t gpu = 0;    ///< index into Report::gpus
  std::size_t cache = 0;  ///< index into MaxContextReport::caches
  std::uint64_t tokens = 0;  ///< 0: not even 256 tokens fit
  Bytes kv_cache_bytes = 0;  ///< at that context
  Bytes recurrent_state_bytes = 0;
  bool supported = true;  ///< false: the cache type does not divide the model's K/V rows
};

struct MaxContextReport {
  Report report;  ///< quants, GPUs and settings (rows at the requested context)
  std::vector<std::pair<GgmlType, GgmlType>> caches;  ///< K and V cache types compared
  std::vector<MaxContextRow> rows;  ///< quant-major, then GPU, then cache
};

/// The largest fitting context per quantization, GPU and cache type: the
/// given cache type, or f16, q8_0 and q4_0 (quantized ones need flash attention).
MaxContextReport build_max_context(const Catalog& catalog, const Request& request, bool cache_given);

/// A --gpu value: a catalog GPU, "2xrtx3090" (N of one), or GPUs joined with
/// "+" ("rtx3090+rtx4060ti-16gb"): one host whose GPUs split the layers.
/// Throws UsageError with a did-you-mean for unknown GPUs.
GpuGroup resolve_gpu_group(const Catalog& catalog, std::string_view text, std::optional<Bytes> wired_limit_bytes);

/// Evaluates `request` against `catalog`. Throws UsageError for unknown ids or
/// impossible settings, InputError for a model that cannot be built.
Report build_report(const Catalog& catalog, const Request& request);

/// The default ladder: 8K, 16K, 32K and the native context (smaller ones only
/// when the native context is smaller).
std::vector<std::uint64_t> default_ladder(const ModelSpec& spec);

} // namespace vramfit
