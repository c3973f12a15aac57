#pragma once

// The parts of the main job's output that follow the fit table, shared by fit
// and check.

#include "render/common.hpp"

#include <string>
#include <vector>

namespace vramfit::cli {

/// Model, GPUs, engine and notes above the tables.
std::string header_lines(const Report& r, const RenderContext& ctx);
/// Which quantizations a screen's worth of output shows for one column: with
/// many quantizations at one context, the two that overflow nearest the line
/// and the five largest that fit; every one with --wide or in other formats.
struct QuantSelection {
  std::vector<bool> shown;               ///< per Report::quants
  std::vector<std::string> hidden_over;  ///< left out, larger than the ones shown
  std::vector<std::string> hidden_fits;  ///< left out, smaller than the ones shown
};
QuantSelection select_quants(const Report& r, std::size_t column, const RenderContext& ctx);

/// For one column: the offload that fits, for each row that does not fit at
/// full offload (or the placement asked for with -ngl / --n-cpu-moe).
std::string offload_section(const Report& r, std::size_t column, const RenderContext& ctx,
                            const QuantSelection& selection);
/// For a column of several GPUs: what each GPU holds.
std::string devices_section(const Report& r, std::size_t column, const RenderContext& ctx);
/// The what-if ladder of one row, or "" when it fits.
std::string what_if_lines(const Report& r, const FitRow& row, const RenderContext& ctx);
/// The context ladder: KV and state by context, the largest quant that fits.
std::string ladder_table(const Report& r, const RenderContext& ctx);
/// The report's JSON body (model, settings, notes, results, context_ladder) into `doc`.
void report_json(const Report& r, ojson& doc);

}  // namespace vramfit::cli
