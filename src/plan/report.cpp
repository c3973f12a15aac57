#include "vramfit/plan/report.hpp"

#include "plan/evaluator.hpp"

#include "vramfit/support/error.hpp"

#include <algorithm>

namespace vramfit {

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

std::string_view name(Verdict verdict) noexcept {
  switch (verdict) {
    case Verdict::fits:
      return "fits";
    case Verdict::maybe:
      return "maybe";
    case Verdict::over:
      return "over";
  }
  return "over";
}

std::string_view name(Knob knob) noexcept {
  switch (knob) {
    case Knob::flash_attn:
      return "flash-attn";
    case Knob::cache_q8_0:
    case Knob::cache_q4_0:
      return "cache-type";
    case Knob::parallel:
      return "parallel";
    case Knob::expert_offload:
      return "expert-offload";
    case Knob::context:
      return "context";
    case Knob::layer_offload:
      return "layer-offload";
    case Knob::quant:
      return "quant";
  }
  return "quant";
}

const FitRow& Report::row(std::size_t quant, std::size_t gpu, std::size_t context) const {
  return rows.at((quant * columns.size() + gpu) * contexts.size() + context);
}

std::vector<std::string> Report::arguments(const FitRow& r, const Placement& placement) const {
  RunSettings s = settings;
  s.context_tokens = contexts.at(r.context).context_tokens;
  return engine->arguments(model.spec, placement, s, quants.at(r.quant).model_file);
}

std::string Report::command(const FitRow& r, const Placement& placement) const {
  return shell_command(std::string(engine->program()), arguments(r, placement));
}

bool all_fit(const Report& report) {
  return std::all_of(report.rows.begin(), report.rows.end(), [](const FitRow& row) { return row.fits; });
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
  const auto unified = [](const GpuSpec& g) {
    return g.memory == MemoryKind::unified;
  };
  if (group.gpus.size() > 1 && std::any_of(group.gpus.begin(), group.gpus.end(), unified)) {
    throw UsageError("--gpu: '" + group.id +
                     "': a unified-memory GPU is the whole machine; it does not combine with others");
  }
  return group;
}

Report build_report(const Catalog& catalog, const Request& request) {
  Evaluator evaluator(catalog, request);
  return evaluator.report();
}

MaxContextReport build_max_context(const Catalog& catalog, const Request& request) {
  Request base = request;
  base.with_ladder = false;
  base.with_max_context = false;
  base.with_what_if = false;
  Evaluator evaluator(catalog, base);
  MaxContextReport out;
  out.report = evaluator.report();
  const auto& spec = out.report.model.spec;
  // The engine's defaults apply here as in the fit table (Ollama: f16 cache,
  // no flash attention unless its environment says so).
  const RunSettings& settings = out.report.settings;
  if (request.given.cache_type()) {
    out.caches.emplace_back(settings.type_k, settings.type_v);
  } else {
    out.caches.emplace_back(GgmlType::f16, GgmlType::f16);
    if (settings.flash_attn) {
      out.caches.emplace_back(GgmlType::q8_0, GgmlType::q8_0);
      out.caches.emplace_back(GgmlType::q4_0, GgmlType::q4_0);
    }
  }
  for (std::size_t qi = 0; qi < out.report.quants.size(); ++qi) {
    for (std::size_t gi = 0; gi < out.report.columns.size(); ++gi) {
      for (std::size_t ci = 0; ci < out.caches.size(); ++ci) {
        RunSettings s = settings;
        s.type_k = out.caches[ci].first;
        s.type_v = out.caches[ci].second;
        MaxContextRow row;
        row.quant = qi;
        row.gpu = gi;
        row.cache = ci;
        row.supported = cache_types_fit(spec, s);  // q4_0 rows of 32 values over a head of 80 do not
        if (row.supported) {
          row.tokens = evaluator.max_context_tokens(out.report.quants[qi], out.report.columns[gi], s);
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

}  // namespace vramfit
