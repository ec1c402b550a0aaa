// SPDX-License-Identifier: GPL-2.0
#include <linux/align.h>
#include <linux/bits.h>
#include <linux/kernel.h>
#include <linux/bug.h>
#include <linux/minmax.h>
#include <linux/string.h>

#include "rec_strings.h"

struct nl_str_bound {
	u16 max;
	u32 trunc;
};

#define WHO_BOUNDS                                                          \
	[NETLOG_STR_COMM] = { NETLOG_COMM_MAX, NETLOG_F_TRUNC_COMM },       \
	[NETLOG_STR_TTY] = { NETLOG_TTY_MAX, NETLOG_F_TRUNC_TTY },          \
	[NETLOG_STR_EXE] = { NETLOG_EXE_MAX, NETLOG_F_TRUNC_EXE },          \
	[NETLOG_STR_CGROUP] = { NETLOG_CGROUP_MAX, NETLOG_F_TRUNC_CGROUP }

static const struct nl_str_bound sock_bounds[NETLOG_SOCK_STR_COUNT] = {
	WHO_BOUNDS,
	[NETLOG_STR_EXE_LOADED] = { NETLOG_EXE_MAX, NETLOG_F_TRUNC_EXE_LOADED },
	[NETLOG_STR_CONNECT_SEQ] = { sizeof(__u64), 0 },
	[NETLOG_STR_OWNER] = { sizeof(__u32), 0 },
	[NETLOG_STR_OWNER_PID] = { sizeof(__u32), 0 },
	[NETLOG_STR_START] = { sizeof(__u64), 0 },
	[NETLOG_STR_LIFE] = { sizeof(struct netlog_life), 0 },
	[NETLOG_STR_NAT] = { sizeof(struct netlog_nat), 0 },
	[NETLOG_STR_DGRAM] = { sizeof(struct netlog_dgram), 0 },
};

static const struct nl_str_bound config_bounds[NETLOG_CONFIG_STR_COUNT] = {
	WHO_BOUNDS,
	/* callers shorten a longer value themselves (a fingerprint) */
	[NETLOG_STR_OLD] = { NETLOG_VALUE_MAX, 0 },
	[NETLOG_STR_NEW] = { NETLOG_VALUE_MAX, 0 },
	[NETLOG_STR_CONFIG_START] = { sizeof(__u64), 0 },
};

static const struct nl_str_bound exec_bounds[NETLOG_EXEC_STR_COUNT] = {
	WHO_BOUNDS,
	[NETLOG_STR_FILENAME] = { NETLOG_FILENAME_MAX,
				  NETLOG_F_TRUNC_FILENAME },
	[NETLOG_STR_COMM_BEFORE] = { NETLOG_COMM_MAX, 0 },
	[NETLOG_STR_CWD] = { NETLOG_CWD_MAX, NETLOG_F_TRUNC_CWD },
	/* the caller cuts argv at its start, and flags it */
	[NETLOG_STR_ARGV] = { NETLOG_ARGV_MAX, 0 },
	/* the caller cuts env at its end, and flags it */
	[NETLOG_STR_ENV] = { NETLOG_ENV_MAX, 0 },
	[NETLOG_STR_EXEC_START] = { sizeof(__u64), 0 },
};

static const struct {
	const struct nl_str_bound *bounds;
	unsigned int count;
} kinds[] = {
	[NETLOG_REC_SOCK] = { sock_bounds, ARRAY_SIZE(sock_bounds) },
	[NETLOG_REC_CONFIG] = { config_bounds, ARRAY_SIZE(config_bounds) },
	[NETLOG_REC_EXEC] = { exec_bounds, ARRAY_SIZE(exec_bounds) },
};

/* The strings of a record of @hdr->type, which must be set. */
void netlog_strings_start(struct netlog_strings *w, struct netlog_hdr *hdr,
			  u32 *flags, void *strings)
{
	w->hdr = hdr;
	w->flags = flags;
	w->p = strings;
	w->next = 0;
	w->bounds = NULL;
	w->count = 0;
	if (!WARN_ON_ONCE(hdr->type >= ARRAY_SIZE(kinds) ||
			  !kinds[hdr->type].bounds)) {
		w->bounds = kinds[hdr->type].bounds;
		w->count = kinds[hdr->type].count;
	}
}

/*
 * Appends the next string in record order, keeping its last bytes when it
 * is longer than its bound (the end of a path names the program). @s may be
 * NULL when @len is 0. Strings past the last one are ignored.
 */
void netlog_put_string(struct netlog_strings *w, const char *s, size_t len)
{
	u16 n;

	if (WARN_ON_ONCE(w->next >= w->count))
		return;
	n = min_t(size_t, len, w->bounds[w->next].max);
	if (n < len)
		*w->flags |= w->bounds[w->next].trunc;
	memcpy(w->p, &n, sizeof(n));
	if (n)
		memcpy(w->p + sizeof(n), s + (len - n), n);
	w->p += sizeof(n) + n;
	w->next++;
}

/* Appends @v as an 8-byte little-endian string. */
void netlog_put_le64(struct netlog_strings *w, u64 v)
{
	__le64 le = cpu_to_le64(v);

	netlog_put_string(w, (const char *)&le, sizeof(le));
}

/*
 * Appends @count strings already encoded (by a writer of the same record
 * type) at @src, @len bytes: they must be the next ones in record order.
 */
void netlog_put_encoded(struct netlog_strings *w, const u8 *src, size_t len,
			unsigned int count)
{
	if (WARN_ON_ONCE(w->next + count > w->count))
		return;
	memcpy(w->p, src, len);
	w->p += len;
	w->next += count;
}

/* The length of each of the @n strings encoded at @src. */
static void encoded_lengths(const u8 *src, u16 *len, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		memcpy(&len[i], src, sizeof(len[i]));
		src += sizeof(len[i]) + len[i];
	}
}

/*
 * Copies the @n strings of a NETLOG_REC_SOCK record encoded at @src, the
 * first ones in record order, into @dst of @size bytes, and returns the
 * bytes used. When they do not fit, room is shared out as water fills
 * vessels: each string keeps what it has up to an equal part of what the
 * shorter ones left, and a string cut keeps its last bytes and is flagged
 * in @flags, as netlog_put_string() does.
 */
size_t netlog_sock_strings_fit(u8 *dst, size_t size, const u8 *src,
			       unsigned int n, u32 *flags)
{
	u16 len[NETLOG_SOCK_STR_COUNT], keep[NETLOG_SOCK_STR_COUNT];
	size_t room, total = 0;
	unsigned int i, left;
	unsigned long done = 0;
	u8 *p = dst;

	if (WARN_ON_ONCE(n > ARRAY_SIZE(len) || size < n * sizeof(u16)))
		return 0;
	encoded_lengths(src, len, n);
	for (i = 0; i < n; i++)
		total += sizeof(u16) + len[i];
	if (total <= size) {
		memcpy(dst, src, total);
		return total;
	}

	room = size - n * sizeof(u16);
	left = 0;
	for (i = 0; i < n; i++) {
		keep[i] = 0;
		left += !!len[i];
	}
	for (; left; left--) {
		unsigned int min = n;

		/* the shortest string not yet given its room */
		for (i = 0; i < n; i++)
			if (!(done & BIT(i)) && len[i] &&
			    (min == n || len[i] < len[min]))
				min = i;
		keep[min] = min_t(size_t, len[min], room / left);
		room -= keep[min];
		done |= BIT(min);
	}
	for (i = 0; i < n; i++) {
		src += sizeof(u16);
		if (keep[i] < len[i])
			*flags |= sock_bounds[i].trunc;
		memcpy(p, &keep[i], sizeof(keep[i]));
		memcpy(p + sizeof(u16), src + len[i] - keep[i], keep[i]);
		p += sizeof(u16) + keep[i];
		src += len[i];
	}
	return p - dst;
}

/*
 * Puts empty strings for any not given, zero-pads the record to its
 * alignment, and sets and returns its length.
 */
u32 netlog_strings_end(struct netlog_strings *w)
{
	u8 *start = (u8 *)w->hdr;
	u8 *end;

	while (w->next < w->count)
		netlog_put_string(w, NULL, 0);
	end = start + ALIGN(w->p - start, NETLOG_REC_ALIGN);
	memset(w->p, 0, end - w->p);
	w->hdr->len = end - start;
	return w->hdr->len;
}
