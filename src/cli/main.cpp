// vramfit: run the command line, and map what went wrong to an exit code.

#include "app.hpp"
#include "commands/commands.hpp"

#include "vramfit/support/error.hpp"
#include "vramfit/support/text.hpp"

#include <iostream>
#include <sstream>

int main(int argc, char** argv) {
  using vramfit::cli::ExitCode;
  try {
    return vramfit::cli::run_command_line(argc, argv);
  } catch (const vramfit::Error& e) {
    // Every line of a multi-line message (a catalog's problems) gets the prefix.
    // Messages may quote what a file holds: printed escaped.
    std::istringstream lines(vramfit::printable(e.what(), true));
    for (std::string line; std::getline(lines, line);) {
      std::cerr << "vramfit: error: " << line << '\n';
    }
    return static_cast<int>(ExitCode::input_error);
  } catch (const std::exception& e) {
    std::cerr << "vramfit: internal error: " << vramfit::printable(e.what()) << '\n';
    return static_cast<int>(ExitCode::internal_error);
  }
}
