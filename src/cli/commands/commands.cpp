#include "commands/commands.hpp"

#include <array>

namespace vramfit::cli {

std::span<const Command* const> commands() {
  static const std::array k_commands{&k_fit_command,  &k_check_command,       &k_max_context_command,
                                     &k_plot_command, &k_verify_command,      &k_inspect_command,
                                     &k_list_command, &k_catalog_add_command, &k_catalog_validate_command};
  return k_commands;
}

}  // namespace vramfit::cli
