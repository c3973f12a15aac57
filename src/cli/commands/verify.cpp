// Compare a llama.cpp startup log with vramfit's prediction, per device and term.

#include "vramfit/plan/verify.hpp"

#include "commands/commands.hpp"
#include "file_source.hpp"
#include "options.hpp"
#include "request.hpp"

#include "vramfit/input/llama_log.hpp"
#include "vramfit/input/parse.hpp"
#include "vramfit/support/error.hpp"

#include <iostream>

namespace vramfit::cli {
namespace {

void setup(CLI::App& app, Args& a) {
  app.add_option("log", a.log_path, "llama.cpp log file (default: standard input)")->type_name("LOG");
  add_model_options(app, a, false);
  app.add_option("-q,--quant", a.verify_quant, "The logged file's type when the log does not print it (Q4_K_M)")
      ->type_name("QUANT");
  app.add_option_function<std::string>(
         "-c,--context",
         [&a](const std::string& v) {
           a.contexts = {parse_context(v, "--context")};
           a.given.context = true;
         },
         "The run's context when the log does not print n_ctx")
      ->type_name("TOKENS");
  add_log_settings_options(app, a);
  add_host_cpu_option(app, a);
  add_output_options(app, a);
  add_catalog_options(app, a);
}

ExitCode run(const Args& a, Session& session) {
  check_common(a);
  if (!a.model.empty() && !a.gguf.empty()) {
    throw UsageError("verify: give at most one of --model and --gguf");
  }
  const bool from_stdin = a.log_path.empty() || a.log_path == "-";
  const auto text = from_stdin ? Session::read_stdin("log") : read_text_file(a.log_path, "log");
  const auto log = parse_llama_log(text);
  VerifyOptions options;
  options.settings = a.settings;
  if (!a.contexts.empty()) {
    options.settings.context_tokens = a.contexts.front();
  }
  options.given = a.given;
  options.n_cpu_moe = a.n_cpu_moe;
  options.cpu = a.host_cpu;
  if (a.verify_quant) {
    options.file_type = file_type_from_name(*a.verify_quant);
    if (!options.file_type) {
      throw UsageError("verify: --quant '" + a.verify_quant->substr(0, 32) +
                       "' is not a llama.cpp file type (Q4_K_M, Q8_0, ...)");
    }
  }
  std::vector<std::string> notes;
  bool catalog_used = false;
  if (!a.gguf.empty()) {
    auto file = load_file(a.gguf);
    options.model = std::move(file.model);
    options.file = std::move(file.weights);
    notes = std::move(file.notes);
  } else if (!a.model.empty()) {
    options.model = std::make_shared<const CatalogModel>(session.catalog().find_model(a.model));
    catalog_used = true;
  } else {
    std::string note;
    if (const auto* model = model_for_log(log, session.catalog(), note)) {
      options.model = std::make_shared<const CatalogModel>(*model);
      notes.push_back(note);
    }
    catalog_used = true;
  }
  auto result = verify_log(log, options);
  result.notes.insert(result.notes.begin(), notes.begin(), notes.end());
  write_output(render_verify(result, from_stdin ? "-" : a.log_path, session.render_context(catalog_used)));
  return result.ok ? ExitCode::ok : ExitCode::does_not_fit;
}

}  // namespace

const Command k_verify_command{"verify", "Compare a llama.cpp startup log with vramfit's prediction",
                               R"(Examples:
  llama-server -m model.gguf 2>&1 | vramfit verify --gguf model.gguf
  vramfit verify server.log --model qwen3-8b --quant Q4_K_M --context 8192

The log's own print_info, context and buffer lines rebuild the run; options
give what it does not print. A log without its architecture is matched
against the catalog.

Exit codes: 0 every term within its range, 1 a term outside it, 2 a log that
cannot be understood.)",
                               setup, run};

}  // namespace vramfit::cli
