// SPDX-License-Identifier: GPL-2.0
/*
 * secure_log: a root-only ring of binary audit records, /dev/secure_log.
 */
#include <linux/build_bug.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <net/genetlink.h>

#include "../include/secure_log.h"
#include "../uapi/netlog_ctl.h"
#include "secure_log_int.h"

/* Two of the longest records. */
#define SL_CAPACITY_MIN (2UL * NETLOG_REC_MAX)
#define SL_CAPACITY_MAX (256UL << 20)

static unsigned long capacity = 1UL << 20;
module_param(capacity, ulong, 0444);
MODULE_PARM_DESC(capacity,
		 "ring size in bytes, rounded up to a power of two in [4 KiB, 256 MiB] (default 1 MiB)");

static unsigned int uid_share = 50;
module_param(uid_share, uint, 0444);
MODULE_PARM_DESC(uid_share,
		 "most of the ring one uid may hold, in percent [1, 100] (default 50): a uid that floods loses its own records first");

struct sl_ring sl_ring;

int secure_log_submit(struct netlog_hdr *rec)
{
	return sl_ring_submit(&sl_ring, rec);
}
EXPORT_SYMBOL_GPL(secure_log_submit);

static int __init secure_log_init(void)
{
	int ret;

	BUILD_BUG_ON(sizeof(struct netlog_hdr) != 40);
	BUILD_BUG_ON(sizeof(struct netlog_lost) != 64);
	BUILD_BUG_ON(sizeof(struct netlog_lost_uids) != 136);
	BUILD_BUG_ON(sizeof(struct netlog_task) != 56);
	BUILD_BUG_ON(sizeof(struct netlog_sock) != 144);
	BUILD_BUG_ON(NETLOG_SOCK_MAX_LEN > NETLOG_REC_MAX);
	BUILD_BUG_ON(sizeof(struct netlog_exec) != 112);
	BUILD_BUG_ON(NETLOG_EXEC_MAX_LEN > NETLOG_REC_MAX);

	if (!capacity || capacity > SL_CAPACITY_MAX) {
		pr_err("capacity=%lu out of range [%lu, %lu]\n", capacity,
		       SL_CAPACITY_MIN, SL_CAPACITY_MAX);
		return -EINVAL;
	}
	capacity = roundup_pow_of_two(max(capacity, SL_CAPACITY_MIN));
	if (!uid_share || uid_share > 100) {
		pr_err("uid_share=%u out of range [1, 100]\n", uid_share);
		return -EINVAL;
	}

	ret = sl_ring_init(&sl_ring, capacity, uid_share);
	if (ret)
		goto err;
	ret = sl_chardev_init();
	if (ret)
		goto err_ring;
	ret = sl_ctl_init();
	if (ret)
		goto err_chardev;
	pr_info("ready, %lu bytes\n", capacity);
	return 0;

err_chardev:
	sl_chardev_exit();
err_ring:
	sl_ring_exit(&sl_ring);
err:
	return ret;
}

static void __exit secure_log_exit(void)
{
	sl_ctl_exit();
	sl_chardev_exit();
	sl_ring_exit(&sl_ring);
	pr_info("unloaded, %llu records produced, %llu lost\n",
		sl_ring.next_seq, sl_ring.lost_total);
}

module_init(secure_log_init);
module_exit(secure_log_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("secure_log: root-only ring of audit records");
MODULE_VERSION(NETLOG_VERSION);
MODULE_ALIAS_GENL_FAMILY(NETLOG_GENL_NAME);
