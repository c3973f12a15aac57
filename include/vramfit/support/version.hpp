#pragma once

#include <string_view>

namespace vramfit {

/// The library's version, "MAJOR.MINOR.PATCH"; the CLI prints it for --version.
std::string_view version() noexcept;

}  // namespace vramfit
