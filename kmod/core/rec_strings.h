/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The string tail of a record: comm, tty, exe and cgroup (every record of a
 * task's action), then old and new (a NETLOG_REC_CONFIG) or filename,
 * comm_before, cwd and argv (a NETLOG_REC_EXEC), each a
 * __u16 length and its bytes, cut to its bound by keeping the end and
 * flagged when cut. Plain code on a caller's buffer, so that KUnit can
 * drive it with any lengths.
 */
#ifndef _NETLOG_REC_STRINGS_H
#define _NETLOG_REC_STRINGS_H

#include <linux/types.h>

#include "../uapi/netlog.h"

struct nl_str_bound;

struct netlog_strings {
	struct netlog_hdr *hdr;	/* the record: its len is set at the end */
	u32 *flags;		/* its NETLOG_F_TRUNC_* bits */
	u8 *p;			/* where the next string goes */
	unsigned int next;	/* enum netlog_str of the next string */
	const struct nl_str_bound *bounds;	/* of the record's type */
	unsigned int count;	/* its strings */
};

void netlog_strings_start(struct netlog_strings *w, struct netlog_hdr *hdr,
			  u32 *flags, void *strings);

static inline void netlog_strings_begin(struct netlog_strings *w,
					struct netlog_sock *rec)
{
	netlog_strings_start(w, &rec->hdr, &rec->flags, rec + 1);
}

void netlog_put_string(struct netlog_strings *w, const char *s, size_t len);
void netlog_put_le64(struct netlog_strings *w, u64 v);
void netlog_put_encoded(struct netlog_strings *w, const u8 *src, size_t len,
			unsigned int count);
size_t netlog_sock_strings_fit(u8 *dst, size_t size, const u8 *src,
			       unsigned int n, u32 *flags);
u32 netlog_strings_end(struct netlog_strings *w);

#endif /* _NETLOG_REC_STRINGS_H */
