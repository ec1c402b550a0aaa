// SPDX-License-Identifier: GPL-2.0
/*
 * netlog: an audit trail of network actions, written to secure_log.
 */
#include <linux/module.h>

#include "../include/secure_log.h"
#include "netlog.h"

/* The load and unload records: what netlog records from then on, or did. */
static void record_lifecycle(bool loading)
{
	char s[64];
	size_t len = scnprintf(s, sizeof(s), "probes=%#lx whitelist_entries=%u",
			       netlog_probes_mask(),
			       nl_whitelist_count(&netlog_wl));

	netlog_emit_lifecycle(loading, s, len);
}

static int __init netlog_init(void)
{
	int ret;

	ret = netlog_record_init();
	if (ret)
		goto err;
	ret = netlog_nat_init();
	if (ret)
		goto err_record;
	ret = netlog_probes_init();
	if (ret)
		goto err_nat;
	ret = secure_log_ctl_add(&netlog_ctl);
	if (ret)
		goto err_probes;
	record_lifecycle(true);
	/* Nothing to undo: what it could not record, it counts. */
	netlog_snapshot();
	pr_info("loaded\n");
	return 0;

err_probes:
	netlog_probes_exit();
err_nat:
	netlog_nat_exit();
err_record:
	netlog_record_exit();
err:
	/* insmod's whitelist= rules */
	nl_whitelist_exit(&netlog_wl);
	return ret;
}

static void __exit netlog_exit(void)
{
	record_lifecycle(false);
	secure_log_ctl_remove(&netlog_ctl);
	netlog_probes_exit();
	netlog_nat_exit();
	netlog_record_exit();
	nl_whitelist_exit(&netlog_wl);
	pr_info("unloaded\n");
}

module_init(netlog_init);
module_exit(netlog_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("netlog: audit trail of socket actions");
MODULE_SOFTDEP("pre: secure_log");
