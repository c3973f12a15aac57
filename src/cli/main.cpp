// vramfit: parse the command line, load the catalog, call the library once,
// render, and map the outcome to an exit code.

#include "file_source.hpp"
#include "options.hpp"
#include "render.hpp"

#include "vramfit/input/catalog.hpp"
#include "vramfit/support/error.hpp"
#include "vramfit/input/hf_config.hpp"
#include "vramfit/plan/report.hpp"
#include "vramfit/input/parse.hpp"
#include "vramfit/plan/verify.hpp"
#include "vramfit/plan/whatif.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <sstream>

namespace {

// The OLLAMA_* variables that change what Ollama allocates (engine ollama).
vramfit::OllamaEnvironment ollama_environment() {
  using namespace vramfit;
  OllamaEnvironment env;
  const auto get = [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    return v != nullptr && *v != '\0' ? std::optional<std::string>(std::string(v).substr(0, 64)) : std::nullopt;
  };
  env.kv_cache_type = get("OLLAMA_KV_CACHE_TYPE");
  if (const auto fa = get("OLLAMA_FLASH_ATTENTION")) {
    env.flash_attention = *fa == "1" || *fa == "true" || *fa == "TRUE" || *fa == "True";
  }
  if (const auto c = get("OLLAMA_CONTEXT_LENGTH")) {
    env.context_length = parse_count(*c, "OLLAMA_CONTEXT_LENGTH", 1ULL << 32);
  }
  if (const auto n = get("OLLAMA_NUM_PARALLEL")) {
    env.num_parallel = static_cast<std::uint32_t>(parse_count(*n, "OLLAMA_NUM_PARALLEL", 256));
  }
  if (const auto o = get("OLLAMA_GPU_OVERHEAD")) {
    env.gpu_overhead = parse_size(*o, "OLLAMA_GPU_OVERHEAD");
  }
  return env;
}

enum class ExitCode : int { ok = 0, does_not_fit = 1, input_error = 2, internal_error = 3 };

std::vector<std::string> catalog_paths(const vramfit::cli::Options& options) {
  std::vector<std::string> paths;
  if (const char* env = std::getenv("VRAMFIT_CATALOG"); env != nullptr && *env != '\0') {
    std::stringstream list(env);
    for (std::string item; std::getline(list, item, ':');) {
      if (!item.empty()) {
        paths.push_back(item);
      }
    }
  }
  paths.insert(paths.end(), options.catalogs.begin(), options.catalogs.end());
  return paths;
}

void print_error(const std::string& message) {
  std::istringstream lines(message);
  for (std::string line; std::getline(lines, line);) {
    std::cerr << "vramfit: error: " << line << '\n';
  }
}

ExitCode run(int argc, const char* const* argv) {
  using namespace vramfit;
  const auto parsed = cli::parse_command_line(argc, argv);
  if (parsed.finished) {
    std::cout << parsed.output;
    return ExitCode::ok;
  }
  const auto& options = parsed.options;

  auto paths = catalog_paths(options);
  if (options.command == cli::Command::catalog_validate) {
    // The files to check come after the catalogs they extend.
    paths.insert(paths.end(), options.validate_files.begin(), options.validate_files.end());
  }
  std::vector<std::string> texts;  // owns the text the CatalogTexts point into
  texts.reserve(paths.size());
  std::vector<CatalogText> documents;
  if (options.builtin_catalog) {
    documents.assign(embedded_catalog_texts().begin(), embedded_catalog_texts().end());
  }
  for (const auto& path : paths) {
    texts.push_back(cli::read_text_file(path, "catalog file"));
    documents.push_back(CatalogText{path, texts.back()});
  }
  const Catalog catalog = load_catalog(documents);
  if (options.command == cli::Command::catalog_validate) {
    std::cout << "ok: " << catalog.models.size() << " models, " << catalog.quants.size() << " quants, "
              << catalog.gpus.size() << " GPUs in " << catalog.origins.size() << " documents\n";
    return ExitCode::ok;
  }

  cli::RenderContext ctx;
  ctx.format = options.format;
  ctx.units = options.units;
  ctx.color = options.format == cli::Format::table && isatty(STDOUT_FILENO) == 1 && std::getenv("NO_COLOR") == nullptr;
  ctx.catalog_origin = !options.builtin_catalog ? "user" : paths.empty() ? "embedded" : "embedded+user";
  ctx.catalog_version = catalog.version;
  ctx.catalog_files = paths;

  auto request = options.request;
  if (request.engine == Engine::ollama) {
    request.ollama = ollama_environment();
  }
  if (!options.hf_config_path.empty()) {
    std::vector<std::string> notes;
    const auto text = cli::read_text_file(options.hf_config_path, "config");
    request.model_spec = model_from_hf_config(text, options.hf_config_path, notes);
    request.notes.insert(request.notes.end(), notes.begin(), notes.end());
  }
  std::optional<GgufModel> gguf;
  if (!options.gguf_path.empty()) {
    gguf = cli::load_gguf_model(options.gguf_path);
    request.model_spec = gguf->model;
    request.notes.insert(request.notes.end(), gguf->notes.begin(), gguf->notes.end());
    FileWeights file;
    file.label = gguf->file_type ? std::string(name(*gguf->file_type)) : std::string("file");
    file.path = options.gguf_path;
    file.tensors = gguf->tensors;
    file.file_bytes = gguf->file_bytes;
    file.file_type = gguf->file_type;
    request.file = std::move(file);
  }

  switch (options.command) {
    case cli::Command::verify: {
      std::string text;
      if (options.log_path.empty() || options.log_path == "-") {
        std::ostringstream in;
        in << std::cin.rdbuf();
        text = in.str();
      } else {
        text = cli::read_text_file(options.log_path, "log");
      }
      const auto log = parse_llama_log(text);
      VerifyOptions vo;
      if (request.model_spec) {
        vo.model = request.model_spec;
      } else if (!request.model.empty()) {
        vo.model = catalog.find_model(request.model);
      } else if (log.info.count("arch") == 0 || log.info.count("n_head") == 0) {
        // No architecture in the log: a catalog model with every printed hyper-parameter.
        const auto matches = models_matching_log(log, catalog.models);
        if (matches.size() == 1) {
          vo.model = *matches.front();
          request.notes.push_back("the log names no architecture: its hyper-parameters match the catalog's " +
                                  matches.front()->spec.id + " only");
        }
      }
      vo.file = request.file;
      const auto& st = request.settings;
      const auto& given = options.given;
      if (given.context) {
        vo.context_tokens = st.context_tokens;
      }
      if (given.type_k) {
        vo.type_k = st.type_k;
      }
      if (given.type_v) {
        vo.type_v = st.type_v;
      }
      if (given.flash_attn) {
        vo.flash_attn = st.flash_attn;
      }
      if (given.n_seq) {
        vo.n_seq = st.n_seq;
      }
      if (given.n_ubatch) {
        vo.n_ubatch = st.n_ubatch;
      }
      vo.n_cpu_moe = request.n_cpu_moe;
      if (request.quants.size() > 1) {
        throw UsageError("verify: give one --quant (the file type of the logged model)");
      }
      if (!request.quants.empty()) {
        const auto ft = file_type_from_name(request.quants.front());
        if (!ft) {
          throw UsageError("verify: --quant '" + request.quants.front().substr(0, 32) +
                           "' is not a llama.cpp file type (Q4_K_M, Q8_0, ...)");
        }
        vo.file_type = ft;
      }
      auto result = verify_log(log, vo);
      result.notes.insert(result.notes.begin(), request.notes.begin(), request.notes.end());
      std::cout << cli::render_verify(result, options.log_path.empty() ? "-" : options.log_path, ctx);
      return result.ok ? ExitCode::ok : ExitCode::does_not_fit;
    }
    case cli::Command::catalog_validate:  // answered once the catalog loaded
      return ExitCode::ok;
    case cli::Command::catalog_add:
      std::cout << catalog_entry_json(*request.model_spec);
      return ExitCode::ok;
    case cli::Command::inspect:
      std::cout << cli::render_inspect(*gguf, ctx);
      return ExitCode::ok;
    case cli::Command::list:
      std::cout << cli::render_list(catalog, options.list_what, ctx);
      return ExitCode::ok;
    case cli::Command::check: {
      request.with_ladder = false;
      Report report = build_report(catalog, request);
      attach_what_if(catalog, request, report);
      std::cout << cli::render_check(report, ctx);
      const bool all_fit =
          std::all_of(report.rows.begin(), report.rows.end(), [](const FitRow& row) { return row.fits; });
      return all_fit ? ExitCode::ok : ExitCode::does_not_fit;
    }
    case cli::Command::max_context: {
      const auto result = build_max_context(catalog, request, options.given.type_k || options.given.type_v);
      std::cout << cli::render_max_context(result, ctx);
      return ExitCode::ok;
    }
    case cli::Command::fit: {
      Report report = build_report(catalog, request);
      attach_what_if(catalog, request, report);
      std::cout << cli::render_fit(report, ctx);
      return ExitCode::ok;
    }
  }
  return ExitCode::internal_error;
}

} // namespace

int main(int argc, char** argv) {
  try {
    return static_cast<int>(run(argc, argv));
  } catch (const vramfit::Error& e) {
    print_error(e.what());
    return static_cast<int>(ExitCode::input_error);
  } catch (const std::exception& e) {
    std::cerr << "vramfit: internal error: " << e.what() << '\n';
    return static_cast<int>(ExitCode::internal_error);
  }
}
