// SPDX-License-Identifier: GPL-2.0
/*
 * The whitelist module parameter: rules in wl_rules.c, published under RCU.
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

#include "netlog.h"
#include "wl_rules.h"

struct wl_holder {
	struct rcu_head rcu;
	struct nlwl_set set;
};

static struct wl_holder __rcu *wl_current;
static DEFINE_MUTEX(wl_lock);	/* serialises writers */

bool netlog_whitelisted(const char *exe, size_t exe_len,
			const struct netlog_sock *r)
{
	const struct nlwl_conn conn = {
		.family = r->family,
		.raddr = r->raddr,
		.rport = r->rport,
		.lport = r->lport,
	};
	const struct wl_holder *wl;
	bool hit;

	rcu_read_lock();
	wl = rcu_dereference(wl_current);
	hit = wl && nlwl_match(&wl->set, exe, exe_len, &conn);
	rcu_read_unlock();
	return hit;
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

unsigned int netlog_whitelist_count(void)
{
	const struct wl_holder *wl;
	unsigned int n;

	rcu_read_lock();
	wl = rcu_dereference(wl_current);
	n = wl ? wl->set.count : 0;
	rcu_read_unlock();
	return n;
}

static int whitelist_set(const char *val, const struct kernel_param *kp)
{
	struct wl_holder *new, *old;
	struct nlwl_error err;

	new = kvzalloc(sizeof(*new), GFP_KERNEL);
	if (!new)
		return -ENOMEM;
	if (nlwl_parse(val, NLWL_TEXT_MAX + 1, &new->set, &err)) {
		if (err.entry)
			pr_warn("whitelist entry %u \"%.*s\": %s; rules unchanged\n",
				err.entry, (int)min_t(size_t, err.len, 300),
				err.text, err.why);
		else
			pr_warn("whitelist: %s; rules unchanged\n", err.why);
		kvfree(new);
		return -EINVAL;
	}
	if (!new->set.count) {
		kvfree(new);
		new = NULL;
	}

	mutex_lock(&wl_lock);
	old = rcu_dereference_protected(wl_current, lockdep_is_held(&wl_lock));
	rcu_assign_pointer(wl_current, new);
	/* Under the lock: the trail has the changes in the order they took. */
	record_change(old ? &old->set : NULL, new ? &new->set : NULL);
	/* Destinations the old rules silenced are recorded from now on. */
	netlog_send_forget();
	mutex_unlock(&wl_lock);
	if (old)
		kvfree_rcu(old, rcu);
	pr_info("whitelist: %u rules\n", new ? new->set.count : 0);
	return 0;
}

static int whitelist_get(char *buf, const struct kernel_param *kp)
{
	const struct wl_holder *wl;
	int len;

	rcu_read_lock();
	wl = rcu_dereference(wl_current);
	len = nlwl_format(wl ? &wl->set : NULL, buf, PAGE_SIZE);
	rcu_read_unlock();
	return len < 0 ? -EOVERFLOW : len;
}

static const struct kernel_param_ops whitelist_ops = {
	.set = whitelist_set,
	.get = whitelist_get,
};
module_param_cb(whitelist, &whitelist_ops, NULL, 0600);
MODULE_PARM_DESC(whitelist,
		 "rules of activity not to record: /exe[|i<addr[/prefix]>][|p<port[-port]>][|l<port[-port]>], separated by , or newline");

void netlog_whitelist_exit(void)
{
	/* No handler runs any more: the probes are gone. */
	kvfree(rcu_dereference_protected(wl_current, true));
	RCU_INIT_POINTER(wl_current, NULL);
}
