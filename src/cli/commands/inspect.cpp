// A GGUF file's architecture, tensor types and layer layout; no catalog.

#include "vramfit/plan/inspect.hpp"

#include "commands/commands.hpp"
#include "file_source.hpp"
#include "options.hpp"
#include "request.hpp"

#include <iostream>

namespace vramfit::cli {
namespace {

void setup(CLI::App& app, Args& a) {
  app.add_option("file", a.inspect_file, "GGUF file (any part of a split file)")->required()->type_name("FILE");
  add_output_options(app, a);
}

ExitCode run(const Args& a, Session& session) {
  const auto gguf = load_gguf_model(a.inspect_file);
  // What was read is printed either way; a file llama.cpp refuses then fails.
  write_output(render_inspect(summarize_inspect(gguf), session.render_context(false)));
  require_loadable(gguf);
  return ExitCode::ok;
}

}  // namespace

const Command k_inspect_command{"inspect", "Summarize a GGUF file: architecture, tensor types, layer layout",
                                R"(Examples:
  vramfit inspect Qwen3-8B-Q4_K_M.gguf
  vramfit inspect model-00001-of-00003.gguf --format json

Only the header is read; every part of a split file is found and summed.
A file llama.cpp would refuse (wrong key types, tensor names over 63 bytes,
shapes or tensors the hyper-parameters contradict, a vocabulary that does
not match token_embd) is summarized, then reported, with exit code 2.)",
                                setup, run};

}  // namespace vramfit::cli
