#pragma once

// From GGUF headers to a model: split parts merged, the architecture's
// hyper-parameters mapped from llama.cpp's metadata keys onto a ModelSpec
// (per-layer arrays included), and the tensors kept with their own types.

#include "vramfit/input/catalog.hpp"
#include "vramfit/input/file_weights.hpp"
#include "vramfit/input/gguf.hpp"
#include "vramfit/model/file_type.hpp"
#include "vramfit/model/inventory.hpp"
#include "vramfit/model/model.hpp"

#include <optional>
#include <string>
#include <vector>

namespace vramfit {

/// A model file read from its header(s).
struct GgufModel {
  CatalogModel model;                 ///< the architecture as a catalog entry (source: the file)
  std::vector<TensorSpec> tensors;    ///< every tensor of every part, typed as stored
  std::vector<std::string> parts;     ///< the part names, in split order
  Bytes file_bytes = 0;               ///< all parts together
  Bytes metadata_bytes = 0;           ///< header bytes of all parts (file minus tensor data)
  std::optional<FileType> file_type;  ///< general.file_type, when it is a llama.cpp file type
  std::uint32_t version = 0;
  std::vector<std::string> notes;  ///< assumptions made where the metadata was silent
  /// Why llama.cpp would refuse to load the file (llama_load_refusals); empty: it would load.
  std::vector<std::string> refusals;
};

/// Merges the parts of a (possibly split) file, given in any order, and maps
/// the metadata. Throws InputError naming the file for missing or inconsistent
/// parts and for metadata that cannot describe a model.
GgufModel gguf_model(std::vector<GgufFile> parts);

/// The ModelSpec described by a GGUF header's metadata and tensor names.
/// `notes` receives the assumptions made (for example a layer layout the
/// metadata does not state). Throws InputError naming the missing key.
ModelSpec spec_from_gguf(const GgufFile& header, const std::vector<TensorSpec>& tensors,
                         std::vector<std::string>& notes);

/// The file's weights for a fit: its tensors as stored, its size, its file type;
/// `path` names it in outputs and command lines.
FileWeights file_weights(const GgufModel& model, const std::string& path);

/// Tensor specs (name, shape, stored type) of a header's tensor infos.
std::vector<TensorSpec> tensors_of(const GgufFile& header);

}  // namespace vramfit
