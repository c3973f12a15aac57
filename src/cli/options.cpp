#include "options.hpp"

#include "vramfit/input/parse.hpp"
#include "vramfit/model/ggml_type.hpp"
#include "vramfit/support/error.hpp"

#include <cstdlib>

namespace vramfit::cli {
namespace {

// An option of one value that `parse` turns into its typed target; parse
// throws UsageError naming the option for a value it cannot read.
template <typename Parse>
CLI::Option* add_value(CLI::App& app, const std::string& names, const std::string& help, const std::string& type_name,
                       Parse parse) {
  return app.add_option_function<std::string>(names, parse, help)->type_name(type_name);
}

// An option that may be repeated, each value a comma-separated list.
template <typename Parse>
CLI::Option* add_list(CLI::App& app, const std::string& names, const std::string& help, const std::string& type_name,
                      Parse parse) {
  return app
      .add_option_function<std::vector<std::string>>(
          names,
          [parse](const std::vector<std::string>& items) {
            for (const auto& item : items) {
              parse(item);
            }
          },
          help)
      ->type_name(type_name);
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

std::string cache_type_names() {
  std::string names = "{";
  for (const auto t : kv_cache_types()) {
    names += (names.size() > 1 ? "," : "") + lower_name(t);
  }
  return names + "}";
}

std::uint32_t count32(const std::string& text, std::string_view option, std::uint64_t max, std::uint64_t min = 1) {
  return static_cast<std::uint32_t>(parse_count(text, option, max, min));
}

}  // namespace

void add_model_options(CLI::App& app, Args& a, bool hf_config) {
  app.add_option("-m,--model", a.model, "Catalog model id or alias (vramfit list models)")->type_name("MODEL");
  app.add_option("--gguf", a.gguf, "A GGUF model file (any part of a split file): its own tensors and metadata")
      ->type_name("FILE");
  if (hf_config) {
    app.add_option("--hf-config", a.hf_config, "A Hugging Face config.json: the architecture, sized per --quant")
        ->type_name("FILE");
  }
}

void add_selection_options(CLI::App& app, Args& a) {
  add_list(app, "-g,--gpu",
           "GPU id; repeat or comma-separate for a matrix; 2xrtx3090 or a+b for one host (vramfit list gpus)", "GPU",
           [&a](const std::string& v) {
             for (auto& gpu : parse_name_list(v, "--gpu")) {
               a.gpus.push_back(std::move(gpu));
             }
           });
  add_list(app, "-q,--quant", "Quantizations to show (default: the standard set)", "QUANT", [&a](const std::string& v) {
    for (auto& q : parse_name_list(v, "--quant")) {
      a.quants.push_back(std::move(q));
    }
  });
  app.add_flag("--all-quants", a.all_quants, "Show every quantization that applies, not only the standard set");
  add_list(app, "-c,--context", "Context tokens: 8192, 8k, 32K, native; lists allowed (default 8k)", "TOKENS",
           [&a](const std::string& v) {
             for (const auto tokens : parse_context_list(v, "--context")) {
               a.contexts.push_back(tokens);
             }
             a.given.context = true;
           });
}

void add_ladder_options(CLI::App& app, Args& a) {
  add_list(app, "--ladder", "Contexts of the KV ladder (default 8k,16k,32k,native)", "TOKENS",
           [&a](const std::string& v) {
             for (const auto tokens : parse_context_list(v, "--ladder")) {
               a.ladder.push_back(tokens);
             }
           });
  app.add_flag("--no-ladder", a.no_ladder, "Do not print the context ladder");
}

void add_log_settings_options(CLI::App& app, Args& a) {
  const auto names = cache_type_names();
  add_value(app, "--cache-type", "KV cache type for both K and V (default f16)", names, [&a](const std::string& v) {
    a.settings.type_k = a.settings.type_v = cache_type(v, "--cache-type");
    a.given.type_k = a.given.type_v = true;
  });
  add_value(app, "--cache-type-k", "KV cache type for K (default f16)", names, [&a](const std::string& v) {
    a.settings.type_k = cache_type(v, "--cache-type-k");
    a.given.type_k = true;
  });
  add_value(app, "--cache-type-v", "KV cache type for V (default f16)", names, [&a](const std::string& v) {
    a.settings.type_v = cache_type(v, "--cache-type-v");
    a.given.type_v = true;
  });
  add_value(app, "--flash-attn", "Flash attention (default on)", "{on,off}", [&a](const std::string& v) {
    a.settings.flash_attn = parse_switch(v, "--flash-attn");
    a.given.flash_attn = true;
  });
  add_value(app, "--parallel", "Parallel sequences n_seq_max (default 1)", "N", [&a](const std::string& v) {
    a.settings.n_seq = count32(v, "--parallel", 256);
    a.given.n_seq = true;
  });
  add_value(app, "--ubatch-size", "Physical batch size n_ubatch (default 512)", "N", [&a](const std::string& v) {
    a.settings.n_ubatch = count32(v, "--ubatch-size", 1U << 20);
    a.given.n_ubatch = true;
  });
  add_value(app, "--n-cpu-moe", "Keep the expert tensors of the first N layers in system memory", "N",
            [&a](const std::string& v) { a.n_cpu_moe = count32(v, "--n-cpu-moe", 1U << 16, 0); });
}

void add_host_cpu_option(CLI::App& app, Args& a) {
  add_value(app, "--host-cpu",
            "The host CPU, for the weights llama.cpp repacks in RAM (default: an Apple GPU's own, else avx2)",
            "{amx,avx512,avx2,arm64,apple,none}", [&a](const std::string& v) {
              const auto cpu = cpu_class_from_name(v);
              if (!cpu) {
                throw UsageError("--host-cpu: '" + v.substr(0, 32) +
                                 "' must be amx, avx512, avx2, arm64, apple or none");
              }
              a.host_cpu = *cpu;
            });
  app.add_flag_function(
      "--no-repack", [&a](std::int64_t) { a.host_cpu = CpuClass::none; },
      "llama.cpp's --no-repack: no extra buffers, host weights stay in the mapped file");
}

void add_run_options(CLI::App& app, Args& a) {
  add_value(app, "--batch-size", "Logical batch size n_batch (default 2048)", "N",
            [&a](const std::string& v) { a.settings.n_batch = count32(v, "--batch-size", 1U << 20); });
  app.add_flag_function(
      "--kv-unified",
      [&a](std::int64_t) {
        a.settings.kv_unified = true;
        a.given.kv_unified = true;
      },
      "One KV cache shared by all sequences");
  app.add_flag("--swa-full", a.settings.swa_full, "Sliding-window layers keep the full context");
  app.add_flag_function(
      "--no-kv-offload,--nkvo", [&a](std::int64_t) { a.settings.kv_offload = false; },
      "KV cache and recurrent state in system RAM, as llama.cpp's -nkvo (the GPU keeps weights and compute)");
  std::string engines;
  for (const auto* e : vramfit::engines()) {
    engines += (engines.empty() ? "{" : ",") + std::string(e->name());
  }
  add_value(app, "--engine", "The engine whose defaults and memory rules apply (default llama.cpp)", engines + "}",
            [&a](const std::string& v) { a.engine = &find_engine(v); });
  add_value(app, "--gpu-memory-utilization,--mem-fraction-static",
            "vllm: fraction of GPU memory (default 0.9); sglang: its static fraction (default by GPU memory)",
            "FRACTION", [&a](const std::string& u) {
              char* end = nullptr;
              const double v = std::strtod(u.c_str(), &end);
              if (u.size() > 8 || end == u.c_str() || *end != '\0' || !(v > 0.0 && v <= 1.0)) {
                throw UsageError("--gpu-memory-utilization: '" + u.substr(0, 16) + "' must be a fraction in (0, 1]");
              }
              a.gpu_memory_utilization = v;
            });
  add_value(app, "--ngl,--n-gpu-layers", "Blocks on the GPU(s), as llama.cpp's -ngl (default: all)", "N",
            [&a](const std::string& v) { a.n_gpu_layers = count32(v, "--n-gpu-layers", 1U << 16, 0); });
  add_value(app, "--host-bandwidth", "System memory bandwidth in GB/s for offloaded weights (default 60, assumed)",
            "GBPS", [&a](const std::string& v) { a.host_bandwidth_gbps = parse_count(v, "--host-bandwidth", 100000); });
  add_value(app, "--ram", "The host's system memory (24GiB, 64GB): checks what stays in RAM", "SIZE",
            [&a](const std::string& v) { a.ram_bytes = parse_size(v, "--ram"); });
  add_host_cpu_option(app, a);
  add_value(app, "--prompt", "Prompt length for the prefill speed and time to first token (default 512; 4k)", "TOKENS",
            [&a](const std::string& v) {
              if (!v.empty() && v.find_first_not_of('0') == std::string::npos) {
                throw UsageError("--prompt: '" + v.substr(0, 16) + "' must be at least 1 token");
              }
              a.prompt_tokens = parse_context(v, "--prompt");
              if (a.prompt_tokens == 0) {
                throw UsageError("--prompt: '" + v.substr(0, 16) + "' must be a number of tokens (512, 4k)");
              }
            });
  add_list(app, "--reserve",
           "GPU memory others hold (a desktop, other processes): 1.5GiB for every GPU, or one per GPU of a group",
           "SIZE", [&a](const std::string& v) { a.reserve_bytes.push_back(parse_size(v, "--reserve")); })
      ->delimiter(',');
  add_list(app, "--free", "GPU memory the driver reports free before loading (nvidia-smi's memory.free), per GPU",
           "SIZE", [&a](const std::string& v) { a.free_bytes.push_back(parse_size(v, "--free")); })
      ->delimiter(',');
  add_value(app, "--wired-limit-mb", "Apple: macOS iogpu.wired_limit_mb (replaces the Metal working-set limit)", "MB",
            [&a](const std::string& v) { a.wired_limit_mb = parse_count(v, "--wired-limit-mb", 1U << 24); });
  add_value(app, "--macos", "Apple: the macOS major version (26: Metal 4's larger working-set limits; default 15)",
            "VERSION", [&a](const std::string& v) {
              const auto major = count32(v.substr(0, v.find('.')), "--macos", 99, 11);
              if (major > 15 && major < 26) {
                throw UsageError("--macos: '" + v.substr(0, 16) + "': macOS went from 15 to 26 (no " +
                                 std::to_string(major) + ")");
              }
              a.macos_major = major;
            });
}

void add_output_options(CLI::App& app, Args& a, bool github) {
  add_value(app, "-f,--format", "Output format (default table)",
            github ? "{table,markdown,csv,json,github}" : "{table,markdown,csv,json}",
            [&a, github](const std::string& v) {
              if (github && v == "github") {
                a.format = Format::github;
              } else if (v == "table") {
                a.format = Format::table;
              } else if (v == "markdown" || v == "md") {
                a.format = Format::markdown;
              } else if (v == "csv") {
                a.format = Format::csv;
              } else if (v == "json") {
                a.format = Format::json;
              } else {
                throw UsageError("--format: '" + v.substr(0, 32) + "' must be table, markdown, csv or json" +
                                 (github ? " or github" : ""));
              }
            });
  add_value(app, "--units", "Units for humans: gib (2^30 bytes) or gb (10^9 bytes) (default gib)", "{gib,gb}",
            [&a](const std::string& v) {
              if (v == "gib") {
                a.units = SizeUnit::binary;
              } else if (v == "gb") {
                a.units = SizeUnit::decimal;
              } else {
                throw UsageError("--units: '" + v.substr(0, 32) + "' must be gib or gb");
              }
            });
}

void add_catalog_options(CLI::App& app, Args& a) {
  app.add_option("--catalog", a.catalogs, "Catalog file merged over the embedded one (repeatable)")->type_name("FILE");
  app.add_flag("--no-builtin-catalog", a.no_builtin_catalog, "Use only the --catalog files, not the embedded catalog");
}

void add_draft_options(CLI::App& app, Args& a) {
  app.add_option("--model-draft", a.model_draft,
                 "A draft model for speculative decoding (llama.cpp -md), catalog id or alias: its weights, cache "
                 "and compute buffer beside the model's")
      ->type_name("MODEL");
  app.add_option("--gguf-draft", a.gguf_draft, "The draft model as a GGUF file")->type_name("FILE");
  app.add_flag("--mtp", a.mtp,
               "The model's own MTP (nextn) layers as the draft (llama-server --spec-type draft-mtp): their weights, "
               "and a draft context whose cache holds only them, beside the model");
  add_value(app, "--quant-draft", "The draft model's quantization (default Q8_0)", "QUANT", [&a](const std::string& v) {
    auto names = parse_name_list(v, "--quant-draft");
    if (names.size() != 1) {
      throw UsageError("--quant-draft: give one quantization");
    }
    a.quant_draft = std::move(names.front());
  });
  add_value(app, "--cache-type-draft", "The draft's KV cache type (llama.cpp -ctkd/-ctvd; default f16)",
            cache_type_names(), [&a](const std::string& v) { a.cache_draft = cache_type(v, "--cache-type-draft"); });
}

void add_projector_options(CLI::App& app, Args& a) {
  app.add_option("--mmproj", a.mmproj,
                 "A vision projector's GGUF file (llama-server --mmproj): its weights and compute buffer on the "
                 "first GPU beside the model; 'auto': the catalog's published projector for the model")
      ->type_name("FILE|auto");
  app.add_flag("--no-mmproj-offload", a.no_mmproj_offload,
               "Keep the projector in system memory (llama.cpp's own flag)");
}

void add_report_options(CLI::App& app, Args& a, bool github) {
  add_model_options(app, a, true);
  add_draft_options(app, a);
  add_projector_options(app, a);
  add_selection_options(app, a);
  add_log_settings_options(app, a);
  add_run_options(app, a);
  add_output_options(app, a, github);
  app.add_flag("--wide", a.wide,
               "Every quantization, section and note, however wide (default: a screen's worth, 100 columns)");
  add_catalog_options(app, a);
}

void check_common(const Args& a) {
  if (a.no_builtin_catalog && a.catalogs.empty()) {
    throw UsageError("--no-builtin-catalog needs at least one --catalog file");
  }
  const auto& engine = a.engine != nullptr ? *a.engine : default_engine();
  if (a.gpu_memory_utilization && !engine.takes_memory_fraction()) {
    std::string takers;
    for (const auto* e : vramfit::engines()) {
      if (e->takes_memory_fraction()) {
        takers += (takers.empty() ? "" : " or ") + std::string(e->name());
      }
    }
    throw UsageError("--gpu-memory-utilization applies to --engine " + takers);
  }
  validate(a.settings);
}

}  // namespace vramfit::cli
