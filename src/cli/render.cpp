#include "render.hpp"

#include "text_table.hpp"

#include "vramfit/model/file_type.hpp"
#include "vramfit/model/ggml_type.hpp"
#include "vramfit/support/version.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace vramfit::cli {
namespace {

using ojson = nlohmann::ordered_json;

constexpr int k_schema_version = 1;

// --- numbers for humans -------------------------------------------------------

long double unit_divisor(SizeUnit u) { return u == SizeUnit::binary ? 1073741824.0L : 1e9L; }
const char* unit_label(SizeUnit u) { return u == SizeUnit::binary ? "GiB" : "GB"; }

std::string fixed(Bytes b, SizeUnit u) { return fmt::format("{:.2f}", static_cast<long double>(b) / unit_divisor(u)); }

std::string signed_fixed(ByteDelta d, SizeUnit u) {
  return fmt::format("{:+.2f}", static_cast<long double>(d) / unit_divisor(u));
}

// About three significant digits with the largest fitting prefix (as bloaty's SiPrint).
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

std::string context_label(const ContextResult& c) {
  return with_commas(c.context_tokens) + (c.native ? " (native)" : "");
}

std::string cache_label(const RunSettings& s) {
  return s.type_k == s.type_v ? lower_name(s.type_k) : "K " + lower_name(s.type_k) + " / V " + lower_name(s.type_v);
}

std::string sequences_label(const RunSettings& s) {
  return s.n_seq == 1 ? "1 sequence" : fmt::format("{} sequences{}", s.n_seq, s.kv_unified ? " (unified KV)" : "");
}

// Provenance marks: "~" before an estimate, "^" after a published file's
// size; exact numbers stay unmarked.
std::string mark(const std::string& text, Provenance p) {
  switch (p) {
    case Provenance::estimate:
      return "~" + text;
    case Provenance::published:
      return text + "^";
    case Provenance::exact:
      break;
  }
  return text;
}

// A predicted file size: exact tensor bytes plus the metadata estimate; a
// file read from disk is its own size.
Provenance predicted_file_provenance(const QuantResult& q) {
  return q.source == WeightsSource::gguf && !q.follows_recipe ? Provenance::exact : Provenance::estimate;
}

// Decode speed, an estimate: "~121".
std::string speed_text(const SpeedEstimate& e) {
  return mark(e.tokens_per_second >= 10 ? fmt::format("{:.0f}", e.tokens_per_second)
                                        : fmt::format("{:.1f}", e.tokens_per_second),
              Provenance::estimate);
}

// "fits", "OVER", or "maybe" when the estimate's range spans the limit.
std::string verdict_word(const FitRow& row) { return row.marginal ? "maybe" : row.fits ? "fits" : "OVER"; }

Cell verdict_cell(const FitRow& row, bool with_headroom, SizeUnit u) {
  std::string text = verdict_word(row);
  if (with_headroom) {
    text += " " + mark(signed_fixed(row.headroom_bytes, u), row.provenance.headroom);
    if (row.speed) {
      text += (row.speed_of_plan ? ", offload " : " ") + speed_text(*row.speed) + "t/s";
    }
  }
  return {text, row.marginal ? Color::yellow : row.fits ? Color::green : Color::red};
}

std::string render_table(const TextTable& t, const RenderContext& ctx) {
  return ctx.format == Format::markdown ? t.render_markdown() : t.render_plain(ctx.color);
}

std::string heading(const std::string& text, const RenderContext& ctx) {
  return ctx.format == Format::markdown ? "**" + text + "**\n\n" : text + "\n";
}

// --- the human-readable report -------------------------------------------------

std::string header_lines(const Report& r, const RenderContext& ctx) {
  const auto& m = r.model.spec;
  const auto& s = r.settings;
  const char* br = ctx.format == Format::markdown ? "  \n" : "\n";
  std::string out;
  out += fmt::format("{} ({}): {}; native context {}{}", m.name, m.arch, describe_layers(m), with_commas(m.n_ctx_train),
                     r.model.params.empty() ? "" : "; " + r.model.params);
  out += br;
  for (std::size_t g = 0; g < r.gpus.size(); ++g) {
    const auto& b = r.budgets[g];
    out += fmt::format("GPU {}: {}, {} {}; usable {} {} ({}){}", r.gpus[g].id, r.gpus[g].name,
                       fixed(b.capacity_bytes, ctx.units), unit_label(ctx.units), fixed(b.usable_bytes, ctx.units),
                       unit_label(ctx.units), b.basis, br);
  }
  out += fmt::format("Engine: {}; cache {}; flash attention {}; n_ubatch {}; {}", r.engine, cache_label(s),
                     s.flash_attn ? "on" : "off", s.n_ubatch, sequences_label(s));
  out += "\n";
  for (const auto& note : r.notes) {
    out += fmt::format("Note: {}{}", note, br);
  }
  out += "\n";
  return out;
}

std::string footnotes(const Report& r, bool matrix, const RenderContext& ctx) {
  const char* br = ctx.format == Format::markdown ? "  \n" : "\n";
  std::string out;
  out += fmt::format("~ estimate: compute buffer plus backend scratch (+-25%), and the totals and headroom that include "
                     "it; ^ a published file's size; unmarked: exact (ggml arithmetic on the tensor shapes).{}",
                     br);
  out += fmt::format("  maybe: the verdict flips within the estimate's range. tok/s: decode speed of one sequence from "
                     "memory bandwidth, +-20-40% (docs/ESTIMATES.md).{}",
                     br);
  const bool from_file = !r.quants.empty() && r.quants.front().source == WeightsSource::gguf;
  if (from_file) {
    out += fmt::format("  file pub: the size of the file read; file pred: llama.cpp's recipe for its file type plus a "
                       "metadata estimate. Weights are the file's own tensors.{}",
                       br);
  } else if (matrix) {
    out += fmt::format("  file: the published file's size where the catalog has one, else the prediction.{}", br);
  } else if (std::any_of(r.quants.begin(), r.quants.end(), [](const QuantResult& q) { return q.file_published_bytes; })) {
    out += fmt::format("  file pub: the published file's size; file pred: llama.cpp's recipe plus a metadata "
                       "estimate. Rows with a published file use its size.{}",
                       br);
  }
  // token_embd's size at a mid-range quant, as an example of what stays on the host.
  const auto example = std::find_if(r.quants.begin(), r.quants.end(), [](const QuantResult& q) { return q.id == "Q4_K_M"; });
  const QuantResult& q = example != r.quants.end() ? *example : r.quants.back();
  out += fmt::format("  weights on the GPU exclude token_embd, which llama.cpp keeps in host memory ({} at {}).\n",
                     human(q.host_weights_bytes, ctx.units), q.id);
  return out;
}

std::string fit_table(const Report& r, std::size_t g, const RenderContext& ctx) {
  const bool many_contexts = r.contexts.size() > 1;
  std::vector<Column> cols{{"quant", Align::left}};
  if (many_contexts) {
    cols.push_back({"context"});
  }
  for (const char* h : {"file pub", "file pred", "weights", "KV+state", "compute", "total", "headroom"}) {
    cols.push_back({h});
  }
  cols.push_back({"fit", Align::left});
  cols.push_back({"max ctx"});
  cols.push_back({"tok/s"});
  const bool vllm = r.engine == "vllm";
  if (vllm) {
    cols.push_back({"concurrency"});
  }
  TextTable t(cols);
  for (std::size_t q = 0; q < r.quants.size(); ++q) {
    for (std::size_t c = 0; c < r.contexts.size(); ++c) {
      const auto& row = r.row(q, g, c);
      const auto& qr = r.quants[q];
      std::vector<Cell> cells{qr.id};
      if (many_contexts) {
        cells.emplace_back(with_commas(r.contexts[c].context_tokens));
      }
      const auto& p = row.provenance;
      cells.emplace_back(qr.file_published_bytes ? mark(fixed(*qr.file_published_bytes, ctx.units), Provenance::published)
                                                 : "-");
      cells.emplace_back(qr.follows_recipe ? mark(fixed(qr.file_predicted_bytes, ctx.units), predicted_file_provenance(qr))
                                           : "-");
      cells.emplace_back(mark(fixed(row.memory.weights_bytes, ctx.units), p.weights));
      cells.emplace_back(fixed(row.memory.kv_cache_bytes + row.memory.recurrent_state_bytes, ctx.units));
      cells.emplace_back(mark(fixed(row.memory.compute_buffer_bytes + row.memory.overhead_bytes, ctx.units), p.compute_buffer));
      cells.emplace_back(mark(fixed(row.memory.total_bytes(), ctx.units), p.total));
      cells.emplace_back(mark(signed_fixed(row.headroom_bytes, ctx.units), p.headroom));
      cells.push_back(verdict_cell(row, false, ctx.units));
      cells.emplace_back(!row.max_context_tokens ? "-"
                         : *row.max_context_tokens == 0 ? "none"
                         : *row.max_context_tokens >= r.model.spec.n_ctx_train
                             ? "native"
                             : with_commas(*row.max_context_tokens));
      cells.emplace_back(row.speed && !row.speed_of_plan ? speed_text(*row.speed) : "-");
      if (vllm) {
        cells.emplace_back(row.vllm ? mark(fmt::format("{:.2f}x", row.vllm->concurrency), Provenance::estimate) : "-");
      }
      t.add_row(std::move(cells));
    }
  }
  const std::string title =
      many_contexts
          ? fmt::format("Fit on {} ({})", r.gpus[g].name, unit_label(ctx.units))
          : fmt::format("Fit on {} at {} tokens ({})", r.gpus[g].name, with_commas(r.contexts.front().context_tokens),
                        unit_label(ctx.units));
  return heading(title, ctx) + render_table(t, ctx);
}

std::string gpu_matrix(const Report& r, const RenderContext& ctx) {
  const bool many_contexts = r.contexts.size() > 1;
  std::vector<Column> cols{{"quant", Align::left}};
  if (many_contexts) {
    cols.push_back({"context"});
  }
  cols.push_back({"file"});
  cols.push_back({"weights"});
  for (const auto& g : r.gpus) {
    cols.push_back({g.id, Align::left});
  }
  TextTable t(cols);
  for (std::size_t q = 0; q < r.quants.size(); ++q) {
    for (std::size_t c = 0; c < r.contexts.size(); ++c) {
      const auto& qr = r.quants[q];
      std::vector<Cell> cells{qr.id};
      if (many_contexts) {
        cells.emplace_back(with_commas(r.contexts[c].context_tokens));
      }
      cells.emplace_back(qr.file_published_bytes ? mark(fixed(*qr.file_published_bytes, ctx.units), Provenance::published)
                                                 : mark(fixed(qr.file_predicted_bytes, ctx.units), predicted_file_provenance(qr)));
      cells.emplace_back(mark(fixed(r.row(q, 0, c).memory.weights_bytes, ctx.units), r.row(q, 0, c).provenance.weights));
      for (std::size_t g = 0; g < r.gpus.size(); ++g) {
        cells.push_back(verdict_cell(r.row(q, g, c), true, ctx.units));
      }
      t.add_row(std::move(cells));
    }
  }
  const std::string title =
      many_contexts ? fmt::format("GPU matrix: fit and headroom ({})", unit_label(ctx.units))
                    : fmt::format("GPU matrix at {} tokens: fit and headroom ({})",
                                  with_commas(r.contexts.front().context_tokens), unit_label(ctx.units));
  return heading(title, ctx) + render_table(t, ctx);
}

std::string ladder_table(const Report& r, const RenderContext& ctx) {
  std::vector<Column> cols{{"context", Align::left}, {"KV cache"}, {"state"}, {"KV+state"}};
  for (const auto& g : r.gpus) {
    cols.push_back({r.gpus.size() == 1 ? "largest fit on " + g.id : g.id, Align::left});
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
    note = fmt::format("only the {} full-attention layers grow with the context", full);
    if (m.count(LayerKind::sliding_attention) > 0) {
      note += fmt::format("; sliding-window layers hold {} cells", with_commas(r.ladder.empty() ? 0 : r.ladder.front().context.kv.swa_cells));
    }
    note += "\n";
  }
  return heading(what, ctx) + render_table(t, ctx) + note;
}

// --- placement: offload plans and GPU groups ---------------------------------------

std::string model_file(const Report& r, const QuantResult& q) {
  return q.source == WeightsSource::gguf ? q.description : r.model.spec.name + "-" + q.id + ".gguf";
}

std::string llama_command(const Report& r, const FitRow& row, const Placement& p) {
  RunSettings s = r.settings;
  s.context_tokens = r.contexts[row.context].context_tokens;
  return shell_command("llama-server", llama_arguments(r.model.spec, p, s, model_file(r, r.quants[row.quant])));
}

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

Bytes gpu_total(const Placement& p) {
  Bytes t = 0;
  for (const auto& d : p.devices) {
    t += d.total_bytes();
  }
  return t;
}

// For one column: the offload that fits, for every row that does not fit at
// full offload (or the placement asked for with -ngl / --n-cpu-moe).
std::string offload_section(const Report& r, std::size_t g, const RenderContext& ctx) {
  const auto& spec = r.model.spec;
  std::vector<const FitRow*> rows;
  for (const auto& row : r.rows) {
    if (row.gpu == g && (!row.fits || !row.placement.offload.is_full(spec))) {
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
  for (const char* h : {"offload", "on GPU", "in RAM", "tok/s"}) {
    cols.push_back({h, std::string(h) == "offload" ? Align::left : Align::right});
  }
  cols.push_back({"fit", Align::left});
  TextTable t(cols);
  std::string commands;
  for (const auto* row : rows) {
    const auto& p = row->fits ? row->placement : row->plan ? *row->plan : row->placement;
    const bool ok = row->fits || row->plan.has_value();
    std::vector<Cell> cells{r.quants[row->quant].id};
    if (many_contexts) {
      cells.emplace_back(with_commas(r.contexts[row->context].context_tokens));
    }
    cells.emplace_back(ok ? offload_label(spec, p.offload) : "none fits");
    cells.emplace_back(ok ? mark(fixed(gpu_total(p), ctx.units), Provenance::estimate) : "-");
    cells.emplace_back(ok ? mark(fixed(p.host.total_bytes(), ctx.units), Provenance::estimate) : "-");
    cells.emplace_back(ok && row->speed ? speed_text(*row->speed) : "-");
    std::string verdict = ok ? (p.offload.n_gpu_layers == 0 ? "CPU" : "fits") : "OVER";
    const auto ram_fits = row->fits ? row->ram_fits : row->plan_ram_fits;
    if (ok && ram_fits && !*ram_fits) {
      verdict += ", RAM OVER";
    }
    const bool ram_over = ok && ram_fits && !*ram_fits;
    cells.push_back(Cell{verdict, ok && p.offload.n_gpu_layers > 0 && !ram_over ? Color::green : Color::red});
    t.add_row(std::move(cells));
    if (ok) {
      commands += fmt::format("  {}{}: {}\n", r.quants[row->quant].id,
                              many_contexts ? " @ " + with_commas(r.contexts[row->context].context_tokens) : "",
                              llama_command(r, *row, p));
    }
  }
  std::string out = "\n" + heading(fmt::format("Offload on {}: what fits when the whole model does not ({})", r.gpus[g].name,
                                               unit_label(ctx.units)),
                                   ctx);
  out += render_table(t, ctx);
  out += "llama.cpp command lines (the model file name is the quant's usual one):\n" + commands;
  return out;
}

// For a column of several GPUs: what each GPU holds.
std::string devices_section(const Report& r, std::size_t g, const RenderContext& ctx) {
  const auto& group = r.groups[g];
  if (group.gpus.size() < 2) {
    return {};
  }
  std::vector<Column> cols{{"quant", Align::left}};
  for (std::size_t i = 0; i < group.gpus.size(); ++i) {
    cols.push_back({fmt::format("GPU{} {}", i, group.gpus[i].id)});
  }
  TextTable t(cols);
  for (const auto& row : r.rows) {
    if (row.gpu != g || row.context != 0) {
      continue;
    }
    std::vector<Cell> cells{r.quants[row.quant].id};
    for (const auto& d : row.placement.devices) {
      cells.push_back(Cell{fmt::format("{}L {}/{}", d.layers + (d.output_layer ? 1 : 0),
                                       mark(fixed(d.total_bytes(), ctx.units), Provenance::estimate),
                                       fixed(d.usable_bytes, ctx.units)),
                           d.fits() ? Color::green : Color::red});
    }
    t.add_row(std::move(cells));
  }
  return "\n" +
         heading(fmt::format("Layer split on {} at {} tokens: layers (L), needed/usable ({})", group.id,
                             with_commas(r.contexts.front().context_tokens), unit_label(ctx.units)),
                 ctx) +
         render_table(t, ctx);
}

// The what-if ladder of one row: "  fits with --cache-type q8_0: saves 0.60 GiB, headroom ~+0.12 GiB".
std::string what_if_lines(const Report& r, std::size_t index, const RenderContext& ctx) {
  if (index >= r.what_if.size() || r.what_if[index].empty()) {
    return {};
  }
  const auto& row = r.rows[index];
  std::string out = fmt::format("What would make {} fit on {} at {} tokens (ranked; {}):\n", r.quants[row.quant].id,
                                r.gpus[row.gpu].id, with_commas(r.contexts[row.context].context_tokens),
                                unit_label(ctx.units));
  for (const auto& w : r.what_if[index]) {
    out += fmt::format("  {:<5} {:<34} saves {:>8}, headroom {}{}\n", w.fits ? "fits" : "not", w.change,
                       mark(signed_fixed(w.saved_bytes, ctx.units), Provenance::estimate),
                       mark(signed_fixed(w.headroom_bytes, ctx.units), Provenance::estimate),
                       w.speed ? ", " + speed_text(*w.speed) + " tok/s" : std::string{});
  }
  return out;
}

// --- machine formats -------------------------------------------------------------

ojson catalog_json(const RenderContext& ctx) {
  ojson c;
  c["origin"] = ctx.catalog_origin;
  c["version"] = ctx.catalog_version;
  if (!ctx.catalog_files.empty()) {
    c["files"] = ctx.catalog_files;
  }
  return c;
}

ojson settings_json(const Report& r) {
  const auto& s = r.settings;
  ojson j;
  j["engine"] = r.engine;
  j["parallel"] = s.n_seq;
  j["n_batch"] = s.n_batch;
  j["n_ubatch"] = s.n_ubatch;
  j["cache_type_k"] = lower_name(s.type_k);
  j["cache_type_v"] = lower_name(s.type_v);
  j["flash_attn"] = s.flash_attn;
  j["kv_unified"] = s.kv_unified;
  j["swa_full"] = s.swa_full;
  j["host_bandwidth_gbps"] = r.host_bandwidth_gbps;
  j["host_bandwidth_assumed"] = r.host_bandwidth_assumed;
  return j;
}

ojson host_json(const Placement& p) {
  return {{"weights_bytes", p.host.weights_bytes},
          {"kv_cache_bytes", p.host.kv_cache_bytes},
          {"recurrent_state_bytes", p.host.recurrent_state_bytes},
          {"compute_buffer_bytes", p.host.compute_buffer.bytes},
          {"output_bytes", p.host.output_bytes},
          {"total_bytes", p.host.total_bytes()}};
}

ojson placement_json(const Report& r, const FitRow& row, const Placement& p) {
  const auto& spec = r.model.spec;
  RunSettings s = r.settings;
  s.context_tokens = r.contexts[row.context].context_tokens;
  const auto args = llama_arguments(spec, p, s, model_file(r, r.quants[row.quant]));
  ojson split = ojson::array();
  for (const auto v : p.tensor_split) {
    split.push_back(v);
  }
  return {{"n_gpu_layers", p.offload.n_gpu_layers},
          {"n_cpu_moe", p.offload.n_cpu_moe},
          {"full", p.offload.is_full(spec)},
          {"cpu_only", p.offload.n_gpu_layers == 0},
          {"tensor_split", split},
          {"fits", p.fits()},
          {"gpu_total_bytes", gpu_total(p)},
          {"host_total_bytes", p.host.total_bytes()},
          {"command", shell_command("llama-server", args)},
          {"arguments", args}};
}

ojson devices_json(const Report& r, std::size_t g, const Placement& p) {
  ojson out = ojson::array();
  for (const auto& d : p.devices) {
    out.push_back({{"gpu", r.groups[g].gpus[d.gpu].id},
                   {"index", d.gpu},
                   {"layers", d.layers},
                   {"output_layer", d.output_layer},
                   {"weights_bytes", d.weights_bytes},
                   {"kv_cache_bytes", d.kv_cache_bytes},
                   {"recurrent_state_bytes", d.recurrent_state_bytes},
                   {"compute_buffer_bytes", d.compute_buffer.bytes},
                   {"overhead_bytes", d.overhead.bytes},
                   {"total_bytes", d.total_bytes()},
                   {"total_low_bytes", d.total_low_bytes()},
                   {"total_high_bytes", d.total_high_bytes()},
                   {"usable_bytes", d.usable_bytes},
                   {"headroom_bytes", d.headroom_bytes()},
                   {"fits", d.fits()}});
  }
  return out;
}

ojson result_json(const Report& r, const FitRow& row) {
  const auto& q = r.quants[row.quant];
  const auto& c = r.contexts[row.context];
  const auto& g = r.gpus[row.gpu];
  const auto& b = r.budgets[row.gpu];
  const auto& s = r.settings;
  ojson j;
  j["model"] = r.model.spec.id;
  j["gpu"] = g.id;
  j["quant"] = q.id;
  j["engine"] = r.engine;
  j["context_tokens"] = c.context_tokens;
  j["parallel"] = s.n_seq;
  j["cache_type_k"] = lower_name(s.type_k);
  j["cache_type_v"] = lower_name(s.type_v);
  j["flash_attn"] = s.flash_attn;
  j["memory"] = {{"weights_bytes", row.memory.weights_bytes},
                 {"kv_cache_bytes", row.memory.kv_cache_bytes},
                 {"recurrent_state_bytes", row.memory.recurrent_state_bytes},
                 {"compute_buffer_bytes", row.memory.compute_buffer_bytes},
                 {"overhead_bytes", row.memory.overhead_bytes},
                 {"total_bytes", row.memory.total_bytes()}};
  j["weights_source"] = std::string(name(q.source));
  j["file"] = {{"predicted_bytes", q.file_predicted_bytes},
               {"published_bytes", q.file_published_bytes ? ojson(*q.file_published_bytes) : ojson(nullptr)},
               {"published_file", q.published_file.empty() ? ojson(nullptr) : ojson(q.published_file)},
               {"metadata_estimate_bytes", q.metadata_bytes},
               {"tensor_bytes", q.predicted.total_bytes},
               {"mtp_bytes", q.predicted.mtp_bytes},
               {"recipe", q.recipe},
               {"follows_recipe", q.follows_recipe}};
  j["host"] = host_json(row.placement);
  j["offload"] = placement_json(r, row, row.placement);
  j["devices"] = devices_json(r, row.gpu, row.placement);
  if (row.plan) {
    auto plan = placement_json(r, row, *row.plan);
    plan["devices"] = devices_json(r, row.gpu, *row.plan);
    plan["host"] = host_json(*row.plan);
    plan["ram_fits"] = row.plan_ram_fits ? ojson(*row.plan_ram_fits) : ojson(nullptr);
    j["offload_plan"] = plan;
  } else {
    j["offload_plan"] = nullptr;
  }
  j["ram_fits"] = row.ram_fits ? ojson(*row.ram_fits) : ojson(nullptr);
  j["device"] = {{"capacity_bytes", b.capacity_bytes},
                 {"usable_bytes", b.usable_bytes},
                 {"total_bytes", b.total_bytes},
                 {"reserve_bytes", b.reserve_bytes},
                 {"basis", b.basis}};
  const auto& p = row.provenance;
  j["provenance"] = {{"weights_bytes", std::string(name(p.weights))},
                     {"kv_cache_bytes", std::string(name(p.kv_cache))},
                     {"recurrent_state_bytes", std::string(name(p.recurrent_state))},
                     {"compute_buffer_bytes", std::string(name(p.compute_buffer))},
                     {"overhead_bytes", std::string(name(p.overhead))},
                     {"total_bytes", std::string(name(p.total))},
                     {"headroom_bytes", std::string(name(p.headroom))},
                     {"usable_bytes", std::string(name(p.usable))},
                     {"file_predicted_bytes", std::string(name(predicted_file_provenance(q)))}};
  j["headroom_bytes"] = row.headroom_bytes;
  j["fits"] = row.fits;
  j["marginal"] = row.marginal;
  j["verdict"] = row.marginal ? "maybe" : row.fits ? "fits" : "over";
  j["max_context_tokens"] = row.max_context_tokens ? ojson(*row.max_context_tokens) : ojson(nullptr);
  const auto index = static_cast<std::size_t>(&row - r.rows.data());
  if (index < r.what_if.size() && !row.fits) {
    ojson knobs = ojson::array();
    for (const auto& w : r.what_if[index]) {
      knobs.push_back({{"knob", w.knob},
                       {"change", w.change},
                       {"saved_bytes", w.saved_bytes},
                       {"fits", w.fits},
                       {"headroom_bytes", w.headroom_bytes},
                       {"decode_tokens_per_second",
                        w.speed ? ojson(std::round(w.speed->tokens_per_second * 10.0) / 10.0) : ojson(nullptr)},
                       {"provenance", "estimate"}});
    }
    j["what_if"] = knobs;
  } else {
    j["what_if"] = ojson::array();
  }
  if (row.speed) {
    const auto round1 = [](double v) { return std::round(v * 10.0) / 10.0; };
    j["speed"] = {{"decode_tokens_per_second", round1(row.speed->tokens_per_second)},
                  {"low", round1(row.speed->low)},
                  {"high", round1(row.speed->high)},
                  {"of_offload_plan", row.speed_of_plan},
                  {"provenance", "estimate"}};
  } else {
    j["speed"] = nullptr;
  }
  if (row.vllm) {
    const auto& v = *row.vllm;
    j["vllm"] = {{"kv_bytes_per_token", v.kv_bytes_per_token},
                 {"state_bytes_per_request", v.state_bytes_per_request},
                 {"available_bytes", v.available_bytes},
                 {"cached_tokens", v.cached_tokens},
                 {"request_tokens", v.request_tokens},
                 {"max_concurrency", v.max_concurrency},
                 {"concurrency", std::round(v.concurrency * 100.0) / 100.0},
                 {"block_tokens", k_vllm_block_tokens}};
  } else {
    j["vllm"] = nullptr;
  }
  j["kv_cache"] = {{"k_bytes", c.kv.k_bytes},
                   {"v_bytes", c.kv.v_bytes},
                   {"full_attention_layers", c.kv.full_layers},
                   {"full_attention_cells", c.kv.full_cells},
                   {"sliding_window_layers", c.kv.swa_layers},
                   {"sliding_window_cells", c.kv.swa_cells},
                   {"n_ctx", c.layout.n_ctx}};
  j["recurrent_state"] = {{"conv_bytes", c.state.r_bytes},
                          {"ssm_bytes", c.state.s_bytes},
                          {"layers", c.state.layers},
                          {"slots", c.state.slots}};
  j["estimate"] = {{"compute_buffer_low_bytes", row.estimate.compute_buffer.low},
                   {"compute_buffer_high_bytes", row.estimate.compute_buffer.high},
                   {"overhead_low_bytes", row.estimate.overhead.low},
                   {"overhead_high_bytes", row.estimate.overhead.high},
                   {"total_low_bytes", row.total_low_bytes},
                   {"total_high_bytes", row.total_high_bytes}};
  return j;
}

ojson document_json(const Report& r, const RenderContext& ctx, const char* command) {
  ojson doc;
  doc["schema_version"] = k_schema_version;
  doc["vramfit_version"] = std::string(version());
  doc["command"] = command;
  doc["catalog"] = catalog_json(ctx);
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
  ojson results = ojson::array();
  for (const auto& row : r.rows) {
    results.push_back(result_json(r, row));
  }
  doc["results"] = results;
  if (!r.ladder.empty()) {
    ojson ladder = ojson::array();
    for (const auto& l : r.ladder) {
      ojson best = ojson::object();
      for (std::size_t g = 0; g < r.gpus.size(); ++g) {
        best[r.gpus[g].id] = l.best_quant[g] ? ojson(r.quants[*l.best_quant[g]].id) : ojson(nullptr);
      }
      ladder.push_back({{"context_tokens", l.context.context_tokens},
                        {"native", l.context.native},
                        {"kv_cache_bytes", l.context.kv.total_bytes()},
                        {"recurrent_state_bytes", l.context.state.total_bytes()},
                        {"largest_fit", best}});
    }
    doc["context_ladder"] = ladder;
  }
  return doc;
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

// The first knob of the what-if ladder that makes the row fit, or "".
std::string best_knob(const Report& r, const FitRow& row) {
  const auto index = static_cast<std::size_t>(&row - r.rows.data());
  if (index < r.what_if.size()) {
    for (const auto& w : r.what_if[index]) {
      if (w.fits) {
        return w.change;
      }
    }
  }
  return {};
}

std::string results_csv(const Report& r) {
  std::string out =
      "model,gpu,quant,context_tokens,cache_type_k,cache_type_v,flash_attn,parallel,weights_source,"
      "file_predicted_bytes,file_published_bytes,weights_bytes,kv_cache_bytes,recurrent_state_bytes,"
      "compute_buffer_bytes,overhead_bytes,total_bytes,host_weights_bytes,capacity_bytes,usable_bytes,"
      "headroom_bytes,fits,verdict,weights_provenance,kv_cache_provenance,recurrent_state_provenance,"
      "compute_buffer_provenance,overhead_provenance,total_provenance,headroom_provenance,total_low_bytes,"
      "total_high_bytes,n_gpu_layers,n_cpu_moe,host_total_bytes,device_total_bytes,plan_n_gpu_layers,plan_n_cpu_moe,"
      "plan_gpu_total_bytes,plan_host_total_bytes,decode_tokens_per_second,decode_low,decode_high,speed_of_plan,"
      "what_if_best\n";
  for (const auto& row : r.rows) {
    const auto& q = r.quants[row.quant];
    const auto& b = r.budgets[row.gpu];
    const auto& s = r.settings;
    const auto& p = row.provenance;
    std::string device_totals;
    for (const auto& d : row.placement.devices) {
      device_totals += (device_totals.empty() ? "" : ";") + std::to_string(d.total_bytes());
    }
    const auto plan_field = [&](auto get) { return row.plan ? std::to_string(get(*row.plan)) : std::string{}; };
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},"
                       "{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
                       csv_escape(r.model.spec.id), csv_escape(r.gpus[row.gpu].id), csv_escape(q.id),
                       r.contexts[row.context].context_tokens, lower_name(s.type_k), lower_name(s.type_v),
                       s.flash_attn ? "true" : "false", s.n_seq, name(q.source), q.file_predicted_bytes,
                       q.file_published_bytes ? std::to_string(*q.file_published_bytes) : std::string{},
                       row.memory.weights_bytes, row.memory.kv_cache_bytes, row.memory.recurrent_state_bytes,
                       row.memory.compute_buffer_bytes, row.memory.overhead_bytes, row.memory.total_bytes(),
                       q.host_weights_bytes, b.capacity_bytes, b.usable_bytes, row.headroom_bytes,
                       row.fits ? "true" : "false", row.marginal ? "maybe" : row.fits ? "fits" : "over",
                       name(p.weights), name(p.kv_cache), name(p.recurrent_state), name(p.compute_buffer),
                       name(p.overhead), name(p.total), name(p.headroom), row.total_low_bytes, row.total_high_bytes,
                       row.placement.offload.n_gpu_layers, row.placement.offload.n_cpu_moe,
                       row.placement.host.total_bytes(), device_totals,
                       plan_field([](const Placement& x) { return x.offload.n_gpu_layers; }),
                       plan_field([](const Placement& x) { return x.offload.n_cpu_moe; }),
                       plan_field([](const Placement& x) { return gpu_total(x); }),
                       plan_field([](const Placement& x) { return x.host.total_bytes(); }),
                       row.speed ? fmt::format("{:.1f}", row.speed->tokens_per_second) : std::string{},
                       row.speed ? fmt::format("{:.1f}", row.speed->low) : std::string{},
                       row.speed ? fmt::format("{:.1f}", row.speed->high) : std::string{},
                       row.speed ? (row.speed_of_plan ? "true" : "false") : "", csv_escape(best_knob(r, row)));
  }
  return out;
}

} // namespace

std::string render_fit(const Report& r, const RenderContext& ctx) {
  switch (ctx.format) {
    case Format::json:
      return document_json(r, ctx, "fit").dump(2) + "\n";
    case Format::csv:
      return results_csv(r);
    case Format::table:
    case Format::markdown: {
      std::string out = header_lines(r, ctx);
      if (r.gpus.size() == 1) {
        out += fit_table(r, 0, ctx);
      } else {
        out += gpu_matrix(r, ctx);
      }
      out += footnotes(r, r.gpus.size() > 1, ctx);
      for (std::size_t g = 0; g < r.gpus.size(); ++g) {
        out += devices_section(r, g, ctx);
      }
      if (r.gpus.size() == 1) {
        out += offload_section(r, 0, ctx);
        const auto over = std::count_if(r.rows.begin(), r.rows.end(), [](const FitRow& x) { return !x.fits; });
        if (over > 0 && over <= 3) {
          for (std::size_t i = 0; i < r.rows.size(); ++i) {
            const auto lines = what_if_lines(r, i, ctx);
            out += lines.empty() ? "" : "\n" + lines;
          }
        }
      }
      if (!r.ladder.empty()) {
        out += "\n" + ladder_table(r, ctx);
      }
      return out;
    }
  }
  return {};
}

std::string render_max_context(const MaxContextReport& m, const RenderContext& ctx) {
  const auto& r = m.report;
  const auto& spec = r.model.spec;
  const auto cache_name = [&](std::size_t ci) {
    const auto& [k, v] = m.caches[ci];
    return k == v ? lower_name(k) : "K " + lower_name(k) + " / V " + lower_name(v);
  };
  const auto tokens_label = [&](const MaxContextRow& row) -> std::string {
    if (!row.supported) {
      return "n/a";
    }
    if (row.tokens == 0) {
      return "none";
    }
    return with_commas(row.tokens) + (row.tokens >= spec.n_ctx_train ? " (native)" : "");
  };
  switch (ctx.format) {
    case Format::json: {
      ojson doc;
      doc["schema_version"] = k_schema_version;
      doc["vramfit_version"] = std::string(version());
      doc["command"] = "max-context";
      doc["catalog"] = catalog_json(ctx);
      doc["model"] = {{"id", spec.id}, {"name", spec.name}, {"arch", spec.arch}, {"native_context_tokens", spec.n_ctx_train}};
      doc["settings"] = settings_json(r);
      ojson results = ojson::array();
      for (const auto& row : m.rows) {
        results.push_back({{"model", spec.id},
                           {"gpu", r.gpus[row.gpu].id},
                           {"quant", r.quants[row.quant].id},
                           {"cache_type_k", lower_name(m.caches[row.cache].first)},
                           {"cache_type_v", lower_name(m.caches[row.cache].second)},
                           {"supported", row.supported},
                           {"max_context_tokens", row.tokens},
                           {"native", row.tokens >= spec.n_ctx_train},
                           {"kv_cache_bytes", row.kv_cache_bytes},
                           {"recurrent_state_bytes", row.recurrent_state_bytes}});
      }
      doc["results"] = results;
      return doc.dump(2) + "\n";
    }
    case Format::csv: {
      std::string out = "model,gpu,quant,cache_type_k,cache_type_v,supported,max_context_tokens,native,kv_cache_bytes,"
                        "recurrent_state_bytes\n";
      for (const auto& row : m.rows) {
        out += fmt::format("{},{},{},{},{},{},{},{},{},{}\n", csv_escape(spec.id), csv_escape(r.gpus[row.gpu].id),
                           csv_escape(r.quants[row.quant].id), lower_name(m.caches[row.cache].first),
                           lower_name(m.caches[row.cache].second), row.supported ? "true" : "false", row.tokens,
                           row.tokens >= spec.n_ctx_train ? "true" : "false", row.kv_cache_bytes,
                           row.recurrent_state_bytes);
      }
      return out;
    }
    case Format::table:
    case Format::markdown: {
      std::string out = header_lines(r, ctx);
      for (std::size_t g = 0; g < r.gpus.size(); ++g) {
        std::vector<Column> cols{{"quant", Align::left}};
        for (std::size_t ci = 0; ci < m.caches.size(); ++ci) {
          cols.push_back({"cache " + cache_name(ci)});
        }
        TextTable t(cols);
        for (std::size_t qi = 0; qi < r.quants.size(); ++qi) {
          std::vector<Cell> cells{r.quants[qi].id};
          for (const auto& row : m.rows) {
            if (row.quant == qi && row.gpu == g) {
              cells.push_back(Cell{tokens_label(row), row.tokens > 0 ? Color::none : Color::red});
            }
          }
          t.add_row(std::move(cells));
        }
        out += (g == 0 ? "" : "\n") +
               heading(fmt::format("Largest context that fits on {} (tokens, multiples of 256)", r.gpus[g].name), ctx) +
               render_table(t, ctx);
      }
      out += "Estimates (compute buffer, backend scratch) decide the last few thousand tokens: see the fit table's range.\n";
      return out;
    }
  }
  return {};
}

std::string render_check(const Report& r, const RenderContext& ctx) {
  switch (ctx.format) {
    case Format::json: {
      auto doc = document_json(r, ctx, "check");
      doc["fits"] = std::all_of(r.rows.begin(), r.rows.end(), [](const FitRow& row) { return row.fits; });
      return doc.dump(2) + "\n";
    }
    case Format::csv:
      return results_csv(r);
    case Format::markdown:
      return header_lines(r, ctx) + fit_table(r, 0, ctx);
    case Format::table: {
      std::string out;
      for (const auto& row : r.rows) {
        const auto& q = r.quants[row.quant];
        const auto& b = r.budgets[row.gpu];
        const auto& p = row.provenance;
        const std::string verdict = row.marginal ? (row.fits ? "maybe (fits at the estimate)" : "maybe (does not fit at the estimate)")
                                    : row.fits   ? "fits"
                                                 : "does not fit";
        std::string line = fmt::format(
            "{}: {} {} on {} at {} tokens (cache {}): needs {} of {} usable {}, headroom {} {}", verdict,
            r.model.spec.id, q.id, r.gpus[row.gpu].id, with_commas(r.contexts[row.context].context_tokens),
            cache_label(r.settings), mark(fixed(row.memory.total_bytes(), ctx.units), p.total),
            mark(fixed(b.usable_bytes, ctx.units), p.usable), unit_label(ctx.units),
            mark(signed_fixed(row.headroom_bytes, ctx.units), p.headroom), unit_label(ctx.units));
        if (row.marginal) {
          line += fmt::format(" (estimate range: needs {}..{})", fixed(row.total_low_bytes, ctx.units),
                              fixed(row.total_high_bytes, ctx.units));
        }
        if (ctx.color) {
          line = (row.marginal ? "\033[33m" : row.fits ? "\033[32m" : "\033[31m") + line + "\033[0m";
        }
        out += line + "\n";
        out += what_if_lines(r, static_cast<std::size_t>(&row - r.rows.data()), ctx);
      }
      return out;
    }
  }
  return {};
}


namespace {

// Runs of consecutive layer indices, "0-2, 4, 6-9".
std::string ranges(const std::vector<std::uint32_t>& layers) {
  std::string out;
  for (std::size_t i = 0; i < layers.size();) {
    std::size_t j = i;
    while (j + 1 < layers.size() && layers[j + 1] == layers[j] + 1) {
      ++j;
    }
    out += (out.empty() ? "" : ", ") + std::to_string(layers[i]) + (j > i ? "-" + std::to_string(layers[j]) : "");
    i = j + 1;
  }
  return out.empty() ? "none" : out;
}

} // namespace

std::string render_inspect(const GgufModel& g, const RenderContext& ctx) {
  const auto& s = g.model.spec;
  std::vector<GgmlType> types;
  for (const auto& t : g.tensors) {
    types.push_back(t.type);
  }
  const auto w = summarize_weights(g.tensors, types, s.n_layer);
  std::vector<std::uint32_t> full;
  std::vector<std::uint32_t> swa;
  std::vector<std::uint32_t> recurrent;
  for (std::uint32_t il = 0; il < s.n_layer; ++il) {
    (s.kind(il) == LayerKind::attention ? full : s.kind(il) == LayerKind::sliding_attention ? swa : recurrent).push_back(il);
  }
  std::vector<std::uint32_t> mtp;
  for (std::uint32_t il = s.n_layer; il < s.n_layer_all(); ++il) {
    mtp.push_back(il);
  }
  RunSettings one;
  one.context_tokens = 256;
  const Bytes kv_per_token = kv_cache_size(s, one).full_bytes / 256;
  const std::string file_type = g.file_type ? std::string(name(*g.file_type)) : std::string("unknown");

  if (ctx.format == Format::json) {
    ojson doc;
    doc["schema_version"] = k_schema_version;
    doc["vramfit_version"] = std::string(version());
    doc["file"] = {{"parts", g.parts}, {"gguf_version", g.version}, {"bytes", g.file_bytes},
                   {"tensor_bytes", w.total_bytes}, {"metadata_bytes", g.metadata_bytes}};
    doc["model"] = {{"name", s.name}, {"arch", s.arch}, {"file_type", file_type},
                    {"parameters", w.n_elements}, {"tensors", w.n_tensors},
                    {"native_context_tokens", s.n_ctx_train}, {"layers", s.n_layer}, {"mtp_layers", s.n_layer_nextn}};
    ojson by_type = ojson::array();
    for (const auto& [type, bytes] : w.bytes_by_type) {
      by_type.push_back({{"type", std::string(name(type))}, {"tensors", w.count_by_type.at(type)}, {"bytes", bytes}});
    }
    doc["tensor_types"] = by_type;
    doc["layer_layout"] = {{"full_attention", full}, {"sliding_window", swa}, {"recurrent", recurrent}, {"mtp", mtp},
                           {"sliding_window_tokens", s.n_swa}};
    doc["kv_cache_f16_bytes_per_token"] = kv_per_token;
    doc["recurrent_state_f32_bytes_per_sequence"] = recurrent_state_size(s, one).total_bytes();
    doc["notes"] = g.notes;
    return doc.dump(2) + "\n";
  }
  const char* br = ctx.format == Format::markdown ? "  \n" : "\n";
  std::string out;
  out += fmt::format("File: {} ({} part{}, GGUF v{}, {} bytes){}", g.parts.front(), g.parts.size(),
                     g.parts.size() == 1 ? "" : "s", g.version, with_commas(g.file_bytes), br);
  out += fmt::format("Model: {} ({}), file type {}, {} parameters{}", s.name, s.arch, file_type,
                     with_commas(w.n_elements), br);
  out += fmt::format("Tensors: {} tensors, {} bytes of data, {} bytes of metadata{}", with_commas(w.n_tensors),
                     with_commas(w.total_bytes), with_commas(g.metadata_bytes), br);
  out += fmt::format("Layers: {}; native context {}{}", describe_layers(s), with_commas(s.n_ctx_train), br);
  out += fmt::format("  full attention: {}{}", ranges(full), br);
  if (!swa.empty()) {
    out += fmt::format("  sliding window ({} tokens): {}{}", s.n_swa, ranges(swa), br);
  }
  if (!recurrent.empty()) {
    out += fmt::format("  recurrent ({}): {}{}", recurrent_layer_name(s), ranges(recurrent), br);
  }
  if (!mtp.empty()) {
    out += fmt::format("  MTP (not loaded): {}{}", ranges(mtp), br);
  }
  out += fmt::format("KV cache per token (f16, full-attention layers): {} bytes; recurrent state per sequence: {} bytes{}",
                     with_commas(kv_per_token), with_commas(recurrent_state_size(s, one).total_bytes()), br);
  for (const auto& note : g.notes) {
    out += fmt::format("Note: {}{}", note, br);
  }
  out += "\n";
  TextTable t({{"type", Align::left}, {"tensors"}, {"bytes"}, {"share"}});
  for (const auto& [type, bytes] : w.bytes_by_type) {
    t.add_row({std::string(name(type)), std::to_string(w.count_by_type.at(type)), with_commas(bytes),
               fmt::format("{:.1f}%", w.total_bytes == 0 ? 0.0 : 100.0 * static_cast<double>(bytes) /
                                                                   static_cast<double>(w.total_bytes))});
  }
  return out + render_table(t, ctx);
}

std::string render_verify(const VerifyResult& v, const std::string& log_name, const RenderContext& ctx) {
  const auto& log = v.log;
  const auto& s = v.settings;
  const auto signed_mib = [](Bytes predicted, Bytes logged) {
    return fmt::format("{:+.2f}", (static_cast<double>(logged) - static_cast<double>(predicted)) / 1048576.0);
  };
  if (ctx.format == Format::json) {
    ojson doc;
    doc["schema_version"] = k_schema_version;
    doc["vramfit_version"] = std::string(version());
    ojson devices = ojson::array();
    for (const auto& d : log.devices) {
      ojson dev = {{"name", d.name}, {"description", d.description}, {"unified_memory", d.unified_memory}};
      dev["free_mib"] = d.free_mib ? ojson(*d.free_mib) : ojson(nullptr);
      dev["total_mib"] = d.total_mib ? ojson(*d.total_mib) : ojson(nullptr);
      devices.push_back(dev);
    }
    ojson buffers = ojson::array();
    for (const auto& b : log.buffers) {
      buffers.push_back({{"buffer", b.device}, {"kind", b.kind}, {"bytes", b.bytes}, {"draft", b.draft}});
    }
    ojson parsed;
    parsed["file"] = log_name;
    parsed["build"] = log.build ? ojson(*log.build) : ojson(nullptr);
    parsed["backend"] = std::string(name(v.backend));
    parsed["devices"] = devices;
    parsed["print_info"] = log.info;
    parsed["file_type"] = log.file_type ? ojson(*log.file_type) : ojson(nullptr);
    parsed["n_ctx"] = log.n_ctx ? ojson(*log.n_ctx) : ojson(nullptr);
    parsed["n_seq_max"] = log.n_seq_max ? ojson(*log.n_seq_max) : ojson(nullptr);
    parsed["n_ubatch"] = log.n_ubatch ? ojson(*log.n_ubatch) : ojson(nullptr);
    parsed["cache_type_k"] = log.type_k ? ojson(*log.type_k) : ojson(nullptr);
    parsed["cache_type_v"] = log.type_v ? ojson(*log.type_v) : ojson(nullptr);
    parsed["flash_attn"] = log.flash_attn ? ojson(*log.flash_attn) : ojson(nullptr);
    parsed["offloaded_layers"] = log.offloaded_layers ? ojson(*log.offloaded_layers) : ojson(nullptr);
    parsed["swa_full"] = log.swa_full;
    parsed["metal_working_set_mb"] = log.metal_working_set_mb ? ojson(*log.metal_working_set_mb) : ojson(nullptr);
    parsed["overridden_tensors"] = log.overridden_tensors;
    parsed["buffers"] = buffers;
    doc["log"] = parsed;
    doc["rebuilt"] = {{"model", v.spec.name},          {"arch", v.spec.arch},
                      {"context_tokens", s.context_tokens}, {"parallel", s.n_seq},
                      {"cache_type_k", lower_name(s.type_k)}, {"cache_type_v", lower_name(s.type_v)},
                      {"flash_attn", s.flash_attn},     {"kv_unified", s.kv_unified}};
    ojson terms = ojson::array();
    for (const auto& t : v.terms) {
      terms.push_back({{"device", t.device},
                       {"term", t.term},
                       {"predicted_bytes", t.predicted_bytes},
                       {"logged_bytes", t.logged_bytes},
                       {"provenance", std::string(name(t.provenance))},
                       {"range_low_bytes", t.low_bytes},
                       {"range_high_bytes", t.high_bytes},
                       {"within_range", t.within_range}});
    }
    doc["terms"] = terms;
    doc["notes"] = v.notes;
    doc["ok"] = v.ok;
    return doc.dump(2) + "\n";
  }
  std::string out;
  if (ctx.format == Format::csv) {
    out = "device,term,predicted_bytes,logged_bytes,provenance,range_low_bytes,range_high_bytes,within_range\n";
    for (const auto& t : v.terms) {
      out += fmt::format("{},{},{},{},{},{},{},{}\n", t.device, t.term, t.predicted_bytes, t.logged_bytes,
                         name(t.provenance), t.low_bytes, t.high_bytes, t.within_range ? "true" : "false");
    }
    return out;
  }
  const char* br = ctx.format == Format::markdown ? "  \n" : "\n";
  std::string devices;
  for (const auto& d : log.devices) {
    devices += (devices.empty() ? "" : ", ") + d.name + (d.description.empty() ? "" : " " + d.description) +
               (d.free_mib ? fmt::format(" ({} MiB free)", *d.free_mib) : std::string{});
  }
  out += fmt::format("Log: {}{}; {} backend{}{}", log_name, log.build ? fmt::format(" (build {})", *log.build) : "",
                     name(v.backend), devices.empty() ? "" : "; " + devices, br);
  out += fmt::format("Rebuilt: {} ({}), context {}, {}, cache {}, flash attention {}, n_ubatch {}{}", v.spec.name,
                     v.spec.arch, with_commas(s.context_tokens), sequences_label(s), cache_label(s),
                     s.flash_attn ? "on" : "off", s.n_ubatch, br);
  out += "\n";
  TextTable t({{"device", Align::left}, {"term", Align::left}, {"predicted"}, {"logged"}, {"diff MiB"},
               {"provenance", Align::left}, {"ok", Align::left}});
  for (const auto& term : v.terms) {
    t.add_row({term.device, term.term, with_commas(term.predicted_bytes), with_commas(term.logged_bytes),
               signed_mib(term.predicted_bytes, term.logged_bytes),
               term.provenance == Provenance::exact
                   ? std::string("exact")
                   : fmt::format("estimate {}..{} MiB", term.low_bytes / k_mib, term.high_bytes / k_mib),
               term.within_range ? Cell{"yes", Color::green} : Cell{"NO", Color::red}});
  }
  out += render_table(t, ctx);
  for (const auto& note : v.notes) {
    out += fmt::format("Note: {}{}", note, br);
  }
  const auto failed = std::count_if(v.terms.begin(), v.terms.end(), [](const VerifyTerm& x) { return !x.within_range; });
  out += v.ok ? fmt::format("verify: ok ({} terms)\n", v.terms.size())
              : fmt::format("verify: {} of {} terms outside their range\n", failed, v.terms.size());
  return out;
}

std::string render_list(const Catalog& catalog, const std::string& what, const RenderContext& ctx) {
  std::vector<Column> cols;
  std::vector<std::vector<std::string>> rows;
  if (what == "models") {
    cols = {{"id", Align::left}, {"name", Align::left}, {"arch", Align::left}, {"layers"}, {"context"},
            {"params", Align::left}};
    for (const auto& m : catalog.models) {
      rows.push_back({m.spec.id, m.spec.name, m.spec.arch, std::to_string(m.spec.n_layer),
                      std::to_string(m.spec.n_ctx_train), m.params});
    }
  } else if (what == "gpus") {
    cols = {{"id", Align::left}, {"name", Align::left}, {"backend", Align::left}, {"memory_bytes"},
            {"usable_bytes"}, {"bandwidth_gbps"}};
    for (const auto& g : catalog.gpus) {
      const auto b = device_budget(g);
      rows.push_back({g.id, g.name, std::string(name(g.backend)), std::to_string(g.memory_bytes),
                      std::to_string(b.usable_bytes), fmt::format("{:g}", g.bandwidth_gbps)});
    }
  } else if (what == "quants") {
    cols = {{"id", Align::left}, {"kind", Align::left}, {"recipe", Align::left}, {"listed", Align::left},
            {"description", Align::left}};
    for (const auto& q : catalog.quants) {
      const bool recipe = q.kind == QuantKind::recipe;
      rows.push_back({q.id, recipe ? "recipe" : "published", recipe ? std::string(name(*q.file_type)) : q.nearest,
                      q.listed ? "yes" : "no", q.description});
    }
  } else {
    cols = {{"cache_type", Align::left}, {"block_size"}, {"bytes_per_block"}};
    for (const auto t : kv_cache_types()) {
      rows.push_back({lower_name(t), std::to_string(traits(t).block_size), std::to_string(traits(t).type_size)});
    }
  }
  switch (ctx.format) {
    case Format::json: {
      ojson doc;
      doc["schema_version"] = k_schema_version;
      doc["vramfit_version"] = std::string(version());
      doc["catalog"] = catalog_json(ctx);
      ojson items = ojson::array();
      for (const auto& row : rows) {
        ojson item;
        for (std::size_t c = 0; c < cols.size(); ++c) {
          const bool numeric = cols[c].align == Align::right;
          item[cols[c].header] = numeric ? ojson::parse(row[c]) : ojson(row[c]);
        }
        items.push_back(item);
      }
      doc[what] = items;
      return doc.dump(2) + "\n";
    }
    case Format::csv: {
      std::string out;
      for (std::size_t c = 0; c < cols.size(); ++c) {
        out += (c > 0 ? "," : "") + cols[c].header;
      }
      out += "\n";
      for (const auto& row : rows) {
        for (std::size_t c = 0; c < row.size(); ++c) {
          out += (c > 0 ? "," : "") + csv_escape(row[c]);
        }
        out += "\n";
      }
      return out;
    }
    case Format::table:
    case Format::markdown: {
      TextTable t(cols);
      for (const auto& row : rows) {
        t.add_row(std::vector<Cell>(row.begin(), row.end()));
      }
      return render_table(t, ctx);
    }
  }
  return {};
}

} // namespace vramfit::cli
