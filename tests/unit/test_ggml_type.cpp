#include "catch.hpp"

#include "vramfit/model/ggml_type.hpp"
#include "vramfit/support/error.hpp"

using namespace vramfit;

TEST_CASE("row bytes follow ggml block sizes", "[ggml_type]") {
  // Q4_K: 256 elements in 144 bytes -> a 4096 row is 16 blocks = 2304 bytes.
  CHECK(row_bytes(GgmlType::q4_k, 4096) == 2304);
  // Q6_K: 210 bytes per 256.
  CHECK(row_bytes(GgmlType::q6_k, 4096) == 16 * 210);
  // Q8_0: 34 bytes per 32 -> 512 elements = 544 bytes (the q8_0 KV row of Qwen3.6-35B-A3B).
  CHECK(row_bytes(GgmlType::q8_0, 512) == 544);
  CHECK(row_bytes(GgmlType::f16, 1024) == 2048);
  CHECK(row_bytes(GgmlType::f32, 7) == 28);
  CHECK(row_bytes(GgmlType::mxfp4, 2880) == 90 * 17);
  CHECK(row_bytes(GgmlType::iq4_xs, 256) == 136);
  CHECK(row_bytes(GgmlType::q1_0, 128) == 18);
  CHECK(tensor_bytes(GgmlType::q4_0, 4096, 1024) == 128 * 18 * 1024);
}

TEST_CASE("a row that is not a whole number of blocks is an error", "[ggml_type]") {
  CHECK(row_fits(GgmlType::q4_k, 2880) == false);
  CHECK(row_fits(GgmlType::q8_0, 2880) == true);
  CHECK_THROWS_AS(row_bytes(GgmlType::q4_k, 2880), InputError);
}

TEST_CASE("tensor sizes that overflow 64 bits are errors, not wraps", "[ggml_type]") {
  CHECK_THROWS_AS(tensor_bytes(GgmlType::f32, std::uint64_t{1} << 40, std::uint64_t{1} << 40), InputError);
}

TEST_CASE("types are found by id and name", "[ggml_type]") {
  CHECK(ggml_type_from_id(12) == GgmlType::q4_k);
  CHECK(ggml_type_from_id(39) == GgmlType::mxfp4);
  CHECK_FALSE(ggml_type_from_id(4).has_value());   // Q4_2, removed
  CHECK_FALSE(ggml_type_from_id(31).has_value());  // repacked Q4_0_4_4, removed
  CHECK(ggml_type_from_name("q4_k") == GgmlType::q4_k);
  CHECK(ggml_type_from_name("BF16") == GgmlType::bf16);
  CHECK(name(GgmlType::iq2_xxs) == "IQ2_XXS");
}

TEST_CASE("cache types are llama.cpp's list", "[ggml_type]") {
  CHECK(kv_cache_types().size() == 9);
  CHECK(kv_cache_type_from_name("q8_0") == GgmlType::q8_0);
  CHECK(kv_cache_type_from_name("IQ4_NL") == GgmlType::iq4_nl);
  CHECK_FALSE(kv_cache_type_from_name("q4_k").has_value());
  CHECK(lower_name(GgmlType::q5_1) == "q5_1");
}
