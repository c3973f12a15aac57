#include "vramfit/model/file_type.hpp"

#include "detail/text.hpp"

#include <array>

namespace vramfit {
namespace {

using detail::iequals;

using G = GgmlType;
using F = FileType;

// Default types: llama_ftype_get_default_type (src/llama-quant.cpp).
constexpr std::array k_file_types{
    FileTypeTraits{F::all_f32, "F32", G::f32},
    FileTypeTraits{F::f16, "F16", G::f16},
    FileTypeTraits{F::q4_0, "Q4_0", G::q4_0},
    FileTypeTraits{F::q4_1, "Q4_1", G::q4_1},
    FileTypeTraits{F::q8_0, "Q8_0", G::q8_0},
    FileTypeTraits{F::q5_0, "Q5_0", G::q5_0},
    FileTypeTraits{F::q5_1, "Q5_1", G::q5_1},
    FileTypeTraits{F::q2_k, "Q2_K", G::q2_k},
    FileTypeTraits{F::q3_k_s, "Q3_K_S", G::q3_k},
    FileTypeTraits{F::q3_k_m, "Q3_K_M", G::q3_k},
    FileTypeTraits{F::q3_k_l, "Q3_K_L", G::q3_k},
    FileTypeTraits{F::q4_k_s, "Q4_K_S", G::q4_k},
    FileTypeTraits{F::q4_k_m, "Q4_K_M", G::q4_k},
    FileTypeTraits{F::q5_k_s, "Q5_K_S", G::q5_k},
    FileTypeTraits{F::q5_k_m, "Q5_K_M", G::q5_k},
    FileTypeTraits{F::q6_k, "Q6_K", G::q6_k},
    FileTypeTraits{F::iq2_xxs, "IQ2_XXS", G::iq2_xxs},
    FileTypeTraits{F::iq2_xs, "IQ2_XS", G::iq2_xs},
    FileTypeTraits{F::q2_k_s, "Q2_K_S", G::q2_k},
    FileTypeTraits{F::iq3_xs, "IQ3_XS", G::iq3_s},
    FileTypeTraits{F::iq3_xxs, "IQ3_XXS", G::iq3_xxs},
    FileTypeTraits{F::iq1_s, "IQ1_S", G::iq1_s},
    FileTypeTraits{F::iq4_nl, "IQ4_NL", G::iq4_nl},
    FileTypeTraits{F::iq3_s, "IQ3_S", G::iq3_s},
    FileTypeTraits{F::iq3_m, "IQ3_M", G::iq3_s},
    FileTypeTraits{F::iq2_s, "IQ2_S", G::iq2_xs},
    FileTypeTraits{F::iq2_m, "IQ2_M", G::iq2_s},
    FileTypeTraits{F::iq4_xs, "IQ4_XS", G::iq4_xs},
    FileTypeTraits{F::iq1_m, "IQ1_M", G::iq1_m},
    FileTypeTraits{F::bf16, "BF16", G::bf16},
    FileTypeTraits{F::tq1_0, "TQ1_0", G::tq1_0},
    FileTypeTraits{F::tq2_0, "TQ2_0", G::tq2_0},
    FileTypeTraits{F::mxfp4_moe, "MXFP4_MOE", G::mxfp4},
    FileTypeTraits{F::nvfp4, "NVFP4", G::nvfp4},
    FileTypeTraits{F::q1_0, "Q1_0", G::q1_0},
    FileTypeTraits{F::q2_0, "Q2_0", G::q2_0},
};

}  // namespace

std::span<const FileTypeTraits> all_file_types() noexcept {
  return k_file_types;
}

const FileTypeTraits& traits(FileType type) noexcept {
  for (const auto& t : k_file_types) {
    if (t.type == type) {
      return t;
    }
  }
  return k_file_types[0];
}

std::string_view name(FileType type) noexcept {
  return traits(type).name;
}

std::optional<FileType> file_type_from_name(std::string_view text) noexcept {
  if (iequals(text, "MXFP4")) {
    return FileType::mxfp4_moe;
  }
  for (const auto& t : k_file_types) {
    if (iequals(t.name, text)) {
      return t.type;
    }
  }
  return std::nullopt;
}

std::optional<FileType> file_type_from_id(std::uint32_t id) noexcept {
  for (const auto& t : k_file_types) {
    if (static_cast<std::uint32_t>(t.type) == id) {
      return t.type;
    }
  }
  return std::nullopt;
}

}  // namespace vramfit
