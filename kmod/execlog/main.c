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
#include <linux/mutex.h>

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

static DEFINE_MUTEX(probes_lock);
static unsigned long probes = EXECLOG_P_ALL;
static bool live;	/* between init and exit; under probes_lock */

/*
 * The probes in force, switched all at once: a mask that cannot be set
 * leaves the old one (and its hooks) in force.
 */
static int probes_apply(unsigned long mask, char *why, size_t size)
{
	unsigned long old;
	char o[8], n[8], v[24];
	int ret = netlog_may_change("probes", v,
				    scnprintf(v, sizeof(v), "%#lx", mask), why,
				    size);

	if (ret)
		return ret;
	if (mask & ~EXECLOG_P_ALL) {
		pr_warn("probes: %#lx is not a mask of 0x1 (exec) and 0x2 (exec_failed); probes unchanged\n",
			mask);
		if (why)
			scnprintf(why, size,
				  "probes %#lx: only 0x1 (exec) and 0x2 (exec_failed) exist",
				  mask);
		return -EINVAL;
	}
	mutex_lock(&probes_lock);
	old = probes;
	if (live && mask != old) {
		ret = execlog_hooks_set(mask);
		if (ret)
			execlog_hooks_set(old);
	}
	if (!ret && mask != old) {
		probes = mask;
		if (live)
			netlog_emit_config("probes", o,
					   scnprintf(o, sizeof(o), "%#lx", old),
					   n,
					   scnprintf(n, sizeof(n), "%#lx", mask));
	}
	mutex_unlock(&probes_lock);
	return ret;
}

static int probes_set(const char *val, const struct kernel_param *kp)
{
	unsigned long mask;
	int ret = secure_log_may_configure();

	if (ret)
		return ret;
	if (kstrtoul(val, 0, &mask)) {
		pr_warn("probes: \"%s\" is not a mask of 0x1 (exec) and 0x2 (exec_failed); probes unchanged\n",
			val);
		return -EINVAL;
	}
	return probes_apply(mask, NULL, 0);
}

static unsigned long probes_mask(void)
{
	return READ_ONCE(probes);
}

static int probes_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%#lx\n", READ_ONCE(probes));
}

static const struct kernel_param_ops probes_ops = {
	.set = probes_set,
	.get = probes_get,
};
module_param_cb(probes, &probes_ops, NULL, 0600);
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
	       execlog_hooks_stats(s);
}

static int stats_get(char *buf, const struct kernel_param *kp)
{
	return nl_stats_show(stats_walk, buf);
}

static const struct kernel_param_ops stats_ops = {
	.get = stats_get,
};
module_param_cb(stats, &stats_ops, NULL, 0400);
MODULE_PARM_DESC(stats, "counters (read only)");

static const char *const probe_names[] = { "exec", "exec_failed" };

/* execlog in the control plane (secure_log's generic netlink family). */
static struct secure_log_ctl execlog_ctl = {
	.name = "execlog",
	.probe_names = probe_names,
	.probe_count = ARRAY_SIZE(probe_names),
	.probes_get = probes_mask,
	.probes_set = probes_apply,
	NL_WHITELIST_CTL(&execlog_wl),
	.stats = stats_walk,
	.owner = THIS_MODULE,
	.locked = netlog_emit_locked,
};

static void record_lifecycle(bool loading)
{
	char s[64];
	size_t len = scnprintf(s, sizeof(s), "probes=%#lx whitelist_entries=%u",
			       probes, nl_whitelist_count(&execlog_wl));

	netlog_emit_lifecycle(loading, s, len);
}

static void hooks_stop(void)
{
	mutex_lock(&probes_lock);
	live = false;
	execlog_hooks_set(0);
	mutex_unlock(&probes_lock);
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
	mutex_lock(&probes_lock);
	ret = execlog_hooks_set(probes);
	if (ret)
		execlog_hooks_set(0);
	live = !ret;
	mutex_unlock(&probes_lock);
	if (ret)
		goto err_exec;
	ret = secure_log_ctl_add(&execlog_ctl);
	if (ret)
		goto err_hooks;
	record_lifecycle(true);
	pr_info("loaded\n");
	return 0;

err_hooks:
	hooks_stop();
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
	hooks_stop();
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
