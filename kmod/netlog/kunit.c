// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of netlog's in-kernel logic, run inside the kernel that
 * netlog.ko runs in: the whitelist rules (the host unit tests cover the
 * grammar in depth; these prove the same code behaves the same when built
 * by kbuild), the bounds of a record's strings and the per-uid shares.
 */
#include <kunit/test.h>

#include "../core/rec_strings.c"
#include "../core/table.c"
#include "../core/wl_rules.c"

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

/* A record buffer, filled with a marker so that untouched bytes show. */
static struct netlog_sock *rec_buf(struct kunit *test)
{
	u8 *buf = kunit_kmalloc(test, NETLOG_REC_MAX, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	memset(buf, 0xa5, NETLOG_REC_MAX);
	memset(buf, 0, sizeof(struct netlog_sock));
	((struct netlog_sock *)buf)->hdr.type = NETLOG_REC_SOCK;
	return (struct netlog_sock *)buf;
}

/* A string of @len bytes whose every byte tells its position from the end. */
static char *tail_marked(struct kunit *test, size_t len)
{
	char *s = kunit_kmalloc(test, len + 1, GFP_KERNEL);
	size_t i;

	KUNIT_ASSERT_NOT_NULL(test, s);
	for (i = 0; i < len; i++)
		s[i] = 'a' + (len - 1 - i) % 26;
	s[len] = '\0';
	return s;
}

/* Walks the strings of @rec as a reader does: string @idx and its length. */
static const u8 *string_at(const struct netlog_sock *rec, unsigned int idx,
			   u16 *len)
{
	const u8 *p = (const u8 *)(rec + 1);
	unsigned int i;

	for (i = 0;; i++) {
		memcpy(len, p, sizeof(*len));
		if (i == idx)
			return p + sizeof(*len);
		p += sizeof(*len) + *len;
	}
}

static const u16 str_max[NETLOG_SOCK_STR_COUNT] = {
	NETLOG_COMM_MAX, NETLOG_TTY_MAX, NETLOG_EXE_MAX, NETLOG_CGROUP_MAX,
	NETLOG_EXE_MAX, sizeof(__u64), sizeof(__u32), sizeof(__u32),
	sizeof(__u64), sizeof(struct netlog_life), sizeof(struct netlog_nat),
	sizeof(struct netlog_dgram)
};

static void str_at_bound_is_whole(struct kunit *test)
{
	struct netlog_sock *rec = rec_buf(test);
	struct netlog_strings w;
	unsigned int i;
	u16 len;

	netlog_strings_begin(&w, rec);
	for (i = 0; i < NETLOG_SOCK_STR_COUNT; i++)
		netlog_put_string(&w, tail_marked(test, str_max[i]),
				  str_max[i]);
	netlog_strings_end(&w);
	KUNIT_EXPECT_EQ(test, rec->flags, 0U);
	for (i = 0; i < NETLOG_SOCK_STR_COUNT; i++) {
		const u8 *s = string_at(rec, i, &len);

		KUNIT_EXPECT_EQ(test, len, str_max[i]);
		KUNIT_EXPECT_EQ(test, memcmp(s, tail_marked(test, str_max[i]),
					     str_max[i]), 0);
	}
	KUNIT_EXPECT_EQ(test, rec->hdr.len,
			(u32)ALIGN(sizeof(*rec) +
				   NETLOG_SOCK_STR_COUNT * sizeof(u16) +
				   NETLOG_COMM_MAX + NETLOG_TTY_MAX +
				   2 * NETLOG_EXE_MAX + NETLOG_CGROUP_MAX +
				   2 * sizeof(__u64) + 2 * sizeof(__u32) +
				   sizeof(struct netlog_life) +
				   sizeof(struct netlog_nat) +
				   sizeof(struct netlog_dgram),
				   NETLOG_REC_ALIGN));
}

/*
 * The longest inputs there are (a PATH_MAX exe and cgroup path, a tty name
 * over its bound) keep their last bytes, set every flag, and the record
 * still fits NETLOG_REC_MAX, zero-padded. A comm fits its bound today
 * (TASK_COMM_LEN is 16 with the NUL); one byte more proves its flag too.
 */
static void str_longest_keep_tail(struct kunit *test)
{
	static const size_t in[NETLOG_SOCK_STR_COUNT] = {
		NETLOG_COMM_MAX + 1, NETLOG_TTY_MAX + 1, PATH_MAX - 1,
		PATH_MAX - 1, PATH_MAX - 1, sizeof(__u64) + 1, sizeof(__u32) + 1,
		sizeof(__u32) + 1, sizeof(__u64) + 1,
		sizeof(struct netlog_life) + 1, sizeof(struct netlog_nat) + 1,
		sizeof(struct netlog_dgram) + 1
	};
	struct netlog_sock *rec = rec_buf(test);
	struct netlog_strings w;
	const u8 *end = NULL;
	unsigned int i;
	u16 len;

	rec->flags = NETLOG_F_ESTABLISHED;
	netlog_strings_begin(&w, rec);
	for (i = 0; i < NETLOG_SOCK_STR_COUNT; i++)
		netlog_put_string(&w, tail_marked(test, in[i]), in[i]);
	netlog_strings_end(&w);
	KUNIT_EXPECT_EQ(test, rec->flags,
			NETLOG_F_ESTABLISHED | NETLOG_F_TRUNC_COMM |
			NETLOG_F_TRUNC_TTY | NETLOG_F_TRUNC_EXE |
			NETLOG_F_TRUNC_CGROUP | NETLOG_F_TRUNC_EXE_LOADED);
	for (i = 0; i < NETLOG_SOCK_STR_COUNT; i++) {
		const u8 *s = string_at(rec, i, &len);

		KUNIT_EXPECT_EQ(test, len, str_max[i]);
		/* the tail: the same bytes as a string of exactly the bound */
		KUNIT_EXPECT_EQ(test, memcmp(s, tail_marked(test, str_max[i]),
					     str_max[i]), 0);
		end = s + len;
	}
	KUNIT_EXPECT_LE(test, rec->hdr.len, (u32)NETLOG_REC_MAX);
	KUNIT_EXPECT_EQ(test, rec->hdr.len % NETLOG_REC_ALIGN, 0U);
	while (end < (const u8 *)rec + rec->hdr.len)
		KUNIT_EXPECT_EQ(test, *end++, 0);
	/* nothing written past the record */
	KUNIT_EXPECT_EQ(test, *end, 0xa5);
}

static void str_missing_are_empty(struct kunit *test)
{
	struct netlog_sock *rec = rec_buf(test);
	struct netlog_strings w;
	unsigned int i;
	u16 len;

	netlog_strings_begin(&w, rec);
	netlog_put_string(&w, "nc", 2);
	netlog_put_string(&w, NULL, 0);
	netlog_strings_end(&w);
	KUNIT_EXPECT_EQ(test, rec->flags, 0U);
	KUNIT_EXPECT_EQ(test, memcmp(string_at(rec, 0, &len), "nc", 2), 0);
	KUNIT_EXPECT_EQ(test, len, 2);
	for (i = 1; i < NETLOG_SOCK_STR_COUNT; i++) {
		string_at(rec, i, &len);
		KUNIT_EXPECT_EQ(test, len, 0);
	}
	KUNIT_EXPECT_EQ(test, rec->hdr.len,
			(u32)ALIGN(sizeof(*rec) +
				   NETLOG_SOCK_STR_COUNT * sizeof(u16) + 2,
				   NETLOG_REC_ALIGN));
}

/*
 * What connect_done keeps of its connect's strings: all of them when they
 * fit; else the short ones whole and the long ones cut to equal shares of
 * the rest, keeping their tails, and flagged.
 */
static void str_fit_shares_out_the_room(struct kunit *test)
{
	static const size_t in[NETLOG_STR_CONNECT_SEQ] = { 4, 5, 500, 300, 0 };
	static const u16 kept[NETLOG_STR_CONNECT_SEQ] = { 4, 5, 183, 182, 0 };
	struct netlog_sock *rec = rec_buf(test);
	u8 *out = kunit_kzalloc(test, NETLOG_DONE_STR_MAX, GFP_KERNEL);
	struct netlog_strings w;
	const u8 *src, *p;
	u32 flags = 0;
	unsigned int i;
	size_t n;
	u16 len;

	KUNIT_ASSERT_NOT_NULL(test, out);
	netlog_strings_begin(&w, rec);
	netlog_put_string(&w, "nc", 2);
	netlog_put_string(&w, "pts/1", 5);
	src = (const u8 *)(rec + 1);
	n = netlog_sock_strings_fit(out, NETLOG_DONE_STR_MAX, src, 2, &flags);
	KUNIT_EXPECT_EQ(test, n, (size_t)(w.p - src));
	KUNIT_EXPECT_EQ(test, memcmp(out, src, n), 0);
	KUNIT_EXPECT_EQ(test, flags, 0U);

	netlog_strings_begin(&w, rec);
	for (i = 0; i < ARRAY_SIZE(in); i++)
		netlog_put_string(&w, tail_marked(test, in[i]), in[i]);
	n = netlog_sock_strings_fit(out, NETLOG_DONE_STR_MAX, src,
				    ARRAY_SIZE(in), &flags);
	KUNIT_EXPECT_EQ(test, n, (size_t)NETLOG_DONE_STR_MAX);
	KUNIT_EXPECT_EQ(test, flags,
			NETLOG_F_TRUNC_EXE | NETLOG_F_TRUNC_CGROUP);
	for (p = out, i = 0; i < ARRAY_SIZE(in); i++) {
		memcpy(&len, p, sizeof(len));
		KUNIT_EXPECT_EQ(test, len, kept[i]);
		KUNIT_EXPECT_EQ(test, memcmp(p + sizeof(len),
					     tail_marked(test, kept[i]),
					     kept[i]), 0);
		p += sizeof(len) + len;
	}
}

static struct kunit_case str_cases[] = {
	KUNIT_CASE(str_at_bound_is_whole),
	KUNIT_CASE(str_longest_keep_tail),
	KUNIT_CASE(str_missing_are_empty),
	KUNIT_CASE(str_fit_shares_out_the_room),
	{}
};

static struct kunit_suite str_suite = {
	.name = "netlog_record_strings",
	.test_cases = str_cases,
};

static struct nl_shares *shares(struct kunit *test, unsigned int share)
{
	struct nl_shares *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, s);
	nl_shares_reset(s, share);
	return s;
}

/* A uid's takes count against its share, whatever it gave back between. */
static void share_holds_a_uid_to_it(struct kunit *test)
{
	struct nl_shares *s = shares(test, 2);
	u16 a, b, c;

	KUNIT_EXPECT_TRUE(test, nl_share_take(s, 1000, &a));
	KUNIT_EXPECT_TRUE(test, nl_share_take(s, 1000, &b));
	KUNIT_EXPECT_EQ(test, a, b);
	KUNIT_EXPECT_FALSE(test, nl_share_take(s, 1000, &c));
	KUNIT_EXPECT_TRUE(test, nl_share_take(s, 0, &c));
	KUNIT_EXPECT_NE(test, c, a);
	nl_share_give(s, a);
	nl_share_give(s, b);
	/* free again: the same slot, which kept the uid */
	KUNIT_EXPECT_TRUE(test, nl_share_take(s, 1000, &b));
	KUNIT_EXPECT_EQ(test, a, b);
	KUNIT_EXPECT_TRUE(test, nl_share_take(s, NETLOG_UID_NONE, &c));
	KUNIT_EXPECT_EQ(test, c, NL_NO_OWNER);
}

/*
 * Every slot held by another uid sends the next to the untracked share;
 * a slot given back to 0 is taken over by a new uid, and the uid that had
 * it takes the next free one.
 */
static void share_slots_are_taken_over_when_free(struct kunit *test)
{
	struct nl_shares *s = shares(test, 1);
	u16 owner[NL_SHARE_OWNERS], o, again;
	unsigned int i;

	for (i = 0; i < NL_SHARE_OWNERS; i++)
		KUNIT_ASSERT_TRUE(test, nl_share_take(s, 2000 + i, &owner[i]));
	KUNIT_EXPECT_TRUE(test, nl_share_take(s, 5000, &o));
	KUNIT_EXPECT_EQ(test, o, NL_UNTRACKED);
	KUNIT_EXPECT_FALSE(test, nl_share_take(s, 5001, &o));
	nl_share_give(s, NL_UNTRACKED);

	nl_share_give(s, owner[7]);
	KUNIT_EXPECT_TRUE(test, nl_share_take(s, 5000, &o));
	KUNIT_EXPECT_EQ(test, o, owner[7]);
	/* 2007 lost its slot to 5000: it is untracked now, and only there */
	KUNIT_EXPECT_TRUE(test, nl_share_take(s, 2007, &o));
	KUNIT_EXPECT_EQ(test, o, NL_UNTRACKED);
	nl_share_give(s, owner[8]);
	KUNIT_EXPECT_TRUE(test, nl_share_take(s, 2007, &again));
	KUNIT_EXPECT_EQ(test, again, owner[8]);
	KUNIT_EXPECT_FALSE(test, nl_share_take(s, 2007, &again));
	/* 2008's slot is 2007's now, and the untracked share is 2007's too */
	KUNIT_EXPECT_FALSE(test, nl_share_take(s, 2008, &o));
}

/*
 * A uid never holds two slots: one that found the slot its hash names
 * held by another keeps the one it took, after that slot is free again.
 */
static void share_slots_are_one_per_uid(struct kunit *test)
{
	struct nl_shares *s = shares(test, 4);
	u32 a = 3000, b = 3001;
	u16 oa, ob, again;

	while (hash_32(b, NL_SHARE_OWNER_BITS) != hash_32(a, NL_SHARE_OWNER_BITS))
		b++;
	KUNIT_ASSERT_TRUE(test, nl_share_take(s, b, &ob));
	KUNIT_ASSERT_TRUE(test, nl_share_take(s, a, &oa));
	KUNIT_EXPECT_NE(test, oa, ob);
	nl_share_give(s, ob);
	KUNIT_EXPECT_TRUE(test, nl_share_take(s, a, &again));
	KUNIT_EXPECT_EQ(test, again, oa);
	KUNIT_EXPECT_TRUE(test, nl_share_take(s, b, &again));
	KUNIT_EXPECT_EQ(test, again, ob);
}

static struct kunit_case share_cases[] = {
	KUNIT_CASE(share_holds_a_uid_to_it),
	KUNIT_CASE(share_slots_are_taken_over_when_free),
	KUNIT_CASE(share_slots_are_one_per_uid),
	{}
};

static struct kunit_suite share_suite = {
	.name = "netlog_shares",
	.test_cases = share_cases,
};

kunit_test_suites(&wl_suite, &str_suite, &share_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests of netlog's whitelist rules and record strings");
