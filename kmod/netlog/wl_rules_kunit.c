// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the whitelist rules, run inside the kernel that netlog.ko
 * runs in (the host unit tests cover the grammar in depth; these prove the
 * same code behaves the same when built by kbuild).
 */
#include <kunit/test.h>

#include "wl_rules.c"

static struct nlwl_set *parse_ok(struct kunit *test, const char *text)
{
	struct nlwl_set *set = kunit_kzalloc(test, sizeof(*set), GFP_KERNEL);
	struct nlwl_error err;

	KUNIT_ASSERT_NOT_NULL(test, set);
	KUNIT_ASSERT_EQ_MSG(test, nlwl_parse(text, strlen(text), set, &err), 0,
			    "%s: %s", text, err.why);
	return set;
}

static bool match4(const struct nlwl_set *set, const char *exe, u8 a, u8 b,
		   u8 c, u8 d, u16 rport, u16 lport)
{
	const u8 addr[16] = { a, b, c, d };
	const struct nlwl_conn conn = { 4, addr, rport, lport };

	return nlwl_match(set, exe, strlen(exe), &conn);
}

static void wl_cidr_and_ports(struct kunit *test)
{
	struct nlwl_set *set = parse_ok(test,
		"/usr/bin/rsync|i<10.0.0.0/8>|p<873>,/usr/sbin/sshd|l<22>,/b|p<1024-2048>");

	KUNIT_EXPECT_TRUE(test, match4(set, "/usr/bin/rsync", 10, 255, 255, 255, 873, 1));
	KUNIT_EXPECT_FALSE(test, match4(set, "/usr/bin/rsync", 11, 0, 0, 0, 873, 1));
	KUNIT_EXPECT_FALSE(test, match4(set, "/usr/bin/rsync", 10, 0, 0, 1, 874, 1));
	KUNIT_EXPECT_TRUE(test, match4(set, "/usr/sbin/sshd", 9, 9, 9, 9, 50000, 22));
	KUNIT_EXPECT_FALSE(test, match4(set, "/usr/sbin/sshd", 9, 9, 9, 9, 22, 50000));
	KUNIT_EXPECT_FALSE(test, match4(set, "/b", 1, 1, 1, 1, 1023, 0));
	KUNIT_EXPECT_TRUE(test, match4(set, "/b", 1, 1, 1, 1, 1024, 0));
	KUNIT_EXPECT_TRUE(test, match4(set, "/b", 1, 1, 1, 1, 2048, 0));
	KUNIT_EXPECT_FALSE(test, match4(set, "/b", 1, 1, 1, 1, 2049, 0));
	KUNIT_EXPECT_FALSE(test, match4(set, "/bb", 1, 1, 1, 1, 1024, 0));
}

static void wl_ipv6_prefix(struct kunit *test)
{
	struct nlwl_set *set = parse_ok(test, "/x|i<fd00::/8>");
	u8 in[16] = { 0xfd, 0x12 }, out[16] = { 0xfe };
	struct nlwl_conn conn = { 6, in, 1, 1 };

	KUNIT_EXPECT_TRUE(test, nlwl_match(set, "/x", 2, &conn));
	conn.raddr = out;
	KUNIT_EXPECT_FALSE(test, nlwl_match(set, "/x", 2, &conn));
	conn.family = 4;
	conn.raddr = in;
	KUNIT_EXPECT_FALSE(test, nlwl_match(set, "/x", 2, &conn));
}

static void wl_canonical_round_trip(struct kunit *test)
{
	static const char canonical[] =
		"/usr/bin/backup|i<10.0.0.0/8>|p<873>\n/usr/sbin/sshd|l<22>\n/x|i<fd00::/8>\n";
	struct nlwl_set *set = parse_ok(test,
		" /usr/bin/backup|i10.0.0.0/8|r873 ,/usr/sbin/sshd|l22\n/x|i<FD00::/8>");
	char *buf = kunit_kzalloc(test, NLWL_TEXT_MAX + 1, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_EQ(test, nlwl_format(set, buf, NLWL_TEXT_MAX + 1),
			(int)strlen(canonical));
	KUNIT_EXPECT_STREQ(test, buf, canonical);
}

static void wl_errors_leave_nothing(struct kunit *test)
{
	struct nlwl_set *set = kunit_kzalloc(test, sizeof(*set), GFP_KERNEL);
	struct nlwl_error err;

	KUNIT_ASSERT_NOT_NULL(test, set);
	KUNIT_EXPECT_EQ(test, nlwl_parse("/a,/b|p<99999>", 14, set, &err), -1);
	KUNIT_EXPECT_EQ(test, set->count, 0U);
	KUNIT_EXPECT_EQ(test, err.entry, 2U);
	KUNIT_EXPECT_STREQ(test, err.why, "bad port (0-65535, or a range lo-hi)");
}

static struct kunit_case wl_cases[] = {
	KUNIT_CASE(wl_cidr_and_ports),
	KUNIT_CASE(wl_ipv6_prefix),
	KUNIT_CASE(wl_canonical_round_trip),
	KUNIT_CASE(wl_errors_leave_nothing),
	{}
};

static struct kunit_suite wl_suite = {
	.name = "netlog_whitelist",
	.test_cases = wl_cases,
};

kunit_test_suite(wl_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests of netlog's whitelist rules");
