#pragma once

// Parsers for the values users type on the command line. They take text and
// return values or throw UsageError naming the option; no I/O.

#include "vramfit/support/bytes.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vramfit {

/// A context length: "8192", "8k" / "8K" (x1024), "1m" (x1048576), or "native"/"max"
/// (returned as 0: the model's native context). Throws UsageError naming `option`.
std::uint64_t parse_context(std::string_view text, std::string_view option);

/// A comma-separated list of context lengths ("8k,16k,32k"), each as parse_context.
std::vector<std::uint64_t> parse_context_list(std::string_view text, std::string_view option);

/// A comma-separated list of names, trimmed, empty items rejected.
std::vector<std::string> parse_name_list(std::string_view text, std::string_view option);

/// An integer in [min, max].
std::uint64_t parse_count(std::string_view text, std::string_view option, std::uint64_t max, std::uint64_t min = 1);

/// A memory size: bytes by default, or with a unit: "512MiB", "24GiB", "24GB", "24000MB".
Bytes parse_size(std::string_view text, std::string_view option);

/// "on"/"off"/"true"/"false"/"1"/"0"/"auto" (auto is on) as a bool.
bool parse_switch(std::string_view text, std::string_view option);

}  // namespace vramfit
