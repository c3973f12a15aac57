#pragma once

// Files vramfit can read but llama.cpp would refuse to load: the checks
// llama.cpp's GGUF reader and model loader make that a header shows
// (ggml/src/gguf.cpp; src/llama-model-loader.cpp get_key / get_key_or_arr /
// check_tensor_dims; src/llama-vocab.cpp), against the file's own metadata
// and, for architectures vramfit builds, the tensors llama.cpp creates.

#include "vramfit/input/gguf.hpp"
#include "vramfit/model/inventory.hpp"
#include "vramfit/model/model.hpp"

#include <string>
#include <vector>

namespace vramfit {

/// Why llama.cpp would not load the file whose first (or only) part is
/// `header`, with `tensors` from every part and `spec` read from it; most
/// fundamental first, at most `limit` reasons; empty when the header shows
/// none. Reasons quote file content unescaped (print them with printable()).
std::vector<std::string> llama_load_refusals(const GgufFile& header, const std::vector<TensorSpec>& tensors,
                                             const ModelSpec& spec, std::size_t limit = 8);

}  // namespace vramfit
