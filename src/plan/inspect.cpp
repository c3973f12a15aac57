#include "vramfit/plan/inspect.hpp"

#include "vramfit/memory/kv_cache.hpp"
#include "vramfit/model/quantize.hpp"

namespace vramfit {

InspectSummary summarize_inspect(const GgufModel& g) {
  const auto& s = g.model.spec;
  std::vector<GgmlType> types;
  types.reserve(g.tensors.size());
  for (const auto& t : g.tensors) {
    types.push_back(t.type);
  }
  const auto w = summarize_weights(g.tensors, types, s.n_layer);
  InspectSummary out;
  out.refusals = g.refusals;
  out.parts = g.parts;
  out.gguf_version = g.version;
  out.file_bytes = g.file_bytes;
  out.tensor_bytes = w.total_bytes;
  out.metadata_bytes = g.metadata_bytes;
  out.name = s.name;
  out.arch = s.arch;
  out.file_type = g.file_type ? std::string(name(*g.file_type)) : std::string("unknown");
  out.parameters = w.n_elements;
  out.tensors = w.n_tensors;
  out.native_context_tokens = s.n_ctx_train;
  out.layers = s.n_layer;
  out.mtp_layers = s.n_layer_nextn;
  out.layout = describe_layers(s);
  for (std::uint32_t il = 0; il < s.n_layer; ++il) {
    switch (s.kind(il)) {
      case LayerKind::attention:
        out.full_attention.push_back(il);
        break;
      case LayerKind::sliding_attention:
        out.sliding_window.push_back(il);
        break;
      case LayerKind::recurrent:
        out.recurrent.push_back(il);
        break;
    }
  }
  for (std::uint32_t il = s.n_layer; il < s.n_layer_all(); ++il) {
    out.mtp.push_back(il);
  }
  out.sliding_window_tokens = s.n_swa;
  out.recurrent_name = recurrent_layer_name(s);
  for (const auto& [type, bytes] : w.bytes_by_type) {
    out.types.push_back({type, w.count_by_type.at(type), bytes});
  }
  // One 256-cell context at llama.cpp's defaults: the cache per token and the state per sequence.
  RunSettings one;
  one.context_tokens = 256;
  out.kv_cache_f16_bytes_per_token = kv_cache_size(s, one).full_bytes / 256;
  out.recurrent_state_f32_bytes_per_sequence = recurrent_state_size(s, one).total_bytes();
  out.notes = g.notes;
  return out;
}

}  // namespace vramfit
