#pragma once

// Command-line parsing: argv in, a validated Options out. No domain logic.

#include "vramfit/plan/report.hpp"

#include <string>
#include <vector>

namespace vramfit::cli {

enum class Command { fit, check, list, inspect, catalog_add, catalog_validate, verify, max_context };
enum class Format { table, markdown, csv, json };
enum class SizeUnit { binary, decimal };  ///< GiB (2^30) or GB (10^9)

struct Options {
  Command command = Command::fit;
  std::string list_what;              ///< list: models | gpus | quants | cache-types
  std::string gguf_path;              ///< --gguf, or inspect's file, or catalog add --from-gguf
  std::string hf_config_path;         ///< --hf-config, or catalog add --from-hf-config
  std::vector<std::string> validate_files;  ///< catalog validate FILE...
  std::string log_path;               ///< verify: the log file, or "-" / empty for standard input
  /// Settings given on the command line (verify takes the rest from the log).
  struct Given {
    bool context = false, type_k = false, type_v = false, flash_attn = false, n_seq = false, n_ubatch = false;
  } given;
  std::vector<std::string> catalogs;  ///< --catalog files, in order
  bool builtin_catalog = true;        ///< false: --no-builtin-catalog, only the given files
  Request request;
  Format format = Format::table;
  SizeUnit units = SizeUnit::binary;
};

/// The result of parsing: either options to run, or text to print and exit 0
/// (--help, --version).
struct ParsedCommandLine {
  bool finished = false;  ///< help or version was printed into `output`
  std::string output;
  Options options;
};

/// Parses the command line. Throws UsageError (exit 2) for anything malformed;
/// CLI11's own errors are translated, never passed through.
ParsedCommandLine parse_command_line(int argc, const char* const* argv);

} // namespace vramfit::cli
