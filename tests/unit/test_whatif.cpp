#include "catch.hpp"
#include "test_support.hpp"

#include "vramfit/plan/whatif.hpp"

using namespace vramfit;

TEST_CASE("the what-if ladder: every knob that claims to fit does, ranked by cost", "[whatif]") {
  Request r;
  r.model = "qwen3-32b";
  r.gpus = {"rtx4090"};
  r.quants = {"Q4_K_M"};
  r.contexts = {65536};
  r.settings.context_tokens = 65536;
  r.settings.flash_attn = false;
  r.given.flash_attn = true;
  r.engine = Engine::llama_server;
  r.with_ladder = false;
  auto report = build_report(test::embedded(), r);
  REQUIRE_FALSE(report.rows[0].fits);
  attach_what_if(test::embedded(), r, report);
  const auto& knobs = report.what_if[0];
  REQUIRE(knobs.size() >= 4);
  bool seen_not = false;
  int last_cost = -1;
  const auto cost = [](const WhatIf& w) {
    if (w.knob == "flash-attn") return 0;
    if (w.knob == "cache-type") return w.change.find("q8_0") != std::string::npos ? 1 : 6;
    if (w.knob == "parallel") return 2;
    if (w.knob == "expert-offload") return 3;
    if (w.knob == "context") return 4;
    if (w.knob == "layer-offload") return 5;
    return 7;
  };
  for (const auto& w : knobs) {
    INFO(w.change);
    if (!w.fits) {
      seen_not = true;
      continue;
    }
    CHECK_FALSE(seen_not);  // fitting knobs come first
    CHECK(cost(w) >= last_cost);
    last_cost = cost(w);
    CHECK(w.headroom_bytes >= 0);
    CHECK(w.saved_bytes > 0);
  }
  // Applying the context knob by hand fits, with the headroom it claims.
  const auto context = std::find_if(knobs.begin(), knobs.end(), [](const WhatIf& w) { return w.knob == "context"; });
  REQUIRE(context != knobs.end());
  Request shorter = r;
  const auto tokens = std::stoull(context->change.substr(std::string("--context ").size()));
  shorter.contexts = {tokens};
  shorter.settings.context_tokens = tokens;
  const auto check = build_report(test::embedded(), shorter);
  CHECK(check.rows[0].fits);
  CHECK(check.rows[0].headroom_bytes == context->headroom_bytes);
}

TEST_CASE("rows that fit have no what-if", "[whatif]") {
  Request r;
  r.model = "qwen3-8b";
  r.gpus = {"rtx3060-12gb"};
  r.quants = {"Q4_K_M", "BF16"};
  r.with_ladder = false;
  auto report = build_report(test::embedded(), r);
  attach_what_if(test::embedded(), r, report);
  REQUIRE(report.rows.size() == 2);
  CHECK(report.rows[0].fits != report.rows[1].fits);
  for (std::size_t i = 0; i < report.rows.size(); ++i) {
    CHECK(report.what_if[i].empty() == report.rows[i].fits);
  }
}
