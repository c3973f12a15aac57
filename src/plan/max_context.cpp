#include "plan/evaluator.hpp"

#include <algorithm>

namespace vramfit {

std::uint64_t Evaluator::max_context_tokens(const QuantResult& q, const GpuColumn& column, const RunSettings& settings,
                                            std::uint32_t requests) {
  const auto& spec = m_report.model.spec;
  // Every requirement grows (or plateaus) with the context: the KV cache of
  // full-attention layers, sliding-window caches up to their window, the
  // score matrix without flash attention; recurrent state is constant. So the
  // largest fitting context is found by bisection over 256-cell steps, each
  // probe a placement over per-block sums (no inventory, no recipe).
  const auto fits_at = [&](std::uint64_t tokens) {
    RunSettings s = settings;
    s.context_tokens = tokens * std::max<std::uint32_t>(requests, 1);
    return fits(q, column, s);
  };
  constexpr std::uint64_t k_step = 256;  // llama.cpp pads n_ctx to 256 cells
  const std::uint64_t native = std::max<std::uint64_t>(spec.n_ctx_train, k_step);
  const std::uint64_t steps = native / k_step;
  if (fits_at(native)) {
    return native;
  }
  if (!fits_at(k_step)) {
    return 0;
  }
  std::uint64_t lo = 1;      // fits
  std::uint64_t hi = steps;  // does not fit (native, rounded down to a step, is checked below)
  if (steps * k_step != native && fits_at(steps * k_step)) {
    return steps * k_step;
  }
  while (hi - lo > 1) {
    const std::uint64_t mid = lo + (hi - lo) / 2;
    if (fits_at(mid * k_step)) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return lo * k_step;
}

}  // namespace vramfit
