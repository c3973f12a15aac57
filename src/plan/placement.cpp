#include "vramfit/plan/placement.hpp"

#include <algorithm>
#include <numeric>

namespace vramfit {
namespace {

Bytes estimate_sum(Bytes a, const Estimate& e, Bytes Estimate::*field) { return checked_add(a, e.*field, "device total"); }

} // namespace

Bytes LayerWeights::device_bytes() const {
  Bytes total = output_layer_bytes;
  for (const auto b : layer_bytes) {
    total = checked_add(total, b, "device weights");
  }
  return total;
}

Offload Offload::full(const ModelSpec& spec) { return Offload{spec.n_layer + 1, 0}; }

bool Offload::is_full(const ModelSpec& spec) const { return n_gpu_layers > spec.n_layer && n_cpu_moe == 0; }

namespace {

// Exact terms plus the estimates' `field` (bytes, low or high).
Bytes device_total(const DeviceLoad& d, Bytes Estimate::*field) {
  Bytes t = checked_add(d.weights_bytes, d.kv_cache_bytes, "device total");
  t = checked_add(t, d.recurrent_state_bytes, "device total");
  t = estimate_sum(t, d.compute_buffer, field);
  return estimate_sum(t, d.overhead, field);
}

} // namespace

Bytes DeviceLoad::total_bytes() const { return device_total(*this, &Estimate::bytes); }

Bytes DeviceLoad::total_low_bytes() const { return device_total(*this, &Estimate::low); }

Bytes DeviceLoad::total_high_bytes() const { return device_total(*this, &Estimate::high); }

ByteDelta DeviceLoad::headroom_bytes() const { return signed_difference(usable_bytes, total_bytes()); }

bool DeviceLoad::marginal() const { return (total_low_bytes() <= usable_bytes) != (total_high_bytes() <= usable_bytes); }

Bytes HostLoad::total_bytes() const {
  Bytes t = checked_add(weights_bytes, kv_cache_bytes, "host total");
  t = checked_add(t, recurrent_state_bytes, "host total");
  t = checked_add(t, compute_buffer.bytes, "host total");
  return checked_add(t, output_bytes, "host total");
}

bool Placement::fits() const {
  return std::all_of(devices.begin(), devices.end(), [](const DeviceLoad& d) { return d.fits(); });
}

bool Placement::marginal() const {
  return std::any_of(devices.begin(), devices.end(), [](const DeviceLoad& d) { return d.marginal(); });
}

std::vector<int> layer_split(std::uint32_t n_layer, std::uint64_t n_gpu_layers, const std::vector<double>& split) {
  const std::uint64_t n = n_layer;
  std::vector<int> device_of(n + 1, -1);
  if (split.empty()) {
    return device_of;
  }
  // i_gpu_start = max(n_layer - ngl, 0), act_gpu_layers = min(ngl, n_layer + 1); layer il
  // goes to the first GPU whose cumulative split exceeds (il - i_gpu_start) / act_gpu_layers.
  std::vector<double> cumulative = split;
  const double sum = std::accumulate(cumulative.begin(), cumulative.end(), 0.0);
  std::partial_sum(cumulative.begin(), cumulative.end(), cumulative.begin());
  for (auto& c : cumulative) {
    c = sum > 0 ? c / sum : 1.0;
  }
  const std::uint64_t start = n > n_gpu_layers ? n - n_gpu_layers : 0;
  const std::uint64_t active = std::min(n_gpu_layers, n + 1);
  for (std::uint64_t il = start; il <= n && il - start < active; ++il) {
    const auto frac = static_cast<float>(static_cast<double>(il - start) / static_cast<double>(active));
    const auto g = std::upper_bound(cumulative.begin(), cumulative.end(), frac) - cumulative.begin();
    device_of[il] = static_cast<int>(std::min<std::ptrdiff_t>(g, static_cast<std::ptrdiff_t>(split.size()) - 1));
  }
  return device_of;
}

Placement place(const ModelSpec& spec, const LayerWeights& weights, const RunSettings& settings,
                const KvCacheSize& kv, const RecurrentStateSize& state, const std::vector<GpuSpec>& gpus,
                const std::vector<DeviceBudget>& budgets, const Offload& offload) {
  Placement p;
  p.offload = offload;
  const std::uint32_t n = spec.n_layer;
  p.offload.n_gpu_layers = std::min(offload.n_gpu_layers, n + 1);
  p.offload.n_cpu_moe = std::min(offload.n_cpu_moe, n);
  const std::uint32_t ngl = p.offload.n_gpu_layers;

  std::vector<double> splits;
  for (const auto& b : budgets) {
    splits.push_back(static_cast<double>(std::max<Bytes>(b.usable_bytes, 1)));
    if (gpus.size() > 1) {
      p.tensor_split.push_back(static_cast<std::uint32_t>(std::max<Bytes>(b.usable_bytes / k_mib, 1)));
    }
  }
  const auto device_of = layer_split(n, ngl, splits);
  p.layer_device = device_of;
  p.devices.resize(gpus.size());
  for (std::size_t g = 0; g < gpus.size(); ++g) {
    p.devices[g].gpu = g;
    p.devices[g].usable_bytes = budgets[g].usable_bytes;
  }
  const Bytes state_per_layer = state.per_layer_bytes();
  auto& host = p.host;
  host.weights_bytes = weights.token_embd_bytes;
  bool partial = false;
  for (std::uint32_t il = 0; il < n; ++il) {
    const Bytes layer = il < weights.layer_bytes.size() ? weights.layer_bytes[il] : 0;
    const Bytes experts = il < weights.layer_expert_bytes.size() ? weights.layer_expert_bytes[il] : 0;
    const Bytes kv_bytes = il < kv.layer_bytes.size() ? kv.layer_bytes[il] : 0;
    const Bytes st = spec.kind(il) == LayerKind::recurrent ? state_per_layer : 0;
    if (device_of[il] < 0) {
      partial = true;
      host.weights_bytes = checked_add(host.weights_bytes, layer, "host weights");
      host.kv_cache_bytes = checked_add(host.kv_cache_bytes, kv_bytes, "host KV");
      host.recurrent_state_bytes = checked_add(host.recurrent_state_bytes, st, "host state");
      continue;
    }
    auto& d = p.devices[static_cast<std::size_t>(device_of[il])];
    ++d.layers;
    Bytes on_gpu = layer;
    if (il < p.offload.n_cpu_moe && experts > 0) {
      partial = true;
      on_gpu -= experts;
      host.weights_bytes = checked_add(host.weights_bytes, experts, "host weights");
    }
    d.weights_bytes = checked_add(d.weights_bytes, on_gpu, "device weights");
    d.kv_cache_bytes = checked_add(d.kv_cache_bytes, kv_bytes, "device KV");
    d.recurrent_state_bytes = checked_add(d.recurrent_state_bytes, st, "device state");
  }
  if (device_of[n] >= 0) {
    auto& d = p.devices[static_cast<std::size_t>(device_of[n])];
    d.output_layer = true;
    d.weights_bytes = checked_add(d.weights_bytes, weights.output_layer_bytes, "device weights");
  } else {
    partial = true;
    host.weights_bytes = checked_add(host.weights_bytes, weights.output_layer_bytes, "host weights");
  }
  host.output_bytes = output_buffer_bytes(spec, settings);
  // Every GPU that holds blocks reserves its own compute buffer for its part of the graph.
  for (std::size_t g = 0; g < gpus.size(); ++g) {
    auto& d = p.devices[g];
    if (d.layers == 0 && !d.output_layer) {
      continue;
    }
    const auto e = estimate_compute(spec, settings, kv, gpus[g].backend, partial);
    d.compute_buffer = e.compute_buffer;
    d.overhead = e.overhead;
  }
  if (partial) {
    host.compute_buffer = estimate_compute(spec, settings, kv, Backend::cpu, true).compute_buffer;
  }
  return p;
}

std::optional<Placement> plan_offload(const ModelSpec& spec, const LayerWeights& weights, const RunSettings& settings,
                                      const KvCacheSize& kv, const RecurrentStateSize& state,
                                      const std::vector<GpuSpec>& gpus, const std::vector<DeviceBudget>& budgets) {
  const auto at = [&](Offload o) { return place(spec, weights, settings, kv, state, gpus, budgets, o); };
  const std::uint32_t n = spec.n_layer;
  auto full = at(Offload::full(spec));
  if (full.fits()) {
    return full;
  }
  // Mixture of experts: keep every block on the GPUs and move the experts of
  // the first blocks to the host, as few as fit (the GPU bytes fall with each).
  if (spec.moe) {
    std::uint32_t lo = 1;
    std::uint32_t hi = n;
    if (at(Offload{n + 1, n}).fits()) {
      while (lo < hi) {
        const std::uint32_t mid = lo + (hi - lo) / 2;
        if (at(Offload{n + 1, mid}).fits()) {
          hi = mid;
        } else {
          lo = mid + 1;
        }
      }
      return at(Offload{n + 1, lo});
    }
  }
  // Fewer blocks on the GPUs: the most that fit (for MoE, with every expert on the host).
  const std::uint32_t moe = spec.moe ? n : 0;
  std::uint32_t lo = 0;
  std::uint32_t hi = n + 1;
  while (lo < hi) {
    const std::uint32_t mid = lo + (hi - lo + 1) / 2;
    if (at(Offload{mid, moe}).fits()) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  auto best = at(Offload{lo, lo == 0 ? 0 : moe});
  if (!best.fits()) {
    return std::nullopt;
  }
  return best;
}

std::vector<TokenTraffic> decode_traffic(const ModelSpec& spec, const LayerWeights& weights, const KvCacheSize& kv,
                                         const RecurrentStateSize& state, const Placement& placement,
                                         const std::vector<GpuSpec>& gpus, double host_bandwidth_gbps) {
  std::vector<TokenTraffic> pools(gpus.size() + 1);
  for (std::size_t g = 0; g < gpus.size(); ++g) {
    pools[g].bandwidth_gbps = gpus[g].bandwidth_gbps;
    pools[g].backend = gpus[g].backend;
  }
  auto& host = pools.back();
  const bool unified = !gpus.empty() && gpus.front().memory == MemoryKind::unified;
  host.bandwidth_gbps = unified ? gpus.front().bandwidth_gbps : host_bandwidth_gbps;
  host.backend = Backend::cpu;
  const auto active_experts = [&](Bytes experts) -> Bytes {
    if (!spec.moe || spec.moe->n_expert == 0) {
      return experts;
    }
    return static_cast<Bytes>(static_cast<long double>(experts) * spec.moe->n_expert_used / spec.moe->n_expert);
  };
  const Bytes state_per_layer = state.per_layer_bytes();
  const std::uint32_t n = spec.n_layer;
  for (std::uint32_t il = 0; il < n; ++il) {
    const Bytes layer = il < weights.layer_bytes.size() ? weights.layer_bytes[il] : 0;
    const Bytes experts = il < weights.layer_expert_bytes.size() ? weights.layer_expert_bytes[il] : 0;
    const Bytes cache = (il < kv.layer_bytes.size() ? kv.layer_bytes[il] : 0) +
                        (spec.kind(il) == LayerKind::recurrent ? state_per_layer : 0);
    const int d = il < placement.layer_device.size() ? placement.layer_device[il] : -1;
    auto& pool = d < 0 ? host : pools[static_cast<std::size_t>(d)];
    pool.bytes += layer - experts + cache;
    ++pool.layers;
    auto& expert_pool = d >= 0 && il < placement.offload.n_cpu_moe ? host : pool;
    expert_pool.bytes += active_experts(experts);
  }
  const int out = n < placement.layer_device.size() ? placement.layer_device[n] : -1;
  (out < 0 ? host : pools[static_cast<std::size_t>(out)]).bytes += weights.output_layer_bytes;
  return pools;
}

Bytes output_buffer_bytes(const ModelSpec& spec, const RunSettings& settings) {
  return checked_mul(checked_mul(spec.n_vocab, 4, "output buffer"), std::max<Bytes>(1, settings.n_seq), "output buffer");
}

std::vector<std::string> expert_offload_arguments(const ModelSpec& spec, const Offload& offload) {
  if (offload.n_cpu_moe == 0) {
    return {};
  }
  if (offload.n_cpu_moe >= spec.n_layer) {
    return {"-ot", "exps=CPU"};
  }
  return {"--n-cpu-moe", std::to_string(offload.n_cpu_moe)};
}

std::string joined_arguments(const std::vector<std::string>& arguments) {
  std::string out;
  for (const auto& a : arguments) {
    out += (out.empty() ? "" : " ") + a;
  }
  return out;
}

std::vector<std::string> llama_arguments(const ModelSpec& spec, const Placement& placement, const RunSettings& settings,
                                         const std::string& model_path) {
  std::vector<std::string> a{"-m", model_path, "-c", std::to_string(settings.context_tokens == 0 ? spec.n_ctx_train
                                                                                                 : settings.context_tokens),
                             "-ngl", std::to_string(placement.offload.n_gpu_layers)};
  const auto experts = expert_offload_arguments(spec, placement.offload);
  a.insert(a.end(), experts.begin(), experts.end());
  a.insert(a.end(), {"-ctk", lower_name(settings.type_k), "-ctv", lower_name(settings.type_v), "-fa",
                     settings.flash_attn ? "on" : "off"});
  if (!placement.tensor_split.empty()) {
    std::string ts;
    for (const auto v : placement.tensor_split) {
      ts += (ts.empty() ? "" : ",") + std::to_string(v);
    }
    a.insert(a.end(), {"-ts", ts});
  }
  if (settings.n_seq > 1) {
    a.insert(a.end(), {"-np", std::to_string(settings.n_seq)});
    if (settings.kv_unified) {
      a.emplace_back("-kvu");
    }
  }
  if (settings.n_ubatch != 512) {
    a.insert(a.end(), {"-ub", std::to_string(settings.n_ubatch)});
  }
  if (settings.n_batch != 2048) {
    a.insert(a.end(), {"-b", std::to_string(settings.n_batch)});
  }
  if (settings.swa_full) {
    a.emplace_back("--swa-full");
  }
  return a;
}

std::string shell_command(const std::string& program, const std::vector<std::string>& arguments) {
  std::string out = program;
  for (const auto& arg : arguments) {
    const bool plain = !arg.empty() && std::all_of(arg.begin(), arg.end(), [](unsigned char c) {
      return std::isalnum(c) != 0 || std::string_view("-_.,/=:+@%").find(static_cast<char>(c)) != std::string_view::npos;
    });
    if (plain) {
      out += " " + arg;
      continue;
    }
    out += " '";
    for (const char c : arg) {
      out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    out += "'";
  }
  return out;
}

} // namespace vramfit
