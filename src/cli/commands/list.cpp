// What the catalog holds.

#include "commands/commands.hpp"
#include "options.hpp"

#include "vramfit/support/error.hpp"

#include <iostream>

namespace vramfit::cli {
namespace {

void setup(CLI::App& app, Args& a) {
  app.add_option_function<std::string>(
         "what",
         [&a](const std::string& what) {
           if (what == "models") {
             a.list_what = ListKind::models;
           } else if (what == "gpus") {
             a.list_what = ListKind::gpus;
           } else if (what == "quants") {
             a.list_what = ListKind::quants;
           } else if (what == "cache-types") {
             a.list_what = ListKind::cache_types;
           } else {
             throw UsageError("list: '" + what.substr(0, 32) + "' must be models, gpus, quants or cache-types");
           }
         },
         "What to list")
      ->required()
      ->type_name("{models,gpus,quants,cache-types}");
  add_output_options(app, a);
  add_catalog_options(app, a);
}

ExitCode run(const Args& a, Session& session) {
  check_common(a);
  const auto& catalog = session.catalog();
  write_output(render_list(catalog, a.list_what, session.render_context(true)));
  return ExitCode::ok;
}

}  // namespace

const Command k_list_command{"list", "What the catalog holds: models, gpus, quants or cache-types",
                             R"(Examples:
  vramfit list gpus
  vramfit list models --format json
  vramfit --catalog my-models.json list models)",
                             setup, run};

}  // namespace vramfit::cli
