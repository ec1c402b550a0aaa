// SPDX-License-Identifier: GPL-2.0
/*
 * execlog: an audit trail of execve and execveat, written to secure_log.
 *
 * Parameters (root only):
 *   whitelist  rules of execs not to record, in netlog's grammar, with the
 *              path of the program run, "u" and "a" only
 *   probes     0x1 successful execs, 0x2 failed ones (and comm_before);
 *              the hooks a probe needs are attached only while it is on
 *   stats      counters, read only
 * Every change, and the load and unload, is a config record.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "../include/secure_log.h"
#include "../core/ctl.h"
#include "execlog.h"

static const char *exec_rule_check(const struct nlwl_rule *r)
{
	if (r->family || r->has_rport || r->has_lport)
		return "execlog rules take a path, u and a only";
	return NULL;
}

static struct nl_whitelist execlog_wl =
	NL_WHITELIST_INIT(execlog_wl, exec_rule_check, NULL);
module_param_cb(whitelist, &nl_whitelist_ops, &execlog_wl, 0600);
MODULE_PARM_DESC(whitelist,
		 "execs not to record: /path/of/program[|u<uid[-uid]>][|a<preload>], separated by , or newline");

bool execlog_whitelisted(const char *exe, size_t exe_len, u32 uid,
			 bool preload)
{
	const struct nlwl_conn who = { .uid = uid, .preload = preload };

	return nl_whitelist_match(&execlog_wl, exe, exe_len, &who);
}

static unsigned long probes_mask(void)
{
	return nl_probes_on(&execlog_hooks);
}

static int probes_set(unsigned long mask, char *why, size_t size)
{
	return nl_probes_set(&execlog_hooks, mask, why, size);
}

module_param_cb(probes, &nl_probes_ops, &execlog_hooks, 0600);
MODULE_PARM_DESC(probes,
		 "0x1 exec: successful execs; 0x2 exec_failed: failed execs and comm_before (a return probe on the exec calls); default 0x3");

static int stats_walk(struct secure_log_stats *s)
{
	struct execlog_counters c;

	execlog_stats(&c);
	return s->row(s, "probe", "exec") ?:
	       s->val(s, "emitted", c.emitted, false) ?:
	       s->val(s, "dropped", c.dropped, false) ?:
	       s->val(s, "filtered", c.filtered, false) ?:
	       s->val(s, "no_comm_before", c.no_comm_before, false) ?:
	       s->val(s, "starting", c.starting, true) ?:
	       nl_hooks_stats(&execlog_hooks, s);
}

static int (*stats_fn)(struct secure_log_stats *s) = stats_walk;
module_param_cb(stats, &nl_stats_ops, &stats_fn, 0400);
MODULE_PARM_DESC(stats, "counters (read only)");

/* execlog in the control plane (secure_log's generic netlink family). */
static struct secure_log_ctl execlog_ctl = {
	.name = "execlog",
	.probe_names = execlog_probe_names,
	.probe_count = EXECLOG_PROBE_COUNT,
	.probes_default = EXECLOG_P_DEFAULT,
	.probes_get = probes_mask,
	.probes_set = probes_set,
	NL_WHITELIST_CTL(&execlog_wl),
	.stats = stats_walk,
	.owner = THIS_MODULE,
	.locked = netlog_emit_locked,
};

static void record_lifecycle(bool loading)
{
	char s[64];
	size_t len = scnprintf(s, sizeof(s), "probes=%#lx whitelist_entries=%u",
			       probes_mask(), nl_whitelist_count(&execlog_wl));

	netlog_emit_lifecycle(loading, s, len);
}

static int __init execlog_init(void)
{
	int ret;

	ret = nl_attr_init();
	if (ret)
		goto err;
	ret = execlog_exec_init();
	if (ret)
		goto err_attr;
	ret = secure_log_ctl_add(&execlog_ctl);
	if (ret)
		goto err_exec;
	record_lifecycle(true);
	pr_info("loaded\n");
	return 0;

err_exec:
	execlog_exec_exit();
err_attr:
	nl_attr_exit();
err:
	return ret;
}

static void __exit execlog_exit(void)
{
	record_lifecycle(false);
	secure_log_ctl_remove(&execlog_ctl);
	execlog_exec_exit();
	nl_whitelist_exit(&execlog_wl);
	nl_attr_exit();
	pr_info("unloaded\n");
}

module_init(execlog_init);
module_exit(execlog_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("execlog: audit trail of execve and execveat");
MODULE_SOFTDEP("pre: secure_log");
