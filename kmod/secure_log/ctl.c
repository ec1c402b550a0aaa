// SPDX-License-Identifier: GPL-2.0
/*
 * The control plane: the generic netlink family "netlog" (uapi/netlog_ctl.h).
 *
 * secure_log owns the family and answers for the ring; netlog and execlog
 * join it with secure_log_ctl_add() and answer for their probes, whitelist
 * and counters through their own functions, the ones their module
 * parameters use. ctl_lock serialises the operations with each other and
 * with a module's leaving, so no operation runs into a module that is gone.
 *
 * The lock (NETLOG_CMD_LOCK, or lock=1 at load), like auditctl -e 2, lasts
 * until reboot: each module of the family, and secure_log itself, holds a
 * reference to itself from then on (a module that joins later, at once),
 * so that none can be unloaded, and the modules refuse every change of
 * their configuration, recording the attempt (secure_log_locked()).
 */
#include <linux/capability.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/genetlink.h>

#include "../include/secure_log.h"
#include "../uapi/netlog_ctl.h"
#include "secure_log_int.h"

#ifndef NETLOG_VERSION
#define NETLOG_VERSION "unknown"
#endif

static DEFINE_MUTEX(ctl_lock);
static LIST_HEAD(ctl_modules);
static bool locked;		/* written under ctl_lock, once */

static bool lock_at_load;

static int lock_param_set(const char *val, const struct kernel_param *kp)
{
	return kstrtobool(val, &lock_at_load);
}

static int lock_param_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%c\n", secure_log_locked() ? 'Y' : 'N');
}

static const struct kernel_param_ops lock_param_ops = {
	.set = lock_param_set,
	.get = lock_param_get,
};

/* Read-only once loaded: the way to lock later is NETLOG_CMD_LOCK. */
module_param_cb(lock, &lock_param_ops, NULL, 0444);
MODULE_PARM_DESC(lock,
		 "lock until reboot (Y): no module of netlog can be unloaded, no change is taken");

bool secure_log_locked(void)
{
	return READ_ONCE(locked);
}
EXPORT_SYMBOL_GPL(secure_log_locked);

/* Under ctl_lock. */
static void pin(struct secure_log_ctl *ctl)
{
	__module_get(ctl->owner);
	ctl->pinned = true;
}

int secure_log_ctl_add(struct secure_log_ctl *ctl)
{
	struct secure_log_ctl *c;
	int ret = 0;

	mutex_lock(&ctl_lock);
	list_for_each_entry(c, &ctl_modules, node)
		if (!strcmp(c->name, ctl->name))
			ret = -EEXIST;
	if (!ret) {
		list_add_tail(&ctl->node, &ctl_modules);
		if (locked)
			pin(ctl);
	}
	mutex_unlock(&ctl_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(secure_log_ctl_add);

/* Only a module that failed its init can get here once locked. */
void secure_log_ctl_remove(struct secure_log_ctl *ctl)
{
	mutex_lock(&ctl_lock);
	list_del(&ctl->node);
	if (ctl->pinned)
		module_put(ctl->owner);
	ctl->pinned = false;
	mutex_unlock(&ctl_lock);
}
EXPORT_SYMBOL_GPL(secure_log_ctl_remove);

/* Under ctl_lock; true if it was not locked before. */
static bool lock_all(void)
{
	struct secure_log_ctl *c;

	if (locked)
		return false;
	__module_get(THIS_MODULE);
	list_for_each_entry(c, &ctl_modules, node)
		pin(c);
	WRITE_ONCE(locked, true);
	pr_notice("locked until reboot: no unload, no change\n");
	return true;
}

static const struct nla_policy ctl_policy[NETLOG_A_MAX + 1] = {
	[NETLOG_A_MODNAME] = { .type = NLA_NUL_STRING, .len = 31 },
	[NETLOG_A_WHITELIST] = { .type = NLA_NUL_STRING,
				 .len = NETLOG_CTL_WHITELIST_MAX - 1 },
	[NETLOG_A_PROBES] = { .type = NLA_U64 },
};

static struct genl_family ctl_family;

/* The module a request names; under ctl_lock. */
static struct secure_log_ctl *ctl_find(struct genl_info *info)
{
	struct nlattr *a = info->attrs[NETLOG_A_MODNAME];
	struct secure_log_ctl *c;

	if (!a) {
		GENL_SET_ERR_MSG(info, "no module named");
		return ERR_PTR(-EINVAL);
	}
	list_for_each_entry(c, &ctl_modules, node)
		if (!nla_strcmp(a, c->name))
			return c;
	GENL_SET_ERR_MSG(info, "module not loaded");
	return ERR_PTR(-ENOENT);
}

static struct sk_buff *reply_new(struct genl_info *info, size_t size,
				 void **hdr)
{
	struct sk_buff *msg = genlmsg_new(size, GFP_KERNEL);

	if (!msg)
		return NULL;
	*hdr = genlmsg_put_reply(msg, info, &ctl_family, 0,
				 info->genlhdr->cmd);
	if (!*hdr) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static int reply_send(struct sk_buff *msg, void *hdr, struct genl_info *info)
{
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int put_u64(struct sk_buff *msg, int type, u64 v)
{
	return nla_put_u64_64bit(msg, type, v, NETLOG_A_PAD);
}

/* A refusal: its reason in a reply, then the error in the ack. */
static int refuse(struct genl_info *info, const char *why, int err)
{
	struct sk_buff *msg;
	void *hdr;

	msg = reply_new(info, NLMSG_GOODSIZE, &hdr);
	if (!msg)
		return err;
	if (nla_put_string(msg, NETLOG_A_ERROR, why)) {
		nlmsg_free(msg);
		return err;
	}
	reply_send(msg, hdr, info);
	return err;
}

static int put_module(struct sk_buff *msg, struct secure_log_ctl *c)
{
	struct nlattr *nest = nla_nest_start(msg, NETLOG_A_MODULE);

	if (!nest ||
	    nla_put_string(msg, NETLOG_A_MODNAME, c->name) ||
	    put_u64(msg, NETLOG_A_PROBES, c->probes_get()) ||
	    put_u64(msg, NETLOG_A_PROBES_ALL, BIT_ULL(c->probe_count) - 1) ||
	    put_u64(msg, NETLOG_A_PROBES_DEFAULT, c->probes_default) ||
	    nla_put_u32(msg, NETLOG_A_WHITELIST_RULES, c->whitelist_count(c->wl)))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int ctl_status(struct sk_buff *skb, struct genl_info *info)
{
	struct sl_ring_status st;
	struct secure_log_ctl *c;
	struct sk_buff *msg;
	void *hdr;
	int ret = -EMSGSIZE;

	msg = reply_new(info, NLMSG_GOODSIZE, &hdr);
	if (!msg)
		return -ENOMEM;
	sl_ring_status(&sl_ring, &st);
	if (nla_put_string(msg, NETLOG_A_VERSION, NETLOG_VERSION) ||
	    nla_put_u32(msg, NETLOG_A_ABI_MAJOR, NETLOG_ABI_MAJOR) ||
	    nla_put_u32(msg, NETLOG_A_ABI_MINOR, NETLOG_ABI_MINOR) ||
	    put_u64(msg, NETLOG_A_RING_CAPACITY, st.capacity) ||
	    put_u64(msg, NETLOG_A_RING_USED, st.used) ||
	    put_u64(msg, NETLOG_A_RING_PRODUCED, st.produced) ||
	    put_u64(msg, NETLOG_A_RING_LOST, st.lost) ||
	    nla_put_u32(msg, NETLOG_A_READERS, sl_chardev_readers()) ||
	    (secure_log_locked() && nla_put_flag(msg, NETLOG_A_LOCKED)))
		goto err;
	ret = 0;
	mutex_lock(&ctl_lock);
	list_for_each_entry(c, &ctl_modules, node) {
		ret = put_module(msg, c);
		if (ret)
			break;
	}
	mutex_unlock(&ctl_lock);
	if (ret)
		goto err;
	return reply_send(msg, hdr, info);

err:
	nlmsg_free(msg);
	return ret;
}

/* The STATS reply's sink: a STAT nest per row, a VALUE nest per counter. */
struct stats_msg {
	struct secure_log_stats s;
	struct sk_buff *msg;
	struct nlattr *row;
};

static int stats_row(struct secure_log_stats *s, const char *kind,
		     const char *name)
{
	struct stats_msg *m = container_of(s, struct stats_msg, s);

	if (m->row)
		nla_nest_end(m->msg, m->row);
	m->row = nla_nest_start(m->msg, NETLOG_A_STAT);
	if (!m->row ||
	    nla_put_string(m->msg, NETLOG_A_STAT_KIND, kind) ||
	    nla_put_string(m->msg, NETLOG_A_STAT_NAME, name))
		return -EMSGSIZE;
	return 0;
}

static int stats_val(struct secure_log_stats *s, const char *key, u64 val,
		     bool gauge)
{
	struct stats_msg *m = container_of(s, struct stats_msg, s);
	struct nlattr *nest = nla_nest_start(m->msg, NETLOG_A_VALUE);

	if (!nest ||
	    nla_put_string(m->msg, NETLOG_A_VALUE_KEY, key) ||
	    put_u64(m->msg, NETLOG_A_VALUE_U64, val) ||
	    (gauge && nla_put_flag(m->msg, NETLOG_A_VALUE_GAUGE)))
		return -EMSGSIZE;
	nla_nest_end(m->msg, nest);
	return 0;
}

/* Room for every row of either module, with a margin. */
#define STATS_MSG_SIZE (32 * 1024)

static int ctl_stats(struct sk_buff *skb, struct genl_info *info)
{
	struct stats_msg m = { .s = { .row = stats_row, .val = stats_val } };
	struct secure_log_ctl *c;
	void *hdr;
	int ret;

	m.msg = reply_new(info, STATS_MSG_SIZE, &hdr);
	if (!m.msg)
		return -ENOMEM;
	mutex_lock(&ctl_lock);
	c = ctl_find(info);
	ret = IS_ERR(c) ? PTR_ERR(c) : c->stats(&m.s);
	mutex_unlock(&ctl_lock);
	if (ret) {
		nlmsg_free(m.msg);
		return ret;
	}
	if (m.row)
		nla_nest_end(m.msg, m.row);
	return reply_send(m.msg, hdr, info);
}

static int ctl_whitelist_get(struct sk_buff *skb, struct genl_info *info)
{
	struct secure_log_ctl *c;
	struct sk_buff *msg;
	char *text;
	void *hdr;
	int len;

	text = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!text)
		return -ENOMEM;
	mutex_lock(&ctl_lock);
	c = ctl_find(info);
	len = IS_ERR(c) ? PTR_ERR(c) : c->whitelist_get(c->wl, text, PAGE_SIZE);
	mutex_unlock(&ctl_lock);
	if (len < 0)
		goto out;
	msg = reply_new(info, len + NLMSG_GOODSIZE, &hdr);
	if (!msg) {
		len = -ENOMEM;
		goto out;
	}
	text[min_t(int, len, PAGE_SIZE - 1)] = '\0';
	if (nla_put_string(msg, NETLOG_A_WHITELIST, text)) {
		nlmsg_free(msg);
		len = -EMSGSIZE;
		goto out;
	}
	len = reply_send(msg, hdr, info);
out:
	kfree(text);
	return len;
}

/* The reason for a refusal, at most a line. */
#define WHY_MAX 512

/* Changes need root's other power too: the parameters are root's alone. */
static int ctl_change(struct sk_buff *skb, struct genl_info *info)
{
	struct secure_log_ctl *c;
	char *why;
	int ret;

	if (!netlink_capable(skb, CAP_SYS_ADMIN))
		return -EPERM;
	why = kzalloc(WHY_MAX, GFP_KERNEL);
	if (!why)
		return -ENOMEM;
	mutex_lock(&ctl_lock);
	c = ctl_find(info);
	if (IS_ERR(c)) {
		ret = PTR_ERR(c);
	} else if (info->genlhdr->cmd == NETLOG_CMD_WHITELIST_SET) {
		ret = GENL_REQ_ATTR_CHECK(info, NETLOG_A_WHITELIST) ? -EINVAL :
		      c->whitelist_set(c->wl,
				       nla_data(info->attrs[NETLOG_A_WHITELIST]),
				       why, WHY_MAX);
	} else {
		ret = GENL_REQ_ATTR_CHECK(info, NETLOG_A_PROBES) ? -EINVAL :
		      c->probes_set(nla_get_u64(info->attrs[NETLOG_A_PROBES]),
				    why, WHY_MAX);
	}
	mutex_unlock(&ctl_lock);
	if (ret && why[0])
		ret = refuse(info, why, ret);
	kfree(why);
	return ret;
}

/* Each module records the lock, by whom, the first time. */
static int ctl_lock_cmd(struct sk_buff *skb, struct genl_info *info)
{
	struct secure_log_ctl *c;

	if (!netlink_capable(skb, CAP_SYS_ADMIN))
		return -EPERM;
	mutex_lock(&ctl_lock);
	if (lock_all())
		list_for_each_entry(c, &ctl_modules, node)
			if (c->locked)
				c->locked();
	mutex_unlock(&ctl_lock);
	return 0;
}

static int ctl_probes_get(struct sk_buff *skb, struct genl_info *info)
{
	struct secure_log_ctl *c;
	struct sk_buff *msg;
	unsigned int i;
	void *hdr;
	int ret = 0;

	msg = reply_new(info, NLMSG_GOODSIZE, &hdr);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&ctl_lock);
	c = ctl_find(info);
	if (IS_ERR(c)) {
		ret = PTR_ERR(c);
	} else if (put_u64(msg, NETLOG_A_PROBES, c->probes_get()) ||
		   put_u64(msg, NETLOG_A_PROBES_ALL,
			   BIT_ULL(c->probe_count) - 1) ||
		   put_u64(msg, NETLOG_A_PROBES_DEFAULT, c->probes_default)) {
		ret = -EMSGSIZE;
	}
	for (i = 0; !ret && i < c->probe_count; i++)
		if (nla_put_string(msg, NETLOG_A_PROBE_NAME,
				   c->probe_names[i]))
			ret = -EMSGSIZE;
	mutex_unlock(&ctl_lock);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return reply_send(msg, hdr, info);
}

static const struct genl_small_ops ctl_ops[] = {
	{
		.cmd = NETLOG_CMD_STATUS,
		.doit = ctl_status,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = NETLOG_CMD_STATS,
		.doit = ctl_stats,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = NETLOG_CMD_WHITELIST_GET,
		.doit = ctl_whitelist_get,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = NETLOG_CMD_WHITELIST_SET,
		.doit = ctl_change,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = NETLOG_CMD_PROBES_GET,
		.doit = ctl_probes_get,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = NETLOG_CMD_PROBES_SET,
		.doit = ctl_change,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = NETLOG_CMD_LOCK,
		.doit = ctl_lock_cmd,
		.flags = GENL_ADMIN_PERM,
	},
};

static struct genl_family ctl_family __ro_after_init = {
	.name = NETLOG_GENL_NAME,
	.version = NETLOG_GENL_VERSION,
	.maxattr = NETLOG_A_MAX,
	.policy = ctl_policy,
	.module = THIS_MODULE,
	.small_ops = ctl_ops,
	.n_small_ops = ARRAY_SIZE(ctl_ops),
	.resv_start_op = NETLOG_CMD_STATUS,
	/* .netnsok unset: the initial network namespace only */
};

int sl_ctl_init(void)
{
	int ret = genl_register_family(&ctl_family);

	if (!ret && lock_at_load) {
		mutex_lock(&ctl_lock);
		lock_all();
		mutex_unlock(&ctl_lock);
	}
	return ret;
}

void sl_ctl_exit(void)
{
	genl_unregister_family(&ctl_family);
}
