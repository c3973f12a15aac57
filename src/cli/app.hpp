#pragma once

// The command line: the command table (commands/) turned into a CLI11 app,
// parsed, and the chosen command run.

#include "args.hpp"

#include <string>

namespace vramfit::cli {

struct Command;

/// A parsed command line: the command to run with its typed arguments, or
/// text to print and exit 0 (--help, --version).
struct ParsedCommandLine {
  const Command* command = nullptr;  ///< null when `finished`
  Args args;
  bool finished = false;
  std::string output;  ///< help or version text
};

/// Parses the arguments against the command table. Throws UsageError (exit 2)
/// for anything malformed; CLI11's own errors are translated, never passed through.
ParsedCommandLine parse_command_line(int argc, const char* const* argv);

/// Parses the arguments, runs the command, returns its exit code. Throws
/// vramfit::Error (exit 2) for bad input.
int run_command_line(int argc, const char* const* argv);

}  // namespace vramfit::cli
