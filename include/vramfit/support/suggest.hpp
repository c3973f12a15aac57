#pragma once

// "Did you mean" for unknown names, by edit distance (as ninja does).

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace vramfit {

/// Levenshtein distance between `a` and `b`, case-insensitive; stops counting
/// beyond `max_distance` (returns max_distance + 1 then).
std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t max_distance);

/// The candidate closest to `query` if it is close enough to be a plausible
/// typo (or `query` is a distinctive part of it), else nothing.
std::optional<std::string> closest_match(std::string_view query, std::span<const std::string> candidates);

/// " (did you mean 'x'?)" for the closest candidate, or "" when none is close.
std::string did_you_mean(std::string_view query, std::span<const std::string> candidates);

}  // namespace vramfit
