// libFuzzer target: Hugging Face config.json import, then the tensor
// inventory and the memory model of whatever imports.

#include "targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return vramfit::fuzz::fuzz_hf_config(data, size);
}
