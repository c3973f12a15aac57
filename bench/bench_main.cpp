// Benchmarks (run by hand, not by CTest): the header of a large model file and
// the main job's report. Prints the median and the range over repetitions.
//
//   vramfit_bench [DIR]    DIR: where to write the benchmark's GGUF file (default /tmp)

#include "file_source.hpp"
#include "gguf_writer.hpp"
#include "render/render.hpp"

#include "vramfit/input/catalog.hpp"
#include "vramfit/input/gguf_model.hpp"
#include "vramfit/plan/report.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <sys/resource.h>
#include <vector>

using namespace vramfit;
using Clock = std::chrono::steady_clock;

namespace {

void measure(const char* what, int repetitions, const std::function<void()>& body) {
  std::vector<double> ms;
  for (int i = 0; i < repetitions; ++i) {
    const auto start = Clock::now();
    body();
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  std::sort(ms.begin(), ms.end());
  std::printf("%-58s median %8.3f ms  (min %.3f, max %.3f, n=%d)\n", what, ms[ms.size() / 2], ms.front(), ms.back(),
              repetitions);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "/tmp";
  const auto catalog = load_catalog(embedded_catalog_texts());

  // A 1,000+ tensor model with a 151,936-token vocabulary and 151,387 merges,
  // as a real Qwen3 file carries them.
  test::GgufWriter w;
  w.str("general.architecture", "qwen3moe");
  w.str("general.name", "bench");
  w.u32("qwen3moe.block_count", 94);
  w.u32("qwen3moe.context_length", 40960);
  w.u32("qwen3moe.embedding_length", 4096);
  w.u32("qwen3moe.feed_forward_length", 12288);
  w.u32("qwen3moe.attention.head_count", 64);
  w.u32("qwen3moe.attention.head_count_kv", 4);
  w.u32("qwen3moe.attention.key_length", 128);
  w.u32("qwen3moe.attention.value_length", 128);
  w.u32("qwen3moe.expert_count", 128);
  w.u32("qwen3moe.expert_used_count", 8);
  w.u32("qwen3moe.expert_feed_forward_length", 1536);
  std::vector<std::string> tokens;
  for (int i = 0; i < 151936; ++i) {
    tokens.push_back("tok" + std::to_string(i));
  }
  w.strings("tokenizer.ggml.tokens", tokens);
  w.array("tokenizer.ggml.token_type", GgufType::int32, std::vector<std::int32_t>(151936, 1));
  std::vector<std::string> merges(151387, "a b");
  w.strings("tokenizer.ggml.merges", merges);
  w.tensor("token_embd.weight", {4096, 151936}, GgmlType::q4_k);
  w.tensor("output_norm.weight", {4096}, GgmlType::f32);
  w.tensor("output.weight", {4096, 151936}, GgmlType::q6_k);
  for (int il = 0; il < 94; ++il) {
    const auto b = "blk." + std::to_string(il) + ".";
    w.tensor(b + "attn_norm.weight", {4096}, GgmlType::f32);
    w.tensor(b + "attn_q.weight", {4096, 8192}, GgmlType::q4_k);
    w.tensor(b + "attn_k.weight", {4096, 512}, GgmlType::q4_k);
    w.tensor(b + "attn_v.weight", {4096, 512}, GgmlType::q6_k);
    w.tensor(b + "attn_output.weight", {8192, 4096}, GgmlType::q4_k);
    w.tensor(b + "attn_q_norm.weight", {128}, GgmlType::f32);
    w.tensor(b + "attn_k_norm.weight", {128}, GgmlType::f32);
    w.tensor(b + "ffn_norm.weight", {4096}, GgmlType::f32);
    w.tensor(b + "ffn_gate_inp.weight", {4096, 128}, GgmlType::f32);
    w.tensor(b + "ffn_gate_exps.weight", {4096, 1536, 128}, GgmlType::q4_k);
    w.tensor(b + "ffn_up_exps.weight", {4096, 1536, 128}, GgmlType::q4_k);
    w.tensor(b + "ffn_down_exps.weight", {1536, 4096, 128}, GgmlType::q6_k);
  }
  const std::string path = dir + "/vramfit-bench.gguf";
  w.write_sparse(path);
  const auto header_bytes = w.header().size();

  GgufModel model;
  measure("inspect: read + map a header (1,131 tensors, 152K vocab)", 50, [&] { model = cli::load_gguf_model(path); });
  std::printf("  header %zu bytes, %zu tensors, file %llu bytes\n", header_bytes, model.tensors.size(),
              static_cast<unsigned long long>(model.file_bytes));

  Request req;
  req.model = "qwen3.6-35b-a3b";
  req.gpus = {"rtx4090", "rtx3090", "m4-pro-24gb"};
  measure("report: qwen3.6-35b-a3b, 3 GPUs, all listed quants + ladder", 20, [&] { (void)build_report(catalog, req); });
  req.model = "deepseek-v3";
  req.all_quants = true;
  measure("report: deepseek-v3, 3 GPUs, every quant + ladder", 10, [&] { (void)build_report(catalog, req); });
  // Sweeps: every GPU of the catalog, every quant, 8 contexts, rendered as CSV
  // (the deepseek-v3 one is `vramfit --model deepseek-v3 --gpu <all> --all-quants
  // -c 4k,...,native --no-ladder -f csv`).
  Request sweep;
  for (const auto& g : catalog.gpus) {
    sweep.gpus.push_back(g.id);
  }
  sweep.all_quants = true;
  sweep.contexts = {4096, 8192, 16384, 32768, 65536, 131072, 262144, 0};
  sweep.with_ladder = false;
  cli::RenderContext csv;
  csv.format = cli::Format::csv;
  std::size_t rows = 0;
  sweep.model = "deepseek-v3";
  measure("sweep: deepseek-v3 x all GPUs x all quants x 8 contexts, CSV", 5, [&] {
    const auto r = build_report(catalog, sweep);
    rows = r.rows.size();
    (void)cli::render_fit(r, csv);
  });
  std::printf("  %zu rows\n", rows);
  measure("sweep: every catalog model x all GPUs x all quants x 8 contexts, evaluated", 3, [&] {
    rows = 0;
    for (const auto& m : catalog.models) {
      sweep.model = m.spec.id;
      rows += build_report(catalog, sweep).rows.size();
    }
  });
  measure("sweep: every catalog model x all GPUs x all quants x 8 contexts, CSV", 3, [&] {
    rows = 0;
    for (const auto& m : catalog.models) {
      sweep.model = m.spec.id;
      const auto r = build_report(catalog, sweep);
      rows += r.rows.size();
      (void)cli::render_fit(r, csv);
    }
  });
  std::printf("  %zu rows, %zu models, %zu GPUs\n", rows, catalog.models.size(), catalog.gpus.size());
  Request one;
  one.model = "qwen3.6-35b-a3b";
  one.gpus = {"rtx3090"};
  cli::RenderContext table;
  measure("single query: qwen3.6-35b-a3b on rtx3090, table with ladder", 50,
          [&] { (void)cli::render_fit(build_report(catalog, one), table); });
  measure("catalog: parse and merge the embedded catalog", 20, [&] { (void)load_catalog(embedded_catalog_texts()); });

  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("peak RSS %ld KiB\n", usage.ru_maxrss);
  std::remove(path.c_str());
  return 0;
}
