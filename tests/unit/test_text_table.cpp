#include "catch.hpp"
#include "render/text_table.hpp"

using namespace vramfit::cli;

TEST_CASE("plain tables pad and right-align numbers", "[text_table]") {
  TextTable t({{"quant", Align::left}, {"GiB"}, {"fit", Align::left}});
  t.add_row({"Q4_K_M", "19.71", "fits"});
  t.add_row({"F16", "64.61", {"OVER", Color::red}});
  CHECK(t.render_plain(false) == "quant     GiB  fit\n"
                                 "------  -----  ----\n"
                                 "Q4_K_M  19.71  fits\n"
                                 "F16     64.61  OVER\n");
}

TEST_CASE("colour wraps padded cells without changing the layout", "[text_table]") {
  TextTable t({{"a", Align::left}, {"b", Align::left}});
  t.add_row({{"x", Color::green}, "yy"});
  CHECK(t.render_plain(true) == "a  b\n-  --\n\033[32mx\033[0m  yy\n");
}

TEST_CASE("markdown tables escape pipes and mark alignment", "[text_table]") {
  TextTable t({{"quant", Align::left}, {"GiB"}});
  t.add_row({"a|b", "1.00"});
  CHECK(t.render_markdown() == "| quant | GiB |\n| --- | ---: |\n| a\\|b | 1.00 |\n");
}

TEST_CASE("a row with the wrong number of cells is a programming error", "[text_table]") {
  TextTable t({{"a"}});
  CHECK_THROWS(t.add_row({"1", "2"}));
}
