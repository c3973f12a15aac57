#pragma once

// vramfit checks itself against what llama.cpp printed: the configuration of a
// startup log is rebuilt (from its print_info hyper-parameters, or from a
// catalog model or GGUF file given alongside), every memory term predicted per
// device, and compared with the logged buffer sizes.

#include "vramfit/input/catalog.hpp"
#include "vramfit/input/file_weights.hpp"
#include "vramfit/input/llama_log.hpp"
#include "vramfit/memory/estimate.hpp"
#include "vramfit/memory/extra_buffers.hpp"
#include "vramfit/memory/kv_cache.hpp"
#include "vramfit/plan/engine.hpp"
#include "vramfit/support/provenance.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace vramfit {

/// The memory terms verify compares.
/// `context` is the memory breakdown's column: KV cache plus recurrent state.
enum class Term : std::uint8_t { weights, kv_cache, recurrent_state, context, compute_buffer, output };

/// "weights", "kv_cache", "recurrent_state", "context", "compute_buffer" or "output".
std::string_view name(Term term) noexcept;

/// One compared term.
struct VerifyTerm {
  std::string device;  ///< "CUDA0", "CPU", or "all" when the log cannot be split per device
  Term term = Term::weights;
  Bytes predicted_bytes = 0;
  Bytes logged_bytes = 0;
  Provenance provenance = Provenance::exact;
  Bytes low_bytes = 0;  ///< accepted range (exact terms: +-1 MiB)
  Bytes high_bytes = 0;
  bool within_range = false;
};

/// What to rebuild the log's configuration from, beyond the log itself.
struct VerifyOptions {
  std::shared_ptr<const CatalogModel> model;  ///< --model or --gguf: the architecture (instead of print_info)
  std::shared_ptr<const FileWeights> file;    ///< --gguf: exact weights per device
  RunSettings settings;  ///< settings the log does not print; only those `given` names override the log
  SettingsGiven given;
  std::optional<std::uint32_t> n_cpu_moe;  ///< --n-cpu-moe the run used (logs rarely print it)
  std::optional<FileType> file_type;       ///< the file's type when the log does not print it (--quant)
  /// --host-cpu: the CPU class whose extra buffers to predict; unset, the
  /// class that explains the log's AMX / CPU_REPACK lines.
  std::optional<CpuClass> cpu;
};

/// The catalog model a log without its architecture describes: the one model
/// consistent with every hyper-parameter it prints, with a note saying so;
/// null when the log names its architecture or fewer or more than one match.
const CatalogModel* model_for_log(const LlamaLog& log, const Catalog& catalog, std::string& note);

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
  CpuClass cpu = CpuClass::none;  ///< the host CPU class: as stated, else the one the log's extra buffers show
  std::vector<VerifyTerm> terms;
  std::vector<std::string> notes;  ///< terms not checked and why; assumptions
  bool ok = false;                 ///< every term within its range
};

/// Compares `log` with vramfit's prediction. Throws InputError naming what is
/// missing when the log cannot be understood (no context size, no architecture).
VerifyResult verify_log(const LlamaLog& log, const VerifyOptions& options);

}  // namespace vramfit
