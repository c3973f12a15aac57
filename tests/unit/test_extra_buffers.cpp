#include "catch.hpp"
#include "test_support.hpp"

#include "vramfit/memory/extra_buffers.hpp"
#include "vramfit/model/quantize.hpp"
#include "vramfit/plan/report.hpp"

#include <string>

using namespace vramfit;

namespace {

TensorSpec matrix(const std::string& name, std::uint64_t k, std::uint64_t n, std::uint64_t experts = 1) {
  TensorSpec t;
  t.name = name;
  t.ne = {k, n, experts, 1};
  t.n_dims = experts > 1 ? 3 : 2;
  t.layer = layer_of(name);
  return t;
}

// Sum of the extra buffers, per buffer, over a typed inventory.
struct Totals {
  Bytes amx = 0;
  Bytes repack = 0;
};

Totals totals(CpuClass cpu, const std::vector<TensorSpec>& inventory, const std::vector<GgmlType>& types) {
  Totals t;
  for (std::size_t i = 0; i < inventory.size(); ++i) {
    const auto e = extra_buffer_for(cpu, inventory[i], types[i]);
    (e.buffer == ExtraBuffer::amx ? t.amx : t.repack) += e.bytes;
  }
  return t;
}

Request metal_request(const std::string& quant) {
  Request r;
  r.model = "qwen3-32b";
  r.gpus = {"m4-pro-24gb"};
  r.quants = {quant};
  r.contexts = {8192};
  r.with_ladder = false;
  r.n_gpu_layers = 40;
  return r;
}

}  // namespace

TEST_CASE("AMX: Qwen3-8B Q8_0 on a CPU-only Sapphire Rapids host, as llama.cpp logs it", "[extra]") {
  // Log: "AMX model buffer size = 8570.78 MiB". Every 2-D matrix, output.weight
  // included, at 38 bytes per 32 elements: 36 x 192,937,984 + 622,329,856
  // elements -> 8,987,115,520 bytes. token_embd (GET_ROWS) and norms stay mapped.
  const auto& spec = test::catalog().find_model("qwen3-8b").spec;
  const auto inventory = build_inventory(spec);
  const auto types = recipe_types(inventory, spec, FileType::q8_0, QuantOptions{});
  const auto t = totals(CpuClass::amx, inventory, types);
  CHECK(t.amx == 8'987'115'520ULL);
  CHECK(t.repack == 0);
  // AVX2 and AVX-512 have no Q8_0 repack; ARM's interleaved copy is the tensors' own size.
  CHECK(totals(CpuClass::avx2, inventory, types).repack == 0);
  CHECK(totals(CpuClass::avx512, inventory, types).repack == 0);
  CHECK(totals(CpuClass::arm64, inventory, types).repack == (36 * 192'937'984ULL + 622'329'856ULL) / 32 * 34);
  CHECK(totals(CpuClass::none, inventory, types).repack == 0);
}

TEST_CASE("which weights each CPU class repacks", "[extra]") {
  const auto q = matrix("blk.0.attn_q.weight", 4096, 4096);
  const Bytes q4_0 = 4096ULL * 4096 / 32 * 18;
  SECTION("AMX takes 2-D matrices first, with its own block sizes") {
    CHECK(extra_buffer_for(CpuClass::amx, q, GgmlType::q4_0).buffer == ExtraBuffer::amx);
    CHECK(extra_buffer_for(CpuClass::amx, q, GgmlType::q4_0).bytes == q4_0);
    CHECK(extra_buffer_for(CpuClass::amx, q, GgmlType::q4_k).bytes == 4096ULL * 4096 / 256 * 148);
    CHECK(extra_buffer_for(CpuClass::amx, q, GgmlType::q5_k).bytes == 4096ULL * 4096 / 256 * 180);
    CHECK(extra_buffer_for(CpuClass::amx, q, GgmlType::iq4_xs).bytes == 4096ULL * 4096 / 256 * 138);
    CHECK(extra_buffer_for(CpuClass::amx, q, GgmlType::f16).bytes == 4096ULL * 4096 * 2);
    // AMX has no IQ4_NL kernel: CPU_REPACK (as AVX-512) takes it.
    CHECK(extra_buffer_for(CpuClass::amx, q, GgmlType::iq4_nl).buffer == ExtraBuffer::repack);
    // Rows not a multiple of 32: not AMX; Q4_0 then repacks (rows % 8).
    const auto odd = matrix("blk.0.attn_k.weight", 4096, 1000);
    CHECK(extra_buffer_for(CpuClass::amx, odd, GgmlType::q4_0).buffer == ExtraBuffer::repack);
  }
  SECTION("experts: CPU_REPACK only (AMX has no MUL_MAT_ID)") {
    const auto experts = matrix("blk.3.ffn_up_exps.weight", 2048, 768, 128);
    CHECK(extra_buffer_for(CpuClass::amx, experts, GgmlType::q4_k).buffer == ExtraBuffer::repack);
    CHECK(extra_buffer_for(CpuClass::avx2, experts, GgmlType::q4_k).bytes == 2048ULL * 768 * 128 / 256 * 144);
    CHECK(extra_buffer_for(CpuClass::avx2, experts, GgmlType::q8_0).buffer == ExtraBuffer::none);
  }
  SECTION("x86: Q2_K with AVX-512 only; ARM: the K-quants and Q8_0") {
    CHECK(extra_buffer_for(CpuClass::avx2, q, GgmlType::q2_k).buffer == ExtraBuffer::none);
    CHECK(extra_buffer_for(CpuClass::avx512, q, GgmlType::q2_k).buffer == ExtraBuffer::repack);
    CHECK(extra_buffer_for(CpuClass::avx2, q, GgmlType::q6_k).buffer == ExtraBuffer::none);
    CHECK(extra_buffer_for(CpuClass::arm64, q, GgmlType::q6_k).buffer == ExtraBuffer::repack);
    CHECK(extra_buffer_for(CpuClass::arm64, q, GgmlType::q2_k).buffer == ExtraBuffer::none);
  }
  SECTION("never: embeddings, norms, 1-D tensors, or rows the layout cannot interleave") {
    CHECK(extra_buffer_for(CpuClass::avx2, matrix("token_embd.weight", 4096, 151936), GgmlType::q4_0).buffer ==
          ExtraBuffer::none);
    CHECK(extra_buffer_for(CpuClass::avx2, matrix("blk.0.attn_q.weight", 4096, 4100), GgmlType::q4_0).buffer ==
          ExtraBuffer::none);
    CHECK(extra_buffer_for(CpuClass::arm64, matrix("blk.0.attn_q.weight", 4096, 4100), GgmlType::q4_0).buffer ==
          ExtraBuffer::repack);  // ARM's Q4_0 layout takes 4 rows at a time
    CHECK(extra_buffer_for(CpuClass::none, q, GgmlType::q4_0).buffer == ExtraBuffer::none);
  }
}

TEST_CASE("AMX aborts on MLA's 3-D up-projections in host memory", "[extra]") {
  const auto k_b = matrix("blk.5.attn_k_b.weight", 128, 512, 128);
  const auto v_b = matrix("blk.5.attn_v_b.weight", 512, 128, 128);
  CHECK(extra_buffer_abort(CpuClass::amx, k_b, GgmlType::q8_0, true));
  CHECK(extra_buffer_abort(CpuClass::amx, v_b, GgmlType::q8_0, true));
  CHECK_FALSE(extra_buffer_abort(CpuClass::amx, v_b, GgmlType::q8_0, false));
  CHECK_FALSE(extra_buffer_abort(CpuClass::avx512, k_b, GgmlType::q8_0, true));
  CHECK_FALSE(extra_buffer_abort(CpuClass::amx, matrix("blk.5.attn_q_b.weight", 1536, 24576), GgmlType::q8_0, true));
}

TEST_CASE("CPU names", "[extra]") {
  for (const auto cpu : cpu_classes()) {
    CHECK(cpu_class_from_name(name(cpu)) == cpu);
  }
  CHECK(cpu_class_from_name("Apple") == CpuClass::arm64);
  CHECK(cpu_class_from_name("AVX-512") == CpuClass::avx512);
  CHECK_FALSE(cpu_class_from_name("sse4"));
}

TEST_CASE("placement: repacked host weights come on top of the mapped file on Apple, never beside CUDA",
          "[extra][placement]") {
  // Qwen3-32B Q4_0 with 40 of 64 blocks on an M4 Pro: the 24 host blocks'
  // matrices are copied into CPU_REPACK (ARM's Q4_0 layout is the tensors' own
  // size) beside the mapped file, whose pages for them are then reclaimable.
  auto r = metal_request("Q4_0");
  r.host.cpu = CpuClass::none;
  const auto off = build_report(test::catalog(), r).rows[0].placement;
  r.host.cpu.reset();  // Apple's own CPU
  const auto arm = build_report(test::catalog(), r).rows[0].placement;
  CHECK(off.host.repacked_weights_bytes == 0);
  CHECK(off.host.reclaimable_bytes == 0);
  CHECK(arm.host.weights_bytes == off.host.weights_bytes);
  CHECK(arm.host.repacked_weights_bytes > 20 * k_gib / 10);
  CHECK(arm.host.total_bytes() == off.host.total_bytes() + arm.host.repacked_weights_bytes);
  // The copy and its source pages differ only by the rounding of scaling to the published file.
  const auto copy = arm.host.repacked_weights_bytes;
  const auto pages = arm.host.reclaimable_bytes;
  CHECK((copy > pages ? copy - pages : pages - copy) < 64 * 64);
  CHECK(arm.host.working_set_bytes() + pages == arm.host.total_bytes());
  // AMX's Q8_0 blocks grow by 4 bytes: the copy is larger than its source.
  auto q8 = metal_request("Q8_0");
  q8.host.cpu = CpuClass::amx;
  const auto amx = build_report(test::catalog(), q8).rows[0].placement;
  CHECK(amx.host.repacked_weights_bytes > amx.host.reclaimable_bytes + amx.host.reclaimable_bytes / 10);
  // CUDA puts its pinned host buffer ahead of the extra buffers.
  auto cuda = metal_request("Q4_0");
  cuda.gpus = {"rtx3090"};
  cuda.host.cpu = CpuClass::avx512;
  CHECK(build_report(test::catalog(), cuda).rows[0].placement.host.repacked_weights_bytes == 0);
}
