#pragma once

// Small text helpers shared by the library's parsers and lookups.

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

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

/// `s` without leading and trailing spaces, tabs and carriage returns.
inline std::string_view trim(std::string_view s) noexcept {
  const auto blank = [](char c) {
    return c == ' ' || c == '\t' || c == '\r';
  };
  while (!s.empty() && blank(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && blank(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

/// `text` cut at every `sep`, each piece trimmed ("a, b," -> "a", "b", "").
inline std::vector<std::string_view> split_trimmed(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const auto pos = text.find(sep, start);
    out.push_back(trim(text.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start)));
    if (pos == std::string_view::npos) {
      return out;
    }
    start = pos + 1;
  }
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
