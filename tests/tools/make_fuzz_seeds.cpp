// Writes small, valid GGUF files to seed the GGUF fuzzer: tiny models of each
// architecture family (dense, MoE, hybrid, sliding window, MLA), a split part,
// and a header holding every value type.
//
//   make_fuzz_seeds OUT_DIR

#include "gguf_writer.hpp"

#include "vramfit/input/catalog.hpp"
#include "vramfit/model/quantize.hpp"

#include <cstdio>
#include <exception>
#include <fstream>
#include <string>

using namespace vramfit;

namespace {

// The catalog model shrunk to tiny widths, keeping its layout and features.
ModelSpec tiny(const ModelSpec& real, std::uint32_t layers) {
  ModelSpec s = real;
  s.n_layer = layers;
  s.n_layer_nextn = std::min<std::uint32_t>(real.n_layer_nextn, 1);
  s.n_embd = 64;
  s.n_vocab = 32;
  s.n_ctx_train = 4096;
  s.n_head = 4;
  s.n_head_kv.assign(s.n_layer_all(), real.head_count_kv(0) == real.n_head ? 4 : 2);
  s.n_embd_head_k = s.n_embd_head_v = 32;
  s.n_ff = s.n_ff > 0 ? 128 : 0;
  s.layers.assign(real.layers.begin(), real.layers.begin() + layers);
  if (s.moe) {
    s.moe->n_expert = 4;
    s.moe->n_expert_used = 2;
    s.moe->n_ff_exp = 64;
    s.moe->n_ff_shexp = s.moe->n_ff_shexp > 0 ? 64 : 0;
    s.moe->n_layer_dense_lead = std::min<std::uint32_t>(s.moe->n_layer_dense_lead, 1);
  }
  if (s.ssm) {
    s.ssm->d_state = 32;
    s.ssm->n_group = 2;
    s.ssm->dt_rank = 4;
    s.ssm->d_inner = 128;
  }
  if (s.mla) {
    s.mla->q_lora_rank = s.mla->q_lora_rank > 0 ? 64 : 0;
    s.mla->kv_lora_rank = 64;
    s.mla->qk_rope_head_dim = 32;
    s.mla->qk_nope_head_dim = 32;
    s.mla->v_head_dim = 32;
  }
  s.n_swa = s.n_swa > 0 ? 64 : 0;
  return s;
}

void write(const std::string& path, const std::vector<unsigned char>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    throw std::runtime_error("cannot write " + path);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_fuzz_seeds OUT_DIR\n");
    return 2;
  }
  try {
    const std::string dir = argv[1];
    const auto catalog = load_catalog(embedded_catalog_texts());
    const std::pair<const char*, std::uint32_t> models[] = {
        {"qwen3-8b", 2},    {"qwen3-30b-a3b", 2}, {"qwen3.6-35b-a3b", 4}, {"gemma-3-27b", 6}, {"gpt-oss-20b", 2},
        {"deepseek-v3", 2}, {"glm-4.5-air", 2},   {"phi-4", 2},           {"llama-3.1-8b", 2}};
    for (const auto& [id, layers] : models) {
      const auto spec = tiny(catalog.find_model(id).spec, layers);
      const auto inventory = build_inventory(spec);
      const auto types = recipe_types(inventory, spec, FileType::q8_0, {});
      write(dir + "/" + id + ".gguf",
            test::model_writer(spec, inventory, types, static_cast<std::uint32_t>(FileType::q8_0)).bytes());
    }
    test::GgufWriter all;
    all.u8("a", 1);
    all.i8("b", -1);
    all.u16("c", 2);
    all.i16("d", -2);
    all.u32("e", 3);
    all.i32("f", -3);
    all.f32("g", 1.0F);
    all.boolean("h", true);
    all.str("i", "s");
    all.u64("j", 4);
    all.i64("k", -4);
    all.f64("l", 2.0);
    all.strings("m", {"x", "y"});
    all.nested_u32("n", {{1}, {2, 3}});
    all.u16("split.no", 0);
    all.u16("split.count", 1);
    all.tensor("t", {32, 2}, GgmlType::q8_0);
    write(dir + "/all-types.gguf", all.bytes());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_fuzz_seeds: %s\n", e.what());
    return 1;
  }
}
