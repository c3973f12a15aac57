#pragma once

// A model's architecture as llama.cpp sees it: the hyper-parameters that fix
// every tensor's shape and every layer's memory (KV cache, recurrent state).
// Field names follow llama.cpp's llama_hparams; the catalog uses the GGUF key
// names (block_count, embedding_length, ...) and is mapped onto this struct.

#include "vramfit/support/bytes.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vramfit {

/// What a layer keeps in memory between tokens.
enum class LayerKind : std::uint8_t {
  attention,          ///< full (global) attention: KV cache for the whole context
  sliding_attention,  ///< sliding-window attention: KV cache for the window only
  recurrent,          ///< linear attention / SSM (Gated DeltaNet, Mamba): constant state
};

/// Mixture-of-experts hyper-parameters.
struct MoeParams {
  std::uint32_t n_expert = 0;            ///< routed experts per MoE layer
  std::uint32_t n_expert_used = 0;       ///< routed experts active per token
  std::uint64_t n_ff_exp = 0;            ///< FFN width of one routed expert
  std::uint32_t n_expert_shared = 0;     ///< shared (always active) experts
  std::uint64_t n_ff_shexp = 0;          ///< FFN width of the shared-expert block (all shared experts)
  std::uint32_t n_layer_dense_lead = 0;  ///< leading layers with a dense FFN instead (DeepSeek's first_k_dense)
  std::uint32_t interleave_step = 0;     ///< MoE on every Nth layer only, (il + 1) % N == 0 (Llama 4); 0: every layer
  bool expert_bias =
      false;  ///< a per-expert routing bias (exp_probs_b) is stored: sigmoid gating (DeepSeek V3, GLM-4.5)
};

/// State-space / linear-attention hyper-parameters, in llama.cpp's ssm_* terms.
struct SsmParams {
  std::uint64_t d_conv = 0;   ///< convolution kernel width (ssm.conv_kernel)
  std::uint64_t d_inner = 0;  ///< inner width (ssm.inner_size)
  std::uint64_t d_state = 0;  ///< state size per head (ssm.state_size)
  std::uint64_t dt_rank = 0;  ///< time-step rank; number of value heads for Gated DeltaNet
  std::uint64_t n_group = 0;  ///< groups; number of key heads for Gated DeltaNet
};

/// Multi-head latent attention (DeepSeek V2/V3, Kimi K2): the KV cache holds
/// one compressed latent per token and layer, K only.
struct MlaParams {
  std::uint64_t q_lora_rank = 0;   ///< 0 when Q is not low-rank (DeepSeek-V2-Lite)
  std::uint64_t kv_lora_rank = 0;  ///< latent width stored in the cache
  std::uint64_t qk_rope_head_dim = 0;
  std::uint64_t qk_nope_head_dim = 0;
  std::uint64_t v_head_dim = 0;
};

/// Tokenizer facts used only to estimate a GGUF file's metadata bytes.
struct TokenizerInfo {
  std::optional<std::uint64_t> n_merges;  ///< BPE merges, when known
  bool has_scores = false;                ///< SentencePiece vocabularies store a score per token
};

/// Everything about an architecture that decides memory. Layer indices run
/// 0..n_layer-1 for the main blocks, then n_layer..n_layer_all()-1 for the
/// multi-token-prediction blocks some files carry.
struct ModelSpec {
  std::string id;    ///< catalog id ("qwen3.6-35b-a3b"), or a file name for GGUF/HF input
  std::string name;  ///< display name ("Qwen3.6-35B-A3B")
  std::string arch;  ///< llama.cpp architecture ("qwen35moe", "llama", "gemma3")

  std::uint32_t n_layer = 0;        ///< blocks of the main graph
  std::uint32_t n_layer_nextn = 0;  ///< MTP blocks stored after them (0 for most files)
  std::uint64_t n_ctx_train = 0;    ///< native context length, tokens
  std::uint64_t n_embd = 0;
  std::uint64_t n_vocab = 0;
  bool tied_embeddings = false;  ///< no output.weight: token_embd doubles as the output matrix

  std::uint32_t n_head = 0;
  std::vector<std::uint32_t> n_head_kv;  ///< per layer (n_layer_all entries)
  std::uint64_t n_embd_head_k = 0;       ///< key head dimension
  std::uint64_t n_embd_head_v = 0;       ///< value head dimension
  std::uint64_t n_ff = 0;                ///< dense FFN width (0 when every layer is MoE)
  std::uint64_t n_swa = 0;               ///< sliding window in tokens (0: none)
  bool rope_freqs = false;               ///< a rope_freqs tensor (Llama 3.1 scaling) is stored

  std::optional<MoeParams> moe;
  std::optional<SsmParams> ssm;
  std::optional<MlaParams> mla;
  TokenizerInfo tokenizer;
  bool attention_bias = false;  ///< Q/K/V projections carry biases (Qwen2, GLM-4.5)
  bool qk_norm = false;         ///< per-head Q/K RMS norms are stored (GLM-4.5 355B; implied by the arch elsewhere)

  std::vector<LayerKind> layers;  ///< per main block (n_layer entries)

  /// Blocks in the file: main blocks plus MTP blocks.
  std::uint32_t n_layer_all() const noexcept { return n_layer + n_layer_nextn; }
  /// KV heads of layer `il` (any index below n_layer_all()).
  std::uint32_t head_count_kv(std::uint32_t il) const;
  /// Kind of main block `il`; MTP blocks are full attention.
  LayerKind kind(std::uint32_t il) const;
  /// Elements of K stored per token in layer `il` (llama.cpp n_embd_k_gqa).
  std::uint64_t n_embd_k_gqa(std::uint32_t il) const;
  /// Elements of V stored per token in layer `il`; 0 for MLA (K-only cache).
  std::uint64_t n_embd_v_gqa(std::uint32_t il) const;
  /// Conv-state elements per recurrent layer and sequence (llama.cpp n_embd_r).
  std::uint64_t n_embd_r() const;
  /// SSM-state elements per recurrent layer and sequence (llama.cpp n_embd_s).
  std::uint64_t n_embd_s() const;
  /// True when layer `il` uses an MoE FFN.
  bool is_moe_layer(std::uint32_t il) const;
  /// Layers of each kind among the main blocks.
  std::uint32_t count(LayerKind kind) const;
};

/// The widest row any model field may name (embedding, FFN, head, vocabulary):
/// widths beyond 2^24 elements exist in no model and would let sizes overflow.
inline constexpr std::uint64_t k_max_model_width = std::uint64_t{1} << 24;

/// Checks that `spec` is self-consistent (heads divide, layer list sized, sizes
/// non-zero where needed); throws InputError naming `origin` and the field.
void validate(const ModelSpec& spec, std::string_view origin);

/// `spec` with `n` MTP blocks after its main ones, as llama.cpp's converter
/// writes a checkpoint's MTP head: full attention, with the KV heads of the
/// last main block that attends. Replaces any MTP blocks it had; validated.
ModelSpec with_mtp_layers(ModelSpec spec, std::uint32_t n);

/// Per-layer kinds for a model whose every `interval`-th block (1-based) is full
/// attention and the rest recurrent (Qwen3-Next, Qwen3.5/3.6: interval 4).
std::vector<LayerKind> hybrid_layers(std::uint32_t n_layer, std::uint32_t interval);

/// Per-layer kinds for llama.cpp's set_swa_pattern(period): layer il slides iff
/// il % period < period - 1 (Gemma 3: period 6; gpt-oss: period 2).
std::vector<LayerKind> sliding_layers(std::uint32_t n_layer, std::uint32_t period);

/// A short description of the layer layout: "40 layers: 10 full attention + 30 linear (Gated DeltaNet)".
std::string describe_layers(const ModelSpec& spec);

/// The architecture's name for its recurrent layers ("Gated DeltaNet", "Mamba2").
std::string recurrent_layer_name(const ModelSpec& spec);

}  // namespace vramfit
