#include "vramfit/plan/listing.hpp"

namespace vramfit {

std::vector<GpuListing> list_gpus(const Catalog& catalog) {
  std::vector<GpuListing> out;
  out.reserve(catalog.gpus.size());
  for (const auto& g : catalog.gpus) {
    out.push_back({&g, device_budget(g)});
  }
  return out;
}

}  // namespace vramfit
