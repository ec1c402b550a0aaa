// SPDX-License-Identifier: GPL-2.0
#include <linux/align.h>
#include <linux/bug.h>
#include <linux/minmax.h>
#include <linux/string.h>

#include "rec_strings.h"

static const struct {
	u16 max;
	u32 trunc;
} bounds[NETLOG_CONFIG_STR_COUNT] = {
	[NETLOG_STR_COMM] = { NETLOG_COMM_MAX, NETLOG_F_TRUNC_COMM },
	[NETLOG_STR_TTY] = { NETLOG_TTY_MAX, NETLOG_F_TRUNC_TTY },
	[NETLOG_STR_EXE] = { NETLOG_EXE_MAX, NETLOG_F_TRUNC_EXE },
	[NETLOG_STR_CGROUP] = { NETLOG_CGROUP_MAX, NETLOG_F_TRUNC_CGROUP },
	/* callers shorten a longer value themselves (a fingerprint) */
	[NETLOG_STR_OLD] = { NETLOG_VALUE_MAX, 0 },
	[NETLOG_STR_NEW] = { NETLOG_VALUE_MAX, 0 },
};

void netlog_strings_start(struct netlog_strings *w, struct netlog_hdr *hdr,
			  u32 *flags, void *strings)
{
	w->hdr = hdr;
	w->flags = flags;
	w->p = strings;
	w->next = 0;
}

/*
 * Appends the next string in record order, keeping its last bytes when it
 * is longer than its bound (the end of a path names the program). @s may be
 * NULL when @len is 0. Strings past the last one are ignored.
 */
void netlog_put_string(struct netlog_strings *w, const char *s, size_t len)
{
	u16 n;

	if (WARN_ON_ONCE(w->next >= NETLOG_CONFIG_STR_COUNT))
		return;
	n = min_t(size_t, len, bounds[w->next].max);
	if (n < len)
		*w->flags |= bounds[w->next].trunc;
	memcpy(w->p, &n, sizeof(n));
	if (n)
		memcpy(w->p + sizeof(n), s + (len - n), n);
	w->p += sizeof(n) + n;
	w->next++;
}

/*
 * Puts empty strings for any not given, zero-pads the record to its
 * alignment, and sets and returns its length.
 */
u32 netlog_strings_end(struct netlog_strings *w)
{
	u8 *start = (u8 *)w->hdr;
	u8 *end;

	while (w->next < NETLOG_STR_COUNT)
		netlog_put_string(w, NULL, 0);
	end = start + ALIGN(w->p - start, NETLOG_REC_ALIGN);
	memset(w->p, 0, end - w->p);
	w->hdr->len = end - start;
	return w->hdr->len;
}
