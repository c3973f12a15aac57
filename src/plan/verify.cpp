#include "vramfit/plan/verify.hpp"

#include "detail/text.hpp"

#include "vramfit/input/gguf_model.hpp"
#include "vramfit/memory/extra_buffers.hpp"
#include "vramfit/model/arch.hpp"
#include "vramfit/model/quantize.hpp"
#include "vramfit/plan/placement.hpp"
#include "vramfit/support/error.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>

namespace vramfit {
namespace {

constexpr Bytes k_exact_tolerance = k_mib;  // printed MiB have two decimals; buffers pad tensors

// llama.cpp padded the sliding-window cache to 256 cells only with flash
// attention until PR #17046 (Nov 2025, about build 6990); later builds always do.
constexpr std::uint64_t k_first_build_swa_pad_256 = 6990;
// Flash attention "auto" became the default after build 6182 (whose logs print
// flash_attn = 0 by default); build 7342 prints auto.
constexpr std::uint64_t k_last_build_fa_off = 6182;
// Mainline build numbers count commits; they passed 1000 in mid-2023, before GGUF.
constexpr std::uint64_t k_first_dated_build = 1000;

Backend backend_of(std::string_view device) {
  if (device.starts_with("CUDA")) {
    return Backend::cuda;
  }
  if (device.starts_with("ROCm") || device.starts_with("HIP")) {
    return Backend::rocm;
  }
  if (device.starts_with("Vulkan")) {
    return Backend::vulkan;
  }
  if (device.starts_with("MTL") || device.starts_with("Metal")) {
    return Backend::metal;
  }
  if (device.starts_with("SYCL")) {
    return Backend::sycl;
  }
  return Backend::cpu;
}

// The CPU's extra buffer types: weights repacked for its kernels, in memory of
// their own (CPU_AARCH64 was CPU_REPACK's name until mid-2025).
std::optional<ExtraBuffer> extra_buffer_named(std::string_view b) {
  if (b == "AMX") {
    return ExtraBuffer::amx;
  }
  if (b == "CPU_REPACK" || b == "CPU_AARCH64") {
    return ExtraBuffer::repack;
  }
  return std::nullopt;
}

// Buffer types of host memory: CPU, CPU_Mapped, CUDA_Host, Vulkan_Host, and
// the CPU's extra buffers (AMX, CPU_REPACK, CPU_KLEIDIAI).
bool is_host_buffer(std::string_view b) {
  return b.starts_with("CPU") || b == "AMX" || b.find("_Host") != std::string_view::npos;
}

std::string device_of_buffer(std::string_view b) {
  if (const auto extra = extra_buffer_named(b)) {
    return std::string(name(*extra));
  }
  if (is_host_buffer(b)) {
    return "CPU";
  }
  const auto mapped = b.find("_Mapped");
  return std::string(mapped == std::string_view::npos ? b : b.substr(0, mapped));
}

std::optional<GgmlType> cache_type(const std::optional<std::string>& name) {
  if (!name || name->empty()) {
    return std::nullopt;
  }
  return ggml_type_from_name(*name);
}

// "Q4_K - Medium" (llama_model_ftype_name) -> Q4_K_M.
std::optional<FileType> file_type_from_log(std::string_view printed) {
  std::string s(printed);
  const auto guessed = s.find(" (guessed)");
  if (guessed != std::string::npos) {
    s = s.substr(0, guessed);
  }
  static const std::pair<const char*, const char*> k_suffixes[] = {{" - Small", "_S"},
                                                                   {" - Medium", "_M"},
                                                                   {" - Large", "_L"},
                                                                   {" - Extra Small", "_XS"},
                                                                   {" - Extra Extra Small", "_XXS"}};
  for (const auto& [long_name, suffix] : k_suffixes) {
    const auto at = s.find(long_name);
    if (at != std::string::npos) {
      return file_type_from_name(s.substr(0, at) + suffix);
    }
  }
  if (s == "MXFP4 MoE") {
    return FileType::mxfp4_moe;
  }
  if (s == "all F32") {
    return FileType::all_f32;
  }
  return file_type_from_name(s);
}

// A print_info value "4" or "[4, 4, 0, ...]" as numbers.
std::vector<std::uint64_t> numbers(std::string_view v) {
  std::vector<std::uint64_t> out;
  std::uint64_t cur = 0;
  bool in = false;
  for (const char c : v) {
    if (c >= '0' && c <= '9') {
      cur = cur * 10 + static_cast<std::uint64_t>(c - '0');
      in = true;
      if (cur > (std::uint64_t{1} << 40)) {
        return {};
      }
    } else if (in) {
      out.push_back(cur);
      cur = 0;
      in = false;
    }
    if (c == '.' && !v.empty() && v.front() != '[') {
      break;  // "3.82 B" -> 3
    }
  }
  if (in) {
    out.push_back(cur);
  }
  return out;
}

GgufValue u32(std::uint64_t v) {
  GgufValue g;
  g.type = GgufType::uint32;
  g.u = v;
  return g;
}

// The log's print_info block, turned into GGUF metadata so the same mapping
// as for model files applies.
ModelSpec spec_from_log(const LlamaLog& log, std::vector<std::string>& notes) {
  const auto arch = log.info.find("arch");
  if (arch == log.info.end()) {
    throw InputError("log: the log prints no architecture (print_info: arch); give --model or --gguf");
  }
  GgufFile f;
  f.origin = "log";
  const std::string a = arch->second + ".";
  GgufValue name;
  name.type = GgufType::string;
  name.s = arch->second;
  f.metadata.emplace_back("general.architecture", name);
  const auto put = [&](const std::string& key, std::string_view info_key) {
    const auto it = log.info.find(std::string(info_key));
    if (it == log.info.end()) {
      return false;
    }
    const auto values = numbers(it->second);
    if (values.empty()) {
      return false;
    }
    if (values.size() == 1) {
      f.metadata.emplace_back(a + key, u32(values.front()));
    } else {
      GgufValue arr;
      arr.type = GgufType::array;
      arr.element_type = GgufType::uint32;
      arr.count = values.size();
      for (const auto v : values) {
        arr.elements.push_back(u32(v));
      }
      f.metadata.emplace_back(a + key, arr);
    }
    return true;
  };
  if (!put("block_count", "n_layer_all") && !put("block_count", "n_layer")) {
    throw InputError("log: the log prints no layer count (print_info: n_layer); give --model or --gguf");
  }
  put("context_length", "n_ctx_train");
  put("feed_forward_length", "n_ff");
  put("expert_count", "n_expert");
  put("expert_used_count", "n_expert_used");
  if (!put("expert_feed_forward_length", "n_ff_exp") && log.info_uint("n_expert").value_or(0) > 0) {
    // Logs of some builds print no expert width: only compute estimates use it.
    const auto width = log.info_uint("n_ff").value_or(log.info_uint("n_embd").value_or(1));
    f.metadata.emplace_back(a + "expert_feed_forward_length", u32(width == 0 ? 1 : width));
    notes.emplace_back("the log prints no n_ff_exp: compute buffers assume experts as wide as n_ff (or n_embd)");
  }
  put("vocab_size", "n_vocab");
  put("attention.sliding_window", "n_swa");
  put("ssm.conv_kernel", "ssm_d_conv");
  put("ssm.inner_size", "ssm_d_inner");
  put("ssm.state_size", "ssm_d_state");
  put("ssm.time_step_rank", "ssm_dt_rank");
  put("ssm.group_count", "ssm_n_group");
  put("attention.q_lora_rank", "n_lora_q");
  put("attention.kv_lora_rank", "n_lora_kv");
  put("attention.key_length_mla", "n_embd_head_k_mla");
  put("attention.value_length_mla", "n_embd_head_v_mla");
  put("rope.dimension_count", "n_rot");
  bool heads = put("attention.head_count", "n_head") && put("attention.head_count_kv", "n_head_kv");
  if (heads && !put("attention.key_length", "n_embd_head_k")) {
    // Older logs print no head size: the K/V width over the KV heads.
    const auto kv_heads = numbers(log.info.at("n_head_kv"));
    const std::uint64_t h = kv_heads.empty() ? 0 : *std::max_element(kv_heads.begin(), kv_heads.end());
    const auto k = log.info_uint("n_embd_k_gqa");
    const auto v = log.info_uint("n_embd_v_gqa");
    heads = h > 0 && k && *k % h == 0;
    if (heads) {
      f.metadata.emplace_back(a + "attention.key_length", u32(*k / h));
      if (v && *v % h == 0) {
        f.metadata.emplace_back(a + "attention.value_length", u32(*v / h));
      }
    } else {
      f.metadata.erase(std::remove_if(f.metadata.begin(), f.metadata.end(),
                                      [&](const auto& kv) {
                                        return kv.first == a + "attention.head_count" ||
                                               kv.first == a + "attention.head_count_kv";
                                      }),
                       f.metadata.end());
    }
  }
  put("attention.value_length", "n_embd_head_v");
  if (!heads) {
    // Without head counts, the per-layer K/V widths are enough for the cache.
    if (!put("attention.key_length", "n_embd_k_gqa")) {
      throw InputError("log: the log prints neither head counts nor n_embd_k_gqa; give --model or --gguf");
    }
    put("attention.value_length", "n_embd_v_gqa");
    f.metadata.emplace_back(a + "attention.head_count", u32(1));
    f.metadata.emplace_back(a + "attention.head_count_kv", u32(1));
    notes.emplace_back("the log prints no head counts: the cache is sized from n_embd_k_gqa / n_embd_v_gqa");
  }
  if (!put("embedding_length", "n_embd")) {
    const auto k = log.info_uint("n_embd_k_gqa").value_or(1);
    f.metadata.emplace_back(a + "embedding_length", u32(k));
    notes.emplace_back("the log prints no n_embd: compute buffers cannot be estimated");
  }
  // An MTP draft context caches its own layers; they follow the main ones.
  if (log.has_draft_context) {
    std::uint64_t draft_layers = 0;
    for (const auto& c : log.kv_lines) {
      draft_layers += c.draft ? c.layers : 0;
    }
    if (draft_layers > 0) {
      f.metadata.emplace_back(a + "nextn_predict_layers", u32(draft_layers));
    }
  }
  std::vector<TensorSpec> no_tensors;
  auto spec = spec_from_gguf(f, no_tensors, notes);
  spec.id = spec.name = log.info.count("general.name") != 0 ? log.info.at("general.name") : arch->second;
  validate(spec, "log");
  return spec;
}

// Where the log's run put each block: the GPUs it names, and the split it
// prints ("layer N assigned to device X") or llama.cpp's split by free memory.
struct LogPlacement {
  std::vector<std::string> gpus;  ///< GPU device names, in order
  LayerSplit split;               ///< blocks 0..n-1 and the output layer n
  bool per_device = true;         ///< the split across several GPUs is known
};

LogPlacement placement_from_log(const LlamaLog& log, const ModelSpec& spec) {
  LogPlacement p;
  for (const auto& d : log.devices) {
    if (!d.name.starts_with("CPU")) {
      p.gpus.push_back(d.name);
    }
  }
  if (p.gpus.empty()) {
    // Devices named only by their buffer lines (fragmentary logs).
    for (const auto& b : log.buffers) {
      const auto dev = device_of_buffer(b.device);
      if (!is_host_buffer(b.device) && !b.device.ends_with("_Split") &&
          std::find(p.gpus.begin(), p.gpus.end(), dev) == p.gpus.end()) {
        p.gpus.push_back(dev);
      }
    }
  }
  const std::uint64_t total = log.offload_total.value_or(spec.n_layer_all() + 1ULL);
  const auto n = static_cast<std::uint32_t>(total == 0 ? 0 : total - 1);  // the output layer has index n
  if (p.gpus.empty()) {
    p.split = layer_split(n, 0, {});
    return p;
  }
  if (log.command.split_mode == std::optional<std::string>("row")) {
    // -sm row: every layer on the main GPU; its matrices split by rows across
    // the GPUs in a "<backend>_Split" buffer, compared with the main GPU's.
    p.split = layer_split(n, total, std::vector<double>{1.0});
    p.split.end.resize(p.gpus.size(), p.split.end.front());
    return p;
  }
  if (!log.layer_devices.empty()) {
    std::vector<int> per_layer(static_cast<std::size_t>(n) + 1, -1);
    for (const auto& [il, dev] : log.layer_devices) {
      const auto it = std::find(p.gpus.begin(), p.gpus.end(), dev);
      if (il < per_layer.size() && it != p.gpus.end()) {
        per_layer[il] = static_cast<int>(it - p.gpus.begin());
      }
    }
    p.split = layer_split_from(per_layer);
    return p;
  }
  const auto offloaded = log.offloaded_layers ? log.offloaded_layers : log.command.n_gpu_layers;
  const auto& ts = log.command.tensor_split;
  if (ts.size() >= p.gpus.size() && std::any_of(ts.begin(), ts.begin() + static_cast<std::ptrdiff_t>(p.gpus.size()),
                                                [](double v) { return v > 0; })) {
    // -ts: the first value per device, llama.cpp's own proportions.
    p.split = layer_split(n, std::min<std::uint64_t>(offloaded.value_or(total), total),
                          std::vector<double>(ts.begin(), ts.begin() + static_cast<std::ptrdiff_t>(p.gpus.size())));
    return p;
  }
  // llama.cpp splits layers in proportion to each device's free memory.
  std::vector<double> splits;
  for (const auto& g : p.gpus) {
    const auto it =
        std::find_if(log.devices.begin(), log.devices.end(), [&](const LogDevice& d) { return d.name == g; });
    splits.push_back(it != log.devices.end() && it->free_mib ? static_cast<double>(*it->free_mib) : -1.0);
  }
  if (p.gpus.size() > 1 && std::any_of(splits.begin(), splits.end(), [](double s) { return s < 0; })) {
    p.per_device = false;
    std::fill(splits.begin(), splits.end(), 1.0);
  }
  p.split = layer_split(n, std::min<std::uint64_t>(offloaded.value_or(total), total), splits);
  return p;
}

std::string device_name(const LogPlacement& p, int index) {
  return index < 0 ? std::string("CPU") : p.gpus[static_cast<std::size_t>(index)];
}

// The run's settings: what the options give explicitly, else what the log prints.
RunSettings settings_from_log(const LlamaLog& log, const VerifyOptions& opt, std::vector<std::string>& notes) {
  RunSettings s;
  const auto& given = opt.given;
  // The options given, else llama.cpp's own lines, else a pasted command line.
  const auto& cmd = log.command;
  auto n_ctx = given.context ? std::optional<std::uint64_t>(opt.settings.context_tokens) : log.n_ctx;
  if (!n_ctx && cmd.ctx_size && *cmd.ctx_size > 0) {
    n_ctx = cmd.ctx_size;
    notes.push_back("context " + std::to_string(*n_ctx) + " from the pasted command line (-c)");
  }
  if (!n_ctx) {
    // A fragment of KV lines sizes each cache itself (cells per line).
    if (const auto it = std::find_if(log.kv_lines.begin(), log.kv_lines.end(),
                                     [](const LogCacheLine& c) { return !c.swa && !c.draft && c.cells > 0; });
        it != log.kv_lines.end()) {
      n_ctx = it->cells;
      notes.push_back("context " + std::to_string(*n_ctx) + " from the first KV cache line's cells");
    }
  }
  if (!n_ctx) {
    throw InputError("log: the log prints no context size (n_ctx); give --context");
  }
  s.context_tokens = *n_ctx;
  const auto seqs = log.n_seq_max ? log.n_seq_max : cmd.parallel;
  s.n_seq = given.n_seq ? opt.settings.n_seq : static_cast<std::uint32_t>(std::max<std::uint64_t>(seqs.value_or(1), 1));
  const auto ubatch = log.n_ubatch ? log.n_ubatch : cmd.ubatch;
  s.n_ubatch = given.n_ubatch ? opt.settings.n_ubatch : static_cast<std::uint32_t>(ubatch.value_or(512));
  s.n_batch = static_cast<std::uint32_t>((log.n_batch ? log.n_batch : cmd.batch).value_or(2048));
  s.type_k = given.type_k ? opt.settings.type_k
                          : cache_type(log.type_k ? log.type_k : cmd.cache_type_k).value_or(GgmlType::f16);
  s.type_v = given.type_v ? opt.settings.type_v
                          : cache_type(log.type_v ? log.type_v : cmd.cache_type_v).value_or(GgmlType::f16);
  if (given.flash_attn) {
    s.flash_attn = opt.settings.flash_attn;
  } else if (log.flash_attn_resolved) {
    s.flash_attn = *log.flash_attn_resolved;
  } else if (const auto& fa_printed = log.flash_attn ? log.flash_attn : cmd.flash_attn) {
    const auto& fa = *fa_printed;
    s.flash_attn = fa == "1" || fa == "enabled" || fa == "true" || fa == "on" || fa == "auto";
  } else if (is_quantized(s.type_v)) {
    s.flash_attn = true;
  } else {
    // Not in the log: llama.cpp's default, "auto" (on where the backend has
    // it) in later builds, off before.
    const bool old_default = log.build && *log.build >= k_first_dated_build && *log.build <= k_last_build_fa_off;
    s.flash_attn = !old_default;
    notes.emplace_back(old_default ? "flash attention not in the log: off, this build's default"
                                   : "flash attention not in the log: on, llama.cpp's default (auto) since late 2025");
  }
  s.swa_full = log.swa_full || cmd.swa_full;
  s.kv_offload = !cmd.no_kv_offload;
  // Logs before the unified/per-sequence split shared one cache among sequences.
  s.kv_unified = log.kv_unified.value_or(cmd.any ? cmd.kv_unified : true);
  // Builds without git history print "build: 1" or "build: 0": no date to go by.
  const bool dated_build = log.build && *log.build >= k_first_dated_build;
  s.swa_pad_256 = !(dated_build && *log.build < k_first_build_swa_pad_256);
  if (!s.swa_pad_256) {
    notes.push_back("build " + std::to_string(*log.build) +
                    " predates 256-cell padding of the sliding-window cache (llama.cpp PR #17046)");
  }
  if (s.n_seq > 1 && !s.kv_unified && log.n_ctx_seq && *log.n_ctx_seq * s.n_seq != *n_ctx) {
    notes.emplace_back("n_ctx_seq * n_seq_max differs from n_ctx");
  }
  return s;
}

void add_exact(VerifyResult& r, const std::string& device, Term term, Bytes predicted, Bytes logged) {
  VerifyTerm t;
  t.device = device;
  t.term = term;
  t.predicted_bytes = predicted;
  t.logged_bytes = logged;
  t.provenance = Provenance::exact;
  t.low_bytes = predicted > k_exact_tolerance ? predicted - k_exact_tolerance : 0;
  t.high_bytes = predicted + k_exact_tolerance;
  t.within_range = logged >= t.low_bytes && logged <= t.high_bytes;
  r.terms.push_back(t);
}

void add_estimate(VerifyResult& r, const std::string& device, Term term, const Estimate& e, Bytes logged) {
  VerifyTerm t;
  t.device = device;
  t.term = term;
  t.predicted_bytes = e.bytes;
  t.logged_bytes = logged;
  t.provenance = Provenance::estimate;
  t.low_bytes = e.low;
  t.high_bytes = e.high;
  t.within_range = logged >= e.low && logged <= e.high;
  r.terms.push_back(t);
}

// Per-device sums of the logged buffers of one kind, keyed by device.
std::map<std::string, Bytes> logged_by_device(const LlamaLog& log, std::string_view kind, bool host_too) {
  std::map<std::string, Bytes> out;
  for (const auto& [buffer, bytes] : log.buffers_of(kind)) {
    const auto dev = device_of_buffer(buffer);
    if (dev == "CPU" && !host_too) {
      continue;
    }
    out[dev] += bytes;
  }
  return out;
}

// Compares per-device predictions with per-device logs, or totals when the
// split across GPUs is unknown.
void compare(VerifyResult& r, const LogPlacement& p, Term term, const std::map<std::string, Bytes>& predicted,
             const std::map<std::string, Bytes>& logged) {
  if (!p.per_device) {
    Bytes pt = 0;
    Bytes lt = 0;
    for (const auto& [d, b] : predicted) {
      pt += b;
    }
    for (const auto& [d, b] : logged) {
      lt += b;
    }
    add_exact(r, "all", term, pt, lt);
    return;
  }
  std::vector<std::string> devices;
  for (const auto& [d, b] : predicted) {
    devices.push_back(d);
  }
  for (const auto& [d, b] : logged) {
    if (std::find(devices.begin(), devices.end(), d) == devices.end()) {
      devices.push_back(d);
    }
  }
  for (const auto& d : devices) {
    const auto pi = predicted.find(d);
    const auto li = logged.find(d);
    const Bytes pb = pi == predicted.end() ? 0 : pi->second;
    const Bytes lb = li == logged.end() ? 0 : li->second;
    if (pb == 0 && lb == 0) {
      continue;
    }
    add_exact(r, d, term, pb, lb);
  }
}

// Per-block bytes summed by the device the split gives each block.
template <typename PerBlock>
std::map<std::string, Bytes> by_block_device(const PerBlock& per_block, const ModelSpec& spec, const LogPlacement& p) {
  std::map<std::string, Bytes> out;
  for (std::uint32_t il = 0; il < spec.n_layer; ++il) {
    if (const Bytes b = per_block.at(il); b > 0) {
      out[device_name(p, weight_device(WeightPart::block, il, p.split, 0))] += b;
    }
  }
  return out;
}

// KV cache: each layer's cache lives with the layer (offload_kqv). Without
// KV buffer lines: the breakdown's context column (KV + state) per device,
// else each "llama_kv_cache: size = ..." line on its own (cells, layers and
// cache types are on the line).
void compare_kv(VerifyResult& r, const LlamaLog& log, const LogPlacement& p, const KvCacheSize& kv,
                const RecurrentStateSize& state) {
  const auto logged = logged_by_device(log, "KV", true);
  if (!logged.empty()) {
    compare(r, p, Term::kv_cache, by_block_device(kv, r.spec, p), logged);
    return;
  }
  if (const auto context = logged_by_device(log, "context", true); !context.empty()) {
    auto predicted = by_block_device(kv, r.spec, p);
    for (const auto& [dev, bytes] : by_block_device(state.per_layer, r.spec, p)) {
      predicted[dev] += bytes;
    }
    compare(r, p, Term::context, predicted, context);
  }
  std::size_t index = 0;
  for (const auto& c : log.kv_lines) {
    if (c.draft || c.cells == 0) {
      continue;
    }
    ++index;
    RunSettings s = r.settings;
    s.type_k = cache_type(c.type_k).value_or(s.type_k);
    s.type_v = cache_type(c.type_v).value_or(s.type_v);
    if (is_quantized(s.type_v)) {
      s.flash_attn = true;
    }
    const auto profile = kv_profile(r.spec, s);
    const bool swa = c.swa || (profile.full_layers == 0 && profile.swa_layers > 0);
    const Bytes per_cell =
        swa ? profile.k_swa_per_cell + profile.v_swa_per_cell : profile.k_full_per_cell + profile.v_full_per_cell;
    const std::uint32_t layers = swa ? profile.swa_layers : profile.full_layers;
    if (c.layers != 0 && c.layers != layers) {
      r.notes.push_back("KV line " + std::to_string(index) + " covers " + std::to_string(c.layers) +
                        " layers, the model " + std::to_string(layers));
    }
    const std::uint64_t streams = std::max<std::uint64_t>(c.streams, 1);
    add_exact(r,
              "line " + std::to_string(index) + " (" + std::to_string(c.cells) + " cells" +
                  (streams > 1 ? " x " + std::to_string(streams) + " streams" : "") + ")",
              Term::kv_cache, checked_mul(checked_mul(per_cell, c.cells, "KV cache"), streams, "KV cache"), c.bytes);
  }
}

// Recurrent state, likewise per layer.
void compare_state(VerifyResult& r, const LlamaLog& log, const LogPlacement& p, const RecurrentStateSize& state) {
  if (state.layers == 0) {
    return;
  }
  if (!logged_by_device(log, "context", true).empty()) {
    return;  // compared with the KV cache as the breakdown's context
  }
  if (state.per_layer_bytes() == 0) {
    r.notes.emplace_back("recurrent state not checked: its size is not known from the log (give --gguf)");
    return;
  }
  const auto logged = logged_by_device(log, "RS", true);
  if (logged.empty()) {
    r.notes.emplace_back("recurrent state not checked: the log prints no RS buffer");
    return;
  }
  compare(r, p, Term::recurrent_state, by_block_device(state.per_layer, r.spec, p), logged);
}

// Compares the loader's per-type tensor counts with the recipe's; returns a
// description of the first difference, or nothing when they agree (or the log
// prints no counts).
std::optional<std::string> type_counts_differ(const LlamaLog& log, const std::vector<TensorSpec>& tensors,
                                              const std::vector<GgmlType>& types, const ModelSpec& spec, bool mtp) {
  if (log.tensor_types.empty()) {
    return std::nullopt;
  }
  std::map<std::string, std::uint64_t> recipe;
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    if (tensors[i].layer >= static_cast<std::int32_t>(spec.n_layer) && !mtp) {
      continue;
    }
    ++recipe[lower_name(types[i])];
  }
  std::map<std::string, std::uint64_t> logged;
  for (const auto& [type, count] : log.tensor_types) {
    logged[detail::to_lower(type)] += count;
  }
  for (const auto& [type, count] : logged) {
    const auto it = recipe.find(type);
    const std::uint64_t want = it == recipe.end() ? 0 : it->second;
    if (want != count) {
      return "log: " + std::to_string(count) + " " + type + " tensors, recipe: " + std::to_string(want);
    }
  }
  for (const auto& [type, count] : recipe) {
    if (logged.count(type) == 0) {
      return "log: 0 " + type + " tensors, recipe: " + std::to_string(count);
    }
  }
  return std::nullopt;
}

// Bytes from the first host tensor to the end of the last one, in file order,
// each tensor's data aligned to GGUF's default 32 bytes.
Bytes mapped_span(const std::vector<Bytes>& bytes, const std::vector<bool>& on_host) {
  constexpr Bytes k_align = 32;
  Bytes offset = 0;
  std::optional<Bytes> first;
  Bytes last_end = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    offset = (offset + k_align - 1) / k_align * k_align;
    if (on_host[i]) {
      first = first.value_or(offset);
      last_end = offset + bytes[i];
    }
    offset += bytes[i];
  }
  return first ? last_end - *first : 0;
}

// The --n-cpu-moe value that explains the GPU model buffers, when the log does
// not print the command line: the expert tensors of the first N layers move to
// the host, so the GPUs' bytes shrink in steps of one layer's experts. (The
// host's CPU_Mapped buffer is a file span, not a sum, so it cannot tell.) Only
// a value whose prediction lands within the exact tolerance is accepted.
std::optional<std::uint32_t> infer_n_cpu_moe(const LlamaLog& log, const std::vector<TensorSpec>& tensors,
                                             const std::vector<Bytes>& sizes, const std::vector<bool>& loaded,
                                             const LogPlacement& p) {
  Bytes gpu_logged = 0;
  for (const auto& [buffer, bytes] : log.buffers_of("model")) {
    gpu_logged += is_host_buffer(buffer) ? 0 : bytes;
  }
  Bytes gpu = 0;
  std::vector<Bytes> experts(static_cast<std::size_t>(p.split.n_layer) + 1, 0);
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    const auto& t = tensors[i];
    if (!loaded[i]) {
      continue;
    }
    const auto layer = static_cast<std::uint32_t>(std::max(0, t.layer));
    if (weight_device(weight_part(t.name, t.layer), layer, p.split, 0) >= 0) {
      gpu += sizes[i];
      if (weight_part(t.name, t.layer) == WeightPart::experts && layer < experts.size()) {
        experts[layer] += sizes[i];
      }
    }
  }
  if (gpu_logged + k_exact_tolerance >= gpu) {
    return std::nullopt;
  }
  for (std::size_t n = 1; n <= experts.size(); ++n) {
    gpu -= experts[n - 1];
    if (gpu <= gpu_logged + k_exact_tolerance) {
      return gpu + k_exact_tolerance >= gpu_logged ? std::optional<std::uint32_t>(static_cast<std::uint32_t>(n))
                                                   : std::nullopt;
    }
  }
  return std::nullopt;
}

// "-ot exps=CPU"-style overrides, as the block below which every routed expert
// stays on the host: llama.cpp overrides tensors in file (block) order.
std::uint32_t overrides_as_n_cpu_moe(std::uint64_t overridden, const std::vector<TensorSpec>& tensors,
                                     const std::vector<std::size_t>& order, std::vector<std::string>& notes) {
  std::uint64_t seen = 0;
  std::int32_t last_layer = -1;
  for (std::size_t k = 0; k < order.size(); ++k) {
    const auto& t = tensors[order[k]];
    if (weight_part(t.name, t.layer) != WeightPart::experts) {
      continue;
    }
    last_layer = t.layer;
    if (++seen < overridden) {
      continue;
    }
    // Whole blocks only: an expert of the same block later in the order would have stayed.
    const bool split_block =
        std::any_of(order.begin() + static_cast<std::ptrdiff_t>(k) + 1, order.end(), [&](std::size_t j) {
          return tensors[j].layer == t.layer && weight_part(tensors[j].name, t.layer) == WeightPart::experts;
        });
    if (split_block) {
      notes.push_back("the overridden tensors end inside block " + std::to_string(t.layer) +
                      "'s experts: compared as whole blocks");
    }
    return static_cast<std::uint32_t>(t.layer + 1);
  }
  return static_cast<std::uint32_t>(last_layer + 1);
}

// The CPU classes whose extra buffers explain the log's AMX / CPU_REPACK
// lines, best first: AMX when it prints an AMX buffer, else the classes whose
// repacked bytes come closest (x86 AVX2, AVX-512 or ARM; several when this
// file repacks the same under each), none when it prints neither.
std::vector<CpuClass> infer_cpu_classes(const LlamaLog& log, const std::vector<TensorSpec>& tensors,
                                        const std::vector<GgmlType>& types, const std::vector<std::string>& device) {
  std::map<ExtraBuffer, Bytes> logged;
  for (const auto& b : log.buffers) {
    if (const auto extra = extra_buffer_named(b.device); extra && b.kind == "model" && !b.draft) {
      logged[*extra] += b.bytes;
    }
  }
  if (logged.empty()) {
    return {CpuClass::none};
  }
  if (logged.count(ExtraBuffer::amx) != 0) {
    return {CpuClass::amx};
  }
  std::vector<CpuClass> best;
  Bytes best_error = std::numeric_limits<Bytes>::max();
  for (const auto cpu : {CpuClass::avx2, CpuClass::avx512, CpuClass::arm64}) {
    Bytes repacked = 0;
    for (std::size_t i = 0; i < tensors.size(); ++i) {
      if (device[i] == "CPU") {
        const auto extra = extra_buffer_for(cpu, tensors[i], types[i]);
        repacked += extra.buffer == ExtraBuffer::repack ? extra.bytes : 0;
      }
    }
    const Bytes want = logged[ExtraBuffer::repack];
    const Bytes error = repacked > want ? repacked - want : want - repacked;
    if (error < best_error) {
      best.clear();
      best_error = error;
    }
    if (error == best_error) {
      best.push_back(cpu);
    }
  }
  return best;
}

// The CPU class from the extra buffers' names alone, when the weights could
// not be rebuilt to tell the classes apart: AMX, else ARM by the build target,
// else x86 with AVX2 at least.
CpuClass cpu_class_from_buffer_names(const LlamaLog& log, std::vector<std::string>& notes) {
  bool amx = false;
  bool repack = false;
  for (const auto& b : log.buffers) {
    if (const auto extra = extra_buffer_named(b.device); extra && b.kind == "model") {
      amx = amx || *extra == ExtraBuffer::amx;
      repack = repack || *extra == ExtraBuffer::repack;
    }
  }
  if (amx) {
    return CpuClass::amx;
  }
  if (!repack) {
    return CpuClass::none;
  }
  const auto& target = log.build_target;
  if (target && (target->find("aarch64") != std::string::npos || target->find("arm64") != std::string::npos)) {
    return CpuClass::arm64;
  }
  notes.emplace_back("host CPU class avx2 or later, from the log's CPU_REPACK buffer (give --gguf to tell them apart)");
  return CpuClass::avx2;
}

// Weights: exact from the file's own tensors; else from the recipe of the
// printed file type for a known architecture, as an estimate.
void compare_weights(VerifyResult& r, const LlamaLog& log, const VerifyOptions& opt, const LogPlacement& p) {
  const auto& spec = r.spec;
  std::vector<TensorSpec> tensors;
  std::vector<GgmlType> types;
  Provenance provenance = Provenance::exact;
  if (opt.file) {
    tensors = opt.file->tensors;
    for (const auto& t : tensors) {
      types.push_back(t.type);
    }
  } else if (opt.model && (opt.file_type || log.file_type)) {
    const auto ft = opt.file_type ? opt.file_type : file_type_from_log(*log.file_type);
    if (!ft || !can_build_inventory(spec)) {
      r.notes.emplace_back("weights not checked: give --gguf (the file's tensors) or --model (a recipe file type)");
      return;
    }
    tensors = build_inventory(spec);
    types = recipe_types(tensors, spec, *ft, default_options(*ft));
    provenance = Provenance::estimate;
    // The loader's "type X: N tensors" lines tell whether the file follows the stock recipe.
    if (const auto differs = type_counts_differ(log, tensors, types, spec, log.has_draft_context)) {
      r.notes.push_back("weights not checked: the file is not llama.cpp's stock " + std::string(name(*ft)) +
                        " recipe (" + *differs + ")");
      return;
    }
  } else {
    r.notes.emplace_back("weights not checked: give --gguf (the file's tensors) or --model (a recipe file type)");
    return;
  }
  const bool mtp_loaded = log.has_draft_context;
  std::vector<Bytes> sizes(tensors.size());
  std::vector<bool> loaded(tensors.size());
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    sizes[i] = tensor_bytes(types[i], tensors[i].row_length(), tensors[i].rows());
    loaded[i] = tensors[i].layer < static_cast<std::int32_t>(spec.n_layer) || mtp_loaded;
  }
  std::vector<std::size_t> order(tensors.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return tensors[a].layer < tensors[b].layer; });
  // Routed experts kept on the host: --n-cpu-moe, tensors overridden to the CPU, or inferred.
  std::optional<std::uint32_t> n_cpu_moe = opt.n_cpu_moe;
  if (!n_cpu_moe && log.n_cpu_moe) {
    n_cpu_moe = static_cast<std::uint32_t>(std::min<std::uint64_t>(*log.n_cpu_moe, 1U << 16));
  }
  if (!n_cpu_moe && log.overridden_tensors > 0) {
    n_cpu_moe = overrides_as_n_cpu_moe(log.overridden_tensors, tensors, order, r.notes);
  }
  if (!n_cpu_moe && spec.moe) {
    n_cpu_moe = infer_n_cpu_moe(log, tensors, sizes, loaded, p);
    if (n_cpu_moe) {
      r.notes.push_back("the log prints no --n-cpu-moe: " + std::to_string(*n_cpu_moe) +
                        " inferred from the GPU model buffers (give --n-cpu-moe to check it instead)");
    }
  }
  // Each tensor's device by the one placement rule.
  std::vector<std::string> device(tensors.size());
  Bytes all_bytes = 0;
  for (const auto i : order) {
    if (!loaded[i]) {
      continue;
    }
    const auto& t = tensors[i];
    all_bytes += sizes[i];
    const auto layer = static_cast<std::uint32_t>(std::max(0, t.layer));
    device[i] = device_name(p, weight_device(weight_part(t.name, t.layer), layer, p.split, n_cpu_moe.value_or(0)));
  }
  // Host weights the CPU's extra buffers took, when the log shows any: each
  // allocates its own packed size, and leaves the mapped span to the rest.
  std::vector<Bytes> held = sizes;
  const auto classes = opt.cpu ? std::vector<CpuClass>{*opt.cpu} : infer_cpu_classes(log, tensors, types, device);
  r.cpu = classes.front();
  if (opt.cpu) {
    r.notes.push_back("host CPU class " + std::string(name(r.cpu)) + ", as given");
  } else if (r.cpu != CpuClass::none) {
    std::string names;
    for (const auto cpu : classes) {
      names += (names.empty() ? "" : " or ") + std::string(name(cpu));
    }
    r.notes.push_back("host CPU class " + names + ", from the log's extra buffers" +
                      (classes.size() > 1 ? " (they repack this file alike)" : ""));
  }
  if (r.cpu != CpuClass::none) {
    for (std::size_t i = 0; i < tensors.size(); ++i) {
      if (device[i] != "CPU") {
        continue;
      }
      if (const auto abort = extra_buffer_abort(r.cpu, tensors[i], types[i], r.settings.flash_attn)) {
        r.notes.push_back("llama.cpp aborts creating a context on this host: " + std::string(*abort) + " (" +
                          tensors[i].name + "; run it with --no-repack)");
        break;
      }
    }
    for (std::size_t i = 0; i < tensors.size(); ++i) {
      if (device[i] == "CPU") {
        if (const auto extra = extra_buffer_for(r.cpu, tensors[i], types[i]); extra.buffer != ExtraBuffer::none) {
          device[i] = std::string(name(extra.buffer));
          held[i] = extra.bytes;
        }
      }
    }
  }
  // Logged model buffers per device; "<device>_Mapped" ones are memory-mapped.
  std::map<std::string, Bytes> logged;
  std::map<std::string, bool> mapped;
  for (const auto& b : log.buffers) {
    if (b.kind != "model" || b.draft) {
      continue;
    }
    // Host buffers a GPU backend pins (CUDA_Host) hold copies made at load.
    if (is_host_buffer(b.device) && b.device != "CPU_Mapped" && b.device != "CPU" && !extra_buffer_named(b.device)) {
      continue;
    }
    const auto dev = b.device.ends_with("_Split") && !p.gpus.empty() ? p.gpus.front() : device_of_buffer(b.device);
    logged[dev] += b.bytes;
    mapped[dev] = mapped[dev] || b.device.find("_Mapped") != std::string::npos;
  }
  // Predicted bytes per device, over the devices either side names.
  std::map<std::string, Bytes> predicted;
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    if (!device[i].empty()) {
      predicted[device[i]] += held[i];
    }
  }
  for (const auto& [dev, bytes] : logged) {
    predicted.try_emplace(dev, 0);
  }
  for (const auto& [dev, sum] : predicted) {
    const auto li = logged.find(dev);
    if (li == logged.end() && dev == "CPU") {
      if (sum > 0) {
        r.notes.emplace_back("host weights not checked: the log prints no CPU model buffer line");
      }
      continue;
    }
    const Bytes got = li == logged.end() ? 0 : li->second;
    if (sum == 0 && got == 0) {
      continue;
    }
    // A memory-mapped buffer covers the file range from its first tensor to
    // its last (llama_model_loader::get_mapping_range), other devices'
    // tensors in between included: exact in a real file's order; in the
    // converter's order an estimate between the tensors' own sum and the whole file.
    const bool is_mapped = mapped.count(dev) != 0 && mapped.at(dev);
    Bytes span = sum;
    if (is_mapped) {
      std::vector<bool> here(tensors.size());
      for (std::size_t i = 0; i < tensors.size(); ++i) {
        here[i] = device[i] == dev;
      }
      span = mapped_span(sizes, here);
    }
    if (span != sum) {
      r.notes.push_back(dev + " model buffer is mapped: it spans " + std::to_string(span - sum) +
                        " bytes of other devices' tensors in file order");
    }
    if (provenance == Provenance::exact) {
      add_exact(r, dev, Term::weights, span, got);
    } else {
      const Bytes low = sum - sum / 100;
      const Bytes high = is_mapped ? std::max(span + span / 100, all_bytes + k_exact_tolerance) : sum + sum / 100;
      add_estimate(r, dev, Term::weights, Estimate{span, low, high}, got);
    }
  }
}

// Compute buffers: one per device that holds layers; the CPU's when nothing is offloaded.
void compare_compute(VerifyResult& r, const LlamaLog& log, const VerifyOptions& opt, const LogPlacement& p,
                     const KvCacheSize& kv) {
  const auto& spec = r.spec;
  const bool can_estimate = spec.n_vocab > 0 && log.info.count("n_embd") + (opt.model ? 1 : 0) > 0;
  if (!can_estimate) {
    r.notes.emplace_back("compute buffers not checked: the log prints no n_vocab / n_embd (give --model or --gguf)");
    return;
  }
  if (p.gpus.empty()) {
    const auto e = estimate_compute(spec, r.settings, kv, Backend::cpu);
    Bytes logged = 0;
    for (const auto& [buffer, bytes] : log.buffers_of("compute")) {
      logged += buffer == "CPU" ? bytes : 0;
    }
    add_estimate(r, "CPU", Term::compute_buffer, e.compute_buffer, logged);
    return;
  }
  const auto compute_logged = logged_by_device(log, "compute", false);
  const auto per_layer = p.split.per_layer();
  const bool partial = log.overridden_tensors > 0 || log.n_cpu_moe || opt.n_cpu_moe ||
                       std::any_of(per_layer.begin(), per_layer.end(), [](int d) { return d < 0; });
  for (std::size_t g = 0; g < p.gpus.size(); ++g) {
    const bool holds = std::any_of(per_layer.begin(), per_layer.end(), [&](int d) { return d == static_cast<int>(g); });
    const auto li = compute_logged.find(p.gpus[g]);
    if (!holds || li == compute_logged.end()) {
      continue;
    }
    const auto e = estimate_compute(spec, r.settings, kv, backend_of(p.gpus[g]), partial);
    add_estimate(r, p.gpus[g], Term::compute_buffer, e.compute_buffer, li->second);
  }
}

// Output buffer (host): logits of n_seq_max outputs.
void compare_output(VerifyResult& r, const LlamaLog& log) {
  if (r.spec.n_vocab == 0) {
    return;
  }
  Bytes logged = 0;
  for (const auto& [buffer, bytes] : log.buffers_of("output")) {
    logged += bytes;
  }
  if (logged > 0) {
    add_exact(r, "CPU", Term::output, output_buffer_bytes(r.spec, r.settings), logged);
  }
}

}  // namespace

std::string_view name(Term term) noexcept {
  switch (term) {
    case Term::weights:
      return "weights";
    case Term::kv_cache:
      return "kv_cache";
    case Term::recurrent_state:
      return "recurrent_state";
    case Term::context:
      return "context";
    case Term::compute_buffer:
      return "compute_buffer";
    case Term::output:
      return "output";
  }
  return "weights";
}

std::vector<const CatalogModel*> models_matching_log(const LlamaLog& log, const std::vector<CatalogModel>& models) {
  struct Check {
    const char* key;
    std::function<bool(const ModelSpec&, const std::vector<std::uint64_t>&)> matches;
  };
  const auto scalar = [](std::uint64_t (*get)(const ModelSpec&)) {
    return [get](const ModelSpec& m, const std::vector<std::uint64_t>& v) {
      return v.size() == 1 && v.front() == get(m);
    };
  };
  const std::vector<Check> checks{
      {"n_layer",
       [](const ModelSpec& m, const std::vector<std::uint64_t>& v) {
         return v.size() == 1 && (v.front() == m.n_layer || v.front() == m.n_layer_all());
       }},
      {"n_embd", scalar([](const ModelSpec& m) { return m.n_embd; })},
      {"n_head", scalar([](const ModelSpec& m) { return std::uint64_t{m.n_head}; })},
      {"n_vocab", scalar([](const ModelSpec& m) { return m.n_vocab; })},
      {"n_ctx_train", scalar([](const ModelSpec& m) { return m.n_ctx_train; })},
      {"n_swa", scalar([](const ModelSpec& m) { return m.n_swa; })},
      {"n_expert", scalar([](const ModelSpec& m) { return std::uint64_t{m.moe ? m.moe->n_expert : 0}; })},
      {"n_expert_used", scalar([](const ModelSpec& m) { return std::uint64_t{m.moe ? m.moe->n_expert_used : 0}; })},
      {"n_embd_k_gqa",
       [](const ModelSpec& m, const std::vector<std::uint64_t>& v) {
         if (v.size() == 1) {
           for (std::uint32_t il = 0; il < m.n_layer; ++il) {
             if (m.kind(il) != LayerKind::recurrent && m.n_embd_k_gqa(il) == v.front()) {
               return true;
             }
           }
           return false;
         }
         if (v.size() != m.n_layer && v.size() != m.n_layer_all()) {
           return false;
         }
         for (std::uint32_t il = 0; il < v.size(); ++il) {
           if (m.n_embd_k_gqa(il) != v[il]) {
             return false;
           }
         }
         return true;
       }},
  };
  std::vector<const CatalogModel*> out;
  const auto arch = log.info.find("arch");
  std::size_t printed = arch != log.info.end() ? 1 : 0;
  for (const auto& c : checks) {
    printed += log.info.count(c.key);
  }
  if (printed < 3) {
    return out;
  }
  for (const auto& model : models) {
    if (arch != log.info.end() && arch->second != model.spec.arch) {
      continue;
    }
    const bool all = std::all_of(checks.begin(), checks.end(), [&](const Check& c) {
      const auto it = log.info.find(c.key);
      return it == log.info.end() || c.matches(model.spec, numbers(it->second));
    });
    if (all) {
      out.push_back(&model);
    }
  }
  return out;
}

const CatalogModel* model_for_log(const LlamaLog& log, const Catalog& catalog, std::string& note) {
  if (log.info.count("arch") != 0 && log.info.count("n_head") != 0) {
    return nullptr;  // the log describes its architecture itself
  }
  const auto matches = models_matching_log(log, catalog.models);
  if (matches.size() != 1) {
    return nullptr;
  }
  note =
      "the log names no architecture: its hyper-parameters match the catalog's " + matches.front()->spec.id + " only";
  return matches.front();
}

// The memory breakdown table as buffer lines, for the kinds the log prints
// no buffer lines of (a breakdown-only paste): each device row's model and
// compute, its context (KV + recurrent state) as a "context" buffer; the Host
// row as the CPU's; other rows (CPU_REPACK, AMX) as model buffers. Values are
// whole MiB, rounded down. Device rows also name devices the log does not.
LlamaLog with_breakdown(const LlamaLog& in, std::vector<std::string>& notes) {
  if (in.breakdown.empty()) {
    return in;
  }
  LlamaLog log = in;
  const auto has = [&](std::string_view kind) {
    return std::any_of(in.buffers.begin(), in.buffers.end(), [&](const LogBuffer& b) { return b.kind == kind; });
  };
  const bool model = !has("model");
  const bool context = !has("KV") && !has("RS");
  const bool compute = !has("compute");
  const auto add = [&](const std::string& device, const char* kind, std::uint64_t mib) {
    LogBuffer b;
    b.device = device;
    b.kind = kind;
    b.bytes = mib * k_mib;
    log.buffers.push_back(b);
  };
  for (const auto& row : in.breakdown) {
    const bool host = row.name == "Host";
    const bool extra = extra_buffer_named(row.name).has_value();
    const bool device = !host && !extra && !is_host_buffer(row.name);
    if (device) {
      const auto it =
          std::find_if(log.devices.begin(), log.devices.end(), [&](const LogDevice& d) { return d.name == row.name; });
      if (it == log.devices.end()) {
        LogDevice d;
        d.name = row.name;
        d.description = row.description;
        d.total_mib = row.total_mib;
        log.devices.push_back(d);
      }
      if (row.unaccounted_mib && *row.unaccounted_mib >= 0 && row.total_mib) {
        notes.push_back(row.name + ": " + std::to_string(*row.unaccounted_mib) + " of " +
                        std::to_string(*row.total_mib) +
                        " MiB not llama.cpp's (driver context, other processes), by the breakdown");
      }
    }
    const std::string name = host ? (in.command.no_mmap ? "CPU" : "CPU_Mapped") : row.name;
    if (model && row.model_mib > 0) {
      add(name, "model", row.model_mib);
    }
    if (context && row.context_mib > 0) {
      add(host ? "CPU" : row.name, "context", row.context_mib);
    }
    if (compute && row.compute_mib > 0) {
      add(host ? "CPU" : row.name, "compute", row.compute_mib);
    }
  }
  if (log.buffers.size() > in.buffers.size()) {
    notes.emplace_back("the memory breakdown table stands in for missing buffer lines (whole MiB, rounded down)");
  }
  return log;
}

// llama.cpp's cache rules changed; a log from an older build is read by its
// own. The log's lines decide where they show the rule, else the build number.
//  - The sliding-window cache (PR #13194, May 2025): before it every layer
//    cached the whole context; such logs print "KV self size" lines or the
//    "llama_kv_cache_init" prefix and no "creating SWA KV cache" line.
//  - MLA: full-head K and V before PR #12801 (April 2025), a latent K plus a
//    V of kv_lora_rank until PR #19067 (January 2026), K only since: told
//    apart by the K and V sizes a cache line prints.
// Build numbers bound the changes only loosely (4881 is 2025-03-13, 5622
// 2025-06-10, 7522 late December 2025, 8164 February 2026).
constexpr std::uint64_t k_last_build_without_swa_cache = 4881;
constexpr std::uint64_t k_last_build_mla_full_heads = 4881;
constexpr std::uint64_t k_last_build_mla_latent_v = 7522;

void apply_build_rules(const LlamaLog& log, const ModelSpec& spec, RunSettings& s, std::vector<std::string>& notes) {
  const bool dated = log.build && *log.build >= k_first_dated_build;
  if (spec.count(LayerKind::sliding_attention) > 0 && !s.swa_full) {
    const bool new_lines = log.swa_cells || log.base_cells;
    const bool old_lines = std::any_of(log.kv_lines.begin(), log.kv_lines.end(),
                                       [](const LogCacheLine& c) { return c.cells == 0 && c.bytes > 0; });
    if (!new_lines && (old_lines || (dated && *log.build <= k_last_build_without_swa_cache))) {
      s.swa_full = true;
      notes.emplace_back("this build predates the sliding-window cache (llama.cpp PR #13194, May 2025): every layer "
                         "caches the whole context");
    }
  }
  if (!spec.mla) {
    return;
  }
  const auto line = std::find_if(log.kv_lines.begin(), log.kv_lines.end(),
                                 [](const LogCacheLine& c) { return !c.draft && c.k_bytes && c.v_bytes; });
  if (line != log.kv_lines.end()) {
    const double v_over_k =
        *line->k_bytes == 0 ? 0.0 : static_cast<double>(*line->v_bytes) / static_cast<double>(*line->k_bytes);
    const double latent = static_cast<double>(spec.mla->kv_lora_rank) /
                          static_cast<double>(spec.mla->kv_lora_rank + spec.mla->qk_rope_head_dim);
    const double full = static_cast<double>(spec.mla->v_head_dim) /
                        static_cast<double>(spec.mla->qk_nope_head_dim + spec.mla->qk_rope_head_dim);
    if (*line->v_bytes == 0) {
      s.mla_cache = MlaCache::k_only;
    } else if (std::abs(v_over_k - latent) <= std::abs(v_over_k - full)) {
      s.mla_cache = MlaCache::latent_kv;
    } else {
      s.mla_cache = MlaCache::full_heads;
    }
  } else if (dated && *log.build <= k_last_build_mla_full_heads) {
    s.mla_cache = MlaCache::full_heads;
  } else if (dated && *log.build <= k_last_build_mla_latent_v) {
    s.mla_cache = MlaCache::latent_kv;
  }
  if (s.mla_cache == MlaCache::full_heads) {
    notes.emplace_back("this build predates the MLA cache (llama.cpp PR #12801, April 2025): every head's K and V "
                       "are cached");
  } else if (s.mla_cache == MlaCache::latent_kv) {
    notes.emplace_back("this build predates the V-less MLA cache (llama.cpp PR #19067, January 2026): the latent is "
                       "cached as K and again as V");
  }
}

// What a fragment lacks to be checked, as the options that supply it.
void require_what_is_missing(const LlamaLog& log, const VerifyOptions& opt) {
  std::vector<std::string> why;
  std::vector<std::string> flags;
  if (!opt.model && log.info.count("arch") == 0) {
    why.emplace_back("no architecture (print_info: arch)");
    flags.emplace_back("--model M (or --gguf FILE)");
  }
  const bool has_cells = std::any_of(log.kv_lines.begin(), log.kv_lines.end(),
                                     [](const LogCacheLine& c) { return !c.swa && !c.draft && c.cells > 0; });
  if (!opt.given.context && !log.n_ctx && !log.command.ctx_size && !has_cells) {
    why.emplace_back("no context size (n_ctx)");
    flags.emplace_back("--context N");
  }
  if (why.empty()) {
    return;
  }
  const auto join = [](const std::vector<std::string>& v) {
    std::string out;
    for (std::size_t i = 0; i < v.size(); ++i) {
      out += (i == 0 ? "" : i + 1 == v.size() ? " and " : ", ") + v[i];
    }
    return out;
  };
  throw InputError("log: the log prints " + join(why) + "; give " + join(flags));
}

VerifyResult verify_log(const LlamaLog& in, const VerifyOptions& opt) {
  VerifyResult r;
  r.log = in;
  if (in.recognised == 0) {
    throw InputError("log: no llama.cpp startup lines found (print_info, buffer sizes, context settings, "
                     "memory breakdown)");
  }
  require_what_is_missing(in, opt);
  const auto log = with_breakdown(in, r.notes);
  r.spec = opt.model ? opt.model->spec : spec_from_log(log, r.notes);
  r.settings = settings_from_log(log, opt, r.notes);
  apply_build_rules(log, r.spec, r.settings, r.notes);
  const auto placement = placement_from_log(log, r.spec);
  r.backend = placement.gpus.empty() ? Backend::cpu : backend_of(placement.gpus.front());
  if (!placement.per_device) {
    r.notes.emplace_back("the log prints no free memory per GPU: the layer split is unknown, totals are compared");
  }
  const auto kv = kv_cache_size(r.spec, r.settings);
  const auto state = recurrent_state_size(r.spec, r.settings);
  compare_kv(r, log, placement, kv, state);
  compare_state(r, log, placement, state);
  compare_weights(r, log, opt, placement);
  if (!opt.cpu && r.cpu == CpuClass::none) {
    r.cpu = cpu_class_from_buffer_names(log, r.notes);
  }
  compare_compute(r, log, opt, placement, kv);
  compare_output(r, log);
  if (r.terms.empty()) {
    throw InputError("log: nothing to compare: the log prints no KV, recurrent, model or compute buffer lines");
  }
  r.ok = std::all_of(r.terms.begin(), r.terms.end(), [](const VerifyTerm& t) { return t.within_range; });
  return r;
}

}  // namespace vramfit
