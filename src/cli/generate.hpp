#pragma once

// Documents generated from the command line's own definition, so they cannot
// drift from it: the man page and the bash, zsh and fish completions
// (`vramfit --generate man|bash|zsh|fish`; the copies in docs/ and
// completions/ are checked against it by the tests).

#include <CLI/CLI.hpp>

#include <string>
#include <string_view>

namespace vramfit::cli {

/// `kind` is "man", "bash", "zsh" or "fish"; throws UsageError otherwise.
std::string generate_document(const CLI::App& app, std::string_view kind);

}  // namespace vramfit::cli
