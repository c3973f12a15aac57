// One verdict for CI: exit 0 when every configuration fits, 1 when one does not.

#include "commands/commands.hpp"
#include "options.hpp"
#include "request.hpp"

#include "vramfit/support/error.hpp"

#include <iostream>

namespace vramfit::cli {
namespace {

void setup(CLI::App& app, Args& a) {
  add_report_options(app, a);
}

ExitCode run(const Args& a, Session& session) {
  check_common(a);
  auto request = make_request(a);
  if (request.quants.empty() && !request.file) {
    throw UsageError("check: --quant is required (one verdict needs one quantization)");
  }
  request.with_ladder = false;
  const auto report = build_report(session.catalog(), request);
  write_warnings(report.warnings);
  write_output(render_check(report, session.render_context(true)));
  return all_fit(report) ? ExitCode::ok : ExitCode::does_not_fit;
}

}  // namespace

const Command k_check_command{"check", "One verdict for CI: exit 0 if it fits, 1 if not",
                              R"(Examples:
  vramfit check --model qwen3-8b --gpu rtx3060-12gb --quant Q4_K_M --context 32k
  vramfit check --gguf model.gguf --gpu rtx4090 --context 64k --cache-type q8_0 --format json

Exit codes: 0 every configuration fits, 1 one does not, 2 usage or input error.)",
                              setup, run};

}  // namespace vramfit::cli
