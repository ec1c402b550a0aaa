/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NETLOG_WHITELIST_H
#define _NETLOG_WHITELIST_H

#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>

#include "wl_rules.h"

struct wl_holder;

/* A whitelist parameter's state: its kernel_param's argument. */
struct nl_whitelist {
	struct wl_holder __rcu *cur;
	struct mutex lock;	/* serialises writers */
	/* why a parsed rule is refused here, or NULL (optional) */
	const char *(*check)(const struct nlwl_rule *r);
	/* after a change, under lock (optional) */
	void (*changed)(void);
};

#define NL_WHITELIST_INIT(name, chk, chg)                                     \
	{ .lock = __MUTEX_INITIALIZER(name.lock), .check = chk, .changed = chg }

extern const struct kernel_param_ops nl_whitelist_ops;

/* Whether any rule is in force: no lock, for skipping work; the match decides. */
static inline bool nl_whitelist_in_force(struct nl_whitelist *wl)
{
	return rcu_access_pointer(wl->cur);
}

bool nl_whitelist_match(struct nl_whitelist *wl, const char *exe,
			size_t exe_len, const struct nlwl_conn *conn);
/* @exe's standing in the rules in force (nlwl_exe_standing()). */
enum nlwl_standing nl_whitelist_standing(struct nl_whitelist *wl,
					 const char *exe, size_t exe_len,
					 u32 hash);
int nl_whitelist_store(struct nl_whitelist *wl, const char *val, char *out,
		       size_t size);
int nl_whitelist_show(struct nl_whitelist *wl, char *buf, size_t size);
unsigned int nl_whitelist_count(struct nl_whitelist *wl);
void nl_whitelist_exit(struct nl_whitelist *wl);

int nl_whitelist_ctl_get(void *wl, char *buf, size_t size);
int nl_whitelist_ctl_set(void *wl, const char *rules, char *why, size_t size);
unsigned int nl_whitelist_ctl_count(void *wl);

#define NL_WHITELIST_CTL(whitelist)                                          \
	.whitelist_get = nl_whitelist_ctl_get,                                \
	.whitelist_set = nl_whitelist_ctl_set,                                \
	.whitelist_count = nl_whitelist_ctl_count, .wl = (whitelist)

#endif /* _NETLOG_WHITELIST_H */
