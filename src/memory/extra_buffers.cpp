#include "vramfit/memory/extra_buffers.hpp"

#include "detail/text.hpp"

#include <array>

namespace vramfit {
namespace {

constexpr Bytes k_alignment = 32;  // TENSOR_ALIGNMENT of the CPU and extra buffer types

Bytes pad(Bytes n) {
  return (n + k_alignment - 1) / k_alignment * k_alignment;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// How the loader tests a weight (llm_tensor_info_for): GET_ROWS for the
// embeddings, MUL_MAT_ID for experts, MUL_MAT for the other matrices.
enum class Op { get_rows, mul_mat, mul_mat_id, other };

Op op_of(const TensorSpec& t) {
  const std::string_view n = t.name;
  if (n == "token_embd.weight" || n == "per_layer_token_embd.weight" || n == "position_embd.weight" ||
      n == "token_types.weight") {
    return Op::get_rows;
  }
  if (!ends_with(n, ".weight") || t.n_dims < 2 || n.find("_norm") != std::string_view::npos ||
      n.find("ssm_conv1d") != std::string_view::npos) {
    return Op::other;
  }
  return is_routed_expert(n) ? Op::mul_mat_id : Op::mul_mat;
}

// AMX (amx/amx.cpp supports_op, amx/mmq.cpp get_row_size): the K alignment a
// type needs, and its bytes per block in the packed layout; 0: no AMX kernel.
struct AmxType {
  std::uint64_t k_multiple;
  Bytes block_bytes;  // 0: stored as is (F16)
};

std::optional<AmxType> amx_type(GgmlType t) {
  switch (t) {
    case GgmlType::q4_0:
      return AmxType{32, 18};
    case GgmlType::q4_1:
      return AmxType{32, 20};
    case GgmlType::q8_0:
      return AmxType{32, 38};  // 34 + an int32 compensation per block
    case GgmlType::q4_k:
      return AmxType{256, 148};
    case GgmlType::q5_k:
      return AmxType{256, 180};
    case GgmlType::q6_k:
      return AmxType{256, 210};
    case GgmlType::iq4_xs:
      return AmxType{256, 138};
    case GgmlType::f16:
      return AmxType{16, 0};
    default:
      return std::nullopt;
  }
}

// CPU_REPACK (repack.cpp ggml_repack_get_optimal_repack_type): the rows a
// type's interleaved layout needs per class; 0: not repacked.
std::uint64_t repack_rows(CpuClass cpu, GgmlType t) {
  switch (cpu) {
    case CpuClass::none:
      return 0;
    case CpuClass::avx2:
    case CpuClass::avx512:
    case CpuClass::amx: {
      const bool avx512 = cpu != CpuClass::avx2;
      switch (t) {
        case GgmlType::q4_0:
        case GgmlType::q4_k:
        case GgmlType::iq4_nl:
        case GgmlType::mxfp4:
          return 8;
        case GgmlType::q2_k:
          return avx512 ? 8 : 0;
        default:
          return 0;
      }
    }
    case CpuClass::arm64:
      switch (t) {
        case GgmlType::q4_0:
        case GgmlType::q8_0:
        case GgmlType::iq4_nl:
        case GgmlType::mxfp4:
        case GgmlType::q1_0:
          return 4;
        case GgmlType::q4_k:
        case GgmlType::q5_k:
        case GgmlType::q6_k:
          return 8;
        default:
          return 0;
      }
  }
  return 0;
}

std::optional<Bytes> amx_alloc(const TensorSpec& t, GgmlType type, Op op) {
  const auto at = amx_type(type);
  const std::uint64_t k = t.ne[0];
  const std::uint64_t n = t.ne[1];
  if (op != Op::mul_mat || !at || n % 32 != 0 || k % at->k_multiple != 0) {
    return std::nullopt;
  }
  if (at->block_bytes == 0) {
    return pad(tensor_bytes(type, k, t.rows()));
  }
  // get_alloc_size reads ne[0] and ne[1] only: a 3-D weight gets one slice's worth.
  const Bytes row = checked_mul(k / traits(type).block_size, at->block_bytes, "AMX row");
  return pad(checked_mul(n, row, "AMX buffer"));
}

}  // namespace

std::string_view name(CpuClass cpu) noexcept {
  switch (cpu) {
    case CpuClass::none:
      return "none";
    case CpuClass::avx2:
      return "avx2";
    case CpuClass::avx512:
      return "avx512";
    case CpuClass::amx:
      return "amx";
    case CpuClass::arm64:
      return "arm64";
  }
  return "none";
}

std::optional<CpuClass> cpu_class_from_name(std::string_view text) noexcept {
  const auto t = detail::to_lower(text);
  if (t == "none" || t == "off" || t == "x86-64" || t == "x86_64" || t == "generic") {
    return CpuClass::none;
  }
  if (t == "avx2") {
    return CpuClass::avx2;
  }
  if (t == "avx512" || t == "avx-512") {
    return CpuClass::avx512;
  }
  if (t == "amx") {
    return CpuClass::amx;
  }
  if (t == "arm64" || t == "aarch64" || t == "apple" || t == "neon") {
    return CpuClass::arm64;
  }
  return std::nullopt;
}

std::span<const CpuClass> cpu_classes() noexcept {
  static constexpr std::array k_classes{CpuClass::none, CpuClass::avx2, CpuClass::avx512, CpuClass::amx,
                                        CpuClass::arm64};
  return k_classes;
}

std::string_view name(ExtraBuffer buffer) noexcept {
  switch (buffer) {
    case ExtraBuffer::none:
      return "CPU";
    case ExtraBuffer::amx:
      return "AMX";
    case ExtraBuffer::repack:
      return "CPU_REPACK";
  }
  return "CPU";
}

ExtraPlacement extra_buffer_for(CpuClass cpu, const TensorSpec& t, GgmlType type) {
  if (cpu == CpuClass::none) {
    return {};
  }
  const Op op = op_of(t);
  if (cpu == CpuClass::amx) {
    if (const auto bytes = amx_alloc(t, type, op)) {
      return {ExtraBuffer::amx, *bytes};
    }
  }
  const auto rows = repack_rows(cpu, type);
  const bool shape = (op == Op::mul_mat && t.n_dims == 2) || (op == Op::mul_mat_id && t.n_dims == 3);
  if (rows == 0 || !shape || t.ne[1] % rows != 0 || t.ne[0] % 8 != 0) {
    return {};
  }
  return {ExtraBuffer::repack, pad(tensor_bytes(type, t.ne[0], t.rows()))};
}

std::optional<std::string_view> extra_buffer_abort(CpuClass cpu, const TensorSpec& t, GgmlType type, bool flash_attn) {
  if (cpu != CpuClass::amx || t.n_dims != 3 || !amx_alloc(t, type, op_of(t))) {
    return std::nullopt;
  }
  const std::string_view n = t.name;
  if (n.find("attn_k_b") != std::string_view::npos) {
    return "AMX takes the MLA attn_k_b weights, then cannot multiply them by the permuted queries";
  }
  if (n.find("attn_v_b") != std::string_view::npos && flash_attn) {
    return "AMX takes the MLA attn_v_b weights, then cannot multiply them by flash attention's permuted output";
  }
  return std::nullopt;
}

}  // namespace vramfit
