#include "vramfit/memory/layer_sums.hpp"

#include <algorithm>

namespace vramfit {

LayerSums::LayerSums(const std::vector<Bytes>& per_layer) {
  m_prefix.reserve(per_layer.size() + 1);
  m_prefix.push_back(0);
  for (const auto b : per_layer) {
    m_prefix.push_back(checked_add(m_prefix.back(), b, "layer sums"));
  }
}

Bytes LayerSums::range(std::uint32_t begin, std::uint32_t end) const noexcept {
  const std::uint32_t n = size();
  end = std::min(end, n);
  begin = std::min(begin, end);
  return m_prefix.empty() ? 0 : m_prefix[end] - m_prefix[begin];
}

}  // namespace vramfit
