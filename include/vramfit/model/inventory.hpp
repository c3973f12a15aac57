#pragma once

// The tensors a GGUF file of a given architecture holds, with their shapes,
// built from hyper-parameters alone. Names and shapes follow what llama.cpp's
// converter writes and its loader accepts (ne0 first, as GGUF stores them).

#include "vramfit/model/ggml_type.hpp"
#include "vramfit/model/model.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vramfit {

/// One tensor of a model file.
struct TensorSpec {
  std::string name;                 ///< GGUF name ("blk.3.attn_v.weight")
  std::array<std::uint64_t, 4> ne;  ///< shape, ne[0] = row length; unused dims are 1
  std::uint32_t n_dims = 1;         ///< dimensions actually used (1..4)
  GgmlType type = GgmlType::f16;    ///< type in the source (F16/BF16 conversion) or in the file read
  std::int32_t layer = -1;          ///< block index parsed from "blk.N.", -1 for global tensors

  /// Elements in one row (ne[0]).
  std::uint64_t row_length() const noexcept { return ne[0]; }
  /// Rows (product of ne[1..3]).
  std::uint64_t rows() const noexcept { return ne[1] * ne[2] * ne[3]; }
};

/// The tensor inventory of `spec`'s architecture, in the order llama.cpp's
/// converter writes it. Throws InputError for an architecture vramfit cannot
/// build from hyper-parameters (the message lists the supported ones).
std::vector<TensorSpec> build_inventory(const ModelSpec& spec);

/// Whether build_inventory can build `spec`: its architecture has a builder and
/// the spec has the parameter blocks (moe, ssm, mla) the architecture needs.
bool can_build_inventory(const ModelSpec& spec) noexcept;

/// Architectures build_inventory knows, by llama.cpp name.
std::vector<std::string_view> supported_architectures();

/// The block index in a tensor name ("blk.12.ffn_down.weight" -> 12), or -1.
std::int32_t layer_of(std::string_view tensor_name) noexcept;

/// Whether a tensor is one of a layer's routed experts (ffn_*_exps): the
/// tensors --n-cpu-moe and -ot exps=CPU keep in host memory.
bool is_routed_expert(std::string_view tensor_name) noexcept;

}  // namespace vramfit
