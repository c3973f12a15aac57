#include "vramfit/input/llama_log.hpp"

#include <nlohmann/json.hpp>

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
// The MiB after "K (f16):" / "V (f16):", in bytes.
std::optional<Bytes> mib_after_type(sv line, sv marker) {
  const auto rest = after(line, marker);
  if (!rest) {
    return std::nullopt;
  }
  const auto colon = rest->find("):");
  if (colon == sv::npos || colon > 16) {
    return std::nullopt;
  }
  const auto v = leading_double(trim(rest->substr(colon + 2)));
  return v ? std::optional<Bytes>(mib_to_bytes(*v)) : std::nullopt;
}

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
// Signed integers in `s`, in order ("20181 = 319 + (17714 = ...) + -12").
std::vector<std::int64_t> integers(sv s) {
  std::vector<std::int64_t> out;
  for (std::size_t i = 0; i < s.size() && out.size() < 16;) {
    const bool minus = s[i] == '-' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])) != 0;
    if (std::isdigit(static_cast<unsigned char>(s[i])) == 0 && !minus) {
      ++i;
      continue;
    }
    std::int64_t v = 0;
    const auto* first = s.data() + i + (minus ? 1 : 0);
    const auto [end, ec] = std::from_chars(first, s.data() + s.size(), v);
    if (ec != std::errc{}) {
      return {};  // too large to be MiB
    }
    // A decimal point makes it not a breakdown row (whole MiB only).
    if (end < s.data() + s.size() && *end == '.') {
      return {};
    }
    out.push_back(minus ? -v : v);
    i = static_cast<std::size_t>(end - s.data());
  }
  return out;
}

// One row of a breakdown table: "|   - CUDA0 (RTX 3080)   | 20181 =  319 + (17714 =
// 16250 + 864 + 600) + 2146 |", "|   - Host   |   821 =   741 +  0 +  80   |", or
// a row without total and free ("  - MTL0 (Apple M5) | 5551 = 4403 + 1024 + 124").
std::optional<LogBreakdownRow> breakdown_row(sv line) {
  const auto dash = line.find("- ");
  if (dash == sv::npos) {
    return std::nullopt;
  }
  const auto before = trim(line.substr(0, dash));
  if (!before.empty() && before.back() != '|' && before.back() != ':') {
    return std::nullopt;
  }
  sv rest = line.substr(dash + 2);
  const auto bar = rest.find('|');
  if (bar == sv::npos) {
    return std::nullopt;
  }
  sv label = trim(rest.substr(0, bar));
  LogBreakdownRow row;
  const auto open = label.find(" (");
  row.name = std::string(trim(label.substr(0, open)));
  if (open != sv::npos && label.back() == ')') {
    row.description = std::string(label.substr(open + 2, label.size() - open - 3));
  }
  if (row.name.empty() || row.name.find(' ') != std::string::npos) {
    return std::nullopt;
  }
  const auto v = integers(rest.substr(bar + 1));
  const auto mib = [](std::int64_t x) {
    return static_cast<std::uint64_t>(std::max<std::int64_t>(x, 0));
  };
  if (v.size() == 7) {
    row.total_mib = mib(v[0]);
    row.free_mib = mib(v[1]);
    row.unaccounted_mib = v[6];
    row.self_mib = mib(v[2]);
    row.model_mib = mib(v[3]);
    row.context_mib = mib(v[4]);
    row.compute_mib = mib(v[5]);
  } else if (v.size() == 4) {
    row.self_mib = mib(v[0]);
    row.model_mib = mib(v[1]);
    row.context_mib = mib(v[2]);
    row.compute_mib = mib(v[3]);
  } else {
    return std::nullopt;
  }
  return row;
}

// Whitespace-separated words of a shell command line, quotes and line
// continuations removed.
std::vector<std::string> shell_words(sv line) {
  std::vector<std::string> out;
  std::string cur;
  char quote = 0;
  for (const char c : line) {
    if (quote != 0) {
      if (c == quote) {
        quote = 0;
      } else {
        cur += c;
      }
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == ' ' || c == '\t' || c == '\\') {
      if (!cur.empty()) {
        out.push_back(std::move(cur));
        cur.clear();
      }
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) {
    out.push_back(std::move(cur));
  }
  return out;
}

bool ends_with(sv s, sv suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// llama.cpp options on a pasted command line: a line that runs llama-server,
// llama-cli, llama-completion or llama-bench, or one that starts with an
// option (a continuation line). Values are taken only when they parse.
bool command_line(sv line, LogCommandLine& cmd) {
  const auto words = shell_words(line);
  if (words.empty()) {
    return false;
  }
  const auto is_tool = [](const std::string& w) {
    for (const sv tool : {"llama-server", "llama-cli", "llama-completion", "llama-bench", "llama-mtmd-cli"}) {
      if (ends_with(w, tool)) {
        return true;
      }
    }
    return false;
  };
  const bool tool = std::any_of(words.begin(), words.end(), is_tool);
  if (!tool && (words.front().size() < 2 || words.front()[0] != '-' || words.front()[1] == '-' ||
                std::isdigit(static_cast<unsigned char>(words.front()[1])) != 0)) {
    // Continuation lines start with a short option ("-c 65536 -ngl 95"); long
    // options alone ("--fit on") are too rare in prose to tell apart.
    if (!(words.front().starts_with("--") && words.front().size() > 2 && !tool && words.size() >= 2)) {
      return false;
    }
  }
  bool any = false;
  const auto number = [](const std::string& v) -> std::optional<std::uint64_t> {
    if (v.empty() || v.size() > 12 || !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return std::nullopt;
    }
    return std::stoull(v);
  };
  const auto is_cache_type = [](const std::string& v) {
    for (const sv t : {"f32", "f16", "bf16", "q8_0", "q4_0", "q4_1", "iq4_nl", "q5_0", "q5_1"}) {
      if (v == t) {
        return true;
      }
    }
    return false;
  };
  for (std::size_t i = 0; i < words.size(); ++i) {
    const auto& w = words[i];
    const std::string next = i + 1 < words.size() ? words[i + 1] : std::string();
    const auto take_number = [&](std::optional<std::uint64_t>& out) {
      if (const auto n = number(next)) {
        out = n;
        any = true;
        ++i;
      }
    };
    if (w == "-c" || w == "--ctx-size") {
      take_number(cmd.ctx_size);
    } else if (w == "-np" || w == "--parallel") {
      take_number(cmd.parallel);
    } else if (w == "-b" || w == "--batch-size") {
      take_number(cmd.batch);
    } else if (w == "-ub" || w == "--ubatch-size") {
      take_number(cmd.ubatch);
    } else if (w == "-ngl" || w == "--n-gpu-layers" || w == "--gpu-layers") {
      take_number(cmd.n_gpu_layers);
    } else if ((w == "-ctk" || w == "--cache-type-k") && is_cache_type(next)) {
      cmd.cache_type_k = next;
      any = true;
      ++i;
    } else if ((w == "-ctv" || w == "--cache-type-v") && is_cache_type(next)) {
      cmd.cache_type_v = next;
      any = true;
      ++i;
    } else if (w == "-fa" || w == "--flash-attn") {
      if (next == "on" || next == "off" || next == "auto" || next == "1" || next == "0") {
        cmd.flash_attn = next == "1" ? "on" : next == "0" ? "off" : next;
        ++i;
      } else {
        cmd.flash_attn = "on";  // the bare flag of older builds
      }
      any = true;
    } else if ((w == "-sm" || w == "--split-mode") && (next == "layer" || next == "row" || next == "none")) {
      cmd.split_mode = next;
      any = true;
      ++i;
    } else if ((w == "-ts" || w == "--tensor-split") && !next.empty()) {
      std::vector<double> split;
      std::size_t pos = 0;
      bool ok = true;
      while (ok && pos <= next.size()) {
        const auto comma = std::min(next.find_first_of(",/", pos), next.size());
        const auto v = leading_double(sv(next).substr(pos, comma - pos));
        ok = v.has_value() && comma - pos < 16;
        if (ok) {
          split.push_back(*v);
        }
        pos = comma + 1;
      }
      if (ok && !split.empty() && split.size() <= 64) {
        cmd.tensor_split = std::move(split);
        any = true;
        ++i;
      }
    } else if (w == "--no-mmap") {
      cmd.no_mmap = any = true;
    } else if (w == "-kvu" || w == "--kv-unified") {
      cmd.kv_unified = any = true;
    } else if (w == "--swa-full") {
      cmd.swa_full = any = true;
    } else if (w == "-nkvo" || w == "--no-kv-offload") {
      cmd.no_kv_offload = any = true;
    } else if (w == "-ot" || w == "--override-tensor") {
      ++cmd.tensor_overrides;
      any = true;
      ++i;
    }
  }
  cmd.any = cmd.any || any;
  return any;
}

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

namespace {

// Reads a log line by line; state carries across lines (draft context,
// the SWA cache announcement, an open breakdown table).
struct Parser {
  LlamaLog log;
  bool draft = false;
  bool next_cache_swa = false;
  bool in_breakdown = false;

  void line(sv line);
  bool breakdown_line(sv line);
  void jsonl(sv line);
};

// A line without terminal colour sequences (llama.cpp colours its log on a
// terminal; pastes keep them): ESC '[' parameters, then a final letter.
std::string without_colours(sv line) {
  std::string out;
  out.reserve(line.size());
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\x1b' && i + 1 < line.size() && line[i + 1] == '[') {
      std::size_t j = i + 2;
      while (j < line.size() && (std::isdigit(static_cast<unsigned char>(line[j])) != 0 || line[j] == ';')) {
        ++j;
      }
      i = j;  // the final byte is dropped with the sequence
      continue;
    }
    out += line[i];
  }
  return out;
}

void Parser::line(sv raw) {
  std::string plain;
  if (raw.find('\x1b') != sv::npos) {
    plain = without_colours(raw);
    raw = plain;
  }
  const sv line = raw;
  ++log.lines;
  if (breakdown_line(line)) {
    ++log.recognised;
    return;
  }
  if (command_line(line, log.command)) {
    ++log.recognised;
    return;
  }
  if (!log.abort_message && (line.find("GGML_ASSERT(") != sv::npos || line.find("GGML_ABORT") != sv::npos ||
                             line.find("terminate called after") != sv::npos)) {
    log.abort_message = std::string(trim(line).substr(0, 240));
    ++log.recognised;
    return;
  }
  bool hit = true;

  if (line.find("draft context") != sv::npos || line.find("draft model") != sv::npos) {
    draft = true;
    log.has_draft_context = true;
  } else if (const auto bn = after(line, "build: "); bn && !log.build) {
    if (const auto n = leading_uint(*bn); n && bn->find('(') != sv::npos) {
      log.build = n;
      if (const auto target = bn->rfind(" for "); target != sv::npos) {
        log.build_target = std::string(trim(bn->substr(target + 5)).substr(0, 64));
      }
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
    // "4/1 seqs": n_seq_max / streams; cells are per stream.
    if (const auto seqs = line.find(" seqs)"); seqs != sv::npos) {
      const auto slash = line.rfind('/', seqs);
      const auto comma = line.rfind(',', seqs);
      if (slash != sv::npos && comma != sv::npos && comma < slash) {
        c.seqs = leading_uint(trim(line.substr(comma + 1, slash - comma - 1))).value_or(0);
        c.streams = leading_uint(line.substr(slash + 1)).value_or(0);
      }
    }
    c.bytes = size ? mib_to_bytes(leading_double(*size).value_or(0)) : 0;
    c.draft = draft;
    if (line.find("R (") != sv::npos && line.find("S (") != sv::npos) {
      log.rs_lines.push_back(c);
    } else {
      c.type_k = type_in_parens(line, "K (");
      c.type_v = type_in_parens(line, "V (");
      c.k_bytes = mib_after_type(line, "K (");
      c.v_bytes = mib_after_type(line, "V (");
      c.swa = next_cache_swa;
      next_cache_swa = false;
      if (!draft && !log.type_k) {
        // The first cache line is the main context's (a paste of several runs: the first run's).
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
    c.k_bytes = mib_after_type(line, "K (");
    c.v_bytes = mib_after_type(line, "V (");
    c.draft = draft;
    log.kv_lines.push_back(c);
    if (!draft && !log.type_k) {
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

// The breakdown table: a header line opens it, rows follow; a new header
// replaces an earlier table (the last one printed wins).
bool Parser::breakdown_line(sv line) {
  if (line.find("memory breakdown [MiB]") != sv::npos) {
    log.breakdown.clear();
    in_breakdown = true;
    return true;
  }
  if (!in_breakdown) {
    return false;
  }
  if (auto row = breakdown_row(line)) {
    log.breakdown.push_back(std::move(*row));
    return true;
  }
  in_breakdown = false;
  return false;
}

// A --log-jsonl line: {"type":"log","msg":"..."} is read as the message's
// lines; {"type":"fit_memory_breakdown","data":{"rows":[...]}} as the table.
void Parser::jsonl(sv text) {
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    line(text);
    return;
  }
  const auto type = j.value("type", std::string());
  if (type == "log" && j.contains("msg") && j.at("msg").is_string()) {
    const auto& msg = j.at("msg").get_ref<const std::string&>();
    std::size_t start = 0;
    while (start < msg.size()) {
      auto end = msg.find('\n', start);
      if (end == std::string::npos) {
        end = msg.size();
      }
      line(sv(msg).substr(start, std::min<std::size_t>(end - start, 65536)));
      start = end + 1;
    }
    return;
  }
  ++log.lines;
  if (type != "fit_memory_breakdown" || !j.contains("data") || !j.at("data").is_object()) {
    return;
  }
  const auto& rows = j.at("data").value("rows", nlohmann::json::array());
  if (!rows.is_array()) {
    return;
  }
  const auto mib = [](const nlohmann::json& r, const char* key) -> std::optional<std::int64_t> {
    if (!r.contains(key) || !r.at(key).is_number_integer()) {
      return std::nullopt;
    }
    return r.at(key).get<std::int64_t>();
  };
  const auto positive = [](std::optional<std::int64_t> v) {
    return static_cast<std::uint64_t>(std::max<std::int64_t>(v.value_or(0), 0));
  };
  log.breakdown.clear();
  for (const auto& r : rows) {
    if (!r.is_object() || !r.contains("name") || !r.at("name").is_string()) {
      continue;
    }
    LogBreakdownRow row;
    row.name = r.at("name").get<std::string>().substr(0, 128);
    if (r.contains("description") && r.at("description").is_string()) {
      row.description = r.at("description").get<std::string>().substr(0, 128);
    }
    if (const auto t = mib(r, "total")) {
      row.total_mib = positive(t);
    }
    if (const auto f = mib(r, "free")) {
      row.free_mib = positive(f);
    }
    row.unaccounted_mib = mib(r, "unaccounted");
    row.self_mib = positive(mib(r, "self"));
    row.model_mib = positive(mib(r, "model"));
    row.context_mib = positive(mib(r, "context"));
    row.compute_mib = positive(mib(r, "compute"));
    log.breakdown.push_back(std::move(row));
  }
  ++log.recognised;
}

}  // namespace

LlamaLog parse_llama_log(std::string_view text) {
  Parser parser;
  auto& log = parser.log;
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
    if (const auto t = trim(line); !t.empty() && t.front() == '{' && t.back() == '}') {
      parser.jsonl(t);
    } else {
      parser.line(line);
    }
  }
  if (log.info.count("unified_memory") != 0) {
    for (auto& dev : log.devices) {
      dev.unified_memory = true;
    }
  }
  return log;
}

}  // namespace vramfit
