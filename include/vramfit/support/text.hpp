#pragma once

// Text from files (GGUF strings, tensor names, logs, configs) is untrusted: it
// may hold invalid UTF-8 or control characters that would drive a terminal.
// Everything shown to a user goes through printable().

#include <cstddef>
#include <string>
#include <string_view>

namespace vramfit {

/// True when `text` is well-formed UTF-8 (no overlongs, surrogates or code
/// points above U+10FFFF).
bool valid_utf8(std::string_view text) noexcept;

/// Validates UTF-8 given in pieces (a string read in chunks).
class Utf8Validator {
public:
  /// Feeds the next bytes; false once the text is known to be invalid.
  bool feed(std::string_view bytes) noexcept;
  /// True when everything fed is valid UTF-8 and no sequence is left open.
  bool finish() const noexcept { return m_valid && m_need == 0; }

private:
  unsigned m_need = 0;      // continuation bytes still expected
  unsigned m_lower = 0x80;  // bounds of the next continuation byte
  unsigned m_upper = 0xBF;
  bool m_valid = true;
};

/// `text` safe to print: C0 and C1 control characters, DEL and bytes that are
/// not part of valid UTF-8 become "\xNN"; tab and newline too unless
/// `keep_newlines` (then newlines stay, for multi-line messages).
std::string printable(std::string_view text, bool keep_newlines = false);

/// Like printable(), but keeps the terminal colour sequences vramfit itself
/// writes (ESC '[' digits and ';' then 'm'): the last pass before stdout.
std::string printable_output(std::string_view text);

}  // namespace vramfit
