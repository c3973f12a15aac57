#pragma once

// The option groups commands share, bound to typed Args. Values are parsed
// by the library's parsers (vramfit/input/parse.hpp) as CLI11 reads them, so
// a bad value is reported once, in one wording, naming the option.

#include "args.hpp"

#include <CLI/CLI.hpp>

namespace vramfit::cli {

/// --model, --gguf and (with `hf_config`) --hf-config.
void add_model_options(CLI::App& app, Args& a, bool hf_config);
/// --gpu, --quant, --all-quants and --context.
void add_selection_options(CLI::App& app, Args& a);
/// --ladder and --no-ladder.
void add_ladder_options(CLI::App& app, Args& a);
/// The settings verify can also take from a log: --context, the cache types,
/// --flash-attn, --parallel, --ubatch-size, --n-cpu-moe.
void add_log_settings_options(CLI::App& app, Args& a);
/// --host-cpu and --no-repack: the CPU class of the host's extra buffers.
void add_host_cpu_option(CLI::App& app, Args& a);
/// Everything else about how the engine runs: --batch-size, --kv-unified,
/// --swa-full, --engine, --gpu-memory-utilization, -ngl, --host-bandwidth,
/// --ram, --host-cpu, --wired-limit-mb.
void add_run_options(CLI::App& app, Args& a);
/// --format and --units.
void add_output_options(CLI::App& app, Args& a, bool github = false);
/// --catalog and --no-builtin-catalog.
void add_catalog_options(CLI::App& app, Args& a);

/// What fit, check and max-context take: the model, GPUs, quants, contexts,
/// every setting, output and catalog.
void add_report_options(CLI::App& app, Args& a, bool github = false);

/// Checks what no single option can: --no-builtin-catalog needs a --catalog;
/// --gpu-memory-utilization needs an engine that reads it; the settings
/// together are ones llama.cpp accepts. Throws UsageError.
void check_common(const Args& a);

}  // namespace vramfit::cli
