// A GGUF file's architecture, tensor types and layer layout; no catalog.

#include "vramfit/plan/inspect.hpp"

#include "commands/commands.hpp"
#include "file_source.hpp"
#include "options.hpp"

#include <iostream>

namespace vramfit::cli {
namespace {

void setup(CLI::App& app, Args& a) {
  app.add_option("file", a.inspect_file, "GGUF file (any part of a split file)")->required()->type_name("FILE");
  add_output_options(app, a);
}

ExitCode run(const Args& a, Session& session) {
  const auto summary = summarize_inspect(load_gguf_model(a.inspect_file));
  std::cout << render_inspect(summary, session.render_context(false));
  return ExitCode::ok;
}

}  // namespace

const Command k_inspect_command{"inspect", "Summarize a GGUF file: architecture, tensor types, layer layout",
                                R"(Examples:
  vramfit inspect Qwen3-8B-Q4_K_M.gguf
  vramfit inspect model-00001-of-00003.gguf --format json

Only the header is read; every part of a split file is found and summed.)",
                                setup, run};

}  // namespace vramfit::cli
