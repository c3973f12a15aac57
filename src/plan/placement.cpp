#include "vramfit/plan/placement.hpp"

#include "vramfit/model/ggml_type.hpp"
#include "vramfit/model/inventory.hpp"
#include "vramfit/support/error.hpp"

#include <algorithm>
#include <numeric>
#include <tuple>

namespace vramfit {

Bytes LayerWeights::device_bytes() const {
  return checked_add(layers.total(), output_layer_bytes, "device weights");
}

Offload Offload::full(const ModelSpec& spec) {
  return Offload{spec.n_layer + 1, 0};
}

bool Offload::is_full(const ModelSpec& spec) const {
  return n_gpu_layers > spec.n_layer && n_cpu_moe == 0;
}

std::uint32_t llama_gpu_layers(const ModelSpec& spec, std::uint32_t n_gpu_layers) {
  return n_gpu_layers == 0 ? 0 : n_gpu_layers + spec.n_layer_nextn;
}

std::uint32_t gpu_blocks_of(const ModelSpec& spec, std::uint32_t n) {
  return n > spec.n_layer_nextn ? n - spec.n_layer_nextn : 0;
}

int LayerSplit::device_of(std::uint32_t il) const {
  for (std::size_t g = 0; g < end.size(); ++g) {
    if (il >= begin(g) && il < end[g]) {
      return static_cast<int>(g);
    }
  }
  return -1;
}

std::vector<int> LayerSplit::per_layer() const {
  std::vector<int> out(static_cast<std::size_t>(n_layer) + 1);
  for (std::uint32_t il = 0; il <= n_layer; ++il) {
    out[il] = device_of(il);
  }
  return out;
}

LayerSplit layer_split_from(const std::vector<int>& per_layer) {
  LayerSplit s;
  s.n_layer = per_layer.empty() ? 0 : static_cast<std::uint32_t>(per_layer.size() - 1);
  s.first_gpu_layer = s.n_layer + 1;
  int last = -1;
  for (std::uint32_t il = 0; il < per_layer.size(); ++il) {
    const int d = per_layer[il];
    if (d < 0) {
      if (last >= 0) {
        throw InputError("layer " + std::to_string(il) + " is on the CPU after layers on GPUs");
      }
      continue;
    }
    if (last < 0) {
      s.first_gpu_layer = il;
      s.end.assign(static_cast<std::size_t>(d), il);  // GPUs before the first used hold nothing
    } else if (d < last) {
      throw InputError("layer " + std::to_string(il) + " goes back to an earlier device");
    }
    while (static_cast<int>(s.end.size()) <= d) {
      s.end.push_back(il);
    }
    s.end[static_cast<std::size_t>(d)] = il + 1;
    last = d;
  }
  return s;
}

LayerSplit layer_split(std::uint32_t n_layer, std::uint64_t n_gpu_layers, const std::vector<double>& split) {
  const std::uint64_t n = n_layer;
  LayerSplit out;
  out.n_layer = n_layer;
  out.first_gpu_layer = n_layer + 1;
  if (split.empty()) {
    return out;
  }
  // i_gpu_start = max(n_layer - ngl, 0), act_gpu_layers = min(ngl, n_layer + 1); layer il
  // goes to the first GPU whose cumulative split exceeds (il - i_gpu_start) / act_gpu_layers.
  // In float, as llama.cpp computes it: a layer that lands exactly on a
  // boundary (-ts 24,25,24,22 over 95 layers) goes where llama.cpp puts it.
  std::vector<float> cumulative;
  float running = 0.0F;
  for (const double v : split) {
    running += static_cast<float>(v);
    cumulative.push_back(running);
  }
  const float sum = running;
  for (auto& c : cumulative) {
    c = sum > 0 ? c / sum : 1.0F;
  }
  const std::uint64_t start = n > n_gpu_layers ? n - n_gpu_layers : 0;
  const std::uint64_t active = std::min(n_gpu_layers, n + 1);
  out.end.assign(split.size(), static_cast<std::uint32_t>(start));
  if (active == 0) {
    out.end.assign(split.size(), n_layer + 1);
    return out;
  }
  out.first_gpu_layer = static_cast<std::uint32_t>(start);
  if (split.size() == 1) {
    out.end[0] = static_cast<std::uint32_t>(start + active);  // one GPU takes every offloaded index
    return out;
  }
  std::uint32_t at = out.first_gpu_layer;
  for (std::uint64_t il = start; il <= n && il - start < active; ++il) {
    const float frac = static_cast<float>(il - start) / static_cast<float>(active);
    const auto g = std::upper_bound(cumulative.begin(), cumulative.end(), frac) - cumulative.begin();
    const auto gpu =
        static_cast<std::size_t>(std::min<std::ptrdiff_t>(g, static_cast<std::ptrdiff_t>(split.size()) - 1));
    at = static_cast<std::uint32_t>(il + 1);
    for (std::size_t k = gpu; k < out.end.size(); ++k) {
      out.end[k] = at;  // later GPUs start after this block until they take one of their own
    }
  }
  return out;
}

WeightPart weight_part(std::string_view tensor_name, std::int32_t layer) noexcept {
  if (layer >= 0) {
    return is_routed_expert(tensor_name) ? WeightPart::experts : WeightPart::block;
  }
  return tensor_name == "token_embd.weight" ? WeightPart::token_embd : WeightPart::output;
}

int weight_device(WeightPart part, std::uint32_t layer, const LayerSplit& split, std::uint32_t n_cpu_moe) {
  switch (part) {
    case WeightPart::token_embd:
      return -1;
    case WeightPart::output:
      return split.device_of(split.n_layer);
    case WeightPart::experts:
      return layer < n_cpu_moe ? -1 : split.device_of(layer);
    case WeightPart::block:
      return split.device_of(layer);
  }
  return -1;
}

namespace {

Bytes estimate_sum(Bytes a, const Estimate& e, Bytes Estimate::*field) {
  return checked_add(a, e.*field, "device total");
}

// Exact terms plus the estimates' `field` (bytes, low or high).
Bytes device_total(const DeviceLoad& d, Bytes Estimate::*field) {
  Bytes t = checked_add(d.weights_bytes, d.kv_cache_bytes, "device total");
  t = checked_add(t, d.recurrent_state_bytes, "device total");
  t = estimate_sum(t, d.compute_buffer, field);
  t = checked_add(t, d.draft.total(field), "device total");
  t = checked_add(t, d.projector.total(field), "device total");
  return estimate_sum(t, d.overhead, field);
}

}  // namespace

Bytes CompanionLoad::total(Bytes Estimate::*field) const {
  return estimate_sum(checked_add(weights_bytes, kv_cache_bytes, "draft"), compute_buffer, field);
}

CompanionLoad& CompanionLoad::operator+=(const CompanionLoad& other) {
  weights_bytes = checked_add(weights_bytes, other.weights_bytes, "draft");
  kv_cache_bytes = checked_add(kv_cache_bytes, other.kv_cache_bytes, "draft");
  for (auto field : {&Estimate::bytes, &Estimate::low, &Estimate::high}) {
    compute_buffer.*field = checked_add(compute_buffer.*field, other.compute_buffer.*field, "draft");
  }
  return *this;
}

Bytes DeviceLoad::total_bytes() const {
  return device_total(*this, &Estimate::bytes);
}

Bytes DeviceLoad::total_low_bytes() const {
  return device_total(*this, &Estimate::low);
}

Bytes DeviceLoad::total_high_bytes() const {
  return device_total(*this, &Estimate::high);
}

ByteDelta DeviceLoad::headroom_bytes() const {
  return signed_difference(usable_bytes, total_bytes());
}

bool DeviceLoad::marginal() const {
  return (total_low_bytes() <= usable_bytes) != (total_high_bytes() <= usable_bytes);
}

Bytes HostLoad::total_bytes() const {
  Bytes t = checked_add(weights_bytes, kv_cache_bytes, "host total");
  t = checked_add(t, repacked_weights_bytes, "host total");
  t = checked_add(t, recurrent_state_bytes, "host total");
  t = checked_add(t, compute_buffer.bytes, "host total");
  t = checked_add(t, draft.total(), "host total");
  t = checked_add(t, projector.total(), "host total");
  return checked_add(t, output_bytes, "host total");
}

Bytes HostLoad::working_set_bytes() const {
  return total_bytes() - std::min(total_bytes(), reclaimable_bytes);
}

Bytes MemoryBreakdown::total_bytes() const {
  Bytes t = checked_add(weights_bytes, kv_cache_bytes, "total");
  t = checked_add(t, recurrent_state_bytes, "total");
  t = checked_add(t, compute_buffer_bytes, "total");
  t = checked_add(t, draft_bytes, "total");
  t = checked_add(t, projector_bytes, "total");
  return checked_add(t, overhead_bytes, "total");
}

bool Placement::fits() const {
  return std::all_of(devices.begin(), devices.end(), [](const DeviceLoad& d) { return d.fits(); });
}

bool Placement::marginal() const {
  return std::any_of(devices.begin(), devices.end(), [](const DeviceLoad& d) { return d.marginal(); });
}

Bytes Placement::gpu_total_bytes() const {
  Bytes t = 0;
  for (const auto& d : devices) {
    t = checked_add(t, d.total_bytes(), "GPU total");
  }
  return t;
}

namespace {

// The layer split of `budgets` for `ngl` blocks: usable memory weighs each GPU.
LayerSplit split_for(std::uint32_t n_layer, std::uint32_t ngl, const std::vector<DeviceBudget>& budgets) {
  std::vector<double> weights;
  weights.reserve(budgets.size());
  for (const auto& b : budgets) {
    weights.push_back(static_cast<double>(std::max<Bytes>(b.usable_bytes, 1)));
  }
  return layer_split(n_layer, ngl, weights);
}

// Adds the blocks [begin, end) to `bytes` with every part sent where weight_device() says.
struct BlockRange {
  std::uint32_t begin;
  std::uint32_t end;
};

}  // namespace

Placement place(const ModelSpec& spec, const LayerWeights& weights, const RunSettings& settings, const KvCacheSize& kv,
                const RecurrentStateSize& state, const std::vector<GpuSpec>& gpus,
                const std::vector<DeviceBudget>& budgets, const Offload& offload, const Companions& companions) {
  Placement p;
  const std::uint32_t n = spec.n_layer;
  p.offload.n_gpu_layers = std::min(offload.n_gpu_layers, n + 1);
  p.offload.n_cpu_moe = std::min(offload.n_cpu_moe, n);
  p.split = split_for(n, p.offload.n_gpu_layers, budgets);
  if (gpus.size() > 1) {
    for (const auto& b : budgets) {
      p.tensor_split.push_back(static_cast<std::uint32_t>(std::max<Bytes>(b.usable_bytes / k_mib, 1)));
    }
  }
  p.devices.resize(gpus.size());
  p.kv_on_host = !settings.kv_offload;
  auto& host = p.host;
  host.weights_bytes = weights.token_embd_bytes;
  bool partial = false;
  // The CPU's extra buffers take host weights only where no GPU host buffer
  // comes first in llama.cpp's CPU list: CPU-only and Metal hosts.
  const bool extras = std::all_of(gpus.begin(), gpus.end(), [](const GpuSpec& g) {
    return g.backend == Backend::metal || g.backend == Backend::cpu;
  });
  // Their copies come on top of the mapped file, whose pages for them stay
  // mapped (llama.cpp's CPU_Mapped span) but are not read again.
  const auto repack = [&](Bytes allocated, Bytes source) {
    if (extras) {
      host.repacked_weights_bytes = checked_add(host.repacked_weights_bytes, allocated, "repacked weights");
      host.reclaimable_bytes = checked_add(host.reclaimable_bytes, source, "repacked weights");
    }
  };
  const auto& rp = weights.repacked;
  const auto& rs = weights.repacked_source;
  // Each device holds one contiguous range of blocks; the host the blocks
  // before the first GPU's. Within a range, routed experts of blocks below
  // --n-cpu-moe go to the host (weight_device's rule), the rest stays.
  const auto add_blocks = [&](BlockRange r, int device) {
    if (r.begin >= r.end) {
      return;
    }
    const Bytes all = weights.layers.range(r.begin, r.end);
    const Bytes kv_bytes = kv.range(r.begin, r.end);
    const Bytes st = state.per_layer.range(r.begin, r.end);
    if (device < 0) {
      partial = true;
      host.weights_bytes = checked_add(host.weights_bytes, all, "host weights");
      repack(rp.blocks.range(r.begin, r.end) + rp.experts.range(r.begin, r.end),
             rs.blocks.range(r.begin, r.end) + rs.experts.range(r.begin, r.end));
      host.kv_cache_bytes = checked_add(host.kv_cache_bytes, kv_bytes, "host KV");
      host.recurrent_state_bytes = checked_add(host.recurrent_state_bytes, st, "host state");
      return;
    }
    auto& d = p.devices[static_cast<std::size_t>(device)];
    d.layers += r.end - r.begin;
    Bytes on_device = all;
    const std::uint32_t experts_end = std::min(r.end, p.offload.n_cpu_moe);
    if (experts_end > r.begin && weight_device(WeightPart::experts, r.begin, p.split, p.offload.n_cpu_moe) < 0) {
      const Bytes moved = weights.experts.range(r.begin, experts_end);
      partial = partial || moved > 0;
      on_device -= moved;
      host.weights_bytes = checked_add(host.weights_bytes, moved, "host weights");
      repack(rp.experts.range(r.begin, experts_end), rs.experts.range(r.begin, experts_end));
    }
    if (gpus[static_cast<std::size_t>(device)].backend == Backend::cpu) {
      // `--gpu cpu`: the "device" is the host itself, whose blocks repack too.
      repack(rp.blocks.range(r.begin, r.end) + rp.experts.range(r.begin, r.end),
             rs.blocks.range(r.begin, r.end) + rs.experts.range(r.begin, r.end));
    }
    d.weights_bytes = checked_add(d.weights_bytes, on_device, "device weights");
    if (p.kv_on_host) {
      // -nkvo: llama.cpp allocates the cache (and recurrent state) in host memory.
      host.kv_cache_bytes = checked_add(host.kv_cache_bytes, kv_bytes, "host KV");
      host.recurrent_state_bytes = checked_add(host.recurrent_state_bytes, st, "host state");
    } else {
      d.kv_cache_bytes = checked_add(d.kv_cache_bytes, kv_bytes, "device KV");
      d.recurrent_state_bytes = checked_add(d.recurrent_state_bytes, st, "device state");
    }
  };
  add_blocks({0, std::min(p.split.first_gpu_layer, n)}, -1);
  for (std::size_t g = 0; g < gpus.size(); ++g) {
    p.devices[g].gpu = g;
    p.devices[g].usable_bytes = budgets[g].usable_bytes;
    add_blocks({std::min(p.split.begin(g), n), std::min(p.split.end[g], n)}, static_cast<int>(g));
  }
  const int output_device = weight_device(WeightPart::output, n, p.split, p.offload.n_cpu_moe);
  if (output_device >= 0) {
    auto& d = p.devices[static_cast<std::size_t>(output_device)];
    d.output_layer = true;
    d.weights_bytes = checked_add(d.weights_bytes, weights.output_layer_bytes, "device weights");
  } else {
    partial = true;
    host.weights_bytes = checked_add(host.weights_bytes, weights.output_layer_bytes, "host weights");
    repack(rp.output, rs.output);
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
  for (auto [companion, on_device, on_host] :
       {std::tuple{companions.draft, &DeviceLoad::draft, &host.draft},
        std::tuple{companions.projector, &DeviceLoad::projector, &host.projector}}) {
    if (companion == nullptr) {
      continue;
    }
    for (std::size_t g = 0; g < p.devices.size() && g < companion->gpus.size(); ++g) {
      p.devices[g].*on_device = companion->gpus[g];
    }
    *on_host = companion->host;
  }
  return p;
}

std::optional<Placement> plan_offload(const ModelSpec& spec, const LayerWeights& weights, const RunSettings& settings,
                                      const KvCacheSize& kv, const RecurrentStateSize& state,
                                      const std::vector<GpuSpec>& gpus, const std::vector<DeviceBudget>& budgets,
                                      const Companions& companions) {
  const auto at = [&](Offload o) {
    return place(spec, weights, settings, kv, state, gpus, budgets, o, companions);
  };
  // A plan is advice: it must fit at the estimates' high end, not just the middle.
  const auto safe = [&](Offload o) {
    const auto p = at(o);
    return p.fits() && !p.marginal();
  };
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
    if (safe(Offload{n + 1, n})) {
      while (lo < hi) {
        const std::uint32_t mid = lo + (hi - lo) / 2;
        if (safe(Offload{n + 1, mid})) {
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
    if (safe(Offload{mid, moe})) {
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
  const std::uint32_t n = spec.n_layer;
  const auto& split = placement.split;
  const std::uint32_t ncmoe = placement.offload.n_cpu_moe;
  const auto add_blocks = [&](std::uint32_t begin, std::uint32_t end, int device) {
    if (begin >= end) {
      return;
    }
    auto& pool = device < 0 ? host : pools[static_cast<std::size_t>(device)];
    const Bytes experts = weights.experts.range(begin, end);
    pool.bytes += weights.layers.range(begin, end) - experts;
    (placement.kv_on_host ? host : pool).bytes += kv.range(begin, end) + state.per_layer.range(begin, end);
    pool.layers += end - begin;
    // Routed experts are read where they live: the host for blocks below --n-cpu-moe.
    const std::uint32_t on_host_end = device < 0 ? end : std::clamp(ncmoe, begin, end);
    host.bytes += active_experts(weights.experts.range(begin, on_host_end));
    pool.bytes += active_experts(weights.experts.range(on_host_end, end));
  };
  add_blocks(0, std::min(split.first_gpu_layer, n), -1);
  for (std::size_t g = 0; g < split.end.size() && g < gpus.size(); ++g) {
    add_blocks(std::min(split.begin(g), n), std::min(split.end[g], n), static_cast<int>(g));
  }
  const int out = split.device_of(n);
  (out < 0 ? host : pools[static_cast<std::size_t>(out)]).bytes += weights.output_layer_bytes;
  return pools;
}

std::vector<PrefillWork> prefill_work(const ModelSpec& spec, const LayerWeights& weights, double active_params,
                                      std::uint64_t prompt_tokens, const Placement& placement,
                                      const std::vector<GpuSpec>& gpus) {
  std::vector<PrefillWork> work(gpus.size());
  for (std::size_t g = 0; g < gpus.size(); ++g) {
    work[g].backend = gpus[g].backend;
    work[g].peak_tflops = gpus[g].fp16_accumulate_tflops.value_or(gpus[g].fp16_tflops.value_or(0.0));
  }
  if (gpus.empty()) {
    return work;
  }
  const std::uint32_t n = spec.n_layer;
  const Bytes all = weights.layers.range(0, n) + weights.output_layer_bytes;
  const double flops_per_byte = all == 0 ? 0.0 : 2.0 * active_params / static_cast<double>(all);
  const double mean_context = static_cast<double>(prompt_tokens) / 2.0;
  const auto& split = placement.split;
  const std::uint32_t ncmoe = placement.offload.n_cpu_moe;
  for (std::uint32_t il = 0; il <= n; ++il) {
    const int device = split.device_of(il);
    auto& w = work[device < 0 ? 0 : static_cast<std::size_t>(device)];
    const Bytes bytes = il == n ? weights.output_layer_bytes : weights.layers.range(il, il + 1);
    // Dense parts and active experts compute alike: FLOPs follow the active share of the bytes.
    w.matmul_flops += flops_per_byte * static_cast<double>(bytes);
    if (device < 0) {
      w.host_weight_bytes += bytes;
    } else if (il < n && il < ncmoe) {
      w.host_weight_bytes += weights.experts.range(il, il + 1);
    }
    if (il == n || spec.kind(il) == LayerKind::recurrent) {
      continue;
    }
    double context = mean_context;
    if (spec.kind(il) == LayerKind::sliding_attention && spec.n_swa > 0) {
      context = std::min(context, static_cast<double>(spec.n_swa));
    }
    w.attention_flops += 4.0 * context * static_cast<double>(spec.n_head) * static_cast<double>(spec.n_embd_head_k);
  }
  return work;
}

Bytes output_buffer_bytes(const ModelSpec& spec, const RunSettings& settings) {
  return checked_mul(checked_mul(spec.n_vocab, 4, "output buffer"), std::max<Bytes>(1, settings.n_seq),
                     "output buffer");
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
  std::vector<std::string> a{
      "-m",   model_path,
      "-c",   std::to_string(settings.context_tokens == 0 ? spec.n_ctx_train : settings.context_tokens),
      "-ngl", std::to_string(llama_gpu_layers(spec, placement.offload.n_gpu_layers))};
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
  if (!settings.kv_offload) {
    a.emplace_back("-nkvo");
  }
  return a;
}

std::string shell_command(const std::string& program, const std::vector<std::string>& arguments) {
  std::string out = program;
  for (const auto& arg : arguments) {
    const bool plain = !arg.empty() && std::all_of(arg.begin(), arg.end(), [](unsigned char c) {
      return std::isalnum(c) != 0 ||
             std::string_view("-_.,/=:+@%").find(static_cast<char>(c)) != std::string_view::npos;
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

}  // namespace vramfit
