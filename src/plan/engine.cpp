// The engine registry and the rules every engine shares unless it says otherwise.

#include "vramfit/plan/engine.hpp"

#include "detail/text.hpp"
#include "plan/engines/engines.hpp"

#include "vramfit/support/error.hpp"

#include <algorithm>
#include <array>

namespace vramfit {

std::span<const EngineRules* const> engines() noexcept {
  static const std::array<const EngineRules*, 6> k_engines{
      &builtin_engines::llama_cpp(), &builtin_engines::llama_server(), &builtin_engines::ollama(),
      &builtin_engines::vllm(),      &builtin_engines::sglang(),       &builtin_engines::mlx()};
  return k_engines;
}

const EngineRules& default_engine() noexcept {
  return builtin_engines::llama_cpp();
}

const EngineRules& find_engine(std::string_view text) {
  for (const auto* e : engines()) {
    if (detail::iequals(e->name(), text)) {
      return *e;
    }
    const auto aliases = e->aliases();
    if (std::any_of(aliases.begin(), aliases.end(), [&](std::string_view a) { return detail::iequals(a, text); })) {
      return *e;
    }
  }
  std::string list;
  for (const auto* e : engines()) {
    list += (list.empty() ? "" : e == engines().back() ? " or " : ", ") + std::string(e->name());
  }
  throw UsageError("--engine: '" + std::string(text.substr(0, 32)) + "' must be " + list);
}

namespace builtin_engines {

bool is_format_of(const QuantSpec& q, FormatFamily family) {
  const auto* f = q.kind == QuantKind::format ? find_weight_format(q.id) : nullptr;
  return f != nullptr && f->family == family;
}

std::string describe_serving(const Change& c, const ServingFlags& flags) {
  std::vector<std::string> words;
  if (c.cache_type) {
    if (*c.cache_type != GgmlType::q8_0) {
      return {};
    }
    words.insert(words.end(), {std::string(flags.kv_dtype), std::string(flags.kv_fp8)});
  }
  if (c.offload || c.drop_draft) {
    return {};
  }
  if (c.parallel) {
    words.insert(words.end(), {std::string(flags.parallel), std::to_string(*c.parallel)});
  }
  if (c.context) {
    words.insert(words.end(), {std::string(flags.context), std::to_string(*c.context)});
  }
  if (c.quant) {
    words.emplace_back("a " + *c.quant + " checkpoint (--quant " + *c.quant + ")");
  }
  return joined_arguments(words);
}

std::vector<std::string> serving_arguments(std::vector<std::string> head, const ServingFlags& flags,
                                           const Placement& placement, const RunSettings& settings) {
  auto& args = head;
  args.insert(args.end(), {std::string(flags.context), std::to_string(settings.context_tokens)});
  if (settings.type_k == GgmlType::q8_0) {
    args.insert(args.end(), {std::string(flags.kv_dtype), std::string(flags.kv_fp8)});
  }
  if (placement.devices.size() > 1) {
    args.insert(args.end(), {std::string(flags.tensor_parallel), std::to_string(placement.devices.size())});
  }
  if (settings.n_seq > 1) {
    args.insert(args.end(), {std::string(flags.parallel), std::to_string(settings.n_seq)});
  }
  return args;
}

void serving_defaults(RunSettings& s, const SettingsGiven& given, std::uint32_t n_ubatch) {
  if (!given.n_seq) {
    s.n_seq = 1;
  }
  if (!given.flash_attn) {
    s.flash_attn = true;
  }
  if (!given.n_ubatch) {
    s.n_ubatch = n_ubatch;
  }
}

EngineVerdict paged_verdict(EngineVerdict v, const Scenario& s, const Estimate& activation, std::uint64_t page_tokens) {
  Bytes usable = 0;
  Bytes fixed = checked_add(activation.bytes, s.host_weights_bytes, "paged cache");
  for (const auto& d : v.placement.devices) {
    usable = checked_add(usable, d.usable_bytes, "paged cache");
    fixed = checked_add(fixed, d.weights_bytes, "paged cache");
  }
  v.vllm = vllm_capacity(s.spec, s.settings, usable > fixed ? usable - fixed : 0, page_tokens);
  v.memory.weights_bytes = checked_add(v.memory.weights_bytes, s.host_weights_bytes, "paged cache");
  v.estimate.compute_buffer = activation;
  v.estimate.overhead = Estimate{};
  v.memory.compute_buffer_bytes = activation.bytes;
  v.memory.overhead_bytes = 0;
  v.memory.kv_cache_bytes = checked_mul(v.vllm->kv_bytes_per_token, v.vllm->request_tokens, "paged cache");
  v.memory.recurrent_state_bytes = v.vllm->state_bytes_per_request;
  const Bytes total = v.memory.total_bytes();
  v.headroom_bytes = signed_difference(usable, total);
  v.fits = v.vllm->max_concurrency >= 1;
  const Bytes spread = activation.high - activation.bytes;
  v.total_low_bytes = total - std::min(total, spread);
  v.total_high_bytes = checked_add(total, spread, "paged cache");
  v.marginal = (v.total_low_bytes <= usable) != (v.total_high_bytes <= usable);
  return v;
}

}  // namespace builtin_engines

std::uint64_t EngineRules::runner_context(std::uint64_t per_request, const RunSettings&) const {
  return per_request;
}

std::uint64_t EngineRules::request_context(std::uint64_t runner, const RunSettings&) const {
  return runner;
}

DeviceBudget EngineRules::budget(const GpuSpec&, DeviceBudget budget, const EngineOptions&) const {
  return budget;
}

EngineVerdict EngineRules::evaluate(const Scenario& s) const {
  EngineVerdict v;
  v.placement = place(s.spec, s.weights, s.settings, s.kv, s.state, s.gpus, s.budgets, s.offload, s.companions);
  for (const auto& d : v.placement.devices) {
    v.memory.weights_bytes = checked_add(v.memory.weights_bytes, d.weights_bytes, "weights");
    v.memory.kv_cache_bytes = checked_add(v.memory.kv_cache_bytes, d.kv_cache_bytes, "KV cache");
    v.memory.recurrent_state_bytes = checked_add(v.memory.recurrent_state_bytes, d.recurrent_state_bytes, "state");
    v.memory.compute_buffer_bytes = checked_add(v.memory.compute_buffer_bytes, d.compute_buffer.bytes, "compute");
    v.memory.overhead_bytes = checked_add(v.memory.overhead_bytes, d.overhead.bytes, "overhead");
    v.memory.draft_bytes = checked_add(v.memory.draft_bytes, d.draft.total(), "draft");
    v.memory.projector_bytes = checked_add(v.memory.projector_bytes, d.projector.total(), "projector");
    for (auto [sum, part] :
         {std::pair{&v.estimate.compute_buffer, &d.compute_buffer}, {&v.estimate.overhead, &d.overhead}}) {
      sum->bytes = checked_add(sum->bytes, part->bytes, "estimate");
      sum->low = checked_add(sum->low, part->low, "estimate");
      sum->high = checked_add(sum->high, part->high, "estimate");
    }
    v.total_low_bytes = checked_add(v.total_low_bytes, d.total_low_bytes(), "total");
    v.total_high_bytes = checked_add(v.total_high_bytes, d.total_high_bytes(), "total");
  }
  // One GPU: its headroom. Several: the tightest GPU's, since each must fit.
  v.headroom_bytes = v.placement.devices.front().headroom_bytes();
  for (const auto& d : v.placement.devices) {
    v.headroom_bytes = std::min(v.headroom_bytes, d.headroom_bytes());
  }
  v.fits = v.placement.fits();
  v.marginal = v.placement.marginal();
  return v;
}

std::vector<std::string> EngineRules::arguments(const ModelSpec& spec, const Placement& placement,
                                                const RunSettings& settings, const std::string& model_path) const {
  return llama_arguments(spec, placement, settings, model_path);
}

std::vector<std::string> offload_flags(const ModelSpec& spec, const Offload& o) {
  auto flags = expert_offload_arguments(spec, o);
  if (o.n_gpu_layers <= spec.n_layer) {
    flags.insert(flags.begin(), {"-ngl", std::to_string(llama_gpu_layers(spec, o.n_gpu_layers))});
  }
  return flags;
}

std::optional<std::uint32_t> EngineRules::sequence_limit(const GpuSpec&, const VllmCapacity&,
                                                         std::optional<std::uint32_t>) const {
  return std::nullopt;
}

std::string EngineRules::describe(const ModelSpec& spec, const Change& c) const {
  std::vector<std::string> words;
  if (c.cache_type) {
    words.insert(words.end(), {"--cache-type", lower_name(*c.cache_type)});
  }
  if (c.flash_attn) {
    words.insert(words.end(), {"--flash-attn", "on"});
  }
  if (c.parallel) {
    words.insert(words.end(), {"--parallel", std::to_string(*c.parallel)});
  }
  if (c.context) {
    words.insert(words.end(), {"--context", std::to_string(*c.context)});
  }
  if (c.offload) {
    const auto flags = offload_flags(spec, *c.offload);
    words.insert(words.end(), flags.begin(), flags.end());
  }
  if (c.quant) {
    words.insert(words.end(), {"--quant", *c.quant});
  }
  if (c.drop_draft) {
    words.emplace_back(c.draft_is_mtp ? "without --spec-type draft-mtp" : "drop the draft model (no -md)");
  }
  return joined_arguments(words);
}

std::string EngineRules::command(const ModelSpec& spec, const Placement& placement, const RunSettings& settings,
                                 const std::string& model_path) const {
  return shell_command(std::string(program()), arguments(spec, placement, settings, model_path));
}

}  // namespace vramfit
