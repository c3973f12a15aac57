#include "plan/evaluator.hpp"

#include "vramfit/model/weight_format.hpp"
#include "vramfit/support/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace vramfit {

namespace {
constexpr Bytes k_max_margin = Bytes{1} << 62;  // a --min-headroom beyond any headroom
}  // namespace
namespace {

// The type name the speed factors classify: the recipe a quant follows, else its own id.
std::string_view type_name_of(const QuantResult& q) {
  return q.recipe.empty() ? q.id : q.recipe;
}

Bytes saturating_sub(Bytes a, Bytes b) {
  return a > b ? a - b : 0;
}

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
  std::vector<GgmlType> types;
  Bytes file_bytes = 0;
  Bytes metadata_bytes = 0;
};

Prediction predict(const ModelSpec& spec, const std::vector<TensorSpec>& inventory, const QuantSpec& recipe) {
  const auto ftype = *recipe.file_type;
  QuantOptions options;
  options.imatrix = recipe.imatrix;
  Prediction p;
  p.types = recipe_types(inventory, spec, ftype, options);
  p.weights = summarize_weights(inventory, p.types, spec.n_layer);
  p.metadata_bytes = estimate_gguf_metadata_bytes(spec, inventory);
  p.file_bytes = checked_add(gguf_tensor_data_bytes(inventory, p.types), p.metadata_bytes, "file size");
  return p;
}

// The weights of `q` per block as llama.cpp places them. A published file's
// size is spread over the blocks in the proportions of the recipe's prediction.
LayerWeights layer_weights(const QuantResult& q) {
  std::vector<Bytes> layers = q.predicted.layer_bytes;
  std::vector<Bytes> experts = q.predicted.layer_expert_bytes;
  Bytes output = q.predicted.output_layer_bytes;
  Bytes predicted = output;
  for (const auto b : layers) {
    predicted = checked_add(predicted, b, "device weights");
  }
  if (predicted != 0 && predicted != q.device_weights_bytes) {
    const long double f = static_cast<long double>(q.device_weights_bytes) / static_cast<long double>(predicted);
    Bytes sum = 0;
    for (std::size_t i = 0; i < layers.size(); ++i) {
      layers[i] = static_cast<Bytes>(static_cast<long double>(layers[i]) * f);
      experts[i] = std::min(layers[i], static_cast<Bytes>(static_cast<long double>(experts[i]) * f));
      sum += layers[i];
    }
    output = q.device_weights_bytes > sum ? q.device_weights_bytes - sum : 0;
  }
  LayerWeights w;
  w.layers = LayerSums(layers);
  w.experts = LayerSums(experts);
  w.output_layer_bytes = output;
  w.token_embd_bytes = q.host_weights_bytes;
  return w;
}

// What the CPU's extra buffers would allocate for each part of the weights on
// the CPU, scaled like the weights when a published size stands for the recipe.
void add_extra_buffers(LayerWeights& w, const std::vector<TensorSpec>& tensors, const std::vector<GgmlType>& types,
                       std::uint32_t n_layer, CpuClass cpu, long double scale) {
  std::vector<Bytes> blocks(n_layer, 0);
  std::vector<Bytes> experts(n_layer, 0);
  std::vector<Bytes> source_blocks(n_layer, 0);
  std::vector<Bytes> source_experts(n_layer, 0);
  const auto scaled = [scale](Bytes b) {
    return static_cast<Bytes>(static_cast<long double>(b) * scale);
  };
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    const auto& t = tensors[i];
    const auto extra = extra_buffer_for(cpu, t, types[i]);
    if (extra.buffer == ExtraBuffer::none) {
      continue;
    }
    const Bytes bytes = scaled(extra.bytes);
    const Bytes source = scaled(tensor_bytes(types[i], t.row_length(), t.rows()));
    if (t.layer < 0) {
      // token_embd never qualifies (GET_ROWS): the output matrix
      w.repacked.output += bytes;
      w.repacked_source.output += source;
    } else if (static_cast<std::uint32_t>(t.layer) < n_layer) {
      const auto l = static_cast<std::size_t>(t.layer);
      const bool expert = is_routed_expert(t.name);
      (expert ? experts : blocks)[l] += bytes;
      (expert ? source_experts : source_blocks)[l] += source;
    }
  }
  w.repacked.blocks = LayerSums(blocks);
  w.repacked.experts = LayerSums(experts);
  w.repacked_source.blocks = LayerSums(source_blocks);
  w.repacked_source.experts = LayerSums(source_experts);
}

// Bytes per element, as a fraction: (bytes per block, elements per block).
double element_bytes(GgmlType t) {
  const auto& tr = traits(t);
  return static_cast<double>(tr.type_size) / static_cast<double>(tr.block_size);
}

}  // namespace

Evaluator::Evaluator(const Catalog& catalog, const Request& request)
    : m_catalog(catalog), m_request(request), m_engine(request.engine != nullptr ? *request.engine : default_engine()) {
  if (request.gpus.empty()) {
    throw UsageError("--gpu: give at least one GPU ('vramfit list gpus' shows them)");
  }
  validate(request.settings);
  m_report.model = request.model_spec ? *request.model_spec : catalog.find_model(request.model);
  m_report.notes = request.notes;
  m_report.engine = &m_engine;
  m_report.host = request.host;
  if (request.prompt_tokens == 0) {
    throw UsageError("--prompt: give a prompt of at least one token");
  }
  m_report.prompt_tokens = request.prompt_tokens;
  resolve_columns();
  resolve_settings();
  check_mtp();
  resolve_quants();
  resolve_draft();
  m_report.projector = request.projector;
  if (m_report.projector && m_report.projector->from_catalog) {
    const auto& published = m_report.model.projectors;
    if (published.empty()) {
      throw UsageError("--mmproj auto: the catalog has no projector file for '" + m_report.model.spec.id +
                       "'; give --mmproj FILE");
    }
    const auto& f = published.front();
    m_report.projector->file = f.file;
    m_report.projector->weights_bytes = f.bytes;
    m_report.notes.push_back(fmt::format("--mmproj auto: {}/{} ({}), {} bytes as published, header included", f.repo,
                                         f.file, f.quant, f.bytes));
  }
  if (m_report.projector) {
    m_report.projector_compute = estimate_projector_compute(m_report.settings.flash_attn, m_report.projector->offload);
  }
  add_warnings();
  auto& r = m_report;
  for (std::size_t qi = 0; qi < r.quants.size(); ++qi) {
    for (std::size_t gi = 0; gi < r.columns.size(); ++gi) {
      for (std::size_t ci = 0; ci < r.contexts.size(); ++ci) {
        FitRow row = evaluate_row(r.quants[qi], r.columns[gi], r.contexts[ci]);
        row.quant = qi;
        row.gpu = gi;
        row.context = ci;
        if (request.with_max_context) {
          row.max_context_tokens =
              ci == 0 ? max_context_tokens(r.quants[qi], r.columns[gi], r.settings) : r.rows.back().max_context_tokens;
        }
        constexpr std::size_t k_most_rows = 400;  // a search of up to 7 placements per row
        const bool few = r.quants.size() * r.columns.size() * r.contexts.size() <= k_most_rows;
        if (row.fits && row.vllm) {
          row.concurrency = paged_concurrency(*row.vllm, r.columns[gi]);
        } else if (request.with_concurrency && few && row.fits && m_engine.offloads()) {
          row.concurrency = concurrency(r.quants[qi], r.columns[gi], r.contexts[ci]);
        }
        r.rows.push_back(std::move(row));
      }
    }
  }
  if (request.with_what_if) {
    for (auto& row : r.rows) {
      if (!row.fits) {
        row.what_if = what_if(row);
      }
    }
  }
  if (request.with_ladder) {
    build_ladder();
  }
}

// Knobs that do nothing for this model or these GPUs, and contexts past the
// model's training: said once, computed anyway.
void Evaluator::add_warnings() {
  auto& r = m_report;
  const auto& spec = r.model.spec;
  const auto warn = [&](std::string code, std::string message) {
    r.warnings.push_back(Warning{std::move(code), std::move(message)});
  };
  for (const auto& c : r.contexts) {
    if (spec.n_ctx_train > 0 && c.context_tokens > spec.n_ctx_train) {
      warn("context_beyond_native", "context " + std::to_string(c.context_tokens) + " is beyond " + spec.id +
                                        "'s native " + std::to_string(spec.n_ctx_train) +
                                        " tokens: computed, but quality past it needs RoPE scaling");
      break;
    }
  }
  const auto any_backend = [&](Backend b) {
    return std::any_of(r.columns.begin(), r.columns.end(), [&](const GpuColumn& c) {
      return std::any_of(c.group.gpus.begin(), c.group.gpus.end(), [&](const GpuSpec& g) { return g.backend == b; });
    });
  };
  std::vector<std::string> unknown_speed;
  for (const auto& c : r.columns) {
    for (const auto& g : c.group.gpus) {
      if (g.bandwidth_gbps <= 0 && std::find(unknown_speed.begin(), unknown_speed.end(), g.id) == unknown_speed.end()) {
        unknown_speed.push_back(g.id);
        warn("speed_unknown", g.name + ": memory bandwidth unknown (not in the catalog): no speed estimate; " +
                                  "--gpu SIZE@BANDWIDTH (24GB@936GBps) states one");
      }
    }
  }
  if (m_request.n_cpu_moe && !spec.moe) {
    warn("knob_not_applicable", "--n-cpu-moe: " + spec.id + " has no experts (use -ngl to keep layers on the host)");
  }
  if (m_request.devices.wired_limit_bytes && !any_backend(Backend::metal)) {
    warn("knob_not_applicable", "--wired-limit-mb applies to Apple GPUs only");
  }
  const bool extras_possible = std::all_of(r.columns.begin(), r.columns.end(), [](const GpuColumn& c) {
    return std::all_of(c.group.gpus.begin(), c.group.gpus.end(),
                       [](const GpuSpec& g) { return g.backend == Backend::metal || g.backend == Backend::cpu; });
  });
  if (m_request.host.cpu && !extras_possible) {
    warn("knob_not_applicable", "--host-cpu / --no-repack: beside CUDA, ROCm, Vulkan or SYCL GPUs llama.cpp puts "
                                "host weights in the GPU's pinned buffer, never in the CPU's repack buffers");
  }
}

void Evaluator::resolve_columns() {
  for (const auto& id : m_request.gpus) {
    auto group = resolve_gpu_group(m_catalog, id, m_request.devices, m_request.host);
    for (std::size_t i = 0; i < group.gpus.size(); ++i) {
      group.budgets[i] = m_engine.budget(group.gpus[i], group.budgets[i], m_request.engine_options);
    }
    const auto same = [&](const GpuColumn& c) {
      return c.group.id == group.id;
    };
    if (std::none_of(m_report.columns.begin(), m_report.columns.end(), same)) {
      GpuColumn column;
      column.combined = group.combined();
      column.budget = group.combined_budget();
      column.group = std::move(group);
      m_report.columns.push_back(std::move(column));
    }
  }
  // The host CPU's extra buffers: as stated, else an Apple GPU's own CPU, else
  // AVX2 (they matter only where no GPU host buffer comes first).
  const bool apple = std::any_of(m_report.columns.begin(), m_report.columns.end(),
                                 [](const GpuColumn& c) { return c.combined.backend == Backend::metal; });
  m_cpu = m_request.host.cpu.value_or(apple ? CpuClass::arm64 : CpuClass::avx2);
}

void Evaluator::resolve_settings() {
  auto& r = m_report;
  r.settings = m_request.settings;
  SettingsGiven given = m_request.given;
  given.context = given.context || !m_request.contexts.empty();
  const auto notes = m_engine.apply_defaults(r.settings, given, m_request.engine_options,
                                             r.columns.front().group.gpus.front().memory_bytes);
  r.notes.insert(r.notes.end(), notes.begin(), notes.end());
  validate(r.settings);
  std::vector<std::uint64_t> contexts = m_request.contexts;
  if (contexts.empty()) {
    contexts.push_back(r.settings.context_tokens);
  }
  const auto& spec = r.model.spec;
  for (const auto tokens : contexts) {
    RunSettings s = r.settings;
    s.context_tokens = m_engine.runner_context(tokens == 0 ? spec.n_ctx_train : tokens, r.settings);
    r.contexts.push_back(context(s));
  }
}

void Evaluator::resolve_quants() {
  auto& r = m_report;
  const auto& spec = r.model.spec;
  if (m_request.file) {
    r.quants.push_back(file_result(*m_request.file));
    return;
  }
  std::vector<const QuantSpec*> quants;
  if (m_request.quants.empty()) {
    for (const auto& q : m_catalog.quants) {
      if ((q.listed || m_request.all_quants) && applies(q, r.model) && m_engine.lists(q)) {
        quants.push_back(&q);
      }
    }
  } else {
    for (const auto& id : m_request.quants) {
      const auto& q = m_catalog.find_quant(id);
      if (!m_engine.loads(q)) {
        throw UsageError("--quant " + q.id + ": " + std::string(m_engine.name()) + " does not load " +
                         (q.kind == QuantKind::format ? "this checkpoint format (" + q.description + ")"
                                                      : std::string("GGUF files")) +
                         "; 'vramfit list quants' says which engine loads which");
      }
      if (q.moe_only && !spec.moe) {
        throw UsageError("--quant " + q.id + ": applies to mixture-of-experts models only, and '" + spec.id +
                         "' is dense");
      }
      if (std::find(quants.begin(), quants.end(), &q) == quants.end()) {
        quants.push_back(&q);
      }
    }
  }
  if (quants.empty()) {
    throw UsageError("no quantization applies to '" + spec.id + "'");
  }
  for (const auto* q : quants) {
    r.quants.push_back(quant_result(*q));
  }
  // Largest file first: the order of quality a guide lists them in.
  std::stable_sort(r.quants.begin(), r.quants.end(),
                   [](const QuantResult& a, const QuantResult& b) { return a.file_bytes() > b.file_bytes(); });
}

// The draft model: evaluated by an Evaluator of its own over the same GPUs,
// at the model's context and sequences, with the draft's cache types.
void Evaluator::resolve_draft() {
  if (m_request.mtp) {
    // The model's own blocks: each row's quant, the model's cache types.
    const auto& r = m_report;
    m_report.draft =
        DraftSummary{r.model, r.quants.front(), r.settings.type_k, r.settings.type_v, r.model.spec.n_layer_nextn};
    return;
  }
  if (!m_request.draft) {
    return;
  }
  if (const auto why = m_engine.no_draft_reason()) {
    throw UsageError("--model-draft: " + std::string(*why));
  }
  const auto& d = *m_request.draft;
  Request& dr = m_draft_request;
  dr.model = d.model;
  dr.model_spec = d.model_spec;
  dr.file = d.file;
  if (!d.file) {
    dr.quants = {d.quant};
  }
  dr.gpus = m_request.gpus;
  dr.settings = m_report.settings;
  dr.settings.type_k = d.type_k;
  dr.settings.type_v = d.type_v;
  dr.given = SettingsGiven{true, true, true, true, true, true, true};
  dr.contexts = {m_report.contexts.front().context_tokens};
  dr.host = m_request.host;
  dr.devices = m_request.devices;
  dr.engine = &m_engine;
  dr.engine_options = m_request.engine_options;
  dr.with_ladder = false;
  dr.with_max_context = false;
  dr.with_what_if = false;
  m_draft = std::make_unique<Evaluator>(m_catalog, dr);
  const auto& draft = m_draft->report();
  const auto& target = m_report.model.spec;
  // llama.cpp refuses a draft whose vocabulary differs (common/speculative.cpp:
  // SPEC_VOCAB_MAX_SIZE_DIFFERENCE, 128 tokens).
  constexpr std::uint32_t k_most_vocab_difference = 128;
  const auto n_tgt = target.n_vocab;
  const auto n_dft = draft.model.spec.n_vocab;
  if ((n_tgt > n_dft ? n_tgt - n_dft : n_dft - n_tgt) > k_most_vocab_difference) {
    throw UsageError("--model-draft: " + draft.model.spec.id + "'s vocabulary (" + std::to_string(n_dft) +
                     " tokens) differs from " + target.id + "'s (" + std::to_string(n_tgt) +
                     ") by more than 128 tokens, and llama.cpp refuses such a draft (pick one of the same family)");
  }
  m_report.draft = DraftSummary{draft.model, draft.quants.front(), d.type_k, d.type_v};
  for (const auto& w : draft.warnings) {
    m_report.warnings.push_back(Warning{"draft_" + w.code, "draft model: " + w.message});
  }
}

// --mtp: the model's own MTP blocks as the draft (llama-server --spec-type
// draft-mtp loads them with the model, load_mtp, and creates an MTP context on
// the same weights). Checked before the quantizations are resolved, because a
// catalog model whose files leave the blocks out gains them here.
void Evaluator::check_mtp() {
  if (!m_request.mtp) {
    return;
  }
  if (m_request.draft) {
    throw UsageError("--mtp: give either --mtp or a draft model (--model-draft / --gguf-draft), not both");
  }
  if (const auto why = m_engine.no_draft_reason()) {
    throw UsageError("--mtp: " + std::string(*why));
  }
  auto& model = m_report.model;
  auto& spec = model.spec;
  if (spec.n_layer_nextn > 0) {
    return;
  }
  if (model.mtp_layers == 0 || m_request.file) {
    throw UsageError("--mtp: " + spec.id +
                     (m_request.file ? "'s file carries no MTP layers (nextn_predict_layers 0)"
                                     : " has no MTP (nextn) layers the catalog knows of") +
                     "; llama.cpp's draft-mtp needs a GGUF that carries them");
  }
  // The catalog's files leave the blocks out: predict a GGUF that carries them.
  spec = with_mtp_layers(spec, model.mtp_layers);
  model.files.clear();
  m_report.notes.push_back(fmt::format(
      "--mtp: sizes are predicted for a GGUF that carries {}'s {} MTP layer{} (the catalog's published files leave "
      "{} out)",
      spec.name, model.mtp_layers, model.mtp_layers == 1 ? "" : "s", model.mtp_layers == 1 ? "it" : "them"));
}

// llama.cpp counts the MTP blocks after the main ones, so they sit with the
// last block: on the group's last GPU. Their cache follows the model's
// (-nkvo: in RAM); the MTP context reserves a compute buffer of its own, which
// a real log shows as large as the model's (c09: 495.00 MiB twice on CUDA0).
std::optional<Companion> Evaluator::mtp_loads(const QuantResult& q, const GpuColumn& column,
                                              const RunSettings& settings) {
  const auto& spec = m_report.model.spec;
  const auto& c = context(settings);
  const auto& gpus = column.group.gpus;
  Companion out;
  out.gpus.resize(gpus.size());
  auto& home = out.gpus.back();
  home.weights_bytes = q.predicted.mtp_bytes;
  const Bytes kv = mtp_kv_cache_size(spec, settings).total_bytes();
  (settings.kv_offload ? home : out.host).kv_cache_bytes = kv;
  home.compute_buffer = estimate_compute(spec, settings, c.kv, gpus.back().backend).compute_buffer;
  return out;
}

std::optional<Companion> Evaluator::draft_loads(const GpuColumn& column, const RunSettings& settings) {
  if (!m_draft) {
    return std::nullopt;
  }
  RunSettings ds = settings;
  ds.type_k = m_request.draft->type_k;
  ds.type_v = m_request.draft->type_v;
  ds.n_outputs_max = ds.n_seq;  // common_base_params_to_speculative: one output per sequence
  auto& de = *m_draft;
  const auto v = de.verdict(de.m_report.quants.front(), column, Variant{ds, Offload::full(de.m_report.model.spec)});
  Companion c;
  for (const auto& d : v.placement.devices) {
    CompanionLoad load;
    load.weights_bytes = d.weights_bytes;
    load.kv_cache_bytes = checked_add(d.kv_cache_bytes, d.recurrent_state_bytes, "draft");
    load.compute_buffer = d.compute_buffer;  // its overhead is the process's, counted once with the model
    c.gpus.push_back(load);
  }
  const auto& h = v.placement.host;
  c.host.weights_bytes = checked_add(h.weights_bytes, h.repacked_weights_bytes, "draft");
  c.host.kv_cache_bytes = checked_add(h.kv_cache_bytes, h.recurrent_state_bytes, "draft");
  c.host.compute_buffer = h.compute_buffer;
  for (auto field : {&Estimate::bytes, &Estimate::low, &Estimate::high}) {
    c.host.compute_buffer.*field = checked_add(c.host.compute_buffer.*field, h.output_bytes, "draft");
  }
  return c;
}

// mtmd's clip context: weights and compute on the first GPU, the CPU's share
// of the compute beside it; everything on the CPU with --no-mmproj-offload.
std::optional<Companion> Evaluator::projector_loads(const GpuColumn& column, const RunSettings& settings,
                                                    bool on_gpu) const {
  if (!m_report.projector) {
    return std::nullopt;
  }
  const auto& pr = *m_report.projector;
  const bool offload = pr.offload && on_gpu;
  Companion c;
  c.gpus.resize(column.group.gpus.size());
  const auto compute = estimate_projector_compute(settings.flash_attn, offload);
  auto& home = offload ? c.gpus.front() : c.host;
  home.weights_bytes = pr.weights_bytes;
  home.compute_buffer = compute.device;
  if (offload) {
    c.host.compute_buffer = compute.host;
  }
  return c;
}

Evaluator::Beside Evaluator::beside(const QuantResult& q, const GpuColumn& column, const RunSettings& settings,
                                    bool with_draft, bool projector_on_gpu) {
  Beside b;
  if (with_draft) {
    b.draft = m_request.mtp ? mtp_loads(q, column, settings) : draft_loads(column, settings);
  }
  b.projector = projector_loads(column, settings, projector_on_gpu);
  return b;
}

QuantResult Evaluator::quant_result(const QuantSpec& q) {
  const auto& model = m_report.model;
  if (m_inventory.empty()) {
    m_inventory = build_inventory(model.spec);
  }
  if (q.kind == QuantKind::format) {
    return format_result(q);
  }
  const QuantSpec& recipe = q.kind == QuantKind::recipe ? q : m_catalog.find_quant(q.nearest);
  const auto p = predict(model.spec, m_inventory, recipe);
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
  r.model_file = model.spec.name + "-" + q.id + ".gguf";
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
    // A file more than 0.5% off llama.cpp's recipe was made another way
    // (publishers' per-tensor overrides, an older llama-quantize): it does not
    // follow the recipe, whatever its name says.
    const Bytes off = file->bytes > p.file_bytes ? file->bytes - p.file_bytes : p.file_bytes - file->bytes;
    if (off > p.file_bytes / 200) {
      r.follows_recipe = false;
    }
  } else if (q.kind == QuantKind::published) {
    throw UsageError("quant '" + q.id + "' is known only by published files, and the catalog has none for '" +
                     model.spec.id + "'");
  }
  r.layers = layer_weights(r);
  const Bytes predicted = p.weights.device_bytes();
  add_extra_buffers(
      r.layers, m_inventory, p.types, model.spec.n_layer, m_cpu,
      predicted == 0 ? 1.0L : static_cast<long double>(r.device_weights_bytes) / static_cast<long double>(predicted));
  return r;
}

// A checkpoint of another engine's format: the format's bytes for each tensor
// (model/weight_format), an estimate of what publishers skip; no GGUF header.
QuantResult Evaluator::format_result(const QuantSpec& q) {
  const auto& model = m_report.model;
  const auto* format = find_weight_format(q.id);
  if (format == nullptr) {
    throw UsageError("--quant " + q.id + ": no format of that name");
  }
  const auto w = summarize_format(m_inventory, *format, model.spec.n_layer);
  QuantResult r;
  r.id = q.id;
  r.description = q.description;
  r.recipe = q.id;
  r.source = WeightsSource::predicted;
  r.weights_provenance = Provenance::estimate;
  r.predicted = w;
  r.file_predicted_bytes = w.total_bytes;
  r.file_predicted_provenance = Provenance::estimate;
  r.host_weights_bytes = w.token_embd_bytes;
  r.device_weights_bytes = w.device_bytes();
  r.model_file = model.spec.name + "-" + q.id;
  r.layers = layer_weights(r);
  return r;
}

// A real file: its tensors are the truth; the recipe prediction of its file
// type (when the architecture can be built) is shown beside it.
QuantResult Evaluator::file_result(const FileWeights& file) {
  const auto& model = m_report.model;
  QuantResult r;
  r.id = file.label;
  r.description = file.path;
  r.model_file = file.path;
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
  r.file_predicted_provenance = Provenance::exact;
  r.follows_recipe = false;
  r.recipe = file.label;
  const auto recipe = std::find_if(m_catalog.quants.begin(), m_catalog.quants.end(), [&](const QuantSpec& q) {
    return q.kind == QuantKind::recipe && file.file_type && q.file_type == file.file_type;
  });
  if (recipe != m_catalog.quants.end() && can_build_inventory(model.spec)) {
    try {
      m_inventory = build_inventory(model.spec);
      r.file_predicted_bytes = predict(model.spec, m_inventory, *recipe).file_bytes;
      r.file_predicted_provenance = Provenance::estimate;
      r.follows_recipe = true;
      r.recipe = recipe->id;
    } catch (const InputError&) {
      // Shapes the recipe has no type for (a row no fallback divides): the
      // file's own size stands, and the recipe is not claimed.
    }
  }
  r.layers = layer_weights(r);
  add_extra_buffers(r.layers, file.tensors, types, model.spec.n_layer, m_cpu, 1.0L);
  return r;
}

ContextResult Evaluator::make_context(const RunSettings& s) {
  const auto& spec = m_report.model.spec;
  ContextResult c;
  c.context_tokens = s.context_tokens == 0 ? spec.n_ctx_train : s.context_tokens;
  c.native = c.context_tokens == spec.n_ctx_train;
  RunSettings at = s;
  at.context_tokens = c.context_tokens;
  // What does not change with the context is worked out once per cache type and sequence count.
  const auto profile_key =
      std::make_tuple(static_cast<std::uint32_t>(s.type_k), static_cast<std::uint32_t>(s.type_v), s.flash_attn);
  auto profile = m_kv_profiles.find(profile_key);
  if (profile == m_kv_profiles.end()) {
    profile = m_kv_profiles.emplace(profile_key, std::make_shared<const KvProfile>(kv_profile(spec, at))).first;
  }
  auto state = m_states.find(s.n_seq);
  if (state == m_states.end()) {
    state = m_states.emplace(s.n_seq, recurrent_state_size(spec, at)).first;
  }
  c.kv = kv_cache_size(spec, at, profile->second);
  c.layout = c.kv.layout;
  c.state = state->second;
  return c;
}

const ContextResult& Evaluator::context(const RunSettings& s) {
  const auto key =
      std::make_tuple(s.context_tokens, static_cast<std::uint32_t>(s.type_k), static_cast<std::uint32_t>(s.type_v),
                      s.flash_attn, s.n_seq, s.kv_unified, s.swa_full, s.n_ubatch);
  const auto it = m_contexts.find(key);
  if (it != m_contexts.end()) {
    return it->second;
  }
  return m_contexts.emplace(key, make_context(s)).first->second;
}

Offload Evaluator::requested_offload() const {
  Offload offload = Offload::full(m_report.model.spec);
  if (m_request.n_gpu_layers) {
    offload.n_gpu_layers = gpu_blocks_of(m_report.model.spec, *m_request.n_gpu_layers);
  }
  if (m_request.n_cpu_moe) {
    offload.n_cpu_moe = *m_request.n_cpu_moe;
  }
  return offload;
}

EngineVerdict Evaluator::verdict(const QuantResult& q, const GpuColumn& column, const Variant& v) {
  const auto& c = context(v.settings);
  RunSettings s = v.settings;
  s.context_tokens = c.context_tokens;
  const auto companions = beside(q, column, s, v.with_draft, v.projector_on_gpu);
  const Scenario scenario{m_report.model.spec,  q.layers,  q.host_weights_bytes, s, c.kv, c.state, column.group.gpus,
                          column.group.budgets, v.offload, companions.refs()};
  return m_engine.evaluate(scenario);
}

bool Evaluator::cache_types_fit(const RunSettings& s) {
  const auto key =
      std::make_tuple(static_cast<std::uint32_t>(s.type_k), static_cast<std::uint32_t>(s.type_v), s.flash_attn);
  const auto it = m_cache_types_fit.find(key);
  if (it != m_cache_types_fit.end()) {
    return it->second;
  }
  return m_cache_types_fit.emplace(key, vramfit::cache_types_fit(m_report.model.spec, s)).first->second;
}

std::optional<Concurrency> Evaluator::concurrency(const QuantResult& q, const GpuColumn& column,
                                                  const ContextResult& c) {
  constexpr std::uint32_t k_most = 64;
  const std::uint64_t per_request = m_engine.request_context(c.context_tokens, m_report.settings);
  const auto fits_n = [&](std::uint32_t n) {
    RunSettings s = m_report.settings;
    s.n_seq = n;
    s.context_tokens = per_request * n;  // llama-server's -c and Ollama's runner: every request its own
    const auto v = verdict(q, column, Variant{s, requested_offload()});
    return v.fits && !v.marginal;
  };
  if (per_request == 0 || !fits_n(1)) {
    return std::nullopt;
  }
  std::uint32_t lo = 1;
  std::uint32_t hi = k_most;
  while (lo < hi) {
    const std::uint32_t mid = lo + (hi - lo + 1) / 2;
    if (fits_n(mid)) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  Concurrency out;
  out.context_tokens = per_request;
  out.max_parallel = lo;
  return out;
}

Concurrency Evaluator::paged_concurrency(const VllmCapacity& pool, const GpuColumn& column) const {
  Concurrency c;
  c.context_tokens = pool.request_tokens;
  c.paged = true;
  const auto asked = m_request.given.n_seq ? std::optional<std::uint32_t>(m_report.settings.n_seq) : std::nullopt;
  c.engine_limit = m_engine.sequence_limit(column.group.gpus.front(), pool, asked);
  const std::uint64_t limit = c.engine_limit.value_or(std::numeric_limits<std::uint32_t>::max());
  c.max_parallel = static_cast<std::uint32_t>(std::min(pool.max_concurrency, limit));
  return c;
}

bool Evaluator::fits(const QuantResult& q, const GpuColumn& column, const RunSettings& s) {
  return verdict(q, column, Variant{s, requested_offload()}).fits;
}

std::optional<bool> Evaluator::ram_fits(const GpuColumn& column, const Placement& p) const {
  // System memory: --ram, or a unified-memory GPU's own RAM, where the GPU's
  // buffers are the same memory as the host's and count once, with them.
  const auto& first = column.group.gpus.front();
  const bool unified = first.memory == MemoryKind::unified;
  if (!m_request.host.ram_bytes && !unified) {
    return std::nullopt;
  }
  const Bytes ram = m_request.host.ram_bytes.value_or(first.memory_bytes);
  Bytes needed = p.host.total_bytes();
  if (unified) {
    needed = checked_add(needed, p.gpu_total_bytes(), "host total");
  }
  return needed <= ram;
}

std::optional<SpeedEstimate> Evaluator::speed(const QuantResult& q, const GpuColumn& column, const ContextResult& c,
                                              const Placement& p) const {
  const auto& gpus = column.group.gpus;
  if (std::any_of(gpus.begin(), gpus.end(), [](const GpuSpec& g) { return g.bandwidth_gbps <= 0; })) {
    return std::nullopt;  // a GPU of unknown bandwidth (ad hoc, or detected and not in the catalog)
  }
  auto pools = decode_traffic(m_report.model.spec, q.layers, c.kv, c.state, p, gpus, m_request.host.bandwidth_gbps);
  if (gpus.front().memory == MemoryKind::unified) {
    Bytes per_token = 0;
    for (const auto& pool : pools) {
      per_token += pool.bytes;
    }
    pools.push_back(
        swap_traffic(p.host.working_set_bytes() + p.gpu_total_bytes(), gpus.front().memory_bytes, per_token));
  }
  return estimate_decode_speed(pools, decode_type_factor(type_name_of(q)));
}

void Evaluator::add_prefill(FitRow& row, const QuantResult& q, const GpuColumn& column, const ContextResult& c,
                            const Placement& p) const {
  const auto& elements = q.predicted;
  double active = static_cast<double>(elements.matmul_elements);
  const auto& moe = m_report.model.spec.moe;
  if (moe && moe->n_expert > 0) {
    active += static_cast<double>(elements.expert_elements) * moe->n_expert_used / moe->n_expert;
  }
  row.prompt_tokens = std::min<std::uint64_t>(m_request.prompt_tokens, c.context_tokens);
  const auto work = prefill_work(m_report.model.spec, q.layers, active, row.prompt_tokens, p, column.group.gpus);
  row.prefill =
      estimate_prefill_speed(work, m_report.settings.n_ubatch, prefill_type_factor(type_name_of(q)), moe.has_value());
  if (row.prefill && row.speed) {
    row.time_to_first_token = time_to_first_token(row.prompt_tokens, *row.prefill, *row.speed);
  }
}

FitRow Evaluator::evaluate_row(const QuantResult& q, const GpuColumn& column, const ContextResult& c) {
  const auto& spec = m_report.model.spec;
  RunSettings s = m_report.settings;
  s.context_tokens = c.context_tokens;
  auto v = verdict(q, column, Variant{s, requested_offload()});
  FitRow row;
  row.memory = v.memory;
  row.estimate = v.estimate;
  row.headroom_bytes = v.headroom_bytes;
  row.fits = v.fits;
  row.marginal = v.marginal;
  row.verdict = row.marginal ? Verdict::maybe : row.fits ? Verdict::fits : Verdict::over;
  row.total_low_bytes = v.total_low_bytes;
  row.total_high_bytes = v.total_high_bytes;
  row.vllm = v.vllm;
  row.provenance.weights = q.weights_provenance;
  row.placement = std::move(v.placement);
  const auto summed = [&](CompanionLoad DeviceLoad::*part) {
    CompanionLoad sum;
    for (const auto& d : row.placement.devices) {
      sum += d.*part;
    }
    return sum;
  };
  if (m_report.draft) {
    row.draft = summed(&DeviceLoad::draft);
  }
  if (m_report.projector) {
    row.projector = summed(&DeviceLoad::projector);
  }
  row.ram_fits = ram_fits(column, row.placement);
  if (m_request.min_headroom_bytes) {
    row.meets_min_headroom =
        row.fits &&
        row.headroom_bytes >= static_cast<ByteDelta>(std::min<Bytes>(*m_request.min_headroom_bytes, k_max_margin));
  }
  add_row_warnings(row, c);
  if (row.fits) {
    row.speed = speed(q, column, c, row.placement);
    add_prefill(row, q, column, c, row.placement);
  } else if (m_engine.offloads()) {
    const auto companions = beside(q, column, s);
    row.plan =
        plan_offload(spec, q.layers, s, c.kv, c.state, column.group.gpus, column.group.budgets, companions.refs());
    if (row.plan) {
      row.plan_ram_fits = ram_fits(column, *row.plan);
      row.speed = speed(q, column, c, *row.plan);
      row.speed_of_plan = true;
      add_prefill(row, q, column, c, *row.plan);
    }
  }
  return row;
}

void Evaluator::add_row_warnings(FitRow& row, const ContextResult& c) const {
  const auto& spec = m_report.model.spec;
  const auto warn = [&](std::string code, std::string message) {
    row.warnings.push_back(Warning{std::move(code), std::move(message)});
  };
  if (spec.n_ctx_train > 0 && c.context_tokens > spec.n_ctx_train) {
    warn("context_beyond_native",
         fmt::format("context {} is beyond the native {} tokens", c.context_tokens, spec.n_ctx_train));
  }
  if (row.marginal) {
    warn("verdict_within_estimate",
         fmt::format("the verdict flips within the estimates' range (total {:.2f}-{:.2f} GiB)",
                     static_cast<double>(row.total_low_bytes) / static_cast<double>(k_gib),
                     static_cast<double>(row.total_high_bytes) / static_cast<double>(k_gib)));
  }
  if (row.fits && row.ram_fits && !*row.ram_fits) {
    warn("ram_over", "fits the GPU, but what stays in system memory exceeds --ram");
  }
  if (row.fits && !row.meets_min_headroom) {
    warn("below_min_headroom", "fits with less than --min-headroom to spare");
  }
}

void Evaluator::build_ladder() {
  auto& r = m_report;
  const auto ladder = m_request.ladder.empty() ? default_ladder(r.model.spec) : m_request.ladder;
  for (const auto tokens : ladder) {
    RunSettings s = r.settings;
    s.context_tokens = tokens;
    LadderRow lr;
    lr.context = context(s);
    s.context_tokens = lr.context.context_tokens;
    for (const auto& column : r.columns) {
      std::optional<std::size_t> best;
      for (std::size_t qi = 0; qi < r.quants.size() && !best; ++qi) {
        if (fits(r.quants[qi], column, s)) {
          best = qi;
        }
      }
      lr.best_quant.push_back(best);
    }
    r.ladder.push_back(std::move(lr));
  }
}

std::vector<WhatIf> Evaluator::what_if(const FitRow& row) {
  auto& r = m_report;
  const auto& spec = r.model.spec;
  const auto& q = r.quants[row.quant];
  const auto& column = r.columns[row.gpu];
  const auto& c = r.contexts[row.context];
  const auto& s = r.settings;
  const ByteDelta asked = static_cast<ByteDelta>(row.memory.total_bytes());
  std::vector<WhatIf> out;
  // One changed configuration, the rest as asked (the engine's defaults stay applied).
  // One changed configuration on `on` (the column, or the column with a raised limit).
  const auto add_on = [&](const GpuColumn& on, Knob knob, std::string change, RunSettings changed, Offload offload,
                          bool with_draft = true, bool projector_on_gpu = true) {
    if (change.empty() || !cache_types_fit(changed)) {
      return;  // the engine has no switch for it, or a cache type that does not divide the model's heads
    }
    const auto v = verdict(q, on, Variant{changed, offload, with_draft, projector_on_gpu});
    WhatIf w;
    w.knob = knob;
    w.change = std::move(change);
    w.saved_bytes = asked - static_cast<ByteDelta>(v.memory.total_bytes());
    const auto ram = ram_fits(on, v.placement);
    w.ram_over = v.fits && ram && !*ram;
    w.marginal = v.fits && v.marginal;
    w.fits = v.fits && !w.marginal && !w.ram_over;
    w.headroom_bytes = v.headroom_bytes;
    if (v.fits) {
      w.speed = speed(q, on, context(changed), v.placement);
    }
    out.push_back(std::move(w));
  };
  const auto add = [&](Knob knob, std::string change, RunSettings changed, Offload offload) {
    add_on(column, knob, std::move(change), changed, offload);
  };
  RunSettings at = s;
  at.context_tokens = c.context_tokens;
  const Offload asked_offload = requested_offload();
  // Apple: raise Metal's working-set limit with iogpu.wired_limit_mb to what
  // the configuration needs at the estimates' high end, while that is below
  // the machine's RAM; the rest of RAM is what macOS and applications keep.
  const auto& first_gpu = column.group.gpus.front();
  if (first_gpu.backend == Backend::metal && first_gpu.memory == MemoryKind::unified && column.group.gpus.size() == 1 &&
      row.total_high_bytes < first_gpu.memory_bytes) {
    const auto& b = column.budget;
    const Bytes taken = b.total_bytes > b.usable_bytes ? b.total_bytes - b.usable_bytes : 0;
    const Bytes wired_mib = (row.total_high_bytes + taken + k_mib - 1) / k_mib + 1;
    if (wired_mib * k_mib > b.total_bytes && wired_mib * k_mib < first_gpu.memory_bytes) {
      GpuColumn raised = column;
      raised.group.budgets.front().total_bytes = wired_mib * k_mib;
      raised.group.budgets.front().usable_bytes = wired_mib * k_mib - taken;
      raised.budget = raised.group.combined_budget();
      add_on(raised, Knob::wired_limit,
             fmt::format("sudo sysctl iogpu.wired_limit_mb={} (leaves {} MiB of RAM to macOS)", wired_mib,
                         first_gpu.memory_bytes / k_mib - wired_mib),
             at, asked_offload);
    }
  }
  if (!s.flash_attn) {
    RunSettings x = at;
    x.flash_attn = true;
    add(Knob::flash_attn, m_engine.describe(spec, Change().with_flash_attn(true)), x, asked_offload);
  }
  for (const auto& [type, knob] : {std::pair{GgmlType::q8_0, Knob::cache_q8_0}, {GgmlType::q4_0, Knob::cache_q4_0}}) {
    if (element_bytes(s.type_k) > element_bytes(type) || element_bytes(s.type_v) > element_bytes(type)) {
      RunSettings x = at;
      x.type_k = x.type_v = type;
      x.flash_attn = true;
      add(knob, m_engine.describe(spec, Change().with_cache(type).with_flash_attn(!s.flash_attn)), x, asked_offload);
    }
  }
  if (m_report.draft) {
    add_on(column, Knob::draft, m_engine.describe(spec, Change().without_draft(m_request.mtp)), at, asked_offload,
           false);
  }
  if (m_report.projector && m_report.projector->offload) {
    add_on(column, Knob::projector, "--no-mmproj-offload (the projector in RAM; images encode on the CPU)", at,
           asked_offload, true, false);
  }
  if (s.n_seq > 1) {
    RunSettings x = at;
    x.n_seq = 1;
    x.context_tokens = m_engine.runner_context(m_engine.request_context(c.context_tokens, s), x);
    add(Knob::parallel, m_engine.describe(spec, Change().with_parallel(1U)), x, asked_offload);
  }
  if (row.max_context_tokens && *row.max_context_tokens > 0 && *row.max_context_tokens < c.context_tokens) {
    const std::uint64_t per_request = m_engine.request_context(*row.max_context_tokens, s);
    if (per_request > 0) {
      RunSettings x = at;
      x.context_tokens = m_engine.runner_context(per_request, s);
      add(Knob::context, m_engine.describe(spec, Change().with_context(per_request)), x, asked_offload);
    }
  }
  if (row.plan && row.plan->offload.n_gpu_layers > 0 && m_engine.offloads()) {
    const auto& o = row.plan->offload;
    add(o.n_gpu_layers > spec.n_layer ? Knob::expert_offload : Knob::layer_offload,
        m_engine.describe(spec, Change().with_offload(o)), at, o);
  }
  // Two knobs at once when no single one fits: a smaller cache with the
  // offload that then fits ("--cache-type q8_0 --n-cpu-moe 4").
  const bool single_fits = std::any_of(out.begin(), out.end(), [](const WhatIf& w) { return w.fits; });
  if (!single_fits && m_engine.offloads()) {
    for (const auto type : {GgmlType::q8_0, GgmlType::q4_0}) {
      if (element_bytes(s.type_k) <= element_bytes(type) && element_bytes(s.type_v) <= element_bytes(type)) {
        continue;
      }
      RunSettings x = at;
      x.type_k = x.type_v = type;
      x.flash_attn = true;
      if (!cache_types_fit(x)) {
        continue;
      }
      const auto& xc = context(x);
      const auto companions = beside(q, column, x);
      const auto plan =
          plan_offload(spec, q.layers, x, xc.kv, xc.state, column.group.gpus, column.group.budgets, companions.refs());
      if (!plan || plan->offload.n_gpu_layers == 0) {
        continue;
      }
      const auto& o = plan->offload;
      add(o.n_gpu_layers > spec.n_layer ? Knob::expert_offload : Knob::layer_offload,
          m_engine.describe(spec, Change().with_cache(type).with_flash_attn(!s.flash_attn).with_offload(o)), x, o);
      if (out.back().fits) {
        break;
      }
    }
  }
  // The largest quantization that fits: among those the report compared
  // (largest file first), else among the catalog's standard set.
  const auto quant_knob = [&](const QuantResult& other, const EngineVerdict& v, const ContextResult& oc) {
    WhatIf w;
    w.knob = Knob::quant;
    w.change = m_engine.describe(spec, Change().with_quant(other.id));
    w.saved_bytes = asked - static_cast<ByteDelta>(v.memory.total_bytes());
    w.fits = true;
    w.headroom_bytes = v.headroom_bytes;
    w.speed = speed(other, column, oc, v.placement);
    out.push_back(std::move(w));
  };
  bool found = false;
  for (std::size_t qi = row.quant + 1; qi < r.quants.size() && !found; ++qi) {
    const auto& other = r.row(qi, row.gpu, row.context);
    if (other.fits && !other.marginal) {
      WhatIf w;
      w.knob = Knob::quant;
      w.change = m_engine.describe(spec, Change().with_quant(r.quants[qi].id));
      w.saved_bytes = asked - static_cast<ByteDelta>(other.memory.total_bytes());
      w.fits = true;
      w.headroom_bytes = other.headroom_bytes;
      w.speed = other.speed;
      out.push_back(std::move(w));
      found = true;
    }
  }
  if (!found && !m_request.file && !m_request.quants.empty()) {
    std::vector<const QuantResult*> standard;
    for (const auto& qs : m_catalog.quants) {
      if (qs.listed && applies(qs, r.model) && m_engine.lists(qs)) {
        auto it = m_standard_quants.find(qs.id);
        if (it == m_standard_quants.end()) {
          it = m_standard_quants.emplace(qs.id, quant_result(qs)).first;
        }
        standard.push_back(&it->second);
      }
    }
    std::stable_sort(standard.begin(), standard.end(),
                     [](const QuantResult* a, const QuantResult* b) { return a->file_bytes() > b->file_bytes(); });
    for (const auto* other : standard) {
      if (other->file_bytes() >= q.file_bytes()) {
        continue;
      }
      const auto v = verdict(*other, column, Variant{at, asked_offload});
      if (v.fits && !v.marginal) {
        quant_knob(*other, v, context(at));
        break;
      }
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const WhatIf& a, const WhatIf& b) {
    if (a.fits != b.fits) {
      return a.fits;
    }
    if (a.fits) {
      return a.knob < b.knob;
    }
    return a.saved_bytes > b.saved_bytes;
  });
  return out;
}

}  // namespace vramfit
