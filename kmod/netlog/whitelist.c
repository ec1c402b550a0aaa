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
