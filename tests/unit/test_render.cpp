#include "catch.hpp"
#include "render/fields.hpp"
#include "render/render.hpp"
#include "test_support.hpp"

#include "vramfit/support/error.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <set>
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
  req.given.type_k = req.given.type_v = true;
  return build_report(test::catalog(), req);
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

}  // namespace

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
          static_cast<std::int64_t>(j["device"]["usable_bytes"].get<std::uint64_t>()) -
              static_cast<std::int64_t>(total));
  }
}

TEST_CASE("the json document follows the contract", "[cli]") {
  const auto j = nlohmann::json::parse(cli::render_fit(sample_report(), context(cli::Format::json)));
  CHECK(j["schema_version"] == 1);
  CHECK(j.contains("vramfit_version"));
  CHECK(j["catalog"]["origin"] == "embedded");
  const auto& r = j["results"][0];
  for (const char* key :
       {"model", "gpu", "quant", "engine", "context_tokens", "parallel", "cache_type_k", "cache_type_v", "flash_attn",
        "memory", "weights_source", "file", "host", "device", "headroom_bytes", "fits"}) {
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
  const auto report = build_report(test::catalog(), req);
  auto wide = context(cli::Format::table);
  wide.wide = true;  // every row (a screen's worth leaves some out)
  const auto table = cli::render_fit(report, wide);
  const auto json = nlohmann::json::parse(cli::render_fit(report, context(cli::Format::json)));
  // Identical rows share a line: "BF16/F16".
  const auto names = [](const std::string& cell, const std::string& quant) {
    std::istringstream parts(cell);
    for (std::string part; std::getline(parts, part, '/');) {
      if (part == quant) {
        return true;
      }
    }
    return false;
  };
  // A number cell, without its provenance mark, read back in GiB.
  const auto gib = [](std::string cell) {
    cell.erase(std::remove(cell.begin(), cell.end(), '~'), cell.end());
    cell.erase(std::remove(cell.begin(), cell.end(), '^'), cell.end());
    return std::stod(cell) * 1073741824.0;
  };
  const auto mark_of = [](const std::string& cell) {
    return cell.front() == '~'  ? std::string("estimate")
           : cell.back() == '^' ? std::string("published")
                                : std::string("exact");
  };
  for (const auto& r : json["results"]) {
    CAPTURE(r["quant"].get<std::string>());
    std::vector<std::string> w;
    std::istringstream lines(table);
    for (std::string line; std::getline(lines, line);) {
      std::istringstream words(line);
      std::vector<std::string> cells{std::istream_iterator<std::string>(words), std::istream_iterator<std::string>()};
      if (!cells.empty() && names(cells.front(), r["quant"].get<std::string>())) {
        w = cells;
        break;
      }
    }
    // quant, file pub, file pred, weights, KV+state, compute, total, headroom, fit, max ctx, tok/s,
    // pp t/s, TTFT
    REQUIRE(w.size() == 13);
    const auto& m = r["memory"];
    const double half_cent = 0.005 * 1073741824.0;  // two decimals of GiB
    CHECK(std::abs(gib(w[3]) - m["weights_bytes"].get<double>()) <= half_cent);
    CHECK(mark_of(w[3]) == r["provenance"]["weights_bytes"].get<std::string>());
    CHECK(std::abs(gib(w[6]) - m["total_bytes"].get<double>()) <= half_cent);
    CHECK(mark_of(w[6]) == r["provenance"]["total_bytes"].get<std::string>());
    CHECK(std::abs(gib(w[7]) - r["headroom_bytes"].get<double>()) <= half_cent);
    const auto verdict = r["verdict"].get<std::string>();
    CHECK(verdict == (r["marginal"].get<bool>() ? "maybe" : r["fits"].get<bool>() ? "fits" : "over"));
    CHECK((w[8] == verdict || (verdict == "over" && w[8] == "OVER")));
    const auto max_ctx = r["max_context_tokens"].get<std::uint64_t>();
    CHECK(w[9] == (max_ctx >= report.model.spec.n_ctx_train ? std::string("native")
                   : max_ctx == 0                           ? std::string("none")
                                                            : commas(max_ctx)));
    // The speed cell ("~121") agrees with the JSON's (rounded to 0.1) within a token.
    if (r["speed"].is_null() || r["speed"]["of_offload_plan"].get<bool>()) {
      CHECK(w[10] == "-");
    } else {
      REQUIRE(w[10].size() > 1);
      CHECK(w[10][0] == '~');
      CHECK(std::abs(std::stod(w[10].substr(1)) - r["speed"]["decode_tokens_per_second"].get<double>()) <= 1.0);
      // prefill ("~3377") within a token; the time to first token ("~0.16s") to its two decimals
      REQUIRE(w[11].size() > 1);
      CHECK(std::abs(std::stod(w[11].substr(1)) - r["speed"]["prefill_tokens_per_second"].get<double>()) <= 1.0);
      REQUIRE(w[12].size() > 2);
      CHECK(w[12].back() == 's');
      CHECK(std::abs(std::stod(w[12].substr(1, w[12].size() - 2)) -
                     r["speed"]["time_to_first_token_s"].get<double>()) <= 0.0051);
    }
  }
}

TEST_CASE("markdown keeps text outside its tables", "[cli]") {
  const auto md = cli::render_fit(sample_report(), context(cli::Format::markdown));
  // A line right after a table row would be read as another row: every table
  // ends with a blank line or the end of the text.
  std::istringstream lines(md);
  std::string previous;
  for (std::string line; std::getline(lines, line);) {
    if (!previous.empty() && previous.front() == '|') {
      CHECK((line.empty() || line.front() == '|'));
    }
    previous = line;
  }
}

TEST_CASE("csv columns come from the one field table", "[cli]") {
  const auto columns = cli::result_csv_columns();
  CHECK(columns.size() == 52);
  CHECK(columns.front() == "model");
  CHECK(columns[44] == "what_if_best");
  CHECK(columns[45] == "reserved_bytes");  // added columns go last
  CHECK(columns[46] == "meets_min_headroom");
  CHECK(columns[49] == "projector_bytes");
  CHECK(columns[50] == "prefill_tokens_per_second");
  CHECK(columns.back() == "time_to_first_token_s");
  CHECK(std::set<std::string_view>(columns.begin(), columns.end()).size() == columns.size());
}

TEST_CASE("a verdict inside the estimate's range reads maybe; the boolean stays", "[cli]") {
  Request req;
  req.model = "qwen3.6-35b-a3b";
  req.gpus = {"rtx3090"};
  req.quants = {"Q5_K_M"};
  req.contexts = {20480};
  req.with_ladder = false;
  const auto report = build_report(test::catalog(), req);
  REQUIRE(report.rows.size() == 1);
  const auto& row = report.rows.front();
  REQUIRE(row.marginal);  // ~0.09 GiB of headroom against a +-0.13 GiB compute range
  CHECK(row.total_low_bytes < row.memory.total_bytes());
  CHECK(row.total_high_bytes > report.columns.front().budget.usable_bytes);
  const auto json = nlohmann::json::parse(cli::render_check(report, context(cli::Format::json)));
  CHECK(json["fits"] == row.fits);
  CHECK(json["results"][0]["verdict"] == "maybe");
  CHECK(cli::render_check(report, context(cli::Format::table)).rfind("maybe", 0) == 0);
  CHECK(cli::render_fit(report, context(cli::Format::table)).find(" maybe ") != std::string::npos);
  const auto csv = cli::render_fit(report, context(cli::Format::csv));
  CHECK(csv.find(",maybe,exact,exact,exact,estimate,estimate,estimate,estimate,") != std::string::npos);
}
