#pragma once

// Where llama.cpp puts each part of a model: layers across one or more GPUs
// (-ngl, --tensor-split), routed experts kept in host memory (--n-cpu-moe,
// -ot exps=CPU), and what each device and the host then hold. The one rule
// that sends a weight to a device (weight_device) serves planning and verify
// alike; the search for an offload plan that fits lives here too.

#include "vramfit/memory/device.hpp"
#include "vramfit/memory/estimate.hpp"
#include "vramfit/memory/kv_cache.hpp"
#include "vramfit/memory/layer_sums.hpp"
#include "vramfit/model/model.hpp"
#include "vramfit/support/bytes.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vramfit {

/// A model's weights as llama.cpp loads them, per block: what moves when layers
/// or experts change device.
struct LayerWeights {
  LayerSums layers;              ///< per main block, all its tensors
  LayerSums experts;             ///< per main block, its routed-expert tensors
  Bytes output_layer_bytes = 0;  ///< output, output_norm and other globals (tied copy included)
  Bytes token_embd_bytes = 0;    ///< always in host memory
  /// Weights the CPU's extra buffers (AMX, CPU_REPACK) take when they stay on
  /// the CPU of a host without a GPU host buffer (CPU-only, Metal); zero when
  /// the CPU class repacks nothing.
  struct Repacked {
    LayerSums blocks;   ///< per main block, its weights but the routed experts
    LayerSums experts;  ///< per main block, its routed experts
    Bytes output = 0;   ///< the output layer
  };
  Repacked repacked;         ///< what the extra buffers allocate
  Repacked repacked_source;  ///< the same tensors' bytes in the mapped file (read once, at load)

  /// Bytes on the GPUs at full offload.
  Bytes device_bytes() const;
};

/// llama.cpp's offload settings.
struct Offload {
  std::uint32_t n_gpu_layers = 0;  ///< -ngl: the last N blocks, plus the output layer when N > n_layer
  std::uint32_t n_cpu_moe = 0;     ///< --n-cpu-moe: routed experts of the first N blocks stay in host memory

  /// Every block and the output layer on the GPUs, no experts on the host.
  static Offload full(const ModelSpec& spec);
  bool is_full(const ModelSpec& spec) const;
};

/// llama.cpp's -ngl for `n_gpu_layers` blocks. llama.cpp counts a file's MTP
/// blocks among its layers whether it loads them or not (load_tensors:
/// i_gpu_start from n_layer_all), and they come last, so naming N main blocks
/// takes N plus the MTP blocks.
std::uint32_t llama_gpu_layers(const ModelSpec& spec, std::uint32_t n_gpu_layers);

/// The inverse: the main blocks llama.cpp's `-ngl n` puts on the GPUs.
std::uint32_t gpu_blocks_of(const ModelSpec& spec, std::uint32_t n);

/// llama.cpp's layer split (llama_model::load_tensors): blocks 0..n_layer-1 and
/// the output layer (index n_layer); the first blocks stay on the CPU, each GPU
/// takes one contiguous range after them.
struct LayerSplit {
  std::uint32_t n_layer = 0;
  std::uint32_t first_gpu_layer = 0;  ///< blocks below stay on the CPU (n_layer + 1: nothing offloaded)
  std::vector<std::uint32_t> end;     ///< per GPU: one past its last index; GPU g starts where g-1 ends

  /// First index of GPU `g`.
  std::uint32_t begin(std::size_t g) const { return g == 0 ? first_gpu_layer : end[g - 1]; }
  /// The GPU of block `il` (n_layer: the output layer), or -1 for the CPU.
  int device_of(std::uint32_t il) const;
  /// device_of for every index 0..n_layer.
  std::vector<int> per_layer() const;
};

/// The split for the last `n_gpu_layers` blocks (the output layer only when
/// n_gpu_layers > n_layer) over GPUs weighted by `split` (usable memory by
/// default, --tensor-split when given), exactly as llama.cpp rounds it.
LayerSplit layer_split(std::uint32_t n_layer, std::uint64_t n_gpu_layers, const std::vector<double>& split);

/// A split read from a log's "layer N assigned to device X" lines: GPU index
/// per index 0..n_layer (-1 for the CPU). Throws InputError when the GPUs do not
/// hold contiguous ranges in order (llama.cpp never assigns otherwise).
LayerSplit layer_split_from(const std::vector<int>& per_layer);

/// The parts of a model's weights that the placement rule tells apart.
enum class WeightPart : std::uint8_t {
  token_embd,  ///< the input embedding: host memory always
  output,      ///< output matrix, output norm and other globals: the output layer's device
  block,       ///< a block's tensors but its routed experts: the block's device
  experts,     ///< a block's routed experts: host for the first --n-cpu-moe blocks, else the block's device
};

/// The part a tensor belongs to, from its name and block index.
WeightPart weight_part(std::string_view tensor_name, std::int32_t layer) noexcept;

/// The device (-1: host) llama.cpp loads a weight of `part` in block `layer`
/// onto (layer is ignored for token_embd and output): the one tensor-to-device rule.
int weight_device(WeightPart part, std::uint32_t layer, const LayerSplit& split, std::uint32_t n_cpu_moe);

/// Something loaded beside the model: a draft model for speculative decoding
/// (llama.cpp's -md, all its layers offloaded by default) or a vision
/// projector (mtmd's mmproj, on the first GPU unless --no-mmproj-offload):
/// its part on one device or on the host. It stays where it is whatever
/// offload the model gets.
struct CompanionLoad {
  Bytes weights_bytes = 0;   ///< exact
  Bytes kv_cache_bytes = 0;  ///< exact: a draft's KV cache and recurrent state (a projector has none)
  Estimate compute_buffer;   ///< estimate: its compute buffer (and, on the host, a draft's output buffer)

  /// Exact terms plus the estimate's `field` (bytes, low or high).
  Bytes total(Bytes Estimate::*field = &Estimate::bytes) const;
  /// The sum of two loads (a group's GPUs summed).
  CompanionLoad& operator+=(const CompanionLoad& other);
};

/// A companion's loads: one per GPU of the group, and the host's.
struct Companion {
  std::vector<CompanionLoad> gpus;
  CompanionLoad host;
};

/// What is loaded beside the model (null: nothing).
struct Companions {
  const Companion* draft = nullptr;      ///< --model-draft / --gguf-draft
  const Companion* projector = nullptr;  ///< --mmproj
};

/// What one GPU holds.
struct DeviceLoad {
  std::size_t gpu = 0;        ///< index into the group
  std::uint32_t layers = 0;   ///< blocks assigned to it
  bool output_layer = false;  ///< holds the output layer
  Bytes weights_bytes = 0;
  Bytes kv_cache_bytes = 0;         ///< exact
  Bytes recurrent_state_bytes = 0;  ///< exact
  Estimate compute_buffer;          ///< estimate
  Estimate overhead;                ///< estimate
  CompanionLoad draft;              ///< the draft model's part (none: zero)
  CompanionLoad projector;          ///< the vision projector's part (none: zero)
  Bytes usable_bytes = 0;           ///< the device's budget

  Bytes total_bytes() const;
  Bytes total_low_bytes() const;
  Bytes total_high_bytes() const;
  ByteDelta headroom_bytes() const;
  bool fits() const { return headroom_bytes() >= 0; }
  /// The verdict could flip within the estimates' range.
  bool marginal() const;
};

/// What stays in host memory (RAM): mapped weights, the KV cache and state of
/// blocks on the CPU, the host's compute buffer and the output buffer.
struct HostLoad {
  Bytes weights_bytes = 0;  ///< token_embd, blocks on the CPU, experts kept there (the mapped file)
  /// The CPU's extra buffers: copies of host weights repacked for its kernels,
  /// beside the mapped file (whose pages for them were read once, at load).
  Bytes repacked_weights_bytes = 0;
  Bytes reclaimable_bytes = 0;  ///< of weights_bytes: file pages only the repacking read (clean, droppable)
  Bytes kv_cache_bytes = 0;
  Bytes recurrent_state_bytes = 0;
  Estimate compute_buffer;  ///< the CPU's share of the graph (0 at full offload)
  Bytes output_bytes = 0;   ///< logits of n_seq outputs
  CompanionLoad draft;      ///< the draft model's host part: its token_embd, output buffer, ...
  CompanionLoad projector;  ///< the projector's host part: its CPU compute buffer (all of it with --no-mmproj-offload)

  /// Everything, the mapped file and its repacked copy both: the peak after load.
  Bytes total_bytes() const;
  /// What decoding keeps touching: the total without the reclaimable file pages.
  Bytes working_set_bytes() const;
};

/// What the GPUs hold for one configuration. All bytes.
struct MemoryBreakdown {
  Bytes weights_bytes = 0;          ///< weights resident on the device
  Bytes kv_cache_bytes = 0;         ///< exact
  Bytes recurrent_state_bytes = 0;  ///< exact
  Bytes compute_buffer_bytes = 0;   ///< estimate
  Bytes overhead_bytes = 0;         ///< estimate
  Bytes draft_bytes = 0;            ///< the draft model: weights, cache and state exact, compute estimated
  Bytes projector_bytes = 0;        ///< the vision projector: weights exact, compute estimated

  /// Sum of the parts (checked).
  Bytes total_bytes() const;
};

/// One placement of a model on a group of GPUs.
struct Placement {
  Offload offload;
  std::vector<DeviceLoad> devices;  ///< one per GPU of the group
  HostLoad host;
  std::vector<std::uint32_t> tensor_split;  ///< --tensor-split proportions (MiB usable per GPU); empty for one GPU
  LayerSplit split;                         ///< which device holds each block and the output layer
  bool kv_on_host = false;                  ///< -nkvo: every block's KV cache and state in host memory

  bool fits() const;      ///< every GPU within its budget
  bool marginal() const;  ///< some GPU's verdict could flip within the estimates' range
  bool cpu_only() const { return offload.n_gpu_layers == 0; }
  /// Every GPU's total summed.
  Bytes gpu_total_bytes() const;
};

/// Places `weights` on `gpus` (budgets index-aligned) as llama.cpp's layer
/// split does: blocks in proportion to each GPU's usable memory, the last
/// n_gpu_layers blocks offloaded, the output layer on the last GPU used.
/// `companions` adds a draft model's and a projector's loads to each GPU and the host.
Placement place(const ModelSpec& spec, const LayerWeights& weights, const RunSettings& settings, const KvCacheSize& kv,
                const RecurrentStateSize& state, const std::vector<GpuSpec>& gpus,
                const std::vector<DeviceBudget>& budgets, const Offload& offload, const Companions& companions = {});

/// The offload that fits the GPUs with the most of the model on them: full
/// offload when it fits; for MoE models the fewest --n-cpu-moe blocks; else
/// the most -ngl blocks (with every expert on the host for MoE), each fitting
/// at the estimates' high end (advice never sits inside their range). Nothing
/// when not even -ngl 0's compute buffer fits. `fits()` of the result says which.
/// A draft model and a projector stay where they are; only the model's offload changes.
std::optional<Placement> plan_offload(const ModelSpec& spec, const LayerWeights& weights, const RunSettings& settings,
                                      const KvCacheSize& kv, const RecurrentStateSize& state,
                                      const std::vector<GpuSpec>& gpus, const std::vector<DeviceBudget>& budgets,
                                      const Companions& companions = {});

/// What decoding one token reads from each GPU of `placement` and from the
/// host: the blocks' weights with routed experts at n_expert_used / n_expert,
/// the output layer, and the KV cache and recurrent state. Pools follow the
/// GPUs' order; the host pool comes last (its bandwidth `host_bandwidth_gbps`;
/// unified memory: the GPU's own).
std::vector<TokenTraffic> decode_traffic(const ModelSpec& spec, const LayerWeights& weights, const KvCacheSize& kv,
                                         const RecurrentStateSize& state, const Placement& placement,
                                         const std::vector<GpuSpec>& gpus, double host_bandwidth_gbps);

/// What each GPU of `placement` computes of a `prompt_tokens` prompt from an
/// empty context: the matrix FLOPs of its blocks (and the output layer's), in
/// proportion to their weights, of `active_params` parameters per token; the
/// attention FLOPs of its attention layers at the mean context the prompt sees
/// (a sliding window caps it). Blocks and experts in host memory are computed
/// by the first GPU, which fetches their weights for every ubatch (llama.cpp
/// runs large batches' host-weight operations on the GPU). Entries follow the GPUs.
std::vector<PrefillWork> prefill_work(const ModelSpec& spec, const LayerWeights& weights, double active_params,
                                      std::uint64_t prompt_tokens, const Placement& placement,
                                      const std::vector<GpuSpec>& gpus);

/// llama.cpp's host output buffer: f32 logits of one output per sequence.
Bytes output_buffer_bytes(const ModelSpec& spec, const RunSettings& settings);

/// llama.cpp's flags for the expert tensors an offload keeps in host memory:
/// "--n-cpu-moe N", or "-ot exps=CPU" when it is every layer's; none otherwise.
std::vector<std::string> expert_offload_arguments(const ModelSpec& spec, const Offload& offload);

/// The arguments joined by spaces, as a label ("--n-cpu-moe 14").
std::string joined_arguments(const std::vector<std::string>& arguments);

/// The llama.cpp arguments that realize `placement` under `settings`
/// (common/arg.cpp names): -m PATH -c N -ngl N [--n-cpu-moe N | -ot exps=CPU]
/// -ctk T -ctv T -fa on|off [-ts A,B] [-np N [-kvu]] [-ub N] [-b N] [--swa-full].
std::vector<std::string> llama_arguments(const ModelSpec& spec, const Placement& placement, const RunSettings& settings,
                                         const std::string& model_path);

/// `program` followed by the arguments, quoted for a POSIX shell where needed.
std::string shell_command(const std::string& program, const std::vector<std::string>& arguments);

}  // namespace vramfit
