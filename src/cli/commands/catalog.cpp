// Catalog tools: an entry from a model file, and validation of catalog files.

#include "commands/commands.hpp"
#include "file_source.hpp"
#include "options.hpp"
#include "request.hpp"

#include "vramfit/input/hf_config.hpp"
#include "vramfit/support/error.hpp"

#include <algorithm>
#include <iostream>

namespace vramfit::cli {
namespace {

void setup_add(CLI::App& app, Args& a) {
  app.add_option("--from-gguf", a.from_gguf, "GGUF file to describe")->type_name("FILE");
  app.add_option("--from-hf-config", a.from_hf_config, "Hugging Face config.json to describe")->type_name("FILE");
  app.add_option("--id", a.entry_id, "The entry's id (lower-case letters, digits, . - _ +; default: from the file)")
      ->type_name("ID");
  app.add_option("--name", a.entry_name, "The entry's display name (default: the file's own)")->type_name("NAME");
  app.add_option("--hf-repo", a.entry_hf_repo, "The Hugging Face repo it comes from (also an alias)")
      ->type_name("OWNER/NAME");
}

// The entry with the names given on the command line.
CatalogModel named(CatalogModel model, const Args& a) {
  if (!a.entry_id.empty()) {
    const bool ok =
        a.entry_id.size() <= 128 && std::all_of(a.entry_id.begin(), a.entry_id.end(), [](char c) {
          return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '+';
        });
    if (!ok) {
      throw UsageError("catalog add: --id '" + a.entry_id.substr(0, 64) +
                       "' must be lower-case letters, digits, '.', '-', '_' or '+'");
    }
    model.spec.id = a.entry_id;
  }
  if (!a.entry_name.empty()) {
    model.spec.name = a.entry_name.substr(0, 256);
  }
  if (!a.entry_hf_repo.empty()) {
    model.hf_repo = a.entry_hf_repo.substr(0, 256);
  }
  return model;
}

ExitCode run_add(const Args& a, Session&) {
  if (a.from_gguf.empty() == a.from_hf_config.empty()) {
    throw UsageError("catalog add: give one of --from-gguf FILE and --from-hf-config FILE");
  }
  if (!a.from_gguf.empty()) {
    const auto gguf = load_gguf_model(a.from_gguf);
    require_loadable(gguf);
    write_output(catalog_entry_json(named(gguf.model, a)));
  } else {
    std::vector<std::string> notes;
    const auto text = read_text_file(a.from_hf_config, "config");
    write_output(catalog_entry_json(named(model_from_hf_config(text, a.from_hf_config, notes), a)));
  }
  return ExitCode::ok;
}

void setup_validate(CLI::App& app, Args& a) {
  app.add_option("files", a.validate_files, "catalog files (default: the embedded catalog)")->type_name("FILE");
  add_catalog_options(app, a);
}

ExitCode run_validate(const Args& a, Session& session) {
  check_common(a);
  // The files to check come after the catalogs they extend.
  const auto& catalog = session.catalog(a.validate_files);
  write_output("ok: " + std::to_string(catalog.models.size()) + " models, " + std::to_string(catalog.quants.size()) +
               " quants, " + std::to_string(catalog.gpus.size()) + " GPUs in " +
               std::to_string(catalog.origins.size()) + " documents\n");
  return ExitCode::ok;
}

}  // namespace

const Command k_catalog_add_command{"catalog add", "Print a catalog entry for a GGUF file or a config.json",
                                    R"(Examples:
  vramfit catalog add --from-hf-config config.json > my-models.json
  vramfit --catalog my-models.json list models)",
                                    setup_add, run_add};

const Command k_catalog_validate_command{"catalog validate", "Check catalogs; list every problem (exit 2 on any)",
                                         R"(Examples:
  vramfit catalog validate my-models.json)",
                                         setup_validate, run_validate};

}  // namespace vramfit::cli
