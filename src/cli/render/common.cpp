#include "render/common.hpp"

#include "vramfit/model/ggml_type.hpp"
#include "vramfit/support/version.hpp"

#include <fmt/format.h>

namespace vramfit::cli {
namespace {

constexpr int k_schema_version = 1;

long double unit_divisor(SizeUnit u) {
  return u == SizeUnit::binary ? 1073741824.0L : 1e9L;
}

}  // namespace

const char* unit_label(SizeUnit u) {
  return u == SizeUnit::binary ? "GiB" : "GB";
}

std::string fixed(Bytes b, SizeUnit u) {
  return fmt::format("{:.2f}", static_cast<long double>(b) / unit_divisor(u));
}

std::string signed_fixed(ByteDelta d, SizeUnit u) {
  return fmt::format("{:+.2f}", static_cast<long double>(d) / unit_divisor(u));
}

std::string human(Bytes b, SizeUnit u) {
  const bool bin = u == SizeUnit::binary;
  const long double base = bin ? 1024.0L : 1000.0L;
  const char* const prefixes_bin[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  const char* const prefixes_dec[] = {"B", "KB", "MB", "GB", "TB", "PB"};
  long double v = static_cast<long double>(b);
  std::size_t i = 0;
  while (v >= base && i < 5) {
    v /= base;
    ++i;
  }
  const char* prefix = bin ? prefixes_bin[i] : prefixes_dec[i];
  if (i == 0) {
    return fmt::format("{} {}", b, prefix);
  }
  if (v >= 100) {
    return fmt::format("{:.0f} {}", v, prefix);
  }
  return v >= 10 ? fmt::format("{:.1f} {}", v, prefix) : fmt::format("{:.2f} {}", v, prefix);
}

std::string with_commas(std::uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) {
      out += ',';
    }
    out += digits[i];
  }
  return out;
}

std::string mark(const std::string& text, Provenance p) {
  switch (p) {
    case Provenance::estimate:
      return "~" + text;
    case Provenance::published:
      return text + "^";
    case Provenance::exact:
      return text;
  }
  return text;
}

std::string speed_text(const SpeedEstimate& e) {
  return mark(e.tokens_per_second >= 10 ? fmt::format("{:.0f}", e.tokens_per_second)
                                        : fmt::format("{:.1f}", e.tokens_per_second),
              Provenance::estimate);
}

std::string seconds_text(double seconds) {
  return mark(seconds >= 10  ? fmt::format("{:.0f}s", seconds)
              : seconds >= 1 ? fmt::format("{:.1f}s", seconds)
                             : fmt::format("{:.2f}s", seconds),
              Provenance::estimate);
}

std::string verdict_word(Verdict v) {
  switch (v) {
    case Verdict::fits:
      return "fits";
    case Verdict::maybe:
      return "maybe";
    case Verdict::over:
      return "OVER";
  }
  return "OVER";
}

Color verdict_color(Verdict v) {
  switch (v) {
    case Verdict::fits:
      return Color::green;
    case Verdict::maybe:
      return Color::yellow;
    case Verdict::over:
      return Color::red;
  }
  return Color::red;
}

std::string cache_label(const RunSettings& s) {
  return s.type_k == s.type_v ? lower_name(s.type_k) : "K " + lower_name(s.type_k) + " / V " + lower_name(s.type_v);
}

std::string sequences_label(const RunSettings& s) {
  return s.n_seq == 1 ? "1 sequence" : fmt::format("{} sequences{}", s.n_seq, s.kv_unified ? " (unified KV)" : "");
}

std::string context_label(const ContextResult& c) {
  return with_commas(c.context_tokens) + (c.native ? " (native)" : "");
}

std::string render_table(const TextTable& t, const RenderContext& ctx) {
  return ctx.format == Format::markdown ? t.render_markdown() : t.render_plain(ctx.color);
}

bool compact(const RenderContext& ctx) {
  return ctx.format == Format::table && !ctx.wide;
}

std::string wrap(const std::string& text, const RenderContext& ctx, std::string_view indent) {
  if (!compact(ctx) || text.size() <= k_screen_columns) {
    return text;
  }
  std::string out;
  std::string line;
  bool line_has_word = false;
  std::size_t at = 0;
  while (at <= text.size()) {
    auto next = text.find(' ', at);
    if (next == std::string::npos) {
      next = text.size();
    }
    const std::string_view word(text.data() + at, next - at);
    at = next + 1;
    if (word.empty()) {
      continue;
    }
    if (line_has_word && line.size() + 1 + word.size() > k_screen_columns) {
      out += line + "\n";
      line = std::string(indent);
      line_has_word = false;
    }
    if (line_has_word) {
      line += ' ';
    }
    line += word;
    line_has_word = true;
  }
  return out + line;
}

std::string heading(const std::string& text, const RenderContext& ctx) {
  return ctx.format == Format::markdown ? "**" + text + "**\n\n" : text + "\n";
}

const char* line_break(const RenderContext& ctx) {
  return ctx.format == Format::markdown ? "  \n" : "\n";
}

std::string after_table(const RenderContext& ctx) {
  return ctx.format == Format::markdown ? "\n" : "";
}

ojson json_document(std::string_view command, const RenderContext& ctx) {
  ojson doc;
  doc["schema_version"] = k_schema_version;
  doc["vramfit_version"] = std::string(version());
  doc["command"] = std::string(command);
  if (!ctx.catalog_loaded) {
    doc["catalog"] = nullptr;
    return doc;
  }
  ojson c;
  c["origin"] = ctx.catalog_origin;
  c["version"] = ctx.catalog_version;
  if (!ctx.catalog_files.empty()) {
    c["files"] = ctx.catalog_files;
  }
  doc["catalog"] = c;
  return doc;
}

std::string json_text(const ojson& doc) {
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string csv_escape(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) {
    return s;
  }
  std::string out = "\"";
  for (const char c : s) {
    out += c == '"' ? std::string("\"\"") : std::string(1, c);
  }
  return out + "\"";
}

ojson settings_json(const Report& r) {
  const auto& s = r.settings;
  ojson j;
  j["engine"] = std::string(r.engine_name());
  j["parallel"] = s.n_seq;
  j["n_batch"] = s.n_batch;
  j["n_ubatch"] = s.n_ubatch;
  j["cache_type_k"] = lower_name(s.type_k);
  j["cache_type_v"] = lower_name(s.type_v);
  j["flash_attn"] = s.flash_attn;
  j["kv_unified"] = s.kv_unified;
  j["swa_full"] = s.swa_full;
  j["host_bandwidth_gbps"] = r.host.bandwidth_gbps;
  j["host_bandwidth_assumed"] = !r.host.bandwidth_given;
  return j;
}

}  // namespace vramfit::cli
