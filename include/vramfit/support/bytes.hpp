#pragma once

// Sizes in vramfit are std::uint64_t byte counts; differences (headroom) are
// std::int64_t. Anything derived from input (a file, a catalog, the command
// line) is combined with the checked helpers below, so an absurd input is an
// error instead of a silently wrapped number.

#include <cstdint>
#include <limits>
#include <string>

namespace vramfit {

/// A byte count. Always bytes; only renderers convert to GiB or GB.
using Bytes = std::uint64_t;
/// A signed difference of byte counts (headroom may be negative).
using ByteDelta = std::int64_t;

inline constexpr Bytes k_kib = 1024;
inline constexpr Bytes k_mib = 1024 * k_kib;
inline constexpr Bytes k_gib = 1024 * k_mib;

/// a + b; throws InputError naming `what` if the sum does not fit in 64 bits.
Bytes checked_add(Bytes a, Bytes b, const char* what);
/// a * b; throws InputError naming `what` if the product does not fit in 64 bits.
Bytes checked_mul(Bytes a, Bytes b, const char* what);
/// `value` rounded up to a multiple of `alignment` (> 0); checked.
Bytes checked_pad(Bytes value, Bytes alignment, const char* what);

/// a - b as a signed difference; saturates at the int64 range (sizes here are far below it).
constexpr ByteDelta signed_difference(Bytes a, Bytes b) noexcept {
  constexpr auto max = static_cast<Bytes>(std::numeric_limits<ByteDelta>::max());
  if (a >= b) {
    const Bytes d = a - b;
    return d > max ? std::numeric_limits<ByteDelta>::max() : static_cast<ByteDelta>(d);
  }
  const Bytes d = b - a;
  return d > max ? std::numeric_limits<ByteDelta>::min() : -static_cast<ByteDelta>(d);
}

}  // namespace vramfit
