#pragma once

// Which ggml type each tensor gets when llama-quantize writes a file type, and
// what the tensors then weigh. The rules are llama.cpp's (src/llama-quant.cpp:
// tensor_allows_quantization, llama_tensor_get_type_impl, tensor_type_fallback),
// restated here so a prediction needs no model file.

#include "vramfit/model/file_type.hpp"
#include "vramfit/model/ggml_type.hpp"
#include "vramfit/model/inventory.hpp"
#include "vramfit/model/model.hpp"
#include "vramfit/support/bytes.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <vector>

namespace vramfit {

/// Options of a quantization run that change tensor types.
struct QuantOptions {
  /// An importance matrix was used. It changes a few choices (IQ3_XXS attn_v,
  /// IQ4 ffn_down, Q4_0/Q5_0 ffn_down); the IQ1/IQ2 file types require one.
  bool imatrix = false;
};

/// The default QuantOptions for `ftype`: an imatrix for the file types llama-quantize refuses without one.
QuantOptions default_options(FileType ftype) noexcept;

/// True when llama-quantize would quantize this tensor at all (2-D or 3-D
/// weights that are not norms, routers or SSM convolutions).
bool tensor_allows_quantization(const TensorSpec& tensor) noexcept;

/// The type each tensor of `inventory` gets for `ftype`, index-aligned with
/// `inventory`. Tensors are visited in llama.cpp's order (by block, then name),
/// which fixes the counters behind the "more bits" layer pattern. Throws
/// InputError when a tensor has no valid type (no fallback for its row length).
std::vector<GgmlType> recipe_types(const std::vector<TensorSpec>& inventory, const ModelSpec& spec, FileType ftype,
                                   QuantOptions options);

/// Tensor bytes of a typed inventory, and how they split.
struct WeightsBreakdown {
  Bytes total_bytes = 0;       ///< sum of every tensor's bytes (no alignment padding)
  Bytes token_embd_bytes = 0;  ///< token_embd.weight: llama.cpp keeps it in host memory
  Bytes output_bytes = 0;      ///< output.weight, or token_embd again when tied (it is duplicated on the GPU)
  bool tied_output = false;    ///< no output.weight: llama.cpp loads token_embd a second time as the output
  Bytes mtp_bytes = 0;         ///< tensors of MTP (NextN) blocks: in the file, skipped when llama.cpp loads the model
  std::uint64_t n_tensors = 0;
  std::uint64_t n_elements = 0;  ///< parameters
  /// Parameters every token multiplies in the main blocks and the output matrix
  /// (2-D tensors but token_embd, a lookup; routed experts apart): what
  /// prompt processing computes, 2 FLOPs each per token.
  std::uint64_t matmul_elements = 0;
  std::uint64_t expert_elements = 0;  ///< routed-expert parameters of the main blocks (n_expert_used of n_expert run)
  std::map<GgmlType, Bytes> bytes_by_type;          ///< bytes per ggml type
  std::map<GgmlType, std::uint64_t> count_by_type;  ///< tensors per ggml type
  std::vector<Bytes> layer_bytes;                   ///< per main block: all its tensors
  std::vector<Bytes> layer_expert_bytes;            ///< per main block: its routed-expert tensors (*_exps)
  Bytes output_layer_bytes = 0;  ///< global tensors but token_embd (output, output_norm, ...), tied copy included

  /// Bytes llama.cpp puts on the GPU at full offload: everything but token_embd
  /// and the MTP blocks, plus the duplicated output matrix of a tied model.
  Bytes device_bytes() const;
};

/// Sums `inventory` with each tensor's bytes from `bytes_of(index)`, split
/// as WeightsBreakdown splits them; `types` (optional, index-aligned) fills the
/// per-type sums. Tensors of blocks at or beyond `n_layer` count as MTP blocks.
WeightsBreakdown summarize_tensors(const std::vector<TensorSpec>& inventory, std::uint32_t n_layer,
                                   const std::function<Bytes(std::size_t)>& bytes_of,
                                   const std::vector<GgmlType>* types = nullptr);

/// Sums `inventory` typed by `types` (index-aligned); tensors of blocks at or
/// beyond `n_layer` count as MTP blocks. Checked arithmetic.
WeightsBreakdown summarize_weights(const std::vector<TensorSpec>& inventory, const std::vector<GgmlType>& types,
                                   std::uint32_t n_layer);

/// Tensor data bytes in a GGUF file: each tensor padded to the 32-byte alignment.
Bytes gguf_tensor_data_bytes(const std::vector<TensorSpec>& inventory, const std::vector<GgmlType>& types);

}  // namespace vramfit
