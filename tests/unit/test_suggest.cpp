#include "catch.hpp"

#include "vramfit/support/suggest.hpp"

#include <string>
#include <vector>

using namespace vramfit;

TEST_CASE("edit distance", "[suggest]") {
  CHECK(edit_distance("kitten", "sitting", 10) == 3);
  CHECK(edit_distance("RTX3090", "rtx3090", 5) == 0);
  CHECK(edit_distance("abc", "abcdefgh", 2) == 3);  // capped at max + 1
}

TEST_CASE("did you mean picks a plausible candidate or none", "[suggest]") {
  const std::vector<std::string> ids{"rtx3090", "rtx4090", "m4-pro-24gb", "qwen3.6-35b-a3b"};
  CHECK(did_you_mean("rtx3900", ids) == " (did you mean 'rtx3090'?)");
  CHECK(did_you_mean("qwen3.6-35b", ids) == " (did you mean 'qwen3.6-35b-a3b'?)");
  CHECK(did_you_mean("m4pro", ids) == " (did you mean 'm4-pro-24gb'?)");
  CHECK(did_you_mean("completely-different", ids).empty());
}
