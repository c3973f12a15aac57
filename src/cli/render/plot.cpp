// `vramfit plot`: memory against context for each quantization on one GPU
// column, as a self-contained SVG (no fonts, scripts or links to load). Every
// plotted number is a field of the report, also carried as data-* attributes
// so tools (and the tests) can read the picture back.

#include "render/common.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace vramfit::cli {
namespace {

constexpr double k_width = 880;
constexpr double k_height = 520;
constexpr double k_left = 70;
constexpr double k_right = 180;  // the legend
constexpr double k_top = 56;
constexpr double k_bottom = 64;

constexpr const char* k_palette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b",
                                     "#e377c2", "#17becf", "#bcbd22", "#7f7f7f", "#d62728"};

std::string xml_text(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string tokens_label(std::uint64_t t) {
  constexpr std::uint64_t k_m = std::uint64_t{1024} * 1024;
  if (t >= k_m && t % k_m == 0) {
    return fmt::format("{}M", t / k_m);
  }
  if (t >= 1024 && t % 1024 == 0) {
    return fmt::format("{}K", t / 1024);
  }
  return with_commas(t);
}

// A step of 1, 2 or 5 x 10^n that gives at most eight ticks up to `top`.
double tick_step(double top) {
  double step = 1e-3;
  for (int i = 0; step * 8 < top && i < 60; ++i) {
    const double mantissa = step / std::pow(10.0, std::floor(std::log10(step) + 1e-9));
    step *= mantissa < 1.5 ? 2.0 : mantissa < 3.0 ? 2.5 : 2.0;
  }
  return step;
}

}  // namespace

std::string render_plot(const Report& r, const RenderContext& ctx) {
  const auto& column = r.columns.front();
  const double unit = ctx.units == SizeUnit::binary ? 1073741824.0 : 1e9;
  const auto in_units = [&](Bytes b) {
    return static_cast<double>(b) / unit;
  };
  double top = in_units(column.budget.usable_bytes);
  for (const auto& row : r.rows) {
    top = std::max(top, in_units(row.memory.total_bytes()));
  }
  const double step = tick_step(top * 1.08);
  top = std::ceil(top * 1.08 / step) * step;
  const double x0 = std::log2(static_cast<double>(r.contexts.front().context_tokens));
  const double x1 = std::log2(static_cast<double>(
      std::max<std::uint64_t>(r.contexts.back().context_tokens, r.contexts.front().context_tokens + 1)));
  const double plot_w = k_width - k_left - k_right;
  const double plot_h = k_height - k_top - k_bottom;
  const auto px = [&](std::uint64_t tokens) {
    return k_left + (std::log2(static_cast<double>(tokens)) - x0) / (x1 - x0) * plot_w;
  };
  const auto py = [&](Bytes b) {
    return k_top + plot_h - in_units(b) / top * plot_h;
  };
  std::string s;
  s += fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"sans-serif\" font-size=\"12\" data-model=\"{2}\" data-gpu=\"{3}\" data-unit=\"{4}\">\n",
      k_width, k_height, xml_text(r.model.spec.id), xml_text(column.combined.id), unit_label(ctx.units));
  const std::string title = fmt::format("{} on {}: memory against context (cache {}, {})", r.model.spec.name,
                                        column.combined.name, cache_label(r.settings), r.engine_name());
  s += fmt::format("<title>{}</title>\n", xml_text(title));
  s += fmt::format("<rect width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>\n", k_width, k_height);
  s +=
      fmt::format("<text x=\"{}\" y=\"24\" font-size=\"15\" font-weight=\"bold\">{}</text>\n", k_left, xml_text(title));
  // Axes and ticks.
  s += "<g class=\"axes\" stroke=\"#333333\" fill=\"none\">\n";
  s += fmt::format("<line x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{0}\" y2=\"{2:.1f}\"/>\n", k_left, k_top, k_top + plot_h);
  s += fmt::format("<line x1=\"{0}\" y1=\"{2:.1f}\" x2=\"{1:.1f}\" y2=\"{2:.1f}\"/>\n", k_left, k_left + plot_w,
                   k_top + plot_h);
  s += "</g>\n<g class=\"ticks\" fill=\"#333333\">\n";
  for (double v = 0; v <= top + step / 2; v += step) {
    const double y = k_top + plot_h - v / top * plot_h;
    s += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#dddddd\"/>\n", k_left, y,
                     k_left + plot_w, y);
    s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{:g}</text>\n", k_left - 6, y + 4, v);
  }
  for (const auto& c : r.contexts) {
    s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n", px(c.context_tokens),
                     k_top + plot_h + 18, tokens_label(c.context_tokens));
  }
  s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">context (tokens, log scale)</text>\n",
                   k_left + plot_w / 2, k_height - 16);
  s += fmt::format("<text x=\"16\" y=\"{:.1f}\" transform=\"rotate(-90 16 {:.1f})\" text-anchor=\"middle\">"
                   "GPU memory ({})</text>\n",
                   k_top + plot_h / 2, k_top + plot_h / 2, unit_label(ctx.units));
  s += "</g>\n";
  // The GPU's usable memory.
  const double uy = py(column.budget.usable_bytes);
  s += fmt::format("<g class=\"usable\" data-bytes=\"{}\">\n<line x1=\"{}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" "
                   "stroke=\"#d62728\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>\n",
                   column.budget.usable_bytes, k_left, uy, k_left + plot_w, uy);
  s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" fill=\"#d62728\">usable {} {}</text>\n</g>\n", k_left + 6, uy + 16,
                   fixed(column.budget.usable_bytes, ctx.units), unit_label(ctx.units));
  // One group per quantization: total (solid), weights (dotted), points, the max-context marker.
  for (std::size_t q = 0; q < r.quants.size(); ++q) {
    const auto& quant = r.quants[q];
    const char* color = k_palette[q % std::size(k_palette)];
    std::string total_points;
    std::string weight_points;
    std::string points;
    for (std::size_t c = 0; c < r.contexts.size(); ++c) {
      const auto& row = r.row(q, 0, c);
      const auto tokens = r.contexts[c].context_tokens;
      const Bytes kv_state = row.memory.kv_cache_bytes + row.memory.recurrent_state_bytes;
      total_points += fmt::format("{}{:.1f},{:.1f}", c == 0 ? "" : " ", px(tokens), py(row.memory.total_bytes()));
      weight_points += fmt::format("{}{:.1f},{:.1f}", c == 0 ? "" : " ", px(tokens), py(row.memory.weights_bytes));
      points += fmt::format("<circle class=\"point\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"2.5\" fill=\"{}\" "
                            "data-context=\"{}\" data-total-bytes=\"{}\" data-weights-bytes=\"{}\" "
                            "data-kv-state-bytes=\"{}\" data-fits=\"{}\"/>\n",
                            px(tokens), py(row.memory.total_bytes()), color, tokens, row.memory.total_bytes(),
                            row.memory.weights_bytes, kv_state, row.fits ? "true" : "false");
    }
    s += fmt::format("<g class=\"quant\" data-quant=\"{}\">\n", xml_text(quant.id));
    s += fmt::format("<polyline class=\"total\" points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>\n",
                     total_points, color);
    s += fmt::format("<polyline class=\"weights\" points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1\" "
                     "stroke-dasharray=\"2 3\"/>\n",
                     weight_points, color);
    s += points;
    const auto& last = r.row(q, 0, r.contexts.size() - 1);
    if (last.max_context_tokens && *last.max_context_tokens > 0 &&
        *last.max_context_tokens < r.contexts.back().context_tokens &&
        *last.max_context_tokens >= r.contexts.front().context_tokens) {
      s += fmt::format("<circle class=\"max-context\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"5\" fill=\"none\" "
                       "stroke=\"{}\" stroke-width=\"2\" data-context=\"{}\"><title>{}: at most {} tokens</title>"
                       "</circle>\n",
                       px(*last.max_context_tokens), uy, color, *last.max_context_tokens, xml_text(quant.id),
                       with_commas(*last.max_context_tokens));
    }
    // Legend entry.
    const double ly = k_top + 8 + static_cast<double>(q) * 20;
    const double lx = k_width - k_right + 20;
    s += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" stroke-width=\"2\"/>"
                     "<text x=\"{:.1f}\" y=\"{:.1f}\">{}</text>\n",
                     lx, ly, lx + 22, ly, color, lx + 28, ly + 4, xml_text(quant.id));
    s += "</g>\n";
  }
  const double note_y = k_top + 8 + static_cast<double>(r.quants.size()) * 20 + 12;
  s += fmt::format("<text class=\"note\" x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"11\" fill=\"#555555\">"
                   "solid: total; dotted: weights</text>\n",
                   k_width - k_right + 20, note_y);
  s += fmt::format("<text class=\"note\" x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"11\" fill=\"#555555\">"
                   "circle: largest context</text>\n",
                   k_width - k_right + 20, note_y + 16);
  s += "</svg>\n";
  return s;
}

}  // namespace vramfit::cli
