#include "catch.hpp"
#include "test_support.hpp"

#include "vramfit/plan/report.hpp"

#include <algorithm>

using namespace vramfit;

TEST_CASE("the what-if ladder: every knob that claims to fit does, ranked by cost", "[whatif]") {
  Request r;
  r.model = "qwen3-32b";
  r.gpus = {"rtx4090"};
  r.quants = {"Q4_K_M"};
  r.contexts = {65536};
  r.settings.flash_attn = false;
  r.given.flash_attn = true;
  r.engine = &find_engine("llama-server");
  r.with_ladder = false;
  const auto report = build_report(test::catalog(), r);
  REQUIRE_FALSE(report.rows[0].fits);
  const auto& knobs = report.rows[0].what_if;
  REQUIRE(knobs.size() >= 4);
  // What a user gives up, least first: flash attention, a q8_0 cache, slots,
  // experts in RAM, context, layers in RAM, a q4_0 cache, a smaller quant.
  CHECK(Knob::flash_attn < Knob::cache_q8_0);
  CHECK(Knob::cache_q8_0 < Knob::parallel);
  CHECK(Knob::context < Knob::layer_offload);
  CHECK(Knob::cache_q4_0 < Knob::quant);
  bool seen_not = false;
  for (std::size_t i = 0; i < knobs.size(); ++i) {
    const auto& w = knobs[i];
    INFO(w.change);
    if (!w.fits) {
      seen_not = true;
      continue;
    }
    CHECK_FALSE(seen_not);  // fitting knobs come first
    if (i > 0 && knobs[i - 1].fits) {
      CHECK(knobs[i - 1].knob <= w.knob);
    }
    CHECK(w.headroom_bytes >= 0);
    CHECK(w.saved_bytes > 0);
  }
  // Applying the context knob by hand fits, with the headroom it claims.
  const auto context =
      std::find_if(knobs.begin(), knobs.end(), [](const WhatIf& w) { return w.knob == Knob::context; });
  REQUIRE(context != knobs.end());
  CHECK(name(context->knob) == "context");
  Request shorter = r;
  shorter.contexts = {std::stoull(context->change.substr(std::string("--context ").size()))};
  const auto check = build_report(test::catalog(), shorter);
  CHECK(check.rows[0].fits);
  CHECK(check.rows[0].headroom_bytes == context->headroom_bytes);
  // And the cache-type knob, by hand.
  const auto q8 = std::find_if(knobs.begin(), knobs.end(), [](const WhatIf& w) { return w.knob == Knob::cache_q8_0; });
  REQUIRE(q8 != knobs.end());
  CHECK(name(q8->knob) == "cache-type");
  Request cache = r;
  cache.settings.type_k = cache.settings.type_v = GgmlType::q8_0;
  cache.settings.flash_attn = true;
  cache.given.type_k = cache.given.type_v = true;
  const auto by_hand = build_report(test::catalog(), cache);
  CHECK(by_hand.rows[0].headroom_bytes == q8->headroom_bytes);
}

TEST_CASE("rows that fit have no what-if", "[whatif]") {
  Request r;
  r.model = "qwen3-8b";
  r.gpus = {"rtx3060-12gb"};
  r.quants = {"Q4_K_M", "BF16"};
  r.with_ladder = false;
  const auto report = build_report(test::catalog(), r);
  REQUIRE(report.rows.size() == 2);
  CHECK(report.rows[0].fits != report.rows[1].fits);
  for (const auto& row : report.rows) {
    CHECK(row.what_if.empty() == row.fits);
  }
}

TEST_CASE("a narrowed quant list still finds the largest standard quant that fits", "[whatif]") {
  Request r;
  r.model = "qwen3-32b";
  r.gpus = {"rtx4090"};
  r.quants = {"Q8_0"};
  r.with_ladder = false;
  const auto report = build_report(test::catalog(), r);
  const auto& knobs = report.rows[0].what_if;
  const auto quant = std::find_if(knobs.begin(), knobs.end(), [](const WhatIf& w) { return w.knob == Knob::quant; });
  REQUIRE(quant != knobs.end());
  CHECK(quant->fits);
  Request smaller = r;
  smaller.quants = {quant->change.substr(std::string("--quant ").size())};
  CHECK(build_report(test::catalog(), smaller).rows[0].fits);
}

TEST_CASE("the what-if ladder: fits only outside the estimate's range, within --ram, two knobs at once", "[whatif]") {
  Request r;
  r.model = "qwen3.6-35b-a3b";
  r.gpus = {"rtx3090"};
  r.quants = {"Q6_K"};
  r.contexts = {32768};
  r.with_ladder = false;
  const auto report = build_report(test::catalog(), r);
  REQUIRE_FALSE(report.rows[0].fits);
  const auto& knobs = report.rows[0].what_if;
  bool fits = false;
  for (const auto& w : knobs) {
    INFO(w.change);
    CHECK_FALSE((w.fits && w.marginal));
    if (w.fits) {
      CHECK(w.headroom_bytes > 0);
    }
    fits = fits || w.fits;
  }
  CHECK(fits);

  // With 2 GiB of RAM the experts that offloading leaves on the host do not
  // fit; with no single knob left, a smaller cache and the offload are tried
  // together.
  r.host.ram_bytes = 2 * k_gib;
  const auto small = build_report(test::catalog(), r);
  bool pair = false;
  for (const auto& w : small.rows[0].what_if) {
    INFO(w.change);
    if (w.change.find("--n-cpu-moe") != std::string::npos) {
      CHECK_FALSE(w.fits);
      CHECK(w.ram_over);
    }
    pair = pair || w.change.find("--cache-type q8_0 --n-cpu-moe") == 0;
  }
  CHECK(pair);
}

TEST_CASE("concurrency: the most requests of a context that fit at once, each with its own context", "[whatif]") {
  Request r;
  r.model = "qwen3-8b";
  r.gpus = {"rtx3090"};
  r.quants = {"Q4_K_M"};
  r.contexts = {8192};
  r.with_ladder = false;
  r.with_concurrency = true;
  const auto report = build_report(test::catalog(), r);
  REQUIRE(report.rows[0].concurrency);
  const auto n = report.rows[0].concurrency->max_parallel;
  CHECK(report.rows[0].concurrency->context_tokens == 8192);
  REQUIRE(n > 1);
  REQUIRE(n < 64);
  // N requests of 8,192 tokens fit (outside the estimate's range); N + 1 do not.
  const auto at = [&](std::uint32_t k) {
    Request x = r;
    x.with_concurrency = false;
    x.settings.n_seq = k;
    x.given.n_seq = true;
    x.contexts = {8192ULL * k};
    const auto rep = build_report(test::catalog(), x);
    return rep.rows[0].fits && !rep.rows[0].marginal;
  };
  CHECK(at(n));
  CHECK_FALSE(at(n + 1));
}
