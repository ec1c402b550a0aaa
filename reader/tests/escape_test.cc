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

// Long strings take the 16-bytes-at-a-time path: a byte that needs escaping
// is found at every offset of it, and the bytes around it are kept.
TEST(Escape, EveryOffsetOfALongString) {
  const std::pair<char, std::string> cases[] = {
      {'\0', "\\x00"},   {'\x1f', "\\x1f"}, {'\x7f', "\\x7f"},
      {'\x80', "\\x80"}, {'\xff', "\\xff"}, {'\\', "\\\\"},
  };
  for (const auto& [bad, escaped] : cases) {
    for (size_t at = 0; at < 40; at++) {
      std::string s(40, 'a'), want(at, 'a');
      s[at] = bad;
      want += escaped + std::string(39 - at, 'a');
      EXPECT_EQ(escape_bytes(s), want) << at;
      EXPECT_EQ(quote_text(s), '"' + want + '"') << at;
    }
  }
  // A double quote is plain text unless it is the quote in use.
  const std::string q = std::string(20, 'b') + '"' + std::string(20, 'b');
  EXPECT_EQ(escape_bytes(q), q);
  EXPECT_EQ(quote_json(q),
            "\"" + std::string(20, 'b') + "\\\"" + std::string(20, 'b') + "\"");
}

}  // namespace
}  // namespace netlog
