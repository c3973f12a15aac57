#pragma once

// What would make a configuration fit: each knob a user can turn, the GPU
// bytes it saves and whether that alone is enough, ranked.

#include "vramfit/input/catalog.hpp"
#include "vramfit/plan/report.hpp"

#include <optional>
#include <string>
#include <vector>

namespace vramfit {

/// The knobs for `report.rows[row]` (of a report built from `request`), ranked:
/// those that make it fit first, in order of what they cost the user (flash
/// attention, q8_0 cache, fewer slots, expert offload, shorter context, layer
/// offload, q4_0 cache, lower quantization), then the rest by bytes saved.
std::vector<WhatIf> what_if(const Catalog& catalog, const Request& request, const Report& report, std::size_t row);

/// what_if() for every row that does not fit, into report.what_if.
void attach_what_if(const Catalog& catalog, const Request& request, Report& report);

} // namespace vramfit
