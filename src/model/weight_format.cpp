#include "vramfit/model/weight_format.hpp"

#include "detail/text.hpp"

#include "vramfit/support/error.hpp"

#include <algorithm>
#include <array>

namespace vramfit {
namespace {

constexpr std::array k_formats{
    WeightFormat{"HF-BF16", FormatFamily::safetensors, 16, 0, 0, true, 0, false, false, false,
                 "the Hugging Face checkpoint, 16-bit (vLLM, SGLang)",
                 "safetensors stores each tensor in its dtype: 2 bytes per element for BF16/FP16"},
    WeightFormat{"FP8", FormatFamily::safetensors, 8, std::uint64_t{128} * 128, 32, false, 0, false, false, false,
                 "8-bit float weights, one FP32 scale per 128x128 block (vLLM, SGLang)",
                 "quantization_config {quant_method: fp8, fmt: e4m3, weight_block_size: [128, 128]} of the "
                 "publishers' FP8 checkpoints (Qwen3-*-FP8, DeepSeek-V3): weight float8_e4m3 plus weight_scale_inv "
                 "float32 per block; embeddings, lm_head and norms in BF16"},
    WeightFormat{"AWQ-INT4", FormatFamily::safetensors, 4, 128, 20, true, 0, false, false, false,
                 "4-bit AWQ, group 128 with FP16 scales and 4-bit zero points (vLLM, SGLang)",
                 "AutoAWQ awq/modules/linear/gemm.py WQLinear_GEMM: qweight int32 (in, out/8), qzeros int32 "
                 "(in/128, out/8), scales float16 (in/128, out); embeddings and lm_head unquantized"},
    WeightFormat{"GPTQ-INT4", FormatFamily::safetensors, 4, 128, 20, true, 4, false, false, false,
                 "4-bit GPTQ, group 128 with FP16 scales, 4-bit zero points and g_idx (vLLM, SGLang)",
                 "AutoGPTQ / GPTQModel QuantLinear: qweight int32 (in/8, out), qzeros int32 (in/128, out/8), "
                 "scales float16 (in/128, out), g_idx int32 (in); embeddings and lm_head unquantized"},
    WeightFormat{"NVFP4", FormatFamily::safetensors, 4, 16, 8, true, 0, false, false, false,
                 "NVIDIA FP4: 4-bit floats with an FP8 scale per 16 (vLLM, SGLang; Blackwell)",
                 "compressed-tensors nvfp4-pack-quantized (vLLM): weight_packed uint8 (out, in/2), weight_scale "
                 "float8_e4m3 (out, in/16), one float32 global scale; embeddings and lm_head unquantized"},
    WeightFormat{"MXFP4", FormatFamily::safetensors, 4, 32, 8, true, 0, false, true, true,
                 "OCP MX FP4 experts, an E8M0 scale per 32, the rest BF16 (gpt-oss; vLLM, SGLang)",
                 "OCP Microscaling spec (32-element blocks, 8-bit shared exponent); gpt-oss config.json "
                 "quantization_config {quant_method: mxfp4, modules_to_not_convert: attention, router, embedding, "
                 "lm_head}"},
    WeightFormat{"MLX-4bit", FormatFamily::mlx, 4, 64, 32, true, 0, true, false, false,
                 "mlx-lm affine 4-bit, group 64, 16-bit scale and bias per group",
                 "mlx-lm 0.32.0 mlx_lm/utils.py quantize_model (affine: group 64, 4 bits; every Linear, Embedding "
                 "and SwitchLinear whose row divides by the group) and mlx ops.cpp quantize (weight uint32 (out, "
                 "in*bits/32), scales and biases (out, in/group) in the weight's dtype)"},
    WeightFormat{"MLX-8bit", FormatFamily::mlx, 8, 64, 32, true, 0, true, false, false,
                 "mlx-lm affine 8-bit, group 64, 16-bit scale and bias per group",
                 "mlx-lm 0.32.0 mlx_lm/utils.py quantize_model (--q-bits 8, group 64) and mlx ops.cpp quantize"},
};

bool quantizes(const WeightFormat& f, const TensorSpec& t) {
  if (f.bits >= 16) {
    return false;
  }
  const bool lookup_or_output = t.name == "token_embd.weight" || t.name == "output.weight";
  if (lookup_or_output) {
    if (!f.embeddings) {
      return false;
    }
  } else if (!tensor_allows_quantization(t)) {
    return false;
  }
  if (f.experts_only && !is_routed_expert(t.name)) {
    return false;
  }
  return !(f.row_groups && f.group > 0 && t.row_length() % f.group != 0);
}

}  // namespace

std::span<const WeightFormat> weight_formats() noexcept {
  return k_formats;
}

const WeightFormat* find_weight_format(std::string_view id) noexcept {
  const auto it = std::find_if(k_formats.begin(), k_formats.end(),
                               [&](const WeightFormat& f) { return detail::iequals(f.id, id); });
  return it == k_formats.end() ? nullptr : &*it;
}

Bytes format_tensor_bytes(const WeightFormat& format, const TensorSpec& tensor) {
  const Bytes elements = checked_mul(tensor.row_length(), tensor.rows(), "tensor elements");
  if (!quantizes(format, tensor)) {
    return checked_mul(elements, 2, "tensor bytes");
  }
  Bytes bits = checked_mul(elements, format.bits, "tensor bits");
  if (format.group > 0) {
    const Bytes groups = (elements + format.group - 1) / format.group;
    bits = checked_add(bits, checked_mul(groups, format.group_bits, "scale bits"), "tensor bits");
  }
  Bytes bytes = (bits + 7) / 8;
  if (format.column_bytes > 0) {
    const Bytes matrices = tensor.ne[2] * tensor.ne[3];
    bytes = checked_add(bytes, checked_mul(tensor.row_length() * matrices, format.column_bytes, "index bytes"),
                        "tensor bytes");
  }
  return bytes;
}

WeightsBreakdown summarize_format(const std::vector<TensorSpec>& inventory, const WeightFormat& format,
                                  std::uint32_t n_layer) {
  return summarize_tensors(inventory, n_layer,
                           [&](std::size_t i) { return format_tensor_bytes(format, inventory[i]); });
}

}  // namespace vramfit
