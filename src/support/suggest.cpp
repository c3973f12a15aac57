#include "vramfit/support/suggest.hpp"

#include "detail/text.hpp"

#include <algorithm>
#include <vector>

namespace vramfit {

std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t max_distance) {
  const std::string x = detail::to_lower(a);
  const std::string y = detail::to_lower(b);
  const std::size_t diff = x.size() > y.size() ? x.size() - y.size() : y.size() - x.size();
  if (diff > max_distance) {
    return max_distance + 1;
  }
  std::vector<std::size_t> row(y.size() + 1);
  for (std::size_t j = 0; j <= y.size(); ++j) {
    row[j] = j;
  }
  for (std::size_t i = 1; i <= x.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    std::size_t best = row[0];
    for (std::size_t j = 1; j <= y.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (x[i - 1] == y[j - 1] ? 0 : 1)});
      diagonal = above;
      best = std::min(best, row[j]);
    }
    if (best > max_distance) {
      return max_distance + 1;
    }
  }
  return std::min(row[y.size()], max_distance + 1);
}

std::optional<std::string> closest_match(std::string_view query, std::span<const std::string> candidates) {
  if (query.empty() || query.size() > 256) {
    return std::nullopt;
  }
  const std::string key = detail::id_key(query);
  // A typo allowance that grows with the length of what was typed.
  const std::size_t allowed = std::max<std::size_t>(2, query.size() / 3);
  std::optional<std::string> best;
  std::size_t best_distance = allowed + 1;
  for (const auto& candidate : candidates) {
    std::size_t d = edit_distance(query, candidate, allowed);
    const std::string candidate_key = detail::id_key(candidate);
    d = std::min(d, edit_distance(key, candidate_key, allowed));
    // "3090" or "qwen3.6-35b" are distinctive parts of an id.
    if (key.size() >= 3 && candidate_key.find(key) != std::string::npos) {
      d = std::min<std::size_t>(d, 1);
    }
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view query, std::span<const std::string> candidates) {
  const auto match = closest_match(query, candidates);
  return match ? " (did you mean '" + *match + "'?)" : std::string{};
}

}  // namespace vramfit
