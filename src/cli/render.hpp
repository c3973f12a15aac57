#pragma once

// Renderers: a finished Report (or the catalog) in, text out. They compute
// nothing; every number they print is a field of what they are given.

#include "options.hpp"

#include "vramfit/input/catalog.hpp"
#include "vramfit/input/gguf_model.hpp"
#include "vramfit/plan/report.hpp"
#include "vramfit/plan/verify.hpp"

#include <string>

namespace vramfit::cli {

struct RenderContext {
  Format format = Format::table;
  SizeUnit units = SizeUnit::binary;
  bool color = false;
  std::string catalog_origin;   ///< "embedded" or "embedded+user"
  std::string catalog_version;
  std::vector<std::string> catalog_files;  ///< user catalog files merged
};

/// The main job's output: fit table or GPU matrix, then the context ladder.
std::string render_fit(const Report& report, const RenderContext& ctx);

/// max-context's output: per GPU, the largest fitting context per quantization and cache type.
std::string render_max_context(const MaxContextReport& report, const RenderContext& ctx);

/// check's output: one verdict line per GPU and context (table), or the same
/// rows as render_fit in the machine formats.
std::string render_check(const Report& report, const RenderContext& ctx);

/// inspect's output: a GGUF file's architecture, tensor types and layer layout.
std::string render_inspect(const GgufModel& model, const RenderContext& ctx);

/// verify's output: per device and term, predicted vs logged bytes.
std::string render_verify(const VerifyResult& result, const std::string& log_name, const RenderContext& ctx);

/// list's output for models, gpus, quants or cache-types.
std::string render_list(const Catalog& catalog, const std::string& what, const RenderContext& ctx);

} // namespace vramfit::cli
