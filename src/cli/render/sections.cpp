#include "render/sections.hpp"

#include "render/fields.hpp"

#include <fmt/format.h>

namespace vramfit::cli {
namespace {

std::string offload_label(const ModelSpec& spec, const Offload& o) {
  if (o.n_gpu_layers == 0) {
    return "-ngl 0 (CPU only)";
  }
  std::string out = o.n_gpu_layers > spec.n_layer ? "all layers" : fmt::format("-ngl {}", o.n_gpu_layers);
  if (const auto experts = expert_offload_arguments(spec, o); !experts.empty()) {
    out += ", " + joined_arguments(experts);
  }
  return out;
}

}  // namespace

namespace {

// A command line for the screen: past k_screen_columns it continues on the
// next line after a shell line continuation, so it still pastes as one command.
std::string shell_lines(const std::string& line, const RenderContext& ctx) {
  if (!compact(ctx) || line.size() <= k_screen_columns) {
    return line;
  }
  std::string out;
  std::size_t start = 0;
  const std::string indent = "    ";
  while (line.size() - start + (start > 0 ? indent.size() : 0) > k_screen_columns) {
    const std::size_t budget = k_screen_columns - 2 - (start > 0 ? indent.size() : 0);
    const auto cut = line.rfind(" -", start + budget);
    if (cut == std::string::npos || cut <= start) {
      break;
    }
    out += (start > 0 ? indent : "") + line.substr(start, cut - start) + " \\\n";
    start = cut + 1;
  }
  return out + (start > 0 ? indent : "") + line.substr(start);
}

}  // namespace

QuantSelection select_quants(const Report& r, std::size_t g, const RenderContext& ctx) {
  constexpr std::size_t k_over_shown = 2;
  constexpr std::size_t k_fits_shown = 5;
  QuantSelection s;
  s.shown.assign(r.quants.size(), true);
  if (!compact(ctx) || r.contexts.size() != 1 || r.quants.size() <= k_over_shown + k_fits_shown + 2) {
    return s;
  }
  // Quantizations whose rows print the same (BF16 and F16) count as one.
  const auto same = [&](std::size_t a, std::size_t b) {
    const auto& x = r.row(a, g, 0);
    const auto& y = r.row(b, g, 0);
    return x.memory.total_bytes() == y.memory.total_bytes() && x.memory.weights_bytes == y.memory.weights_bytes &&
           r.quants[a].file_bytes() == r.quants[b].file_bytes() && x.verdict == y.verdict;
  };
  std::vector<std::vector<std::size_t>> over;
  std::vector<std::vector<std::size_t>> fits;
  for (std::size_t q = 0; q < r.quants.size(); ++q) {
    auto& groups = r.row(q, g, 0).verdict == Verdict::over ? over : fits;
    if (q > 0 && !groups.empty() && groups.back().back() == q - 1 && same(q - 1, q)) {
      groups.back().push_back(q);
    } else {
      groups.push_back({q});
    }
  }
  const auto hide = [&](const std::vector<std::size_t>& group, std::vector<std::string>& names) {
    for (const auto q : group) {
      s.shown[q] = false;
      names.push_back(r.quants[q].id);
    }
  };
  for (std::size_t i = 0; i + k_over_shown < over.size(); ++i) {
    hide(over[i], s.hidden_over);
  }
  // With nothing over, the largest fit; else the ones that fit after the line.
  for (std::size_t i = k_fits_shown; i < fits.size(); ++i) {
    hide(fits[i], s.hidden_fits);
  }
  return s;
}

std::string offload_section(const Report& r, std::size_t g, const RenderContext& ctx, const QuantSelection& selection) {
  const auto& spec = r.model.spec;
  if (!r.engine->offloads()) {
    return {};  // vLLM keeps every weight on the GPUs
  }
  std::vector<const FitRow*> rows;
  for (const auto& row : r.rows) {
    if (row.gpu == g && selection.shown[row.quant] && (!row.fits || !row.placement.offload.is_full(spec))) {
      rows.push_back(&row);
    }
  }
  if (rows.empty()) {
    return {};
  }
  const bool many_contexts = r.contexts.size() > 1;
  std::vector<Column> cols{{"quant", Align::left}};
  if (many_contexts) {
    cols.push_back({"context"});
  }
  cols.push_back({"offload", Align::left});
  for (const char* h : {"on GPU", "in RAM", "tok/s", "pp t/s"}) {
    cols.push_back({h});
  }
  cols.push_back({"fit", Align::left});
  TextTable t(cols);
  std::string commands;
  Bytes repacked = 0;
  for (const auto* row : rows) {
    const auto& p = row->fits ? row->placement : row->plan ? *row->plan : row->placement;
    repacked = std::max(repacked, p.host.repacked_weights_bytes);
    const bool ok = row->fits || row->plan.has_value();
    std::vector<Cell> cells{r.quants[row->quant].id};
    if (many_contexts) {
      cells.emplace_back(with_commas(r.contexts[row->context].context_tokens));
    }
    cells.emplace_back(ok ? offload_label(spec, p.offload) : "none fits");
    cells.emplace_back(ok ? mark(fixed(p.gpu_total_bytes(), ctx.units), Provenance::estimate) : "-");
    cells.emplace_back(ok ? mark(fixed(p.host.total_bytes(), ctx.units), Provenance::estimate) : "-");
    cells.emplace_back(ok && row->speed ? speed_text(*row->speed) : "-");
    cells.emplace_back(ok && row->prefill ? speed_text(*row->prefill) : "-");
    const auto ram_fits = row->fits ? row->ram_fits : row->plan_ram_fits;
    const bool ram_over = ok && ram_fits && !*ram_fits;
    std::string verdict = ok ? (p.cpu_only() ? "CPU" : "fits") : "OVER";
    if (ram_over) {
      verdict += ", RAM OVER";
    }
    cells.emplace_back(verdict, ok && !p.cpu_only() && !ram_over ? Color::green : Color::red);
    t.add_row_merging(std::move(cells));
    if (ok) {
      commands +=
          shell_lines(fmt::format("  {}{}: {}", r.quants[row->quant].id,
                                  many_contexts ? " @ " + with_commas(r.contexts[row->context].context_tokens) : "",
                                  r.command(*row, p)),
                      ctx) +
          "\n";
    }
  }
  std::string out = "\n" + heading(fmt::format("Offload on {}: what fits when the whole model does not ({})",
                                               r.columns[g].combined.name, unit_label(ctx.units)),
                                   ctx);
  out += render_table(t, ctx) + after_table(ctx);
  if (repacked > 0) {
    out += fmt::format("in RAM counts the mapped file and the CPU's repacked copy of its weights (up to {}): the peak "
                       "at load; the file pages behind the copy can be dropped later (--no-repack avoids the copy).\n",
                       human(repacked, ctx.units));
  }
  out += std::string(r.engine->command_heading()) + ":\n" + commands;
  return out;
}

std::string devices_section(const Report& r, std::size_t g, const RenderContext& ctx) {
  const auto& group = r.columns[g].group;
  if (group.gpus.size() < 2) {
    return {};
  }
  std::vector<Column> cols{{"quant", Align::left}};
  for (std::size_t i = 0; i < group.gpus.size(); ++i) {
    cols.push_back({fmt::format("GPU{} {}", i, group.gpus[i].id)});
  }
  TextTable t(cols);
  const auto selection = select_quants(r, g, ctx);
  for (const auto& row : r.rows) {
    if (row.gpu != g || row.context != 0 || !selection.shown[row.quant]) {
      continue;
    }
    std::vector<Cell> cells{r.quants[row.quant].id};
    for (const auto& d : row.placement.devices) {
      cells.emplace_back(fmt::format("{}L {}/{}", d.layers + (d.output_layer ? 1 : 0),
                                     mark(fixed(d.total_bytes(), ctx.units), Provenance::estimate),
                                     fixed(d.usable_bytes, ctx.units)),
                         d.fits() ? Color::green : Color::red);
    }
    t.add_row_merging(std::move(cells));
  }
  return "\n" +
         heading(fmt::format("Layer split on {} at {} tokens: layers (L), needed/usable ({})", group.id,
                             with_commas(r.contexts.front().context_tokens), unit_label(ctx.units)),
                 ctx) +
         render_table(t, ctx);
}

std::string what_if_lines(const Report& r, const FitRow& row, const RenderContext& ctx) {
  if (row.what_if.empty()) {
    return {};
  }
  std::string out = fmt::format("What would make {} fit on {} at {} tokens (ranked; {}):\n", r.quants[row.quant].id,
                                r.columns[row.gpu].combined.id, with_commas(r.contexts[row.context].context_tokens),
                                unit_label(ctx.units));
  for (const auto& w : row.what_if) {
    const char* word = w.fits ? "fits" : w.ram_over ? "RAM" : w.marginal ? "maybe" : "not";
    out += fmt::format("  {:<5} {:<34} saves {:>8}, headroom {}{}\n", word, w.change,
                       mark(signed_fixed(w.saved_bytes, ctx.units), Provenance::estimate),
                       mark(signed_fixed(w.headroom_bytes, ctx.units), Provenance::estimate),
                       w.speed ? ", " + speed_text(*w.speed) + " tok/s" : std::string{});
  }
  return out;
}

std::string ladder_table(const Report& r, const RenderContext& ctx) {
  std::vector<Column> cols{{"context", Align::left}, {"KV cache"}, {"state"}, {"KV+state"}};
  for (const auto& column : r.columns) {
    cols.push_back({r.columns.size() == 1 ? "largest fit on " + column.combined.id : column.combined.id, Align::left});
  }
  TextTable t(cols);
  for (const auto& l : r.ladder) {
    std::vector<Cell> cells{context_label(l.context), human(l.context.kv.total_bytes(), ctx.units),
                            human(l.context.state.total_bytes(), ctx.units),
                            human(l.context.kv.total_bytes() + l.context.state.total_bytes(), ctx.units)};
    for (const auto& best : l.best_quant) {
      cells.push_back(best ? Cell{r.quants[*best].id, Color::green} : Cell{"none", Color::red});
    }
    t.add_row(std::move(cells));
  }
  const auto& s = r.settings;
  const auto& m = r.model.spec;
  std::string what = fmt::format("KV cache by context (cache {}, {})", cache_label(s), sequences_label(s));
  if (m.count(LayerKind::recurrent) > 0) {
    what = fmt::format("KV cache and recurrent state by context (cache {}, state F32, {})", cache_label(s),
                       sequences_label(s));
  }
  std::string note;
  const auto full = m.count(LayerKind::attention);
  if (full < m.n_layer) {
    note = after_table(ctx) + fmt::format("only the {} full-attention layers grow with the context", full);
    if (m.count(LayerKind::sliding_attention) > 0) {
      note += fmt::format("; sliding-window layers hold {} cells",
                          with_commas(r.ladder.empty() ? 0 : r.ladder.front().context.kv.swa_cells));
    }
    note += "\n";
  }
  return heading(what, ctx) + render_table(t, ctx) + note;
}

void report_json(const Report& r, ojson& doc) {
  const auto& m = r.model.spec;
  doc["model"] = {{"id", m.id},
                  {"name", m.name},
                  {"arch", m.arch},
                  {"layers", m.n_layer},
                  {"full_attention_layers", m.count(LayerKind::attention)},
                  {"sliding_window_layers", m.count(LayerKind::sliding_attention)},
                  {"recurrent_layers", m.count(LayerKind::recurrent)},
                  {"native_context_tokens", m.n_ctx_train},
                  {"source", r.model.source}};
  doc["settings"] = settings_json(r);
  doc["notes"] = r.notes;
  ojson warnings = ojson::array();
  for (const auto& w : r.warnings) {
    warnings.push_back({{"code", w.code}, {"message", w.message}});
  }
  doc["warnings"] = warnings;
  doc["results"] = results_json(r);
  if (!r.ladder.empty()) {
    ojson ladder = ojson::array();
    for (const auto& l : r.ladder) {
      ojson best = ojson::object();
      for (std::size_t g = 0; g < r.columns.size(); ++g) {
        best[r.columns[g].combined.id] = l.best_quant[g] ? ojson(r.quants[*l.best_quant[g]].id) : ojson(nullptr);
      }
      ladder.push_back({{"context_tokens", l.context.context_tokens},
                        {"native", l.context.native},
                        {"kv_cache_bytes", l.context.kv.total_bytes()},
                        {"recurrent_state_bytes", l.context.state.total_bytes()},
                        {"largest_fit", best}});
    }
    doc["context_ladder"] = ladder;
  }
}

}  // namespace vramfit::cli
