#include "vramfit/plan/report.hpp"

#include "detail/text.hpp"
#include "plan/evaluator.hpp"

#include "vramfit/input/hardware.hpp"
#include "vramfit/input/parse.hpp"
#include "vramfit/support/error.hpp"
#include "vramfit/support/text.hpp"

#include <algorithm>

namespace vramfit {

std::string_view name(WeightsSource source) noexcept {
  switch (source) {
    case WeightsSource::published:
      return "published";
    case WeightsSource::predicted:
      return "predicted";
    case WeightsSource::gguf:
      return "gguf";
  }
  return "predicted";
}

std::string_view name(Verdict verdict) noexcept {
  switch (verdict) {
    case Verdict::fits:
      return "fits";
    case Verdict::maybe:
      return "maybe";
    case Verdict::over:
      return "over";
  }
  return "over";
}

std::string_view name(Knob knob) noexcept {
  switch (knob) {
    case Knob::wired_limit:
      return "wired-limit";
    case Knob::flash_attn:
      return "flash-attn";
    case Knob::cache_q8_0:
    case Knob::cache_q4_0:
      return "cache-type";
    case Knob::draft:
      return "draft";
    case Knob::projector:
      return "projector";
    case Knob::parallel:
      return "parallel";
    case Knob::expert_offload:
      return "expert-offload";
    case Knob::context:
      return "context";
    case Knob::layer_offload:
      return "layer-offload";
    case Knob::quant:
      return "quant";
  }
  return "quant";
}

const FitRow& Report::row(std::size_t quant, std::size_t gpu, std::size_t context) const {
  return rows.at((quant * columns.size() + gpu) * contexts.size() + context);
}

std::vector<std::string> Report::arguments(const FitRow& r, const Placement& placement) const {
  RunSettings s = settings;
  s.context_tokens = contexts.at(r.context).context_tokens;
  auto args = engine->arguments(model.spec, placement, s, quants.at(r.quant).model_file);
  // llama-server's flags; Ollama keeps a projector in its model, and takes no draft.
  const bool llama_server = !engine->no_draft_reason();
  if (projector && llama_server) {
    args.insert(args.end(), {"--mmproj", projector->file});
    if (!projector->offload) {
      args.emplace_back("--no-mmproj-offload");
    }
  }
  if (draft && draft->mtp_layers > 0) {
    // The model's own MTP blocks (common/arg.cpp --spec-type; common.cpp sets load_mtp from it).
    args.insert(args.end(), {"--spec-type", "draft-mtp"});
  } else if (draft) {
    // llama-server's draft flags (common/arg.cpp); its layers all offloaded, as by default.
    args.insert(args.end(), {"-md", draft->quant.model_file});
    if (draft->type_k != GgmlType::f16 || draft->type_v != GgmlType::f16) {
      args.insert(args.end(), {"-ctkd", lower_name(draft->type_k), "-ctvd", lower_name(draft->type_v)});
    }
  }
  return args;
}

std::string Report::command(const FitRow& r, const Placement& placement) const {
  if ((draft || projector) && !engine->no_draft_reason()) {
    return shell_command(std::string(engine->program()), arguments(r, placement));
  }
  RunSettings s = settings;
  s.context_tokens = contexts.at(r.context).context_tokens;
  return engine->command(model.spec, placement, s, quants.at(r.quant).model_file);
}

bool all_fit(const Report& report) {
  return std::all_of(report.rows.begin(), report.rows.end(),
                     [](const FitRow& row) { return row.fits && row.meets_min_headroom; });
}

std::vector<std::uint64_t> default_ladder(const ModelSpec& spec) {
  std::vector<std::uint64_t> out;
  for (const std::uint64_t k : {8192U, 16384U, 32768U}) {
    if (k < spec.n_ctx_train) {
      out.push_back(k);
    }
  }
  out.push_back(spec.n_ctx_train);
  return out;
}

namespace {

// "16GiB", "24GB@936GBps", "24 GB @ 1008 GB/s": a GPU the catalog does not
// know, by its memory (and bandwidth). Nothing when `item` is not of that form.
std::optional<GpuSpec> ad_hoc_gpu(std::string_view item) {
  const auto at = item.find('@');
  const std::string_view memory = detail::trim(item.substr(0, at));
  if (memory.empty() || memory.front() < '0' || memory.front() > '9' ||
      memory.find_first_not_of("0123456789.") == std::string_view::npos) {
    return std::nullopt;  // a bare number is a catalog name ("3090"), not a size
  }
  Bytes bytes = 0;
  try {
    bytes = parse_size(memory, "--gpu");
  } catch (const UsageError&) {
    return std::nullopt;
  }
  if (bytes < 256 * k_mib) {
    throw UsageError("--gpu: '" + std::string(item.substr(0, 64)) + "' is less than 256 MiB");
  }
  GpuSpec g;
  g.id = std::string(item);
  g.id.erase(std::remove(g.id.begin(), g.id.end(), ' '), g.id.end());
  g.name = "ad-hoc GPU (" + printable(item.substr(0, 64)) + ")";
  g.backend = Backend::cuda;
  g.memory_bytes = bytes;
  g.source = "--gpu: stated on the command line (a CUDA card assumed: its context reserve is estimated)";
  if (at != std::string_view::npos) {
    const std::string_view bw = detail::trim(item.substr(at + 1));
    const auto lower = detail::to_lower(bw);
    std::string_view number = lower;
    for (const std::string_view unit : {"gb/s", "gbps", "gbs"}) {
      if (number.size() > unit.size() && number.substr(number.size() - unit.size()) == unit) {
        number.remove_suffix(unit.size());
        break;
      }
    }
    number = detail::trim(number);
    char* end = nullptr;
    const std::string n(number);
    const double v = std::strtod(n.c_str(), &end);
    if (n.empty() || n.size() > 12 || end != n.c_str() + n.size() || !(v >= 1.0 && v <= 100000.0) ||
        number.size() == lower.size()) {
      throw UsageError("--gpu: '" + printable(item.substr(0, 64)) +
                       "': the bandwidth after '@' must be GB/s, like 24GB@936GBps");
    }
    g.bandwidth_gbps = v;
  }
  return g;
}

// The host as the device of a CPU-only run.
GpuSpec cpu_device(std::optional<Bytes> ram_bytes, double host_bandwidth_gbps) {
  if (!ram_bytes) {
    throw UsageError("--gpu cpu: give the host's memory with --ram (64GiB, say)");
  }
  GpuSpec g;
  g.id = "cpu";
  g.name = "CPU only";
  g.backend = Backend::cpu;
  g.memory = MemoryKind::unified;
  g.memory_bytes = *ram_bytes;
  g.bandwidth_gbps = host_bandwidth_gbps;
  g.source = "--gpu cpu with --ram";
  return g;
}

// A detected device as a catalog GPU: the catalog's entry by its reported name
// (with the reported total), or one made of the reported figures.
GpuSpec detected_gpu(const Catalog& catalog, const DetectedDevice& d) {
  GpuSpec g;
  try {
    g = catalog.find_gpu(catalog_name(d));
  } catch (const UsageError&) {
    for (const char c : detail::to_lower(d.name)) {
      const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      if (alnum || (!g.id.empty() && g.id.back() != '-')) {
        g.id += alnum ? c : '-';
      }
    }
    while (!g.id.empty() && g.id.back() == '-') {
      g.id.pop_back();
    }
    g.id = g.id.empty() ? "detected" : g.id.substr(0, 48);
    g.name = d.name;
    g.backend = d.tool == "rocm-smi" ? Backend::rocm : d.tool == "sysctl" ? Backend::metal : Backend::cuda;
    g.memory = d.tool == "sysctl" ? MemoryKind::unified : MemoryKind::discrete;
    g.memory_bytes = d.total_bytes;
    g.source = d.tool + ": not in the catalog (no bandwidth: no speed estimate)";
  }
  if (g.memory == MemoryKind::unified) {
    g.memory_bytes = d.total_bytes;
  } else {
    g.reported_total_bytes = d.total_bytes;
    g.memory_bytes = std::max(g.memory_bytes, d.total_bytes);
  }
  return g;
}

// Per-device list values of --reserve/--free: one value for every device, or one per device.
std::optional<Bytes> per_device(const std::vector<Bytes>& values, std::size_t index, std::size_t devices,
                                std::string_view option, const std::string& group) {
  if (values.empty()) {
    return std::nullopt;
  }
  if (values.size() != 1 && values.size() != devices) {
    throw UsageError(std::string(option) + ": " + std::to_string(values.size()) + " values for " + group + "'s " +
                     std::to_string(devices) + " GPUs (give one for all, or one per GPU)");
  }
  return values.size() == 1 ? values.front() : values[index];
}

}  // namespace

std::vector<std::uint64_t> context_sweep(const ModelSpec& spec) {
  std::vector<std::uint64_t> out;
  for (std::uint64_t k = 1024; k < spec.n_ctx_train; k *= 2) {
    out.push_back(k);
  }
  out.push_back(spec.n_ctx_train);
  return out;
}

GpuGroup resolve_gpu_group(const Catalog& catalog, std::string_view text, const DeviceOptions& options,
                           const HostOptions& host) {
  GpuGroup group;
  std::vector<std::pair<std::uint32_t, GpuSpec>> parts;
  std::vector<std::optional<DetectedDevice>> detected;  // per part
  if (text == "auto") {
    if (options.detected.empty()) {
      throw UsageError("--gpu auto: no GPU was detected");
    }
    for (const auto& d : options.detected) {
      parts.emplace_back(1, detected_gpu(catalog, d));
      detected.emplace_back(d);
    }
  }
  std::size_t at = text == "auto" ? text.size() + 1 : 0;
  while (at <= text.size()) {
    const auto plus = text.find('+', at);
    std::string_view item = text.substr(at, plus == std::string_view::npos ? std::string_view::npos : plus - at);
    at = plus == std::string_view::npos ? text.size() + 1 : plus + 1;
    item = detail::trim(item);
    if (item.empty()) {
      throw UsageError("--gpu: '" + std::string(text.substr(0, 64)) + "' has an empty GPU between '+' signs");
    }
    // "2xrtx3090" / "2x rtx3090": N of one GPU, when the rest is a known GPU.
    std::uint32_t count = 1;
    std::size_t digits = 0;
    while (digits < item.size() && digits < 3 && item[digits] >= '0' && item[digits] <= '9') {
      ++digits;
    }
    if (digits > 0 && digits + 1 < item.size() && (item[digits] == 'x' || item[digits] == 'X')) {
      auto rest = item.substr(digits + 1);
      rest = detail::trim(rest);
      const auto n = std::stoul(std::string(item.substr(0, digits)));
      if (n == 0 || n > 16) {
        throw UsageError("--gpu: '" + std::string(item.substr(0, 64)) + "': 1 to 16 GPUs of a kind");
      }
      count = static_cast<std::uint32_t>(n);
      item = rest;
    }
    if (detail::to_lower(item) == "cpu") {
      parts.emplace_back(count, cpu_device(host.ram_bytes, host.bandwidth_gbps));
    } else if (auto g = ad_hoc_gpu(item)) {
      parts.emplace_back(count, std::move(*g));
    } else {
      parts.emplace_back(count, catalog.find_gpu(item));
    }
    detected.emplace_back(std::nullopt);
  }
  std::size_t devices = 0;
  for (const auto& part : parts) {
    devices += part.first;
  }
  for (std::size_t p = 0; p < parts.size(); ++p) {
    const auto& [count, gpu] = parts[p];
    for (std::uint32_t i = 0; i < count; ++i) {
      const std::size_t index = group.gpus.size();
      DeviceOccupancy occupancy;
      auto wired = options.wired_limit_bytes;
      if (detected[p]) {
        occupancy.free_bytes = detected[p]->free_bytes;
        occupancy.in_use_bytes = detected[p]->free_bytes ? std::nullopt : detected[p]->used_bytes;
        occupancy.origin = detected[p]->tool;
        if (!wired) {
          wired = detected[p]->wired_limit_bytes;
        }
      }
      const std::string label = text == "auto" ? "the detected" : std::string(text.substr(0, 64));
      if (const auto r = per_device(options.reserve_bytes, index, devices, "--reserve", label)) {
        occupancy.in_use_bytes = std::max(occupancy.in_use_bytes.value_or(0), *r);
        occupancy.origin = occupancy.origin.empty() ? "--reserve" : occupancy.origin + ", --reserve";
      }
      if (const auto f = per_device(options.free_bytes, index, devices, "--free", label)) {
        occupancy.free_bytes = *f;
        occupancy.origin = "--free";
      }
      group.gpus.push_back(gpu);
      const auto macos = options.macos_major ? options.macos_major
                         : detected[p]       ? detected[p]->macos_major
                                             : std::nullopt;
      group.budgets.push_back(device_budget(gpu, wired, occupancy, macos));
      group.budgets.back().detected = detected[p];
    }
  }
  // The canonical id: runs of one GPU as "Nx" ("8xrtx3090", also when detected one by one).
  for (std::size_t i = 0; i < group.gpus.size();) {
    std::size_t run = 1;
    while (i + run < group.gpus.size() && group.gpus[i + run].id == group.gpus[i].id) {
      ++run;
    }
    group.id +=
        (group.id.empty() ? "" : "+") + (run > 1 ? std::to_string(run) + "x" : std::string{}) + group.gpus[i].id;
    i += run;
  }
  if (group.gpus.size() > 16) {
    throw UsageError("--gpu: at most 16 GPUs in one host");
  }
  const auto unified = [](const GpuSpec& g) {
    return g.memory == MemoryKind::unified;
  };
  if (group.gpus.size() > 1 && std::any_of(group.gpus.begin(), group.gpus.end(), unified)) {
    throw UsageError("--gpu: '" + group.id +
                     "': a unified-memory GPU is the whole machine; it does not combine with others");
  }
  return group;
}

Report build_report(const Catalog& catalog, const Request& request) {
  Evaluator evaluator(catalog, request);
  return evaluator.report();
}

MaxContextReport build_max_context(const Catalog& catalog, const Request& request) {
  Request base = request;
  base.with_ladder = false;
  base.with_max_context = false;
  base.with_what_if = false;
  Evaluator evaluator(catalog, base);
  MaxContextReport out;
  out.report = evaluator.report();
  const auto& spec = out.report.model.spec;
  // The engine's defaults apply here as in the fit table (Ollama: f16 cache,
  // no flash attention unless its environment says so).
  const RunSettings& settings = out.report.settings;
  if (request.given.cache_type()) {
    out.caches.emplace_back(settings.type_k, settings.type_v);
  } else {
    out.caches.emplace_back(GgmlType::f16, GgmlType::f16);
    if (settings.flash_attn) {
      out.caches.emplace_back(GgmlType::q8_0, GgmlType::q8_0);
      out.caches.emplace_back(GgmlType::q4_0, GgmlType::q4_0);
    }
  }
  for (std::size_t qi = 0; qi < out.report.quants.size(); ++qi) {
    for (std::size_t gi = 0; gi < out.report.columns.size(); ++gi) {
      for (std::size_t ci = 0; ci < out.caches.size(); ++ci) {
        RunSettings s = settings;
        s.type_k = out.caches[ci].first;
        s.type_v = out.caches[ci].second;
        MaxContextRow row;
        row.quant = qi;
        row.gpu = gi;
        row.cache = ci;
        row.supported = cache_types_fit(spec, s);  // q4_0 rows of 32 values over a head of 80 do not
        if (row.supported && s.n_seq > 1 && out.report.engine->offloads()) {
          const auto each = evaluator.max_context_tokens(out.report.quants[qi], out.report.columns[gi], s, s.n_seq);
          row.per_request_tokens = each;
          row.tokens = each * s.n_seq;
        } else if (row.supported) {
          row.tokens = evaluator.max_context_tokens(out.report.quants[qi], out.report.columns[gi], s);
        }
        if (row.tokens > 0) {
          s.context_tokens = row.tokens;
          row.kv_cache_bytes = kv_cache_size(spec, s).total_bytes();
          row.recurrent_state_bytes = recurrent_state_size(spec, s).total_bytes();
        }
        out.rows.push_back(row);
      }
    }
  }
  return out;
}

}  // namespace vramfit
