#include "request.hpp"

#include "detect.hpp"
#include "file_source.hpp"

#include "vramfit/input/gguf.hpp"
#include "vramfit/input/hf_config.hpp"
#include "vramfit/support/error.hpp"
#include "vramfit/support/text.hpp"

#include <algorithm>

namespace vramfit::cli {

EngineOptions engine_options(const Args& a) {
  EngineOptions o;
  const auto& engine = a.engine != nullptr ? *a.engine : default_engine();
  for (const auto name : engine.environment_variables()) {
    if (const auto value = Session::environment(std::string(name).c_str())) {
      o.environment.emplace(std::string(name), *value);
    }
  }
  o.memory_fraction = a.gpu_memory_utilization;
  return o;
}

void require_loadable(const GgufModel& gguf) {
  if (gguf.refusals.empty()) {
    return;
  }
  std::string more;
  if (gguf.refusals.size() > 1) {
    more = " (and " + std::to_string(gguf.refusals.size() - 1) + " more: vramfit inspect lists them)";
  }
  throw InputError(gguf.parts.front() + ": llama.cpp will not load this file: " + gguf.refusals.front() + more);
}

LoadedFile load_file(const std::string& path) {
  const auto gguf = load_gguf_model(path);
  require_loadable(gguf);
  LoadedFile out;
  out.model = std::make_shared<const CatalogModel>(gguf.model);
  out.weights = std::make_shared<const FileWeights>(file_weights(gguf, path));
  out.notes = gguf.notes;
  return out;
}

// --model-draft / --gguf-draft and their settings.
std::optional<DraftRequest> draft_request(const Args& a) {
  if (a.model_draft.empty() && a.gguf_draft.empty()) {
    if (a.quant_draft || a.cache_draft) {
      throw UsageError("--quant-draft and --cache-type-draft need --model-draft or --gguf-draft");
    }
    return std::nullopt;
  }
  if (!a.model_draft.empty() && !a.gguf_draft.empty()) {
    throw UsageError("give one of --model-draft and --gguf-draft");
  }
  if (!a.gguf_draft.empty() && a.quant_draft) {
    throw UsageError("--quant-draft does not apply to --gguf-draft: the file's own tensor types are used");
  }
  DraftRequest d;
  d.model = a.model_draft;
  if (a.quant_draft) {
    d.quant = *a.quant_draft;
  }
  if (a.cache_draft) {
    d.type_k = d.type_v = *a.cache_draft;
  }
  if (!a.gguf_draft.empty()) {
    auto file = load_file(a.gguf_draft);
    d.model_spec = std::move(file.model);
    d.file = std::move(file.weights);
  }
  return d;
}

// --mmproj: the projector's tensors, read from its header.
std::optional<ProjectorRequest> projector_request(const Args& a) {
  if (a.mmproj.empty()) {
    if (a.no_mmproj_offload) {
      throw UsageError("--no-mmproj-offload needs --mmproj FILE");
    }
    return std::nullopt;
  }
  if (a.mmproj == "auto") {
    ProjectorRequest p;
    p.from_catalog = true;
    p.offload = !a.no_mmproj_offload;
    return p;
  }
  FileSource source(a.mmproj);
  const auto gguf = read_gguf(source, a.mmproj);
  const auto* arch = gguf.find("general.architecture");
  if (arch == nullptr || arch->type != GgufType::string || arch->s != "clip") {
    throw InputError(a.mmproj + ": not a projector (mmproj) file: its general.architecture is " +
                     (arch != nullptr && arch->type == GgufType::string ? "'" + printable(arch->s.substr(0, 32)) + "'"
                                                                        : std::string("missing")) +
                     ", not 'clip' (a model file goes to --gguf)");
  }
  ProjectorRequest p;
  p.file = a.mmproj;
  if (const auto* type = gguf.find("clip.projector_type"); type != nullptr && type->type == GgufType::string) {
    p.type = printable(type->s.substr(0, 32));
  }
  p.weights_bytes = gguf.tensor_bytes();
  p.offload = !a.no_mmproj_offload;
  return p;
}

Request make_request(const Args& a) {
  const int sources = (a.model.empty() ? 0 : 1) + (a.gguf.empty() ? 0 : 1) + (a.hf_config.empty() ? 0 : 1);
  if (sources == 0) {
    throw UsageError("--model, --gguf or --hf-config is required ('vramfit list models' shows the catalog)");
  }
  if (sources > 1) {
    throw UsageError("give one of --model, --gguf and --hf-config");
  }
  if (!a.gguf.empty() && !a.quants.empty()) {
    throw UsageError("--quant does not apply to --gguf: the file's own tensor types are used");
  }
  if (a.gpus.empty()) {
    throw UsageError("--gpu is required ('vramfit list gpus' shows the catalog)");
  }
  Request r;
  r.model = a.model;
  r.gpus = a.gpus;
  r.quants = a.quants;
  r.all_quants = a.all_quants;
  r.contexts = a.contexts;
  r.settings = a.settings;
  r.given = a.given;
  r.n_cpu_moe = a.n_cpu_moe;
  r.n_gpu_layers = a.n_gpu_layers;
  if (a.host_bandwidth_gbps) {
    r.host.bandwidth_gbps = static_cast<double>(*a.host_bandwidth_gbps);
    r.host.bandwidth_given = true;
  }
  r.host.ram_bytes = a.ram_bytes;
  r.host.cpu = a.host_cpu;
  r.prompt_tokens = a.prompt_tokens;
  if (a.wired_limit_mb) {
    r.devices.wired_limit_bytes = *a.wired_limit_mb * k_mib;
  }
  r.devices.macos_major = a.macos_major;
  r.devices.reserve_bytes = a.reserve_bytes;
  r.devices.free_bytes = a.free_bytes;
  if (std::find(a.gpus.begin(), a.gpus.end(), "auto") != a.gpus.end()) {
    auto machine = detect_machine();
    if (machine.gpus.empty()) {
      std::string tried;
      for (const auto& t : machine.tried) {
        tried += (tried.empty() ? "" : "; ") + t;
      }
      throw UsageError("--gpu auto: no GPU found (" + tried +
                       "); name one with --gpu (vramfit list gpus), or use --gpu cpu --ram SIZE");
    }
    r.devices.detected = std::move(machine.gpus);
    if (!r.host.ram_bytes && machine.ram) {
      r.host.ram_bytes = machine.ram->total_bytes;
      r.notes.emplace_back("--ram taken from /proc/meminfo (MemTotal)");
    }
  }
  r.engine = a.engine;
  r.engine_options = engine_options(a);
  r.ladder = a.ladder;
  r.with_ladder = !a.no_ladder;
  if (!a.hf_config.empty()) {
    const auto text = read_text_file(a.hf_config, "config");
    r.model_spec = std::make_shared<const CatalogModel>(model_from_hf_config(text, a.hf_config, r.notes));
  }
  if (!a.gguf.empty()) {
    auto file = load_file(a.gguf);
    r.model_spec = std::move(file.model);
    r.file = std::move(file.weights);
    r.notes.insert(r.notes.end(), file.notes.begin(), file.notes.end());
  }
  r.draft = draft_request(a);
  r.mtp = a.mtp;
  r.projector = projector_request(a);
  return r;
}

}  // namespace vramfit::cli
