#pragma once

// The engines the registry (src/plan/engine.cpp) lists, one file each.

#include "vramfit/model/weight_format.hpp"
#include "vramfit/plan/engine.hpp"

#include <string>

namespace vramfit::builtin_engines {

/// Whether `q` is a checkpoint format of `family`.
bool is_format_of(const QuantSpec& q, FormatFamily family);

/// A serving engine's own flags (vLLM, SGLang): the fp8 cache (`kv_dtype`
/// `kv_fp8`, e.g. "--kv-cache-dtype fp8"), requests at once, context length,
/// tensor parallelism.
struct ServingFlags {
  std::string_view kv_dtype;
  std::string_view kv_fp8;
  std::string_view parallel;
  std::string_view context;
  std::string_view tensor_parallel;
};
/// Its words for the changes it has a switch for (nothing for layer offload, a
/// draft or flash attention); empty when the change needs what it has no switch for.
std::string describe_serving(const Change& c, const ServingFlags& flags);
/// `head` (the program's own start: model path) and the flags that realize
/// `settings` on `placement`'s GPUs: context, fp8 cache, tensor parallelism, requests.
std::vector<std::string> serving_arguments(std::vector<std::string> head, const ServingFlags& flags,
                                           const Placement& placement, const RunSettings& settings);
/// A serving engine's defaults where the user chose none: one sequence, flash
/// attention (its kernels need no switch), a profiled batch of `n_ubatch`.
void serving_defaults(RunSettings& settings, const SettingsGiven& given, std::uint32_t n_ubatch);

/// A paged-cache engine's verdict on llama.cpp's placement `v` of scenario
/// `s`: every weight on the GPUs (the token embeddings too), then `activation`
/// inside the budget, and a KV cache of the rest in pages of `page_tokens`
/// that one request of the context must fit.
EngineVerdict paged_verdict(EngineVerdict v, const Scenario& s, const Estimate& activation, std::uint64_t page_tokens);

const EngineRules& llama_cpp();
const EngineRules& llama_server();
const EngineRules& ollama();
const EngineRules& vllm();
const EngineRules& sglang();
const EngineRules& mlx();

}  // namespace vramfit::builtin_engines
