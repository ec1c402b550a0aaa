#include <gtest/gtest.h>

#include <string>

#include "control_format.h"

namespace netlog::ctl {
namespace {

bool has(const std::string& page, const std::string& line) {
  return ("\n" + page).find("\n" + line + "\n") != std::string::npos;
}

// secure_log not loaded: a page that says so (netlog_up 0), with the
// version, and no reader: netlog_reader_up 0.
TEST(Prometheus, NotLoadedIsNetlogUpZero) {
  const auto page = stats_prometheus(std::nullopt, {}, "", "1.2.3");
  EXPECT_TRUE(has(page, "# TYPE netlog_up gauge"));
  EXPECT_TRUE(has(page, "netlog_up 0"));
  EXPECT_TRUE(has(page, "netlog_build_info{version=\"1.2.3\"} 1"));
  EXPECT_TRUE(has(page, "netlog_reader_up 0"));
  EXPECT_EQ(page.find("netlog_ring_"), std::string::npos);
}

// Loaded: the modules' version beside netlogctl's, and the reader's page
// taken line by line, its netlog_reader_* lines only.
TEST(Prometheus, LoadedWithTheReadersPage) {
  Status st;
  st.version = "0.1.0";
  st.capacity = 4096;
  st.produced = 9;
  Stats stats;
  stats["netlog"].push_back({"probe", "tcp_connect", {{"emitted", 7, false}}});
  stats["netlog"].push_back({"snapshot", "load", {{"ns", 93500000, true}}});
  const std::string reader =
      "# HELP netlog_reader_up 1 while it runs.\n"
      "# TYPE netlog_reader_up gauge\n"
      "netlog_reader_up 1\n"
      "netlog_up 0\n"  // not the reader's to say
      "garbage\n"
      "netlog_reader_last_seq 8";  // no newline at the end
  const auto page = stats_prometheus(st, stats, reader, "0.1.0");
  EXPECT_TRUE(has(page, "netlog_up 1"));
  EXPECT_TRUE(
      has(page,
          "netlog_build_info{version=\"0.1.0\",module_version=\"0.1.0\"}"
          " 1"));
  EXPECT_TRUE(has(page, "netlog_ring_capacity_bytes 4096"));
  EXPECT_TRUE(has(page, "netlog_records_produced_total 9"));
  EXPECT_TRUE(has(page,
                  "netlog_probe_emitted_total{module=\"netlog\",probe=\"tcp_"
                  "connect\"} 7"));
  // a time in ns, in seconds
  EXPECT_TRUE(has(page,
                  "netlog_snapshot_seconds{module=\"netlog\",snapshot=\"load\"}"
                  " 0.0935"));
  EXPECT_TRUE(has(page, "# TYPE netlog_reader_up gauge"));
  EXPECT_TRUE(has(page, "netlog_reader_up 1"));
  EXPECT_TRUE(has(page, "netlog_reader_last_seq 8"));
  EXPECT_FALSE(has(page, "netlog_up 0"));
  EXPECT_FALSE(has(page, "garbage"));
}

}  // namespace
}  // namespace netlog::ctl
