#include "vramfit/model/arch.hpp"

#include "model/builders.hpp"

#include "vramfit/support/error.hpp"

#include <algorithm>
#include <array>

namespace vramfit {
namespace {

// One table entry: the name, then whatever differs from a plain attention
// architecture whose tensors come from the file.
template <typename Fill> constexpr ArchTraits entry(std::string_view name, Fill fill) {
  ArchTraits t;
  t.name = name;
  fill(t);
  return t;
}

// A plain attention architecture with no builder: its KV cache follows from the
// metadata (per-layer heads, windows), its tensors come from the file.
constexpr ArchTraits plain(std::string_view name) {
  return entry(name, [](ArchTraits&) {});
}

// llama.cpp's architectures (src/llama-arch.cpp names). Defaults follow
// llama_model::load_hparams: set_swa_pattern periods, the Gated DeltaNet
// interval, which hybrids mark recurrent layers by their 0 KV heads.
constexpr std::array k_table{
    entry("llama",
          [](ArchTraits& t) {
            t.inventory = builders::llama_like;
            t.llm_type_70b_at_80_layers = true;
          }),
    entry("qwen2",
          [](ArchTraits& t) {
            t.inventory = builders::llama_like;
            t.llm_type_70b_at_80_layers = true;
          }),
    entry("qwen2moe",
          [](ArchTraits& t) {
            t.inventory = builders::llama_like;
            t.needs.moe = true;
          }),
    entry("qwen3",
          [](ArchTraits& t) {
            t.inventory = builders::llama_like;
            t.implied_qk_norm = true;
          }),
    entry("qwen3moe",
          [](ArchTraits& t) {
            t.inventory = builders::llama_like;
            t.needs.moe = true;
            t.implied_qk_norm = true;
          }),
    entry("qwen3next",
          [](ArchTraits& t) {
            t.inventory = builders::qwen3next;
            t.needs.moe = t.needs.ssm = true;
            t.layout = LayoutRule::hybrid_interval;
            t.hybrid_interval = 4;
            t.recurrent_name = "Gated DeltaNet";
          }),
    entry("qwen35",
          [](ArchTraits& t) {
            t.inventory = builders::qwen35;
            t.needs.ssm = true;
            t.layout = LayoutRule::hybrid_interval;
            t.hybrid_interval = 4;
            t.recurrent_name = "Gated DeltaNet";
          }),
    entry("qwen35moe",
          [](ArchTraits& t) {
            t.inventory = builders::qwen35;
            t.needs.moe = t.needs.ssm = true;
            t.layout = LayoutRule::hybrid_interval;
            t.hybrid_interval = 4;
            t.recurrent_name = "Gated DeltaNet";
          }),
    entry("gemma2",
          [](ArchTraits& t) {
            t.inventory = builders::gemma2;
            t.swa_period = 2;
            t.default_swa = 4096;
          }),
    entry("gemma3",
          [](ArchTraits& t) {
            t.inventory = builders::gemma3;
            t.swa_period = 6;
          }),
    entry("gpt-oss",
          [](ArchTraits& t) {
            t.inventory = builders::gpt_oss;
            t.needs.moe = true;
            t.experts_stay_mxfp4 = true;
            t.swa_period = 2;
          }),
    entry("phi3",
          [](ArchTraits& t) {
            t.inventory = builders::phi3;
            t.ignores_swa = true;
          }),
    entry("deepseek2",
          [](ArchTraits& t) {
            t.inventory = builders::deepseek2;
            t.needs.mla = true;
          }),
    entry("glm4moe",
          [](ArchTraits& t) {
            t.inventory = builders::glm4moe;
            t.needs.moe = true;
          }),
    entry("mamba2",
          [](ArchTraits& t) {
            t.inventory = builders::mamba2;
            t.needs.ssm = true;
            t.layout = LayoutRule::recurrent;
            t.recurrent_name = "Mamba2";
            t.ffn_required = false;
          }),
    entry("mamba",
          [](ArchTraits& t) {
            t.layout = LayoutRule::recurrent;
            t.recurrent_name = "Mamba";
            t.ffn_required = false;
          }),
    entry("granitehybrid",
          [](ArchTraits& t) {
            t.inventory = builders::granite_hybrid;
            t.needs.ssm = true;
            t.layout = LayoutRule::kv_heads;
            t.recurrent_name = "Mamba2";
          }),
    entry("jamba",
          [](ArchTraits& t) {
            t.layout = LayoutRule::kv_heads;
            t.recurrent_name = "Mamba";
          }),
    entry("falcon-h1",
          [](ArchTraits& t) {
            t.layout = LayoutRule::kv_heads;
            t.recurrent_name = "Mamba2";
          }),
    entry("nemotron_h",
          [](ArchTraits& t) {
            t.layout = LayoutRule::kv_heads;
            t.recurrent_name = "Mamba2";
          }),
    entry("cohere2",
          [](ArchTraits& t) {
            t.inventory = builders::command_r;
            t.swa_period = 4;
          }),
    entry("falcon", [](ArchTraits& t) { t.falcon_quant_rules = true; }),
    entry("lfm2",
          [](ArchTraits& t) {
            t.inventory = builders::lfm2;
            t.needs.ssm = true;
            t.layout = LayoutRule::kv_heads;
            t.recurrent_name = "short convolution";
            t.shortconv = true;
          }),
    entry("lfm2moe",
          [](ArchTraits& t) {
            t.inventory = builders::lfm2;
            t.needs.moe = t.needs.ssm = true;
            t.layout = LayoutRule::kv_heads;
            t.recurrent_name = "short convolution";
            t.shortconv = true;
          }),
    entry("llama4",
          [](ArchTraits& t) {
            t.inventory = builders::llama4;
            t.needs.moe = true;
            t.moe_interleave = true;
            t.swa_period = 4;  // chunked attention (8192-token chunks) on 3 of every 4 layers
            t.default_swa = 8192;
          }),
    entry("mistral3", [](ArchTraits& t) { t.inventory = builders::llama_like; }),
    entry("smollm3", [](ArchTraits& t) { t.inventory = builders::llama_like; }),
    entry("seed_oss", [](ArchTraits& t) { t.inventory = builders::seed_oss; }),
    entry("olmo2",
          [](ArchTraits& t) {
            t.inventory = builders::olmo2;
            t.swa_period = 4;  // OLMo 3: 3 sliding layers, then a full one, when a window is set
          }),
    entry("exaone4",
          [](ArchTraits& t) {
            t.inventory = builders::exaone4;
            t.swa_only_at_layers = 64;  // llama.cpp: the 32B slides, other sizes attend fully
          }),
    entry("minimax-m2",
          [](ArchTraits& t) {
            t.inventory = builders::minimax_m2;
            t.needs.moe = true;
          }),
    entry("ernie4_5", [](ArchTraits& t) { t.inventory = builders::ernie4_5; }),
    entry("ernie4_5-moe",
          [](ArchTraits& t) {
            t.inventory = builders::ernie4_5;
            t.needs.moe = true;
          }),
    entry("hunyuan-moe",
          [](ArchTraits& t) {
            t.inventory = builders::hunyuan_moe;
            t.needs.moe = true;
            t.implied_qk_norm = true;
          }),
    entry("command-r", [](ArchTraits& t) { t.inventory = builders::command_r; }),
    entry("qwen3vl",
          [](ArchTraits& t) {
            t.inventory = builders::llama_like;
            t.implied_qk_norm = true;
          }),
    entry("qwen3vlmoe",
          [](ArchTraits& t) {
            t.inventory = builders::llama_like;
            t.needs.moe = true;
            t.implied_qk_norm = true;
          }),
    plain("gemma"),
    plain("glm4"),
    plain("granite"),
    plain("granitemoe"),
    plain("starcoder2"),
    plain("exaone"),
    plain("internlm2"),
    plain("stablelm"),
    plain("gptneox"),
    plain("bloom"),
    plain("mpt"),
    plain("baichuan"),
    plain("orion"),
    plain("minicpm"),
    plain("phi2"),
    plain("gpt2"),
    plain("deci"),
    plain("dbrx"),
    plain("olmoe"),
    plain("arcee"),
    plain("hunyuan-dense"),
};

}  // namespace

std::span<const ArchTraits> architectures() noexcept {
  return k_table;
}

const ArchTraits* find_arch(std::string_view name) noexcept {
  const auto it = std::find_if(k_table.begin(), k_table.end(), [&](const ArchTraits& t) { return t.name == name; });
  return it == k_table.end() ? nullptr : &*it;
}

std::optional<LayerKind> layer_kind_from_name(std::string_view s) noexcept {
  if (s == "full" || s == "full_attention" || s == "attention") {
    return LayerKind::attention;
  }
  if (s == "sliding" || s == "sliding_attention") {
    return LayerKind::sliding_attention;
  }
  if (s == "recurrent" || s == "linear_attention" || s == "mamba") {
    return LayerKind::recurrent;
  }
  return std::nullopt;
}

std::string_view name(LayerKind kind) noexcept {
  switch (kind) {
    case LayerKind::attention:
      return "full";
    case LayerKind::sliding_attention:
      return "sliding";
    case LayerKind::recurrent:
      return "recurrent";
  }
  return "full";
}

void resolve_layers(ModelSpec& s, const LayoutHints& h, std::string_view origin, std::vector<std::string>& notes) {
  const ArchTraits* t = find_arch(s.arch);
  const std::uint32_t n = s.n_layer;
  const auto check_length = [&](std::size_t size, std::string_view what) {
    if (size != n) {
      throw InputError(std::string(origin) + ": " + std::string(what) + ": has " + std::to_string(size) +
                       " entries for " + std::to_string(n) + " blocks");
    }
  };
  if (!h.types.empty()) {
    check_length(h.types.size(), "layer types");
    s.layers = h.types;
    return;
  }
  if (t == nullptr) {
    notes.push_back("architecture '" + s.arch.substr(0, 64) +
                    "' is not one vramfit knows: every layer is assumed to hold a full KV cache");
  }
  // Recurrent layers: listed, every Nth attending, marked by 0 KV heads, or all.
  s.layers.assign(n, LayerKind::attention);
  const LayoutRule rule = t != nullptr ? t->layout : LayoutRule::attention;
  if (rule == LayoutRule::recurrent) {
    s.layers.assign(n, LayerKind::recurrent);
  } else if (!h.recurrent.empty()) {
    check_length(h.recurrent.size(), "recurrent layers");
    for (std::uint32_t il = 0; il < n; ++il) {
      s.layers[il] = h.recurrent[il] ? LayerKind::recurrent : LayerKind::attention;
    }
  } else if (rule == LayoutRule::hybrid_interval || h.full_attention_interval) {
    s.layers = hybrid_layers(n, h.full_attention_interval.value_or(t != nullptr ? t->hybrid_interval : 0));
  } else if (rule == LayoutRule::kv_heads) {
    for (std::uint32_t il = 0; il < n; ++il) {
      if (s.head_count_kv(il) == 0) {
        s.layers[il] = LayerKind::recurrent;
      }
    }
  }
  // Sliding windows among the attending layers.
  const std::uint64_t window = s.n_swa > 0 ? s.n_swa : t != nullptr ? t->default_swa : 0;
  const bool slides = window > 0 && rule != LayoutRule::recurrent && (t == nullptr || !t->ignores_swa) &&
                      (t == nullptr || t->swa_only_at_layers == 0 || t->swa_only_at_layers == n);
  s.n_swa = 0;
  if (!slides) {
    return;
  }
  const auto slide = [&](std::uint32_t il) {
    if (s.layers[il] == LayerKind::attention) {
      s.layers[il] = LayerKind::sliding_attention;
    }
  };
  if (!h.sliding.empty()) {
    check_length(h.sliding.size(), "sliding-window pattern");
    for (std::uint32_t il = 0; il < n; ++il) {
      if (h.sliding[il]) {
        slide(il);
      }
    }
  } else {
    const std::uint32_t period = h.swa_period.value_or(t != nullptr ? t->swa_period : 0);
    if (period == 1) {
      return;  // llama.cpp: a pattern of 1 slides no layer
    }
    if (period > 1) {
      const auto pattern = sliding_layers(n, period);
      for (std::uint32_t il = 0; il < n; ++il) {
        if (pattern[il] == LayerKind::sliding_attention) {
          slide(il);
        }
      }
    } else {
      notes.push_back("attention.sliding_window " + std::to_string(window) +
                      " without a layer pattern: every layer is treated as sliding-window");
      for (std::uint32_t il = 0; il < n; ++il) {
        slide(il);
      }
    }
  }
  if (s.count(LayerKind::sliding_attention) > 0) {
    s.n_swa = window;
  }
}

}  // namespace vramfit
