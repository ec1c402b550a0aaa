/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Whitelist rules: parser, matcher and canonical printer. Plain C with no
 * allocation and no kernel dependency, so the same source is built into
 * netlog.ko and into the host unit tests and fuzzer.
 *
 * Grammar (one place; README.md repeats it with examples):
 *
 *   list   := entry { ("," | "\n") entry }        empty entries are skipped
 *   entry  := exe { "|" field }                   spaces around are trimmed
 *   exe    := absolute path of the executable, matched exactly
 *   field  := "i" value   remote address, IPv4 or IPv6, optional "/prefix"
 *           | "p" value   remote port or range "lo-hi" (activity_klog's p)
 *           | "r" value   the same as p
 *           | "l" value   local port or range (bind, listen, accept)
 *           | "u" value   the task's uid (real, as the initial user
 *                         namespace sees it), or a range "lo-hi"
 *           | "a" value   "preload": the rule applies also to a process
 *                         that may run more than its exe (NETLOG_F_PRELOAD:
 *                         a loader variable, a tracer, a write to its
 *                         memory), which no other rule whitelists
 *   value  := "<" text ">" | text                 the brackets are optional
 *
 * An omitted field matches anything; each field may appear once per entry.
 * execlog's rules take the path, "u" and "a" only, and match a successful exec
 * by the program it runs (a failed exec is always recorded).
 * An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is an IPv4 address, as in
 * netlog's records. A prefix must not leave host bits set. Limits:
 * NLWL_MAX_RULES entries, NLWL_PATH_MAX - 1 bytes of path, and the list
 * in canonical form must fit NLWL_TEXT_MAX bytes (one sysfs page).
 */
#ifndef _NETLOG_WL_RULES_H
#define _NETLOG_WL_RULES_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
/* Host builds pass -include tests/host/kernel_types.h for u8, u16, u32. */
#include <stdbool.h>
#include <stddef.h>
#endif

#define NLWL_MAX_RULES 128
#define NLWL_PATH_MAX 256
#define NLWL_TEXT_MAX 4095

struct nlwl_range {
	u32 lo;
	u32 hi;
};

struct nlwl_rule {
	u32 exe_hash;
	u16 exe_len;
	u8 family;		/* 0: any address, 4 or 6 */
	u8 prefix;		/* bits of addr that must match */
	u8 addr[16];	/* IPv4 in bytes 0-3 */
	bool has_rport;
	bool has_lport;
	bool has_uid;
	bool allow_preload;
	struct nlwl_range rport;
	struct nlwl_range lport;
	struct nlwl_range uid;
	char exe[NLWL_PATH_MAX];
};

struct nlwl_set {
	unsigned int count;
	struct nlwl_rule rules[NLWL_MAX_RULES];
};

/* Where and why a parse failed. */
struct nlwl_error {
	unsigned int entry;	/* 1-based number of the bad entry, 0 if none */
	const char *text;	/* the entry */
	size_t len;
	const char *why;
};

/* One socket action as netlog records it, or an exec (no endpoints). */
struct nlwl_conn {
	u8 family;		/* 4 or 6 */
	const u8 *raddr;	/* 16 bytes, IPv4 in bytes 0-3 */
	u16 rport;
	u16 lport;
	u32 uid;
	bool preload;		/* NETLOG_F_PRELOAD */
	u32 exe_hash;		/* nlwl_hash() of the exe, or 0: not known */
	bool lport_unknown;	/* a call's entry: no l<port> rule can match */
};

/*
 * What the rules say of an exe before any connection is known, kept by
 * netlog's process cache with the exe's path: no rule names it; rules name
 * it and the connection decides; a rule names it and nothing else, so that
 * whatever it does is silenced (_PRELOAD: even with a preload). Ordered:
 * the most a set says wins.
 */
enum nlwl_standing {
	NLWL_UNKNOWN,
	NLWL_NONE,
	NLWL_SOME,
	NLWL_ANY,
	NLWL_ANY_PRELOAD,
};

/*
 * Parses @len bytes of @text into @set (all of it or nothing: on error @set
 * is left empty). Returns 0 or -1 with @err filled.
 */
int nlwl_parse(const char *text, size_t len, struct nlwl_set *set,
	       struct nlwl_error *err);

/* Whether some rule matches the executable @exe and @conn. */
bool nlwl_match(const struct nlwl_set *set, const char *exe, size_t exe_len,
		const struct nlwl_conn *conn);

/*
 * Writes the set in canonical form, one rule per line, NUL-terminated.
 * Returns the length without the NUL, or -1 if @size is too small.
 */
int nlwl_format(const struct nlwl_set *set, char *buf, size_t size);
/* The same for @count rules from @rules. */
int nlwl_format_rules(const struct nlwl_rule *rules, unsigned int count,
		      char *buf, size_t size);

u32 nlwl_hash(const char *s, size_t len);
/* @exe's standing in @set (NULL: no rules); @hash as in struct nlwl_conn. */
enum nlwl_standing nlwl_exe_standing(const struct nlwl_set *set,
				     const char *exe, size_t exe_len,
				     u32 hash);

#endif /* _NETLOG_WL_RULES_H */
