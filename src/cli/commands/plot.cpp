// A picture: memory against context for each quantization on one GPU (SVG).

#include "commands/commands.hpp"
#include "options.hpp"
#include "request.hpp"

#include "vramfit/support/error.hpp"

#include <fstream>

namespace vramfit::cli {
namespace {

void setup(CLI::App& app, Args& a) {
  add_report_options(app, a);
  app.add_option("-o,--output", a.plot_output, "Write the SVG to FILE (default: standard output)")->type_name("FILE");
}

ExitCode run(const Args& a, Session& session) {
  check_common(a);
  if (a.format != Format::table) {
    throw UsageError("plot: the picture is SVG; use the main command for --format");
  }
  if (!a.contexts.empty()) {
    throw UsageError("plot: the contexts are the sweep from 1K to the native context; leave out --context");
  }
  auto request = make_request(a);
  if (request.gpus.size() != 1) {
    throw UsageError("plot: one --gpu (a group such as 2xrtx3090 counts as one)");
  }
  const auto& spec = request.model_spec ? request.model_spec->spec : session.catalog().find_model(request.model).spec;
  request.contexts = context_sweep(spec);
  request.with_ladder = false;
  request.with_what_if = false;
  const auto report = build_report(session.catalog(), request);
  write_warnings(report.warnings);
  const auto svg = render_plot(report, session.render_context(true));
  if (a.plot_output.empty() || a.plot_output == "-") {
    write_output(svg);
    return ExitCode::ok;
  }
  std::ofstream out(a.plot_output, std::ios::binary | std::ios::trunc);
  if (!out || !(out << svg) || !out.flush()) {
    throw InputError(a.plot_output + ": cannot write the SVG");
  }
  return ExitCode::ok;
}

}  // namespace

const Command k_plot_command{"plot", "Memory against context for each quantization, as an SVG picture",
                             R"(Examples:
  vramfit plot --model qwen3.6-35b-a3b --gpu rtx3090 --quant Q4_K_M,Q5_K_M,Q8_0 -o qwen3.6.svg
  vramfit plot --model gemma-3-27b --gpu rtx4090 --cache-type q8_0 > gemma.svg

Solid lines: the GPU's total per quantization; dotted: its weights; the red
dashed line: the GPU's usable memory; circles: each quantization's largest context.)",
                             setup, run};

}  // namespace vramfit::cli
