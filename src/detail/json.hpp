#pragma once

// One bounded parse for every untrusted JSON document (catalogs, HF configs).

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
