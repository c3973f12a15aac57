// libFuzzer target: llama.cpp startup logs through the parser and verify.

#include "targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return vramfit::fuzz::fuzz_log(data, size);
}
