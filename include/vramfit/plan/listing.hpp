#pragma once

// What `vramfit list` shows about the catalog, with the numbers it derives
// (a GPU's usable memory) computed here, not by the renderers.

#include "vramfit/input/catalog.hpp"
#include "vramfit/memory/device.hpp"

#include <optional>
#include <string>
#include <vector>

namespace vramfit {

/// A catalog GPU and the budget llama.cpp gets on it.
struct GpuListing {
  const GpuSpec* gpu = nullptr;  ///< points into the catalog
  DeviceBudget budget;
};

/// Which GPUs to list.
struct GpuFilter {
  std::optional<Bytes> min_memory_bytes;  ///< --min-memory: at least this much memory
};

/// The GPUs of `catalog` that pass `filter`, in catalog order, with their budgets.
std::vector<GpuListing> list_gpus(const Catalog& catalog, const GpuFilter& filter = {});

/// Which models to list.
struct ModelFilter {
  std::string arch;                     ///< --arch: llama.cpp's architecture name, exactly
  std::string family;                   ///< --family: ids (or names) that start with it, any case
  std::string fits_gpu;                 ///< --fits: only models with a quantization that fits this GPU or group
  std::uint64_t context_tokens = 8192;  ///< --context for --fits (0: each model's native context)
};

/// A catalog model, and with --fits the largest quantization that fits.
struct ModelListing {
  const CatalogModel* model = nullptr;  ///< points into the catalog
  std::string best_quant;               ///< with --fits: the largest file that fits
  Bytes best_total_bytes = 0;           ///< its total on the GPU(s)
  ByteDelta best_headroom_bytes = 0;
};

/// The models of `catalog` that pass `filter`, in catalog order.
std::vector<ModelListing> list_models(const Catalog& catalog, const ModelFilter& filter);

}  // namespace vramfit
