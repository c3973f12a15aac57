// libFuzzer target: a user catalog merged over the embedded one, then every
// lookup and the main job for each model it defines.

#include "targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return vramfit::fuzz::fuzz_catalog(data, size);
}
