#pragma once

// The fuzz targets' bodies, shared by the libFuzzer entry points (fuzz_*.cpp)
// and the regression test that replays saved inputs in every build.

#include "app.hpp"

#include "vramfit/input/catalog.hpp"
#include "vramfit/input/gguf.hpp"
#include "vramfit/input/gguf_model.hpp"
#include "vramfit/input/hf_config.hpp"
#include "vramfit/input/llama_log.hpp"
#include "vramfit/input/parse.hpp"
#include "vramfit/memory/kv_cache.hpp"
#include "vramfit/model/inventory.hpp"
#include "vramfit/plan/report.hpp"
#include "vramfit/plan/verify.hpp"
#include "vramfit/support/error.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vramfit::fuzz {

// libFuzzer target: GGUF headers, then the model mapping and the memory model
// on whatever parses. Any exception other than vramfit::Error is a finding.
inline int fuzz_gguf(const std::uint8_t* data, std::size_t size) {
  try {
    MemorySource source(data, size);
    std::vector<GgufFile> parts{read_gguf(source, "fuzz.gguf")};
    const auto model = gguf_model(std::move(parts));
    RunSettings s;
    s.context_tokens = 4096;
    (void)kv_cache_size(model.model.spec, s);
    (void)recurrent_state_size(model.model.spec, s);
  } catch (const Error&) {
  }
  return 0;
}

// libFuzzer target: Hugging Face config.json import, then the tensor
// inventory and the memory model of whatever imports.
inline int fuzz_hf_config(const std::uint8_t* data, std::size_t size) {
  try {
    std::vector<std::string> notes;
    const auto model =
        model_from_hf_config(std::string_view(reinterpret_cast<const char*>(data), size), "config.json", notes);
    RunSettings s;
    s.context_tokens = 2048;
    (void)kv_cache_size(model.spec, s);
    (void)recurrent_state_size(model.spec, s);
    // Inventories are bounded by the layer and width limits the importer enforces.
    if (model.spec.n_layer <= 256) {
      (void)build_inventory(model.spec);
    }
  } catch (const Error&) {
  }
  return 0;
}

// libFuzzer target: a user catalog merged over the embedded one, then every
// lookup and the main job for each model it defines.
inline int fuzz_catalog(const std::uint8_t* data, std::size_t size) {
  try {
    std::vector<CatalogText> texts(embedded_catalog_texts().begin(), embedded_catalog_texts().end());
    texts.push_back({"user.json", std::string_view(reinterpret_cast<const char*>(data), size)});
    const auto catalog = load_catalog(texts);
    for (const auto& m : catalog.models) {
      if (m.origin != "user.json" || m.spec.n_layer > 128) {
        continue;
      }
      Request r;
      r.model = m.spec.id;
      r.gpus = {catalog.gpus.front().id};
      r.quants = {"Q4_K_M"};
      r.with_ladder = false;
      (void)build_report(catalog, r);
    }
  } catch (const Error&) {
  }
  return 0;
}

// libFuzzer target: the command line (NUL-separated arguments) and the value
// parsers behind it (contexts, sizes, counts, lists).
inline int fuzz_cli(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> args{"vramfit"};
  std::string current;
  for (const char c : input) {
    if (c == '\0') {
      args.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  args.push_back(current);
  if (args.size() > 64) {
    return 0;
  }
  std::vector<const char*> argv;
  for (const auto& a : args) {
    argv.push_back(a.c_str());
  }
  try {
    (void)cli::parse_command_line(static_cast<int>(argv.size()), argv.data());
  } catch (const Error&) {
  }
  for (const auto& a : args) {
    try {
      (void)parse_context_list(a, "--context");
    } catch (const Error&) {
    }
    try {
      (void)parse_size(a, "--size");
    } catch (const Error&) {
    }
    try {
      (void)parse_count(a, "--n", 1000);
    } catch (const Error&) {
    }
    try {
      (void)parse_switch(a, "--s");
    } catch (const Error&) {
    }
  }
  return 0;
}

// libFuzzer target: llama.cpp startup logs, then verify against the catalog
// model whose hyper-parameters match, or the log's own print_info.
inline int fuzz_log(const std::uint8_t* data, std::size_t size) {
  try {
    const auto log = parse_llama_log(std::string_view(reinterpret_cast<const char*>(data), size));
    VerifyOptions options;
    static const Catalog k_catalog = load_catalog(embedded_catalog_texts());
    const auto matches = models_matching_log(log, k_catalog.models);
    if (!matches.empty()) {
      options.model = std::make_shared<const CatalogModel>(*matches.front());
    }
    (void)verify_log(log, options);
  } catch (const Error&) {
  }
  return 0;
}

}  // namespace vramfit::fuzz
