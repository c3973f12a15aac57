#include "vramfit/input/hardware.hpp"

#include "detail/json.hpp"
#include "detail/text.hpp"

#include "vramfit/support/error.hpp"
#include "vramfit/support/text.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string>

namespace vramfit {
namespace {

using detail::trim;

std::optional<std::uint64_t> whole_number(std::string_view s) {
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size()) {
    return std::nullopt;
  }
  return v;
}

[[noreturn]] void unreadable(std::string_view tool, std::size_t line, std::string_view why) {
  throw InputError(std::string(tool) + ": line " + std::to_string(line) + ": " + std::string(why));
}

// A figure in units of `unit` bytes, with an optional unit suffix; "[N/A]" is absent.
std::optional<Bytes> figure(std::string_view cell, std::string_view suffix, Bytes unit, std::string_view tool,
                            std::size_t line) {
  cell = trim(cell);
  if (cell == "[N/A]" || cell == "N/A" || cell == "[Not Supported]") {
    return std::nullopt;
  }
  if (!suffix.empty() && cell.size() > suffix.size() && cell.substr(cell.size() - suffix.size()) == suffix) {
    cell = trim(cell.substr(0, cell.size() - suffix.size()));
  }
  const auto v = whole_number(cell);
  if (!v || *v > (Bytes{1} << 50) / unit) {
    unreadable(tool, line, "'" + printable(cell.substr(0, 32)) + "' is not a memory figure");
  }
  return *v * unit;
}

// "key: value" lines (sysctl, /proc/meminfo), with their 1-based line numbers.
struct KeyValue {
  std::size_t line;
  std::string_view key;
  std::string_view value;
};

std::vector<KeyValue> key_values(std::string_view text) {
  std::vector<KeyValue> out;
  std::size_t line_no = 0;
  for (auto line : detail::split_trimmed(text, '\n')) {
    ++line_no;
    const auto colon = line.find(':');
    if (colon != std::string_view::npos) {
      out.push_back({line_no, trim(line.substr(0, colon)), trim(line.substr(colon + 1))});
    }
  }
  return out;
}

}  // namespace

std::vector<DetectedDevice> parse_nvidia_smi(std::string_view text) {
  constexpr std::string_view tool = "nvidia-smi";
  // Column positions: name, total, used, free (-1: not printed).
  int col_name = 0;
  int col_total = 1;
  int col_used = 2;
  int col_free = 3;
  std::vector<DetectedDevice> out;
  std::size_t line_no = 0;
  for (const auto line : detail::split_trimmed(text, '\n')) {
    ++line_no;
    if (line.empty()) {
      continue;
    }
    const auto cells = detail::split_trimmed(line, ',');
    if (line.find("memory.") != std::string_view::npos) {  // the header
      col_name = col_total = col_used = col_free = -1;
      for (std::size_t i = 0; i < cells.size(); ++i) {
        const auto c = cells[i];
        const auto is = [&](std::string_view key) {
          return c.substr(0, key.size()) == key;
        };
        if (is("name") || is("gpu_name")) {
          col_name = static_cast<int>(i);
        } else if (is("memory.total")) {
          col_total = static_cast<int>(i);
        } else if (is("memory.used")) {
          col_used = static_cast<int>(i);
        } else if (is("memory.free")) {
          col_free = static_cast<int>(i);
        }
      }
      if (col_total < 0 && col_free < 0) {
        unreadable(tool, line_no, "a header without memory.total or memory.free");
      }
      continue;
    }
    const auto cell = [&](int col) -> std::optional<std::string_view> {
      if (col < 0) {
        return std::nullopt;
      }
      if (static_cast<std::size_t>(col) >= cells.size()) {
        unreadable(tool, line_no, "expected " + std::to_string(col + 1) + " comma-separated fields");
      }
      return cells[static_cast<std::size_t>(col)];
    };
    DetectedDevice d;
    d.tool = tool;
    d.name = col_name >= 0 ? std::string(trim(*cell(col_name))) : "NVIDIA GPU " + std::to_string(out.size());
    const auto mib_figure = [&](int col) -> std::optional<Bytes> {
      const auto c = cell(col);
      return c ? figure(*c, "MiB", k_mib, tool, line_no) : std::nullopt;
    };
    const auto total = mib_figure(col_total);
    d.used_bytes = mib_figure(col_used);
    d.free_bytes = mib_figure(col_free);
    if (!total) {
      unreadable(tool, line_no, "no memory.total for '" + printable(d.name.substr(0, 64)) + "'");
    }
    d.total_bytes = *total;
    if (!d.used_bytes && d.free_bytes && *d.free_bytes <= d.total_bytes) {
      d.used_bytes = d.total_bytes - *d.free_bytes;
    }
    if (!d.free_bytes && d.used_bytes && *d.used_bytes <= d.total_bytes) {
      d.free_bytes = d.total_bytes - *d.used_bytes;
    }
    if (d.free_bytes && *d.free_bytes > d.total_bytes) {
      unreadable(tool, line_no, "more memory free than the total");
    }
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<DetectedDevice> parse_rocm_smi(std::string_view text) {
  constexpr std::string_view tool = "rocm-smi";
  auto parsed = detail::parse_untrusted_json(text);
  if (const auto* failure = std::get_if<detail::JsonFailure>(&parsed)) {
    throw InputError(std::string(tool) + ": " + failure->message);
  }
  const auto& doc = std::get<nlohmann::json>(parsed);
  if (!doc.is_object()) {
    throw InputError(std::string(tool) + ": expected a JSON object of cards");
  }
  std::vector<DetectedDevice> out;
  for (const auto& item : doc.items()) {
    const std::string& card = item.key();
    const auto& fields = item.value();
    if (card.rfind("card", 0) != 0 || !fields.is_object()) {
      continue;  // "system" and other sections
    }
    const auto text_field = [&](std::initializer_list<const char*> keys) -> std::optional<std::string> {
      for (const char* k : keys) {
        const auto it = fields.find(k);
        if (it != fields.end() && it->is_string()) {
          return it->get<std::string>();
        }
      }
      return std::nullopt;
    };
    const auto bytes_field = [&](const char* key) -> std::optional<Bytes> {
      const auto v = text_field({key});
      if (!v) {
        return std::nullopt;
      }
      const auto n = whole_number(trim(*v));
      if (!n) {
        throw InputError(std::string(tool) + ": " + card + ": \"" + key + "\" is not a byte count");
      }
      return *n;
    };
    const auto total = bytes_field("VRAM Total Memory (B)");
    if (!total || *total < k_gib) {
      continue;
    }
    DetectedDevice d;
    d.tool = tool;
    d.name = text_field({"Card Series", "Card series", "Device Name", "Card SKU"}).value_or("AMD GPU " + card);
    d.total_bytes = *total;
    d.used_bytes = bytes_field("VRAM Total Used Memory (B)");
    if (d.used_bytes && *d.used_bytes <= d.total_bytes) {
      d.free_bytes = d.total_bytes - *d.used_bytes;
    }
    out.push_back(std::move(d));
  }
  return out;
}

std::optional<DetectedDevice> parse_sysctl(std::string_view text) {
  constexpr std::string_view tool = "sysctl";
  DetectedDevice d;
  d.tool = tool;
  bool have_memory = false;
  for (auto [line_no, key, value] : key_values(text)) {
    if (const auto arrow = value.find("->"); arrow != std::string_view::npos) {
      value = trim(value.substr(arrow + 2));  // the set form prints "old -> new"
    }
    if (key == "hw.memsize") {
      const auto v = whole_number(value);
      if (!v || *v == 0 || *v > (Bytes{1} << 50)) {
        unreadable(tool, line_no, "hw.memsize '" + printable(value.substr(0, 32)) + "' is not a byte count");
      }
      d.total_bytes = *v;
      have_memory = true;
    } else if (key == "iogpu.wired_limit_mb") {
      const auto v = whole_number(value);
      if (!v || *v > (Bytes{1} << 30)) {
        unreadable(tool, line_no, "iogpu.wired_limit_mb '" + printable(value.substr(0, 32)) + "' is not a count");
      }
      if (*v > 0) {
        d.wired_limit_bytes = *v * k_mib;
      }
    } else if (key == "machdep.cpu.brand_string") {
      d.name = std::string(value);
    } else if (key == "kern.osproductversion") {
      const auto major = whole_number(value.substr(0, value.find('.')));
      if (!major || *major < 10 || *major > 99) {
        unreadable(tool, line_no, "kern.osproductversion '" + printable(value.substr(0, 32)) + "' is not a version");
      }
      d.macos_major = static_cast<std::uint32_t>(*major);
    }
  }
  if (!have_memory) {
    return std::nullopt;
  }
  if (d.name.empty()) {
    d.name = "Mac";
  }
  return d;
}

HostMemory parse_meminfo(std::string_view text) {
  constexpr std::string_view tool = "/proc/meminfo";
  HostMemory m;
  bool have_total = false;
  for (const auto& [line_no, key, value] : key_values(text)) {
    if (key != "MemTotal" && key != "MemAvailable") {
      continue;
    }
    const auto v = figure(value, "kB", 1024, tool, line_no);
    if (!v) {
      unreadable(tool, line_no, std::string(key) + " has no figure");
    }
    if (key == "MemTotal") {
      m.total_bytes = *v;
      have_total = true;
    } else {
      m.available_bytes = *v;
    }
  }
  if (!have_total) {
    throw InputError(std::string(tool) + ": no MemTotal line");
  }
  return m;
}

std::string catalog_name(const DetectedDevice& device) {
  if (device.tool == "sysctl") {
    return device.name + " " + std::to_string((device.total_bytes + k_gib / 2) / k_gib) + " GB";
  }
  return device.name;
}

}  // namespace vramfit
