// What the catalog holds.

#include "commands/commands.hpp"
#include "options.hpp"

#include "vramfit/input/parse.hpp"
#include "vramfit/plan/listing.hpp"
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
  app.add_option("--arch", a.list_arch, "models: only this llama.cpp architecture (qwen3moe, llama, gemma3)")
      ->type_name("ARCH");
  app.add_option("--family", a.list_family, "models: only ids or names starting with this (qwen3, gemma-3, llama-4)")
      ->type_name("PREFIX");
  app.add_option("--fits", a.list_fits, "models: only those with a quantization that fits this GPU or group")
      ->type_name("GPU");
  app.add_option_function<std::string>(
         "-c,--context",
         [&a](const std::string& v) {
           a.contexts = {parse_context(v, "--context")};
           a.given.context = true;
         },
         "with --fits: the context to fit (default 8k; native: each model's own)")
      ->type_name("TOKENS");
  app.add_option_function<std::string>(
         "--min-memory", [&a](const std::string& v) { a.list_min_memory = parse_size(v, "--min-memory"); },
         "gpus: only those with at least this much memory (16GiB, 24GB)")
      ->type_name("SIZE");
  add_output_options(app, a);
  add_catalog_options(app, a);
}

ExitCode run(const Args& a, Session& session) {
  check_common(a);
  const auto& catalog = session.catalog();
  const bool models = a.list_what == ListKind::models;
  if (!models && (!a.list_arch.empty() || !a.list_family.empty() || !a.list_fits.empty())) {
    throw UsageError("list: --arch, --family and --fits filter models");
  }
  if (a.list_what != ListKind::gpus && a.list_min_memory) {
    throw UsageError("list: --min-memory filters gpus");
  }
  if (a.given.context && a.list_fits.empty()) {
    throw UsageError("list: --context goes with --fits GPU");
  }
  ListInput in;
  in.what = a.list_what;
  if (models) {
    ModelFilter filter;
    filter.arch = a.list_arch;
    filter.family = a.list_family;
    filter.fits_gpu = a.list_fits;
    if (!a.contexts.empty()) {
      filter.context_tokens = a.contexts.front();
    }
    in.models = list_models(catalog, filter);
    in.fits_gpu = a.list_fits;
  } else if (a.list_what == ListKind::gpus) {
    GpuFilter filter;
    filter.min_memory_bytes = a.list_min_memory;
    in.gpus = list_gpus(catalog, filter);
  }
  write_output(render_list(catalog, in, session.render_context(true)));
  return ExitCode::ok;
}

}  // namespace

const Command k_list_command{"list", "What the catalog holds: models, gpus, quants or cache-types",
                             R"(Examples:
  vramfit list gpus --min-memory 24GiB
  vramfit list models --family qwen3 --format json
  vramfit list models --fits rtx4090 --context 32k
  vramfit list models --arch gemma3
  vramfit --catalog my-models.json list models

The JSON document also carries each entry's aliases and sources.)",
                             setup, run};

}  // namespace vramfit::cli
