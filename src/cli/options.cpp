#include "options.hpp"

#include "vramfit/support/error.hpp"
#include "vramfit/model/ggml_type.hpp"
#include "vramfit/input/parse.hpp"
#include "vramfit/support/version.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdlib>
#include <cctype>
#include <limits>

namespace vramfit::cli {
namespace {

constexpr const char* k_footer = R"(Examples:
  vramfit --model qwen3.6-35b-a3b --gpu rtx3090
  vramfit --model qwen3.6-35b-a3b --gpu rtx4090,rtx3090,m4-pro-24gb --cache-type q8_0
  vramfit check --model qwen3-8b --gpu rtx3060-12gb --quant Q4_K_M --context 32k
  vramfit max-context --model qwen3.6-35b-a3b --gpu rtx4090
  vramfit --model qwen3-32b --gpu 2xrtx3090 --context 32k --ram 64GiB
  vramfit --gguf Qwen3-8B-Q4_K_M.gguf --gpu rtx4060ti-16gb --context 32k
  vramfit --hf-config config.json --quant Q4_K_M --gpu rtx3090
  vramfit inspect model-00001-of-00003.gguf
  llama-server -m model.gguf 2>&1 | vramfit verify --gguf model.gguf
  vramfit catalog add --from-hf-config config.json > my-models.json
  vramfit list gpus

Sizes: weights, KV cache and recurrent state are exact (ggml arithmetic);
compute buffer and backend scratch are estimates (see docs/ESTIMATES.md).

Exit codes:
  0  ok; for check: every configuration fits
  1  check: a configuration does not fit
  2  usage, input or catalog error (message on stderr)
  3  internal error

Environment:
  VRAMFIT_CATALOG  colon-separated catalog files merged after the embedded one
  NO_COLOR         disables colour)";

struct Raw {
  std::string model;
  std::vector<std::string> gpus;
  std::vector<std::string> quants;
  std::vector<std::string> contexts;
  std::string cache_type;
  std::string cache_type_k;
  std::string cache_type_v;
  std::string flash_attn;
  std::string ubatch;
  std::string batch;
  std::string parallel;
  std::string n_cpu_moe;
  std::string engine;
  std::string host_bandwidth;
  std::string gpu_memory_utilization;
  std::string n_gpu_layers;
  std::string ram;
  std::string wired_limit_mb;
  std::vector<std::string> ladder;
  bool kv_unified = false;
  bool swa_full = false;
  bool all_quants = false;
  bool no_ladder = false;
  std::string format = "table";
  std::string units = "gib";
  std::vector<std::string> catalogs;
  bool no_builtin_catalog = false;
  std::string list_what;
  std::string gguf;
  std::string hf_config;
  std::string inspect_file;
  std::string from_gguf;
  std::string from_hf_config;
  std::vector<std::string> validate_files;
  std::string log_path;
};

void add_run_options(CLI::App& app, Raw& raw) {
  app.add_option("-m,--model", raw.model, "Catalog model id (vramfit list models)");
  app.add_option("--gguf", raw.gguf, "A GGUF model file (any part of a split file): its own tensors and metadata");
  app.add_option("--hf-config", raw.hf_config, "A Hugging Face config.json: the architecture, sized per --quant");
  app.add_option("-g,--gpu", raw.gpus, "GPU id; repeat or comma-separate for a matrix (vramfit list gpus)");
  app.add_option("-q,--quant", raw.quants, "Quantizations to show (default: the standard set)");
  app.add_option("-c,--context", raw.contexts, "Context tokens: 8192, 8k, 32K, native; lists allowed (default 8k)");
  app.add_option("--cache-type", raw.cache_type, "KV cache type for both K and V (f16, q8_0, q4_0, ...)");
  app.add_option("--cache-type-k", raw.cache_type_k, "KV cache type for K (default f16)");
  app.add_option("--cache-type-v", raw.cache_type_v, "KV cache type for V (default f16)");
  app.add_option("--flash-attn", raw.flash_attn, "Flash attention: on or off (default on)");
  app.add_option("--ubatch-size", raw.ubatch, "Physical batch size n_ubatch (default 512)");
  app.add_option("--batch-size", raw.batch, "Logical batch size n_batch (default 2048)");
  app.add_option("--parallel", raw.parallel, "Parallel sequences n_seq_max (default 1)");
  app.add_option("--engine", raw.engine, "llama.cpp (default), llama-server, ollama or vllm: their defaults and rules");
  app.add_option("--gpu-memory-utilization", raw.gpu_memory_utilization, "vllm: fraction of GPU memory (default 0.9)");
  app.add_option("--ngl,--n-gpu-layers", raw.n_gpu_layers, "Blocks on the GPU(s), as llama.cpp's -ngl (default: all)");
  app.add_option("--n-cpu-moe", raw.n_cpu_moe, "Keep the expert tensors of the first N layers in system memory");
  app.add_option("--host-bandwidth", raw.host_bandwidth, "System memory bandwidth in GB/s for offloaded weights (default 60, assumed)");
  app.add_option("--ram", raw.ram, "The host's system memory (24GiB, 64GB): checks what stays in RAM");
  app.add_option("--wired-limit-mb", raw.wired_limit_mb, "Apple: macOS iogpu.wired_limit_mb (replaces the Metal working-set limit)");
  app.add_flag("--kv-unified", raw.kv_unified, "One KV cache shared by all sequences");
  app.add_flag("--swa-full", raw.swa_full, "Sliding-window layers keep the full context");
  app.add_flag("--all-quants", raw.all_quants, "Show every quantization that applies, not only the standard set");
  app.add_option("--ladder", raw.ladder, "Contexts of the KV ladder (default 8k,16k,32k,native)");
  app.add_flag("--no-ladder", raw.no_ladder, "Do not print the context ladder");
}

void add_output_options(CLI::App& app, Raw& raw) {
  app.add_option("-f,--format", raw.format, "Output format: table, markdown, csv or json (default table)");
  app.add_option("--units", raw.units, "Units for humans: gib (2^30 bytes) or gb (10^9 bytes) (default gib)");
  app.add_option("--catalog", raw.catalogs, "Catalog file merged over the embedded one (repeatable)");
  app.add_flag("--no-builtin-catalog", raw.no_builtin_catalog, "Use only the --catalog files, not the embedded catalog");
}

std::vector<std::string> split_names(const std::vector<std::string>& items, std::string_view option) {
  std::vector<std::string> out;
  for (const auto& item : items) {
    for (auto& name : parse_name_list(item, option)) {
      out.push_back(std::move(name));
    }
  }
  return out;
}

GgmlType cache_type(const std::string& text, std::string_view option) {
  if (const auto t = kv_cache_type_from_name(text)) {
    return *t;
  }
  std::string list;
  for (const auto t : kv_cache_types()) {
    list += (list.empty() ? "" : " ") + lower_name(t);
  }
  throw UsageError(std::string(option) + ": '" + text.substr(0, 32) + "' is not a cache type (" + list + ")");
}

Options finish(const Raw& raw, Command command) {
  Options o;
  o.command = command;
  o.list_what = raw.list_what;
  o.gguf_path = command == Command::inspect ? raw.inspect_file : command == Command::catalog_add ? raw.from_gguf : raw.gguf;
  o.hf_config_path = command == Command::catalog_add ? raw.from_hf_config : raw.hf_config;
  o.validate_files = raw.validate_files;
  o.log_path = raw.log_path;
  o.given.context = !raw.contexts.empty();
  o.given.type_k = !raw.cache_type.empty() || !raw.cache_type_k.empty();
  o.given.type_v = !raw.cache_type.empty() || !raw.cache_type_v.empty();
  o.given.flash_attn = !raw.flash_attn.empty();
  o.given.n_seq = !raw.parallel.empty();
  o.given.n_ubatch = !raw.ubatch.empty();
  o.catalogs = raw.catalogs;
  o.builtin_catalog = !raw.no_builtin_catalog;
  if (!o.builtin_catalog && raw.catalogs.empty()) {
    throw UsageError("--no-builtin-catalog needs at least one --catalog file");
  }
  if (raw.format == "table") {
    o.format = Format::table;
  } else if (raw.format == "markdown" || raw.format == "md") {
    o.format = Format::markdown;
  } else if (raw.format == "csv") {
    o.format = Format::csv;
  } else if (raw.format == "json") {
    o.format = Format::json;
  } else {
    throw UsageError("--format: '" + raw.format.substr(0, 32) + "' must be table, markdown, csv or json");
  }
  if (raw.units == "gib") {
    o.units = SizeUnit::binary;
  } else if (raw.units == "gb") {
    o.units = SizeUnit::decimal;
  } else {
    throw UsageError("--units: '" + raw.units.substr(0, 32) + "' must be gib or gb");
  }

  auto& r = o.request;
  r.model = raw.model;
  r.gpus = split_names(raw.gpus, "--gpu");
  r.quants = split_names(raw.quants, "--quant");
  r.all_quants = raw.all_quants;
  for (const auto& c : raw.contexts) {
    for (const auto tokens : parse_context_list(c, "--context")) {
      r.contexts.push_back(tokens);
    }
  }
  for (const auto& c : raw.ladder) {
    for (const auto tokens : parse_context_list(c, "--ladder")) {
      r.ladder.push_back(tokens);
    }
  }
  r.with_ladder = !raw.no_ladder;
  auto& s = r.settings;
  if (!r.contexts.empty()) {
    s.context_tokens = r.contexts.front();
  }
  if (!raw.cache_type.empty()) {
    s.type_k = s.type_v = cache_type(raw.cache_type, "--cache-type");
  }
  if (!raw.cache_type_k.empty()) {
    s.type_k = cache_type(raw.cache_type_k, "--cache-type-k");
  }
  if (!raw.cache_type_v.empty()) {
    s.type_v = cache_type(raw.cache_type_v, "--cache-type-v");
  }
  if (!raw.flash_attn.empty()) {
    s.flash_attn = parse_switch(raw.flash_attn, "--flash-attn");
  }
  if (!raw.ubatch.empty()) {
    s.n_ubatch = static_cast<std::uint32_t>(parse_count(raw.ubatch, "--ubatch-size", 1U << 20));
  }
  if (!raw.batch.empty()) {
    s.n_batch = static_cast<std::uint32_t>(parse_count(raw.batch, "--batch-size", 1U << 20));
  }
  if (!raw.parallel.empty()) {
    s.n_seq = static_cast<std::uint32_t>(parse_count(raw.parallel, "--parallel", 256));
  }
  s.kv_unified = raw.kv_unified;
  s.swa_full = raw.swa_full;
  if (!raw.engine.empty()) {
    const auto e = engine_from_name(raw.engine);
    if (!e) {
      throw UsageError("--engine: '" + raw.engine.substr(0, 32) + "' must be llama.cpp, llama-server, ollama or vllm");
    }
    r.engine = *e;
  }
  if (!raw.gpu_memory_utilization.empty()) {
    const auto& u = raw.gpu_memory_utilization;
    char* end = nullptr;
    const double v = std::strtod(u.c_str(), &end);
    if (u.size() > 8 || end == u.c_str() || *end != '\0' || !(v > 0.0 && v <= 1.0)) {
      throw UsageError("--gpu-memory-utilization: '" + u.substr(0, 16) + "' must be a fraction in (0, 1]");
    }
    if (r.engine != Engine::vllm) {
      throw UsageError("--gpu-memory-utilization applies to --engine vllm");
    }
    r.vllm_utilization_percent = static_cast<std::uint32_t>(v * 100.0 + 0.5);
  }
  r.given.context = !raw.contexts.empty();
  r.given.cache_type = !raw.cache_type.empty() || !raw.cache_type_k.empty() || !raw.cache_type_v.empty();
  r.given.flash_attn = !raw.flash_attn.empty();
  r.given.n_seq = !raw.parallel.empty();
  r.given.kv_unified = raw.kv_unified;
  r.given.n_ubatch = !raw.ubatch.empty();
  if (!raw.host_bandwidth.empty()) {
    r.host_bandwidth_gbps = static_cast<double>(parse_count(raw.host_bandwidth, "--host-bandwidth", 100000));
    r.host_bandwidth_given = true;
  }
  if (!raw.n_gpu_layers.empty()) {
    r.n_gpu_layers = static_cast<std::uint32_t>(parse_count(raw.n_gpu_layers, "--n-gpu-layers", 1U << 16, 0));
  }
  if (!raw.ram.empty()) {
    r.ram_bytes = parse_size(raw.ram, "--ram");
  }
  if (!raw.wired_limit_mb.empty()) {
    r.wired_limit_bytes = parse_count(raw.wired_limit_mb, "--wired-limit-mb", 1U << 24) * k_mib;
  }
  if (!raw.n_cpu_moe.empty()) {
    r.n_cpu_moe = static_cast<std::uint32_t>(parse_count(raw.n_cpu_moe, "--n-cpu-moe", 1U << 16, 0));
  }

  if (command == Command::fit || command == Command::check || command == Command::max_context) {
    const int sources = (r.model.empty() ? 0 : 1) + (raw.gguf.empty() ? 0 : 1) + (raw.hf_config.empty() ? 0 : 1);
    if (sources == 0) {
      throw UsageError("--model, --gguf or --hf-config is required ('vramfit list models' shows the catalog)");
    }
    if (sources > 1) {
      throw UsageError("give one of --model, --gguf and --hf-config");
    }
    if (!raw.gguf.empty() && !r.quants.empty()) {
      throw UsageError("--quant does not apply to --gguf: the file's own tensor types are used");
    }
    if (r.gpus.empty()) {
      throw UsageError("--gpu is required ('vramfit list gpus' shows the catalog)");
    }
  }
  if (command == Command::verify && !r.model.empty() + !raw.gguf.empty() > 1) {
    throw UsageError("verify: give at most one of --model and --gguf");
  }
  if (command == Command::catalog_add && (raw.from_gguf.empty() == raw.from_hf_config.empty())) {
    throw UsageError("catalog add: give one of --from-gguf FILE and --from-hf-config FILE");
  }
  if (command == Command::check && r.quants.empty() && raw.gguf.empty()) {
    throw UsageError("check: --quant is required (one verdict needs one quantization)");
  }
  if (command == Command::list) {
    static const std::vector<std::string> k_lists{"models", "gpus", "quants", "cache-types"};
    if (std::find(k_lists.begin(), k_lists.end(), o.list_what) == k_lists.end()) {
      throw UsageError("list: '" + o.list_what.substr(0, 32) + "' must be models, gpus, quants or cache-types");
    }
  }
  validate(s);
  return o;
}

} // namespace

ParsedCommandLine parse_command_line(int argc, const char* const* argv) {
  Raw raw;
  CLI::App app{"vramfit: does this model, at this quantization and context, fit on this GPU?", "vramfit"};
  app.set_version_flag("--version", std::string(version()));
  app.footer(k_footer);
  app.fallthrough();
  add_run_options(app, raw);
  add_output_options(app, raw);

  auto* check = app.add_subcommand("check", "One verdict for CI: exit 0 if it fits, 1 if not");
  check->fallthrough();
  auto* list = app.add_subcommand("list", "What the catalog holds: models, gpus, quants or cache-types");
  list->fallthrough();
  list->add_option("what", raw.list_what, "models | gpus | quants | cache-types")->required();
  auto* inspect = app.add_subcommand("inspect", "Summarize a GGUF file: architecture, tensor types, layer layout");
  inspect->fallthrough();
  inspect->add_option("file", raw.inspect_file, "GGUF file (any part of a split file)")->required();
  auto* max_context = app.add_subcommand("max-context", "The largest context that fits, per quantization and cache type");
  max_context->fallthrough();
  auto* verify = app.add_subcommand("verify", "Compare a llama.cpp startup log with vramfit's prediction");
  verify->fallthrough();
  verify->add_option("log", raw.log_path, "log file (default: standard input)");
  auto* catalog = app.add_subcommand("catalog", "Catalog tools: add an entry from a file, validate catalogs");
  catalog->require_subcommand(1);
  auto* add = catalog->add_subcommand("add", "Print a catalog entry for a GGUF file or a config.json");
  add->add_option("--from-gguf", raw.from_gguf, "GGUF file to describe");
  add->add_option("--from-hf-config", raw.from_hf_config, "Hugging Face config.json to describe");
  auto* validate_cmd = catalog->add_subcommand("validate", "Check catalogs; list every problem (exit 2 on any)");
  validate_cmd->add_option("files", raw.validate_files, "catalog files (default: the embedded catalog)");
  add->fallthrough();
  validate_cmd->fallthrough();
  catalog->fallthrough();
  app.require_subcommand(0, 1);

  ParsedCommandLine out;
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    out.finished = true;
    out.output = check->parsed()      ? check->help()
                 : list->parsed()     ? list->help()
                 : inspect->parsed()  ? inspect->help()
                 : verify->parsed()   ? verify->help()
                 : max_context->parsed() ? max_context->help()
                 : add->parsed()      ? add->help()
                 : validate_cmd->parsed() ? validate_cmd->help()
                 : catalog->parsed()  ? catalog->help()
                                      : app.help();
    return out;
  } catch (const CLI::CallForAllHelp&) {
    out.finished = true;
    out.output = app.help("", CLI::AppFormatMode::All);
    return out;
  } catch (const CLI::CallForVersion&) {
    out.finished = true;
    out.output = "vramfit " + std::string(version()) + "\n";
    return out;
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    if (!what.empty() && what.back() == '\n') {
      what.pop_back();
    }
    if (!what.empty()) {
      what[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(what[0])));
    }
    throw UsageError(what + " (see vramfit --help)");
  }
  const Command command = check->parsed()          ? Command::check
                          : list->parsed()         ? Command::list
                          : inspect->parsed()      ? Command::inspect
                          : verify->parsed()       ? Command::verify
                          : max_context->parsed()  ? Command::max_context
                          : add->parsed()          ? Command::catalog_add
                          : validate_cmd->parsed() ? Command::catalog_validate
                                                   : Command::fit;
  out.options = finish(raw, command);
  return out;
}

} // namespace vramfit::cli
