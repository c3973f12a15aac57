#pragma once

// What a command may need from outside the library: the catalog (loaded on
// first use, so commands that do not need it never read it), the
// environment, standard input, and how to render for this terminal.

#include "args.hpp"

#include "vramfit/input/catalog.hpp"

#include <optional>
#include <string>
#include <vector>

namespace vramfit::cli {

class Session {
public:
  explicit Session(const Args& args) : m_args(args) {}

  /// The embedded catalog (unless --no-builtin-catalog), then VRAMFIT_CATALOG's
  /// files, then --catalog's, then `extra_files`; loaded once.
  const Catalog& catalog(const std::vector<std::string>& extra_files = {});
  /// The render context for this run; `catalog_used` says whether the output may name the catalog.
  RenderContext render_context(bool catalog_used) const;
  /// An environment variable's value, whole (paths such as VRAMFIT_SYSROOT are
  /// often longer than any cut), empty ones as absent. Messages that echo a
  /// value cut it themselves.
  static std::optional<std::string> environment(const char* name);
  /// Standard input, at most 16 MiB.
  static std::string read_stdin(const char* what);

private:
  std::vector<std::string> catalog_paths() const;

  const Args& m_args;
  std::optional<Catalog> m_catalog;
  std::vector<std::string> m_texts;  ///< the files' text the catalog documents point into
  std::vector<std::string> m_paths;
};

}  // namespace vramfit::cli
