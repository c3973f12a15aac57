#pragma once

// The command table: each subcommand is one entry, with its options, its help
// and what it runs, in a file of its own (commands/<name>.cpp). The app
// (app.cpp) builds the command line from this table and nothing else.

#include "args.hpp"
#include "session.hpp"

#include "vramfit/plan/report.hpp"

#include <CLI/CLI.hpp>

#include <span>
#include <string_view>
#include <vector>

namespace vramfit::cli {

/// Exit codes: 0 ok (check: everything fits; verify: every term in range), 1 a
/// checked configuration does not fit (verify: a term outside its range), 2
/// usage, input or catalog error, 3 internal error.
enum class ExitCode : int { ok = 0, does_not_fit = 1, input_error = 2, internal_error = 3 };

/// Writes a command's output to stdout: text from files never reaches the
/// terminal raw (control characters and invalid UTF-8 become \xNN; vramfit's
/// own colour sequences stay).
void write_output(std::string_view text);

/// Writes a report's warnings to stderr ("vramfit: warning: ..."), escaped.
void write_warnings(const std::vector<Warning>& warnings);

struct Command {
  std::string_view path;     ///< "" for the main job, "check", "catalog add"
  std::string_view summary;  ///< one line, for the parent's help
  std::string_view footer;   ///< examples and notes for its own --help
  void (*setup)(CLI::App& app, Args& args);
  ExitCode (*run)(const Args& args, Session& session);
};

/// Every command, the main job first.
std::span<const Command* const> commands();

extern const Command k_fit_command;
extern const Command k_check_command;
extern const Command k_max_context_command;
extern const Command k_plot_command;
extern const Command k_verify_command;
extern const Command k_inspect_command;
extern const Command k_list_command;
extern const Command k_catalog_add_command;
extern const Command k_catalog_validate_command;

}  // namespace vramfit::cli
