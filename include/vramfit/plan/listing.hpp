#pragma once

// What `vramfit list` shows about the catalog, with the numbers it derives
// (a GPU's usable memory) computed here, not by the renderers.

#include "vramfit/input/catalog.hpp"
#include "vramfit/memory/device.hpp"

#include <vector>

namespace vramfit {

/// A catalog GPU and the budget llama.cpp gets on it.
struct GpuListing {
  const GpuSpec* gpu = nullptr;  ///< points into the catalog
  DeviceBudget budget;
};

/// Every GPU of `catalog`, in catalog order, with its budget.
std::vector<GpuListing> list_gpus(const Catalog& catalog);

}  // namespace vramfit
