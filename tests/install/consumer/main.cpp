// Uses an installed vramfit through its public headers only; exits non-zero on
// any mismatch. Built by tests/install/run.sh with CMake (find_package) and with
// pkg-config.
#include <cstdint>
#include <exception>
#include <iostream>
#include <string>
#include <vramfit/input/catalog.hpp>
#include <vramfit/input/parse.hpp>
#include <vramfit/memory/device.hpp>
#include <vramfit/support/error.hpp>
#include <vramfit/support/version.hpp>

namespace {

int failures = 0;

template <typename T, typename U> void expect_eq(const char* what, const T& got, const U& want) {
  if (got != want) {
    std::cerr << "consumer: FAIL " << what << ": got " << got << ", want " << want << '\n';
    ++failures;
  } else {
    std::cout << "consumer: ok   " << what << " = " << got << '\n';
  }
}

}  // namespace

int main() {
  try {
    // Command-line values (vramfit/input/parse.hpp): 8k is 8 * 1024 tokens, 24GiB is 24 * 2^30 bytes.
    expect_eq("parse_context(\"8k\")", vramfit::parse_context("8k", "--context"), std::uint64_t{8192});
    expect_eq("parse_size(\"24GiB\")", vramfit::parse_size("24GiB", "--vram"), vramfit::Bytes{25769803776ULL});

    // The library's exceptions cross the library boundary with their type.
    bool threw = false;
    try {
      (void)vramfit::parse_context("abc", "--context");
    } catch (const vramfit::UsageError&) {
      threw = true;
    }
    expect_eq("parse_context(\"abc\") throws UsageError", threw, true);

    // The catalog embedded in the library: the RTX 3090 has 24 GiB (data/gpus.json, rtx3090).
    const vramfit::Catalog catalog = vramfit::load_catalog(vramfit::embedded_catalog_texts());
    const vramfit::GpuSpec& gpu = catalog.find_gpu("RTX 3090");
    expect_eq("find_gpu(\"RTX 3090\").id", gpu.id, std::string{"rtx3090"});
    expect_eq("find_gpu(\"RTX 3090\").memory_bytes", gpu.memory_bytes, vramfit::Bytes{25769803776ULL});
    // Its budget (src/memory/device.cpp, which formats with fmt, so a link without fmt fails):
    // 24 GiB reported total minus the 256 MiB measured CUDA context = 25769803776 - 268435456.
    const vramfit::DeviceBudget budget = vramfit::device_budget(gpu);
    expect_eq("device_budget(rtx3090).usable_bytes", budget.usable_bytes, vramfit::Bytes{25501368320ULL});
    expect_eq("device_budget(rtx3090).basis mentions the 256 MiB context",
              budget.basis.find("context 256 MiB (measured)") != std::string::npos, true);
    if (catalog.models.empty()) {
      std::cerr << "consumer: FAIL the embedded catalog has no models\n";
      ++failures;
    }

#ifdef VRAMFIT_EXPECTED_VERSION
    expect_eq("version()", std::string{vramfit::version()}, std::string{VRAMFIT_EXPECTED_VERSION});
#else
    std::cout << "consumer: vramfit " << vramfit::version() << '\n';
#endif
  } catch (const std::exception& e) {
    std::cerr << "consumer: FAIL unexpected exception: " << e.what() << '\n';
    return 1;
  }
  if (failures != 0) {
    std::cerr << "consumer: " << failures << " check(s) failed\n";
    return 1;
  }
  std::cout << "consumer: all checks passed\n";
  return 0;
}
