#pragma once

// From typed options to the library's request: the model source read (a
// catalog id, a GGUF file, a config.json), the engine's environment gathered.

#include "args.hpp"
#include "session.hpp"

#include "vramfit/input/gguf_model.hpp"
#include "vramfit/plan/report.hpp"

#include <memory>

namespace vramfit::cli {

/// The request of fit, check and max-context. Throws UsageError for a missing
/// or doubled model source or GPU, InputError for files that cannot be read.
Request make_request(const Args& a);

/// The engine's options: the environment variables it reads and --gpu-memory-utilization.
EngineOptions engine_options(const Args& a);

/// A GGUF file read from disk, as a model and as weights.
struct LoadedFile {
  std::shared_ptr<const CatalogModel> model;
  std::shared_ptr<const FileWeights> weights;
  std::vector<std::string> notes;
};
LoadedFile load_file(const std::string& path);

/// Throws InputError with the first reason llama.cpp would refuse `gguf`.
void require_loadable(const GgufModel& gguf);

}  // namespace vramfit::cli
