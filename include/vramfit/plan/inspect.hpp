#pragma once

// What `vramfit inspect` reports about a GGUF file, computed here so that the
// renderers only format it.

#include "vramfit/input/gguf_model.hpp"
#include "vramfit/model/ggml_type.hpp"
#include "vramfit/support/bytes.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace vramfit {

/// One ggml type's share of a file.
struct TypeShare {
  GgmlType type = GgmlType::f32;
  std::uint64_t tensors = 0;
  Bytes bytes = 0;
};

/// A GGUF file summarized: architecture, tensor types, layer layout, and what
/// a token and a sequence cost.
struct InspectSummary {
  std::vector<std::string> parts;  ///< the part names, in split order
  std::uint32_t gguf_version = 0;
  Bytes file_bytes = 0;      ///< all parts
  Bytes tensor_bytes = 0;    ///< tensor data (no padding)
  Bytes metadata_bytes = 0;  ///< header bytes of all parts
  std::string name;
  std::string arch;
  std::string file_type;  ///< llama.cpp's name, or "unknown"
  std::uint64_t parameters = 0;
  std::uint64_t tensors = 0;
  std::uint64_t native_context_tokens = 0;
  std::uint32_t layers = 0;
  std::uint32_t mtp_layers = 0;
  std::string layout;                         ///< "40 layers: 10 full attention + 30 linear (Gated DeltaNet)"
  std::vector<std::uint32_t> full_attention;  ///< block indices
  std::vector<std::uint32_t> sliding_window;
  std::vector<std::uint32_t> recurrent;
  std::vector<std::uint32_t> mtp;  ///< MTP blocks (not loaded by default)
  std::uint64_t sliding_window_tokens = 0;
  std::string recurrent_name;              ///< "Gated DeltaNet", "Mamba2"
  std::vector<TypeShare> types;            ///< by ggml type id
  Bytes kv_cache_f16_bytes_per_token = 0;  ///< full-attention layers, f16 K and V
  Bytes recurrent_state_f32_bytes_per_sequence = 0;
  std::vector<std::string> notes;
  std::vector<std::string> refusals;  ///< why llama.cpp would not load the file; empty: it would
};

/// The summary of a model file read from its header(s).
InspectSummary summarize_inspect(const GgufModel& model);

}  // namespace vramfit
