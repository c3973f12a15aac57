#pragma once

// The report's engine room: one Evaluator per request holds what every row
// shares (the model, the engine's settings, each quantization's weights per
// block, each context's cache geometry) and evaluates rows, max-context
// searches and what-if knobs against it without rebuilding any of it.

#include "vramfit/plan/report.hpp"

#include <map>
#include <memory>
#include <tuple>

namespace vramfit {

class Evaluator {
public:
  /// Resolves the request (model, quantizations, GPUs, the engine's defaults)
  /// and evaluates every row it asks for.
  Evaluator(const Catalog& catalog, const Request& request);

  /// The finished report.
  const Report& report() const { return m_report; }

  /// The largest context (a multiple of 256 cells, or the native context) at
  /// which `q` fits `column` under `settings` and the request's offload; 0 when
  /// not even 256 tokens fit. `requests` > 1: the largest context of each of
  /// that many requests at once, each with its own (n_ctx = requests x it).
  std::uint64_t max_context_tokens(const QuantResult& q, const GpuColumn& column, const RunSettings& settings,
                                   std::uint32_t requests = 1);

private:
  /// How a row was asked for: which settings, context and offload.
  struct Variant {
    Variant(const RunSettings& s, Offload o, bool draft = true, bool projector_gpu = true)
        : settings(s), offload(o), with_draft(draft), projector_on_gpu(projector_gpu) {}
    RunSettings settings;  ///< context_tokens: the runner's context
    Offload offload;
    bool with_draft = true;        ///< the draft model beside it, when the request has one
    bool projector_on_gpu = true;  ///< the projector where the request puts it (false: in RAM)
  };

  void resolve_quants();
  void resolve_draft();
  /// --mtp: refuses what cannot load MTP blocks, and gives a catalog model the
  /// blocks its files leave out.
  void check_mtp();
  /// The MTP draft's loads on `column` for `q` at `settings` (--mtp).
  std::optional<Companion> mtp_loads(const QuantResult& q, const GpuColumn& column, const RunSettings& settings);
  /// The draft model's loads on `column` at `settings` (the model's; the
  /// draft's own cache types), or nothing when the request has none.
  std::optional<Companion> draft_loads(const GpuColumn& column, const RunSettings& settings);
  /// The vision projector's loads on `column`, or nothing when the request has none.
  std::optional<Companion> projector_loads(const GpuColumn& column, const RunSettings& settings,
                                           bool on_gpu = true) const;
  /// What is loaded beside the model on `column` at `settings`, held for a placement.
  struct Beside {
    std::optional<Companion> draft;
    std::optional<Companion> projector;
    Companions refs() const { return Companions{draft ? &*draft : nullptr, projector ? &*projector : nullptr}; }
  };
  Beside beside(const QuantResult& q, const GpuColumn& column, const RunSettings& settings, bool with_draft = true,
                bool projector_on_gpu = true);
  void resolve_columns();
  void add_warnings();
  void resolve_settings();
  QuantResult quant_result(const QuantSpec& q);
  QuantResult format_result(const QuantSpec& q);
  QuantResult file_result(const FileWeights& file);
  /// The cache geometry at settings.context_tokens (cached by settings).
  const ContextResult& context(const RunSettings& settings);
  ContextResult make_context(const RunSettings& settings);

  /// The engine's verdict on one configuration.
  EngineVerdict verdict(const QuantResult& q, const GpuColumn& column, const Variant& v);
  /// The full row: verdict, RAM, speed, offload plan, provenance, command lines.
  FitRow evaluate_row(const QuantResult& q, const GpuColumn& column, const ContextResult& c);
  /// Decode speed of `p` for `q` at `c` on `column`.
  std::optional<SpeedEstimate> speed(const QuantResult& q, const GpuColumn& column, const ContextResult& c,
                                     const Placement& p) const;
  /// Prefill of the report's prompt on placement `p` (at most the context's
  /// tokens) into `row`, and with the row's decode speed its first token's time.
  void add_prefill(FitRow& row, const QuantResult& q, const GpuColumn& column, const ContextResult& c,
                   const Placement& p) const;
  std::optional<bool> ram_fits(const GpuColumn& column, const Placement& p) const;
  /// The warnings that concern `row` only (at context `c`).
  void add_row_warnings(FitRow& row, const ContextResult& c) const;
  std::optional<Concurrency> concurrency(const QuantResult& q, const GpuColumn& column, const ContextResult& c);
  /// A paged engine's requests at once: what its pool holds, within its sequence limit.
  Concurrency paged_concurrency(const VllmCapacity& pool, const GpuColumn& column) const;
  bool fits(const QuantResult& q, const GpuColumn& column, const RunSettings& s);
  /// cache_types_fit() for the model, remembered per cache type pair.
  bool cache_types_fit(const RunSettings& s);
  std::vector<WhatIf> what_if(const FitRow& row);
  void build_ladder();
  Offload requested_offload() const;

  const Catalog& m_catalog;
  const Request& m_request;
  Request m_draft_request;             ///< the draft model's request (the model's GPUs, context and settings)
  std::unique_ptr<Evaluator> m_draft;  ///< evaluates the draft model, when there is one
  const EngineRules& m_engine;
  Report m_report;
  CpuClass m_cpu = CpuClass::none;      ///< the host CPU whose extra buffers repack host weights
  std::vector<TensorSpec> m_inventory;  ///< built once when a recipe is predicted
  std::map<std::string, QuantResult> m_standard_quants;
  std::map<std::tuple<std::uint32_t, std::uint32_t, bool>, bool>
      m_cache_types_fit;  ///< by K type, V type, flash attention
  std::map<std::tuple<std::uint32_t, std::uint32_t, bool>, std::shared_ptr<const KvProfile>>
      m_kv_profiles;  ///< likewise
  std::map<std::uint32_t, RecurrentStateSize>
      m_states;  ///< by sequences  ///< what-if's wider search, predicted on demand
  std::map<std::tuple<std::uint64_t, std::uint32_t, std::uint32_t, bool, std::uint32_t, bool, bool, std::uint32_t>,
           ContextResult>
      m_contexts;
};

}  // namespace vramfit
