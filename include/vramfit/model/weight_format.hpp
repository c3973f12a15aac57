#pragma once

// Checkpoint formats that engines other than llama.cpp load (Hugging Face
// safetensors for vLLM and SGLang, mlx-lm's for MLX): how a linear layer's
// weight is stored, and which tensors stay in 16 bits. One table; a format is
// one entry. The byte rules are the layouts the quantizers write (see each
// entry's source); publishers' choices of which layers to skip vary, so the
// sizes are estimates.

#include "vramfit/model/inventory.hpp"
#include "vramfit/model/quantize.hpp"
#include "vramfit/support/bytes.hpp"

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace vramfit {

/// Who loads a format.
enum class FormatFamily : std::uint8_t {
  safetensors,  ///< vLLM, SGLang (Hugging Face checkpoints)
  mlx,          ///< mlx-lm on Apple silicon
};

struct WeightFormat {
  std::string_view id;  ///< "AWQ-INT4", the --quant name
  FormatFamily family = FormatFamily::safetensors;
  std::uint32_t bits = 16;         ///< bits per quantized element
  std::uint64_t group = 0;         ///< elements sharing one scale (0: none)
  std::uint32_t group_bits = 0;    ///< bits each group adds (scales, zero points, biases)
  bool row_groups = true;          ///< groups run along a row: a row length not divisible stays 16-bit
  std::uint32_t column_bytes = 0;  ///< bytes per input column of each matrix (GPTQ's g_idx)
  bool embeddings = false;         ///< token_embd and the output matrix are quantized too (mlx-lm)
  bool experts_only = false;       ///< only routed experts are quantized (gpt-oss's MXFP4)
  bool moe_only = false;           ///< meaningful for mixture-of-experts models only
  std::string_view description;
  std::string_view source;
};

/// Every format, in the order listings show them.
std::span<const WeightFormat> weight_formats() noexcept;

/// The format named `id` (case-insensitive), or null.
const WeightFormat* find_weight_format(std::string_view id) noexcept;

/// Bytes of one tensor in `format`: quantized when the format quantizes it
/// (a linear layer's weight: 2-D or 3-D, not a norm, router or SSM
/// convolution, within the format's scope), else 16-bit.
Bytes format_tensor_bytes(const WeightFormat& format, const TensorSpec& tensor);

/// The inventory's weights in `format`, split as WeightsBreakdown splits them.
WeightsBreakdown summarize_format(const std::vector<TensorSpec>& inventory, const WeightFormat& format,
                                  std::uint32_t n_layer);

}  // namespace vramfit
