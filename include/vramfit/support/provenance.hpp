#pragma once

// Where a number comes from: every byte count vramfit prints carries one.

#include <cstdint>
#include <string_view>

namespace vramfit {

/// Where a number comes from.
enum class Provenance : std::uint8_t {
  exact,      ///< ggml arithmetic on known shapes and types
  published,  ///< a real file's size
  estimate,   ///< a rule with a stated range (docs/ESTIMATES.md)
};

/// "exact", "published" or "estimate".
std::string_view name(Provenance provenance) noexcept;

}  // namespace vramfit
