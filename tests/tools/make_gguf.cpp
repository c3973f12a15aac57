// Writes a GGUF file (sparse: header plus zero data) for a catalog model at a
// llama.cpp file type, as llama-quantize would lay it out, optionally split in
// parts. Test fixtures are generated with it instead of being checked in.
//
//   make_gguf MODEL_ID FILE_TYPE OUT.gguf [PARTS | truncate=BYTES | loadable] [blocks=N] [catalog=FILE ...]
//   make_gguf mmproj - OUT.gguf       a vision projector (mmproj) file
//
// catalog=FILE (repeatable) reads the model from those catalog files instead
// of the embedded catalog (the golden cases use the frozen test catalog).
// "loadable" adds a vocabulary llama.cpp accepts (for the conformance suite);
// "blocks=N" keeps the first N blocks of the model, every tensor at its real
// shape, so a large architecture loads in seconds.
// With PARTS > 1, OUT must end in .gguf and the parts are named
// <stem>-0000k-of-0000N.gguf as llama.cpp's gguf-split names them.

#include "gguf_writer.hpp"

#include "vramfit/input/catalog.hpp"
#include "vramfit/model/quantize.hpp"

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <sstream>
#include <string>

using namespace vramfit;

namespace {

// A vision projector file as mtmd reads it (general.architecture "clip"):
// a ViT of 27 blocks, width 1152, FFN 4304, 16-pixel patches, and a 2x2
// merger into a 4096-wide model: the shapes of the SigLIP-so400m towers that
// Qwen3-VL-class projectors carry, F16 matrices and F32 vectors. Synthetic
// (zero data): the golden cases need its tensor bytes, not its weights.
int write_mmproj(const std::string& out) {
  test::GgufWriter w;
  w.str("general.architecture", "clip");
  w.str("clip.projector_type", "qwen3vl_merger");
  w.boolean("clip.has_vision_encoder", true);
  w.u32("clip.vision.embedding_length", 1152);
  w.u32("clip.vision.feed_forward_length", 4304);
  w.u32("clip.vision.block_count", 27);
  w.u32("clip.vision.head_count", 16);
  w.u32("clip.vision.patch_size", 16);
  w.u32("clip.vision.image_size", 768);
  w.u32("clip.vision.projection_dim", 4096);
  w.tensor("v.patch_embd.weight", {16, 16, 3, 1152}, GgmlType::f16);
  w.tensor("v.position_embd.weight", {1152, 2304}, GgmlType::f16);
  for (int il = 0; il < 27; ++il) {
    const std::string b = "v.blk." + std::to_string(il) + ".";
    for (const char* m : {"attn_q", "attn_k", "attn_v", "attn_out"}) {
      w.tensor(b + m + ".weight", {1152, 1152}, GgmlType::f16);
      w.tensor(b + m + ".bias", {1152}, GgmlType::f32);
    }
    for (const char* n : {"ln1", "ln2"}) {
      w.tensor(b + n + ".weight", {1152}, GgmlType::f32);
      w.tensor(b + n + ".bias", {1152}, GgmlType::f32);
    }
    w.tensor(b + "ffn_up.weight", {1152, 4304}, GgmlType::f16);
    w.tensor(b + "ffn_up.bias", {4304}, GgmlType::f32);
    w.tensor(b + "ffn_down.weight", {4304, 1152}, GgmlType::f16);
    w.tensor(b + "ffn_down.bias", {1152}, GgmlType::f32);
  }
  w.tensor("mm.0.weight", {4608, 4608}, GgmlType::f16);
  w.tensor("mm.0.bias", {4608}, GgmlType::f32);
  w.tensor("mm.2.weight", {4608, 4096}, GgmlType::f16);
  w.tensor("mm.2.bias", {4096}, GgmlType::f32);
  w.write_sparse(out);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: make_gguf MODEL_ID FILE_TYPE OUT.gguf [PARTS | truncate=BYTES | loadable] [blocks=N] "
                         "[mtp=N] [catalog=FILE ...]\n");
    return 2;
  }
  try {
    if (std::string_view(argv[1]) == "mmproj") {
      return write_mmproj(argv[3]);
    }
    std::vector<std::string> catalog_texts;
    for (int i = 4; i < argc; ++i) {
      const std::string a = argv[i];
      if (a.rfind("catalog=", 0) == 0) {
        std::ifstream in(a.substr(8), std::ios::binary);
        std::stringstream text;
        text << in.rdbuf();
        catalog_texts.push_back(text.str());
      }
    }
    std::vector<CatalogText> documents;
    for (const auto& text : catalog_texts) {
      documents.push_back(CatalogText{"catalog", text});
    }
    const auto catalog = documents.empty() ? load_catalog(embedded_catalog_texts()) : load_catalog(documents);
    auto spec = catalog.find_model(argv[1]).spec;
    const auto ftype = file_type_from_name(argv[2]);
    if (!ftype) {
      std::fprintf(stderr, "make_gguf: unknown file type %s\n", argv[2]);
      return 2;
    }
    std::string extra;
    for (int i = 4; i < argc; ++i) {
      const std::string a = argv[i];
      if (a.rfind("catalog=", 0) == 0) {
        continue;
      }
      if (a.rfind("blocks=", 0) == 0) {
        const auto n = static_cast<std::uint32_t>(std::stoul(a.substr(7)));
        if (n == 0 || n > spec.n_layer) {
          std::fprintf(stderr, "make_gguf: blocks=%u outside 1..%u\n", n, spec.n_layer);
          return 2;
        }
        spec.n_layer = n;
        spec.n_layer_nextn = 0;
        spec.layers.resize(n);
        spec.n_head_kv.resize(n);
        if (spec.moe) {
          spec.moe->n_layer_dense_lead = std::min(spec.moe->n_layer_dense_lead, n);
        }
        validate(spec, "make_gguf");
      } else if (a.rfind("mtp=", 0) == 0) {
        // MTP blocks after the main ones, as --mtp predicts the file.
        spec = with_mtp_layers(spec, static_cast<std::uint32_t>(std::stoul(a.substr(4))));
      } else {
        extra = a;
      }
    }
    const bool truncate = extra.rfind("truncate=", 0) == 0;
    const bool loadable = extra == "loadable";
    const int parts = !extra.empty() && !truncate && !loadable ? std::atoi(extra.c_str()) : 1;
    const auto inventory = build_inventory(spec);
    const auto types = recipe_types(inventory, spec, *ftype, default_options(*ftype));
    const std::string out = argv[3];
    const auto writer = test::model_writer(spec, inventory, types, static_cast<std::uint32_t>(*ftype), loadable);
    if (truncate) {
      // A file cut short: the first BYTES bytes of the header only.
      const auto header = writer.header();
      const auto keep = std::min<std::size_t>(header.size(), std::stoul(extra.substr(9)));
      std::FILE* f = std::fopen(out.c_str(), "wb");
      if (f == nullptr || std::fwrite(header.data(), 1, keep, f) != keep || std::fclose(f) != 0) {
        std::fprintf(stderr, "make_gguf: cannot write %s\n", out.c_str());
        return 1;
      }
      return 0;
    }
    if (parts <= 1) {
      writer.write_sparse(out);
      return 0;
    }
    // Part 0 holds the metadata; tensors are dealt out in order.
    const std::string stem = out.substr(0, out.size() - 5);
    const std::size_t per_part =
        (inventory.size() + static_cast<std::size_t>(parts) - 1) / static_cast<std::size_t>(parts);
    for (int p = 0; p < parts; ++p) {
      const std::size_t begin = static_cast<std::size_t>(p) * per_part;
      const std::size_t end = std::min(inventory.size(), begin + per_part);
      std::vector<TensorSpec> slice(inventory.begin() + static_cast<std::ptrdiff_t>(begin),
                                    inventory.begin() + static_cast<std::ptrdiff_t>(end));
      std::vector<GgmlType> slice_types(types.begin() + static_cast<std::ptrdiff_t>(begin),
                                        types.begin() + static_cast<std::ptrdiff_t>(end));
      test::GgufWriter w;
      if (p == 0) {
        w = test::model_writer(spec, slice, slice_types, static_cast<std::uint32_t>(*ftype));
      } else {
        for (std::size_t i = 0; i < slice.size(); ++i) {
          const auto& t = slice[i];
          w.tensor(t.name, std::vector<std::uint64_t>(t.ne.begin(), t.ne.begin() + t.n_dims), slice_types[i]);
        }
      }
      w.u16("split.no", static_cast<std::uint16_t>(p));
      w.u16("split.count", static_cast<std::uint16_t>(parts));
      w.i32("split.tensors.count", static_cast<std::int32_t>(inventory.size()));
      char suffix[32];
      std::snprintf(suffix, sizeof suffix, "-%05d-of-%05d.gguf", p + 1, parts);
      w.write_sparse(stem + suffix);
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_gguf: %s\n", e.what());
    return 1;
  }
}
