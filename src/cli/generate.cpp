#include "generate.hpp"

#include "vramfit/support/error.hpp"
#include "vramfit/support/version.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace vramfit::cli {
namespace {

// What the documents need of one option.
struct OptionDoc {
  std::vector<std::string> names;  ///< "-g", "--gpu"
  std::string value;               ///< "GPU", "{table,markdown,csv,json}"; empty for flags
  std::string help;
  std::vector<std::string> choices;  ///< the {a,b} of value
  std::string ids;                   ///< catalog list that completes it: "gpus", "models", "quants"; or "file"
  bool positional = false;
};

// One command: "" for the main job, "check", "catalog add".
struct CommandDoc {
  std::string path;
  std::string summary;
  std::string footer;
  std::vector<OptionDoc> options;
  std::vector<std::string> subcommands;  ///< immediate ones
};

OptionDoc option_doc(const CLI::Option& o) {
  OptionDoc d;
  d.positional = o.get_positional();
  for (const auto& s : o.get_snames()) {
    d.names.push_back("-" + s);
  }
  for (const auto& l : o.get_lnames()) {
    d.names.push_back("--" + l);
  }
  if (d.positional) {
    d.names.push_back(o.get_name());
  }
  d.help = o.get_description();
  if (o.get_type_size() != 0 || d.positional) {
    d.value = o.get_type_name();
  }
  if (d.value.size() > 2 && d.value.front() == '{' && d.value.back() == '}') {
    std::string item;
    for (const char c : d.value.substr(1, d.value.size() - 2)) {
      if (c == ',') {
        d.choices.push_back(item);
        item.clear();
      } else {
        item += c;
      }
    }
    d.choices.push_back(item);
  }
  const auto named = [&](std::string_view n) {
    return std::find(d.names.begin(), d.names.end(), n) != d.names.end();
  };
  if (named("--gpu") || named("--fits")) {
    d.ids = "gpus";
  } else if (named("--model")) {
    d.ids = "models";
  } else if (named("--quant")) {
    d.ids = "quants";
  } else if (d.value == "FILE" || d.value == "LOG" || d.value.find("FILE") != std::string::npos) {
    d.ids = "file";
  }
  return d;
}

void collect(const CLI::App& app, const std::string& path, std::vector<CommandDoc>& out) {
  CommandDoc c;
  c.path = path;
  c.summary = app.get_description();
  c.footer = app.get_footer();
  for (const auto* o : app.get_options()) {
    if (o->get_group().empty()) {
      continue;  // hidden
    }
    c.options.push_back(option_doc(*o));
  }
  const auto subs = app.get_subcommands([](const CLI::App*) { return true; });
  for (const auto* sub : subs) {
    c.subcommands.push_back(sub->get_name());
  }
  out.push_back(std::move(c));
  for (const auto* sub : subs) {
    collect(*sub, path.empty() ? sub->get_name() : path + " " + sub->get_name(), out);
  }
}

std::string joined(const std::vector<std::string>& words, std::string_view sep = " ") {
  std::string out;
  for (const auto& w : words) {
    out += (out.empty() ? "" : std::string(sep)) + w;
  }
  return out;
}

// Catalog ids for a completion: the first CSV column of `vramfit list KIND`.
constexpr std::string_view k_ids_command = "vramfit list {} --format csv 2>/dev/null | tail -n +2 | cut -d, -f1";

// --- man page ----------------------------------------------------------------

std::string roff(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else {
      out += c;
    }
  }
  // A line starting with '.' or '\'' is a request in roff.
  if (!out.empty() && (out.front() == '.' || out.front() == '\'')) {
    out.insert(0, "\\&");
  }
  return out;
}

std::string man_page(const std::vector<CommandDoc>& commands) {
  std::string m;
  m += fmt::format(".TH VRAMFIT 1 \"\" \"vramfit {}\" \"User Commands\"\n", version());
  m += ".SH NAME\nvramfit \\- does this model, at this quantization and context, fit on this GPU?\n";
  m += ".SH SYNOPSIS\n.B vramfit\n[\\fIOPTIONS\\fR] \\fB\\-\\-model\\fR \\fIMODEL\\fR \\fB\\-\\-gpu\\fR \\fIGPU\\fR\n";
  for (const auto& c : commands) {
    if (!c.path.empty() && c.subcommands.empty()) {
      m += fmt::format(".br\n.B vramfit {}\n[\\fIOPTIONS\\fR]\n", roff(c.path));
    }
  }
  m += ".SH DESCRIPTION\n";
  m += "vramfit predicts the memory llama.cpp (and Ollama, llama\\-server, vLLM) needs for a model at a "
       "quantization, context length and cache type: weights per tensor, KV cache per layer, recurrent state, "
       "compute buffers and runtime overhead, placed on the GPUs and the host as the engine places them. "
       "Exact figures are unmarked; estimates carry a \\(ti and a range (docs/ESTIMATES.md).\n";
  m += ".SH COMMANDS\n";
  for (const auto& c : commands) {
    m += fmt::format(".SS \"{}\"\n{}\n", c.path.empty() ? "vramfit (the fit table)" : "vramfit " + c.path,
                     roff(c.summary));
    if (c.options.empty()) {
      continue;
    }
    for (const auto& o : c.options) {
      std::vector<std::string> bold;
      for (const auto& n : o.names) {
        bold.push_back("\\fB" + roff(n) + "\\fR");
      }
      m += ".TP\n" + joined(bold, ", ");
      if (!o.value.empty() && !o.positional) {
        m += " \\fI" + roff(o.value) + "\\fR";
      }
      m += "\n" + roff(o.help) + "\n";
    }
    if (!c.footer.empty()) {
      m += ".PP\n.nf\n";
      std::string line;
      for (const char ch : c.footer) {
        if (ch == '\n') {
          m += roff(line) + "\n";
          line.clear();
        } else {
          line += ch;
        }
      }
      m += line.empty() ? "" : roff(line) + "\n";
      m += ".fi\n";
    }
  }
  m += ".SH EXIT STATUS\n";
  m += ".TP\n\\fB0\\fR\nOK; check: every configuration checked fits; verify: every term within its range.\n";
  m += ".TP\n\\fB1\\fR\nA checked configuration does not fit (check, and the fit table of check's rows); verify: a "
       "term outside its range.\n";
  m += ".TP\n\\fB2\\fR\nUsage, input or catalog error; the message is on standard error as "
       "\\(lqvramfit: error: ...\\(rq.\n";
  m += ".TP\n\\fB3\\fR\nInternal error.\n";
  m += ".SH ENVIRONMENT\n";
  const std::pair<const char*, const char*> env[] = {
      {"VRAMFIT_CATALOG", "Catalog files (separated by ':') merged over the embedded catalog, before --catalog."},
      {"XDG_CONFIG_HOME", "User catalogs are read from $XDG_CONFIG_HOME/vramfit/*.json (default ~/.config)."},
      {"NO_COLOR", "When set, tables are never coloured."},
      {"VRAMFIT_SYSROOT", "--gpu auto reads proc/meminfo under this directory instead of / (recorded machines)."},
      {"OLLAMA_KV_CACHE_TYPE, OLLAMA_FLASH_ATTENTION, OLLAMA_CONTEXT_LENGTH, OLLAMA_NUM_PARALLEL, "
       "OLLAMA_GPU_OVERHEAD",
       "With --engine ollama: Ollama's own settings, read as Ollama reads them."},
  };
  for (const auto& [name, text] : env) {
    m += fmt::format(".TP\n\\fB{}\\fR\n{}\n", roff(name), roff(text));
  }
  m += ".SH FILES\n.TP\n\\fI$XDG_CONFIG_HOME/vramfit/*.json\\fR\nUser catalogs (models, quants, GPUs).\n";
  m += ".SH SEE ALSO\n\\fBllama\\-server\\fR(1), \\fBnvidia\\-smi\\fR(1)\n";
  return m;
}

// --- bash ---------------------------------------------------------------------

std::string bash_completion(const std::vector<CommandDoc>& commands) {
  std::string b = "# bash completion for vramfit (generated by vramfit --generate bash)\n";
  b += "_vramfit_ids() {\n  ";
  b += fmt::format(fmt::runtime(std::string(k_ids_command)), "\"$1\"");
  b += "\n}\n\n_vramfit() {\n  local cur prev words cword\n";
  b += "  cur=${COMP_WORDS[COMP_CWORD]}\n  prev=${COMP_WORDS[COMP_CWORD-1]}\n";
  b += "  # the command path: the words that name subcommands\n  local path=\"\" w\n";
  b += "  for ((w = 1; w < COMP_CWORD; w++)); do\n    case \"$path|${COMP_WORDS[w]}\" in\n";
  for (const auto& c : commands) {
    for (const auto& sub : c.subcommands) {
      b += fmt::format("      \"{}|{}\") path=\"{}\" ;;\n", c.path, sub, c.path.empty() ? sub : c.path + " " + sub);
    }
  }
  b += "    esac\n  done\n";
  // Values of the previous option.
  b += "  case \"$path|$prev\" in\n";
  for (const auto& c : commands) {
    for (const auto& o : c.options) {
      if (o.value.empty() || o.positional) {
        continue;
      }
      std::vector<std::string> patterns;
      for (const auto& n : o.names) {
        patterns.push_back("\"" + c.path + "|" + n + "\"");
      }
      std::string action;
      if (!o.choices.empty()) {
        action = "COMPREPLY=($(compgen -W \"" + joined(o.choices) + "\" -- \"$cur\"))";
      } else if (o.ids == "file") {
        action = "COMPREPLY=($(compgen -f -- \"$cur\"))";
      } else if (!o.ids.empty()) {
        action = "COMPREPLY=($(compgen -W \"$(_vramfit_ids " + o.ids + ")\" -- \"$cur\"))";
      } else {
        action = "COMPREPLY=()";
      }
      b += "    " + joined(patterns, "|") + ") " + action + "; return ;;\n";
    }
  }
  b += "  esac\n";
  // Options and subcommands of the command path.
  b += "  case \"$path\" in\n";
  for (const auto& c : commands) {
    std::vector<std::string> words = c.subcommands;
    for (const auto& o : c.options) {
      const auto& add = o.positional ? o.choices : o.names;
      words.insert(words.end(), add.begin(), add.end());
    }
    const bool files = std::any_of(c.options.begin(), c.options.end(),
                                   [](const OptionDoc& o) { return o.positional && o.ids == "file"; });
    b += fmt::format("    \"{}\")\n      COMPREPLY=($(compgen -W \"{}\" -- \"$cur\"){})\n      ;;\n", c.path,
                     joined(words), files ? " $(compgen -f -- \"$cur\")" : "");
  }
  b += "  esac\n}\ncomplete -F _vramfit vramfit\n";
  return b;
}

// --- zsh ----------------------------------------------------------------------

std::string zsh_quote(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else if (c == '[' || c == ']' || c == ':') {
      out += '\\';
      out += c;
    } else {
      out += c;
    }
  }
  return out;
}

// "catalog add" -> "_catalog_add": a function-name suffix.
std::string zsh_name(std::string_view path) {
  std::string out;
  for (const char ch : path) {
    out += ch == ' ' || ch == '-' ? '_' : ch;
  }
  return path.empty() ? out : "_" + out;
}

std::string zsh_completion(const std::vector<CommandDoc>& commands) {
  std::string z = "#compdef vramfit\n# zsh completion for vramfit (generated by vramfit --generate zsh)\n\n";
  z += "_vramfit_ids() {\n  local -a ids\n  ids=(${(f)\"$(";
  z += fmt::format(fmt::runtime(std::string(k_ids_command)), "$1");
  z += ")\"})\n  _describe -t ids \"$1\" ids\n}\n\n";
  for (const auto& c : commands) {
    std::string fn = "_vramfit_cmd" + zsh_name(c.path);
    z += fn + "() {\n  _arguments -s \\\n";
    for (const auto& o : c.options) {
      if (o.positional) {
        z +=
            o.choices.empty() ? "    '*:file:_files' \\\n" : "    '1:" + o.value + ":(" + joined(o.choices) + ")' \\\n";
        continue;
      }
      std::string action;
      if (!o.choices.empty()) {
        action = ":" + zsh_quote(o.value) + ":(" + joined(o.choices) + ")";
      } else if (o.ids == "file") {
        action = ":file:_files";
      } else if (!o.ids.empty()) {
        action = ":" + o.ids + ":_vramfit_ids " + o.ids;
      } else if (!o.value.empty()) {
        action = ":" + zsh_quote(o.value) + ": ";
      }
      const std::string names =
          o.names.size() > 1 ? "(" + joined(o.names) + ")'{" + joined(o.names, ",") + "}'" : o.names.front();
      z += fmt::format("    '{}[{}]{}' \\\n", names, zsh_quote(o.help), action);
    }
    if (!c.subcommands.empty()) {
      z += "    '1:command:(" + joined(c.subcommands) + ")' \\\n    '*::arg:->sub'\n";
      z += "  case $words[1] in\n";
      for (const auto& sub : c.subcommands) {
        z += fmt::format("    {}) {}{} ;;\n", sub, fn, zsh_name(sub));
      }
      z += "  esac\n}\n\n";
    } else {
      z += "    && return 0\n}\n\n";
    }
  }
  z += "_vramfit_cmd \"$@\"\n";
  return z;
}

// --- fish ---------------------------------------------------------------------

std::string fish_quote(std::string_view text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\'' || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  return out + "'";
}

std::string fish_completion(const std::vector<CommandDoc>& commands) {
  std::string f = "# fish completion for vramfit (generated by vramfit --generate fish)\n";
  f += "complete -c vramfit -f\n";
  std::vector<std::string> top;
  for (const auto& c : commands) {
    if (c.path.empty()) {
      top = c.subcommands;
    }
  }
  for (const auto& c : commands) {
    // The condition: which subcommand is being completed.
    std::string cond;
    if (c.path.empty()) {
      cond = "not __fish_seen_subcommand_from " + joined(top);
    } else {
      cond = "__fish_seen_subcommand_from " + c.path.substr(c.path.rfind(' ') + 1);
    }
    for (const auto& sub : c.subcommands) {
      f += fmt::format("complete -c vramfit -n {} -a {}\n", fish_quote(cond), sub);
    }
    for (const auto& o : c.options) {
      if (o.positional) {
        f += o.choices.empty()
                 ? fmt::format("complete -c vramfit -n {} -F\n", fish_quote(cond))
                 : fmt::format("complete -c vramfit -n {} -a {}\n", fish_quote(cond), fish_quote(joined(o.choices)));
        continue;
      }
      std::string line = "complete -c vramfit -n " + fish_quote(cond);
      for (const auto& n : o.names) {
        line += n.rfind("--", 0) == 0 ? " -l " + n.substr(2) : " -o " + n.substr(1);
      }
      line += " -d " + fish_quote(o.help.substr(0, 80));
      if (!o.choices.empty()) {
        line += " -x -a " + fish_quote(joined(o.choices));
      } else if (o.ids == "file") {
        line += " -r -F";
      } else if (!o.ids.empty()) {
        line += " -x -a " + fish_quote("(" + fmt::format(fmt::runtime(std::string(k_ids_command)), o.ids) + ")");
      } else if (!o.value.empty()) {
        line += " -x";
      }
      f += line + "\n";
    }
  }
  return f;
}

}  // namespace

std::string generate_document(const CLI::App& app, std::string_view kind) {
  std::vector<CommandDoc> commands;
  collect(app, "", commands);
  if (kind == "man") {
    return man_page(commands);
  }
  if (kind == "bash") {
    return bash_completion(commands);
  }
  if (kind == "zsh") {
    return zsh_completion(commands);
  }
  if (kind == "fish") {
    return fish_completion(commands);
  }
  throw UsageError("--generate: '" + std::string(kind.substr(0, 16)) + "' must be man, bash, zsh or fish");
}

}  // namespace vramfit::cli
