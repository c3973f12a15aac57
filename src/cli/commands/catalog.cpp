// Catalog tools: an entry from a model file, and validation of catalog files.

#include "commands/commands.hpp"
#include "file_source.hpp"
#include "options.hpp"
#include "request.hpp"

#include "vramfit/input/hf_config.hpp"
#include "vramfit/support/error.hpp"

#include <iostream>

namespace vramfit::cli {
namespace {

void setup_add(CLI::App& app, Args& a) {
  app.add_option("--from-gguf", a.from_gguf, "GGUF file to describe")->type_name("FILE");
  app.add_option("--from-hf-config", a.from_hf_config, "Hugging Face config.json to describe")->type_name("FILE");
}

ExitCode run_add(const Args& a, Session&) {
  if (a.from_gguf.empty() == a.from_hf_config.empty()) {
    throw UsageError("catalog add: give one of --from-gguf FILE and --from-hf-config FILE");
  }
  if (!a.from_gguf.empty()) {
    const auto gguf = load_gguf_model(a.from_gguf);
    require_loadable(gguf);
    write_output(catalog_entry_json(gguf.model));
  } else {
    std::vector<std::string> notes;
    const auto text = read_text_file(a.from_hf_config, "config");
    write_output(catalog_entry_json(model_from_hf_config(text, a.from_hf_config, notes)));
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
