#include "vramfit/report.hpp"

#include "vramfit/error.hpp"

#include "detail/text.hpp"

#include <algorithm>
#include <map>

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

FitRow evaluate_row(const ModelSpec& spec, const RunSettings& base, const QuantResult& q, const ContextResult& c,
                    const GpuSpec& gpu, const DeviceBudget& budget) {
  RunSettings s = base;
  s.context_tokens = c.context_tokens;
  FitRow row;
  row.estimate = estimate_compute(spec, s, c.kv, gpu.backend);
  row.memory.weights_bytes = q.device_weights_bytes;
  row.memory.kv_cache_bytes = c.kv.total_bytes();
  row.memory.recurrent_state_bytes = c.state.total_bytes();
  row.memory.compute_buffer_bytes = row.estimate.compute_buffer.bytes;
  row.memory.overhead_bytes = row.estimate.overhead.bytes;
  const Bytes total = row.memory.total_bytes();
  row.headroom_bytes = signed_difference(budget.usable_bytes, total);
  row.fits = row.headroom_bytes >= 0;
  const Bytes low = total - row.estimate.compute_buffer.bytes - row.estimate.overhead.bytes +
                    row.estimate.compute_buffer.low + row.estimate.overhead.low;
  const Bytes high = total - row.estimate.compute_buffer.bytes - row.estimate.overhead.bytes +
                     row.estimate.compute_buffer.high + row.estimate.overhead.high;
  row.marginal = (low <= budget.usable_bytes) != (high <= budget.usable_bytes);
  row.total_low_bytes = low;
  row.total_high_bytes = high;
  row.provenance.weights = q.weights_provenance;
  return row;
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

Report build_report(const Catalog& catalog, const Request& request) {
  if (request.gpus.empty()) {
    throw UsageError("--gpu: give at least one GPU ('vramfit list gpus' shows them)");
  }
  validate(request.settings);
  Report report;
  report.model = request.model_spec ? *request.model_spec : catalog.find_model(request.model);
  report.settings = request.settings;
  report.notes = request.notes;
  const CatalogModel& model = report.model;
  const ModelSpec& spec = model.spec;

  for (const auto& id : request.gpus) {
    const auto& gpu = catalog.find_gpu(id);
    if (std::none_of(report.gpus.begin(), report.gpus.end(), [&](const GpuSpec& g) { return g.id == gpu.id; })) {
      report.gpus.push_back(gpu);
      report.budgets.push_back(device_budget(gpu));
    }
  }

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
        FitRow row = evaluate_row(spec, request.settings, report.quants[qi], report.contexts[ci], report.gpus[gi],
                                  report.budgets[gi]);
        row.quant = qi;
        row.gpu = gi;
        row.context = ci;
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
          const auto row = evaluate_row(spec, request.settings, report.quants[qi], lr.context, report.gpus[gi],
                                        report.budgets[gi]);
          if (row.fits) {
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

} // namespace vramfit
