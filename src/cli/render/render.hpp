#pragma once

// Renderers: a finished result of the library in, text out. They format and
// never compute: every number they print is a field of what they are given.
// One function per command; each switches on the format with no default, so a
// new format cannot be forgotten.

#include "vramfit/input/catalog.hpp"
#include "vramfit/plan/inspect.hpp"
#include "vramfit/plan/listing.hpp"
#include "vramfit/plan/report.hpp"
#include "vramfit/plan/verify.hpp"

#include <string>
#include <vector>

namespace vramfit::cli {

/// Output formats (--format).
enum class Format { table, markdown, csv, json, github };
/// Units for humans (--units): GiB (2^30 bytes) or GB (10^9 bytes).
enum class SizeUnit { binary, decimal };

/// How to render, and what to say about the catalog.
struct RenderContext {
  Format format = Format::table;
  SizeUnit units = SizeUnit::binary;
  bool color = false;
  bool wide = false;           ///< --wide: every row, section and note; else a screen's worth (table format)
  bool catalog_loaded = true;  ///< false: the command did not read the catalog (inspect)
  std::string catalog_origin;  ///< "embedded", "embedded+user" or "user"
  std::string catalog_version;
  std::vector<std::string> catalog_files;  ///< user catalog files merged
};

/// The main job's output: fit table or GPU matrix, offload plans, the what-if
/// ladder when few rows overflow, then the context ladder.
std::string render_fit(const Report& report, const RenderContext& ctx);

/// check's output: one verdict line per GPU and context (table), GitHub
/// Actions annotations (github), or the same rows as render_fit in the
/// machine formats.
std::string render_check(const Report& report, const RenderContext& ctx);

/// plot's output: memory against context for each quantization on the first
/// GPU column, a self-contained SVG with the numbers as data-* attributes.
std::string render_plot(const Report& report, const RenderContext& ctx);

/// max-context's output: per GPU, the largest fitting context per quantization and cache type.
std::string render_max_context(const MaxContextReport& report, const RenderContext& ctx);

/// inspect's output: a GGUF file's architecture, tensor types and layer layout.
std::string render_inspect(const InspectSummary& summary, const RenderContext& ctx);

/// verify's output: per device and term, predicted vs logged bytes.
std::string render_verify(const VerifyResult& result, const std::string& log_name, const RenderContext& ctx);

/// What `list` shows.
enum class ListKind { models, gpus, quants, cache_types };

/// list's output.
/// What `list` shows: the catalog's quants and cache types, the models and
/// GPUs the filters kept (computed by the library).
struct ListInput {
  ListKind what = ListKind::models;
  std::vector<ModelListing> models;
  std::vector<GpuListing> gpus;
  std::string fits_gpu;  ///< models were listed with --fits: show the best quantization
};

std::string render_list(const Catalog& catalog, const ListInput& input, const RenderContext& ctx);

}  // namespace vramfit::cli
