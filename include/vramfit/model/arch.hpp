#pragma once

// The architecture table: everything vramfit knows about a llama.cpp
// architecture in one entry (src/model/arch.cpp). The catalog, HF-config and
// GGUF readers, the inventory builder, the layout rules and the quantization
// recipe look an architecture up here instead of comparing names.
//
// Adding an architecture: one entry in the table, its inventory function
// (src/model/inventory.cpp) and tests; HF config support adds a mapper in
// src/input/hf_config.cpp.

#include "vramfit/model/inventory.hpp"
#include "vramfit/model/model.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vramfit {

/// How an architecture decides which layers attend and which are recurrent,
/// when its metadata does not list them one by one.
enum class LayoutRule : std::uint8_t {
  attention,        ///< every block attends (some may slide, by the window pattern)
  hybrid_interval,  ///< every Nth block is full attention, the others recurrent (Qwen3-Next, Qwen3.5/3.6)
  kv_heads,         ///< blocks with 0 KV heads are recurrent (Granite 4 hybrid, Nemotron-H, Jamba, LFM2)
  recurrent,        ///< every block is recurrent (Mamba)
};

/// Which optional hyper-parameter blocks the architecture cannot do without.
struct ArchNeeds {
  bool moe = false;
  bool ssm = false;
  bool mla = false;
};

/// Builds an architecture's tensor inventory from its hyper-parameters.
using InventoryFn = std::vector<TensorSpec> (*)(const ModelSpec&);

/// Everything about one llama.cpp architecture that decides memory.
struct ArchTraits {
  std::string_view name;            ///< llama.cpp's general.architecture ("qwen35moe")
  InventoryFn inventory = nullptr;  ///< null: the layout is known, the tensors are not built from hyper-parameters
  ArchNeeds needs;
  LayoutRule layout = LayoutRule::attention;
  std::uint32_t hybrid_interval = 0;     ///< LayoutRule::hybrid_interval: llama.cpp's default full_attention_interval
  std::uint32_t swa_period = 0;          ///< llama.cpp's set_swa_pattern(period) default; 0: no default pattern
  std::uint64_t default_swa = 0;         ///< the window when the metadata states none (Gemma 2: 4096)
  bool ignores_swa = false;              ///< llama.cpp reads the window but slides no layer (Phi-3)
  std::uint32_t swa_only_at_layers = 0;  ///< slides only a model of exactly this many blocks (EXAONE 4: 64)
  std::string_view recurrent_name;       ///< its recurrent layers ("Gated DeltaNet", "Mamba2")
  bool ffn_required = true;              ///< false: blocks without an FFN are valid (Mamba)
  /// Recurrent blocks keep only a short convolution's state, n_embd x
  /// (shortconv.l_cache - 1), no SSM state (LFM2); readers map l_cache to
  /// ssm.conv_kernel and n_embd to ssm.inner_size.
  bool shortconv = false;
  bool moe_interleave = false;
  /// Routed experts keep MXFP4 in every published file, whatever the file type
  /// (gpt-oss: every publisher's files do; the stock recipe would requantize them).
  bool experts_stay_mxfp4 = false;         ///< interleave_moe_layer_step decides which layers hold experts (Llama 4)
  bool implied_qk_norm = false;            ///< per-head Q/K norms are part of the architecture (Qwen3)
  bool llm_type_70b_at_80_layers = false;  ///< llama.cpp types an 80-layer GQA model as 70B (quant recipe)
  bool falcon_quant_rules = false;         ///< the quant recipe's Falcon branches apply
};

/// Every architecture in the table, by name.
std::span<const ArchTraits> architectures() noexcept;

/// The architecture named `name`, or null for one vramfit does not know.
const ArchTraits* find_arch(std::string_view name) noexcept;

/// What an input says about the layer layout, before the architecture's rules
/// fill in what it leaves open. Every reader (catalog, HF config, GGUF header,
/// llama.cpp log) fills one of these and calls resolve_layers().
struct LayoutHints {
  std::vector<LayerKind> types;  ///< explicit kind per main block (empty: not stated)
  std::vector<bool> recurrent;   ///< explicit recurrent flag per main block (GGUF recurrent_layers)
  std::vector<bool> sliding;     ///< explicit sliding flag per main block (GGUF pattern array)
  std::optional<std::uint32_t> full_attention_interval;  ///< hybrids: every Nth block is full attention
  std::optional<std::uint32_t> swa_period;               ///< set_swa_pattern(period); 1 slides no layer
};

/// The per-layer kinds of `spec` (its n_layer, head counts and n_swa) under
/// `hints` and the architecture's rules; adjusts spec.n_swa (0 when no layer
/// slides, the architecture's default window when it slides without one).
/// `notes` receives the assumptions made. Throws InputError naming `origin`
/// for hints that contradict the block count.
void resolve_layers(ModelSpec& spec, const LayoutHints& hints, std::string_view origin,
                    std::vector<std::string>& notes);

/// One vocabulary for layer kinds in catalogs and configs: "full" (also
/// "full_attention", "attention"), "sliding" ("sliding_attention"),
/// "recurrent" ("linear_attention", "mamba").
std::optional<LayerKind> layer_kind_from_name(std::string_view text) noexcept;

/// The catalog's name of a layer kind: "full", "sliding" or "recurrent".
std::string_view name(LayerKind kind) noexcept;

}  // namespace vramfit
