#include "vramfit/support/suggest.hpp"

#include "detail/text.hpp"

#include <algorithm>
#include <vector>

namespace vramfit {

// Optimal string alignment distance: insertions, deletions, substitutions and
// adjacent transpositions ("3900" for "3090") each cost one.
std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t max_distance) {
  const std::string x = detail::to_lower(a);
  const std::string y = detail::to_lower(b);
  const std::size_t diff = x.size() > y.size() ? x.size() - y.size() : y.size() - x.size();
  if (diff > max_distance) {
    return max_distance + 1;
  }
  std::vector<std::size_t> before(y.size() + 1);  // row i - 2
  std::vector<std::size_t> last(y.size() + 1);    // row i - 1
  std::vector<std::size_t> row(y.size() + 1);
  for (std::size_t j = 0; j <= y.size(); ++j) {
    last[j] = j;
  }
  for (std::size_t i = 1; i <= x.size(); ++i) {
    row[0] = i;
    std::size_t best = row[0];
    for (std::size_t j = 1; j <= y.size(); ++j) {
      row[j] = std::min({last[j] + 1, row[j - 1] + 1, last[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && x[i - 1] == y[j - 2] && x[i - 2] == y[j - 1]) {
        row[j] = std::min(row[j], before[j - 2] + 1);
      }
      best = std::min(best, row[j]);
    }
    if (best > max_distance) {
      return max_distance + 1;
    }
    std::swap(before, last);
    std::swap(last, row);
  }
  return std::min(last[y.size()], max_distance + 1);
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
