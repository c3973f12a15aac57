#include "vramfit/support/provenance.hpp"

namespace vramfit {

std::string_view name(Provenance p) noexcept {
  switch (p) {
    case Provenance::exact:
      return "exact";
    case Provenance::published:
      return "published";
    case Provenance::estimate:
      return "estimate";
  }
  return "estimate";
}

}  // namespace vramfit
