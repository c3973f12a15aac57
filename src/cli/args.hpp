#pragma once

// The command line, typed: what the options parse into (options.cpp binds
// them), before a command turns them into a library request.

#include "render/render.hpp"

#include "vramfit/memory/extra_buffers.hpp"
#include "vramfit/memory/run_settings.hpp"
#include "vramfit/plan/engine.hpp"
#include "vramfit/support/bytes.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vramfit::cli {

/// Every option any command takes; each command binds the ones it accepts.
struct Args {
  // The model: one of these.
  std::string model;      ///< --model: a catalog id or alias
  std::string gguf;       ///< --gguf: a GGUF file
  std::string hf_config;  ///< --hf-config: a config.json

  // A draft model for speculative decoding: one of these.
  std::string model_draft;                 ///< --model-draft: a catalog id or alias
  std::string gguf_draft;                  ///< --gguf-draft: a GGUF file
  std::optional<std::string> quant_draft;  ///< --quant-draft (default Q8_0)
  std::optional<GgmlType> cache_draft;     ///< --cache-type-draft (default f16)
  bool mtp = false;                        ///< --mtp: the model's MTP layers as the draft
  std::string mmproj;                      ///< --mmproj: a vision projector's GGUF file
  bool no_mmproj_offload = false;          ///< --no-mmproj-offload

  // What to evaluate.
  std::vector<std::string> gpus;    ///< --gpu, split at commas
  std::vector<std::string> quants;  ///< --quant, split at commas
  bool all_quants = false;
  std::vector<std::uint64_t> contexts;  ///< --context; 0 = native
  std::vector<std::uint64_t> ladder;    ///< --ladder
  bool no_ladder = false;

  // The engine's settings; `given` says which the user chose.
  RunSettings settings;
  SettingsGiven given;
  const EngineRules* engine = nullptr;  ///< --engine; null: llama.cpp
  std::optional<double> gpu_memory_utilization;
  std::optional<std::uint32_t> n_gpu_layers;
  std::optional<std::uint32_t> n_cpu_moe;
  std::optional<std::uint64_t> host_bandwidth_gbps;
  std::optional<Bytes> ram_bytes;
  std::optional<std::uint64_t> wired_limit_mb;
  std::optional<std::uint32_t> macos_major;  ///< --macos
  std::vector<Bytes> reserve_bytes;          ///< --reserve: one for every GPU, or one per GPU
  std::vector<Bytes> free_bytes;             ///< --free: likewise
  std::optional<CpuClass> host_cpu;          ///< --host-cpu / --no-repack
  std::uint64_t prompt_tokens = 512;         ///< --prompt

  // Output and catalog.
  Format format = Format::table;
  SizeUnit units = SizeUnit::binary;
  bool wide = false;                  ///< --wide
  std::optional<Bytes> min_headroom;  ///< check --min-headroom
  std::string plot_output;            ///< plot -o
  std::vector<std::string> catalogs;
  bool no_builtin_catalog = false;

  // Subcommands' own arguments.
  ListKind list_what = ListKind::models;
  std::string list_arch;                 ///< list models --arch
  std::string list_family;               ///< list models --family
  std::string list_fits;                 ///< list models --fits GPU
  std::optional<Bytes> list_min_memory;  ///< list gpus --min-memory
  std::string inspect_file;
  std::string from_gguf;
  std::string from_hf_config;
  std::string entry_id;       ///< catalog add --id
  std::string entry_name;     ///< catalog add --name
  std::string entry_hf_repo;  ///< catalog add --hf-repo
  std::vector<std::string> validate_files;
  std::string log_path;                     ///< verify: a file, or "-"/empty for standard input
  std::optional<std::string> verify_quant;  ///< verify --quant: the file type of the logged model
};

}  // namespace vramfit::cli
