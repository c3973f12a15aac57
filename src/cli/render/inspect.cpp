#include "render/common.hpp"

#include <fmt/format.h>

namespace vramfit::cli {
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

}  // namespace

std::string render_inspect(const InspectSummary& s, const RenderContext& ctx) {
  switch (ctx.format) {
    case Format::json: {
      auto doc = json_document("inspect", ctx);
      doc["file"] = {{"parts", s.parts},
                     {"gguf_version", s.gguf_version},
                     {"bytes", s.file_bytes},
                     {"tensor_bytes", s.tensor_bytes},
                     {"metadata_bytes", s.metadata_bytes}};
      doc["model"] = {{"name", s.name},           {"arch", s.arch},
                      {"file_type", s.file_type}, {"parameters", s.parameters},
                      {"tensors", s.tensors},     {"native_context_tokens", s.native_context_tokens},
                      {"layers", s.layers},       {"mtp_layers", s.mtp_layers}};
      ojson by_type = ojson::array();
      for (const auto& t : s.types) {
        by_type.push_back({{"type", std::string(name(t.type))}, {"tensors", t.tensors}, {"bytes", t.bytes}});
      }
      doc["tensor_types"] = by_type;
      doc["layer_layout"] = {{"full_attention", s.full_attention},
                             {"sliding_window", s.sliding_window},
                             {"recurrent", s.recurrent},
                             {"mtp", s.mtp},
                             {"sliding_window_tokens", s.sliding_window_tokens}};
      doc["kv_cache_f16_bytes_per_token"] = s.kv_cache_f16_bytes_per_token;
      doc["recurrent_state_f32_bytes_per_sequence"] = s.recurrent_state_f32_bytes_per_sequence;
      doc["notes"] = s.notes;
      doc["llama_cpp_loads"] = s.refusals.empty();
      doc["refusals"] = s.refusals;
      return json_text(doc);
    }
    case Format::csv: {
      std::string out = "type,tensors,bytes\n";
      for (const auto& t : s.types) {
        out += fmt::format("{},{},{}\n", name(t.type), t.tensors, t.bytes);
      }
      return out;
    }
    case Format::github:  // check only; the options reject it elsewhere
    case Format::table:
    case Format::markdown: {
      const char* br = line_break(ctx);
      std::string out;
      out += fmt::format("File: {} ({} part{}, GGUF v{}, {} bytes){}", s.parts.front(), s.parts.size(),
                         s.parts.size() == 1 ? "" : "s", s.gguf_version, with_commas(s.file_bytes), br);
      out += fmt::format("Model: {} ({}), file type {}, {} parameters{}", s.name, s.arch, s.file_type,
                         with_commas(s.parameters), br);
      out += fmt::format("Tensors: {} tensors, {} bytes of data, {} bytes of metadata{}", with_commas(s.tensors),
                         with_commas(s.tensor_bytes), with_commas(s.metadata_bytes), br);
      out += fmt::format("Layers: {}; native context {}{}", s.layout, with_commas(s.native_context_tokens), br);
      out += fmt::format("  full attention: {}{}", ranges(s.full_attention), br);
      if (!s.sliding_window.empty()) {
        out += fmt::format("  sliding window ({} tokens): {}{}", s.sliding_window_tokens, ranges(s.sliding_window), br);
      }
      if (!s.recurrent.empty()) {
        out += fmt::format("  recurrent ({}): {}{}", s.recurrent_name, ranges(s.recurrent), br);
      }
      if (!s.mtp.empty()) {
        out += fmt::format("  MTP (loaded only as a draft: --mtp): {}{}", ranges(s.mtp), br);
      }
      out += fmt::format(
          "KV cache per token (f16, full-attention layers): {} bytes; recurrent state per sequence: {} bytes{}",
          with_commas(s.kv_cache_f16_bytes_per_token), with_commas(s.recurrent_state_f32_bytes_per_sequence), br);
      for (const auto& note : s.notes) {
        out += fmt::format("Note: {}{}", note, br);
      }
      out += "\n";
      TextTable t({{"type", Align::left}, {"tensors"}, {"bytes"}, {"share"}});
      for (const auto& type : s.types) {
        t.add_row({std::string(name(type.type)), std::to_string(type.tensors), with_commas(type.bytes),
                   fmt::format("{:.1f}%", s.tensor_bytes == 0 ? 0.0
                                                              : 100.0 * static_cast<double>(type.bytes) /
                                                                    static_cast<double>(s.tensor_bytes))});
      }
      out += render_table(t, ctx);
      if (!s.refusals.empty()) {
        out += fmt::format("{}llama.cpp will not load this file:{}", br, br);
        for (const auto& reason : s.refusals) {
          out += fmt::format("  - {}{}", reason, br);
        }
      }
      return out;
    }
  }
  return {};
}

}  // namespace vramfit::cli
