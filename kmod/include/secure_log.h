/* SPDX-License-Identifier: GPL-2.0 */
/*
 * secure_log producer API, for modules that write into /dev/secure_log, and
 * the control plane they join (the generic netlink family in ctl.c).
 */
#ifndef _SECURE_LOG_H
#define _SECURE_LOG_H

#include <linux/capability.h>
#include <linux/errno.h>
#include <linux/list.h>
#include <linux/types.h>

#include "../uapi/netlog.h"

/*
 * Append one record to the ring. The caller fills hdr.type, hdr.len, hdr.uid
 * (whose share of the ring it uses, NETLOG_UID_NONE for none) and the body;
 * secure_log stamps the ABI version, sequence number, times and CPU.
 * Never sleeps and never waits for the reader, so it may be called from any
 * context, kprobe handlers included. Returns 0, -ENOSPC when the record was
 * dropped because the ring was full (it is counted and reported in-stream as
 * a NETLOG_REC_LOST record), or -EINVAL for a malformed length. Unless
 * -EINVAL, hdr.seq then holds the record's sequence number, delivered or
 * not, for a later record to refer to.
 */
int secure_log_submit(struct netlog_hdr *rec);

/*
 * Where a module's counters go, row by row: the stats parameter's text and
 * the STATS command's attributes are two sinks of the one walk over them.
 * Each returns 0, or an error that ends the walk.
 */
struct secure_log_stats {
	int (*row)(struct secure_log_stats *s, const char *kind,
		   const char *name);
	int (*val)(struct secure_log_stats *s, const char *key, u64 val,
		   bool gauge);
};

/*
 * A module in the control plane. Every operation runs in process context
 * (it may sleep), one at a time, and never after secure_log_ctl_remove()
 * has returned. A change must be the very operation the module parameter
 * does, config record included; @why (of @size bytes) gets the reason for a
 * refusal.
 */
struct secure_log_ctl {
	const char *name;
	const char *const *probe_names;	/* bit n's name */
	unsigned int probe_count;
	unsigned long probes_default;	/* on at load */
	unsigned long (*probes_get)(void);
	int (*probes_set)(unsigned long mask, char *why, size_t size);
	/* the rules, one per line, or -errno; @wl is the next member */
	int (*whitelist_get)(void *wl, char *buf, size_t size);
	int (*whitelist_set)(void *wl, const char *rules, char *why,
			     size_t size);
	unsigned int (*whitelist_count)(void *wl);
	void *wl;
	int (*stats)(struct secure_log_stats *s);
	struct module *owner;		/* pinned by the lock */
	/* the lock's config record, by the task that locked; may be NULL */
	void (*locked)(void);
	struct list_head node;		/* secure_log's */
	bool pinned;			/* secure_log's */
};

int secure_log_ctl_add(struct secure_log_ctl *ctl);
void secure_log_ctl_remove(struct secure_log_ctl *ctl);

/*
 * Whether the modules are locked (netlogctl lock, or secure_log.lock=1),
 * until reboot: none can be unloaded, and every configuration change is
 * refused (and recorded as refused).
 */
bool secure_log_locked(void);

/*
 * Whether the current task may change what is recorded through a module
 * parameter: CAP_SYS_ADMIN in the initial user namespace, as the netlink
 * family asks. The files' mode is not enough: a container's root may be
 * uid 0 with a writable /sys and without that capability.
 */
static inline int secure_log_may_configure(void)
{
	return capable(CAP_SYS_ADMIN) ? 0 : -EPERM;
}

#endif /* _SECURE_LOG_H */
