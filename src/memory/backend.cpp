#include "vramfit/memory/backend.hpp"

namespace vramfit {

std::string_view name(Backend backend) noexcept {
  switch (backend) {
    case Backend::cuda:
      return "CUDA";
    case Backend::rocm:
      return "ROCm";
    case Backend::vulkan:
      return "Vulkan";
    case Backend::metal:
      return "Metal";
    case Backend::sycl:
      return "SYCL";
    case Backend::cpu:
      return "CPU";
  }
  return "CPU";
}

}  // namespace vramfit
