// SPDX-License-Identifier: GPL-2.0
/*
 * A whitelist module parameter: rules in wl_rules.c, published under RCU.
 * netlog and execlog each have one (struct nl_whitelist, the parameter's
 * argument); this file is built into both.
 *
 * A write parses into a new set and replaces the old one only if every entry
 * is valid, so a typo never loses the rules in force. Readers (the probe
 * handlers) take no lock and allocate nothing: rcu_dereference() and a scan.
 * The old set is freed after a grace period.
 */
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

#include "../include/secure_log.h"
#include "attr.h"
#include "whitelist.h"

struct wl_holder {
	struct rcu_head rcu;
	struct nlwl_set set;
};

bool nl_whitelist_match(struct nl_whitelist *wl, const char *exe,
			size_t exe_len, const struct nlwl_conn *conn)
{
	const struct wl_holder *h;
	bool hit;

	rcu_read_lock();
	h = rcu_dereference(wl->cur);
	hit = h && nlwl_match(&h->set, exe, exe_len, conn);
	rcu_read_unlock();
	return hit;
}

enum nlwl_standing nl_whitelist_standing(struct nl_whitelist *wl,
					 const char *exe, size_t exe_len,
					 u32 hash)
{
	const struct wl_holder *h;
	enum nlwl_standing s;

	rcu_read_lock();
	h = rcu_dereference(wl->cur);
	s = nlwl_exe_standing(h ? &h->set : NULL, exe, exe_len, hash);
	rcu_read_unlock();
	return s;
}

/* A set in canonical form on one line (rules separated by ','). */
static size_t one_line(const struct nlwl_set *set, char *buf, size_t size)
{
	int len = nlwl_format(set, buf, size);
	int i;

	if (len < 0)
		return 0;
	while (len && buf[len - 1] == '\n')
		len--;
	for (i = 0; i < len; i++)
		if (buf[i] == '\n')
			buf[i] = ',';
	return len;
}

/* The config record of a rules change: old and new, each a page at most. */
static void record_change(const struct nlwl_set *old, const struct nlwl_set *new)
{
	char *buf = kmalloc(2 * (PAGE_SIZE + NETLOG_FP_SIZE), GFP_KERNEL);
	char *obuf = buf, *nbuf = buf + PAGE_SIZE;
	char *ofp = buf + 2 * PAGE_SIZE, *nfp = ofp + NETLOG_FP_SIZE;
	const char *o, *n;
	size_t olen, nlen;

	if (!buf) {
		netlog_emit_config("whitelist", "?", 1, "?", 1);
		return;
	}
	olen = one_line(old, obuf, PAGE_SIZE);
	nlen = one_line(new, nbuf, PAGE_SIZE);
	o = netlog_config_value(obuf, &olen, old ? old->count : 0, ofp,
				NETLOG_FP_SIZE);
	n = netlog_config_value(nbuf, &nlen, new ? new->count : 0, nfp,
				NETLOG_FP_SIZE);
	netlog_emit_config("whitelist", o, olen, n, nlen);
	kfree(buf);
}

unsigned int nl_whitelist_count(struct nl_whitelist *wl)
{
	const struct wl_holder *h;
	unsigned int n;

	rcu_read_lock();
	h = rcu_dereference(wl->cur);
	n = h ? h->set.count : 0;
	rcu_read_unlock();
	return n;
}

/* A refusal, in the kernel log and in @out (of @size bytes) if given. */
static void reject(char *out, size_t size, unsigned int entry,
		   const char *text, size_t len, const char *why)
{
	int n = min_t(size_t, len, 300);

	if (entry)
		pr_warn("whitelist entry %u \"%.*s\": %s; rules unchanged\n",
			entry, n, text, why);
	else
		pr_warn("whitelist: %s; rules unchanged\n", why);
	if (out && entry)
		scnprintf(out, size, "entry %u \"%.*s\": %s", entry, n, text,
			  why);
	else if (out)
		scnprintf(out, size, "%s", why);
}

/* The first rule @wl->check refuses, reported as the parser reports. */
static int check_rules(struct nl_whitelist *wl, const struct nlwl_set *set,
		       char *out, size_t size)
{
	char text[NLWL_PATH_MAX + 96];
	const char *why;
	unsigned int i;

	for (i = 0; wl->check && i < set->count; i++) {
		int len;

		why = wl->check(&set->rules[i]);
		if (!why)
			continue;
		len = nlwl_format_rules(&set->rules[i], 1, text, sizeof(text));
		reject(out, size, i + 1, text, len > 0 ? len - 1 : 0, why);
		return -EINVAL;
	}
	return 0;
}

/*
 * Replaces @wl's rules with @val's, or refuses them all, saying why in the
 * kernel log and in @out (of @size bytes, if @out): the module parameter's
 * write and the control plane's WHITELIST_SET.
 */
int nl_whitelist_store(struct nl_whitelist *wl, const char *val, char *out,
		       size_t size)
{
	struct wl_holder *new, *old;
	struct nlwl_error err;
	int ret;

	ret = netlog_may_change("whitelist", val, strnlen(val, NLWL_TEXT_MAX + 1),
				out, size);
	if (ret)
		return ret;
	new = kvzalloc(sizeof(*new), GFP_KERNEL);
	if (!new)
		return -ENOMEM;
	if (nlwl_parse(val, NLWL_TEXT_MAX + 1, &new->set, &err)) {
		reject(out, size, err.entry, err.text, err.len, err.why);
		kvfree(new);
		return -EINVAL;
	}
	if (check_rules(wl, &new->set, out, size)) {
		kvfree(new);
		return -EINVAL;
	}
	if (!new->set.count) {
		kvfree(new);
		new = NULL;
	}

	mutex_lock(&wl->lock);
	old = rcu_dereference_protected(wl->cur, lockdep_is_held(&wl->lock));
	rcu_assign_pointer(wl->cur, new);
	/* Under the lock: the trail has the changes in the order they took. */
	record_change(old ? &old->set : NULL, new ? &new->set : NULL);
	if (wl->changed)
		wl->changed();
	mutex_unlock(&wl->lock);
	if (old)
		kvfree_rcu(old, rcu);
	pr_info("whitelist: %u rules\n", new ? new->set.count : 0);
	return 0;
}

static int whitelist_set(const char *val, const struct kernel_param *kp)
{
	return secure_log_may_configure() ?:
	       nl_whitelist_store(kp->arg, val, NULL, 0);
}

/* The rules in force, one per line, in @buf of @size bytes. */
int nl_whitelist_show(struct nl_whitelist *wl, char *buf, size_t size)
{
	const struct wl_holder *h;
	int len;

	rcu_read_lock();
	h = rcu_dereference(wl->cur);
	len = nlwl_format(h ? &h->set : NULL, buf, size);
	rcu_read_unlock();
	return len < 0 ? -EOVERFLOW : len;
}

static int whitelist_get(char *buf, const struct kernel_param *kp)
{
	return nl_whitelist_show(kp->arg, buf, PAGE_SIZE);
}

const struct kernel_param_ops nl_whitelist_ops = {
	.set = whitelist_set,
	.get = whitelist_get,
};

/* The control plane's whitelist operations (secure_log_ctl's wl). */
int nl_whitelist_ctl_get(void *wl, char *buf, size_t size)
{
	return nl_whitelist_show(wl, buf, size);
}

int nl_whitelist_ctl_set(void *wl, const char *rules, char *why, size_t size)
{
	return nl_whitelist_store(wl, rules, why, size);
}

unsigned int nl_whitelist_ctl_count(void *wl)
{
	return nl_whitelist_count(wl);
}

void nl_whitelist_exit(struct nl_whitelist *wl)
{
	/* No handler runs any more: the probes are gone. */
	kvfree(rcu_dereference_protected(wl->cur, true));
	RCU_INIT_POINTER(wl->cur, NULL);
}
