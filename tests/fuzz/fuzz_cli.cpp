// libFuzzer target: the command line (NUL-separated arguments) and the value
// parsers behind it (contexts, sizes, counts, lists).

#include "targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return vramfit::fuzz::fuzz_cli(data, size);
}
