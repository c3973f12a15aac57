#include "render/common.hpp"
#include "render/sections.hpp"

#include "vramfit/model/ggml_type.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace vramfit::cli {

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
    const auto shown = row.per_request_tokens.value_or(row.tokens);
    return with_commas(shown) + (shown >= spec.n_ctx_train ? " (native)" : "");
  };
  const bool per_request =
      std::any_of(m.rows.begin(), m.rows.end(), [](const MaxContextRow& row) { return row.per_request_tokens; });
  switch (ctx.format) {
    case Format::json: {
      auto doc = json_document("max-context", ctx);
      doc["model"] = {
          {"id", spec.id}, {"name", spec.name}, {"arch", spec.arch}, {"native_context_tokens", spec.n_ctx_train}};
      doc["settings"] = settings_json(r);
      ojson results = ojson::array();
      for (const auto& row : m.rows) {
        results.push_back(
            {{"model", spec.id},
             {"gpu", r.columns[row.gpu].combined.id},
             {"quant", r.quants[row.quant].id},
             {"cache_type_k", lower_name(m.caches[row.cache].first)},
             {"cache_type_v", lower_name(m.caches[row.cache].second)},
             {"supported", row.supported},
             {"max_context_tokens", row.tokens},
             {"parallel", r.settings.n_seq},
             {"per_request_tokens", row.per_request_tokens ? ojson(*row.per_request_tokens) : ojson(nullptr)},
             {"native", row.per_request_tokens.value_or(row.tokens) >= spec.n_ctx_train},
             {"kv_cache_bytes", row.kv_cache_bytes},
             {"recurrent_state_bytes", row.recurrent_state_bytes}});
      }
      doc["results"] = results;
      return json_text(doc);
    }
    case Format::csv: {
      std::string out = "model,gpu,quant,cache_type_k,cache_type_v,supported,max_context_tokens,native,kv_cache_bytes,"
                        "recurrent_state_bytes\n";
      for (const auto& row : m.rows) {
        out += fmt::format(
            "{},{},{},{},{},{},{},{},{},{}\n", csv_escape(spec.id), csv_escape(r.columns[row.gpu].combined.id),
            csv_escape(r.quants[row.quant].id), lower_name(m.caches[row.cache].first),
            lower_name(m.caches[row.cache].second), row.supported ? "true" : "false", row.tokens,
            row.tokens >= spec.n_ctx_train ? "true" : "false", row.kv_cache_bytes, row.recurrent_state_bytes);
      }
      return out;
    }
    case Format::github:  // check only; the options reject it elsewhere
    case Format::table:
    case Format::markdown: {
      std::string out = header_lines(r, ctx);
      for (std::size_t g = 0; g < r.columns.size(); ++g) {
        std::vector<Column> cols{{"quant", Align::left}};
        for (std::size_t ci = 0; ci < m.caches.size(); ++ci) {
          cols.push_back({"cache " + cache_name(ci)});
        }
        TextTable t(cols);
        for (std::size_t qi = 0; qi < r.quants.size(); ++qi) {
          std::vector<Cell> cells{r.quants[qi].id};
          for (const auto& row : m.rows) {
            if (row.quant == qi && row.gpu == g) {
              cells.emplace_back(tokens_label(row), row.tokens > 0 ? Color::none : Color::red);
            }
          }
          t.add_row(std::move(cells));
        }
        const auto title = per_request ? fmt::format("Largest context per request, {} at once (each its own), on {} "
                                                     "(tokens)",
                                                     r.settings.n_seq, r.columns[g].combined.name)
                                       : fmt::format("Largest context that fits on {} (tokens, multiples of 256)",
                                                     r.columns[g].combined.name);
        out += (g == 0 ? "" : "\n") + heading(title, ctx) + render_table(t, ctx);
      }
      out += after_table(ctx) + "Estimates (compute buffer, backend scratch) decide the last few thousand tokens: see "
                                "the fit table's range.\n";
      return out;
    }
  }
  return {};
}

}  // namespace vramfit::cli
