#pragma once

// One bounded parse for every untrusted JSON document (catalogs, HF configs).

#include "vramfit/support/text.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace vramfit::detail {

inline constexpr std::size_t k_max_json_depth = 32;

/// Why a text is not JSON we can hold. The caller adds where (file, line).
struct JsonFailure {
  std::optional<std::size_t> byte;  // nlohmann's 1-based byte of a syntax error
  std::string message;              // "invalid JSON (...)" or the nesting limit
};

/// Parses untrusted JSON. The depth callback bounds nesting, so a hostile file
/// cannot exhaust the stack; numbers out of range (1e999) are a failure, not an abort.
inline std::variant<nlohmann::json, JsonFailure> parse_untrusted_json(std::string_view text) {
  // Encodings first: JSON files are UTF-8 (RFC 8259); say which one it is not.
  const auto starts = [&](std::string_view bom) {
    return text.substr(0, bom.size()) == bom;
  };
  if (starts("\xFF\xFE") || starts("\xFE\xFF") || text.find('\0') != std::string_view::npos) {
    return JsonFailure{std::size_t{1}, "not UTF-8: the file looks UTF-16 (or binary); save it as UTF-8"};
  }
  if (!valid_utf8(text)) {
    Utf8Validator v;
    std::size_t at = 0;
    while (at < text.size() && v.feed(text.substr(at, 1))) {
      ++at;
    }
    return JsonFailure{at + 1, "not UTF-8 (Latin-1 or another 8-bit encoding?); save it as UTF-8"};
  }
  struct TooDeep {};
  try {
    return nlohmann::json::parse(text.begin(), text.end(),
                                 [](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
                                   if (static_cast<std::size_t>(depth) > k_max_json_depth) {
                                     throw TooDeep{};
                                   }
                                   return true;
                                 });
  } catch (const nlohmann::json::parse_error& e) {
    const std::string what = e.what();
    const auto pos = what.find("syntax error");
    return JsonFailure{e.byte, "invalid JSON (" + (pos == std::string::npos ? what : what.substr(pos)) + ")"};
  } catch (const nlohmann::json::exception& e) {
    return JsonFailure{std::nullopt, "invalid JSON (" + std::string(e.what()) + ")"};
  } catch (const TooDeep&) {
    return JsonFailure{std::nullopt, "nesting deeper than " + std::to_string(k_max_json_depth) + " levels"};
  }
}

}  // namespace vramfit::detail
