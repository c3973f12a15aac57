// libFuzzer target: GGUF headers, then the model mapping and the memory model
// on whatever parses. Any exception other than vramfit::Error is a finding.

#include "targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return vramfit::fuzz::fuzz_gguf(data, size);
}
