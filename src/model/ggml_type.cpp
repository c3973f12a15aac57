#include "vramfit/model/ggml_type.hpp"

#include "detail/text.hpp"

#include "vramfit/support/error.hpp"

#include <array>
#include <string>

namespace vramfit {
namespace {

using detail::iequals;

// Source: ggml/src/ggml-common.h and ggml.c type_traits (see data/README.md).
constexpr std::array k_types{
    GgmlTypeTraits{GgmlType::f32, "F32", 1, 4},
    GgmlTypeTraits{GgmlType::f16, "F16", 1, 2},
    GgmlTypeTraits{GgmlType::q4_0, "Q4_0", 32, 18},
    GgmlTypeTraits{GgmlType::q4_1, "Q4_1", 32, 20},
    GgmlTypeTraits{GgmlType::q5_0, "Q5_0", 32, 22},
    GgmlTypeTraits{GgmlType::q5_1, "Q5_1", 32, 24},
    GgmlTypeTraits{GgmlType::q8_0, "Q8_0", 32, 34},
    GgmlTypeTraits{GgmlType::q8_1, "Q8_1", 32, 36},
    GgmlTypeTraits{GgmlType::q2_k, "Q2_K", 256, 84},
    GgmlTypeTraits{GgmlType::q3_k, "Q3_K", 256, 110},
    GgmlTypeTraits{GgmlType::q4_k, "Q4_K", 256, 144},
    GgmlTypeTraits{GgmlType::q5_k, "Q5_K", 256, 176},
    GgmlTypeTraits{GgmlType::q6_k, "Q6_K", 256, 210},
    GgmlTypeTraits{GgmlType::q8_k, "Q8_K", 256, 292},
    GgmlTypeTraits{GgmlType::iq2_xxs, "IQ2_XXS", 256, 66},
    GgmlTypeTraits{GgmlType::iq2_xs, "IQ2_XS", 256, 74},
    GgmlTypeTraits{GgmlType::iq3_xxs, "IQ3_XXS", 256, 98},
    GgmlTypeTraits{GgmlType::iq1_s, "IQ1_S", 256, 50},
    GgmlTypeTraits{GgmlType::iq4_nl, "IQ4_NL", 32, 18},
    GgmlTypeTraits{GgmlType::iq3_s, "IQ3_S", 256, 110},
    GgmlTypeTraits{GgmlType::iq2_s, "IQ2_S", 256, 82},
    GgmlTypeTraits{GgmlType::iq4_xs, "IQ4_XS", 256, 136},
    GgmlTypeTraits{GgmlType::i8, "I8", 1, 1},
    GgmlTypeTraits{GgmlType::i16, "I16", 1, 2},
    GgmlTypeTraits{GgmlType::i32, "I32", 1, 4},
    GgmlTypeTraits{GgmlType::i64, "I64", 1, 8},
    GgmlTypeTraits{GgmlType::f64, "F64", 1, 8},
    GgmlTypeTraits{GgmlType::iq1_m, "IQ1_M", 256, 56},
    GgmlTypeTraits{GgmlType::bf16, "BF16", 1, 2},
    GgmlTypeTraits{GgmlType::tq1_0, "TQ1_0", 256, 54},
    GgmlTypeTraits{GgmlType::tq2_0, "TQ2_0", 256, 66},
    GgmlTypeTraits{GgmlType::mxfp4, "MXFP4", 32, 17},
    GgmlTypeTraits{GgmlType::nvfp4, "NVFP4", 64, 36},
    GgmlTypeTraits{GgmlType::q1_0, "Q1_0", 128, 18},
    GgmlTypeTraits{GgmlType::q2_0, "Q2_0", 64, 18},
};

// llama.cpp common/arg.cpp kv_cache_types, in its order.
constexpr std::array k_cache_types{GgmlType::f32,  GgmlType::f16,    GgmlType::bf16, GgmlType::q8_0, GgmlType::q4_0,
                                   GgmlType::q4_1, GgmlType::iq4_nl, GgmlType::q5_0, GgmlType::q5_1};

}  // namespace

std::span<const GgmlTypeTraits> all_ggml_types() noexcept {
  return k_types;
}

const GgmlTypeTraits& traits(GgmlType type) noexcept {
  for (const auto& t : k_types) {
    if (t.type == type) {
      return t;
    }
  }
  return k_types[0];  // unreachable for valid enum values
}

std::string_view name(GgmlType type) noexcept {
  return traits(type).name;
}

std::optional<GgmlType> ggml_type_from_id(std::uint32_t id) noexcept {
  for (const auto& t : k_types) {
    if (static_cast<std::uint32_t>(t.type) == id) {
      return t.type;
    }
  }
  return std::nullopt;
}

std::optional<GgmlType> ggml_type_from_name(std::string_view text) noexcept {
  for (const auto& t : k_types) {
    if (iequals(t.name, text)) {
      return t.type;
    }
  }
  return std::nullopt;
}

bool is_quantized(GgmlType type) noexcept {
  return traits(type).block_size > 1;
}

bool row_fits(GgmlType type, std::uint64_t ne0) noexcept {
  return ne0 % traits(type).block_size == 0;
}

Bytes row_bytes(GgmlType type, std::uint64_t ne0) {
  const auto& t = traits(type);
  if (ne0 % t.block_size != 0) {
    throw InputError("a row of " + std::to_string(ne0) + " elements is not a whole number of " + std::string(t.name) +
                     " blocks of " + std::to_string(t.block_size));
  }
  return checked_mul(ne0 / t.block_size, t.type_size, "row size");
}

Bytes tensor_bytes(GgmlType type, std::uint64_t ne0, std::uint64_t rows) {
  return checked_mul(row_bytes(type, ne0), rows, "tensor size");
}

std::span<const GgmlType> kv_cache_types() noexcept {
  return k_cache_types;
}

std::optional<GgmlType> kv_cache_type_from_name(std::string_view text) noexcept {
  for (const auto type : k_cache_types) {
    if (iequals(name(type), text)) {
      return type;
    }
  }
  return std::nullopt;
}

std::string lower_name(GgmlType type) {
  std::string out(name(type));
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace vramfit
