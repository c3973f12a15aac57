#include "vramfit/input/llama_log.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

namespace vramfit {
namespace {

using sv = std::string_view;

sv trim(sv s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) {
    s.remove_prefix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) {
    s.remove_suffix(1);
  }
  return s;
}

// The text after the first occurrence of `marker`, if any.
std::optional<sv> after(sv line, sv marker) {
  const auto pos = line.find(marker);
  if (pos == sv::npos) {
    return std::nullopt;
  }
  return line.substr(pos + marker.size());
}

std::optional<std::uint64_t> leading_uint(sv s) {
  s = trim(s);
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end == s.data()) {
    return std::nullopt;
  }
  return v;
}

std::optional<double> leading_double(sv s) {
  s = trim(s);
  std::size_t n = 0;
  while (n < s.size() && (std::isdigit(static_cast<unsigned char>(s[n])) != 0 || s[n] == '.' || s[n] == '-')) {
    ++n;
  }
  if (n == 0 || n > 32) {
    return std::nullopt;
  }
  const std::string text(s.substr(0, n));
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || !std::isfinite(v) || v < 0 || v > 1e12) {
    return std::nullopt;
  }
  return v;
}

Bytes mib_to_bytes(double mib) {
  return static_cast<Bytes>(std::llround(mib * 1048576.0));
}

// The whitespace-separated word that ends just before `pos`.
sv word_before(sv line, std::size_t pos) {
  std::size_t end = pos;
  while (end > 0 && line[end - 1] == ' ') {
    --end;
  }
  std::size_t start = end;
  while (start > 0 && line[start - 1] != ' ' && line[start - 1] != ':' && line[start - 1] != '\t') {
    --start;
  }
  return line.substr(start, end - start);
}

// "K (q8_0): 2176.00 MiB" -> "q8_0"
std::string type_in_parens(sv line, sv marker) {
  const auto rest = after(line, marker);
  if (!rest) {
    return {};
  }
  const auto close = rest->find(')');
  return close == sv::npos ? std::string{} : std::string(rest->substr(0, std::min<std::size_t>(close, 16)));
}

std::optional<bool> parse_bool_word(sv v) {
  v = trim(v);
  if (v == "true" || v == "1" || v == "enabled") {
    return true;
  }
  if (v == "false" || v == "0" || v == "disabled") {
    return false;
  }
  return std::nullopt;
}

// The device of that name, appended (fields empty) when the log names it first.
LogDevice& device_named(LlamaLog& log, const std::string& name) {
  const auto it =
      std::find_if(log.devices.begin(), log.devices.end(), [&](const LogDevice& d) { return d.name == name; });
  if (it != log.devices.end()) {
    return *it;
  }
  log.devices.push_back(LogDevice{name, {}, {}, {}, false});
  return log.devices.back();
}

}  // namespace

std::optional<std::uint64_t> LlamaLog::info_uint(std::string_view key) const {
  const auto it = info.find(std::string(key));
  return it == info.end() ? std::nullopt : leading_uint(it->second);
}

std::map<std::string, Bytes> LlamaLog::buffers_of(std::string_view kind) const {
  std::map<std::string, Bytes> out;
  for (const auto& b : buffers) {
    if (b.kind == kind && !b.draft) {
      out[b.device] += b.bytes;
    }
  }
  return out;
}

LlamaLog parse_llama_log(std::string_view text) {
  LlamaLog log;
  bool draft = false;
  bool next_cache_swa = false;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == sv::npos) {
      end = text.size();
    }
    sv line = text.substr(start, std::min<std::size_t>(end - start, 65536));
    start = end + 1;
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    ++log.lines;
    bool hit = true;

    if (line.find("draft context") != sv::npos || line.find("draft model") != sv::npos) {
      draft = true;
      log.has_draft_context = true;
    } else if (const auto bn = after(line, "build: "); bn && !log.build) {
      if (const auto n = leading_uint(*bn); n && bn->find('(') != sv::npos) {
        log.build = n;
      }
    } else if (const auto d = after(line, "using device ")) {
      LogDevice dev;
      const auto space = d->find(' ');
      dev.name = std::string(d->substr(0, space));
      if (const auto open = d->find('('); open != sv::npos) {
        // "Vulkan0 (Apple M2 Pro (G14S B1)) - 7789 MiB free": the description may nest
        // parentheses; a PCI address may follow in its own: "(NVIDIA ...) (0000:0b:00.0)".
        auto close = sv::npos;
        int depth = 0;
        for (auto i = open; i < d->size(); ++i) {
          depth += (*d)[i] == '(' ? 1 : (*d)[i] == ')' ? -1 : 0;
          if (depth == 0) {
            close = i;
            break;
          }
        }
        dev.description = std::string(d->substr(open + 1, close == sv::npos ? 0 : close - open - 1));
      }
      const auto free_pos = d->rfind(" MiB free");
      if (free_pos != sv::npos) {
        const auto dash = d->rfind("- ", free_pos);
        if (dash != sv::npos) {
          dev.free_mib = leading_uint(d->substr(dash + 2));
        }
      }
      auto& known = device_named(log, dev.name);
      known.free_mib = dev.free_mib ? dev.free_mib : known.free_mib;
      known.description = dev.description.empty() ? known.description : dev.description;
    } else if (const auto vr = after(line, ", VRAM: ")) {
      // "Device 0: NVIDIA GeForce RTX 5090, ..., VRAM: 32606 MiB"
      const auto dev_pos = line.find("Device ");
      if (dev_pos != sv::npos) {
        if (const auto index = leading_uint(line.substr(dev_pos + 7))) {
          const std::string name = "CUDA" + std::to_string(*index);
          device_named(log, name).total_mib = leading_uint(*vr);
        }
      }
    } else if (const auto ws = after(line, "recommendedMaxWorkingSetSize")) {
      const auto eq = ws->find('=');
      const auto mb = eq == sv::npos ? std::nullopt : leading_double(ws->substr(eq + 1));
      if (mb) {
        log.metal_working_set_mb = mb;
      } else {
        hit = false;
      }
    } else if (line.find("uma: 1") != sv::npos || line.find("has unified memory    = true") != sv::npos ||
               line.find("has unified memory = true") != sv::npos) {
      log.info["unified_memory"] = "true";
    } else if (const auto t = after(line, "llama_model_loader: - type ")) {
      const auto colon = t->find(':');
      if (colon != sv::npos) {
        if (const auto n = leading_uint(t->substr(colon + 1))) {
          log.tensor_types[std::string(trim(t->substr(0, colon)))] += *n;
        }
      }
    } else if (const auto p =
                   after(line, "print_info: ") ? after(line, "print_info: ") : after(line, "llm_load_print_meta: ")) {
      const auto eq = p->find('=');
      if (eq != sv::npos) {
        const std::string key(trim(p->substr(0, eq)));
        const std::string value(trim(p->substr(eq + 1)));
        if (key == "file type" || key == "ftype") {
          log.file_type = value;
        } else if (key.size() < 64) {
          log.info[key] = value.substr(0, 256);
        }
      }
    } else if (const auto o = after(line, "offloaded ")) {
      const auto slash = o->find('/');
      if (slash != sv::npos && o->find("layers to GPU") != sv::npos) {
        log.offloaded_layers = leading_uint(o->substr(0, slash));
        log.offload_total = leading_uint(o->substr(slash + 1));
      } else {
        hit = false;
      }
    } else if (const auto ld = after(line, "assigned to device ")) {
      const auto l = after(line, "layer ");
      if (l) {
        if (const auto index = leading_uint(*l); index && *index < 100000) {
          const auto comma = ld->find(',');
          log.layer_devices[static_cast<std::uint32_t>(*index)] = std::string(trim(ld->substr(0, comma)));
        }
      }
    } else if (line.find("buffer type overridden") != sv::npos) {
      ++log.overridden_tensors;
    } else if (const auto cs = after(line, " cells,")) {
      // "size = 4352.00 MiB (131072 cells,  16 layers,  4/1 seqs), K (q8_0): ..., V (q8_0): ..."
      const auto open = line.find('(');
      const auto size = after(line, "size =");
      LogCacheLine c;
      c.cells = leading_uint(line.substr(open == sv::npos ? 0 : open + 1)).value_or(0);
      c.layers = leading_uint(*cs).value_or(0);
      c.bytes = size ? mib_to_bytes(leading_double(*size).value_or(0)) : 0;
      c.draft = draft;
      if (line.find("R (") != sv::npos && line.find("S (") != sv::npos) {
        log.rs_lines.push_back(c);
      } else {
        c.type_k = type_in_parens(line, "K (");
        c.type_v = type_in_parens(line, "V (");
        c.swa = next_cache_swa;
        next_cache_swa = false;
        if (!draft) {
          log.type_k = c.type_k.empty() ? log.type_k : c.type_k;
          log.type_v = c.type_v.empty() ? log.type_v : c.type_v;
        }
        log.kv_lines.push_back(c);
      }
    } else if (const auto swa = after(line, "creating     SWA KV cache, size = ")) {
      log.swa_cells = leading_uint(*swa);
      next_cache_swa = true;
    } else if (const auto base = after(line, "creating non-SWA KV cache, size = ")) {
      log.base_cells = leading_uint(*base);
    } else if (const auto kvs = after(line, "KV self size")) {
      // Old format: "KV self size  = 512.00 MiB, K (f16): 256.00 MiB, V (f16): 256.00 MiB"
      LogCacheLine c;
      if (const auto eq = kvs->find('='); eq != sv::npos) {
        c.bytes = mib_to_bytes(leading_double(kvs->substr(eq + 1)).value_or(0));
      }
      c.type_k = type_in_parens(line, "K (");
      c.type_v = type_in_parens(line, "V (");
      c.draft = draft;
      log.kv_lines.push_back(c);
      if (!draft) {
        log.type_k = c.type_k;
        log.type_v = c.type_v;
      }
    } else if (const auto tk = after(line, "type_k = '")) {
      log.type_k = std::string(tk->substr(0, tk->find('\'')));
      if (const auto tv = after(line, "type_v = '")) {
        log.type_v = std::string(tv->substr(0, tv->find('\'')));
      }
    } else if (line.find("buffer size =") != sv::npos && line.find("size is") == sv::npos) {
      const auto pos = line.find("buffer size =");
      const auto value = leading_double(line.substr(pos + 13));
      LogBuffer b;
      b.draft = draft;
      b.bytes = mib_to_bytes(value.value_or(0));
      sv head = line.substr(0, pos);
      // "<DEV> model buffer size", "<DEV> KV buffer size", or the old "<DEV> buffer size".
      const sv kinds[] = {"model", "KV", "RS", "compute", "output"};
      b.kind = "model";
      for (const auto k : kinds) {
        const auto at = head.rfind(std::string(" ") + std::string(k) + " ");
        if (at != sv::npos && at + k.size() + 2 >= head.size()) {
          b.kind = std::string(k);
          head = head.substr(0, at + 1);
          break;
        }
      }
      b.device = std::string(word_before(head, head.size()));
      if (!b.device.empty() && value) {
        log.buffers.push_back(b);
      } else {
        hit = false;
      }
    } else if (const auto fa = after(line, "Flash Attention was auto, set to ")) {
      log.flash_attn_resolved = parse_bool_word(*fa);
    } else if (const auto par = after(line, "n_parallel = ")) {
      log.n_seq_max = leading_uint(*par);
      if (const auto u = after(line, "kv_unified = ")) {
        log.kv_unified = parse_bool_word(u->substr(0, u->find(' ')));
      }
    } else if (line.find("using full-size SWA cache") != sv::npos) {
      log.swa_full = true;
    } else if (const auto ncm = after(line, "--n-cpu-moe ")) {
      log.n_cpu_moe = leading_uint(*ncm);
    } else {
      // Context settings: "llama_context: n_ctx = 4096" and older prefixes.
      const auto colon = line.find(": n_");
      const auto fa_pos = line.find(": flash_attn");
      const auto kvu_pos = line.find(": kv_unified");
      if (colon != sv::npos && line.find("print_info") == sv::npos) {
        const auto rest = line.substr(colon + 2);
        const auto eq = rest.find('=');
        if (eq == sv::npos) {
          hit = false;
        } else {
          const auto key = trim(rest.substr(0, eq));
          const auto v = leading_uint(rest.substr(eq + 1));
          if (key == "n_ctx") {
            log.n_ctx = v;
          } else if (key == "n_ctx_seq" || key == "n_ctx_per_seq") {
            log.n_ctx_seq = v;
          } else if (key == "n_batch") {
            log.n_batch = v;
          } else if (key == "n_ubatch") {
            log.n_ubatch = v;
          } else if (key == "n_seq_max") {
            log.n_seq_max = v;
          } else {
            hit = false;
          }
        }
      } else if (fa_pos != sv::npos) {
        const auto eq = line.find('=', fa_pos);
        if (eq != sv::npos) {
          log.flash_attn = std::string(trim(line.substr(eq + 1)));
        }
      } else if (kvu_pos != sv::npos) {
        const auto eq = line.find('=', kvu_pos);
        if (eq != sv::npos) {
          log.kv_unified = parse_bool_word(line.substr(eq + 1));
        }
      } else {
        hit = false;
      }
    }
    log.recognised += hit ? 1 : 0;
  }
  if (log.info.count("unified_memory") != 0) {
    for (auto& dev : log.devices) {
      dev.unified_memory = true;
    }
  }
  return log;
}

}  // namespace vramfit
