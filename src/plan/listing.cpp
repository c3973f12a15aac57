#include "vramfit/plan/listing.hpp"

#include "detail/text.hpp"

#include "vramfit/plan/report.hpp"

namespace vramfit {

std::vector<GpuListing> list_gpus(const Catalog& catalog, const GpuFilter& filter) {
  std::vector<GpuListing> out;
  out.reserve(catalog.gpus.size());
  for (const auto& g : catalog.gpus) {
    if (filter.min_memory_bytes && g.memory_bytes < *filter.min_memory_bytes) {
      continue;
    }
    out.push_back({&g, device_budget(g)});
  }
  return out;
}

std::vector<ModelListing> list_models(const Catalog& catalog, const ModelFilter& filter) {
  const auto starts_with = [](std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() && detail::iequals(text.substr(0, prefix.size()), prefix);
  };
  if (!filter.fits_gpu.empty()) {
    (void)resolve_gpu_group(catalog, filter.fits_gpu);  // an unknown GPU fails before any model
  }
  std::vector<ModelListing> out;
  for (const auto& m : catalog.models) {
    if (!filter.arch.empty() && m.spec.arch != filter.arch) {
      continue;
    }
    if (!filter.family.empty() && !starts_with(m.spec.id, filter.family) && !starts_with(m.spec.name, filter.family)) {
      continue;
    }
    ModelListing l;
    l.model = &m;
    if (!filter.fits_gpu.empty()) {
      Request r;
      r.model = m.spec.id;
      r.gpus = {filter.fits_gpu};
      r.contexts = {filter.context_tokens};
      r.with_ladder = false;
      r.with_max_context = false;
      r.with_what_if = false;
      const auto report = build_report(catalog, r);
      // Rows come largest file first: the first that fits is the best.
      for (const auto& row : report.rows) {
        if (row.fits) {
          l.best_quant = report.quants[row.quant].id;
          l.best_total_bytes = row.memory.total_bytes();
          l.best_headroom_bytes = row.headroom_bytes;
          break;
        }
      }
      if (l.best_quant.empty()) {
        continue;
      }
    }
    out.push_back(std::move(l));
  }
  return out;
}

}  // namespace vramfit
