#include "catch.hpp"
#include "test_support.hpp"

#include "options.hpp"
#include "render.hpp"

#include "vramfit/support/error.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <iterator>
#include <cmath>
#include <sstream>

using namespace vramfit;

namespace {

// 1234567 -> "1,234,567", as the tables print token counts.
std::string commas(std::uint64_t n) {
  std::string digits = std::to_string(n);
  for (int at = static_cast<int>(digits.size()) - 3; at > 0; at -= 3) {
    digits.insert(static_cast<std::size_t>(at), ",");
  }
  return digits;
}


Report sample_report() {
  Request req;
  req.model = "qwen3.6-35b-a3b";
  req.gpus = {"rtx3090", "m4-pro-24gb"};
  req.contexts = {8192, 32768};
  req.settings.type_k = req.settings.type_v = GgmlType::q8_0;
  return build_report(test::embedded(), req);
}

std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> cells;
    std::istringstream l(line);
    for (std::string cell; std::getline(l, cell, ',');) {
      cells.push_back(cell);
    }
    if (!line.empty() && line.back() == ',') {
      cells.emplace_back();
    }
    rows.push_back(cells);
  }
  return rows;
}

cli::RenderContext context(cli::Format f) {
  cli::RenderContext c;
  c.format = f;
  c.catalog_origin = "embedded";
  return c;
}

} // namespace

TEST_CASE("csv and json carry the same numbers for every row", "[cli]") {
  const auto report = sample_report();
  const auto json = nlohmann::json::parse(cli::render_fit(report, context(cli::Format::json)));
  const auto csv = parse_csv(cli::render_fit(report, context(cli::Format::csv)));
  REQUIRE(json.at("results").size() == report.rows.size());
  REQUIRE(csv.size() == report.rows.size() + 1);
  const auto& header = csv[0];
  const auto column = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  for (std::size_t i = 0; i < report.rows.size(); ++i) {
    const auto& j = json["results"][i];
    const auto& c = csv[i + 1];
    CAPTURE(i);
    for (const char* key : {"weights_bytes", "kv_cache_bytes", "recurrent_state_bytes", "compute_buffer_bytes",
                            "overhead_bytes", "total_bytes"}) {
      CHECK(c.at(column(key)) == std::to_string(j["memory"][key].get<std::uint64_t>()));
    }
    CHECK(c.at(column("headroom_bytes")) == std::to_string(j["headroom_bytes"].get<std::int64_t>()));
    CHECK(c.at(column("usable_bytes")) == std::to_string(j["device"]["usable_bytes"].get<std::uint64_t>()));
    CHECK(c.at(column("quant")) == j["quant"].get<std::string>());
    CHECK(c.at(column("gpu")) == j["gpu"].get<std::string>());
    CHECK(c.at(column("fits")) == (j["fits"].get<bool>() ? "true" : "false"));
    const auto total = j["memory"]["total_bytes"].get<std::uint64_t>();
    std::uint64_t sum = 0;
    for (const auto& [key, value] : j["memory"].items()) {
      sum += key == "total_bytes" ? 0 : value.get<std::uint64_t>();
    }
    CHECK(sum == total);
    CHECK(j["headroom_bytes"].get<std::int64_t>() ==
          static_cast<std::int64_t>(j["device"]["usable_bytes"].get<std::uint64_t>()) - static_cast<std::int64_t>(total));
  }
}

TEST_CASE("the json document follows the contract", "[cli]") {
  const auto j = nlohmann::json::parse(cli::render_fit(sample_report(), context(cli::Format::json)));
  CHECK(j["schema_version"] == 1);
  CHECK(j.contains("vramfit_version"));
  CHECK(j["catalog"]["origin"] == "embedded");
  const auto& r = j["results"][0];
  for (const char* key : {"model", "gpu", "quant", "engine", "context_tokens", "parallel", "cache_type_k",
                          "cache_type_v", "flash_attn", "memory", "weights_source", "file", "host", "device",
                          "headroom_bytes", "fits"}) {
    CAPTURE(key);
    CHECK(r.contains(key));
  }
  CHECK(r["file"].contains("predicted_bytes"));
  CHECK(r["file"].contains("published_bytes"));
  CHECK(r["host"].contains("weights_bytes"));
  CHECK(r["device"].contains("capacity_bytes"));
  CHECK(r["device"].contains("usable_bytes"));
  CHECK(r["engine"] == "llama.cpp");
  CHECK(r["cache_type_k"] == "q8_0");
}

TEST_CASE("the table shows each row's numbers as the json has them", "[cli]") {
  Request req;
  req.model = "qwen3-8b";
  req.gpus = {"rtx3090"};
  const auto report = build_report(test::embedded(), req);
  const auto table = cli::render_fit(report, context(cli::Format::table));
  const auto json = nlohmann::json::parse(cli::render_fit(report, context(cli::Format::json)));
  for (const auto& r : json["results"]) {
    const auto total = r["memory"]["total_bytes"].get<std::uint64_t>();
    const auto weights = r["memory"]["weights_bytes"].get<std::uint64_t>();
    const auto headroom = r["headroom_bytes"].get<std::int64_t>();
    // Marks follow the JSON's provenance: "~" before estimates, "^" after published sizes.
    const auto marked = [&](const std::string& text, const char* key) {
      const auto p = r["provenance"][key].get<std::string>();
      return p == "estimate" ? "~" + text : p == "published" ? text + "^" : text;
    };
    const auto verdict = r["verdict"].get<std::string>();
    CHECK(verdict == (r["marginal"].get<bool>() ? "maybe" : r["fits"].get<bool>() ? "fits" : "over"));
    const std::vector<std::string> expect{
        marked(fmt::format("{:.2f}", static_cast<long double>(total) / 1073741824.0L), "total_bytes"),
        marked(fmt::format("{:+.2f}", static_cast<long double>(headroom) / 1073741824.0L), "headroom_bytes"),
        verdict == "over" ? "OVER" : verdict,
        r["max_context_tokens"].get<std::uint64_t>() >= report.model.spec.n_ctx_train
            ? std::string("native")
            : r["max_context_tokens"].get<std::uint64_t>() == 0 ? std::string("none")
                                                                : commas(r["max_context_tokens"].get<std::uint64_t>())};
    const auto weights_cell = marked(fmt::format("{:.2f}", static_cast<long double>(weights) / 1073741824.0L), "weights_bytes");
    CHECK(table.find(" " + weights_cell + " ") != std::string::npos);
    CAPTURE(r["quant"].get<std::string>());
    // The row whose first word is the quant ends with total, headroom, verdict, max context and tok/s.
    bool found = false;
    std::istringstream lines(table);
    for (std::string line; std::getline(lines, line);) {
      std::istringstream words(line);
      std::vector<std::string> w{std::istream_iterator<std::string>(words), std::istream_iterator<std::string>()};
      if (!w.empty() && w.front() == r["quant"].get<std::string>()) {
        // The speed cell ("~121") agrees with the JSON's (rounded to 0.1) within a token.
        const bool speed_ok = r["speed"].is_null()
                                  ? w.back() == "-"
                                  : w.back().size() > 1 && w.back()[0] == '~' &&
                                        std::abs(std::stod(w.back().substr(1)) -
                                                 r["speed"]["decode_tokens_per_second"].get<double>()) <= 1.0;
        found = w.size() >= 5 && std::vector<std::string>(w.end() - 5, w.end() - 1) == expect && speed_ok;
        break;
      }
    }
    CHECK(found);
  }
}

TEST_CASE("command-line errors are usage errors, help and version finish", "[cli]") {
  const auto parse = [](std::vector<const char*> args) {
    args.insert(args.begin(), "vramfit");
    return cli::parse_command_line(static_cast<int>(args.size()), args.data());
  };
  CHECK(parse({"--help"}).finished);
  CHECK(parse({"--version"}).output.rfind("vramfit ", 0) == 0);
  CHECK_THROWS_AS(parse({"--bogus"}), UsageError);
  CHECK_THROWS_AS(parse({"--model", "x"}), UsageError);  // no --gpu
  CHECK_THROWS_AS(parse({"check", "--model", "x", "--gpu", "y"}), UsageError);  // no --quant
  CHECK_THROWS_AS(parse({"--model", "x", "--gpu", "y", "--format", "xml"}), UsageError);
  CHECK_THROWS_AS(parse({"--model", "x", "--gpu", "y", "--cache-type-v", "q8_0", "--flash-attn", "off"}), UsageError);
  const auto ok = parse({"--model", "m", "--gpu", "a,b", "--gpu", "c", "-c", "8k,32k", "--cache-type", "q8_0"});
  CHECK(ok.options.request.gpus == std::vector<std::string>{"a", "b", "c"});
  CHECK(ok.options.request.contexts == std::vector<std::uint64_t>{8192, 32768});
  CHECK(ok.options.request.settings.type_k == GgmlType::q8_0);
  CHECK(parse({"list", "gpus"}).options.command == cli::Command::list);
}

TEST_CASE("a verdict inside the estimate's range reads maybe; the boolean stays", "[cli]") {
  Request req;
  req.model = "qwen3.6-35b-a3b";
  req.gpus = {"rtx3090"};
  req.quants = {"Q5_K_M"};
  req.contexts = {20480};
  req.settings.context_tokens = 20480;
  req.with_ladder = false;
  const auto report = build_report(test::embedded(), req);
  REQUIRE(report.rows.size() == 1);
  const auto& row = report.rows.front();
  REQUIRE(row.marginal);  // ~0.09 GiB of headroom against a +-0.13 GiB compute range
  CHECK(row.total_low_bytes < row.memory.total_bytes());
  CHECK(row.total_high_bytes > report.budgets.front().usable_bytes);
  const auto json = nlohmann::json::parse(cli::render_check(report, context(cli::Format::json)));
  CHECK(json["fits"] == row.fits);
  CHECK(json["results"][0]["verdict"] == "maybe");
  CHECK(cli::render_check(report, context(cli::Format::table)).rfind("maybe", 0) == 0);
  CHECK(cli::render_fit(report, context(cli::Format::table)).find(" maybe ") != std::string::npos);
  const auto csv = cli::render_fit(report, context(cli::Format::csv));
  CHECK(csv.find(",maybe,exact,exact,exact,estimate,estimate,estimate,estimate,") != std::string::npos);
}
