#pragma once

// vramfit checks itself against what llama.cpp printed: the configuration of a
// startup log is rebuilt (from its print_info hyper-parameters, or from a
// catalog model or GGUF file given alongside), every memory term predicted per
// device, and compared with the logged buffer sizes.

#include "vramfit/input/catalog.hpp"
#include "vramfit/memory/estimate.hpp"
#include "vramfit/memory/kv_cache.hpp"
#include "vramfit/input/llama_log.hpp"
#include "vramfit/support/provenance.hpp"
#include "vramfit/input/file_weights.hpp"

#include <optional>
#include <string>
#include <vector>

namespace vramfit {

/// One compared term.
struct VerifyTerm {
  std::string device;  ///< "CUDA0", "CPU", or "all" when the log cannot be split per device
  std::string term;    ///< weights | kv_cache | recurrent_state | compute_buffer | output
  Bytes predicted_bytes = 0;
  Bytes logged_bytes = 0;
  Provenance provenance = Provenance::exact;
  Bytes low_bytes = 0;   ///< accepted range (exact terms: +-1 MiB)
  Bytes high_bytes = 0;
  bool within_range = false;
};

/// What to rebuild the log's configuration from, beyond the log itself.
struct VerifyOptions {
  std::optional<CatalogModel> model;  ///< --model or --gguf: the architecture (instead of print_info)
  std::optional<FileWeights> file;    ///< --gguf: exact weights per device
  std::optional<std::uint64_t> context_tokens;  ///< settings the log does not print
  std::optional<GgmlType> type_k, type_v;
  std::optional<bool> flash_attn;
  std::optional<std::uint32_t> n_seq;
  std::optional<std::uint32_t> n_ubatch;
  std::optional<std::uint32_t> n_cpu_moe;  ///< --n-cpu-moe the run used (logs rarely print it)
  std::optional<FileType> file_type;       ///< the file's type when the log does not print it (--quant)
};

/// Catalog models consistent with every hyper-parameter the log prints (at
/// least three of n_layer, n_embd, n_head, n_vocab, n_expert, n_expert_used,
/// n_swa, n_embd_k_gqa, n_ctx_train and the architecture); empty when the log
/// prints too few to tell.
std::vector<const CatalogModel*> models_matching_log(const LlamaLog& log, const std::vector<CatalogModel>& models);

/// The outcome.
struct VerifyResult {
  LlamaLog log;
  ModelSpec spec;
  RunSettings settings;
  Backend backend = Backend::cpu;
  std::vector<VerifyTerm> terms;
  std::vector<std::string> notes;  ///< terms not checked and why; assumptions
  bool ok = false;                 ///< every term within its range
};

/// Compares `log` with vramfit's prediction. Throws InputError naming what is
/// missing when the log cannot be understood (no context size, no architecture).
VerifyResult verify_log(const LlamaLog& log, const VerifyOptions& options);

} // namespace vramfit
