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

/*
 * A record's strings, gathered before it is written, so that its length is
 * known when it is reserved in the ring (netlog_strv_len()). Each must stay
 * as it is until written: a copy of what another task may change.
 */
#define NETLOG_STRV_MAX NETLOG_EXEC_STR_COUNT

struct netlog_strv {
	unsigned int n;
	const char *s[NETLOG_STRV_MAX];
	size_t len[NETLOG_STRV_MAX];
};

static inline void netlog_strv_add(struct netlog_strv *v, const void *s,
				   size_t len)
{
	if (v->n < NETLOG_STRV_MAX) {
		v->s[v->n] = s;
		v->len[v->n++] = len;
	}
}

u32 netlog_strv_len(const struct netlog_strv *v, u16 type, size_t fixed);
void netlog_put_strv(struct netlog_strings *w, const struct netlog_strv *v);

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
u32 netlog_strings_finish(struct netlog_strings *w);
u32 netlog_strings_end(struct netlog_strings *w);

#endif /* _NETLOG_REC_STRINGS_H */
