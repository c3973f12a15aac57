#pragma once

// A parser for llama.cpp startup logs (llama-cli, llama-server, the Ollama
// runner, LM Studio, 2024-2026 formats): devices, print_info hyper-parameters,
// context settings, every buffer line, the memory breakdown table and options
// of a pasted command line. Text in, facts out; lines it does not recognise
// are ignored, so timestamps, journald and application prefixes do no harm.
// --log-jsonl logs are read line by line: "log" objects by their message,
// "fit_memory_breakdown" objects as the breakdown table.

#include "vramfit/support/bytes.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vramfit {

/// One backend device the log names ("CUDA0", "Vulkan0", "MTL0", "ROCm0").
struct LogDevice {
  std::string name;                        ///< ggml device name
  std::string description;                 ///< "NVIDIA GeForce RTX 3070"
  std::optional<std::uint64_t> free_mib;   ///< free memory when the model was loaded
  std::optional<std::uint64_t> total_mib;  ///< total memory, when printed
  bool unified_memory = false;             ///< uma (Vulkan) or Metal unified memory
};

/// A "<buffer type> <kind> buffer size = X MiB" line.
struct LogBuffer {
  std::string device;  ///< buffer type as printed ("CUDA0", "CPU_Mapped", "CUDA_Host", "MTL0_Mapped")
  std::string kind;    ///< model | KV | RS | compute | output
  Bytes bytes = 0;     ///< the printed MiB, in bytes (two decimals: +-5 KiB)
  bool draft = false;  ///< belongs to a draft (MTP / speculative) context
};

/// A "size = X MiB (N cells, L layers, S seqs), K (t): .., V (t): .." line.
struct LogCacheLine {
  std::uint64_t cells = 0;
  std::uint64_t layers = 0;
  std::uint64_t seqs = 0;     ///< n_seq_max, when printed ("4/1 seqs")
  std::uint64_t streams = 0;  ///< cache streams: 1 unified, else one per sequence (0: not printed)
  std::string type_k;
  std::string type_v;
  Bytes bytes = 0;
  std::optional<Bytes> k_bytes;  ///< "K (f16): 512.00 MiB"
  std::optional<Bytes> v_bytes;
  bool swa = false;  ///< announced as the SWA cache
  bool draft = false;
};

/// A row of the memory breakdown table llama.cpp prints at exit
/// (llama_memory_breakdown_print / common_memory_breakdown_print, 2025-2026;
/// also --log-jsonl's "fit_memory_breakdown"): MiB, rounded down.
struct LogBreakdownRow {
  std::string name;                        ///< "CUDA0", "MTL0", "Host", "CPU_REPACK"
  std::string description;                 ///< "RTX 3080" (vendor prefixes stripped by llama.cpp)
  std::optional<std::uint64_t> total_mib;  ///< devices only
  std::optional<std::uint64_t> free_mib;
  std::uint64_t self_mib = 0;  ///< model + context + compute
  std::uint64_t model_mib = 0;
  std::uint64_t context_mib = 0;  ///< KV cache and recurrent state
  std::uint64_t compute_mib = 0;
  std::optional<std::int64_t> unaccounted_mib;  ///< total - free - self: the driver, other processes
};

/// llama.cpp options a log shows on a pasted command line ("llama-server -c
/// 65536 -np 4 -ctk q4_0 -ts 24,25,24,22 ..."): what to use where llama.cpp's
/// own lines are missing.
struct LogCommandLine {
  std::optional<std::uint64_t> ctx_size;       ///< -c, --ctx-size
  std::optional<std::uint64_t> parallel;       ///< -np, --parallel
  std::optional<std::uint64_t> batch, ubatch;  ///< -b, -ub
  std::optional<std::string> cache_type_k;     ///< -ctk
  std::optional<std::string> cache_type_v;     ///< -ctv
  std::optional<std::string> flash_attn;       ///< -fa on|off|auto (or a bare -fa)
  std::optional<std::uint64_t> n_gpu_layers;   ///< -ngl
  std::vector<double> tensor_split;            ///< -ts
  std::optional<std::string> split_mode;       ///< -sm layer|row|none
  bool no_mmap = false;                        ///< --no-mmap
  bool kv_unified = false;                     ///< -kvu
  bool swa_full = false;                       ///< --swa-full
  bool no_kv_offload = false;                  ///< -nkvo / --no-kv-offload
  std::uint64_t tensor_overrides = 0;          ///< -ot patterns (not applied)
  bool any = false;                            ///< at least one option was read
};

/// What a llama.cpp log says.
struct LlamaLog {
  std::optional<std::uint64_t> build;       ///< mainline build number ("build: 6182 (...)")
  std::optional<std::string> build_target;  ///< "x86_64-linux-gnu", "Darwin arm64" ("... for TARGET")
  std::vector<LogDevice> devices;
  std::optional<double> metal_working_set_mb;         ///< recommendedMaxWorkingSetSize, decimal MB
  std::map<std::string, std::string> info;            ///< print_info / llm_load_print_meta key = value
  std::map<std::string, std::uint64_t> tensor_types;  ///< "type q4_K: 81 tensors"
  std::optional<std::string> file_type;               ///< "Q4_K - Medium"
  std::optional<std::uint64_t> n_ctx, n_ctx_seq, n_batch, n_ubatch, n_seq_max;
  std::optional<std::string> flash_attn;    ///< as printed: 0, 1, auto, enabled, disabled
  std::optional<bool> flash_attn_resolved;  ///< "Flash Attention was auto, set to enabled"
  std::optional<bool> kv_unified;
  bool swa_full = false;                                         ///< "using full-size SWA cache" (--swa-full)
  std::optional<std::string> type_k, type_v;                     ///< cache types
  std::optional<std::uint64_t> offloaded_layers, offload_total;  ///< "offloaded X/Y layers"
  std::uint64_t overridden_tensors = 0;                          ///< "buffer type overridden" lines (-ot)
  std::optional<std::uint64_t> n_cpu_moe;                        ///< from a printed command line
  std::map<std::uint32_t, std::string> layer_devices;            ///< "layer N assigned to device X"
  std::vector<LogBuffer> buffers;
  std::vector<LogBreakdownRow> breakdown;    ///< the last memory breakdown table printed
  LogCommandLine command;                    ///< options from a pasted command line
  std::optional<std::string> abort_message;  ///< "GGML_ASSERT(...) failed" and the like: llama.cpp stopped
  std::vector<LogCacheLine> kv_lines;
  std::vector<LogCacheLine> rs_lines;
  std::optional<std::uint64_t> swa_cells;   ///< "creating SWA KV cache, size = N cells"
  std::optional<std::uint64_t> base_cells;  ///< "creating non-SWA KV cache, size = N cells"
  bool has_draft_context = false;
  std::uint64_t lines = 0;       ///< lines read
  std::uint64_t recognised = 0;  ///< lines that matched a pattern

  /// A print_info value as an unsigned integer, if present and numeric.
  std::optional<std::uint64_t> info_uint(std::string_view key) const;
  /// Buffers of `kind` in the main context, summed per printed device.
  std::map<std::string, Bytes> buffers_of(std::string_view kind) const;
};

/// Parses a log. Never throws for content; lines over 64 KiB are cut.
LlamaLog parse_llama_log(std::string_view text);

}  // namespace vramfit
