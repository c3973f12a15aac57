#pragma once

// The weights of a real model file, as its header states them.

#include "vramfit/model/file_type.hpp"
#include "vramfit/model/inventory.hpp"
#include "vramfit/support/bytes.hpp"

#include <optional>
#include <string>
#include <vector>

namespace vramfit {

/// The weights of one real model file (a GGUF header read from disk): its own
/// tensor types replace the quantization list.
struct FileWeights {
  std::string label;                  ///< file type name ("Q4_K_M") or "file"
  std::string path;                   ///< the file (first part of a split file)
  std::vector<TensorSpec> tensors;    ///< every tensor, typed as stored
  Bytes file_bytes = 0;               ///< the file's size (all parts)
  std::optional<FileType> file_type;  ///< general.file_type, when it names a llama.cpp file type
};

}  // namespace vramfit
