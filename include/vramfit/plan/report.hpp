#pragma once

// The main job: for a model, a set of quantizations, GPUs and contexts, what
// each configuration needs on the device, whether it fits, how fast it runs,
// and what would make it fit. The CLI calls build_report() once and renders
// the result; nothing here prints. Per-(model, quant) work (the recipe, the
// weights per block) and per-context work (the cache geometry) are done once
// and shared by every GPU, context, what-if knob and max-context probe.

#include "vramfit/input/catalog.hpp"
#include "vramfit/input/file_weights.hpp"
#include "vramfit/memory/device.hpp"
#include "vramfit/memory/estimate.hpp"
#include "vramfit/memory/extra_buffers.hpp"
#include "vramfit/memory/kv_cache.hpp"
#include "vramfit/model/model.hpp"
#include "vramfit/model/quantize.hpp"
#include "vramfit/plan/engine.hpp"
#include "vramfit/plan/placement.hpp"
#include "vramfit/support/bytes.hpp"
#include "vramfit/support/provenance.hpp"

#include <cstddef>
#include <memory>
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

/// One quantization of the model, independent of GPU and context.
struct QuantResult {
  std::string id;  ///< "Q4_K_M", "UD-Q4_K_XL"
  std::string description;
  WeightsSource source = WeightsSource::predicted;
  Provenance weights_provenance = Provenance::exact;  ///< of device_weights_bytes
  std::string recipe;                                 ///< the llama.cpp file type the prediction uses
  /// false for published-only families, and for published files more than 0.5%
  /// off the recipe's prediction: the prediction is of `recipe`, not of this file
  bool follows_recipe = true;
  Bytes file_predicted_bytes = 0;  ///< predicted GGUF size: tensor data + metadata estimate
  Provenance file_predicted_provenance = Provenance::estimate;  ///< exact only for a file read from disk
  std::optional<Bytes> file_published_bytes;
  std::string published_file;      ///< repo/file of the published size
  std::string model_file;          ///< the file name a command line names ("Qwen3-8B-Q4_K_M.gguf", or the file read)
  Bytes metadata_bytes = 0;        ///< the metadata estimate inside file_predicted_bytes
  Bytes device_weights_bytes = 0;  ///< weights on the GPU at full offload
  Bytes host_weights_bytes = 0;    ///< weights llama.cpp keeps in host memory (token_embd)
  WeightsBreakdown predicted;      ///< the recipe's per-type breakdown
  LayerWeights layers;  ///< the device weights per block (a published size spread in the recipe's proportions)

  /// The published size where there is one, else the prediction: what the table orders by.
  Bytes file_bytes() const { return file_published_bytes.value_or(file_predicted_bytes); }
};

/// One context length, independent of quantization and GPU.
struct ContextResult {
  std::uint64_t context_tokens = 0;  ///< the runner's context in tokens (the native context resolved)
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

/// The verdict of a row, decided once here and spelled by the renderers.
enum class Verdict : std::uint8_t {
  fits,   ///< fits, and would at either end of the estimates' range
  maybe,  ///< the verdict flips within the estimates' range
  over,   ///< does not fit at either end
};

/// "fits", "maybe" or "over".
std::string_view name(Verdict verdict) noexcept;

/// The knobs of the what-if ladder, in the order of what they cost the user.
enum class Knob : std::uint8_t {
  wired_limit,     ///< Apple: sudo sysctl iogpu.wired_limit_mb=N (costs nothing on the GPU side)
  flash_attn,      ///< --flash-attn on
  cache_q8_0,      ///< --cache-type q8_0
  draft,           ///< run without the draft model
  projector,       ///< --no-mmproj-offload: the vision projector in RAM
  parallel,        ///< --parallel 1
  expert_offload,  ///< --n-cpu-moe N / -ot exps=CPU
  context,         ///< a shorter context
  layer_offload,   ///< -ngl N
  cache_q4_0,      ///< --cache-type q4_0
  quant,           ///< a smaller quantization
};

/// The knob's name in outputs: wired-limit | flash-attn | cache-type | draft |
/// projector | parallel | expert-offload | context | layer-offload | quant.
std::string_view name(Knob knob) noexcept;

/// One knob of the what-if ladder.
struct WhatIf {
  Knob knob = Knob::quant;
  std::string change;                  ///< "--cache-type q8_0", "--context 40192", "--quant Q4_K_M", "--n-cpu-moe 14"
  ByteDelta saved_bytes = 0;           ///< GPU bytes saved against the configuration as asked (estimate)
  bool fits = false;                   ///< the change makes it fit, outside the estimate's range and within --ram
  bool marginal = false;               ///< it fits only inside the estimate's range ("maybe")
  bool ram_over = false;               ///< it fits the GPU but not --ram
  ByteDelta headroom_bytes = 0;        ///< headroom after the change
  std::optional<SpeedEstimate> speed;  ///< decode speed after the change
};

/// Something the user should know about the request: printed on stderr and in
/// JSON's warnings[] ({code, message}).
struct Warning {
  std::string code;     ///< stable: "context_beyond_native", "knob_not_applicable", ...
  std::string message;  ///< one sentence
};

/// How many requests fit at once, each engine by its own rule: llama.cpp and
/// Ollama allocate a slot of the context per request (--parallel,
/// OLLAMA_NUM_PARALLEL; searched up to 64); vLLM and SGLang share one paged
/// pool, so the requests its blocks hold, within the engine's sequence limit.
struct Concurrency {
  std::uint64_t context_tokens = 0;           ///< tokens per request
  std::uint32_t max_parallel = 0;             ///< requests of context_tokens at once
  std::optional<std::uint32_t> engine_limit;  ///< paged engines: --max-num-seqs / --max-running-requests in effect
  bool paged = false;                         ///< the requests share one paged cache (vLLM, SGLang)
};

/// One configuration: quant x GPU x context.
struct FitRow {
  std::size_t quant = 0;    ///< index into Report::quants
  std::size_t gpu = 0;      ///< index into Report::columns
  std::size_t context = 0;  ///< index into Report::contexts
  MemoryBreakdown memory;
  ComputeEstimate estimate;
  ByteDelta headroom_bytes = 0;    ///< usable - total
  bool fits = false;               ///< headroom >= 0
  bool meets_min_headroom = true;  ///< fits with --min-headroom to spare (true when none was asked)
  /// Requests of this row's context that fit at once, each with its own
  /// context (n_seq = N, n_ctx = N x context), at the estimates' high end.
  std::optional<Concurrency> concurrency;
  bool marginal = false;  ///< the verdict could flip within the estimate's range
  Verdict verdict = Verdict::over;
  Bytes total_low_bytes = 0;   ///< total with the estimates at the low end of their range
  Bytes total_high_bytes = 0;  ///< ... and at the high end
  RowProvenance provenance;
  Placement placement;                ///< per GPU and host, as requested (full offload unless -ngl / --n-cpu-moe)
  std::optional<Placement> plan;      ///< when it does not fit: the offload that fits (partial, or CPU only)
  std::optional<bool> ram_fits;       ///< with --ram (or unified memory): the host's share fits in system memory
  std::optional<bool> plan_ram_fits;  ///< the same for the offload plan
  std::optional<std::uint64_t>
      max_context_tokens;                  ///< the largest context that fits (multiple of 256, at most native; 0: none)
  std::optional<VllmCapacity> vllm;        ///< engine vllm: the paged cache left after weights and activations
  std::optional<CompanionLoad> draft;      ///< the draft model's parts on the GPUs, summed (memory.draft_bytes split)
  std::optional<CompanionLoad> projector;  ///< the projector's parts on the GPUs, summed (memory.projector_bytes split)
  std::optional<SpeedEstimate> speed;      ///< decode tokens/s of the placement, or of the plan when it does not fit
  bool speed_of_plan = false;              ///< speed is the offload plan's
  /// Prompt processing of Report::prompt_tokens (at most the row's context)
  /// on the same placement, and the time to its first token; nothing where
  /// no rule applies (Metal, SYCL, CPU, a GPU without a known peak rate).
  std::optional<SpeedEstimate> prefill;
  std::optional<TimeEstimate> time_to_first_token;
  std::uint64_t prompt_tokens = 0;  ///< the prompt the prefill is of
  std::vector<WhatIf> what_if;      ///< rows that do not fit: the knobs that make them fit, ranked
  /// What concerns this row only (JSON results[].warnings): its context past
  /// the native one, a verdict inside the estimates' range, --ram exceeded,
  /// --min-headroom missed.
  std::vector<Warning> warnings;
};

/// A row of the context ladder: what the context adds, and the largest
/// quantization that still fits on each GPU.
struct LadderRow {
  ContextResult context;
  std::vector<std::optional<std::size_t>> best_quant;  ///< per column, index into Report::quants
};

/// A column of the report: one GPU, or GPUs serving one model together.
struct GpuColumn {
  GpuGroup group;       ///< the GPUs, in llama.cpp's device order, with their budgets under the engine
  GpuSpec combined;     ///< the group as one GPU: memory and bandwidth summed
  DeviceBudget budget;  ///< the budgets summed
};

/// The host the GPUs sit in.
struct HostOptions {
  std::optional<Bytes> ram_bytes;                         ///< --ram: the host's system memory
  double bandwidth_gbps = k_default_host_bandwidth_gbps;  ///< --host-bandwidth: RAM bandwidth for offloaded weights
  bool bandwidth_given = false;
  /// --host-cpu / --no-repack: which CPU extra buffers repack host weights.
  /// Unset: Apple GPUs' own (arm64); x86 hosts of CPU-only runs AVX2, assumed.
  std::optional<CpuClass> cpu;
};

/// What the user says, or the machine reports, about the GPUs beyond the catalog.
struct DeviceOptions {
  std::optional<Bytes> wired_limit_bytes;    ///< --wired-limit-mb: macOS iogpu.wired_limit_mb
  std::optional<std::uint32_t> macos_major;  ///< --macos: the Mac's macOS major version (Metal's working set)
  std::vector<Bytes> reserve_bytes;          ///< --reserve: held by others; one for every GPU, or one per GPU
  std::vector<Bytes> free_bytes;             ///< --free: what the driver says is free; likewise
  std::vector<DetectedDevice> detected;      ///< what `--gpu auto` found, in the tools' order
};

/// A draft model for speculative decoding (llama.cpp's -md): loaded beside the
/// model on the same GPUs, all its layers offloaded, with its own cache at the
/// same context and sequence count.
struct DraftRequest {
  std::string model;                               ///< catalog id or alias (ignored when model_spec is set)
  std::shared_ptr<const CatalogModel> model_spec;  ///< a model that is not in the catalog (a GGUF header)
  std::shared_ptr<const FileWeights> file;         ///< the weights of a real file instead of a predicted quant
  std::string quant = "Q8_0";                      ///< the draft's quantization (ignored with a file)
  GgmlType type_k = GgmlType::f16;                 ///< -ctkd: llama.cpp's draft cache is f16 unless told
  GgmlType type_v = GgmlType::f16;                 ///< -ctvd
};

/// A vision projector (mtmd's mmproj file, llama-server --mmproj): its weights
/// on the first GPU (or in RAM with --no-mmproj-offload) beside the model.
struct ProjectorRequest {
  std::string file;         ///< the file named
  std::string type;         ///< clip.projector_type ("qwen3vl_merger"), when the file says
  Bytes weights_bytes = 0;  ///< the file's tensor data (exact)
  bool offload = true;      ///< false: --no-mmproj-offload, weights and compute on the CPU
  /// --mmproj auto: the catalog's published projector for the model, its
  /// file's size standing for the tensors (the header adds well under 1 MB).
  bool from_catalog = false;
};

/// What to evaluate.
struct Request {
  std::string model;                               ///< catalog id or alias (ignored when model_spec is set)
  std::shared_ptr<const CatalogModel> model_spec;  ///< a model that is not in the catalog (HF config, GGUF header)
  std::shared_ptr<const FileWeights> file;         ///< the weights of a real file instead of predicted quants
  std::vector<std::string> notes;                  ///< caveats from reading the input, carried into the report
  std::vector<std::string> gpus;                   ///< catalog ids, aliases or groups, at least one
  std::vector<std::string> quants;                 ///< empty: every listed quant that applies
  bool all_quants = false;                         ///< with quants empty: every quant that applies, listed or not
  std::vector<std::uint64_t> contexts;             ///< tokens per request; 0 = native; empty = the engine's default
  RunSettings settings;                            ///< the settings; only those `given` names are the user's
  SettingsGiven given;                             ///< settings the user chose (all others: the engine's defaults)
  std::optional<std::uint32_t> n_cpu_moe;          ///< --n-cpu-moe: experts of the first N layers stay in host memory
  std::optional<std::uint32_t> n_gpu_layers;       ///< -ngl: blocks on the GPUs (default: all and the output layer)
  std::optional<DraftRequest> draft;               ///< --model-draft / --gguf-draft
  /// --mtp (llama-server --spec-type draft-mtp): the model's own MTP blocks
  /// loaded, and a draft context whose cache holds only them.
  bool mtp = false;
  std::optional<ProjectorRequest> projector;  ///< --mmproj
  HostOptions host;
  DeviceOptions devices;
  const EngineRules* engine = nullptr;  ///< null: llama.cpp
  EngineOptions engine_options;
  std::vector<std::uint64_t> ladder;  ///< ladder contexts; empty = 8K, 16K, 32K and native
  bool with_ladder = true;
  bool with_max_context = true;             ///< compute each row's largest fitting context
  bool with_what_if = true;                 ///< rank the knobs for rows that do not fit
  std::optional<Bytes> min_headroom_bytes;  ///< check --min-headroom: a fit needs this much to spare
  std::uint64_t prompt_tokens = 512;        ///< --prompt: the prompt whose prefill speed and first token are estimated
  /// How many requests of each context fit at once (llama.cpp, llama-server,
  /// Ollama), for reports of at most 400 rows.
  bool with_concurrency = false;
};

/// The draft a report carries: a draft model, or the model's own MTP blocks.
struct DraftSummary {
  CatalogModel model;  ///< the draft's catalog entry (or its file's); with `mtp`, the model's
  QuantResult quant;   ///< its quantization (published, predicted or read from the file); with `mtp`, each row's
  GgmlType type_k = GgmlType::f16;
  GgmlType type_v = GgmlType::f16;
  std::uint32_t mtp_layers = 0;  ///< --mtp: the MTP blocks loaded (0: a draft model)
};

/// The finished report.
struct Report {
  CatalogModel model;                   ///< the model evaluated (a copy of the catalog entry, or the file's)
  std::vector<std::string> notes;       ///< caveats to print with the result (assumptions the input forced)
  std::vector<Warning> warnings;        ///< requests that do not do what they seem to
  const EngineRules* engine = nullptr;  ///< the engine whose rules applied (never null)
  RunSettings settings;                 ///< with the engine's defaults applied
  HostOptions host;
  std::uint64_t prompt_tokens = 512;  ///< --prompt: the prompt of the prefill estimates
  std::vector<GpuColumn> columns;     ///< one GPU, or a group serving together, each
  std::vector<QuantResult> quants;    ///< largest file first
  std::vector<ContextResult> contexts;
  std::vector<FitRow> rows;  ///< quant-major, then GPU, then context
  std::vector<LadderRow> ladder;
  std::optional<DraftSummary> draft;          ///< the draft model beside the model, when one was asked for
  std::optional<ProjectorRequest> projector;  ///< the vision projector beside the model, when one was asked for
  ProjectorCompute projector_compute;         ///< its compute buffers at the report's settings (estimates)

  /// The row for (quant, gpu, context) indices.
  const FitRow& row(std::size_t quant, std::size_t gpu, std::size_t context) const;
  /// The engine's name ("llama.cpp").
  std::string_view engine_name() const { return engine->name(); }
  /// The engine's command-line arguments that realize `placement` for `row`
  /// (its quant's file, its context, the report's settings).
  std::vector<std::string> arguments(const FitRow& row, const Placement& placement) const;
  /// The same as one shell command line ("llama-server -m ... -c 8192 ...").
  std::string command(const FitRow& row, const Placement& placement) const;
};

/// max-context: for each quantization, GPU and cache type, the largest context that fits.
struct MaxContextRow {
  std::size_t quant = 0;     ///< index into Report::quants
  std::size_t gpu = 0;       ///< index into Report::columns
  std::size_t cache = 0;     ///< index into MaxContextReport::caches
  std::uint64_t tokens = 0;  ///< the runner's context (n_ctx); 0: not even 256 tokens fit
  /// With --parallel N (N > 1, engines that place like llama.cpp): the largest
  /// context each of N requests at once may have, each with its own
  /// (n_ctx = N x it), at most the native context.
  std::optional<std::uint64_t> per_request_tokens;
  Bytes kv_cache_bytes = 0;  ///< at that context
  Bytes recurrent_state_bytes = 0;
  bool supported = true;  ///< false: the cache type does not divide the model's K/V rows
};

/// The largest fitting context per quantization, GPU and cache type.
struct MaxContextReport {
  Report report;                                      ///< quants, GPUs and settings (rows at the requested context)
  std::vector<std::pair<GgmlType, GgmlType>> caches;  ///< K and V cache types compared
  std::vector<MaxContextRow> rows;                    ///< quant-major, then GPU, then cache
};

/// The largest fitting context per quantization, GPU and cache type: the
/// given cache type, or f16, q8_0 and q4_0 (quantized ones need flash attention).
MaxContextReport build_max_context(const Catalog& catalog, const Request& request);

/// Contexts for a memory-against-context sweep: powers of two from 1,024
/// tokens below the native context, then the native context.
std::vector<std::uint64_t> context_sweep(const ModelSpec& spec);

/// A --gpu value: a catalog GPU, "2xrtx3090" (N of one), or GPUs joined with
/// "+" ("rtx3090+rtx4060ti-16gb"): one host whose GPUs split the layers.
/// Throws UsageError with a did-you-mean for unknown GPUs.
GpuGroup resolve_gpu_group(const Catalog& catalog, std::string_view text, const DeviceOptions& options = {},
                           const HostOptions& host = {});

/// Evaluates `request` against `catalog`. Throws UsageError for unknown ids or
/// impossible settings, InputError for a model that cannot be built.
Report build_report(const Catalog& catalog, const Request& request);

/// The default ladder: 8K, 16K, 32K and the native context (smaller ones only
/// when the native context is smaller).
std::vector<std::uint64_t> default_ladder(const ModelSpec& spec);

/// Whether every row fits.
bool all_fit(const Report& report);  ///< every row fits (and meets --min-headroom)

}  // namespace vramfit
