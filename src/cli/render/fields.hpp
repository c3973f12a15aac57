#pragma once

// The fields of a result row, declared once: each has its place in the JSON
// document (a path such as "memory.weights_bytes") and, where CSV carries it,
// its CSV column. Both formats are generated from this one table, so a column
// cannot drift from its JSON twin.

#include "render/common.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace vramfit::cli {

/// The rows of a report as JSON objects, one per row.
ojson results_json(const Report& report);

/// The rows of a report as CSV: the header, then one line per row.
std::string results_csv(const Report& report);

/// The CSV header's column names, in order.
std::vector<std::string_view> result_csv_columns();

}  // namespace vramfit::cli
