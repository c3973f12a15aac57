#include "catch.hpp"

#include "vramfit/model/file_type.hpp"

using namespace vramfit;

TEST_CASE("file types carry llama_ftype ids and default types", "[file_type]") {
  CHECK(static_cast<int>(FileType::q4_k_m) == 15);
  CHECK(static_cast<int>(FileType::mxfp4_moe) == 38);
  CHECK(traits(FileType::q4_k_m).default_type == GgmlType::q4_k);
  CHECK(traits(FileType::q3_k_l).default_type == GgmlType::q3_k);
  CHECK(traits(FileType::iq2_m).default_type == GgmlType::iq2_s);
  CHECK(traits(FileType::iq3_xs).default_type == GgmlType::iq3_s);
  CHECK(file_type_from_name("q4_k_m") == FileType::q4_k_m);
  CHECK(file_type_from_name("MXFP4") == FileType::mxfp4_moe);
  CHECK(file_type_from_id(32) == FileType::bf16);
  CHECK_FALSE(file_type_from_name("Q4_K_XL").has_value());
  CHECK_FALSE(file_type_from_id(4).has_value());
}
