#include "render/common.hpp"

#include "vramfit/model/ggml_type.hpp"
#include "vramfit/plan/engine.hpp"

#include <fmt/format.h>

namespace vramfit::cli {
namespace {

// One listed item: its cells for tables and CSV, and the same values typed for JSON.
struct Listing {
  std::vector<Column> columns;
  std::vector<std::vector<std::string>> cells;
  std::vector<std::vector<ojson>> values;
  std::vector<ojson> json_extra;  ///< per item, fields only the JSON document carries
};

ojson number_or_integer(double v) {
  const bool whole = v == static_cast<double>(static_cast<std::uint64_t>(v));
  return whole ? ojson(static_cast<std::uint64_t>(v)) : ojson(v);
}

ojson sources_json(const std::vector<std::pair<std::string, std::string>>& sources) {
  ojson out = ojson::object();
  for (const auto& [what, where] : sources) {
    out[what] = where;
  }
  return out;
}

Listing listing(const Catalog& catalog, const ListInput& in) {
  Listing l;
  const auto add = [&](std::vector<ojson> values, ojson extra = ojson::object()) {
    std::vector<std::string> cells;
    for (const auto& v : values) {
      cells.push_back(v.is_string() ? v.get<std::string>() : v.dump());
    }
    l.cells.push_back(std::move(cells));
    l.values.push_back(std::move(values));
    l.json_extra.push_back(std::move(extra));
  };
  switch (in.what) {
    case ListKind::models:
      l.columns = {{"id", Align::left}, {"name", Align::left}, {"arch", Align::left},
                   {"layers"},          {"context"},           {"params", Align::left}};
      if (!in.fits_gpu.empty()) {
        l.columns.push_back({"best_fit", Align::left});
        l.columns.push_back({"total_bytes"});
      }
      for (const auto& ml : in.models) {
        const auto& m = *ml.model;
        std::vector<ojson> v{m.spec.id, m.spec.name, m.spec.arch, m.spec.n_layer, m.spec.n_ctx_train, m.params};
        if (!in.fits_gpu.empty()) {
          v.emplace_back(ml.best_quant);
          v.emplace_back(ml.best_total_bytes);
        }
        ojson extra{{"aliases", m.aliases},
                    {"hf_repo", m.hf_repo},
                    {"published_files", m.files.size()},
                    {"source", m.source},
                    {"sources", sources_json(m.sources)}};
        add(std::move(v), std::move(extra));
      }
      break;
    case ListKind::gpus:
      l.columns = {{"id", Align::left}, {"name", Align::left}, {"backend", Align::left},
                   {"memory_bytes"},    {"usable_bytes"},      {"bandwidth_gbps"}};
      for (const auto& g : in.gpus) {
        ojson extra{{"aliases", g.gpu->aliases},
                    {"fp16_tflops", g.gpu->fp16_tflops ? number_or_integer(*g.gpu->fp16_tflops) : ojson()},
                    {"fp16_accumulate_tflops",
                     g.gpu->fp16_accumulate_tflops ? number_or_integer(*g.gpu->fp16_accumulate_tflops) : ojson()},
                    {"source", g.gpu->source},
                    {"sources", sources_json(g.gpu->sources)}};
        add({g.gpu->id, g.gpu->name, std::string(name(g.gpu->backend)), g.gpu->memory_bytes, g.budget.usable_bytes,
             number_or_integer(g.gpu->bandwidth_gbps)},
            std::move(extra));
      }
      break;
    case ListKind::quants:
      l.columns = {{"id", Align::left},
                   {"kind", Align::left},
                   {"recipe", Align::left},
                   {"listed", Align::left},
                   {"description", Align::left}};
      for (const auto& q : catalog.quants) {
        const bool recipe = q.kind == QuantKind::recipe;
        const bool format = q.kind == QuantKind::format;
        // A format's "recipe" column names the engines that list it.
        std::string loader;
        for (const auto* e : format ? engines() : std::span<const EngineRules* const>{}) {
          if (e->lists(q)) {
            loader += (loader.empty() ? "" : ", ") + std::string(e->name());
          }
        }
        add({q.id,
             recipe   ? "recipe"
             : format ? "format"
                      : "published",
             recipe   ? std::string(name(*q.file_type))
             : format ? loader
                      : q.nearest,
             q.listed ? "yes" : "no", q.description});
      }
      break;
    case ListKind::cache_types:
      l.columns = {{"cache_type", Align::left}, {"block_size"}, {"bytes_per_block"}};
      for (const auto t : kv_cache_types()) {
        add({lower_name(t), traits(t).block_size, traits(t).type_size});
      }
      break;
  }
  return l;
}

std::string_view list_key(ListKind what) {
  switch (what) {
    case ListKind::models:
      return "models";
    case ListKind::gpus:
      return "gpus";
    case ListKind::quants:
      return "quants";
    case ListKind::cache_types:
      return "cache-types";
  }
  return "models";
}

}  // namespace

std::string render_list(const Catalog& catalog, const ListInput& in, const RenderContext& ctx) {
  const auto l = listing(catalog, in);
  const ListKind what = in.what;
  switch (ctx.format) {
    case Format::json: {
      auto doc = json_document("list", ctx);
      ojson items = ojson::array();
      for (std::size_t i = 0; i < l.values.size(); ++i) {
        ojson item;
        for (std::size_t c = 0; c < l.columns.size(); ++c) {
          item[l.columns[c].header] = l.values[i][c];
        }
        for (const auto& [key, value] : l.json_extra[i].items()) {
          item[key] = value;
        }
        items.push_back(item);
      }
      doc[std::string(list_key(what))] = items;
      return json_text(doc);
    }
    case Format::csv: {
      std::string out;
      for (std::size_t c = 0; c < l.columns.size(); ++c) {
        out += (c > 0 ? "," : "") + l.columns[c].header;
      }
      out += "\n";
      for (const auto& row : l.cells) {
        for (std::size_t c = 0; c < row.size(); ++c) {
          out += (c > 0 ? "," : "") + csv_escape(row[c]);
        }
        out += "\n";
      }
      return out;
    }
    case Format::github:  // check only; the options reject it elsewhere
    case Format::table:
    case Format::markdown: {
      TextTable t(l.columns);
      for (const auto& row : l.cells) {
        t.add_row(std::vector<Cell>(row.begin(), row.end()));
      }
      return render_table(t, ctx);
    }
  }
  return {};
}

}  // namespace vramfit::cli
