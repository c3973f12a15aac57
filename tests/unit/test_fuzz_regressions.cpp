#include "catch.hpp"
#include "targets.hpp"
#include "test_support.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>

namespace {

// Replays every input saved under tests/fuzz/regressions/<target> (and the
// checked-in seeds): none may escape as anything but vramfit::Error.
void replay(const std::string& directory, int (*target)(const std::uint8_t*, std::size_t)) {
  const std::filesystem::path dir(directory);
  if (!std::filesystem::is_directory(dir)) {
    return;
  }
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().filename() == "README.md") {
      continue;
    }
    std::ifstream in(entry.path(), std::ios::binary);
    const std::vector<char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    CAPTURE(entry.path().string());
    CHECK_NOTHROW(target(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
  }
}

}  // namespace

TEST_CASE("saved fuzz inputs and seeds replay cleanly", "[fuzz]") {
  const std::string fuzz = VRAMFIT_FUZZ_DIR;
  replay(fuzz + "/regressions/gguf", vramfit::fuzz::fuzz_gguf);
  replay(fuzz + "/regressions/hf_config", vramfit::fuzz::fuzz_hf_config);
  replay(fuzz + "/regressions/catalog", vramfit::fuzz::fuzz_catalog);
  replay(fuzz + "/regressions/cli", vramfit::fuzz::fuzz_cli);
  replay(fuzz + "/regressions/log", vramfit::fuzz::fuzz_log);
  replay(fuzz + "/corpus/cli", vramfit::fuzz::fuzz_cli);
  replay(std::string(VRAMFIT_TEST_DATA_DIR) + "/hf", vramfit::fuzz::fuzz_hf_config);
}
