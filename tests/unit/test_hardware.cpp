#include "catch.hpp"
#include "detect.hpp"
#include "test_support.hpp"

#include "vramfit/input/hardware.hpp"
#include "vramfit/input/parse.hpp"
#include "vramfit/memory/device.hpp"
#include "vramfit/plan/report.hpp"
#include "vramfit/support/error.hpp"

#include <cstdlib>

using namespace vramfit;

// The tools' outputs below are copied from tests/data/machines (see its SOURCES.md).

TEST_CASE("nvidia-smi: the header names the columns, used = total - free when not printed", "[hardware]") {
  const auto d = parse_nvidia_smi("name, memory.total [MiB], memory.free [MiB]\n"
                                  "NVIDIA GeForce RTX 3090, 24576 MiB, 11279 MiB\n"
                                  "NVIDIA GeForce RTX 3090, 24576 MiB, 3057 MiB\n");
  REQUIRE(d.size() == 2);
  CHECK(d[0].tool == "nvidia-smi");
  CHECK(d[0].name == "NVIDIA GeForce RTX 3090");
  CHECK(d[0].total_bytes == 24576 * k_mib);
  CHECK(d[0].free_bytes == 11279 * k_mib);
  CHECK(d[0].used_bytes == (24576 - 11279) * k_mib);
  CHECK(d[1].free_bytes == 3057 * k_mib);
}

TEST_CASE("nvidia-smi: noheader,nounits rows are name, total, used, free", "[hardware]") {
  const auto d = parse_nvidia_smi("NVIDIA GeForce RTX 4090, 24564, 1234, 23330\r\n");
  REQUIRE(d.size() == 1);
  CHECK(d[0].total_bytes == 24564 * k_mib);
  CHECK(d[0].used_bytes == 1234 * k_mib);
  CHECK(d[0].free_bytes == 23330 * k_mib);
  // A header with other columns: they are ignored; [N/A] is absent.
  const auto e = parse_nvidia_smi("name, memory.total [MiB], memory.used [MiB], memory.free [MiB], power.draw [W]\n"
                                  "NVIDIA GeForce RTX 4060 Laptop GPU, 8188 MiB, [N/A], 7800 MiB, [N/A]\n");
  REQUIRE(e.size() == 1);
  CHECK(e[0].used_bytes == 388 * k_mib);
  CHECK_THROWS_AS(parse_nvidia_smi("NVIDIA GeForce RTX 4090, lots, 1, 2\n"), InputError);
  CHECK_THROWS_AS(parse_nvidia_smi("NVIDIA GeForce RTX 4090\n"), InputError);
  CHECK_THROWS_AS(parse_nvidia_smi("X, 100, 0, 200\n"), InputError);  // more free than total
  CHECK(parse_nvidia_smi("").empty());
}

TEST_CASE("rocm-smi JSON: cards with their VRAM; an APU's 64 MiB carve-out is left out", "[hardware]") {
  const auto d = parse_rocm_smi(R"j({"card0": {"VRAM Total Memory (B)": "21458059264",
    "VRAM Total Used Memory (B)": "27856896", "Card Series": "Radeon RX 7900 XT"},
    "card1": {"VRAM Total Memory (B)": "67108864", "Card Series": "Raphael"},
    "system": {"Driver version": "6.8"}})j");
  REQUIRE(d.size() == 1);
  CHECK(d[0].name == "Radeon RX 7900 XT");
  CHECK(d[0].total_bytes == 21458059264ULL);
  CHECK(d[0].used_bytes == 27856896ULL);
  CHECK(d[0].free_bytes == 21458059264ULL - 27856896ULL);
  const auto unnamed = parse_rocm_smi(R"j({"card0": {"VRAM Total Used Memory (B)": "25677897728",
    "VRAM Total Memory (B)": "25769803776"}})j");
  REQUIRE(unnamed.size() == 1);
  CHECK(unnamed[0].name == "AMD GPU card0");
  CHECK_THROWS_AS(parse_rocm_smi("not json"), InputError);
  CHECK_THROWS_AS(parse_rocm_smi(R"j({"card0": {"VRAM Total Memory (B)": "many"}})j"), InputError);
}

TEST_CASE("sysctl: a Mac's RAM, chip and wired limit; the set form's 'old -> new'", "[hardware]") {
  const auto mac = parse_sysctl("machdep.cpu.brand_string: Apple M4 Pro\nhw.memsize: 68719476736\n");
  REQUIRE(mac);
  CHECK(mac->name == "Apple M4 Pro");
  CHECK(mac->total_bytes == 64 * k_gib);
  CHECK_FALSE(mac->wired_limit_bytes);
  CHECK(catalog_name(*mac) == "Apple M4 Pro 64 GB");
  CHECK(test::catalog().find_gpu(catalog_name(*mac)).id == "m4-pro-64gb");
  const auto wired = parse_sysctl("hw.memsize: 34359738368\niogpu.wired_limit_mb: 26000 -> 26000\n");
  REQUIRE(wired);
  CHECK(wired->wired_limit_bytes == 26000 * k_mib);
  CHECK_FALSE(parse_sysctl("sysctl: cannot stat /proc/sys/hw/memsize\n"));
  CHECK_THROWS_AS(parse_sysctl("hw.memsize: lots\n"), InputError);
  // The macOS version decides Metal's working-set rule (26: Metal 4's).
  const auto v26 = parse_sysctl("hw.memsize: 25769803776\nkern.osproductversion: 26.1\n");
  REQUIRE(v26);
  CHECK(v26->macos_major == 26U);
  CHECK_FALSE(mac->macos_major);
  CHECK_THROWS_AS(parse_sysctl("hw.memsize: 25769803776\nkern.osproductversion: Tahoe\n"), InputError);
}

TEST_CASE("/proc/meminfo: MemTotal and MemAvailable in kB", "[hardware]") {
  const auto m = parse_meminfo("MemTotal:        1019732 kB\nMemFree:           50012 kB\n"
                               "MemAvailable:     710280 kB\n");
  CHECK(m.total_bytes == 1019732ULL * 1024);
  CHECK(m.available_bytes == 710280ULL * 1024);
  CHECK_FALSE(parse_meminfo("MemTotal: 2048 kB\nMemFree: 1024 kB\n").available_bytes);
  CHECK_THROWS_AS(parse_meminfo("MemFree: 1024 kB\n"), InputError);
}

TEST_CASE("memory others hold comes off the usable budget", "[hardware]") {
  const auto& rtx3090 = test::catalog().find_gpu("rtx3090");
  // 24,576 MiB reported - 256 MiB CUDA context (measured) - 1.5 GiB held by a desktop.
  const auto b = device_budget(rtx3090, std::nullopt, DeviceOccupancy{1536 * k_mib, std::nullopt, "--reserve"});
  CHECK(b.in_use_bytes == 1536 * k_mib);
  CHECK(b.usable_bytes == 25769803776ULL - 268435456ULL - 1610612736ULL);
  // The driver's free figure: in use = total - free (20 GiB free: 4 GiB held).
  const auto f = device_budget(rtx3090, std::nullopt, DeviceOccupancy{std::nullopt, 20 * k_gib, "--free"});
  CHECK(f.in_use_bytes == 4 * k_gib);
  CHECK(f.usable_bytes == 20 * k_gib - 256 * k_mib);
  CHECK_THROWS_AS(device_budget(rtx3090, std::nullopt, DeviceOccupancy{std::nullopt, 25 * k_gib, "--free"}),
                  UsageError);
  // Unified memory: other apps cut the GPU limit only where RAM runs short of it.
  const auto& mac = test::catalog().find_gpu("m4-pro-64gb");
  const auto idle = device_budget(mac);
  const auto busy = device_budget(mac, std::nullopt, DeviceOccupancy{10 * k_gib, std::nullopt, "--reserve"});
  CHECK(busy.usable_bytes == idle.usable_bytes);  // 48 GiB limit, 54 GiB of RAM left
  const auto full = device_budget(mac, std::nullopt, DeviceOccupancy{20 * k_gib, std::nullopt, "--reserve"});
  CHECK(full.usable_bytes == idle.usable_bytes - 4 * k_gib);  // 44 GiB of RAM left
}

TEST_CASE("GPU memory held by others per GPU of a group, ad-hoc GPUs and the CPU", "[hardware]") {
  const auto& c = test::catalog();
  DeviceOptions o;
  o.reserve_bytes = {k_gib, 0};
  const auto g = resolve_gpu_group(c, "2xrtx3090", o);
  CHECK(g.budgets[0].in_use_bytes == k_gib);
  CHECK(g.budgets[1].in_use_bytes == 0);
  o.reserve_bytes = {k_gib, 0, 0};
  CHECK_THROWS_AS(resolve_gpu_group(c, "2xrtx3090", o), UsageError);

  const auto adhoc = resolve_gpu_group(c, "24GB@936GBps");
  REQUIRE(adhoc.gpus.size() == 1);
  CHECK(adhoc.gpus[0].memory_bytes == 24000000000ULL);
  CHECK(adhoc.gpus[0].bandwidth_gbps == 936.0);
  CHECK(resolve_gpu_group(c, "16GiB").gpus[0].memory_bytes == 16 * k_gib);
  CHECK(resolve_gpu_group(c, "16GiB").gpus[0].bandwidth_gbps == 0.0);
  CHECK(resolve_gpu_group(c, "2x16GiB").id == "2x16GiB");
  CHECK_THROWS_AS(resolve_gpu_group(c, "24GB@fast"), UsageError);
  CHECK_THROWS_AS(resolve_gpu_group(c, "100MB"), UsageError);
  CHECK(resolve_gpu_group(c, "3090").id == "rtx3090");  // a bare number is a name

  CHECK_THROWS_AS(resolve_gpu_group(c, "cpu"), UsageError);  // needs --ram
  HostOptions host;
  host.ram_bytes = 64 * k_gib;
  const auto cpu = resolve_gpu_group(c, "cpu", {}, host);
  CHECK(cpu.gpus[0].backend == Backend::cpu);
  CHECK(cpu.gpus[0].memory_bytes == 64 * k_gib);

  DeviceOptions none;
  CHECK_THROWS_AS(resolve_gpu_group(c, "auto", none), UsageError);
  DeviceOptions detected;
  detected.detected = parse_nvidia_smi("name, memory.total [MiB], memory.free [MiB]\n"
                                       "NVIDIA GeForce RTX 3090, 24576 MiB, 11279 MiB\n"
                                       "NVIDIA GeForce RTX 3090, 24576 MiB, 3057 MiB\n");
  const auto found = resolve_gpu_group(c, "auto", detected);
  CHECK(found.id == "2xrtx3090");
  CHECK(found.budgets[1].in_use_bytes == (24576 - 3057) * k_mib);
  CHECK(found.budgets[1].usable_bytes == (3057 - 256) * k_mib);
  REQUIRE(found.budgets[1].detected);
  CHECK(found.budgets[1].detected->tool == "nvidia-smi");
}

TEST_CASE("sizes with a decimal fraction of a unit", "[hardware]") {
  CHECK(parse_size("1.5GiB", "--reserve") == 1536 * k_mib);
  CHECK(parse_size("0.25 GB", "--reserve") == 250000000ULL);
  CHECK(parse_size("2TB", "--ram") == 2000000000000ULL);
  CHECK_THROWS_AS(parse_size("1.GiB", "--reserve"), UsageError);
  CHECK_THROWS_AS(parse_size("1.5", "--reserve"), UsageError);
  CHECK_THROWS_AS(parse_size("1.1234567GiB", "--reserve"), UsageError);
}

TEST_CASE("GPU detection (--gpu auto) reads a recorded machine at a sysroot path of any length", "[hardware]") {
  // A build tree deep in the file system gives a long VRAMFIT_SYSROOT; the
  // whole path must reach /proc/meminfo's reader, not its first 64 bytes.
  std::string root = std::string(VRAMFIT_TEST_DATA_DIR) + "/machines";
  while (root.size() < 300) {
    root += "/.";
  }
  root += "/nvidia-8x3090";
  const std::string path = root + "/bin:/usr/bin:/bin";
  const char* old_path = std::getenv("PATH");
  const std::string saved_path = old_path != nullptr ? old_path : "/usr/bin:/bin";
  REQUIRE(setenv("VRAMFIT_SYSROOT", root.c_str(), 1) == 0);
  REQUIRE(setenv("PATH", path.c_str(), 1) == 0);
  const auto machine = cli::detect_machine();
  setenv("PATH", saved_path.c_str(), 1);
  unsetenv("VRAMFIT_SYSROOT");
  CHECK(machine.gpus.size() == 8);
  REQUIRE(machine.ram.has_value());
  CHECK(machine.ram->total_bytes == Bytes{16268680} * 1024);
}
