#include "catch.hpp"
#include "gguf_writer.hpp"
#include "test_support.hpp"

#include "vramfit/input/gguf.hpp"
#include "vramfit/input/gguf_model.hpp"
#include "vramfit/memory/kv_cache.hpp"
#include "vramfit/model/quantize.hpp"
#include "vramfit/plan/report.hpp"
#include "vramfit/support/error.hpp"

#include <algorithm>

using namespace vramfit;
using test::GgufWriter;

namespace {

GgufFile read_bytes(const std::vector<unsigned char>& bytes, const std::string& origin = "t.gguf") {
  MemorySource source(bytes.data(), bytes.size());
  return read_gguf(source, origin);
}

std::string error_of(const std::vector<unsigned char>& bytes) {
  try {
    read_bytes(bytes);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

GgufWriter small_model() {
  GgufWriter w;
  w.str("general.architecture", "llama");
  w.u32("llama.block_count", 1);
  w.tensor("token_embd.weight", {64, 10}, GgmlType::q8_0);
  w.tensor("output_norm.weight", {64}, GgmlType::f32);
  return w;
}

}  // namespace

TEST_CASE("every GGUF value type is read back", "[gguf]") {
  for (const std::uint32_t version : {2U, 3U}) {
    CAPTURE(version);
    GgufWriter w(version);
    w.u8("a.u8", 200);
    w.i8("a.i8", -100);
    w.u16("a.u16", 60000);
    w.i16("a.i16", -30000);
    w.u32("a.u32", 4000000000U);
    w.i32("a.i32", -2000000000);
    w.f32("a.f32", 1.5F);
    w.boolean("a.bool", true);
    w.str("a.str", "hello");
    w.u64("a.u64", 1ULL << 60);
    w.i64("a.i64", -(1LL << 60));
    w.f64("a.f64", 2.25);
    w.array<std::int32_t>("a.arr_i32", GgufType::int32, {1, -2, 3});
    w.array<std::uint8_t>("a.arr_bool", GgufType::boolean, {1, 0, 1});
    w.array<float>("a.arr_f32", GgufType::float32, {0.5F});
    w.strings("a.arr_str", {"x", "", "yz"});
    w.nested_u32("a.arr_arr", {{1, 2}, {}, {3}});
    const auto f = read_bytes(w.bytes());
    CHECK(f.version == version);
    CHECK(f.find("a.u8")->u == 200);
    CHECK(f.find("a.i8")->i == -100);
    CHECK(f.find("a.u16")->u == 60000);
    CHECK(f.find("a.i16")->i == -30000);
    CHECK(f.find("a.u32")->u == 4000000000U);
    CHECK(f.find("a.i32")->i == -2000000000);
    CHECK(f.find("a.f32")->f == 1.5);
    CHECK(f.find("a.bool")->u == 1);
    CHECK(f.find("a.str")->s == "hello");
    CHECK(f.find("a.u64")->u == (1ULL << 60));
    CHECK(f.find("a.i64")->i == -(1LL << 60));
    CHECK(f.find("a.f64")->f == 2.25);
    const auto* arr = f.find("a.arr_i32");
    REQUIRE(arr->elements_kept());
    CHECK(arr->element_type == GgufType::int32);
    CHECK(arr->elements[1].i == -2);
    CHECK(f.find("a.arr_bool")->elements[2].u == 1);
    CHECK(f.find("a.arr_str")->elements[2].s == "yz");
    const auto* nested = f.find("a.arr_arr");
    REQUIRE(nested->count == 3);
    CHECK(nested->elements[0].elements[1].u == 2);
    CHECK(nested->elements[1].count == 0);
    CHECK(nested->elements[2].elements[0].u == 3);
    CHECK(f.find("a.u32")->encoded_bytes == 4);
    CHECK(f.find("a.str")->encoded_bytes == 8 + 5);
  }
}

TEST_CASE("tensor infos, alignment and data offsets", "[gguf]") {
  GgufWriter w(3, 64);
  w.u32("general.alignment", 64);
  w.tensor("a", {256, 4}, GgmlType::q4_k);
  w.tensor("b", {7}, GgmlType::f32);
  const auto bytes = w.bytes();
  const auto f = read_bytes(bytes);
  REQUIRE(f.tensors.size() == 2);
  CHECK(f.alignment == 64);
  CHECK(f.data_offset % 64 == 0);
  CHECK(f.tensors[0].bytes == 4 * 144);
  CHECK(f.tensors[1].offset == 576);  // 4 x 144 = 576, already a multiple of 64
  CHECK(f.tensors[1].bytes == 28);
  CHECK(f.tensor_bytes() == 604);
  CHECK(f.file_bytes == bytes.size());
}

TEST_CASE("large arrays are counted, not kept", "[gguf]") {
  GgufWriter w;
  std::vector<std::string> tokens(200000, "tok");
  w.strings("tokenizer.ggml.tokens", tokens);
  std::vector<std::int32_t> types(200000, 1);
  w.array("tokenizer.ggml.token_type", GgufType::int32, types);
  const auto f = read_bytes(w.bytes());
  CHECK(f.find("tokenizer.ggml.tokens")->count == 200000);
  CHECK(f.find("tokenizer.ggml.tokens")->elements.empty());
  CHECK(f.find("tokenizer.ggml.token_type")->encoded_bytes == 4 + 8 + 800000);
}

TEST_CASE("every truncation of a valid file is rejected with its offset", "[gguf]") {
  const auto bytes = small_model().bytes();
  for (std::size_t n = 0; n < bytes.size() - 1; ++n) {
    CAPTURE(n);
    const std::vector<unsigned char> cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
    const auto e = error_of(cut);
    CHECK_FALSE(e.empty());
    CHECK(e.rfind("t.gguf: ", 0) == 0);
  }
}

TEST_CASE("hostile headers are rejected before they allocate", "[gguf]") {
  SECTION("bad magic") {
    CHECK(error_of({'G', 'G', 'M', 'L', 3, 0, 0, 0}).find("not a GGUF file") != std::string::npos);
  }
  SECTION("version 1, version 4, big-endian") {
    auto w = small_model().bytes();
    w[4] = 1;
    CHECK(error_of(w).find("version 1 is obsolete") != std::string::npos);
    w[4] = 4;
    CHECK(error_of(w).find("unsupported GGUF version 4") != std::string::npos);
    w[4] = 0;
    w[7] = 3;
    CHECK(error_of(w).find("big-endian") != std::string::npos);
  }
  SECTION("huge key/value and tensor counts") {
    GgufWriter w;
    w.lie_about_counts(1, 1ULL << 60);
    CHECK(error_of(w.bytes()).find("key/value count 1152921504606846976 is more than the file can hold") !=
          std::string::npos);
    GgufWriter t;
    t.lie_about_counts(1ULL << 40, 0);
    CHECK(error_of(t.bytes()).find("tensor count") != std::string::npos);
  }
  SECTION("a string longer than the file") {
    GgufWriter w;
    test::Encoder e;
    e.put<std::uint64_t>(1ULL << 62);
    w.raw_kv("k", static_cast<std::uint32_t>(GgufType::string), e.bytes);
    CHECK(error_of(w.bytes()).find("string value length 4611686018427387904 exceeds") != std::string::npos);
  }
  SECTION("an array count larger than the file") {
    GgufWriter w;
    test::Encoder e;
    e.put(static_cast<std::uint32_t>(GgufType::uint64));
    e.put<std::uint64_t>(1ULL << 59);
    w.raw_kv("k", static_cast<std::uint32_t>(GgufType::array), e.bytes);
    CHECK(error_of(w.bytes()).find("does not fit in the") != std::string::npos);
  }
  SECTION("arrays nested too deep") {
    GgufWriter w;
    test::Encoder e;
    for (int d = 0; d < 12; ++d) {
      e.put(static_cast<std::uint32_t>(GgufType::array));
      e.put<std::uint64_t>(1);
    }
    e.put(static_cast<std::uint32_t>(GgufType::uint8));
    e.put<std::uint64_t>(0);
    w.raw_kv("k", static_cast<std::uint32_t>(GgufType::array), e.bytes);
    CHECK(error_of(w.bytes()).find("nested deeper") != std::string::npos);
  }
  SECTION("bad value type, bool value, duplicate key") {
    GgufWriter w;
    w.raw_kv("k", 13, {});
    CHECK(error_of(w.bytes()).find("unknown value type 13") != std::string::npos);
    GgufWriter b;
    b.raw_kv("k", static_cast<std::uint32_t>(GgufType::boolean), {7});
    CHECK(error_of(b.bytes()).find("neither 0 nor 1") != std::string::npos);
    GgufWriter d;
    d.u32("k", 1);
    d.u32("k", 2);
    CHECK(error_of(d.bytes()).find("duplicate key 'k'") != std::string::npos);
  }
  SECTION("bad tensor infos") {
    const auto bad = [](const std::vector<std::uint64_t>& shape, std::uint32_t type, std::uint64_t offset) {
      GgufWriter w;
      w.raw_tensor("x", shape, type, offset);
      return error_of(w.bytes());
    };
    CHECK(bad({1, 1, 1, 1, 1}, 0, 0).find("5 dimensions") != std::string::npos);
    CHECK(bad({0}, 0, 0).find("dimension 0 is 0") != std::string::npos);
    CHECK(bad({4}, 4, 0).find("unknown ggml type 4") != std::string::npos);
    CHECK(bad({100}, 12, 0).find("not a whole number of Q4_K blocks") != std::string::npos);
    CHECK(bad({8}, 0, 3).find("not aligned") != std::string::npos);
    CHECK(bad({8}, 0, 1ULL << 40).find("extends past the end of the file") != std::string::npos);
    CHECK(bad({1ULL << 30, 1ULL << 30}, 0, 0).find("too many elements") != std::string::npos);
  }
  SECTION("overlapping tensors and duplicate names") {
    GgufWriter w;
    w.raw_tensor("a", {64}, 0, 0);
    w.raw_tensor("b", {64}, 0, 128);
    auto bytes = w.bytes();
    bytes.resize(bytes.size() + 512, 0);
    CHECK(error_of(bytes).find("overlaps") != std::string::npos);
    GgufWriter d;
    d.raw_tensor("a", {8}, 0, 0);
    d.raw_tensor("a", {8}, 0, 32);
    auto dbytes = d.bytes();
    dbytes.resize(dbytes.size() + 64, 0);
    CHECK(error_of(dbytes).find("duplicate tensor name 'a'") != std::string::npos);
  }
}

TEST_CASE("split file names enumerate every part", "[gguf]") {
  CHECK(gguf_split_part_names("dir/m-00002-of-00003.gguf") == std::vector<std::string>{"dir/m-00001-of-00003.gguf",
                                                                                       "dir/m-00002-of-00003.gguf",
                                                                                       "dir/m-00003-of-00003.gguf"});
  CHECK(gguf_split_part_names("model.gguf") == std::vector<std::string>{"model.gguf"});
  CHECK(gguf_split_part_names("x-0001-of-0002.gguf").size() == 1);
}

TEST_CASE("split parts merge in any order and their sizes add up", "[gguf]") {
  const auto part = [](std::uint16_t no, std::vector<std::string> tensors) {
    GgufWriter w;
    w.u16("split.no", no);
    w.u16("split.count", 3);
    w.i32("split.tensors.count", 4);
    if (no == 0) {
      w.str("general.architecture", "llama");
      w.u32("llama.block_count", 1);
      w.u32("llama.embedding_length", 64);
      w.u32("llama.feed_forward_length", 128);
      w.u32("llama.attention.head_count", 4);
      w.u32("llama.context_length", 256);
    }
    for (const auto& t : tensors) {
      w.tensor(t, {64, 2}, GgmlType::f16);
    }
    return read_bytes(w.bytes(), "m-0000" + std::to_string(no + 1) + "-of-00003.gguf");
  };
  std::vector<GgufFile> parts{part(2, {"blk.0.ffn_up.weight"}), part(0, {"token_embd.weight", "output.weight"}),
                              part(1, {"blk.0.attn_q.weight"})};
  const Bytes sizes = parts[0].file_bytes + parts[1].file_bytes + parts[2].file_bytes;
  const auto m = gguf_model(parts);
  CHECK(m.parts.size() == 3);
  CHECK(m.parts.front() == "m-00001-of-00003.gguf");
  CHECK(m.tensors.size() == 4);
  CHECK(m.file_bytes == sizes);
  CHECK(m.model.spec.n_vocab == 2);  // from token_embd's rows

  parts.pop_back();
  CHECK_THROWS_WITH(gguf_model(parts), Catch::Matchers::Contains("split.count says 3 parts, 2 were found"));
}

TEST_CASE("GGUF headers round-trip every catalog architecture", "[gguf]") {
  for (const auto& model : test::catalog().models) {
    CAPTURE(model.spec.id);
    const auto& spec = model.spec;
    const auto inventory = build_inventory(spec);
    const auto types = recipe_types(inventory, spec, FileType::q4_k_m, {});
    const auto w = test::model_writer(spec, inventory, types, static_cast<std::uint32_t>(FileType::q4_k_m));
    test::SparseSource source(w.header(), w.total_bytes());
    std::vector<GgufFile> parts{read_gguf(source, spec.id + ".gguf")};
    const auto m = gguf_model(parts);
    const auto& read = m.model.spec;
    CHECK(read.arch == spec.arch);
    CHECK(read.n_layer == spec.n_layer);
    CHECK(read.layers == spec.layers);
    if (spec.mla) {
      // MLA files store the latent as one KV head, as the converter writes them.
      CHECK(read.n_head_kv == std::vector<std::uint32_t>(spec.n_layer_all(), 1));
      CHECK(kv_cache_size(read, RunSettings{}).total_bytes() == kv_cache_size(spec, RunSettings{}).total_bytes());
    } else {
      CHECK(read.n_head_kv == spec.n_head_kv);
    }
    CHECK(read.tied_embeddings == spec.tied_embeddings);
    CHECK(m.file_type == FileType::q4_k_m);
    // weights_bytes is the sum of the file's tensor sizes, exactly
    Bytes sum = 0;
    for (const auto& t : parts.front().tensors) {
      sum += t.bytes;
    }
    CHECK(summarize_weights(inventory, types, spec.n_layer).total_bytes == sum);
    // and the KV cache and state are what the catalog spec gives
    for (const std::uint64_t ctx : {4096ULL, 65536ULL}) {
      RunSettings s;
      s.context_tokens = ctx;
      CHECK(kv_cache_size(read, s).total_bytes() == kv_cache_size(spec, s).total_bytes());
      CHECK(recurrent_state_size(read, s).total_bytes() == recurrent_state_size(spec, s).total_bytes());
    }
    CHECK(build_inventory(read).size() == inventory.size());
  }
}

namespace {

// A GGUF header holding a reference inventory's metadata and tensors.
GgufFile header_from_reference(const std::string& name, std::vector<TensorSpec>& tensors) {
  const auto j = nlohmann::json::parse(test::read_text("inventories/" + name + ".json"));
  const std::string arch = j.at("llama_cpp_arch").get<std::string>();
  GgufWriter w;
  w.str("general.architecture", arch);
  for (const auto& [key, value] : j.at("gguf_metadata").items()) {
    const std::string k = arch + "." + key;
    if (value.is_number_unsigned()) {
      w.u32(k, value.get<std::uint32_t>());
    } else if (value.is_number_float()) {
      w.f32(k, value.get<float>());
    } else if (value.is_string()) {
      w.str(k, value.get<std::string>());
    } else if (value.is_array()) {
      w.array(k, GgufType::int32, value.get<std::vector<std::int32_t>>());
    }
  }
  tensors = test::reference_inventory(name);
  for (const auto& t : tensors) {
    w.tensor(t.name, std::vector<std::uint64_t>(t.ne.begin(), t.ne.begin() + t.n_dims), t.type);
  }
  test::SparseSource source(w.header(), w.total_bytes());
  return read_gguf(source, name + ".gguf");
}

}  // namespace

TEST_CASE("real GGUF metadata maps onto specs whose inventories llama.cpp would load", "[gguf]") {
  for (const char* name : {"deepseek-v2-lite", "gemma-3-12b", "qwen3.6-35b-a3b-with-mtp", "gpt-oss-20b", "llama-3.1-8b",
                           "qwen3-30b-a3b"}) {
    CAPTURE(name);
    std::vector<TensorSpec> tensors;
    const auto header = header_from_reference(name, tensors);
    std::vector<std::string> notes;
    const auto spec = spec_from_gguf(header, tensors, notes);
    CHECK(notes.empty());
    validate(spec, name);
    std::vector<std::string> built;
    for (const auto& t : build_inventory(spec)) {
      built.push_back(t.name + " " + std::to_string(t.ne[0]) + "x" + std::to_string(t.ne[1]) + "x" +
                      std::to_string(t.ne[2]));
    }
    std::vector<std::string> reference;
    for (const auto& t : tensors) {
      reference.push_back(t.name + " " + std::to_string(t.ne[0]) + "x" + std::to_string(t.ne[1]) + "x" +
                          std::to_string(t.ne[2]));
    }
    std::sort(built.begin(), built.end());
    std::sort(reference.begin(), reference.end());
    CHECK(built == reference);
  }
}

TEST_CASE("MLA metadata gives a K-only cache of kv_lora_rank + rope dims", "[gguf]") {
  std::vector<TensorSpec> tensors;
  const auto header = header_from_reference("deepseek-v2-lite", tensors);
  std::vector<std::string> notes;
  const auto spec = spec_from_gguf(header, tensors, notes);
  REQUIRE(spec.mla.has_value());
  CHECK(spec.mla->qk_nope_head_dim == 128);
  CHECK(spec.n_embd_k_gqa(0) == 576);
  CHECK(spec.n_embd_v_gqa(0) == 0);
  RunSettings s;
  s.context_tokens = 4096;
  const auto kv = kv_cache_size(spec, s);
  CHECK(kv.k_bytes == 27ULL * 4096 * 576 * 2);
  CHECK(kv.v_bytes == 0);
}

TEST_CASE("Gemma 3 metadata without a pattern uses llama.cpp's default of 6", "[gguf]") {
  std::vector<TensorSpec> tensors;
  const auto header = header_from_reference("gemma-3-12b", tensors);
  std::vector<std::string> notes;
  const auto spec = spec_from_gguf(header, tensors, notes);
  CHECK(spec.count(LayerKind::attention) == 8);
  CHECK(spec.count(LayerKind::sliding_attention) == 40);
  CHECK(spec.tied_embeddings);
}

TEST_CASE("a GGUF file's report: device plus host weights are the file's tensor bytes", "[gguf]") {
  for (const char* id : {"qwen3.6-35b-a3b", "gemma-3-27b", "glm-4.5-air"}) {
    CAPTURE(id);
    const auto& spec = test::catalog().find_model(id).spec;
    const auto inventory = build_inventory(spec);
    const auto types = recipe_types(inventory, spec, FileType::q4_k_m, {});
    const auto w = test::model_writer(spec, inventory, types, static_cast<std::uint32_t>(FileType::q4_k_m));
    test::SparseSource source(w.header(), w.total_bytes());
    std::vector<GgufFile> parts{read_gguf(source, "m.gguf")};
    const Bytes tensor_sum = parts.front().tensor_bytes();
    const auto model = gguf_model(parts);
    Request req;
    req.model_spec = std::make_shared<const CatalogModel>(model.model);
    req.gpus = {"rtx3090"};
    req.file = std::make_shared<const FileWeights>(file_weights(model, "m.gguf"));
    req.with_ladder = false;
    const auto r = build_report(test::catalog(), req);
    REQUIRE(r.quants.size() == 1);
    const auto& q = r.quants[0];
    CHECK(q.source == WeightsSource::gguf);
    CHECK(q.predicted.total_bytes == tensor_sum);
    const Bytes tied = q.predicted.tied_output ? q.predicted.token_embd_bytes : 0;
    CHECK(r.rows[0].memory.weights_bytes + q.host_weights_bytes + q.predicted.mtp_bytes - tied == tensor_sum);
    CHECK(*q.file_published_bytes == w.total_bytes());
    // the recipe prediction for the file's own type is within 0.1% (it is the same recipe, plus a metadata estimate)
    CHECK(q.file_predicted_bytes > w.total_bytes() * 999 / 1000);
  }
}
