// SPDX-License-Identifier: GPL-2.0
/*
 * execlog: an audit trail of execve and execveat, written to secure_log.
 *
 * Parameters (root only):
 *   whitelist  rules of execs not to record, in netlog's grammar, with the
 *              path of the program run and "u" only
 *   enabled    1 records (the default), 0 detaches the hooks
 *   stats      counters, read only
 * Every change, and the load and unload, is a config record.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>

#include "execlog.h"

static const char *exec_rule_check(const struct nlwl_rule *r)
{
	if (r->family || r->has_rport || r->has_lport)
		return "execlog rules take a path and u only";
	return NULL;
}

static struct nl_whitelist execlog_wl =
	NL_WHITELIST_INIT(execlog_wl, exec_rule_check, NULL);
module_param_cb(whitelist, &nl_whitelist_ops, &execlog_wl, 0600);
MODULE_PARM_DESC(whitelist,
		 "execs not to record: /path/of/program[|u<uid[-uid]>], separated by , or newline");

bool execlog_whitelisted(const char *exe, size_t exe_len, u32 uid)
{
	const struct nlwl_conn who = { .uid = uid };

	return nl_whitelist_match(&execlog_wl, exe, exe_len, &who);
}

static DEFINE_MUTEX(enabled_lock);
static bool enabled = true;
static bool live;	/* between init and exit; under enabled_lock */

static int enabled_set(const char *val, const struct kernel_param *kp)
{
	bool on, was;
	int ret;

	ret = kstrtobool(val, &on);
	if (ret)
		return ret;
	mutex_lock(&enabled_lock);
	was = enabled;
	if (live && on != was && on)
		ret = execlog_hooks_on();
	else if (live && on != was)
		execlog_hooks_off();
	if (!ret) {
		enabled = on;
		if (live && on != was)
			netlog_emit_config("enabled", was ? "1" : "0", 1,
					   on ? "1" : "0", 1);
	}
	mutex_unlock(&enabled_lock);
	return ret;
}

static const struct kernel_param_ops enabled_ops = {
	.set = enabled_set,
	.get = param_get_bool,
};
module_param_cb(enabled, &enabled_ops, &enabled, 0600);
MODULE_PARM_DESC(enabled, "1: record execs (default), 0: hooks detached");

static int stats_get(char *buf, const struct kernel_param *kp)
{
	struct execlog_counters c;

	execlog_stats(&c);
	return sysfs_emit(buf,
			  "exec emitted=%llu dropped=%llu filtered=%llu no_comm_before=%llu starting=%llu\n",
			  c.emitted, c.dropped, c.filtered, c.no_comm_before,
			  c.starting);
}

static const struct kernel_param_ops stats_ops = {
	.get = stats_get,
};
module_param_cb(stats, &stats_ops, NULL, 0400);
MODULE_PARM_DESC(stats, "counters (read only)");

static void record_lifecycle(bool loading)
{
	char s[64];
	size_t len = scnprintf(s, sizeof(s), "enabled=%d whitelist_entries=%u",
			       enabled, nl_whitelist_count(&execlog_wl));

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
	mutex_lock(&enabled_lock);
	ret = enabled ? execlog_hooks_on() : 0;
	live = !ret;
	mutex_unlock(&enabled_lock);
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
	mutex_lock(&enabled_lock);
	live = false;
	execlog_hooks_off();
	mutex_unlock(&enabled_lock);
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
