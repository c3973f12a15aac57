#include "catch.hpp"

#include "vramfit/input/parse.hpp"
#include "vramfit/support/error.hpp"

using namespace vramfit;

TEST_CASE("contexts accept k and m suffixes and native", "[parse]") {
  CHECK(parse_context("8192", "--context") == 8192);
  CHECK(parse_context("8k", "--context") == 8192);
  CHECK(parse_context("32K", "--context") == 32768);
  CHECK(parse_context("1m", "--context") == 1048576);
  CHECK(parse_context(" 128k ", "--context") == 131072);
  CHECK(parse_context("native", "--context") == 0);
  CHECK(parse_context("MAX", "--context") == 0);
  CHECK(parse_context_list("8k,16k,32k", "--context") == std::vector<std::uint64_t>{8192, 16384, 32768});
}

TEST_CASE("bad contexts are usage errors naming the option", "[parse]") {
  for (const char* bad : {"", "k", "-5", "8kk", "0", "1.5k", "abc", "4194304k", "99999999999999999999999"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(parse_context(bad, "--context"), UsageError);
  }
  CHECK_THROWS_WITH(parse_context("abc", "--context"), "--context: 'abc' is not a number");
  CHECK_THROWS_AS(parse_context_list("8k,,16k", "--context"), UsageError);
  CHECK(parse_context("4194303k", "--context") == 4194303ULL * 1024);
}

TEST_CASE("sizes carry explicit binary or decimal units", "[parse]") {
  CHECK(parse_size("512MiB", "--x") == 512ULL << 20);
  CHECK(parse_size("24GiB", "--x") == 24ULL << 30);
  CHECK(parse_size("24GB", "--x") == 24000000000ULL);
  CHECK(parse_size("1000", "--x") == 1000);
  CHECK_THROWS_AS(parse_size("24 parsecs", "--x"), UsageError);
  CHECK_THROWS_AS(parse_size("99999999999999GiB", "--x"), UsageError);
}

TEST_CASE("counts, switches and name lists", "[parse]") {
  CHECK(parse_count("4", "--parallel", 256) == 4);
  CHECK_THROWS_AS(parse_count("0", "--parallel", 256), UsageError);
  CHECK_THROWS_AS(parse_count("257", "--parallel", 256), UsageError);
  CHECK(parse_switch("on", "--flash-attn"));
  CHECK_FALSE(parse_switch("OFF", "--flash-attn"));
  CHECK_THROWS_AS(parse_switch("maybe", "--flash-attn"), UsageError);
  CHECK(parse_name_list("rtx4090, rtx3090", "--gpu") == std::vector<std::string>{"rtx4090", "rtx3090"});
}
