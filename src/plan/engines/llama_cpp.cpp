// llama.cpp as a library or llama-cli, and llama-server.

#include "plan/engines/engines.hpp"

namespace vramfit::builtin_engines {
namespace {

// llama-cli / the library: one sequence; the settings as given.
class LlamaCpp final : public EngineRules {
public:
  std::string_view name() const noexcept override { return "llama.cpp"; }
  std::vector<std::string_view> aliases() const override { return {"llamacpp", "llama-cpp", "llama-cli"}; }
  std::vector<std::string> apply_defaults(RunSettings&, const SettingsGiven&, const EngineOptions&,
                                          Bytes) const override {
    return {};
  }
};

// -np auto = 4 slots sharing one unified KV cache of n_ctx cells
// (tools/server/server.cpp: "n_parallel is set to auto, using n_parallel = 4
// and kv_unified = true").
class LlamaServer final : public EngineRules {
public:
  std::string_view name() const noexcept override { return "llama-server"; }
  std::vector<std::string_view> aliases() const override { return {"llama.cpp-server", "server"}; }
  std::vector<std::string> apply_defaults(RunSettings& s, const SettingsGiven& given, const EngineOptions&,
                                          Bytes) const override {
    if (given.n_seq) {
      return {};
    }
    s.n_seq = 4;
    if (!given.kv_unified) {
      s.kv_unified = true;
    }
    return {"llama-server: 4 slots (-np auto) sharing one unified KV cache of the context's cells"};
  }
};

}  // namespace

const EngineRules& llama_cpp() {
  static const LlamaCpp k_engine;
  return k_engine;
}

const EngineRules& llama_server() {
  static const LlamaServer k_engine;
  return k_engine;
}

}  // namespace vramfit::builtin_engines
