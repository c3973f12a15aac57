#include "app.hpp"

#include "commands/commands.hpp"
#include "generate.hpp"

#include "vramfit/support/error.hpp"
#include "vramfit/support/text.hpp"
#include "vramfit/support/version.hpp"

#include <cctype>
#include <iostream>
#include <map>

namespace vramfit::cli {
namespace {

// The app parsed deepest: the subcommand that ran, or the root.
const CLI::App* parsed_app(const CLI::App& app) {
  for (const auto* sub : app.get_subcommands()) {
    return parsed_app(*sub);
  }
  return &app;
}

// CLI11's own errors, in vramfit's words (its exit codes never leak out).
UsageError usage_error(const CLI::ParseError& e) {
  std::string what = e.what();
  if (!what.empty() && what.back() == '\n') {
    what.pop_back();
  }
  if (!what.empty()) {
    what[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(what[0])));
  }
  return UsageError(what + " (see vramfit --help)");
}

// Options given to the main job before a subcommand that does not take them.
void reject_misplaced(const CLI::App& root, const CLI::App& sub) {
  for (const auto* option : root.get_options()) {
    if (option->count() == 0) {
      continue;
    }
    const auto name = option->get_name(false, true);
    if (sub.get_option_no_throw(name) == nullptr) {
      throw UsageError(option->get_name() + ": does not apply to '" + sub.get_name() + "'");
    }
  }
}

}  // namespace

namespace {

// The command table as a CLI11 app (the parser, the man page and the completions all read this).
void build_app(CLI::App& app, Args& args, std::map<const CLI::App*, const Command*>& by_app) {
  const auto table = commands();
  const Command& main_job = *table.front();
  app.description(std::string(main_job.summary));
  app.name("vramfit");
  app.set_version_flag("--version", std::string(version()));
  app.footer(std::string(main_job.footer));
  main_job.setup(app, args);
  by_app.emplace(&app, &main_job);
  for (const auto* entry : table.subspan(1)) {
    const Command& command = *entry;
    CLI::App* parent = &app;
    std::string_view path = command.path;
    for (auto space = path.find(' '); space != std::string_view::npos; space = path.find(' ')) {
      const std::string group(path.substr(0, space));
      CLI::App* existing = nullptr;
      for (auto* candidate : parent->get_subcommands({})) {
        existing = candidate->get_name() == group ? candidate : existing;
      }
      if (existing == nullptr) {
        existing = parent->add_subcommand(group, "Catalog tools: add an entry from a file, validate catalogs");
        existing->require_subcommand(1);
      }
      parent = existing;
      path.remove_prefix(space + 1);
    }
    auto* sub = parent->add_subcommand(std::string(path), std::string(command.summary));
    sub->footer(std::string(command.footer));
    command.setup(*sub, args);
    by_app.emplace(sub, &command);
  }
}

}  // namespace

ParsedCommandLine parse_command_line(int argc, const char* const* argv) {
  ParsedCommandLine out;
  Args& args = out.args;
  CLI::App app;
  std::map<const CLI::App*, const Command*> by_app;
  build_app(app, args, by_app);
  // `vramfit --generate man|bash|zsh|fish`: documents made from this very app
  // (not an option of the app, so --help does not list it).
  if (argc >= 2 && std::string_view(argv[1]) == "--generate") {
    if (argc != 3) {
      throw UsageError("--generate takes one of man, bash, zsh, fish");
    }
    out.finished = true;
    out.output = generate_document(app, argv[2]);
    return out;
  }
  app.require_subcommand(0, 1);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    out.finished = true;
    out.output = parsed_app(app)->help();
    return out;
  } catch (const CLI::CallForAllHelp&) {
    out.finished = true;
    out.output = app.help("", CLI::AppFormatMode::All);
    return out;
  } catch (const CLI::CallForVersion&) {
    out.finished = true;
    out.output = "vramfit " + std::string(version()) + "\n";
    return out;
  } catch (const CLI::ParseError& e) {
    throw usage_error(e);
  }
  const auto* ran = parsed_app(app);
  const auto it = by_app.find(ran);
  if (it == by_app.end()) {
    throw UsageError("'" + ran->get_name() + "' needs a subcommand (see vramfit " + ran->get_name() + " --help)");
  }
  if (ran != &app) {
    reject_misplaced(app, *ran);
  }
  out.command = it->second;
  return out;
}

void write_output(std::string_view text) {
  std::cout << printable_output(text);
}

void write_warnings(const std::vector<Warning>& warnings) {
  for (const auto& w : warnings) {
    std::cerr << "vramfit: warning: " << printable(w.message) << '\n';
  }
}

int run_command_line(int argc, const char* const* argv) {
  const auto parsed = parse_command_line(argc, argv);
  if (parsed.finished) {
    write_output(parsed.output);
    return static_cast<int>(ExitCode::ok);
  }
  Session session(parsed.args);
  return static_cast<int>(parsed.command->run(parsed.args, session));
}

}  // namespace vramfit::cli
