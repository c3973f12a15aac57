#include "vramfit/input/catalog.hpp"

#include "detail/json.hpp"
#include "detail/text.hpp"

#include "vramfit/model/arch.hpp"
#include "vramfit/model/quantize.hpp"
#include "vramfit/model/weight_format.hpp"
#include "vramfit/support/error.hpp"
#include "vramfit/support/suggest.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <map>
#include <set>

namespace vramfit {
namespace {

using json = nlohmann::json;

constexpr std::size_t k_max_entries = 100000;

// Names and ids are printed in tables: no terminal control characters.
bool has_control_character(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; });
}

std::string escape_pointer_token(std::string_view key) {
  std::string out;
  for (const char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string quote(std::string_view s) {
  return "'" + std::string(s.substr(0, 80)) + "'";
}

// Reads one catalog document, collecting every problem with its JSON pointer.
class Reader {
public:
  explicit Reader(std::string origin) : m_origin(std::move(origin)) {}

  void error(const std::string& pointer, const std::string& what) {
    m_errors.push_back(m_origin + ": " + (pointer.empty() ? "/" : pointer) + ": " + what);
  }
  std::vector<std::string>& errors() { return m_errors; }
  const std::string& origin() const { return m_origin; }

  static std::string child(const std::string& pointer, std::string_view key) {
    return pointer + "/" + escape_pointer_token(key);
  }
  static std::string child(const std::string& pointer, std::size_t index) {
    return pointer + "/" + std::to_string(index);
  }

  // Flags keys outside `allowed`, suggesting the closest allowed one.
  void check_keys(const json& obj, const std::string& pointer, std::initializer_list<std::string_view> allowed) {
    std::vector<std::string> names(allowed.begin(), allowed.end());
    for (const auto& [key, value] : obj.items()) {
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end() && key.rfind('$', 0) != 0) {
        error(child(pointer, key), "unknown field" + did_you_mean(key, names));
      }
    }
  }

  const json* member(const json& obj, const std::string& pointer, std::string_view key, bool required) {
    const auto it = obj.find(std::string(key));
    if (it == obj.end()) {
      if (required) {
        error(child(pointer, key), "missing required field");
      }
      return nullptr;
    }
    return &*it;
  }

  std::optional<std::uint64_t> integer(const json& obj, const std::string& pointer, std::string_view key, bool required,
                                       std::uint64_t min, std::uint64_t max) {
    const json* v = member(obj, pointer, key, required);
    if (v == nullptr) {
      return std::nullopt;
    }
    return integer_value(*v, child(pointer, key), min, max);
  }

  std::optional<std::uint64_t> integer_value(const json& v, const std::string& pointer, std::uint64_t min,
                                             std::uint64_t max) {
    std::uint64_t value = 0;
    if (v.is_number_unsigned()) {
      value = v.get<std::uint64_t>();
    } else if (v.is_number_integer()) {
      error(pointer, "must be a non-negative integer");
      return std::nullopt;
    } else if (v.is_number_float()) {
      const double d = v.get<double>();
      if (!(d >= 0) || d != std::floor(d) || d > 9.0e15) {
        error(pointer, "must be a whole number");
        return std::nullopt;
      }
      value = static_cast<std::uint64_t>(d);
    } else {
      error(pointer, "must be an integer");
      return std::nullopt;
    }
    if (value < min || value > max) {
      error(pointer, "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", not " +
                         std::to_string(value));
      return std::nullopt;
    }
    return value;
  }

  std::optional<double> number(const json& obj, const std::string& pointer, std::string_view key, bool required,
                               double min, double max) {
    const json* v = member(obj, pointer, key, required);
    if (v == nullptr) {
      return std::nullopt;
    }
    if (!v->is_number()) {
      error(child(pointer, key), "must be a number");
      return std::nullopt;
    }
    const double d = v->get<double>();
    if (!(d >= min && d <= max)) {
      error(child(pointer, key), "must be between " + fmt_number(min) + " and " + fmt_number(max));
      return std::nullopt;
    }
    return d;
  }

  std::optional<std::string> string(const json& obj, const std::string& pointer, std::string_view key, bool required) {
    const json* v = member(obj, pointer, key, required);
    if (v == nullptr) {
      return std::nullopt;
    }
    if (!v->is_string()) {
      error(child(pointer, key), "must be a string");
      return std::nullopt;
    }
    auto s = v->get<std::string>();
    if (required && s.empty()) {
      error(child(pointer, key), "must not be empty");
      return std::nullopt;
    }
    if (s.size() > 4096) {
      error(child(pointer, key), "is longer than 4096 characters");
      return std::nullopt;
    }
    if (has_control_character(s)) {
      error(child(pointer, key), "must not contain control characters");
      return std::nullopt;
    }
    return s;
  }

  std::optional<bool> boolean(const json& obj, const std::string& pointer, std::string_view key) {
    const json* v = member(obj, pointer, key, false);
    if (v == nullptr) {
      return std::nullopt;
    }
    if (!v->is_boolean()) {
      error(child(pointer, key), "must be true or false");
      return std::nullopt;
    }
    return v->get<bool>();
  }

  // An object of strings ("sources": {"memory_bytes": "...", ...}), in key order.
  std::vector<std::pair<std::string, std::string>> string_map(const json& obj, const std::string& pointer,
                                                              std::string_view key) {
    std::vector<std::pair<std::string, std::string>> out;
    const json* v = member(obj, pointer, key, false);
    if (v == nullptr) {
      return out;
    }
    if (!v->is_object()) {
      error(child(pointer, key), "must be an object of strings");
      return out;
    }
    for (const auto& [k, value] : v->items()) {
      if (!value.is_string() || value.get_ref<const std::string&>().size() > 4096 ||
          has_control_character(value.get_ref<const std::string&>())) {
        error(child(child(pointer, key), k), "must be a string of at most 4096 characters");
      } else if (out.size() < 64) {
        out.emplace_back(k, value.get<std::string>());
      }
    }
    return out;
  }

  std::vector<std::string> strings(const json& obj, const std::string& pointer, std::string_view key) {
    std::vector<std::string> out;
    const json* v = member(obj, pointer, key, false);
    if (v == nullptr) {
      return out;
    }
    if (!v->is_array()) {
      error(child(pointer, key), "must be an array of strings");
      return out;
    }
    for (std::size_t i = 0; i < v->size() && i < 256; ++i) {
      if (!(*v)[i].is_string()) {
        error(child(child(pointer, key), i), "must be a string");
      } else if (has_control_character((*v)[i].get_ref<const std::string&>())) {
        error(child(child(pointer, key), i), "must not contain control characters");
      } else {
        out.push_back((*v)[i].get<std::string>());
      }
    }
    return out;
  }

  const json* object(const json& obj, const std::string& pointer, std::string_view key, bool required) {
    const json* v = member(obj, pointer, key, required);
    if (v != nullptr && !v->is_object()) {
      error(child(pointer, key), "must be an object");
      return nullptr;
    }
    return v;
  }

private:
  static std::string fmt_number(double d) {
    if (d == std::floor(d) && std::fabs(d) < 1e15) {
      return std::to_string(static_cast<long long>(d));
    }
    return std::to_string(d);
  }

  std::string m_origin;
  std::vector<std::string> m_errors;
};

bool valid_id(std::string_view id, bool allow_upper) {
  if (id.empty() || id.size() > 128) {
    return false;
  }
  return std::all_of(id.begin(), id.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '+' ||
           (allow_upper && c >= 'A' && c <= 'Z');
  });
}

std::optional<std::string> read_id(Reader& r, const json& obj, const std::string& pointer, bool allow_upper) {
  auto id = r.string(obj, pointer, "id", true);
  if (id && !valid_id(*id, allow_upper)) {
    r.error(Reader::child(pointer, "id"),
            quote(*id) + " is not a valid id (use " +
                (allow_upper ? std::string("letters") : std::string("lower-case letters")) +
                ", digits, '.', '-', '_' or '+')");
    return std::nullopt;
  }
  return id;
}

constexpr std::uint64_t k_max_width = k_max_model_width;
constexpr std::uint64_t k_max_tokens = std::uint64_t{1} << 32;  // llama.cpp's n_ctx is 32-bit

std::vector<LayerKind> read_layer_types(Reader& r, const json& arr, const std::string& pointer) {
  std::vector<LayerKind> out;
  if (!arr.is_array()) {
    r.error(pointer, "must be an array of \"full\", \"sliding\" or \"recurrent\"");
    return out;
  }
  if (arr.size() > 4096) {
    r.error(pointer, "lists more than 4096 layers");
    return out;
  }
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const auto& v = arr[i];
    const auto kind = v.is_string() ? layer_kind_from_name(v.get<std::string>()) : std::nullopt;
    if (kind) {
      out.push_back(*kind);
    } else {
      r.error(Reader::child(pointer, i), "must be \"full\", \"sliding\" or \"recurrent\"");
    }
  }
  return out;
}

std::optional<CatalogModel> read_model(Reader& r, const json& m, const std::string& p) {
  if (!m.is_object()) {
    r.error(p, "must be an object");
    return std::nullopt;
  }
  r.check_keys(m, p,
               {"id",
                "name",
                "aliases",
                "hf_repo",
                "params",
                "source",
                "sources",
                "notes",
                "arch",
                "context_length",
                "embedding_length",
                "block_count",
                "vocab_size",
                "tied_embeddings",
                "feed_forward_length",
                "nextn_layers",
                "mtp_layers",
                "rope_freqs",
                "attention_bias",
                "qk_norm",
                "attention",
                "layers",
                "moe",
                "ssm",
                "mla",
                "tokenizer",
                "files",
                "projectors"});
  const std::size_t errors_before = r.errors().size();
  CatalogModel out;
  out.origin = r.origin();
  auto& s = out.spec;
  s.id = read_id(r, m, p, false).value_or("");
  s.name = r.string(m, p, "name", false).value_or(s.id);
  out.aliases = r.strings(m, p, "aliases");
  out.hf_repo = r.string(m, p, "hf_repo", false).value_or("");
  out.params = r.string(m, p, "params", false).value_or("");
  out.source = r.string(m, p, "source", true).value_or("");
  out.sources = r.string_map(m, p, "sources");
  out.notes = r.string(m, p, "notes", false).value_or("");
  s.arch = r.string(m, p, "arch", true).value_or("");
  s.n_ctx_train = r.integer(m, p, "context_length", true, 1, k_max_tokens).value_or(0);
  s.n_embd = r.integer(m, p, "embedding_length", true, 1, k_max_width).value_or(0);
  s.n_layer = static_cast<std::uint32_t>(r.integer(m, p, "block_count", true, 1, 4096).value_or(0));
  s.n_vocab = r.integer(m, p, "vocab_size", true, 1, k_max_width).value_or(0);
  s.tied_embeddings = r.boolean(m, p, "tied_embeddings").value_or(false);
  s.n_ff = r.integer(m, p, "feed_forward_length", false, 0, k_max_width).value_or(0);
  s.n_layer_nextn = static_cast<std::uint32_t>(r.integer(m, p, "nextn_layers", false, 0, 64).value_or(0));
  out.mtp_layers = static_cast<std::uint32_t>(r.integer(m, p, "mtp_layers", false, 0, 64).value_or(0));
  s.rope_freqs = r.boolean(m, p, "rope_freqs").value_or(false);
  s.attention_bias = r.boolean(m, p, "attention_bias").value_or(false);
  s.qk_norm = r.boolean(m, p, "qk_norm").value_or(false);

  std::uint32_t full_attention_interval = 0;
  std::uint32_t swa_pattern = 0;
  std::vector<LayerKind> explicit_layers;
  if (const json* a = r.object(m, p, "attention", true)) {
    const auto ap = Reader::child(p, "attention");
    r.check_keys(
        *a, ap,
        {"head_count", "head_count_kv", "key_length", "value_length", "sliding_window", "sliding_window_pattern"});
    s.n_head = static_cast<std::uint32_t>(r.integer(*a, ap, "head_count", true, 0, 65536).value_or(0));
    if (const json* kv = r.member(*a, ap, "head_count_kv", true)) {
      const auto kp = Reader::child(ap, "head_count_kv");
      if (kv->is_array()) {
        if (kv->size() > 4160) {
          r.error(kp, "lists more than 4160 layers");
        } else {
          for (std::size_t i = 0; i < kv->size(); ++i) {
            if (auto v = r.integer_value((*kv)[i], Reader::child(kp, i), 0, 65536)) {
              s.n_head_kv.push_back(static_cast<std::uint32_t>(*v));
            }
          }
        }
      } else if (auto v = r.integer_value(*kv, kp, 0, 65536)) {
        s.n_head_kv.push_back(static_cast<std::uint32_t>(*v));
      }
    }
    s.n_embd_head_k = r.integer(*a, ap, "key_length", false, 1, k_max_width).value_or(0);
    s.n_embd_head_v = r.integer(*a, ap, "value_length", false, 1, k_max_width).value_or(s.n_embd_head_k);
    if (s.n_embd_head_k == 0 && s.n_head > 0) {
      s.n_embd_head_k = s.n_embd / s.n_head;  // llama.cpp's default head size
      s.n_embd_head_v = s.n_embd_head_v == 0 ? s.n_embd_head_k : s.n_embd_head_v;
    }
    s.n_swa = r.integer(*a, ap, "sliding_window", false, 1, k_max_tokens).value_or(0);
    swa_pattern = static_cast<std::uint32_t>(r.integer(*a, ap, "sliding_window_pattern", false, 1, 4096).value_or(0));
  }
  if (const json* l = r.object(m, p, "layers", false)) {
    const auto lp = Reader::child(p, "layers");
    r.check_keys(*l, lp, {"full_attention_interval", "types"});
    full_attention_interval =
        static_cast<std::uint32_t>(r.integer(*l, lp, "full_attention_interval", false, 1, 4096).value_or(0));
    if (const json* t = r.member(*l, lp, "types", false)) {
      explicit_layers = read_layer_types(r, *t, Reader::child(lp, "types"));
    }
  }
  if (const json* e = r.object(m, p, "moe", false)) {
    const auto ep = Reader::child(p, "moe");
    r.check_keys(*e, ep,
                 {"expert_count", "expert_used_count", "expert_feed_forward_length", "expert_shared_count",
                  "expert_shared_feed_forward_length", "leading_dense_block_count", "expert_bias", "interleave_step"});
    MoeParams moe;
    moe.n_expert = static_cast<std::uint32_t>(r.integer(*e, ep, "expert_count", true, 1, 65536).value_or(0));
    moe.n_expert_used = static_cast<std::uint32_t>(r.integer(*e, ep, "expert_used_count", true, 1, 65536).value_or(0));
    moe.n_ff_exp = r.integer(*e, ep, "expert_feed_forward_length", true, 1, k_max_width).value_or(0);
    moe.n_expert_shared =
        static_cast<std::uint32_t>(r.integer(*e, ep, "expert_shared_count", false, 0, 64).value_or(0));
    moe.n_ff_shexp = r.integer(*e, ep, "expert_shared_feed_forward_length", false, 0, k_max_width).value_or(0);
    moe.n_layer_dense_lead =
        static_cast<std::uint32_t>(r.integer(*e, ep, "leading_dense_block_count", false, 0, 4096).value_or(0));
    moe.expert_bias = r.boolean(*e, ep, "expert_bias").value_or(false);
    moe.interleave_step = static_cast<std::uint32_t>(r.integer(*e, ep, "interleave_step", false, 0, 4096).value_or(0));
    s.moe = moe;
  }
  if (const json* e = r.object(m, p, "ssm", false)) {
    const auto ep = Reader::child(p, "ssm");
    r.check_keys(*e, ep, {"conv_kernel", "inner_size", "state_size", "time_step_rank", "group_count"});
    SsmParams ssm;
    ssm.d_conv = r.integer(*e, ep, "conv_kernel", true, 1, 64).value_or(0);
    ssm.d_inner = r.integer(*e, ep, "inner_size", true, 1, k_max_width).value_or(0);
    // 0 for a short convolution's state only (LFM2): validate() checks per architecture.
    ssm.d_state = r.integer(*e, ep, "state_size", true, 0, k_max_width).value_or(0);
    ssm.dt_rank = r.integer(*e, ep, "time_step_rank", false, 0, k_max_width).value_or(0);
    ssm.n_group = r.integer(*e, ep, "group_count", false, 0, k_max_width).value_or(0);
    s.ssm = ssm;
  }
  if (const json* e = r.object(m, p, "mla", false)) {
    const auto ep = Reader::child(p, "mla");
    r.check_keys(*e, ep, {"q_lora_rank", "kv_lora_rank", "qk_rope_head_dim", "qk_nope_head_dim", "v_head_dim"});
    MlaParams mla;
    mla.q_lora_rank = r.integer(*e, ep, "q_lora_rank", false, 0, k_max_width).value_or(0);
    mla.kv_lora_rank = r.integer(*e, ep, "kv_lora_rank", true, 1, k_max_width).value_or(0);
    mla.qk_rope_head_dim = r.integer(*e, ep, "qk_rope_head_dim", true, 1, k_max_width).value_or(0);
    mla.qk_nope_head_dim = r.integer(*e, ep, "qk_nope_head_dim", true, 1, k_max_width).value_or(0);
    mla.v_head_dim = r.integer(*e, ep, "v_head_dim", true, 1, k_max_width).value_or(0);
    s.mla = mla;
  }
  if (const json* t = r.object(m, p, "tokenizer", false)) {
    const auto tp = Reader::child(p, "tokenizer");
    r.check_keys(*t, tp, {"merges", "scores", "source"});
    if (auto merges = r.integer(*t, tp, "merges", false, 0, k_max_width)) {
      s.tokenizer.n_merges = *merges;
    }
    s.tokenizer.has_scores = r.boolean(*t, tp, "scores").value_or(false);
  }
  // Published files: the model's quants ("files") and its vision projectors
  // ("projectors", with repo and file named; "quant" is the projector's type).
  const auto read_files = [&](std::string_view key, bool projector, std::vector<PublishedFile>& into) {
    const json* f = r.member(m, p, key, false);
    if (f == nullptr) {
      return;
    }
    const auto fp = Reader::child(p, key);
    if (!f->is_array()) {
      r.error(fp, "must be an array");
      return;
    }
    for (std::size_t i = 0; i < f->size() && i < 1024; ++i) {
      const auto ip = Reader::child(fp, i);
      const auto& e = (*f)[i];
      if (!e.is_object()) {
        r.error(ip, "must be an object");
        continue;
      }
      r.check_keys(e, ip, {"quant", "bytes", "repo", "file", "source", "revision", "notes"});
      PublishedFile pf;
      pf.quant = r.string(e, ip, "quant", !projector).value_or("");
      pf.bytes = r.integer(e, ip, "bytes", true, 1, std::uint64_t{1} << 50).value_or(0);
      pf.repo = r.string(e, ip, "repo", projector).value_or("");
      pf.file = r.string(e, ip, "file", projector).value_or("");
      pf.source = r.string(e, ip, "source", true).value_or("");
      into.push_back(std::move(pf));
    }
  };
  read_files("files", false, out.files);
  read_files("projectors", true, out.projectors);
  if (r.errors().size() != errors_before) {
    return std::nullopt;
  }

  // Per-layer layout: the entry's own, else the architecture's rules.
  if (s.n_head_kv.size() == 1 && s.n_layer_all() > 1) {
    s.n_head_kv.assign(s.n_layer_all(), s.n_head_kv.front());
  }
  LayoutHints hints;
  hints.types = explicit_layers;
  if (full_attention_interval > 0) {
    hints.full_attention_interval = full_attention_interval;
  }
  if (swa_pattern > 0) {
    hints.swa_period = swa_pattern;
  }
  if (!hints.types.empty() && hints.types.size() != s.n_layer) {
    r.error(Reader::child(p, "layers"), "layer layout has " + std::to_string(hints.types.size()) + " entries for " +
                                            std::to_string(s.n_layer) + " blocks");
    return std::nullopt;
  }
  std::vector<std::string> assumptions;  // a catalog entry states its layout; rules fill only what it omits
  resolve_layers(s, hints, r.origin(), assumptions);
  try {
    validate(s, "");
  } catch (const InputError& e) {
    // validate() names the field; turn "<empty origin>: field: what" into a pointer.
    std::string what = e.what();
    if (what.rfind(": ", 0) == 0) {
      what = what.substr(2);
    }
    const auto colon = what.find(": ");
    const std::string field = colon == std::string::npos ? std::string{} : what.substr(0, colon);
    std::string pointer = p;
    std::size_t start = 0;
    while (!field.empty() && start <= field.size()) {
      const auto dot = field.find('.', start);
      pointer = Reader::child(pointer, field.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
      if (dot == std::string::npos) {
        break;
      }
      start = dot + 1;
    }
    r.error(pointer, colon == std::string::npos ? what : what.substr(colon + 2));
    return std::nullopt;
  }
  return out;
}

std::optional<QuantSpec> read_quant(Reader& r, const json& q, const std::string& p) {
  if (!q.is_object()) {
    r.error(p, "must be an object");
    return std::nullopt;
  }
  r.check_keys(q, p, {"id", "file_type", "nearest", "moe_only", "imatrix", "listed", "description", "source"});
  const std::size_t errors_before = r.errors().size();
  QuantSpec out;
  out.origin = r.origin();
  out.id = read_id(r, q, p, true).value_or("");
  out.description = r.string(q, p, "description", false).value_or("");
  out.source = r.string(q, p, "source", true).value_or("");
  out.moe_only = r.boolean(q, p, "moe_only").value_or(false);
  out.listed = r.boolean(q, p, "listed").value_or(true);
  const auto ft = r.string(q, p, "file_type", false);
  const auto nearest = r.string(q, p, "nearest", false);
  if (ft && nearest) {
    r.error(p, "give either file_type (a llama.cpp recipe) or nearest (a published-only family), not both");
  } else if (ft) {
    out.kind = QuantKind::recipe;
    out.file_type = file_type_from_name(*ft);
    if (!out.file_type) {
      std::vector<std::string> names;
      for (const auto& t : all_file_types()) {
        names.emplace_back(t.name);
      }
      r.error(Reader::child(p, "file_type"), quote(*ft) + " is not a llama.cpp file type" + did_you_mean(*ft, names));
    }
  } else if (nearest) {
    out.kind = QuantKind::published;
    out.nearest = *nearest;
  } else {
    r.error(p, "needs file_type (a llama.cpp recipe) or nearest (a published-only family)");
  }
  if (r.errors().size() != errors_before) {
    return std::nullopt;
  }
  const auto imatrix = r.boolean(q, p, "imatrix");
  out.imatrix = imatrix.value_or(out.file_type ? default_options(*out.file_type).imatrix : false);
  return out;
}

std::optional<GpuSpec> read_gpu(Reader& r, const json& g, const std::string& p) {
  if (!g.is_object()) {
    r.error(p, "must be an object");
    return std::nullopt;
  }
  r.check_keys(g, p,
               {"id", "name", "aliases", "vendor", "backend", "memory", "memory_bytes", "reported_total_bytes",
                "context_reserve_bytes", "working_set_bytes", "bandwidth_gbps", "fp16_tflops", "fp16_accumulate_tflops",
                "source", "sources", "notes"});
  const std::size_t errors_before = r.errors().size();
  GpuSpec out;
  out.id = read_id(r, g, p, false).value_or("");
  out.name = r.string(g, p, "name", true).value_or("");
  out.aliases = r.strings(g, p, "aliases");
  out.vendor = r.string(g, p, "vendor", true).value_or("");
  out.source = r.string(g, p, "source", true).value_or("");
  out.notes = r.string(g, p, "notes", false).value_or("");
  if (const auto backend = r.string(g, p, "backend", true)) {
    static const std::map<std::string, Backend> k_backends{{"cuda", Backend::cuda},     {"rocm", Backend::rocm},
                                                           {"vulkan", Backend::vulkan}, {"metal", Backend::metal},
                                                           {"sycl", Backend::sycl},     {"cpu", Backend::cpu}};
    const auto it = k_backends.find(*backend);
    if (it == k_backends.end()) {
      r.error(Reader::child(p, "backend"), quote(*backend) + " must be cuda, rocm, vulkan, metal, sycl or cpu");
    } else {
      out.backend = it->second;
    }
  }
  if (const auto memory = r.string(g, p, "memory", false)) {
    if (*memory == "discrete") {
      out.memory = MemoryKind::discrete;
    } else if (*memory == "unified") {
      out.memory = MemoryKind::unified;
    } else {
      r.error(Reader::child(p, "memory"), quote(*memory) + " must be discrete or unified");
    }
  }
  constexpr std::uint64_t k_max_memory = std::uint64_t{1} << 46;  // 64 TiB
  out.memory_bytes = r.integer(g, p, "memory_bytes", true, 1, k_max_memory).value_or(0);
  out.reported_total_bytes = r.integer(g, p, "reported_total_bytes", false, 1, k_max_memory);
  out.context_reserve_bytes = r.integer(g, p, "context_reserve_bytes", false, 0, k_max_memory);
  out.working_set_bytes = r.integer(g, p, "working_set_bytes", false, 1, k_max_memory);
  out.bandwidth_gbps = r.number(g, p, "bandwidth_gbps", true, 0.001, 1e6).value_or(0);
  out.fp16_tflops = r.number(g, p, "fp16_tflops", false, 0.001, 1e6);
  out.fp16_accumulate_tflops = r.number(g, p, "fp16_accumulate_tflops", false, 0.001, 1e6);
  out.sources = r.string_map(g, p, "sources");
  if (r.errors().size() != errors_before) {
    return std::nullopt;
  }
  return out;
}

template <typename T, typename ReadFn>
void read_array(Reader& r, const json& doc, std::string_view key, std::vector<T>& into, ReadFn read) {
  const auto it = doc.find(std::string(key));
  if (it == doc.end()) {
    return;
  }
  const std::string pointer = Reader::child("", key);
  if (!it->is_array()) {
    r.error(pointer, "must be an array");
    return;
  }
  if (it->size() > k_max_entries) {
    r.error(pointer, "holds more than " + std::to_string(k_max_entries) + " entries");
    return;
  }
  for (std::size_t i = 0; i < it->size(); ++i) {
    if (auto entry = read(r, (*it)[i], Reader::child(pointer, i))) {
      into.push_back(std::move(*entry));
    }
  }
}

std::string line_and_column(std::string_view text, std::size_t byte) {
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

struct Document {
  std::vector<CatalogModel> models;
  std::vector<QuantSpec> quants;
  std::vector<GpuSpec> gpus;
  std::string version;
};

Document parse_document(const CatalogText& text, std::vector<std::string>& errors) {
  Document doc;
  Reader r(text.origin);
  auto parsed = detail::parse_untrusted_json(text.text);
  if (const auto* failure = std::get_if<detail::JsonFailure>(&parsed)) {
    const std::string where =
        failure->byte ? line_and_column(text.text, *failure->byte == 0 ? 0 : *failure->byte - 1) + ": " : "";
    errors.push_back(text.origin + ": " + where + failure->message);
    return doc;
  }
  const json root = std::move(std::get<json>(parsed));
  if (!root.is_object()) {
    r.error("", "a catalog must be a JSON object with \"models\", \"quants\" and/or \"gpus\" arrays");
  } else {
    r.check_keys(root, "", {"catalog_version", "note", "models", "quants", "gpus"});
    if (root.contains("catalog_version")) {
      doc.version = r.string(root, "", "catalog_version", false).value_or("");
    }
    read_array(r, root, "models", doc.models, read_model);
    read_array(r, root, "quants", doc.quants, read_quant);
    read_array(r, root, "gpus", doc.gpus, read_gpu);
  }
  errors.insert(errors.end(), r.errors().begin(), r.errors().end());
  return doc;
}

// Replaces entries with the same id, appends new ones; flags ids repeated within one document.
template <typename T, typename IdFn>
void merge(std::vector<T>& into, std::vector<T>& from, IdFn id_of, const std::string& origin, std::string_view what,
           std::vector<std::string>& errors) {
  std::set<std::string> seen;
  for (auto& entry : from) {
    const std::string key = detail::to_lower(id_of(entry));
    if (!seen.insert(key).second) {
      errors.push_back(origin + ": " + std::string(what) + " " + quote(id_of(entry)) + " is defined twice");
      continue;
    }
    const auto it =
        std::find_if(into.begin(), into.end(), [&](const T& e) { return detail::to_lower(id_of(e)) == key; });
    if (it != into.end()) {
      *it = std::move(entry);
    } else {
      into.push_back(std::move(entry));
    }
  }
}

template <typename T, typename IdFn, typename AliasFn>
const T& find_entry(const std::vector<T>& entries, std::string_view query, IdFn id_of, AliasFn aliases_of,
                    std::string_view what, std::string_view list_hint) {
  // 1. exact id; 2. id or alias, ignoring case; 3. ignoring case and
  // punctuation. A name that fits several entries at a step is an error that
  // lists them (never a silent pick).
  for (const auto& e : entries) {
    if (id_of(e) == query) {
      return e;
    }
  }
  const auto pick = [&](auto&& matches) -> const T* {
    std::vector<const T*> hits;
    for (const auto& e : entries) {
      if (matches(e) && std::find(hits.begin(), hits.end(), &e) == hits.end()) {
        hits.push_back(&e);
      }
    }
    if (hits.size() > 1) {
      std::string list;
      for (std::size_t i = 0; i < hits.size() && i < 12; ++i) {
        list += (i == 0 ? "" : ", ") + id_of(*hits[i]);
      }
      throw UsageError(quote(query) + " names " + std::to_string(hits.size()) + " " + std::string(what) + "s: " + list +
                       (hits.size() > 12 ? ", ..." : "") + "; give one of them");
    }
    return hits.empty() ? nullptr : hits.front();
  };
  if (const T* e = pick([&](const T& x) {
        if (detail::iequals(id_of(x), query)) {
          return true;
        }
        const auto& aliases = aliases_of(x);
        return std::any_of(aliases.begin(), aliases.end(), [&](const auto& a) { return detail::iequals(a, query); });
      })) {
    return *e;
  }
  const std::string key = detail::id_key(query);
  if (!key.empty()) {
    if (const T* e = pick([&](const T& x) {
          if (detail::id_key(id_of(x)) == key) {
            return true;
          }
          const auto& aliases = aliases_of(x);
          return std::any_of(aliases.begin(), aliases.end(), [&](const auto& a) { return detail::id_key(a) == key; });
        })) {
      return *e;
    }
  }
  // 4. a short name inside several ids ("a100", "h100", "3060"): the variants to choose from.
  if (key.size() >= 3) {
    pick([&](const T& x) { return detail::id_key(id_of(x)).find(key) != std::string::npos; });
  }
  std::vector<std::string> names;
  for (const auto& e : entries) {
    names.push_back(id_of(e));
  }
  throw UsageError("unknown " + std::string(what) + " " + quote(query) + did_you_mean(query, names) + "; " +
                   std::string(list_hint));
}

}  // namespace

const PublishedFile* CatalogModel::published(std::string_view quant) const {
  for (const auto& f : files) {
    if (detail::iequals(f.quant, quant)) {
      return &f;
    }
  }
  return nullptr;
}

const CatalogModel& Catalog::find_model(std::string_view query) const {
  // A GGUF repo of the usual publishers names the model it converts:
  // unsloth/Qwen3-8B-GGUF, bartowski/Qwen_Qwen3-8B-GGUF, ggml-org/...-GGUF,
  // lmstudio-community/...-GGUF.
  if (const auto slash = query.rfind('/');
      slash != std::string_view::npos && query.size() > 5 && detail::iequals(query.substr(query.size() - 5), "-gguf")) {
    std::string_view base = query.substr(slash + 1, query.size() - slash - 1 - 5);
    const CatalogModel* match = nullptr;
    for (const auto& m : models) {
      const std::string_view repo = m.hf_repo;
      const auto s = repo.rfind('/');
      const std::string_view name = s == std::string_view::npos ? repo : repo.substr(s + 1);
      const std::string_view org = s == std::string_view::npos ? std::string_view() : repo.substr(0, s);
      const bool same = detail::iequals(name, base) ||
                        (base.size() > org.size() + 1 && detail::iequals(base.substr(0, org.size()), org) &&
                         base[org.size()] == '_' && detail::iequals(base.substr(org.size() + 1), name));
      if (!name.empty() && same) {
        match = match == nullptr ? &m : match;
      }
    }
    if (match != nullptr) {
      return *match;
    }
  }
  return find_entry(
      models, query, [](const CatalogModel& m) -> const std::string& { return m.spec.id; },
      [](const CatalogModel& m) -> const std::vector<std::string>& { return m.aliases; }, "model",
      "'vramfit list models' shows them all");
}

const GpuSpec& Catalog::find_gpu(std::string_view query) const {
  // A display name as the catalog lists it ("Radeon RX 7900 XT"), when only one GPU has it.
  const GpuSpec* named = nullptr;
  const std::string key = detail::id_key(query);
  for (const auto& g : gpus) {
    if (!key.empty() && detail::id_key(g.name) == key) {
      if (named != nullptr) {
        named = nullptr;
        break;
      }
      named = &g;
    }
  }
  if (named != nullptr && std::none_of(gpus.begin(), gpus.end(), [&](const GpuSpec& g) { return g.id == query; })) {
    return *named;
  }
  return find_entry(
      gpus, query, [](const GpuSpec& g) -> const std::string& { return g.id; },
      [](const GpuSpec& g) -> const std::vector<std::string>& { return g.aliases; }, "GPU",
      "'vramfit list gpus' shows them all");
}

const QuantSpec& Catalog::find_quant(std::string_view query) const {
  static const std::vector<std::string> k_no_aliases;
  return find_entry(
      quants, query, [](const QuantSpec& q) -> const std::string& { return q.id; },
      [](const QuantSpec&) -> const std::vector<std::string>& { return k_no_aliases; }, "quant",
      "'vramfit list quants' shows them all");
}

Catalog load_catalog(std::span<const CatalogText> texts) {
  Catalog catalog;
  std::vector<std::string> errors;
  for (const auto& text : texts) {
    auto doc = parse_document(text, errors);
    catalog.origins.push_back(text.origin);
    if (!doc.version.empty() && catalog.version.empty()) {
      catalog.version = doc.version;
    }
    merge(
        catalog.models, doc.models, [](const CatalogModel& m) -> const std::string& { return m.spec.id; }, text.origin,
        "model", errors);
    merge(
        catalog.quants, doc.quants, [](const QuantSpec& q) -> const std::string& { return q.id; }, text.origin, "quant",
        errors);
    merge(
        catalog.gpus, doc.gpus, [](const GpuSpec& g) -> const std::string& { return g.id; }, text.origin, "GPU",
        errors);
  }
  // The checkpoint formats of other engines come from their table, unless a
  // catalog names a quant the same.
  for (const auto& f : weight_formats()) {
    if (std::none_of(catalog.quants.begin(), catalog.quants.end(),
                     [&](const QuantSpec& q) { return detail::iequals(q.id, f.id); })) {
      QuantSpec q;
      q.id = std::string(f.id);
      q.kind = QuantKind::format;
      q.moe_only = f.moe_only;
      q.description = std::string(f.description);
      q.source = std::string(f.source);
      q.origin = "vramfit (model/weight_format)";
      catalog.quants.push_back(std::move(q));
    }
  }
  // Cross-references, checked once everything is merged.
  std::vector<std::string> quant_ids;
  for (const auto& q : catalog.quants) {
    quant_ids.push_back(q.id);
  }
  const auto has_quant = [&](std::string_view id) {
    return std::any_of(catalog.quants.begin(), catalog.quants.end(),
                       [&](const QuantSpec& q) { return detail::iequals(q.id, id); });
  };
  for (const auto& q : catalog.quants) {
    if (q.kind == QuantKind::published) {
      const auto it = std::find_if(catalog.quants.begin(), catalog.quants.end(), [&](const QuantSpec& other) {
        return detail::iequals(other.id, q.nearest) && other.kind == QuantKind::recipe;
      });
      if (it == catalog.quants.end()) {
        errors.push_back(q.origin + ": quant " + quote(q.id) + ": nearest " + quote(q.nearest) +
                         " is not a recipe quant" + did_you_mean(q.nearest, quant_ids));
      }
    }
  }
  for (const auto& m : catalog.models) {
    for (const auto& f : m.files) {
      if (!has_quant(f.quant)) {
        errors.push_back(m.origin + ": model " + quote(m.spec.id) + ": file quant " + quote(f.quant) +
                         " is not in the catalog" + did_you_mean(f.quant, quant_ids));
      }
    }
  }
  if (!errors.empty()) {
    throw InputErrors(errors);
  }
  return catalog;
}

std::span<const CatalogText> embedded_catalog_texts() {
  static const std::vector<CatalogText> k_texts = detail::embedded_catalog_texts();
  return k_texts;
}

}  // namespace vramfit
