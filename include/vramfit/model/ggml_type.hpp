#pragma once

// ggml tensor types: block size and bytes per block, as ggml defines them
// (ggml/src/ggml-common.h static_asserts, ggml/src/ggml.c type_traits).
// Exact integer ratios only: a row of `ne0` elements of a block type takes
// ne0 / block_size * type_size bytes, never a float "bits per weight".

#include "vramfit/support/bytes.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace vramfit {

/// A ggml tensor type. Values are ggml's numeric ids (as stored in GGUF files).
enum class GgmlType : std::uint32_t {
  f32 = 0,
  f16 = 1,
  q4_0 = 2,
  q4_1 = 3,
  q5_0 = 6,
  q5_1 = 7,
  q8_0 = 8,
  q8_1 = 9,
  q2_k = 10,
  q3_k = 11,
  q4_k = 12,
  q5_k = 13,
  q6_k = 14,
  q8_k = 15,
  iq2_xxs = 16,
  iq2_xs = 17,
  iq3_xxs = 18,
  iq1_s = 19,
  iq4_nl = 20,
  iq3_s = 21,
  iq2_s = 22,
  iq4_xs = 23,
  i8 = 24,
  i16 = 25,
  i32 = 26,
  i64 = 27,
  f64 = 28,
  iq1_m = 29,
  bf16 = 30,
  tq1_0 = 34,
  tq2_0 = 35,
  mxfp4 = 39,
  nvfp4 = 40,
  q1_0 = 41,
  q2_0 = 42,
};

/// Static facts about one ggml type.
struct GgmlTypeTraits {
  GgmlType type;
  std::string_view name;     ///< ggml's upper-case name ("Q4_K", "F16")
  std::uint32_t block_size;  ///< elements per block (1 for plain floats and ints)
  std::uint32_t type_size;   ///< bytes per block
};

/// Every type ggml defines and GGUF may store, in id order.
std::span<const GgmlTypeTraits> all_ggml_types() noexcept;

/// Traits of `type`.
const GgmlTypeTraits& traits(GgmlType type) noexcept;

/// ggml's name of `type` ("Q4_K").
std::string_view name(GgmlType type) noexcept;

/// The type with ggml numeric id `id`, if ggml defines one (ids removed from GGUF are rejected).
std::optional<GgmlType> ggml_type_from_id(std::uint32_t id) noexcept;

/// The type named `text`, case-insensitive ("q4_k", "Q8_0", "bf16").
std::optional<GgmlType> ggml_type_from_name(std::string_view text) noexcept;

/// True for block-quantized types (block size > 1).
bool is_quantized(GgmlType type) noexcept;

/// True when a row of `ne0` elements is a whole number of blocks of `type`.
bool row_fits(GgmlType type, std::uint64_t ne0) noexcept;

/// Bytes of one row of `ne0` elements (ggml_row_size). Throws InputError when
/// ne0 is not a multiple of the block size or the size overflows.
Bytes row_bytes(GgmlType type, std::uint64_t ne0);

/// Bytes of a tensor of `rows` rows of `ne0` elements; checked.
Bytes tensor_bytes(GgmlType type, std::uint64_t ne0, std::uint64_t rows);

/// The cache types llama.cpp accepts for --cache-type-k/-v, in its order:
/// f32 f16 bf16 q8_0 q4_0 q4_1 iq4_nl q5_0 q5_1.
std::span<const GgmlType> kv_cache_types() noexcept;

/// The cache type named `text` (llama.cpp's lower-case names, case-insensitive).
std::optional<GgmlType> kv_cache_type_from_name(std::string_view text) noexcept;

/// llama.cpp's lower-case spelling of a cache type ("q8_0").
std::string lower_name(GgmlType type);

}  // namespace vramfit
