// SPDX-License-Identifier: GPL-2.0
/*
 * Whitelist rules: see wl_rules.h for the grammar. Also built on the host
 * (unit tests, fuzzer), hence the two sets of includes and no allocation.
 */
#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/string.h>
#else
#include <stdio.h>
#include <string.h>
#endif

#include "wl_rules.h"

u32 nlwl_hash(const char *s, size_t len)
{
	u32 h = 2166136261u;	/* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A decimal number of 1 to @digits digits, at most @max. */
static int parse_dec(const char *s, size_t len, unsigned int digits,
		     unsigned int max, unsigned int *out)
{
	unsigned long long v = 0;
	size_t i;

	if (!len || len > digits)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

/* A port (@digits 5) or uid (10) range, "n" or "lo-hi", at most @max. */
static int parse_range(const char *s, size_t len, struct nlwl_range *r,
		       unsigned int digits, unsigned int max, const char **why)
{
	const char *dash = memchr(s, '-', len);
	unsigned int lo, hi;

	*why = digits == 5 ? "bad port (0-65535, or a range lo-hi)" :
			     "bad uid (0-4294967294, or a range lo-hi)";
	if (!dash) {
		if (parse_dec(s, len, digits, max, &lo))
			return -1;
		hi = lo;
	} else if (parse_dec(s, dash - s, digits, max, &lo) ||
		   parse_dec(dash + 1, len - (dash + 1 - s), digits, max,
			     &hi)) {
		return -1;
	}
	if (lo > hi) {
		*why = "range is reversed";
		return -1;
	}
	r->lo = lo;
	r->hi = hi;
	return 0;
}

static int parse_v4(const char *s, size_t len, u8 *out)
{
	size_t start = 0, i;
	unsigned int n = 0, v;

	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != '.')
			continue;
		if (n == 4 || parse_dec(s + start, i - start, 3, 255, &v))
			return -1;
		out[n++] = v;
		start = i + 1;
	}
	return n == 4 ? 0 : -1;
}

static int parse_v6(const char *s, size_t len, u8 *out)
{
	u16 groups[8];
	int n = 0, gap = -1, k;
	size_t i = 0, j;

	if (len >= 2 && s[0] == ':' && s[1] == ':') {
		gap = 0;
		i = 2;
	} else if (len && s[0] == ':') {
		return -1;
	}
	while (i < len) {
		unsigned int v = 0;

		for (j = i; j < len && s[j] != ':'; j++)
			;
		if (memchr(s + i, '.', j - i)) {
			/* trailing dotted IPv4: the last two groups */
			u8 v4[4];

			if (j != len || n > 6 || parse_v4(s + i, j - i, v4))
				return -1;
			groups[n++] = v4[0] << 8 | v4[1];
			groups[n++] = v4[2] << 8 | v4[3];
			break;
		}
		if (j == i || j - i > 4 || n == 8)
			return -1;
		for (; i < j; i++) {
			int d = hex_digit(s[i]);

			if (d < 0)
				return -1;
			v = v << 4 | d;
		}
		groups[n++] = v;
		if (j == len)
			break;
		if (j + 1 < len && s[j + 1] == ':') {
			if (gap >= 0)
				return -1;
			gap = n;
			i = j + 2;
		} else {
			i = j + 1;
			if (i == len)
				return -1;
		}
	}
	if (gap < 0 ? n != 8 : n > 7)
		return -1;
	memset(out, 0, 16);
	for (k = 0; k < n; k++) {
		int pos = (gap < 0 || k < gap) ? k : 8 - (n - k);

		out[2 * pos] = groups[k] >> 8;
		out[2 * pos + 1] = groups[k] & 0xff;
	}
	return 0;
}

static bool v4_mapped(const u8 *a)
{
	static const u8 prefix[12] = { [10] = 0xff, [11] = 0xff };

	return !memcmp(a, prefix, sizeof(prefix));
}

/* Whether the first @bits bits of @a and @b agree. */
static bool prefix_equal(const u8 *a, const u8 *b, unsigned int bits)
{
	unsigned int bytes = bits / 8, rest = bits % 8;
	u8 mask;

	if (memcmp(a, b, bytes))
		return false;
	if (!rest)
		return true;
	mask = 0xff << (8 - rest);
	return ((a[bytes] ^ b[bytes]) & mask) == 0;
}

static bool host_bits_clear(const u8 *a, unsigned int bits)
{
	unsigned int i;

	for (i = bits; i < 128; i++)
		if (a[i / 8] & (0x80 >> (i % 8)))
			return false;
	return true;
}

static int parse_addr(const char *s, size_t len, struct nlwl_rule *r,
		      const char **why)
{
	const char *slash = memchr(s, '/', len);
	size_t alen = slash ? (size_t)(slash - s) : len;
	unsigned int bits, max;

	*why = "bad address (IPv4 or IPv6, optional /prefix)";
	memset(r->addr, 0, sizeof(r->addr));
	if (memchr(s, ':', alen)) {
		if (parse_v6(s, alen, r->addr))
			return -1;
		r->family = 6;
		max = 128;
	} else {
		if (parse_v4(s, alen, r->addr))
			return -1;
		r->family = 4;
		max = 32;
	}
	bits = max;
	if (slash && parse_dec(slash + 1, len - alen - 1, 3, max, &bits)) {
		*why = "bad prefix length";
		return -1;
	}
	if (r->family == 6 && v4_mapped(r->addr) && bits >= 96) {
		memmove(r->addr, r->addr + 12, 4);
		memset(r->addr + 4, 0, 12);
		r->family = 4;
		bits -= 96;
	}
	/* Host bits must be zero: 10.0.0.1/8 is more likely a typo. */
	if (!host_bits_clear(r->addr, bits)) {
		*why = "address has bits set beyond its prefix";
		return -1;
	}
	r->prefix = bits;
	return 0;
}

/* One field, "k<value>" or "kvalue", without its leading '|'. */
static int parse_field(const char *s, size_t len, struct nlwl_rule *r,
		       bool *seen, const char **why)
{
	char key = len ? s[0] : 0;
	const char *v = s + 1;
	size_t vlen = len ? len - 1 : 0;
	int idx;

	switch (key) {
	case 'i':
		idx = 0;
		break;
	case 'p':
	case 'r':
		idx = 1;
		break;
	case 'l':
		idx = 2;
		break;
	case 'u':
		idx = 3;
		break;
	case 'a':
		idx = 4;
		break;
	default:
		*why = "unknown field (i, p, r, l, u or a)";
		return -1;
	}
	if (seen[idx]) {
		*why = "field given twice";
		return -1;
	}
	seen[idx] = true;
	if (vlen && v[0] == '<') {
		if (vlen < 2 || v[vlen - 1] != '>') {
			*why = "unbalanced '<'";
			return -1;
		}
		v++;
		vlen -= 2;
	}
	if (!vlen) {
		*why = "empty field";
		return -1;
	}
	if (idx == 0)
		return parse_addr(v, vlen, r, why);
	if (idx == 1) {
		r->has_rport = true;
		return parse_range(v, vlen, &r->rport, 5, 65535, why);
	}
	if (idx == 3) {
		r->has_uid = true;
		return parse_range(v, vlen, &r->uid, 10, 4294967294U, why);
	}
	if (idx == 4) {
		*why = "bad allowance (preload)";
		r->allow_preload = vlen == 7 && !memcmp(v, "preload", 7);
		return r->allow_preload ? 0 : -1;
	}
	r->has_lport = true;
	return parse_range(v, vlen, &r->lport, 5, 65535, why);
}

static int parse_entry(const char *s, size_t len, struct nlwl_rule *r,
		       const char **why)
{
	const char *bar = memchr(s, '|', len);
	size_t plen = bar ? (size_t)(bar - s) : len;
	bool seen[5] = { false, false, false, false, false };
	size_t i;

	memset(r, 0, sizeof(*r));
	if (s[0] != '/') {
		*why = "executable path must be absolute";
		return -1;
	}
	if (plen >= NLWL_PATH_MAX) {
		*why = "executable path longer than 255 bytes";
		return -1;
	}
	for (i = 0; i < plen; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
			*why = "executable path has a control character";
			return -1;
		}
	}
	memcpy(r->exe, s, plen);
	r->exe_len = plen;
	r->exe_hash = nlwl_hash(s, plen);

	while (bar) {
		const char *f = bar + 1;
		size_t rest = len - (f - s);
		const char *next = memchr(f, '|', rest);
		size_t flen = next ? (size_t)(next - f) : rest;

		if (parse_field(f, flen, r, seen, why))
			return -1;
		bar = next;
	}
	return 0;
}

int nlwl_parse(const char *text, size_t len, struct nlwl_set *set,
	       struct nlwl_error *err)
{
	size_t start = 0, i;

	memset(err, 0, sizeof(*err));
	set->count = 0;
	len = strnlen(text, len);	/* a NUL ends the text */
	if (len > NLWL_TEXT_MAX) {
		err->why = "whitelist longer than 4095 bytes";
		goto fail;
	}
	for (i = 0; i <= len; i++) {
		const char *e;
		size_t elen;

		if (i < len && text[i] != ',' && text[i] != '\n')
			continue;
		e = text + start;
		elen = i - start;
		start = i + 1;
		while (elen && is_blank(e[0])) {
			e++;
			elen--;
		}
		while (elen && is_blank(e[elen - 1]))
			elen--;
		if (!elen)
			continue;
		err->entry++;
		err->text = e;
		err->len = elen;
		if (set->count == NLWL_MAX_RULES) {
			err->why = "more than 128 entries";
			goto fail;
		}
		if (parse_entry(e, elen, &set->rules[set->count], &err->why))
			goto fail;
		set->count++;
	}
	if (nlwl_format(set, NULL, 0) > NLWL_TEXT_MAX) {
		err->entry = 0;
		err->text = NULL;
		err->len = 0;
		err->why = "whitelist longer than 4095 bytes in canonical form";
		goto fail;
	}
	memset(err, 0, sizeof(*err));
	return 0;

fail:
	set->count = 0;
	return -1;
}

/* Whether @r is a rule for @exe, whose nlwl_hash() is @h. */
static bool names(const struct nlwl_rule *r, const char *exe, size_t exe_len,
		  u32 h)
{
	return r->exe_hash == h && r->exe_len == exe_len &&
	       !memcmp(r->exe, exe, exe_len);
}

enum nlwl_standing nlwl_exe_standing(const struct nlwl_set *set,
				     const char *exe, size_t exe_len,
				     u32 hash)
{
	enum nlwl_standing s = NLWL_NONE, rs;
	unsigned int i;
	u32 h;

	if (!set)
		return NLWL_NONE;
	h = hash ?: nlwl_hash(exe, exe_len);
	for (i = 0; i < set->count; i++) {
		const struct nlwl_rule *r = &set->rules[i];

		if (!names(r, exe, exe_len, h))
			continue;
		if (r->family || r->has_rport || r->has_lport || r->has_uid)
			rs = NLWL_SOME;
		else
			rs = r->allow_preload ? NLWL_ANY_PRELOAD : NLWL_ANY;
		if (rs > s)
			s = rs;
	}
	return s;
}

bool nlwl_match(const struct nlwl_set *set, const char *exe, size_t exe_len,
		const struct nlwl_conn *c)
{
	u32 h;
	unsigned int i;

	if (!set || !set->count)
		return false;
	h = c->exe_hash ?: nlwl_hash(exe, exe_len);
	for (i = 0; i < set->count; i++) {
		const struct nlwl_rule *r = &set->rules[i];

		if (!names(r, exe, exe_len, h))
			continue;
		if (r->family && (r->family != c->family ||
				  !prefix_equal(r->addr, c->raddr, r->prefix)))
			continue;
		if (r->has_rport &&
		    (c->rport < r->rport.lo || c->rport > r->rport.hi))
			continue;
		if (r->has_lport &&
		    (c->lport_unknown || c->lport < r->lport.lo ||
		     c->lport > r->lport.hi))
			continue;
		if (r->has_uid && (c->uid < r->uid.lo || c->uid > r->uid.hi))
			continue;
		if (c->preload && !r->allow_preload)
			continue;
		return true;
	}
	return false;
}

/* Appends to a bounded buffer, counting what did not fit. */
struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->len + n < o->size)
		memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void put_num(struct out *o, unsigned int v, bool hex)
{
	char tmp[12];
	int n = snprintf(tmp, sizeof(tmp), hex ? "%x" : "%u", v);

	put(o, tmp, n);
}

static void put_range(struct out *o, char key, const struct nlwl_range *r)
{
	char head[3] = { '|', key, '<' };

	put(o, head, 3);
	put_num(o, r->lo, false);
	if (r->hi != r->lo) {
		put(o, "-", 1);
		put_num(o, r->hi, false);
	}
	put(o, ">", 1);
}

/* RFC 5952: lowercase, no leading zeros, the longest zero run as "::". */
static void put_v6(struct out *o, const u8 *a)
{
	int best = -1, best_len = 1, run = 0, g;

	for (g = 0; g < 8; g++) {
		if (a[2 * g] || a[2 * g + 1]) {
			run = 0;
			continue;
		}
		if (++run > best_len) {
			best_len = run;
			best = g - run + 1;
		}
	}
	for (g = 0; g < 8; g++) {
		if (g == best) {
			put(o, "::", 2);
			g += best_len - 1;
			continue;
		}
		if (g && g != best + best_len)
			put(o, ":", 1);
		put_num(o, a[2 * g] << 8 | a[2 * g + 1], true);
	}
}

static void put_rule(struct out *o, const struct nlwl_rule *r)
{
	put(o, r->exe, r->exe_len);
	if (r->family) {
		put(o, "|i<", 3);
		if (r->family == 4) {
			unsigned int i;

			for (i = 0; i < 4; i++) {
				if (i)
					put(o, ".", 1);
				put_num(o, r->addr[i], false);
			}
		} else {
			put_v6(o, r->addr);
		}
		if (r->prefix != (r->family == 4 ? 32 : 128)) {
			put(o, "/", 1);
			put_num(o, r->prefix, false);
		}
		put(o, ">", 1);
	}
	if (r->has_rport)
		put_range(o, 'p', &r->rport);
	if (r->has_lport)
		put_range(o, 'l', &r->lport);
	if (r->has_uid)
		put_range(o, 'u', &r->uid);
	if (r->allow_preload)
		put(o, "|a<preload>", 11);
	put(o, "\n", 1);
}

int nlwl_format_rules(const struct nlwl_rule *rules, unsigned int count,
		      char *buf, size_t size)
{
	struct out o = { buf, size, 0 };
	unsigned int i;

	for (i = 0; i < count; i++)
		put_rule(&o, &rules[i]);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	if (!buf)
		return o.len;
	return o.len < size ? (int)o.len : -1;
}

int nlwl_format(const struct nlwl_set *set, char *buf, size_t size)
{
	return nlwl_format_rules(set ? set->rules : NULL, set ? set->count : 0,
				 buf, size);
}
