#include "render/common.hpp"

#include "vramfit/model/ggml_type.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace vramfit::cli {

std::string render_verify(const VerifyResult& v, const std::string& log_name, const RenderContext& ctx) {
  const auto& log = v.log;
  const auto& s = v.settings;
  switch (ctx.format) {
    case Format::json: {
      auto doc = json_document("verify", ctx);
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
      const auto optional = [](const auto& o) {
        return o ? ojson(*o) : ojson(nullptr);
      };
      ojson parsed;
      parsed["file"] = log_name;
      parsed["build"] = optional(log.build);
      parsed["backend"] = std::string(name(v.backend));
      parsed["devices"] = devices;
      parsed["print_info"] = log.info;
      parsed["file_type"] = optional(log.file_type);
      parsed["n_ctx"] = optional(log.n_ctx);
      parsed["n_seq_max"] = optional(log.n_seq_max);
      parsed["n_ubatch"] = optional(log.n_ubatch);
      parsed["cache_type_k"] = optional(log.type_k);
      parsed["cache_type_v"] = optional(log.type_v);
      parsed["flash_attn"] = optional(log.flash_attn);
      parsed["offloaded_layers"] = optional(log.offloaded_layers);
      parsed["swa_full"] = log.swa_full;
      parsed["metal_working_set_mb"] = optional(log.metal_working_set_mb);
      parsed["overridden_tensors"] = log.overridden_tensors;
      parsed["buffers"] = buffers;
      doc["log"] = parsed;
      doc["rebuilt"] = {{"model", v.spec.name},
                        {"arch", v.spec.arch},
                        {"context_tokens", s.context_tokens},
                        {"parallel", s.n_seq},
                        {"cache_type_k", lower_name(s.type_k)},
                        {"cache_type_v", lower_name(s.type_v)},
                        {"flash_attn", s.flash_attn},
                        {"kv_unified", s.kv_unified}};
      ojson terms = ojson::array();
      for (const auto& t : v.terms) {
        terms.push_back({{"device", t.device},
                         {"term", std::string(name(t.term))},
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
      return json_text(doc);
    }
    case Format::csv: {
      std::string out =
          "device,term,predicted_bytes,logged_bytes,provenance,range_low_bytes,range_high_bytes,within_range\n";
      for (const auto& t : v.terms) {
        out += fmt::format("{},{},{},{},{},{},{},{}\n", csv_escape(t.device), name(t.term), t.predicted_bytes,
                           t.logged_bytes, name(t.provenance), t.low_bytes, t.high_bytes,
                           t.within_range ? "true" : "false");
      }
      return out;
    }
    case Format::github:  // check only; the options reject it elsewhere
    case Format::table:
    case Format::markdown: {
      const char* br = line_break(ctx);
      std::string devices;
      for (const auto& d : log.devices) {
        devices += (devices.empty() ? "" : ", ") + d.name + (d.description.empty() ? "" : " " + d.description) +
                   (d.free_mib ? fmt::format(" ({} MiB free)", *d.free_mib) : std::string{});
      }
      std::string out;
      out += fmt::format("Log: {}{}; {} backend{}{}", log_name, log.build ? fmt::format(" (build {})", *log.build) : "",
                         name(v.backend), devices.empty() ? "" : "; " + devices, br);
      out += fmt::format("Rebuilt: {} ({}), context {}, {}, cache {}, flash attention {}, n_ubatch {}{}", v.spec.name,
                         v.spec.arch, with_commas(s.context_tokens), sequences_label(s), cache_label(s),
                         s.flash_attn ? "on" : "off", s.n_ubatch, br);
      out += "\n";
      TextTable t({{"device", Align::left},
                   {"term", Align::left},
                   {"predicted"},
                   {"logged"},
                   {"diff MiB"},
                   {"provenance", Align::left},
                   {"ok", Align::left}});
      for (const auto& term : v.terms) {
        const double diff_mib =
            (static_cast<double>(term.logged_bytes) - static_cast<double>(term.predicted_bytes)) / 1048576.0;
        t.add_row({term.device, std::string(name(term.term)), with_commas(term.predicted_bytes),
                   with_commas(term.logged_bytes), fmt::format("{:+.2f}", diff_mib),
                   term.provenance == Provenance::exact
                       ? std::string("exact")
                       : fmt::format("estimate {}..{} MiB", term.low_bytes / k_mib, term.high_bytes / k_mib),
                   term.within_range ? Cell{"yes", Color::green} : Cell{"NO", Color::red}});
      }
      out += render_table(t, ctx) + after_table(ctx);
      for (const auto& note : v.notes) {
        out += fmt::format("Note: {}{}", note, br);
      }
      const auto failed =
          std::count_if(v.terms.begin(), v.terms.end(), [](const VerifyTerm& x) { return !x.within_range; });
      out += v.ok ? fmt::format("verify: ok ({} terms)\n", v.terms.size())
                  : fmt::format("verify: {} of {} terms outside their range\n", failed, v.terms.size());
      return out;
    }
  }
  return {};
}

}  // namespace vramfit::cli
