// The main job: a fit table (one GPU) or GPU matrix (several), with offload
// plans, the what-if ladder and the context ladder.

#include "commands/commands.hpp"
#include "options.hpp"
#include "request.hpp"

#include <iostream>

namespace vramfit::cli {
namespace {

void setup(CLI::App& app, Args& a) {
  add_report_options(app, a);
  add_ladder_options(app, a);
}

ExitCode run(const Args& a, Session& session) {
  check_common(a);
  auto request = make_request(a);
  request.with_concurrency = true;
  const auto report = build_report(session.catalog(), request);
  write_warnings(report.warnings);
  write_output(render_fit(report, session.render_context(true)));
  return ExitCode::ok;
}

}  // namespace

const Command k_fit_command{"", "vramfit: does this model, at this quantization and context, fit on this GPU?",
                            R"(Examples:
  vramfit --model qwen3.6-35b-a3b --gpu rtx3090
  vramfit --model qwen3.6-35b-a3b --gpu rtx4090,rtx3090,m4-pro-24gb --cache-type q8_0
  vramfit --model qwen3-32b --gpu 2xrtx3090 --context 32k --ram 64GiB
  vramfit --gguf Qwen3-8B-Q4_K_M.gguf --gpu rtx4060ti-16gb --context 32k
  vramfit --hf-config config.json --quant Q4_K_M --gpu rtx3090
  vramfit check --model qwen3-8b --gpu rtx3060-12gb --quant Q4_K_M --context 32k
  vramfit max-context --model qwen3.6-35b-a3b --gpu rtx4090
  vramfit inspect model-00001-of-00003.gguf
  llama-server -m model.gguf 2>&1 | vramfit verify --gguf model.gguf
  vramfit catalog add --from-hf-config config.json > my-models.json
  vramfit list gpus
Each command lists its own options: vramfit check --help.

Sizes: weights, KV cache and recurrent state are exact (ggml arithmetic);
compute buffer and backend scratch are estimates (see docs/ESTIMATES.md).

Exit codes:
  0  ok; for check: every configuration fits; for verify: every term in range
  1  check: a configuration does not fit; verify: a term outside its range
  2  usage, input or catalog error (message on stderr)
  3  internal error

Environment:
  VRAMFIT_CATALOG  colon-separated catalog files merged after the embedded one
  OLLAMA_*         with --engine ollama: the variables Ollama reads
  NO_COLOR         disables colour)",
                            setup, run};

}  // namespace vramfit::cli
