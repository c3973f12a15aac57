// The largest context that fits, per quantization, GPU and cache type.

#include "commands/commands.hpp"
#include "options.hpp"
#include "request.hpp"

#include <iostream>

namespace vramfit::cli {
namespace {

void setup(CLI::App& app, Args& a) {
  add_report_options(app, a);
}

ExitCode run(const Args& a, Session& session) {
  check_common(a);
  const auto result = build_max_context(session.catalog(), make_request(a));
  write_output(render_max_context(result, session.render_context(true)));
  return ExitCode::ok;
}

}  // namespace

const Command k_max_context_command{"max-context", "The largest context that fits, per quantization and cache type",
                                    R"(Examples:
  vramfit max-context --model qwen3.6-35b-a3b --gpu rtx4090
  vramfit max-context --model gpt-oss-20b --gpu rtx5070 --cache-type q8_0 --format csv

Without --cache-type the f16, q8_0 and q4_0 caches are compared (quantized
ones need flash attention).)",
                                    setup, run};

}  // namespace vramfit::cli
