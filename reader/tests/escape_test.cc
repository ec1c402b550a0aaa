#include "escape.h"

#include <gtest/gtest.h>

namespace netlog {
namespace {

TEST(Escape, PrintableAsciiUnchanged) {
  EXPECT_EQ(escape_bytes("/usr/bin/curl -x"), "/usr/bin/curl -x");
}

TEST(Escape, NewlineAndControlBytes) {
  EXPECT_EQ(escape_bytes("a\nb\r\t\x01\x7f"), "a\\x0ab\\x0d\\x09\\x01\\x7f");
}

TEST(Escape, BackslashIsDoubledSoEscapesCannotBeForged) {
  EXPECT_EQ(escape_bytes("a\\x0ab"), "a\\\\x0ab");
}

TEST(Escape, HighBytesAndNul) {
  EXPECT_EQ(escape_bytes(std::string("\xc3\xa9\0z", 4)), "\\xc3\\xa9\\x00z");
}

TEST(Escape, TextQuoting) {
  EXPECT_EQ(quote_text("say \"hi\""), "\"say \\\"hi\\\"\"");
  EXPECT_EQ(quote_text(""), "\"\"");
}

TEST(Escape, JsonQuotingCannotCloseTheString) {
  EXPECT_EQ(quote_json("x\",\"uid\":0,\"y"), R"("x\",\"uid\":0,\"y")");
  EXPECT_EQ(quote_json("a\nb"), R"("a\\x0ab")");
  EXPECT_EQ(quote_json("a\\b"), R"("a\\\\b")");
}

}  // namespace
}  // namespace netlog
