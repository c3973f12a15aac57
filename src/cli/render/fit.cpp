// The main job's human output: the header, the fit table or GPU matrix, the
// footnotes, and the sections that follow (render/sections.cpp).

#include "render/common.hpp"
#include "render/fields.hpp"
#include "render/sections.hpp"

#include "vramfit/support/text.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace vramfit::cli {

std::string header_lines(const Report& r, const RenderContext& ctx) {
  const auto& m = r.model.spec;
  const auto& s = r.settings;
  const char* br = line_break(ctx);
  std::string out;
  out += wrap(fmt::format("{} ({}): {}; native context {}{}", m.name, m.arch, describe_layers(m),
                          with_commas(m.n_ctx_train), r.model.params.empty() ? "" : "; " + r.model.params),
              ctx);
  out += br;
  for (const auto& column : r.columns) {
    const auto& b = column.budget;
    out += wrap(fmt::format("GPU {}: {}, {} {}; usable {} {} ({})", column.combined.id, column.combined.name,
                            fixed(b.capacity_bytes, ctx.units), unit_label(ctx.units), fixed(b.usable_bytes, ctx.units),
                            unit_label(ctx.units), b.basis),
                ctx) +
           br;
  }
  out += fmt::format("Engine: {}; cache {}; flash attention {}; n_ubatch {}; {}", r.engine_name(), cache_label(s),
                     s.flash_attn ? "on" : "off", s.n_ubatch, sequences_label(s));
  out += "\n";
  if (r.projector) {
    const auto& p = *r.projector;
    const auto& compute = r.projector_compute;
    out += wrap(fmt::format("Projector: {}{}, {} {} of weights {}, compute ~{} {} ({}-{}, an estimate from two logs)",
                            printable(p.file), p.type.empty() ? "" : " (" + p.type + ")",
                            fixed(p.weights_bytes, ctx.units), unit_label(ctx.units),
                            p.offload ? "on the first GPU" : "in system memory (--no-mmproj-offload)",
                            fixed(compute.device.bytes + compute.host.bytes, ctx.units), unit_label(ctx.units),
                            fixed(compute.device.low + compute.host.low, ctx.units),
                            fixed(compute.device.high + compute.host.high, ctx.units)),
                ctx) +
           br;
  }
  if (r.draft) {
    const auto& d = *r.draft;
    const auto cache = lower_name(d.type_k) == lower_name(d.type_v)
                           ? lower_name(d.type_k)
                           : "K " + lower_name(d.type_k) + ", V " + lower_name(d.type_v);
    const auto what =
        d.mtp_layers > 0
            ? fmt::format("Draft: {}'s own {} (--spec-type draft-mtp) on the last GPU, with a context of its own "
                          "whose cache ({}, at the same context) holds only {}",
                          d.model.spec.name,
                          d.mtp_layers == 1 ? std::string("MTP layer") : fmt::format("{} MTP layers", d.mtp_layers),
                          cache, d.mtp_layers == 1 ? "that layer" : "those layers")
            : fmt::format("Draft: {} {} ({} {} file); every layer on the GPUs, cache {} at the same context",
                          d.model.spec.name, d.quant.id, fixed(d.quant.file_bytes(), ctx.units), unit_label(ctx.units),
                          cache);
    out += wrap(what + "; tok/s is the model's alone (speculative decoding's gain is not estimated)", ctx) + br;
  }
  for (const auto& note : r.notes) {
    out += wrap("Note: " + note, ctx) + br;
  }
  out += "\n";
  return out;
}

namespace {

std::string footnotes(const Report& r, bool matrix, const RenderContext& ctx) {
  const char* br = line_break(ctx);
  std::string out = after_table(ctx);
  if (compact(ctx)) {
    // The screen's worth: what the marks mean; --wide and docs/ESTIMATES.md say the rest.
    if (matrix) {  // decode speeds only
      out += "~ estimate (compute +-25%; tok/s: one sequence, KV cache full, +-20-40%); ^ published file;\n";
      out += "  unmarked: exact. maybe: flips within the range. --wide: every row and note; docs/ESTIMATES.md.\n";
      return out;
    }
    out +=
        fmt::format("~ estimate (compute +-25%; tok/s: decode, KV cache full; pp t/s: {}-token prompt); ^ published\n",
                    r.prompt_tokens);
    out += "  file; unmarked: exact. maybe: flips within the range. --wide: ranges, all rows; docs/ESTIMATES.md.\n";
    return out;
  }
  out +=
      fmt::format("~ estimate: compute buffer plus backend scratch (+-25%), and the totals and headroom that include "
                  "it; ^ a published file's size; unmarked: exact (ggml arithmetic on the tensor shapes).{}",
                  br);
  out += fmt::format("  maybe: the verdict flips within the estimate's range. tok/s: decode speed of one sequence from "
                     "memory bandwidth with the KV cache full, +-20-40% (docs/ESTIMATES.md).{}",
                     br);
  // The prefill rule's measured spread for each backend the report's GPUs use.
  std::string spread;
  std::vector<Backend> seen;
  for (const auto& column : r.columns) {
    for (const auto& gpu : column.group.gpus) {
      if (std::find(seen.begin(), seen.end(), gpu.backend) != seen.end()) {
        continue;
      }
      seen.push_back(gpu.backend);
      const auto range = prefill_range(gpu.backend);
      spread += fmt::format("{}{}", spread.empty() ? "" : ", ",
                            range ? fmt::format("x{:.2f}-{:.2f} on {}", range->low, range->high, name(gpu.backend))
                                  : fmt::format("none on {} (no calibration data)", name(gpu.backend)));
    }
  }
  out += fmt::format("  pp t/s: prefill of a prompt of {} tokens (--prompt) from the GPU's FP16 tensor rate; measured: "
                     "the estimate {}. TTFT: that prompt plus one decoded token (docs/ESTIMATES.md).{}",
                     r.prompt_tokens, spread, br);
  const bool from_file = !r.quants.empty() && r.quants.front().source == WeightsSource::gguf;
  if (from_file) {
    out += fmt::format("  file pub: the size of the file read; file pred: llama.cpp's recipe for its file type plus a "
                       "metadata estimate. Weights are the file's own tensors.{}",
                       br);
  } else if (matrix) {
    out += fmt::format("  file: the published file's size where the catalog has one, else the prediction.{}", br);
  } else if (std::any_of(r.quants.begin(), r.quants.end(),
                         [](const QuantResult& q) { return q.file_published_bytes; })) {
    out += fmt::format("  file pub: the published file's size; file pred: llama.cpp's recipe plus a metadata "
                       "estimate. Rows with a published file use its size.{}",
                       br);
  }
  // token_embd's size at a mid-range quant, as an example of what stays on the host.
  const auto example =
      std::find_if(r.quants.begin(), r.quants.end(), [](const QuantResult& q) { return q.id == "Q4_K_M"; });
  const QuantResult& q = example != r.quants.end() ? *example : r.quants.back();
  out += fmt::format("  weights on the GPU exclude token_embd, which llama.cpp keeps in host memory ({} at {}).\n",
                     human(q.host_weights_bytes, ctx.units), q.id);
  return out;
}

// How many requests fit at once, for the rows shown: with --wide, with more
// than one sequence asked for, or under an engine that serves several (llama-server, Ollama).
std::string concurrency_line(const Report& r, const RenderContext& ctx) {
  const bool serving = r.settings.n_seq > 1 || r.engine->name() != "llama.cpp";
  if (r.contexts.size() != 1 || (compact(ctx) && !serving)) {
    return {};
  }
  const auto selection = select_quants(r, 0, ctx);
  std::string list;
  const FitRow* example = nullptr;
  const FitRow* previous = nullptr;
  for (std::size_t q = 0; q < r.quants.size(); ++q) {
    const auto& row = r.row(q, 0, 0);
    if (!selection.shown[q] || !row.concurrency) {
      continue;
    }
    // Quants of the same bytes (the table's merged rows) share one entry.
    if (previous != nullptr &&
        fixed(previous->memory.total_bytes(), ctx.units) == fixed(row.memory.total_bytes(), ctx.units) &&
        previous->concurrency->max_parallel == row.concurrency->max_parallel) {
      list.insert(list.rfind(':'), "/" + r.quants[q].id);
      continue;
    }
    previous = &row;
    list += fmt::format("{}{}:{}", list.empty() ? "" : ", ", r.quants[q].id, row.concurrency->max_parallel);
    example = example == nullptr || row.concurrency->max_parallel > example->concurrency->max_parallel ? &row : example;
  }
  if (example == nullptr) {
    return {};
  }
  const auto& c = *example->concurrency;
  std::string how;
  if (c.paged) {
    // One pool shared by every request; the engine's sequence limit caps it.
    how = "one shared paged cache";
    if (c.engine_limit) {
      how += "; at most " + r.engine->describe(r.model.spec, Change().with_parallel(*c.engine_limit));
    }
  } else {
    how = "its own context; " + r.engine->describe(r.model.spec, Change().with_parallel(c.max_parallel));
  }
  return wrap(fmt::format("requests at once, {} tokens each ({}): {}", with_commas(c.context_tokens), how, list), ctx,
              "    ") +
         "\n";
}

std::string max_context_cell(const Report& r, const FitRow& row) {
  if (!row.max_context_tokens) {
    return "-";
  }
  if (*row.max_context_tokens == 0) {
    return "none";
  }
  return *row.max_context_tokens >= r.model.spec.n_ctx_train ? "native" : with_commas(*row.max_context_tokens);
}

std::string file_cell(const QuantResult& q, SizeUnit u) {
  return q.file_published_bytes ? mark(fixed(*q.file_published_bytes, u), Provenance::published)
                                : mark(fixed(q.file_predicted_bytes, u), q.file_predicted_provenance);
}

std::string fit_table(const Report& r, std::size_t g, const RenderContext& ctx) {
  const bool many_contexts = r.contexts.size() > 1;
  std::vector<Column> cols{{"quant", Align::left}};
  if (many_contexts) {
    cols.push_back({"context"});
  }
  // Within 100 columns one "file" column shows the published size, else the
  // prediction (--wide: both, and the time to first token).
  const bool draft = r.draft.has_value();
  const bool mmproj = r.projector.has_value();
  const bool both_files = !compact(ctx);
  for (const char* h :
       {"file", "file pub", "file pred", "weights", "KV+state", "compute", "mmproj", "draft", "total", "headroom"}) {
    const std::string_view name = h;
    if ((name == "file" && both_files) || ((name == "file pub" || name == "file pred") && !both_files) ||
        (name == "draft" && !draft) || (name == "mmproj" && !mmproj)) {
      continue;
    }
    cols.push_back({h});
  }
  cols.push_back({"fit", Align::left});
  cols.push_back({"max ctx"});
  cols.push_back({"tok/s"});
  cols.push_back({"pp t/s"});
  if (both_files) {
    cols.push_back({"TTFT"});
  }
  const bool paged = std::any_of(r.rows.begin(), r.rows.end(), [](const FitRow& row) { return row.vllm.has_value(); });
  if (paged) {
    cols.push_back({"concurrency"});
  }
  TextTable t(cols);
  const auto selection = select_quants(r, g, ctx);
  for (std::size_t q = 0; q < r.quants.size(); ++q) {
    if (!selection.shown[q]) {
      continue;
    }
    for (std::size_t c = 0; c < r.contexts.size(); ++c) {
      const auto& row = r.row(q, g, c);
      const auto& qr = r.quants[q];
      std::vector<Cell> cells{qr.id};
      if (many_contexts) {
        cells.emplace_back(with_commas(r.contexts[c].context_tokens));
      }
      const auto& p = row.provenance;
      if (both_files) {
        cells.emplace_back(
            qr.file_published_bytes ? mark(fixed(*qr.file_published_bytes, ctx.units), Provenance::published) : "-");
        cells.emplace_back(
            qr.follows_recipe ? mark(fixed(qr.file_predicted_bytes, ctx.units), qr.file_predicted_provenance) : "-");
      } else {
        cells.emplace_back(file_cell(qr, ctx.units));
      }
      cells.emplace_back(mark(fixed(row.memory.weights_bytes, ctx.units), p.weights));
      cells.emplace_back(fixed(row.memory.kv_cache_bytes + row.memory.recurrent_state_bytes, ctx.units));
      cells.emplace_back(
          mark(fixed(row.memory.compute_buffer_bytes + row.memory.overhead_bytes, ctx.units), p.compute_buffer));
      if (mmproj) {
        cells.emplace_back(mark(fixed(row.memory.projector_bytes, ctx.units), Provenance::estimate));
      }
      if (draft) {
        cells.emplace_back(mark(fixed(row.memory.draft_bytes, ctx.units), Provenance::estimate));
      }
      cells.emplace_back(mark(fixed(row.memory.total_bytes(), ctx.units), p.total));
      cells.emplace_back(mark(signed_fixed(row.headroom_bytes, ctx.units), p.headroom));
      cells.emplace_back(verdict_word(row.verdict), verdict_color(row.verdict));
      cells.emplace_back(max_context_cell(r, row));
      const bool own = !row.speed_of_plan;  // an offload plan's speeds are the plan's section's
      cells.emplace_back(row.speed && own ? speed_text(*row.speed) : "-");
      cells.emplace_back(row.prefill && own ? speed_text(*row.prefill) : "-");
      if (both_files) {
        cells.emplace_back(row.time_to_first_token && own ? seconds_text(row.time_to_first_token->seconds) : "-");
      }
      if (paged) {
        cells.emplace_back(row.vllm ? mark(fmt::format("{:.2f}x", row.vllm->concurrency), Provenance::estimate) : "-");
      }
      t.add_row_merging(std::move(cells));
    }
  }
  const auto& name = r.columns[g].combined.name;
  const std::string title = many_contexts
                                ? fmt::format("Fit on {} ({})", name, unit_label(ctx.units))
                                : fmt::format("Fit on {} at {} tokens ({})", name,
                                              with_commas(r.contexts.front().context_tokens), unit_label(ctx.units));
  std::string out = heading(title, ctx) + render_table(t, ctx);
  const auto list = [](const std::vector<std::string>& ids) {
    std::string text;
    for (const auto& id : ids) {
      text += (text.empty() ? "" : ", ") + id;
    }
    return text;
  };
  if (!selection.hidden_over.empty()) {
    out += wrap(fmt::format("  larger, over: {}", list(selection.hidden_over)), ctx, "    ") + "\n";
  }
  if (!selection.hidden_fits.empty()) {
    out += wrap(fmt::format("  smaller, fit: {}", list(selection.hidden_fits)), ctx, "    ") + "\n";
  }
  return out;
}

// A verdict with its headroom and speed, for the GPU matrix.
Cell matrix_cell(const FitRow& row, SizeUnit u) {
  std::string text =
      verdict_word(row.verdict) + " " + mark(signed_fixed(row.headroom_bytes, u), row.provenance.headroom);
  if (row.speed) {
    text += (row.speed_of_plan ? ", offload " : " ") + speed_text(*row.speed) + "t/s";
  }
  return {text, verdict_color(row.verdict)};
}

// GPUs of one matrix block: all of them, or four per block in compact output,
// so a long --gpu list wraps instead of running off the screen.
std::string gpu_matrix_block(const Report& r, std::size_t first, std::size_t last, const RenderContext& ctx) {
  const bool many_contexts = r.contexts.size() > 1;
  std::vector<Column> cols{{"quant", Align::left}};
  if (many_contexts) {
    cols.push_back({"context"});
  }
  cols.push_back({"file"});
  cols.push_back({"weights"});
  for (std::size_t g = first; g < last; ++g) {
    cols.push_back({r.columns[g].combined.id, Align::left});
  }
  TextTable t(cols);
  for (std::size_t q = 0; q < r.quants.size(); ++q) {
    for (std::size_t c = 0; c < r.contexts.size(); ++c) {
      const auto& qr = r.quants[q];
      std::vector<Cell> cells{qr.id};
      if (many_contexts) {
        cells.emplace_back(with_commas(r.contexts[c].context_tokens));
      }
      cells.emplace_back(file_cell(qr, ctx.units));
      cells.emplace_back(
          mark(fixed(r.row(q, 0, c).memory.weights_bytes, ctx.units), r.row(q, 0, c).provenance.weights));
      for (std::size_t g = first; g < last; ++g) {
        cells.push_back(matrix_cell(r.row(q, g, c), ctx.units));
      }
      t.add_row_merging(std::move(cells));
    }
  }
  return render_table(t, ctx);
}

std::size_t widest_line(const std::string& text) {
  std::size_t widest = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    end = end == std::string::npos ? text.size() : end;
    widest = std::max(widest, end - start);
    start = end + 1;
  }
  return widest;
}

std::string gpu_matrix(const Report& r, const RenderContext& ctx) {
  const bool many_contexts = r.contexts.size() > 1;
  const std::string title = many_contexts
                                ? fmt::format("GPU matrix: fit and headroom ({})", unit_label(ctx.units))
                                : fmt::format("GPU matrix at {} tokens: fit and headroom ({})",
                                              with_commas(r.contexts.front().context_tokens), unit_label(ctx.units));
  std::string out = heading(title, ctx);
  std::size_t first = 0;
  while (first < r.columns.size()) {
    // As many GPUs as the screen holds (at least one); all of them with --wide.
    std::size_t last = r.columns.size();
    std::string block = gpu_matrix_block(r, first, last, ctx);
    while (compact(ctx) && last > first + 1 && widest_line(block) > k_screen_columns) {
      --last;
      block = gpu_matrix_block(r, first, last, ctx);
    }
    out += (first > 0 ? "\n" : "") + block;
    first = last;
  }
  return out;
}

}  // namespace

std::string render_fit(const Report& r, const RenderContext& ctx) {
  switch (ctx.format) {
    case Format::json: {
      auto doc = json_document("fit", ctx);
      report_json(r, doc);
      return json_text(doc);
    }
    case Format::csv:
      return results_csv(r);
    case Format::github:  // check only; the options reject it elsewhere
    case Format::table:
    case Format::markdown: {
      std::string out = header_lines(r, ctx);
      const bool matrix = r.columns.size() > 1;
      out += matrix ? gpu_matrix(r, ctx) : fit_table(r, 0, ctx);
      out += footnotes(r, matrix, ctx);
      if (!matrix) {
        out += concurrency_line(r, ctx);
      }
      for (std::size_t g = 0; g < r.columns.size(); ++g) {
        out += devices_section(r, g, ctx);
      }
      if (!matrix) {
        out += offload_section(r, 0, ctx, select_quants(r, 0, ctx));
        const auto over = std::count_if(r.rows.begin(), r.rows.end(), [](const FitRow& x) { return !x.fits; });
        if (over > 0 && over <= 3) {
          // Identical ladders (BF16 and F16) print once, under both names.
          std::vector<std::pair<std::string, std::string>> blocks;  // header, body
          for (const auto& row : r.rows) {
            const auto lines = what_if_lines(r, row, ctx);
            const auto cut = lines.find('\n');
            if (cut == std::string::npos) {
              continue;
            }
            std::string header = lines.substr(0, cut + 1);
            std::string body = lines.substr(cut + 1);
            const std::string id = r.quants[row.quant].id;
            if (!blocks.empty() && blocks.back().second == body) {
              const auto at = blocks.back().first.find(" fit on ");
              blocks.back().first.insert(at, "/" + id);
              continue;
            }
            blocks.emplace_back(std::move(header), std::move(body));
          }
          // A screen's worth has room for one ladder; the offload table covers the rest.
          if (!compact(ctx) || blocks.size() == 1) {
            for (const auto& [header, body] : blocks) {
              out += "\n";
              out += header;
              out += body;
            }
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

namespace {

// GitHub Actions workflow commands: data escaped as the runner expects
// (%, CR, LF; in properties also ':' and ',').
std::string github_escape(std::string_view text, bool property) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '%':
        out += "%25";
        break;
      case '\r':
        out += "%0D";
        break;
      case '\n':
        out += "%0A";
        break;
      case ':':
        out += property ? "%3A" : ":";
        break;
      case ',':
        out += property ? "%2C" : ",";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// One annotation per row: ::error when it does not fit, ::warning when it fits
// only within the estimate's range or below --min-headroom, ::notice when it fits.
std::string github_annotations(const Report& r, const RenderContext& ctx) {
  std::string out;
  for (const auto& row : r.rows) {
    const auto& q = r.quants[row.quant];
    const auto& column = r.columns[row.gpu];
    const char* level = !row.fits ? "error" : (row.marginal || !row.meets_min_headroom) ? "warning" : "notice";
    const char* verdict = !row.fits                 ? "does not fit"
                          : row.marginal            ? "fits only within the estimate's range"
                          : !row.meets_min_headroom ? "fits with less than --min-headroom to spare"
                                                    : "fits";
    const std::string title = fmt::format("vramfit: {} {} on {}", r.model.spec.id, q.id, column.combined.id);
    const std::string message =
        fmt::format("{} at {} tokens (cache {}): needs ~{} of {} usable {}, headroom ~{} {}", verdict,
                    with_commas(r.contexts[row.context].context_tokens), cache_label(r.settings),
                    fixed(row.memory.total_bytes(), ctx.units), fixed(column.budget.usable_bytes, ctx.units),
                    unit_label(ctx.units), signed_fixed(row.headroom_bytes, ctx.units), unit_label(ctx.units));
    out += fmt::format("::{} title={}::{}\n", level, github_escape(title, true), github_escape(message, false));
  }
  return out;
}

}  // namespace

std::string render_check(const Report& r, const RenderContext& ctx) {
  switch (ctx.format) {
    case Format::json: {
      auto doc = json_document("check", ctx);
      report_json(r, doc);
      doc["fits"] = all_fit(r);
      return json_text(doc);
    }
    case Format::csv:
      return results_csv(r);
    case Format::markdown: {
      std::string out = header_lines(r, ctx);
      for (std::size_t g = 0; g < r.columns.size(); ++g) {
        out += (g == 0 ? "" : "\n") + fit_table(r, g, ctx);
      }
      return out;
    }
    case Format::github:
      return github_annotations(r, ctx);
    case Format::table: {
      std::string out;
      for (const auto& row : r.rows) {
        const auto& q = r.quants[row.quant];
        const auto& column = r.columns[row.gpu];
        const auto& p = row.provenance;
        const std::string verdict =
            row.marginal ? (row.fits ? "maybe (fits at the estimate)" : "maybe (does not fit at the estimate)")
            : !row.fits  ? "does not fit"
            : row.meets_min_headroom ? "fits"
                                     : "fits, below --min-headroom";
        std::string line =
            fmt::format("{}: {} {} on {} at {} tokens (cache {}): needs {} of {} usable {}, headroom {} {}", verdict,
                        r.model.spec.id, q.id, column.combined.id, with_commas(r.contexts[row.context].context_tokens),
                        cache_label(r.settings), mark(fixed(row.memory.total_bytes(), ctx.units), p.total),
                        mark(fixed(column.budget.usable_bytes, ctx.units), p.usable), unit_label(ctx.units),
                        mark(signed_fixed(row.headroom_bytes, ctx.units), p.headroom), unit_label(ctx.units));
        if (row.marginal) {
          line += fmt::format(" (estimate range: needs {}..{})", fixed(row.total_low_bytes, ctx.units),
                              fixed(row.total_high_bytes, ctx.units));
        }
        out += (ctx.color ? TextTable::colorize(line, verdict_color(row.verdict)) : line) + "\n";
        out += what_if_lines(r, row, ctx);
      }
      return out;
    }
  }
  return {};
}

}  // namespace vramfit::cli
