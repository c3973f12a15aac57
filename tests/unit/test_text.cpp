#include "catch.hpp"

#include "vramfit/support/text.hpp"

#include <string>

using namespace vramfit;

TEST_CASE("UTF-8 validation", "[text]") {
  CHECK(valid_utf8(""));
  CHECK(valid_utf8("plain ASCII"));
  CHECK(valid_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));  // é, €, an emoji
  CHECK_FALSE(valid_utf8("caf\xE9"));                              // Latin-1 é
  CHECK_FALSE(valid_utf8("\xC0\xAF"));                             // overlong '/'
  CHECK_FALSE(valid_utf8("\xED\xA0\x80"));                         // a surrogate
  CHECK_FALSE(valid_utf8("\xF4\x90\x80\x80"));                     // above U+10FFFF
  CHECK_FALSE(valid_utf8("\xE2\x82"));                             // cut short
  Utf8Validator v;
  CHECK(v.feed("\xE2"));
  CHECK(v.feed("\x82"));
  CHECK_FALSE(v.finish());
  CHECK(v.feed("\xAC"));
  CHECK(v.finish());
}

TEST_CASE("printable: nothing drives the terminal", "[text]") {
  CHECK(printable("RTX 3090") == "RTX 3090");
  CHECK(printable("caf\xC3\xA9") == "caf\xC3\xA9");
  CHECK(printable("ll\x7F\xFF"
                  "ama") == "ll\\x7F\\xFFama");
  CHECK(printable("\x1B[2Jred") == "\\x1B[2Jred");
  CHECK(printable("a\nb") == "a\\x0Ab");
  CHECK(printable("a\nb", true) == "a\nb");
  CHECK(printable("\xC2\x9B"
                  "31m") == "\\xC2\\x9B31m");  // C1 CSI
  CHECK(printable("\xE2\x82") == "\\xE2\\x82");
  // The final pass keeps vramfit's own colours, nothing else.
  CHECK(printable_output("\x1B[1;32mfits\x1B[0m") == "\x1B[1;32mfits\x1B[0m");
  CHECK(printable_output("\x1B]0;title\x07") == "\\x1B]0;title\\x07");
}
