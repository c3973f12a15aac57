#include "app.hpp"
#include "catch.hpp"
#include "commands/commands.hpp"

#include "vramfit/support/error.hpp"

using namespace vramfit;

namespace {

cli::ParsedCommandLine parse(std::vector<const char*> args) {
  args.insert(args.begin(), "vramfit");
  return cli::parse_command_line(static_cast<int>(args.size()), args.data());
}

}  // namespace

TEST_CASE("help and version finish; every subcommand's help lists its own options", "[cli]") {
  CHECK(parse({"--help"}).finished);
  CHECK(parse({"--version"}).output.rfind("vramfit ", 0) == 0);
  const auto check = parse({"check", "--help"});
  REQUIRE(check.finished);
  CHECK(check.output.find("--quant QUANT") != std::string::npos);
  CHECK(check.output.find("--cache-type {f32,") != std::string::npos);
  const auto verify = parse({"verify", "--help"});
  CHECK(verify.output.find("--n-cpu-moe N") != std::string::npos);
  CHECK(verify.output.find("--gpu") == std::string::npos);  // verify takes the devices from the log
  CHECK(parse({"max-context", "--help"}).output.find("--engine") != std::string::npos);
  CHECK(parse({"inspect", "--help"}).output.find("--format") != std::string::npos);
}

TEST_CASE("typed options: values parsed once, into their types", "[cli]") {
  const auto ok = parse({"--model", "m", "--gpu", "a,b", "--gpu", "c", "-c", "8k,32k", "--cache-type", "q8_0",
                         "--parallel", "4", "--engine", "Ollama", "--ram", "64GiB"});
  REQUIRE(ok.command == &cli::k_fit_command);
  CHECK(ok.args.gpus == std::vector<std::string>{"a", "b", "c"});
  CHECK(ok.args.contexts == std::vector<std::uint64_t>{8192, 32768});
  CHECK(ok.args.settings.type_k == GgmlType::q8_0);
  CHECK(ok.args.settings.type_v == GgmlType::q8_0);
  CHECK(ok.args.given.type_k);
  CHECK_FALSE(ok.args.given.flash_attn);
  CHECK(ok.args.settings.n_seq == 4);
  CHECK(ok.args.engine->name() == "ollama");
  CHECK(ok.args.ram_bytes == 64 * k_gib);
  CHECK(parse({"list", "gpus"}).command == &cli::k_list_command);
  CHECK(parse({"catalog", "validate", "x.json"}).args.validate_files == std::vector<std::string>{"x.json"});
  CHECK(parse({"--no-builtin-catalog", "--catalog", "c.json", "check", "--model", "m"}).args.no_builtin_catalog);
}

TEST_CASE("command-line errors are usage errors in vramfit's words", "[cli]") {
  CHECK_THROWS_WITH(parse({"--bogus"}), "the following argument was not expected: --bogus (see vramfit --help)");
  CHECK_THROWS_WITH(parse({"--model", "x", "--gpu", "y", "--format", "xml"}),
                    "--format: 'xml' must be table, markdown, csv or json");
  CHECK_THROWS_WITH(parse({"--model", "x", "--gpu", "y", "--parallel", "0"}), "--parallel: '0' must be at least 1");
  CHECK_THROWS_WITH(parse({"--model", "x", "--gpu", "y", "--engine", "tgi"}),
                    "--engine: 'tgi' must be llama.cpp, llama-server, ollama, vllm, sglang or mlx");
  CHECK_THROWS_WITH(parse({"list", "widgets"}), "list: 'widgets' must be models, gpus, quants or cache-types");
  // An option of the main job given to a subcommand that does not take it.
  CHECK_THROWS_WITH(parse({"inspect", "f.gguf", "--gpu", "rtx3090"}), Catch::Matchers::Contains("not expected"));
  CHECK_THROWS_WITH(parse({"--gpu", "rtx3090", "inspect", "f.gguf"}), "--gpu: does not apply to 'inspect'");
  CHECK_THROWS_AS(parse({"catalog"}), UsageError);
}
