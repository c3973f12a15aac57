#include "session.hpp"

#include "file_source.hpp"

#include "vramfit/support/error.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <unistd.h>

namespace vramfit::cli {

// The user's catalog directory: $XDG_CONFIG_HOME/vramfit, else ~/.config/vramfit.
std::string user_catalog_dir() {
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg != nullptr && *xdg == '/') {
    return std::string(xdg) + "/vramfit";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home == '/') {
    return std::string(home) + "/.config/vramfit";
  }
  return {};
}

std::vector<std::string> Session::catalog_paths() const {
  // Later files override earlier ones entry by entry: the embedded catalog,
  // then the user's directory (*.json by name), VRAMFIT_CATALOG, --catalog.
  std::vector<std::string> paths;
  if (!m_args.no_builtin_catalog) {
    const auto dir = user_catalog_dir();
    std::error_code ec;
    if (!dir.empty() && std::filesystem::is_directory(dir, ec)) {
      std::vector<std::string> found;
      for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        if (entry.path().extension() == ".json" && entry.is_regular_file(ec)) {
          found.push_back(entry.path().string());
        }
        if (found.size() >= 64) {
          break;
        }
      }
      std::sort(found.begin(), found.end());
      paths.insert(paths.end(), found.begin(), found.end());
    }
  }
  if (const auto env = environment("VRAMFIT_CATALOG")) {
    std::stringstream list(*env);
    for (std::string item; std::getline(list, item, ':');) {
      if (!item.empty()) {
        paths.push_back(item);
      }
    }
  }
  paths.insert(paths.end(), m_args.catalogs.begin(), m_args.catalogs.end());
  return paths;
}

const Catalog& Session::catalog(const std::vector<std::string>& extra_files) {
  if (m_catalog) {
    return *m_catalog;
  }
  m_paths = catalog_paths();
  m_paths.insert(m_paths.end(), extra_files.begin(), extra_files.end());
  m_texts.clear();
  m_texts.reserve(m_paths.size());  // the documents point into these strings: no reallocation
  std::vector<CatalogText> documents;
  if (!m_args.no_builtin_catalog) {
    documents.assign(embedded_catalog_texts().begin(), embedded_catalog_texts().end());
  }
  for (const auto& path : m_paths) {
    m_texts.push_back(read_text_file(path, "catalog file"));
    documents.push_back(CatalogText{path, m_texts.back()});
  }
  m_catalog = load_catalog(documents);
  return *m_catalog;
}

RenderContext Session::render_context(bool catalog_used) const {
  RenderContext ctx;
  ctx.format = m_args.format;
  ctx.units = m_args.units;
  ctx.wide = m_args.wide;
  ctx.color = m_args.format == Format::table && isatty(STDOUT_FILENO) == 1 && std::getenv("NO_COLOR") == nullptr;
  ctx.catalog_loaded = catalog_used && m_catalog.has_value();
  const auto paths = m_catalog ? m_paths : catalog_paths();
  ctx.catalog_origin = m_args.no_builtin_catalog ? "user" : paths.empty() ? "embedded" : "embedded+user";
  ctx.catalog_version = m_catalog ? m_catalog->version : std::string{};
  ctx.catalog_files = paths;
  return ctx;
}

std::optional<std::string> Session::environment(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::optional<std::string>(v) : std::nullopt;
}

std::string Session::read_stdin(const char* what) {
  constexpr std::size_t k_max = std::size_t{16} * 1024 * 1024;
  std::string text;
  char buffer[65536];
  while (std::cin.read(buffer, sizeof buffer) || std::cin.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(std::cin.gcount()));
    if (text.size() > k_max) {
      throw InputError(std::string("standard input: ") + what + " is larger than 16 MiB");
    }
  }
  return text;
}

}  // namespace vramfit::cli
