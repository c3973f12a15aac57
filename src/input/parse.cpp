#include "vramfit/input/parse.hpp"

#include "detail/text.hpp"

#include "vramfit/support/error.hpp"

#include <charconv>
#include <limits>

namespace vramfit {
namespace {

using detail::trim;

[[noreturn]] void bad(std::string_view option, std::string_view text, std::string_view why) {
  throw UsageError(std::string(option) + ": '" + std::string(text.substr(0, 64)) + "' " + std::string(why));
}

// Digits only, no sign, no overflow.
std::uint64_t parse_digits(std::string_view digits, std::string_view option, std::string_view whole) {
  if (digits.empty()) {
    bad(option, whole, "is not a number");
  }
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec == std::errc::result_out_of_range) {
    bad(option, whole, "is too large");
  }
  if (ec != std::errc{} || end != digits.data() + digits.size()) {
    bad(option, whole, "is not a number");
  }
  return value;
}

}  // namespace

std::uint64_t parse_context(std::string_view text, std::string_view option) {
  const std::string_view t = trim(text);
  const std::string lower = detail::to_lower(t);
  if (lower == "native" || lower == "max" || lower == "full") {
    return 0;
  }
  std::uint64_t multiplier = 1;
  std::string_view digits = t;
  if (!lower.empty() && (lower.back() == 'k' || lower.back() == 'm')) {
    multiplier = lower.back() == 'k' ? 1024 : 1024 * 1024;
    digits.remove_suffix(1);
  }
  const auto value = parse_digits(digits, option, t);
  if (value == 0) {
    bad(option, t, "must be at least 1 token (use 'native' for the model's own context)");
  }
  constexpr std::uint64_t k_max = std::numeric_limits<std::uint32_t>::max();
  if (value > k_max / multiplier) {
    bad(option, t, "exceeds llama.cpp's limit of 4294967295 tokens");
  }
  return value * multiplier;
}

std::vector<std::uint64_t> parse_context_list(std::string_view text, std::string_view option) {
  std::vector<std::uint64_t> out;
  for (const auto item : detail::split_trimmed(text, ',')) {
    if (item.empty()) {
      bad(option, text, "has an empty item");
    }
    out.push_back(parse_context(item, option));
    if (out.size() > 64) {
      bad(option, text, "lists more than 64 contexts");
    }
  }
  return out;
}

std::vector<std::string> parse_name_list(std::string_view text, std::string_view option) {
  std::vector<std::string> out;
  for (const auto item : detail::split_trimmed(text, ',')) {
    if (item.empty()) {
      bad(option, text, "has an empty item");
    }
    out.emplace_back(item);
    if (out.size() > 256) {
      bad(option, text, "lists more than 256 items");
    }
  }
  return out;
}

std::uint64_t parse_count(std::string_view text, std::string_view option, std::uint64_t max, std::uint64_t min) {
  const auto t = trim(text);
  const auto value = parse_digits(t, option, t);
  if (value < min) {
    bad(option, t, "must be at least " + std::to_string(min));
  }
  if (value > max) {
    bad(option, t, "must be at most " + std::to_string(max));
  }
  return value;
}

Bytes parse_size(std::string_view text, std::string_view option) {
  const auto t = trim(text);
  std::size_t split_at = 0;
  while (split_at < t.size() && t[split_at] >= '0' && t[split_at] <= '9') {
    ++split_at;
  }
  const auto value = parse_digits(t.substr(0, split_at), option, t);
  // A decimal fraction of a unit: "1.5GiB" (up to 6 digits).
  std::string_view fraction;
  if (split_at < t.size() && t[split_at] == '.') {
    const auto start = split_at + 1;
    auto end = start;
    while (end < t.size() && t[end] >= '0' && t[end] <= '9') {
      ++end;
    }
    fraction = t.substr(start, end - start);
    if (fraction.empty() || fraction.size() > 6) {
      bad(option, t, "needs 1 to 6 digits after the decimal point");
    }
    split_at = end;
  }
  const std::string unit = detail::to_lower(trim(t.substr(split_at)));
  Bytes multiplier = 1;
  if (unit.empty() || unit == "b") {
    multiplier = 1;
  } else if (unit == "kib") {
    multiplier = k_kib;
  } else if (unit == "mib") {
    multiplier = k_mib;
  } else if (unit == "gib") {
    multiplier = k_gib;
  } else if (unit == "tib") {
    multiplier = k_gib * 1024;
  } else if (unit == "kb") {
    multiplier = 1000;
  } else if (unit == "mb") {
    multiplier = Bytes{1000} * 1000;
  } else if (unit == "gb") {
    multiplier = Bytes{1000} * 1000 * 1000;
  } else if (unit == "tb") {
    multiplier = Bytes{1000} * 1000 * 1000 * 1000;
  } else {
    bad(option, t, "has an unknown unit (use B, KiB, MiB, GiB, TiB, KB, MB, GB or TB)");
  }
  if (!fraction.empty() && multiplier == 1) {
    bad(option, t, "is a fraction of a byte");
  }
  if (value > std::numeric_limits<Bytes>::max() / multiplier / 2) {
    bad(option, t, "is too large");
  }
  Bytes part = 0;  // the fraction, in bytes, rounded down
  if (!fraction.empty()) {
    Bytes scale = 1;
    Bytes digits = 0;
    for (const char c : fraction) {
      digits = digits * 10 + static_cast<Bytes>(c - '0');
      scale *= 10;
    }
    part = static_cast<Bytes>(static_cast<long double>(multiplier) * static_cast<long double>(digits) /
                              static_cast<long double>(scale));
  }
  return value * multiplier + part;
}

bool parse_switch(std::string_view text, std::string_view option) {
  const std::string lower = detail::to_lower(trim(text));
  if (lower == "on" || lower == "true" || lower == "1" || lower == "auto" || lower == "yes") {
    return true;
  }
  if (lower == "off" || lower == "false" || lower == "0" || lower == "no") {
    return false;
  }
  bad(option, text, "must be on or off");
}

}  // namespace vramfit
