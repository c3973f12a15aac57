#pragma once

// The catalog: models (architecture hyper-parameters and published files),
// quantizations and GPUs. The embedded catalog (data/*.json) is compiled into
// the library; user catalogs are merged over it, an entry replacing the one
// with the same id. The library parses text; reading files is the caller's job.

#include "vramfit/memory/device.hpp"
#include "vramfit/model/file_type.hpp"
#include "vramfit/model/model.hpp"
#include "vramfit/support/bytes.hpp"

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vramfit {

/// One catalog document: where it came from (a path, or data/x.json for the
/// embedded files) and its JSON text.
struct CatalogText {
  std::string origin;
  std::string_view text;
};

/// A real GGUF file someone published, by its exact size.
struct PublishedFile {
  std::string quant;   ///< quant id ("Q4_K_M", "UD-Q4_K_XL")
  Bytes bytes = 0;     ///< exact size; for split files the sum of the parts
  std::string repo;    ///< Hugging Face repository
  std::string file;    ///< file name
  std::string source;  ///< where the size was read
};

/// A catalog model: its architecture plus what the catalog knows about it.
struct CatalogModel {
  ModelSpec spec;
  std::vector<std::string> aliases;
  std::string hf_repo;
  std::string params;                                        ///< parameter count as published ("35B total, 3B active")
  std::string source;                                        ///< where the hyper-parameters come from
  std::vector<std::pair<std::string, std::string>> sources;  ///< per topic (config, files, aliases): where from
  std::string notes;
  std::string origin;  ///< catalog file that defined the entry
  std::vector<PublishedFile> files;
  std::vector<PublishedFile> projectors;  ///< published vision projector (mmproj) files, the usual one first
  /// MTP (nextn) blocks the checkpoint has but the catalog's files leave out
  /// (spec.n_layer_nextn counts those a file carries): what `--mtp` adds.
  std::uint32_t mtp_layers = 0;

  /// The published file for `quant`, if the catalog has one.
  const PublishedFile* published(std::string_view quant) const;
};

/// recipe: a llama.cpp file type vramfit predicts, tensor by tensor;
/// published: a family known by its files only (Unsloth UD-*); format: a
/// non-GGUF checkpoint format (model/weight_format.hpp).
enum class QuantKind : std::uint8_t { recipe, published, format };

/// A quantization the catalog knows.
struct QuantSpec {
  std::string id;  ///< "Q4_K_M", "UD-Q4_K_XL"
  QuantKind kind = QuantKind::recipe;
  std::optional<FileType> file_type;  ///< recipe quants: the llama.cpp file type
  std::string nearest;                ///< published quants: the recipe whose token_embd type it is assumed to share
  bool moe_only = false;              ///< only meaningful for MoE models (MXFP4_MOE)
  bool imatrix = false;               ///< predicted as quantized with an importance matrix
  bool listed = true;                 ///< part of the default table
  std::string description;
  std::string source;
  std::string origin;
};

/// The merged catalog.
struct Catalog {
  std::vector<CatalogModel> models;
  std::vector<QuantSpec> quants;
  std::vector<GpuSpec> gpus;
  std::string version;               ///< catalog_version of the embedded catalog
  std::vector<std::string> origins;  ///< every document merged, in order

  /// The model with id, alias or a punctuation/case variant `query`; throws
  /// UsageError with a "did you mean" when there is none.
  const CatalogModel& find_model(std::string_view query) const;
  /// The GPU with id or alias `query` ("RTX 3090", "rtx-3090", "3090"); throws UsageError.
  const GpuSpec& find_gpu(std::string_view query) const;
  /// The quant named `query`, case-insensitive; throws UsageError.
  const QuantSpec& find_quant(std::string_view query) const;
};

/// Parses and merges catalog documents; later documents replace earlier
/// entries with the same id. Every problem is collected and reported at once
/// (InputErrors), each as "<origin>: <JSON pointer>: <what>".
Catalog load_catalog(std::span<const CatalogText> texts);

/// The catalog compiled into the binary.
std::span<const CatalogText> embedded_catalog_texts();

namespace detail {
/// Defined in the generated embedded_catalog.cpp.
std::vector<CatalogText> embedded_catalog_texts();
}  // namespace detail

}  // namespace vramfit
