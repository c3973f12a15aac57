#include "render/fields.hpp"

#include "vramfit/model/ggml_type.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <memory>

namespace vramfit::cli {
namespace {

// One field's value, as both formats need it.
struct Value {
  enum class Kind { absent, null, unsigned_number, signed_number, decimal1, decimal2, decimal3, boolean, text, json };
  Kind kind = Kind::absent;
  std::uint64_t u = 0;
  std::int64_t i = 0;
  double d = 0;
  bool b = false;
  std::string owned;      ///< text made for this value
  std::string_view view;  ///< text that outlives the value (ids, names), when `owned` is unused
  bool is_owned = false;
  std::shared_ptr<const ojson> j;  ///< only JSON-only composites carry one

  std::string_view str() const { return is_owned ? std::string_view(owned) : view; }
};

Value of(Value::Kind kind) {
  Value v;
  v.kind = kind;
  return v;
}
Value absent() {
  return {};
}
Value null() {
  return of(Value::Kind::null);
}
Value number(std::uint64_t u) {
  Value v = of(Value::Kind::unsigned_number);
  v.u = u;
  return v;
}
Value signed_number(std::int64_t i) {
  Value v = of(Value::Kind::signed_number);
  v.i = i;
  return v;
}
Value decimal1(double d) {
  Value v = of(Value::Kind::decimal1);
  v.d = d;
  return v;
}
Value decimal2(double d) {
  Value v = of(Value::Kind::decimal2);
  v.d = d;
  return v;
}
Value decimal3(double d) {
  Value v = of(Value::Kind::decimal3);
  v.d = d;
  return v;
}
Value boolean(bool b) {
  Value v = of(Value::Kind::boolean);
  v.b = b;
  return v;
}
Value text(std::string s) {
  Value v = of(Value::Kind::text);
  v.owned = std::move(s);
  v.is_owned = true;
  return v;
}
Value text(std::string_view s) {
  Value v = of(Value::Kind::text);
  v.view = s;
  return v;
}
Value text(const char* s) {
  return text(std::string_view(s));
}
Value json(ojson j) {
  Value v = of(Value::Kind::json);
  v.j = std::make_shared<const ojson>(std::move(j));
  return v;
}
template <typename T> Value optional_number(const std::optional<T>& v) {
  return v ? number(static_cast<std::uint64_t>(*v)) : null();
}

// What a getter sees.
struct RowView {
  const Report& r;
  const FitRow& row;
  const QuantResult& q;
  const ContextResult& c;
  const GpuColumn& column;
};

// A prefill or first-token figure: absent where the row has no speed at all,
// null where no prefill rule applies (Metal, SYCL, CPU, no known peak).
template <class Figure>
Value speed_part(const RowView& v, const std::optional<Figure>& part, double Figure::*field, Value (*as)(double)) {
  if (!v.row.speed) {
    return absent();
  }
  return part ? as((*part).*field) : null();
}

struct Field {
  std::string_view json;  ///< "memory.weights_bytes"; empty: CSV only
  std::string_view csv;   ///< the CSV column; empty: JSON only
  int csv_column;         ///< the column's place (1-based); 0 when not in CSV
  Value (*get)(const RowView&);
};

ojson host_json(const Placement& p) {
  return {{"weights_bytes", p.host.weights_bytes},
          {"repacked_weights_bytes", p.host.repacked_weights_bytes},
          {"reclaimable_bytes", p.host.reclaimable_bytes},
          {"kv_cache_bytes", p.host.kv_cache_bytes},
          {"recurrent_state_bytes", p.host.recurrent_state_bytes},
          {"compute_buffer_bytes", p.host.compute_buffer.bytes},
          {"output_bytes", p.host.output_bytes},
          {"total_bytes", p.host.total_bytes()}};
}

ojson placement_json(const Report& r, const FitRow& row, const Placement& p) {
  const auto& spec = r.model.spec;
  const auto arguments = r.arguments(row, p);
  return {{"n_gpu_layers", p.offload.n_gpu_layers},
          {"n_cpu_moe", p.offload.n_cpu_moe},
          {"full", p.offload.is_full(spec)},
          {"cpu_only", p.cpu_only()},
          {"tensor_split", p.tensor_split},
          {"fits", p.fits()},
          {"gpu_total_bytes", p.gpu_total_bytes()},
          {"host_total_bytes", p.host.total_bytes()},
          {"command", shell_command(std::string(r.engine->program()), arguments)},
          {"arguments", arguments}};
}

// The figures `--gpu auto` read, one per GPU of the column; null when none were detected.
ojson detected_json(const GpuColumn& column) {
  ojson out = ojson::array();
  for (const auto& b : column.group.budgets) {
    if (!b.detected) {
      return nullptr;
    }
    const auto& d = *b.detected;
    const auto optional = [](const std::optional<Bytes>& x) {
      return x ? ojson(*x) : ojson(nullptr);
    };
    out.push_back({{"tool", d.tool},
                   {"name", d.name},
                   {"total_bytes", d.total_bytes},
                   {"used_bytes", optional(d.used_bytes)},
                   {"free_bytes", optional(d.free_bytes)},
                   {"wired_limit_bytes", optional(d.wired_limit_bytes)}});
  }
  return out;
}

ojson devices_json(const GpuColumn& column, const Placement& p) {
  ojson out = ojson::array();
  for (const auto& d : p.devices) {
    out.push_back({{"gpu", column.group.gpus[d.gpu].id},
                   {"index", d.gpu},
                   {"layers", d.layers},
                   {"output_layer", d.output_layer},
                   {"weights_bytes", d.weights_bytes},
                   {"kv_cache_bytes", d.kv_cache_bytes},
                   {"recurrent_state_bytes", d.recurrent_state_bytes},
                   {"compute_buffer_bytes", d.compute_buffer.bytes},
                   {"overhead_bytes", d.overhead.bytes},
                   {"total_bytes", d.total_bytes()},
                   {"total_low_bytes", d.total_low_bytes()},
                   {"total_high_bytes", d.total_high_bytes()},
                   {"usable_bytes", d.usable_bytes},
                   {"reserved_bytes", column.group.budgets[d.gpu].in_use_bytes},
                   {"headroom_bytes", d.headroom_bytes()},
                   {"fits", d.fits()}});
  }
  return out;
}

double round1(double v) {
  return std::round(v * 10.0) / 10.0;
}

ojson what_if_json(const std::vector<WhatIf>& knobs) {
  ojson out = ojson::array();
  for (const auto& w : knobs) {
    out.push_back({{"knob", std::string(name(w.knob))},
                   {"change", w.change},
                   {"saved_bytes", w.saved_bytes},
                   {"fits", w.fits},
                   {"marginal", w.marginal},
                   {"ram_over", w.ram_over},
                   {"headroom_bytes", w.headroom_bytes},
                   {"decode_tokens_per_second", w.speed ? ojson(round1(w.speed->tokens_per_second)) : ojson(nullptr)},
                   {"provenance", "estimate"}});
  }
  return out;
}

Value provenance(Provenance p) {
  return text(name(p));
}

// Every field of a result row, in the JSON document's order.
const std::vector<Field>& fields() {
  static const std::vector<Field> k_fields{
      {"model", "model", 1,
       [](const RowView& v) {
         return text(std::string_view(v.r.model.spec.id));
       }},
      {"gpu", "gpu", 2,
       [](const RowView& v) {
         return text(std::string_view(v.column.combined.id));
       }},
      {"quant", "quant", 3,
       [](const RowView& v) {
         return text(std::string_view(v.q.id));
       }},
      {"engine", "", 0,
       [](const RowView& v) {
         return text(v.r.engine_name());
       }},
      {"context_tokens", "context_tokens", 4,
       [](const RowView& v) {
         return number(v.c.context_tokens);
       }},
      {"parallel", "parallel", 8,
       [](const RowView& v) {
         return number(v.r.settings.n_seq);
       }},
      {"cache_type_k", "cache_type_k", 5,
       [](const RowView& v) {
         return text(lower_name(v.r.settings.type_k));
       }},
      {"cache_type_v", "cache_type_v", 6,
       [](const RowView& v) {
         return text(lower_name(v.r.settings.type_v));
       }},
      {"flash_attn", "flash_attn", 7,
       [](const RowView& v) {
         return boolean(v.r.settings.flash_attn);
       }},
      {"memory.weights_bytes", "weights_bytes", 12,
       [](const RowView& v) {
         return number(v.row.memory.weights_bytes);
       }},
      {"memory.kv_cache_bytes", "kv_cache_bytes", 13,
       [](const RowView& v) {
         return number(v.row.memory.kv_cache_bytes);
       }},
      {"memory.recurrent_state_bytes", "recurrent_state_bytes", 14,
       [](const RowView& v) {
         return number(v.row.memory.recurrent_state_bytes);
       }},
      {"memory.compute_buffer_bytes", "compute_buffer_bytes", 15,
       [](const RowView& v) {
         return number(v.row.memory.compute_buffer_bytes);
       }},
      {"memory.overhead_bytes", "overhead_bytes", 16,
       [](const RowView& v) {
         return number(v.row.memory.overhead_bytes);
       }},
      {"memory.draft_bytes", "draft_bytes", 49,
       [](const RowView& v) {
         return number(v.row.memory.draft_bytes);
       }},
      {"draft", "", 0,
       [](const RowView& v) {
         if (!v.row.draft || !v.r.draft) {
           return null();
         }
         const auto& d = *v.row.draft;
         const bool mtp = v.r.draft->mtp_layers > 0;
         return json({{"kind", mtp ? "mtp" : "model"},
                      {"model", v.r.draft->model.spec.id},
                      {"quant", mtp ? v.q.id : v.r.draft->quant.id},
                      {"cache_type_k", lower_name(v.r.draft->type_k)},
                      {"cache_type_v", lower_name(v.r.draft->type_v)},
                      {"weights_bytes", d.weights_bytes},
                      {"kv_cache_bytes", d.kv_cache_bytes},
                      {"compute_bytes", d.compute_buffer.bytes},
                      {"host_weights_bytes", v.row.placement.host.draft.weights_bytes}});
       }},
      {"memory.projector_bytes", "projector_bytes", 50,
       [](const RowView& v) {
         return number(v.row.memory.projector_bytes);
       }},
      {"projector", "", 0,
       [](const RowView& v) {
         if (!v.row.projector || !v.r.projector) {
           return null();
         }
         const auto& p = *v.r.projector;
         const auto& on_gpus = *v.row.projector;
         const auto& host = v.row.placement.host.projector;
         return json({{"file", p.file},
                      {"type", p.type},
                      {"offloaded", p.offload},
                      {"weights_bytes", on_gpus.weights_bytes},
                      {"compute_bytes", on_gpus.compute_buffer.bytes},
                      {"host_bytes", host.total()}});
       }},
      {"memory.total_bytes", "total_bytes", 17,
       [](const RowView& v) {
         return number(v.row.memory.total_bytes());
       }},
      {"weights_source", "weights_source", 9,
       [](const RowView& v) {
         return text(name(v.q.source));
       }},
      {"file.predicted_bytes", "file_predicted_bytes", 10,
       [](const RowView& v) {
         return number(v.q.file_predicted_bytes);
       }},
      {"file.published_bytes", "file_published_bytes", 11,
       [](const RowView& v) {
         return optional_number(v.q.file_published_bytes);
       }},
      {"file.published_file", "", 0,
       [](const RowView& v) {
         return v.q.published_file.empty() ? null() : text(std::string_view(v.q.published_file));
       }},
      {"file.metadata_estimate_bytes", "", 0,
       [](const RowView& v) {
         return number(v.q.metadata_bytes);
       }},
      {"file.tensor_bytes", "", 0,
       [](const RowView& v) {
         return number(v.q.predicted.total_bytes);
       }},
      {"file.mtp_bytes", "", 0,
       [](const RowView& v) {
         return number(v.q.predicted.mtp_bytes);
       }},
      {"file.recipe", "", 0,
       [](const RowView& v) {
         return text(std::string_view(v.q.recipe));
       }},
      {"file.follows_recipe", "", 0,
       [](const RowView& v) {
         return boolean(v.q.follows_recipe);
       }},
      {"", "host_weights_bytes", 18,
       [](const RowView& v) {
         return number(v.q.host_weights_bytes);
       }},
      {"host", "", 0,
       [](const RowView& v) {
         return json(host_json(v.row.placement));
       }},
      {"", "host_total_bytes", 35,
       [](const RowView& v) {
         return number(v.row.placement.host.total_bytes());
       }},
      {"offload", "", 0,
       [](const RowView& v) {
         return json(placement_json(v.r, v.row, v.row.placement));
       }},
      {"", "n_gpu_layers", 33,
       [](const RowView& v) {
         return number(v.row.placement.offload.n_gpu_layers);
       }},
      {"", "n_cpu_moe", 34,
       [](const RowView& v) {
         return number(v.row.placement.offload.n_cpu_moe);
       }},
      {"devices", "", 0,
       [](const RowView& v) {
         return json(devices_json(v.column, v.row.placement));
       }},
      {"", "device_total_bytes", 36,
       [](const RowView& v) {
         std::string totals;
         for (const auto& d : v.row.placement.devices) {
           totals += (totals.empty() ? "" : ";") + std::to_string(d.total_bytes());
         }
         return text(totals);
       }},
      {"offload_plan", "", 0,
       [](const RowView& v) {
         if (!v.row.plan) {
           return null();
         }
         auto plan = placement_json(v.r, v.row, *v.row.plan);
         plan["devices"] = devices_json(v.column, *v.row.plan);
         plan["host"] = host_json(*v.row.plan);
         plan["ram_fits"] = v.row.plan_ram_fits ? ojson(*v.row.plan_ram_fits) : ojson(nullptr);
         return json(plan);
       }},
      {"", "plan_n_gpu_layers", 37,
       [](const RowView& v) {
         return v.row.plan ? number(v.row.plan->offload.n_gpu_layers) : null();
       }},
      {"", "plan_n_cpu_moe", 38,
       [](const RowView& v) {
         return v.row.plan ? number(v.row.plan->offload.n_cpu_moe) : null();
       }},
      {"", "plan_gpu_total_bytes", 39,
       [](const RowView& v) {
         return v.row.plan ? number(v.row.plan->gpu_total_bytes()) : null();
       }},
      {"", "plan_host_total_bytes", 40,
       [](const RowView& v) {
         return v.row.plan ? number(v.row.plan->host.total_bytes()) : null();
       }},
      {"warnings", "", 0,
       [](const RowView& v) {
         ojson list = ojson::array();
         for (const auto& w : v.row.warnings) {
           list.push_back({{"code", w.code}, {"message", w.message}});
         }
         return json(std::move(list));
       }},
      {"ram_fits", "", 0,
       [](const RowView& v) {
         return v.row.ram_fits ? boolean(*v.row.ram_fits) : null();
       }},
      {"device.capacity_bytes", "capacity_bytes", 19,
       [](const RowView& v) {
         return number(v.column.budget.capacity_bytes);
       }},
      {"device.usable_bytes", "usable_bytes", 20,
       [](const RowView& v) {
         return number(v.column.budget.usable_bytes);
       }},
      {"device.total_bytes", "", 0,
       [](const RowView& v) {
         return number(v.column.budget.total_bytes);
       }},
      {"device.reserve_bytes", "", 0,
       [](const RowView& v) {
         return number(v.column.budget.reserve_bytes);
       }},
      {"device.context_reserve_bytes", "", 0,
       [](const RowView& v) {
         return number(v.column.budget.reserve_bytes);
       }},
      {"device.reserved_bytes", "reserved_bytes", 46,
       [](const RowView& v) {
         return number(v.column.budget.in_use_bytes);
       }},
      {"device.detected", "", 0,
       [](const RowView& v) {
         return json(detected_json(v.column));
       }},
      {"device.basis", "", 0,
       [](const RowView& v) {
         return text(std::string_view(v.column.budget.basis));
       }},
      {"provenance.weights_bytes", "weights_provenance", 24,
       [](const RowView& v) {
         return provenance(v.row.provenance.weights);
       }},
      {"provenance.kv_cache_bytes", "kv_cache_provenance", 25,
       [](const RowView& v) {
         return provenance(v.row.provenance.kv_cache);
       }},
      {"provenance.recurrent_state_bytes", "recurrent_state_provenance", 26,
       [](const RowView& v) {
         return provenance(v.row.provenance.recurrent_state);
       }},
      {"provenance.compute_buffer_bytes", "compute_buffer_provenance", 27,
       [](const RowView& v) {
         return provenance(v.row.provenance.compute_buffer);
       }},
      {"provenance.overhead_bytes", "overhead_provenance", 28,
       [](const RowView& v) {
         return provenance(v.row.provenance.overhead);
       }},
      {"provenance.total_bytes", "total_provenance", 29,
       [](const RowView& v) {
         return provenance(v.row.provenance.total);
       }},
      {"provenance.headroom_bytes", "headroom_provenance", 30,
       [](const RowView& v) {
         return provenance(v.row.provenance.headroom);
       }},
      {"provenance.usable_bytes", "", 0,
       [](const RowView& v) {
         return provenance(v.row.provenance.usable);
       }},
      {"provenance.file_predicted_bytes", "", 0,
       [](const RowView& v) {
         return provenance(v.q.file_predicted_provenance);
       }},
      {"headroom_bytes", "headroom_bytes", 21,
       [](const RowView& v) {
         return signed_number(v.row.headroom_bytes);
       }},
      {"fits", "fits", 22,
       [](const RowView& v) {
         return boolean(v.row.fits);
       }},
      {"concurrency", "", 0,
       [](const RowView& v) {
         if (!v.row.concurrency) {
           return null();
         }
         ojson list = ojson::array();
         ojson item{{"context_tokens", v.row.concurrency->context_tokens},
                    {"max_parallel", v.row.concurrency->max_parallel}};
         if (v.row.concurrency->engine_limit) {
           item["engine_limit"] = *v.row.concurrency->engine_limit;
         }
         list.push_back(std::move(item));
         return json(std::move(list));
       }},
      {"", "max_parallel", 48,
       [](const RowView& v) {
         return v.row.concurrency ? number(v.row.concurrency->max_parallel) : null();
       }},
      {"meets_min_headroom", "meets_min_headroom", 47,
       [](const RowView& v) {
         return boolean(v.row.meets_min_headroom);
       }},
      {"marginal", "", 0,
       [](const RowView& v) {
         return boolean(v.row.marginal);
       }},
      {"verdict", "verdict", 23,
       [](const RowView& v) {
         return text(name(v.row.verdict));
       }},
      {"max_context_tokens", "", 0,
       [](const RowView& v) {
         return optional_number(v.row.max_context_tokens);
       }},
      {"what_if", "", 0,
       [](const RowView& v) {
         return json(what_if_json(v.row.what_if));
       }},
      {"", "what_if_best", 45,
       [](const RowView& v) {
         const auto it =
             std::find_if(v.row.what_if.begin(), v.row.what_if.end(), [](const WhatIf& w) { return w.fits; });
         return text(it == v.row.what_if.end() ? std::string_view{} : std::string_view(it->change));
       }},
      // speed: null when there is none; CSV leaves its columns empty.
      {"speed.decode_tokens_per_second", "decode_tokens_per_second", 41,
       [](const RowView& v) {
         return v.row.speed ? decimal1(v.row.speed->tokens_per_second) : absent();
       }},
      {"speed.low", "decode_low", 42,
       [](const RowView& v) {
         return v.row.speed ? decimal1(v.row.speed->low) : absent();
       }},
      {"speed.high", "decode_high", 43,
       [](const RowView& v) {
         return v.row.speed ? decimal1(v.row.speed->high) : absent();
       }},
      {"speed.decode_low_tokens_per_second", "", 0,
       [](const RowView& v) {
         return v.row.speed ? decimal1(v.row.speed->low) : absent();
       }},
      {"speed.decode_high_tokens_per_second", "", 0,
       [](const RowView& v) {
         return v.row.speed ? decimal1(v.row.speed->high) : absent();
       }},
      {"speed.context_tokens", "", 0,
       [](const RowView& v) {
         return v.row.speed ? number(v.c.context_tokens) : absent();
       }},
      // prefill: null where no rule applies (Metal, SYCL, CPU, no known peak)
      {"speed.prompt_tokens", "", 0,
       [](const RowView& v) {
         return v.row.speed ? number(v.row.prompt_tokens) : absent();
       }},
      {"speed.prefill_tokens_per_second", "prefill_tokens_per_second", 51,
       [](const RowView& v) {
         return speed_part(v, v.row.prefill, &SpeedEstimate::tokens_per_second, decimal1);
       }},
      {"speed.prefill_low_tokens_per_second", "", 0,
       [](const RowView& v) {
         return speed_part(v, v.row.prefill, &SpeedEstimate::low, decimal1);
       }},
      {"speed.prefill_high_tokens_per_second", "", 0,
       [](const RowView& v) {
         return speed_part(v, v.row.prefill, &SpeedEstimate::high, decimal1);
       }},
      {"speed.time_to_first_token_s", "time_to_first_token_s", 52,
       [](const RowView& v) {
         return speed_part(v, v.row.time_to_first_token, &TimeEstimate::seconds, decimal3);
       }},
      {"speed.time_to_first_token_low_s", "", 0,
       [](const RowView& v) {
         return speed_part(v, v.row.time_to_first_token, &TimeEstimate::low, decimal3);
       }},
      {"speed.time_to_first_token_high_s", "", 0,
       [](const RowView& v) {
         return speed_part(v, v.row.time_to_first_token, &TimeEstimate::high, decimal3);
       }},
      {"speed.of_offload_plan", "speed_of_plan", 44,
       [](const RowView& v) {
         return v.row.speed ? boolean(v.row.speed_of_plan) : absent();
       }},
      {"speed.provenance", "", 0,
       [](const RowView& v) {
         return v.row.speed ? text("estimate") : absent();
       }},
      // vllm: null for the other engines.
      {"vllm.kv_bytes_per_token", "", 0,
       [](const RowView& v) {
         return v.row.vllm ? number(v.row.vllm->kv_bytes_per_token) : absent();
       }},
      {"vllm.state_bytes_per_request", "", 0,
       [](const RowView& v) {
         return v.row.vllm ? number(v.row.vllm->state_bytes_per_request) : absent();
       }},
      {"vllm.available_bytes", "", 0,
       [](const RowView& v) {
         return v.row.vllm ? number(v.row.vllm->available_bytes) : absent();
       }},
      {"vllm.cached_tokens", "", 0,
       [](const RowView& v) {
         return v.row.vllm ? number(v.row.vllm->cached_tokens) : absent();
       }},
      {"vllm.request_tokens", "", 0,
       [](const RowView& v) {
         return v.row.vllm ? number(v.row.vllm->request_tokens) : absent();
       }},
      {"vllm.max_concurrency", "", 0,
       [](const RowView& v) {
         return v.row.vllm ? number(v.row.vllm->max_concurrency) : absent();
       }},
      {"vllm.concurrency", "", 0,
       [](const RowView& v) {
         return v.row.vllm ? decimal2(v.row.vllm->concurrency) : absent();
       }},
      {"vllm.block_tokens", "", 0,
       [](const RowView& v) {
         return v.row.vllm ? number(k_vllm_block_tokens) : absent();
       }},
      {"kv_cache.k_bytes", "", 0,
       [](const RowView& v) {
         return number(v.c.kv.k_bytes);
       }},
      {"kv_cache.v_bytes", "", 0,
       [](const RowView& v) {
         return number(v.c.kv.v_bytes);
       }},
      {"kv_cache.full_attention_layers", "", 0,
       [](const RowView& v) {
         return number(v.c.kv.full_layers);
       }},
      {"kv_cache.full_attention_cells", "", 0,
       [](const RowView& v) {
         return number(v.c.kv.full_cells);
       }},
      {"kv_cache.sliding_window_layers", "", 0,
       [](const RowView& v) {
         return number(v.c.kv.swa_layers);
       }},
      {"kv_cache.sliding_window_cells", "", 0,
       [](const RowView& v) {
         return number(v.c.kv.swa_cells);
       }},
      {"kv_cache.n_ctx", "", 0,
       [](const RowView& v) {
         return number(v.c.layout.n_ctx);
       }},
      {"recurrent_state.conv_bytes", "", 0,
       [](const RowView& v) {
         return number(v.c.state.r_bytes);
       }},
      {"recurrent_state.ssm_bytes", "", 0,
       [](const RowView& v) {
         return number(v.c.state.s_bytes);
       }},
      {"recurrent_state.layers", "", 0,
       [](const RowView& v) {
         return number(v.c.state.layers);
       }},
      {"recurrent_state.slots", "", 0,
       [](const RowView& v) {
         return number(v.c.state.slots);
       }},
      {"estimate.compute_buffer_low_bytes", "", 0,
       [](const RowView& v) {
         return number(v.row.estimate.compute_buffer.low);
       }},
      {"estimate.compute_buffer_high_bytes", "", 0,
       [](const RowView& v) {
         return number(v.row.estimate.compute_buffer.high);
       }},
      {"estimate.overhead_low_bytes", "", 0,
       [](const RowView& v) {
         return number(v.row.estimate.overhead.low);
       }},
      {"estimate.overhead_high_bytes", "", 0,
       [](const RowView& v) {
         return number(v.row.estimate.overhead.high);
       }},
      {"estimate.total_low_bytes", "total_low_bytes", 31,
       [](const RowView& v) {
         return number(v.row.total_low_bytes);
       }},
      {"estimate.total_high_bytes", "total_high_bytes", 32,
       [](const RowView& v) {
         return number(v.row.total_high_bytes);
       }},
  };
  return k_fields;
}

ojson to_json(const Value& v) {
  switch (v.kind) {
    case Value::Kind::absent:
    case Value::Kind::null:
      return nullptr;
    case Value::Kind::unsigned_number:
      return v.u;
    case Value::Kind::signed_number:
      return v.i;
    case Value::Kind::decimal1:
      return round1(v.d);
    case Value::Kind::decimal2:
      return std::round(v.d * 100.0) / 100.0;
    case Value::Kind::decimal3:
      return std::round(v.d * 1000.0) / 1000.0;
    case Value::Kind::boolean:
      return v.b;
    case Value::Kind::text:
      return std::string(v.str());
    case Value::Kind::json:
      return *v.j;
  }
  return nullptr;
}

void append_csv(std::string& out, const Value& v) {
  switch (v.kind) {
    case Value::Kind::absent:
    case Value::Kind::null:
    case Value::Kind::json:
      return;
    case Value::Kind::unsigned_number:
      fmt::format_to(std::back_inserter(out), "{}", v.u);
      return;
    case Value::Kind::signed_number:
      fmt::format_to(std::back_inserter(out), "{}", v.i);
      return;
    case Value::Kind::decimal1:
      fmt::format_to(std::back_inserter(out), "{:.1f}", v.d);
      return;
    case Value::Kind::decimal2:
      fmt::format_to(std::back_inserter(out), "{:.2f}", v.d);
      return;
    case Value::Kind::decimal3:
      fmt::format_to(std::back_inserter(out), "{:.3f}", v.d);
      return;
    case Value::Kind::boolean:
      out += v.b ? "true" : "false";
      return;
    case Value::Kind::text: {
      const auto t = v.str();
      if (t.find_first_of(",\"\n") == std::string_view::npos) {
        out += t;
      } else {
        out += csv_escape(std::string(t));
      }
      return;
    }
  }
}

RowView view(const Report& r, const FitRow& row) {
  return RowView{r, row, r.quants[row.quant], r.contexts[row.context], r.columns[row.gpu]};
}

// The CSV fields in column order.
std::vector<const Field*> csv_fields() {
  std::vector<const Field*> out;
  for (const auto& f : fields()) {
    if (f.csv_column > 0) {
      out.push_back(&f);
    }
  }
  std::sort(out.begin(), out.end(), [](const Field* a, const Field* b) { return a->csv_column < b->csv_column; });
  return out;
}

}  // namespace

ojson results_json(const Report& r) {
  ojson results = ojson::array();
  for (const auto& row : r.rows) {
    const auto v = view(r, row);
    ojson j = ojson::object();
    for (const auto& f : fields()) {
      if (f.json.empty()) {
        continue;
      }
      const auto dot = f.json.find('.');
      const std::string key(f.json.substr(0, dot));
      const Value value = f.get(v);
      if (!j.contains(key)) {
        j[key] = nullptr;  // keeps the key's place; an object of absent fields stays null
      }
      if (dot == std::string_view::npos) {
        j[key] = to_json(value);
      } else if (value.kind != Value::Kind::absent) {
        if (!j[key].is_object()) {
          j[key] = ojson::object();
        }
        j[key][std::string(f.json.substr(dot + 1))] = to_json(value);
      }
    }
    results.push_back(std::move(j));
  }
  return results;
}

std::vector<std::string_view> result_csv_columns() {
  std::vector<std::string_view> out;
  for (const auto* f : csv_fields()) {
    out.push_back(f->csv);
  }
  return out;
}

std::string results_csv(const Report& r) {
  const auto columns = csv_fields();
  std::string out;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    out += (i > 0 ? "," : "") + std::string(columns[i]->csv);
  }
  out += "\n";
  out.reserve(out.size() + r.rows.size() * 512);
  for (const auto& row : r.rows) {
    const auto v = view(r, row);
    for (std::size_t i = 0; i < columns.size(); ++i) {
      if (i > 0) {
        out += ',';
      }
      append_csv(out, columns[i]->get(v));
    }
    out += '\n';
  }
  return out;
}

}  // namespace vramfit::cli
