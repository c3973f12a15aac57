#pragma once

// Small text helpers shared by the library's parsers and lookups.

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

namespace vramfit::detail {

inline char ascii_lower(char c) noexcept {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

inline bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

inline std::string to_lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), ascii_lower);
  return out;
}

/// Lower-case letters and digits only: "RTX 3090", "rtx-3090" and "Rtx_3090" all
/// become "rtx3090". Used to match ids typed by humans.
inline std::string id_key(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c)) != 0) {
      out += ascii_lower(c);
    } else if (c == '.') {
      out += '.';
    }
  }
  return out;
}

}  // namespace vramfit::detail
