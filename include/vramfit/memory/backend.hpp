#pragma once

// The ggml backends vramfit knows: who computes on a device, which decides
// its compute-buffer and speed rules.

#include <cstdint>
#include <string_view>

namespace vramfit {

/// The ggml backend a device runs with.
enum class Backend : std::uint8_t { cuda, rocm, vulkan, metal, sycl, cpu };

/// llama.cpp's name for a backend family ("CUDA", "ROCm", "Metal").
std::string_view name(Backend backend) noexcept;

}  // namespace vramfit
