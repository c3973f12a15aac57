#pragma once

// The tensor inventory builders of each architecture family, referenced by the
// architecture table (arch.cpp). Names and shapes follow what llama.cpp's
// converter writes and its loader accepts.

#include "vramfit/model/inventory.hpp"
#include "vramfit/model/model.hpp"

#include <vector>

namespace vramfit::builders {

/// llama, mistral and the Qwen 2/3 dense and MoE families (Q/K/V biases, Q/K norms as the spec says).
std::vector<TensorSpec> llama_like(const ModelSpec& spec);
/// Qwen3-Next: gated attention every 4th block, Gated DeltaNet with fused beta/alpha.
std::vector<TensorSpec> qwen3next(const ModelSpec& spec);
/// Qwen3.5/3.6 (dense and MoE): as Qwen3-Next with separate beta and alpha.
std::vector<TensorSpec> qwen35(const ModelSpec& spec);
/// Gemma 2: sandwich norms, tied embeddings.
std::vector<TensorSpec> gemma2(const ModelSpec& spec);
/// Gemma 3: Gemma 2 plus per-head Q/K norms.
std::vector<TensorSpec> gemma3(const ModelSpec& spec);
/// gpt-oss: biased attention with sinks, MXFP4 experts.
std::vector<TensorSpec> gpt_oss(const ModelSpec& spec);
/// Phi-3 / Phi-4: fused QKV and gate+up.
std::vector<TensorSpec> phi3(const ModelSpec& spec);
/// DeepSeek V2/V3, Kimi K2: multi-head latent attention.
std::vector<TensorSpec> deepseek2(const ModelSpec& spec);
/// GLM-4.5: biased Q/K/V, dense leading layers, sigmoid-routed experts.
std::vector<TensorSpec> glm4moe(const ModelSpec& spec);
/// Pure Mamba-2.
std::vector<TensorSpec> mamba2(const ModelSpec& spec);
/// Granite 4.0 hybrid: Mamba-2 mixers and attention, dense or MoE FFN.
std::vector<TensorSpec> granite_hybrid(const ModelSpec& spec);

/// Seed-OSS.
std::vector<TensorSpec> seed_oss(const ModelSpec& spec);
/// OLMo 2 and 3.
std::vector<TensorSpec> olmo2(const ModelSpec& spec);
/// EXAONE 4.
std::vector<TensorSpec> exaone4(const ModelSpec& spec);
/// MiniMax-M2.
std::vector<TensorSpec> minimax_m2(const ModelSpec& spec);
/// ERNIE 4.5, dense and MoE.
std::vector<TensorSpec> ernie4_5(const ModelSpec& spec);
/// Hunyuan-MoE.
std::vector<TensorSpec> hunyuan_moe(const ModelSpec& spec);
/// Command R and Command R7B / A.
std::vector<TensorSpec> command_r(const ModelSpec& spec);
/// LFM2 and LFM2-MoE.
std::vector<TensorSpec> lfm2(const ModelSpec& spec);
/// Llama 4.
std::vector<TensorSpec> llama4(const ModelSpec& spec);

}  // namespace vramfit::builders
