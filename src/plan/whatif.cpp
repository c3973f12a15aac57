#include "vramfit/plan/whatif.hpp"

#include "vramfit/support/error.hpp"
#include "vramfit/model/ggml_type.hpp"

#include <algorithm>

namespace vramfit {
namespace {

// Bytes per element, as a fraction: (bytes per block, elements per block).
double element_bytes(GgmlType t) {
  const auto& tr = traits(t);
  return static_cast<double>(tr.type_size) / static_cast<double>(tr.block_size);
}

// What the user gives up, least first (the order of the ranking).
int cost(const std::string& knob, const std::string& change) {
  if (knob == "flash-attn") {
    return 0;
  }
  if (knob == "cache-type") {
    return change.find("q8_0") != std::string::npos ? 1 : 6;
  }
  if (knob == "parallel") {
    return 2;
  }
  if (knob == "expert-offload") {
    return 3;
  }
  if (knob == "context") {
    return 4;
  }
  if (knob == "layer-offload") {
    return 5;
  }
  return 7;  // quant
}

// The knob "use quantization `id`", from the row that quantization fits with.
WhatIf quant_knob(const std::string& id, ByteDelta asked, const FitRow& fitting) {
  WhatIf w;
  w.knob = "quant";
  w.change = "--quant " + id;
  w.saved_bytes = asked - static_cast<ByteDelta>(fitting.memory.total_bytes());
  w.fits = true;
  w.headroom_bytes = fitting.headroom_bytes;
  w.speed = fitting.speed;
  return w;
}

} // namespace

std::vector<WhatIf> what_if(const Catalog& catalog, const Request& request, const Report& report, std::size_t index) {
  const FitRow& row = report.rows.at(index);
  std::vector<WhatIf> out;
  if (row.fits) {
    return out;
  }
  const auto& spec = report.model.spec;
  // The one configuration, rebuilt from the user's request so the engine's
  // defaults apply exactly as they did.
  Request base = request;
  base.gpus = {report.gpus[row.gpu].id};
  if (!request.file) {
    base.quants = {report.quants[row.quant].id};
  }
  if (!request.contexts.empty()) {
    base.contexts = {request.contexts.at(std::min(row.context, request.contexts.size() - 1))};
  }
  base.with_ladder = false;
  base.with_max_context = false;
  const ByteDelta asked = static_cast<ByteDelta>(row.memory.total_bytes());
  const auto add = [&](const std::string& knob, const std::string& change, const Request& r) {
    FitRow changed;
    try {
      changed = build_report(catalog, r).rows.at(0);
    } catch (const UsageError&) {
      return;  // the change is not valid for this model (a cache type that does not divide its heads)
    }
    WhatIf w;
    w.knob = knob;
    w.change = change;
    w.saved_bytes = asked - static_cast<ByteDelta>(changed.memory.total_bytes());
    w.fits = changed.fits;
    w.headroom_bytes = changed.headroom_bytes;
    if (changed.fits) {
      w.speed = changed.speed;
    }
    out.push_back(std::move(w));
  };
  const auto& s = report.settings;
  if (!s.flash_attn) {
    Request r = base;
    r.settings.flash_attn = true;
    r.given.flash_attn = true;
    add("flash-attn", "--flash-attn on", r);
  }
  for (const auto type : {GgmlType::q8_0, GgmlType::q4_0}) {
    if (element_bytes(s.type_k) > element_bytes(type) || element_bytes(s.type_v) > element_bytes(type)) {
      Request r = base;
      r.settings.type_k = r.settings.type_v = type;
      r.settings.flash_attn = true;
      r.given.cache_type = r.given.flash_attn = true;
      add("cache-type", "--cache-type " + lower_name(type) + (s.flash_attn ? "" : " --flash-attn on"), r);
    }
  }
  if (s.n_seq > 1) {
    Request r = base;
    r.settings.n_seq = 1;
    r.given.n_seq = true;
    add("parallel", "--parallel 1", r);
  }
  if (row.max_context_tokens && *row.max_context_tokens > 0 &&
      *row.max_context_tokens < report.contexts[row.context].context_tokens) {
    Request r = base;
    // Ollama multiplies the per-request context by its parallel count.
    const std::uint64_t per_request =
        request.engine == Engine::ollama ? *row.max_context_tokens / std::max<std::uint32_t>(1, s.n_seq)
                                         : *row.max_context_tokens;
    if (per_request > 0) {
      r.contexts = {per_request};
      r.settings.context_tokens = per_request;
      r.given.context = true;
      add("context", "--context " + std::to_string(per_request), r);
    }
  }
  if (row.plan && row.plan->offload.n_gpu_layers > 0 && request.engine != Engine::vllm) {
    Request r = base;
    const auto& o = row.plan->offload;
    const bool all_layers = o.n_gpu_layers > spec.n_layer;
    r.n_gpu_layers = o.n_gpu_layers;
    r.n_cpu_moe = o.n_cpu_moe;
    auto flags = expert_offload_arguments(spec, o);
    if (!all_layers) {
      flags.insert(flags.begin(), {"-ngl", std::to_string(o.n_gpu_layers)});
    }
    const std::string change = joined_arguments(flags);
    add(all_layers ? "expert-offload" : "layer-offload", change, r);
  }
  // The largest quantization that fits: among those the report compared
  // (largest file first), else among the catalog's standard set.
  bool found = false;
  for (std::size_t q = row.quant + 1; q < report.quants.size() && !found; ++q) {
    const auto& other = report.row(q, row.gpu, row.context);
    if (other.fits) {
      out.push_back(quant_knob(report.quants[q].id, asked, other));
      found = true;
    }
  }
  if (!found && !request.file && !request.quants.empty()) {
    Request all = base;
    all.quants.clear();
    all.all_quants = false;
    try {
      const auto wide = build_report(catalog, all);
      const auto current = report.quants[row.quant].file_published_bytes.value_or(report.quants[row.quant].file_predicted_bytes);
      for (std::size_t q = 0; q < wide.quants.size(); ++q) {
        const auto size = wide.quants[q].file_published_bytes.value_or(wide.quants[q].file_predicted_bytes);
        const auto& other = wide.row(q, 0, 0);
        if (size < current && other.fits) {
          out.push_back(quant_knob(wide.quants[q].id, asked, other));
          break;
        }
      }
    } catch (const UsageError&) {
      // no standard quantization applies
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const WhatIf& a, const WhatIf& b) {
    if (a.fits != b.fits) {
      return a.fits;
    }
    if (a.fits) {
      return cost(a.knob, a.change) < cost(b.knob, b.change);
    }
    return a.saved_bytes > b.saved_bytes;
  });
  return out;
}

void attach_what_if(const Catalog& catalog, const Request& request, Report& report) {
  report.what_if.assign(report.rows.size(), {});
  for (std::size_t i = 0; i < report.rows.size(); ++i) {
    if (!report.rows[i].fits) {
      report.what_if[i] = what_if(catalog, request, report, i);
    }
  }
}

} // namespace vramfit
