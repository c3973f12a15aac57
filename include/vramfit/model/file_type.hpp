#pragma once

// llama.cpp file types (enum llama_ftype in include/llama.h): the recipe
// names users pass to llama-quantize ("Q4_K_M") and the ggml type each one
// uses by default (llama_ftype_get_default_type in src/llama-quant.cpp).

#include "vramfit/model/ggml_type.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace vramfit {

/// A llama.cpp file type; values are llama_ftype ids as stored in general.file_type.
enum class FileType : std::uint32_t {
  all_f32 = 0,
  f16 = 1,
  q4_0 = 2,
  q4_1 = 3,
  q8_0 = 7,
  q5_0 = 8,
  q5_1 = 9,
  q2_k = 10,
  q3_k_s = 11,
  q3_k_m = 12,
  q3_k_l = 13,
  q4_k_s = 14,
  q4_k_m = 15,
  q5_k_s = 16,
  q5_k_m = 17,
  q6_k = 18,
  iq2_xxs = 19,
  iq2_xs = 20,
  q2_k_s = 21,
  iq3_xs = 22,
  iq3_xxs = 23,
  iq1_s = 24,
  iq4_nl = 25,
  iq3_s = 26,
  iq3_m = 27,
  iq2_s = 28,
  iq2_m = 29,
  iq4_xs = 30,
  iq1_m = 31,
  bf16 = 32,
  tq1_0 = 36,
  tq2_0 = 37,
  mxfp4_moe = 38,
  nvfp4 = 39,
  q1_0 = 40,
  q2_0 = 41,
};

/// Static facts about one file type.
struct FileTypeTraits {
  FileType type;
  std::string_view name;  ///< llama-quantize's name ("Q4_K_M", "MXFP4_MOE", "F16")
  GgmlType default_type;  ///< the ggml type most tensors get
};

/// Every file type llama.cpp can write, in id order.
std::span<const FileTypeTraits> all_file_types() noexcept;

/// Traits of `type`.
const FileTypeTraits& traits(FileType type) noexcept;

/// llama-quantize's name of `type`.
std::string_view name(FileType type) noexcept;

/// The file type named `text`, case-insensitive; "MXFP4" is accepted for MXFP4_MOE.
std::optional<FileType> file_type_from_name(std::string_view text) noexcept;

/// The file type with llama_ftype id `id` (the GGUF general.file_type value).
std::optional<FileType> file_type_from_id(std::uint32_t id) noexcept;

}  // namespace vramfit
