// One verdict for CI: exit 0 when every configuration fits, 1 when one does not.

#include "commands/commands.hpp"
#include "options.hpp"
#include "request.hpp"

#include "vramfit/input/parse.hpp"
#include "vramfit/support/error.hpp"

#include <iostream>

namespace vramfit::cli {
namespace {

void setup(CLI::App& app, Args& a) {
  add_report_options(app, a, true);
  app.add_option_function<std::string>(
         "--min-headroom", [&a](const std::string& v) { a.min_headroom = parse_size(v, "--min-headroom"); },
         "Fail (exit 1) unless each configuration fits with this much to spare (1GiB)")
      ->type_name("SIZE");
}

ExitCode run(const Args& a, Session& session) {
  check_common(a);
  auto request = make_request(a);
  if (request.quants.empty() && !request.file) {
    throw UsageError("check: --quant is required (one verdict needs one quantization)");
  }
  request.with_ladder = false;
  request.with_concurrency = true;
  request.min_headroom_bytes = a.min_headroom;
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

  vramfit check --model qwen3-8b --gpu rtx4090 --quant Q8_0 --min-headroom 1GiB --format github

Exit codes: 0 every configuration fits (with --min-headroom to spare), 1 one does not, 2 usage or
input error. --format github prints ::error / ::warning / ::notice annotations for GitHub Actions.)",
                              setup, run};

}  // namespace vramfit::cli
