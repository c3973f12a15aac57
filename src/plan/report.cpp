#include "vramfit/plan/report.hpp"

#include "vramfit/support/error.hpp"

#include <algorithm>

namespace vramfit {
namespace {

Bytes saturating_sub(Bytes a, Bytes b) { return a > b ? a - b : 0; }

// A quant applies to a model when it is a recipe (MoE-only ones for MoE models
// only) or the catalog has a published file of it for that model.
bool applies(const QuantSpec& q, const CatalogModel& m) {
  if (q.kind == QuantKind::published) {
    return m.published(q.id) != nullptr;
  }
  return !q.moe_only || m.spec.moe.has_value();
}

struct Prediction {
  WeightsBreakdown weights;
  Bytes file_bytes = 0;
  Bytes metadata_bytes = 0;
};

Prediction predict(const ModelSpec& spec, const std::vector<TensorSpec>& inventory, const QuantSpec& recipe) {
  const auto ftype = *recipe.file_type;
  QuantOptions options;
  options.imatrix = recipe.imatrix;
  const auto types = recipe_types(inventory, spec, ftype, options);
  Prediction p;
  p.weights = summarize_weights(inventory, types, spec.n_layer);
  p.metadata_bytes = estimate_gguf_metadata_bytes(spec, inventory);
  p.file_bytes = checked_add(gguf_tensor_data_bytes(inventory, types), p.metadata_bytes, "file size");
  return p;
}

QuantResult evaluate_quant(const Catalog& catalog, const CatalogModel& model,
                           const std::vector<TensorSpec>& inventory, const QuantSpec& q) {
  const QuantSpec& recipe = q.kind == QuantKind::recipe ? q : catalog.find_quant(q.nearest);
  const auto p = predict(model.spec, inventory, recipe);
  QuantResult r;
  r.id = q.id;
  r.description = q.description;
  r.recipe = recipe.id;
  r.follows_recipe = q.kind == QuantKind::recipe;
  r.predicted = p.weights;
  r.metadata_bytes = p.metadata_bytes;
  r.file_predicted_bytes = p.file_bytes;
  r.host_weights_bytes = p.weights.token_embd_bytes;
  r.device_weights_bytes = p.weights.device_bytes();
  r.source = WeightsSource::predicted;
  // The stock recipe is ggml arithmetic on the architecture's tensors; a family
  // known only by its nearest recipe (Unsloth's UD files) is an estimate of it.
  r.weights_provenance = r.follows_recipe ? Provenance::exact : Provenance::estimate;
  if (const auto* file = model.published(q.id)) {
    r.file_published_bytes = file->bytes;
    r.published_file = file->repo.empty() ? file->file : file->repo + "/" + file->file;
    // The published size is the truth for that file: its tensors are what is
    // left after the metadata, and token_embd (typed as the recipe types it)
    // stays in host memory.
    const Bytes tensors = saturating_sub(file->bytes, p.metadata_bytes);
    const Bytes tied_output = p.weights.tied_output ? p.weights.token_embd_bytes : 0;
    if (tensors > p.weights.token_embd_bytes) {
      r.device_weights_bytes = tensors - p.weights.token_embd_bytes + tied_output;
      r.source = WeightsSource::published;
      r.weights_provenance = Provenance::published;
    }
  } else if (q.kind == QuantKind::published) {
    throw UsageError("quant '" + q.id + "' is known only by published files, and the catalog has none for '" +
                     model.spec.id + "'");
  }
  return r;
}

// A real file: its tensors are the truth; the recipe prediction of its file
// type (when the architecture can be built) is shown beside it.
QuantResult evaluate_file(const Catalog& catalog, const CatalogModel& model, const FileWeights& file) {
  QuantResult r;
  r.id = file.label;
  r.description = file.path;
  r.source = WeightsSource::gguf;
  r.weights_provenance = Provenance::exact;
  std::vector<GgmlType> types;
  types.reserve(file.tensors.size());
  for (const auto& t : file.tensors) {
    types.push_back(t.type);
  }
  const auto actual = summarize_weights(file.tensors, types, model.spec.n_layer);
  r.predicted = actual;
  r.device_weights_bytes = actual.device_bytes();
  r.host_weights_bytes = actual.token_embd_bytes;
  r.file_published_bytes = file.file_bytes;
  r.published_file = file.path;
  r.metadata_bytes = file.file_bytes > actual.total_bytes ? file.file_bytes - actual.total_bytes : 0;
  r.file_predicted_bytes = file.file_bytes;
  r.follows_recipe = false;
  r.recipe = file.label;
  if (file.file_type) {
    const auto it = std::find_if(catalog.quants.begin(), catalog.quants.end(), [&](const QuantSpec& q) {
      return q.kind == QuantKind::recipe && q.file_type == file.file_type;
    });
    const auto& supported = supported_architectures();
    if (it != catalog.quants.end() &&
        std::find(supported.begin(), supported.end(), model.spec.arch) != supported.end()) {
      try {
        const auto inventory = build_inventory(model.spec);
        r.file_predicted_bytes = predict(model.spec, inventory, *it).file_bytes;
        r.follows_recipe = true;
        r.recipe = it->id;
      } catch (const InputError&) {
        // The hyper-parameters do not describe a buildable inventory (an
        // unusual variant of the architecture): the file's own size stands.
      }
    }
  }
  return r;
}

ContextResult evaluate_context(const ModelSpec& spec, const RunSettings& base, std::uint64_t tokens) {
  RunSettings s = base;
  s.context_tokens = tokens == 0 ? spec.n_ctx_train : tokens;
  ContextResult c;
  c.context_tokens = s.context_tokens;
  c.native = s.context_tokens == spec.n_ctx_train;
  c.layout = context_layout(spec, s);
  c.kv = kv_cache_size(spec, s);
  c.state = recurrent_state_size(spec, s);
  return c;
}

// The weights of `q` per block as llama.cpp places them. A published file's
// size is spread over the blocks in the proportions of the recipe's prediction.
LayerWeights layer_weights(const QuantResult& q) {
  LayerWeights w;
  w.layer_bytes = q.predicted.layer_bytes;
  w.layer_expert_bytes = q.predicted.layer_expert_bytes;
  w.output_layer_bytes = q.predicted.output_layer_bytes;
  w.token_embd_bytes = q.host_weights_bytes;
  const Bytes predicted = w.device_bytes();
  if (predicted == 0 || predicted == q.device_weights_bytes) {
    return w;
  }
  const long double f = static_cast<long double>(q.device_weights_bytes) / static_cast<long double>(predicted);
  Bytes sum = 0;
  for (std::size_t i = 0; i < w.layer_bytes.size(); ++i) {
    w.layer_bytes[i] = static_cast<Bytes>(static_cast<long double>(w.layer_bytes[i]) * f);
    w.layer_expert_bytes[i] = std::min(w.layer_bytes[i],
                                       static_cast<Bytes>(static_cast<long double>(w.layer_expert_bytes[i]) * f));
    sum += w.layer_bytes[i];
  }
  w.output_layer_bytes = q.device_weights_bytes > sum ? q.device_weights_bytes - sum : 0;
  return w;
}

Bytes usable_of(const Placement& p) {
  Bytes usable = 0;
  for (const auto& d : p.devices) {
    usable += d.usable_bytes;
  }
  return usable;
}

// What vLLM leaves for its paged cache: every weight stays on the GPUs (the
// token embeddings too), then its activation estimate; the rest is cache.
Bytes vllm_cache_bytes(const ModelSpec& spec, const QuantResult& q, const Placement& p) {
  Bytes fixed = vllm_activation(spec).bytes + q.host_weights_bytes;
  for (const auto& d : p.devices) {
    fixed += d.weights_bytes;
  }
  const Bytes usable = usable_of(p);
  return usable > fixed ? usable - fixed : 0;
}

// The offload the user asked for (-ngl, --n-cpu-moe); all layers on the GPUs otherwise.
Offload requested_offload(const ModelSpec& spec, const Request& request) {
  Offload offload = Offload::full(spec);
  if (request.n_gpu_layers) {
    offload.n_gpu_layers = *request.n_gpu_layers;
  }
  if (request.n_cpu_moe) {
    offload.n_cpu_moe = *request.n_cpu_moe;
  }
  return offload;
}

// Whether `q` fits `group` at settings `s` with the requested offload: every
// device for llama.cpp's engines, one request's cache for vLLM.
bool fits_at(const ModelSpec& spec, const QuantResult& q, const LayerWeights& weights, const RunSettings& s,
             const KvCacheSize& kv, const RecurrentStateSize& state, const GpuGroup& group, const Request& request) {
  const auto p = place(spec, weights, s, kv, state, group.gpus, group.budgets, requested_offload(spec, request));
  if (request.engine != Engine::vllm) {
    return p.fits();
  }
  return vllm_capacity(spec, s, vllm_cache_bytes(spec, q, p)).max_concurrency >= 1;
}

FitRow evaluate_row(const ModelSpec& spec, const RunSettings& base, const QuantResult& q, const ContextResult& c,
                    const GpuGroup& group, const Request& request) {
  RunSettings s = base;
  s.context_tokens = c.context_tokens;
  FitRow row;
  const auto weights = layer_weights(q);
  const Offload offload = requested_offload(spec, request);
  row.placement = place(spec, weights, s, c.kv, c.state, group.gpus, group.budgets, offload);
  for (const auto& d : row.placement.devices) {
    row.memory.weights_bytes += d.weights_bytes;
    row.memory.kv_cache_bytes += d.kv_cache_bytes;
    row.memory.recurrent_state_bytes += d.recurrent_state_bytes;
    row.memory.compute_buffer_bytes += d.compute_buffer.bytes;
    row.memory.overhead_bytes += d.overhead.bytes;
    row.estimate.compute_buffer.bytes += d.compute_buffer.bytes;
    row.estimate.compute_buffer.low += d.compute_buffer.low;
    row.estimate.compute_buffer.high += d.compute_buffer.high;
    row.estimate.overhead.bytes += d.overhead.bytes;
    row.estimate.overhead.low += d.overhead.low;
    row.estimate.overhead.high += d.overhead.high;
    row.total_low_bytes += d.total_low_bytes();
    row.total_high_bytes += d.total_high_bytes();
  }
  // One GPU: its headroom. Several: the tightest GPU's, since each must fit.
  row.headroom_bytes = row.placement.devices.front().headroom_bytes();
  for (const auto& d : row.placement.devices) {
    row.headroom_bytes = std::min(row.headroom_bytes, d.headroom_bytes());
  }
  row.fits = row.placement.fits();
  row.marginal = row.placement.marginal();
  row.provenance.weights = q.weights_provenance;
  // System memory: --ram, or a unified-memory GPU's own RAM, where the GPU's
  // buffers are the same memory as the host's and count once, with them.
  const bool unified = group.gpus.front().memory == MemoryKind::unified;
  // A plain flag and value, not an optional: gcc 12 at -O2 reports the
  // optional's payload as maybe-uninitialized inside the lambda.
  const bool ram_known = request.ram_bytes.has_value() || unified;
  const Bytes ram = request.ram_bytes.value_or(unified ? group.gpus.front().memory_bytes : 0);
  const auto ram_check = [&](const Placement& p) -> std::optional<bool> {
    if (!ram_known) {
      return std::nullopt;
    }
    Bytes needed = p.host.total_bytes();
    if (unified) {
      for (const auto& d : p.devices) {
        needed = checked_add(needed, d.total_bytes(), "host total");
      }
    }
    return needed <= ram;
  };
  row.ram_fits = ram_check(row.placement);
  const auto speed_of = [&](const Placement& p) {
    auto pools = decode_traffic(spec, weights, c.kv, c.state, p, group.gpus, request.host_bandwidth_gbps);
    if (unified) {
      Bytes needed = p.host.total_bytes();
      Bytes per_token = 0;
      for (const auto& d : p.devices) {
        needed += d.total_bytes();
      }
      for (const auto& pool : pools) {
        per_token += pool.bytes;
      }
      pools.push_back(swap_traffic(needed, group.gpus.front().memory_bytes, per_token));
    }
    return estimate_decode_speed(pools);
  };
  if (request.engine == Engine::vllm) {
    const auto activation = vllm_activation(spec);
    const Bytes usable = usable_of(row.placement);
    row.memory.weights_bytes += q.host_weights_bytes;
    row.estimate.compute_buffer = activation;
    row.estimate.overhead = Estimate{};
    row.memory.compute_buffer_bytes = activation.bytes;
    row.memory.overhead_bytes = 0;
    row.vllm = vllm_capacity(spec, s, vllm_cache_bytes(spec, q, row.placement));
    row.memory.kv_cache_bytes = row.vllm->kv_bytes_per_token * row.vllm->request_tokens;
    row.memory.recurrent_state_bytes = row.vllm->state_bytes_per_request;
    row.headroom_bytes = signed_difference(usable, row.memory.total_bytes());
    row.fits = row.vllm->max_concurrency >= 1;
    if (row.fits) {
      row.speed = speed_of(row.placement);
    }
    const Bytes spread = row.estimate.compute_buffer.high - row.estimate.compute_buffer.bytes;
    row.total_low_bytes = row.memory.total_bytes() - std::min(row.memory.total_bytes(), spread);
    row.total_high_bytes = row.memory.total_bytes() + spread;
    row.marginal = (row.total_low_bytes <= usable) != (row.total_high_bytes <= usable);
    return row;
  }
  if (row.fits) {
    row.speed = speed_of(row.placement);
  } else {
    row.plan = plan_offload(spec, weights, s, c.kv, c.state, group.gpus, group.budgets);
    if (row.plan) {
      row.plan_ram_fits = ram_check(*row.plan);
      row.speed = speed_of(*row.plan);
      row.speed_of_plan = true;
    }
  }
  return row;
}

// The report for `request` with the engine's defaults already applied.
Report build_report_for(const Catalog& catalog, const Request& request, Report report) {
  const CatalogModel& model = report.model;
  const ModelSpec& spec = model.spec;
  std::vector<const QuantSpec*> quants;
  if (request.file) {
    report.quants.push_back(evaluate_file(catalog, model, *request.file));
  } else if (request.quants.empty()) {
    for (const auto& q : catalog.quants) {
      if ((q.listed || request.all_quants) && applies(q, model)) {
        quants.push_back(&q);
      }
    }
  } else {
    for (const auto& id : request.quants) {
      const auto& q = catalog.find_quant(id);
      if (q.moe_only && !spec.moe) {
        throw UsageError("--quant " + q.id + ": applies to mixture-of-experts models only, and '" + spec.id +
                         "' is dense");
      }
      if (std::find(quants.begin(), quants.end(), &q) == quants.end()) {
        quants.push_back(&q);
      }
    }
  }
  if (quants.empty() && !request.file) {
    throw UsageError("no quantization applies to '" + spec.id + "'");
  }
  if (!quants.empty()) {
    const auto inventory = build_inventory(spec);
    for (const auto* q : quants) {
      report.quants.push_back(evaluate_quant(catalog, model, inventory, *q));
    }
  }
  // Largest file first: the order of quality a guide lists them in.
  const auto file_size = [](const QuantResult& q) { return q.file_published_bytes.value_or(q.file_predicted_bytes); };
  std::stable_sort(report.quants.begin(), report.quants.end(),
                   [&](const QuantResult& a, const QuantResult& b) { return file_size(a) > file_size(b); });

  std::vector<std::uint64_t> contexts = request.contexts;
  if (contexts.empty()) {
    contexts.push_back(request.settings.context_tokens);
  }
  for (const auto tokens : contexts) {
    report.contexts.push_back(evaluate_context(spec, request.settings, tokens));
  }

  for (std::size_t qi = 0; qi < report.quants.size(); ++qi) {
    for (std::size_t gi = 0; gi < report.gpus.size(); ++gi) {
      for (std::size_t ci = 0; ci < report.contexts.size(); ++ci) {
        FitRow row = evaluate_row(spec, request.settings, report.quants[qi], report.contexts[ci], report.groups[gi],
                                  request);
        row.quant = qi;
        row.gpu = gi;
        row.context = ci;
        if (request.with_max_context) {
          if (ci == 0) {
            row.max_context_tokens =
                max_context_tokens(spec, report.quants[qi], report.groups[gi], request, request.settings);
          } else {
            row.max_context_tokens = report.rows.back().max_context_tokens;
          }
        }
        report.rows.push_back(row);
      }
    }
  }

  if (request.with_ladder) {
    const auto ladder = request.ladder.empty() ? default_ladder(spec) : request.ladder;
    for (const auto tokens : ladder) {
      LadderRow lr;
      lr.context = evaluate_context(spec, request.settings, tokens);
      for (std::size_t gi = 0; gi < report.gpus.size(); ++gi) {
        std::optional<std::size_t> best;
        for (std::size_t qi = 0; qi < report.quants.size() && !best; ++qi) {
          RunSettings s = request.settings;
          s.context_tokens = lr.context.context_tokens;
          const auto& q = report.quants[qi];
          if (fits_at(spec, q, layer_weights(q), s, lr.context.kv, lr.context.state, report.groups[gi], request)) {
            best = qi;
          }
        }
        lr.best_quant.push_back(best);
      }
      report.ladder.push_back(std::move(lr));
    }
  }
  return report;
}

} // namespace

std::string_view name(Provenance p) noexcept {
  switch (p) {
    case Provenance::exact:
      return "exact";
    case Provenance::published:
      return "published";
    case Provenance::estimate:
      return "estimate";
  }
  return "estimate";
}

std::string_view name(WeightsSource source) noexcept {
  switch (source) {
    case WeightsSource::published:
      return "published";
    case WeightsSource::predicted:
      return "predicted";
    case WeightsSource::gguf:
      return "gguf";
  }
  return "predicted";
}

Bytes MemoryBreakdown::total_bytes() const {
  Bytes t = checked_add(weights_bytes, kv_cache_bytes, "total");
  t = checked_add(t, recurrent_state_bytes, "total");
  t = checked_add(t, compute_buffer_bytes, "total");
  return checked_add(t, overhead_bytes, "total");
}

const FitRow& Report::row(std::size_t quant, std::size_t gpu, std::size_t context) const {
  return rows.at((quant * gpus.size() + gpu) * contexts.size() + context);
}

std::vector<std::uint64_t> default_ladder(const ModelSpec& spec) {
  std::vector<std::uint64_t> out;
  for (const std::uint64_t k : {8192U, 16384U, 32768U}) {
    if (k < spec.n_ctx_train) {
      out.push_back(k);
    }
  }
  out.push_back(spec.n_ctx_train);
  return out;
}

std::uint64_t max_context_tokens(const ModelSpec& spec, const QuantResult& q, const GpuGroup& group,
                                 const Request& request, const RunSettings& settings) {
  const auto weights = layer_weights(q);
  // Every requirement grows (or plateaus) with the context: the KV cache of
  // full-attention layers, sliding-window caches up to their window, the
  // score matrix without flash attention; recurrent state is constant.
  const auto fits = [&](std::uint64_t tokens) {
    RunSettings s = settings;
    s.context_tokens = tokens;
    return fits_at(spec, q, weights, s, kv_cache_size(spec, s), recurrent_state_size(spec, s), group, request);
  };
  constexpr std::uint64_t k_step = 256;  // llama.cpp pads n_ctx to 256 cells
  const std::uint64_t native = std::max<std::uint64_t>(spec.n_ctx_train, k_step);
  const std::uint64_t steps = native / k_step;
  if (fits(native)) {
    return native;
  }
  if (!fits(k_step)) {
    return 0;
  }
  std::uint64_t lo = 1;       // fits
  std::uint64_t hi = steps;   // does not fit (native, rounded down to a step, is checked below)
  if (steps * k_step != native && fits(steps * k_step)) {
    return steps * k_step;
  }
  while (hi - lo > 1) {
    const std::uint64_t mid = lo + (hi - lo) / 2;
    if (fits(mid * k_step)) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return lo * k_step;
}

GpuGroup resolve_gpu_group(const Catalog& catalog, std::string_view text, std::optional<Bytes> wired_limit_bytes) {
  GpuGroup group;
  std::vector<std::pair<std::uint32_t, const GpuSpec*>> parts;
  std::size_t at = 0;
  while (at <= text.size()) {
    const auto plus = text.find('+', at);
    std::string_view item = text.substr(at, plus == std::string_view::npos ? std::string_view::npos : plus - at);
    at = plus == std::string_view::npos ? text.size() + 1 : plus + 1;
    while (!item.empty() && item.front() == ' ') {
      item.remove_prefix(1);
    }
    while (!item.empty() && item.back() == ' ') {
      item.remove_suffix(1);
    }
    if (item.empty()) {
      throw UsageError("--gpu: '" + std::string(text.substr(0, 64)) + "' has an empty GPU between '+' signs");
    }
    // "2xrtx3090" / "2x rtx3090": N of one GPU, when the rest is a known GPU.
    std::uint32_t count = 1;
    std::size_t digits = 0;
    while (digits < item.size() && digits < 3 && item[digits] >= '0' && item[digits] <= '9') {
      ++digits;
    }
    if (digits > 0 && digits + 1 < item.size() && (item[digits] == 'x' || item[digits] == 'X')) {
      auto rest = item.substr(digits + 1);
      while (!rest.empty() && rest.front() == ' ') {
        rest.remove_prefix(1);
      }
      const auto n = std::stoul(std::string(item.substr(0, digits)));
      if (n == 0 || n > 16) {
        throw UsageError("--gpu: '" + std::string(item.substr(0, 64)) + "': 1 to 16 GPUs of a kind");
      }
      count = static_cast<std::uint32_t>(n);
      item = rest;
    }
    parts.emplace_back(count, &catalog.find_gpu(item));
  }
  for (const auto& [count, gpu] : parts) {
    for (std::uint32_t i = 0; i < count; ++i) {
      group.gpus.push_back(*gpu);
      group.budgets.push_back(device_budget(*gpu, wired_limit_bytes));
    }
    group.id += (group.id.empty() ? "" : "+") + (count > 1 ? std::to_string(count) + "x" : std::string{}) + gpu->id;
  }
  if (group.gpus.size() > 16) {
    throw UsageError("--gpu: at most 16 GPUs in one host");
  }
  const auto unified = [](const GpuSpec& g) { return g.memory == MemoryKind::unified; };
  if (group.gpus.size() > 1 && std::any_of(group.gpus.begin(), group.gpus.end(), unified)) {
    throw UsageError("--gpu: '" + group.id + "': a unified-memory GPU is the whole machine; it does not combine with others");
  }
  return group;
}

Report build_report(const Catalog& catalog, const Request& request) {
  if (request.gpus.empty()) {
    throw UsageError("--gpu: give at least one GPU ('vramfit list gpus' shows them)");
  }
  validate(request.settings);
  Report report;
  report.model = request.model_spec ? *request.model_spec : catalog.find_model(request.model);
  report.settings = request.settings;
  report.notes = request.notes;

  for (const auto& id : request.gpus) {
    auto group = resolve_gpu_group(catalog, id, request.wired_limit_bytes);
    for (std::size_t i = 0; i < group.gpus.size(); ++i) {
      group.budgets[i] = engine_budget(request.engine, group.gpus[i], group.budgets[i], request.ollama,
                                       request.vllm_utilization_percent);
    }
    if (std::none_of(report.gpus.begin(), report.gpus.end(), [&](const GpuSpec& g) { return g.id == group.id; })) {
      report.gpus.push_back(group.combined());
      report.budgets.push_back(group.combined_budget());
      report.groups.push_back(std::move(group));
    }
  }

  // The engine's defaults for what the user left open.
  Request effective = request;
  report.engine = std::string(name(request.engine));
  report.host_bandwidth_gbps = request.host_bandwidth_gbps;
  report.host_bandwidth_assumed = !request.host_bandwidth_given;
  {
    SettingsGiven given = request.given;
    given.context = given.context || !request.contexts.empty();
    const auto notes = apply_engine_defaults(request.engine, effective.settings, given, request.ollama,
                                             report.groups.front().gpus.front().memory_bytes,
                                             request.vllm_utilization_percent);
    report.notes.insert(report.notes.end(), notes.begin(), notes.end());
    if (!given.context) {
      effective.contexts = {effective.settings.context_tokens};
    }
    if (request.engine == Engine::ollama && effective.settings.n_seq > 1) {
      // Ollama starts its runner with num_ctx x OLLAMA_NUM_PARALLEL cells.
      for (auto& c : effective.contexts) {
        c *= effective.settings.n_seq;
      }
      report.notes.push_back("ollama: the runner's context is num_ctx x " + std::to_string(effective.settings.n_seq) +
                             " parallel requests");
    }
    validate(effective.settings);
    report.settings = effective.settings;
  }
  return build_report_for(catalog, effective, std::move(report));
}


MaxContextReport build_max_context(const Catalog& catalog, const Request& request, bool cache_given) {
  MaxContextReport out;
  Request base = request;
  base.with_ladder = false;
  base.with_max_context = false;
  out.report = build_report(catalog, base);
  const auto& spec = out.report.model.spec;
  // The engine's defaults apply here as in the fit table (Ollama: f16 cache,
  // no flash attention unless its environment says so).
  const RunSettings& settings = out.report.settings;
  if (cache_given) {
    out.caches.emplace_back(settings.type_k, settings.type_v);
  } else {
    out.caches.emplace_back(GgmlType::f16, GgmlType::f16);
    if (settings.flash_attn) {
      out.caches.emplace_back(GgmlType::q8_0, GgmlType::q8_0);
      out.caches.emplace_back(GgmlType::q4_0, GgmlType::q4_0);
    }
  }
  for (std::size_t qi = 0; qi < out.report.quants.size(); ++qi) {
    for (std::size_t gi = 0; gi < out.report.gpus.size(); ++gi) {
      for (std::size_t ci = 0; ci < out.caches.size(); ++ci) {
        RunSettings s = settings;
        s.type_k = out.caches[ci].first;
        s.type_v = out.caches[ci].second;
        MaxContextRow row;
        row.quant = qi;
        row.gpu = gi;
        row.cache = ci;
        try {
          row.tokens = max_context_tokens(spec, out.report.quants[qi], out.report.groups[gi], request, s);
        } catch (const UsageError&) {
          row.supported = false;  // e.g. q4_0 rows of 32 values over a head of 80
          out.rows.push_back(row);
          continue;
        }
        if (row.tokens > 0) {
          s.context_tokens = row.tokens;
          row.kv_cache_bytes = kv_cache_size(spec, s).total_bytes();
          row.recurrent_state_bytes = recurrent_state_size(spec, s).total_bytes();
        }
        out.rows.push_back(row);
      }
    }
  }
  return out;
}

} // namespace vramfit
