#pragma once

// The engines the registry (src/plan/engine.cpp) lists, one file each.

#include "vramfit/plan/engine.hpp"

namespace vramfit::builtin_engines {

const EngineRules& llama_cpp();
const EngineRules& llama_server();
const EngineRules& ollama();
const EngineRules& vllm();
const EngineRules& sglang();
const EngineRules& mlx();

}  // namespace vramfit::builtin_engines
