#include "vramfit/support/text.hpp"

#include <array>

namespace vramfit {

bool Utf8Validator::feed(std::string_view bytes) noexcept {
  for (const char ch : bytes) {
    if (!m_valid) {
      return false;
    }
    const auto c = static_cast<unsigned char>(ch);
    if (m_need > 0) {
      if (c < m_lower || c > m_upper) {
        m_valid = false;
        return false;
      }
      --m_need;
      m_lower = 0x80;
      m_upper = 0xBF;
      continue;
    }
    if (c < 0x80) {
      continue;
    }
    // Leading byte: the number of continuation bytes and, for the second byte,
    // the range that excludes overlongs, surrogates and code points > U+10FFFF.
    if (c >= 0xC2 && c <= 0xDF) {
      m_need = 1;
    } else if (c == 0xE0) {
      m_need = 2;
      m_lower = 0xA0;
    } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
      m_need = 2;
    } else if (c == 0xED) {
      m_need = 2;
      m_upper = 0x9F;
    } else if (c == 0xF0) {
      m_need = 3;
      m_lower = 0x90;
    } else if (c >= 0xF1 && c <= 0xF3) {
      m_need = 3;
    } else if (c == 0xF4) {
      m_need = 3;
      m_upper = 0x8F;
    } else {
      m_valid = false;
      return false;
    }
  }
  return m_valid;
}

bool valid_utf8(std::string_view text) noexcept {
  Utf8Validator v;
  v.feed(text);
  return v.finish();
}

namespace {

// Bytes of the valid UTF-8 sequence starting at `i`, or 0.
std::size_t sequence_length(std::string_view s, std::size_t i) noexcept {
  const auto c = static_cast<unsigned char>(s[i]);
  const std::size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
  if (i + n > s.size()) {
    return 0;
  }
  return valid_utf8(s.substr(i, n)) ? n : 0;
}

void hex(std::string& out, unsigned char c) {
  static constexpr std::array<char, 16> k_digits{'0', '1', '2', '3', '4', '5', '6', '7',
                                                 '8', '9', 'A', 'B', 'C', 'D', 'E', 'F'};
  out += "\\x";
  out += k_digits[c >> 4];
  out += k_digits[c & 0x0F];
}

std::string escape(std::string_view s, bool keep_newlines, bool keep_colours) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (keep_colours && c == 0x1B && i + 1 < s.size() && s[i + 1] == '[') {
      std::size_t j = i + 2;
      while (j < s.size() && j < i + 24 && ((s[j] >= '0' && s[j] <= '9') || s[j] == ';')) {
        ++j;
      }
      if (j < s.size() && s[j] == 'm') {
        out.append(s.substr(i, j + 1 - i));
        i = j + 1;
        continue;
      }
    }
    if (c == '\n' && keep_newlines) {
      out += '\n';
      ++i;
      continue;
    }
    if (c < 0x20 || c == 0x7F) {
      hex(out, c);
      ++i;
      continue;
    }
    if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    const auto n = sequence_length(s, i);
    // C1 controls (U+0080..U+009F) are two bytes, C2 80..C2 9F.
    const bool c1 = n == 2 && c == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0;
    if (n == 0 || c1) {
      const std::size_t k = n == 0 ? 1 : n;
      for (std::size_t b = 0; b < k; ++b) {
        hex(out, static_cast<unsigned char>(s[i + b]));
      }
      i += k;
      continue;
    }
    out.append(s.substr(i, n));
    i += n;
  }
  return out;
}

}  // namespace

std::string printable(std::string_view text, bool keep_newlines) {
  return escape(text, keep_newlines, false);
}

std::string printable_output(std::string_view text) {
  return escape(text, true, true);
}

}  // namespace vramfit
