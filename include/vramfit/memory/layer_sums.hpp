#pragma once

// Per-block byte counts with their prefix sums, so that what a contiguous
// range of blocks holds (llama.cpp's layer split gives every device one range)
// costs O(1) however often a placement is re-evaluated.

#include "vramfit/support/bytes.hpp"

#include <cstdint>
#include <vector>

namespace vramfit {

/// Bytes per main block, summable over ranges.
class LayerSums {
public:
  LayerSums() = default;
  /// From one byte count per block; the sums are checked.
  explicit LayerSums(const std::vector<Bytes>& per_layer);

  /// Blocks counted.
  std::uint32_t size() const noexcept { return m_prefix.empty() ? 0 : static_cast<std::uint32_t>(m_prefix.size() - 1); }
  /// Bytes of block `il` (0 beyond the last block).
  Bytes at(std::uint32_t il) const noexcept { return range(il, il + 1); }
  /// Bytes of blocks [begin, end), clamped to the blocks counted.
  Bytes range(std::uint32_t begin, std::uint32_t end) const noexcept;
  /// Bytes of every block.
  Bytes total() const noexcept { return m_prefix.empty() ? 0 : m_prefix.back(); }

private:
  std::vector<Bytes> m_prefix;  ///< m_prefix[i]: blocks [0, i)
};

}  // namespace vramfit
