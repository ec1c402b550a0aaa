/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SL_RING_H
#define _SL_RING_H

#include <linux/irq_work.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "../uapi/netlog.h"

/* What one uid holds in the ring, and lost since the last LOST record. */
struct sl_uid {
	u32 uid;
	u64 bytes;
	u64 lost;
};

#define SL_UIDS 64		/* uids tracked at once */
#define SL_UID_PROBE 8		/* slots a uid may sit in */

struct sl_ring {
	/* Guards everything below; raw so that it stays a spinning lock on
	 * PREEMPT_RT, where producers run with preemption disabled.
	 */
	raw_spinlock_t lock;
	u8 *buf;
	u64 size;		/* power of two */
	u64 head;		/* bytes ever written */
	u64 tail;		/* bytes ever consumed */
	u64 next_seq;		/* sequence number of the next submitted record */
	u64 lost;		/* dropped since the last LOST record */
	u64 lost_first;		/* sequence number of the first of those */
	u64 lost_total;		/* dropped since load */
	u64 share;		/* most bytes one uid may hold */
	u64 reserve;		/* last bytes kept for uids holding less */
	u64 lost_other;		/* dropped, of no tracked uid, since LOST */
	struct sl_uid uids[SL_UIDS];
	/* the uids that found no slot, held to a share together */
	struct sl_uid untracked;

	wait_queue_head_t wait;
	struct irq_work wake_work;	/* wakes the reader now */
	struct timer_list wake_timer;	/* wakes it within a tick */
};

/* A snapshot of the counters, for the control plane. */
struct sl_ring_status {
	u64 capacity;
	u64 used;
	u64 produced;
	u64 lost;
};

int sl_ring_init(struct sl_ring *r, u64 size, unsigned int share_pct);
void sl_ring_exit(struct sl_ring *r);
int sl_ring_submit(struct sl_ring *r, struct netlog_hdr *rec);
bool sl_ring_readable(struct sl_ring *r);
ssize_t sl_ring_read(struct sl_ring *r, char __user *ubuf, size_t count);
void sl_ring_status(struct sl_ring *r, struct sl_ring_status *st);

#endif /* _SL_RING_H */
