// SPDX-License-Identifier: GPL-2.0
/*
 * The secure_log ring: one byte ring of whole records, many producers, one
 * consumer.
 *
 * Producers copy a finished record in under a raw spinlock. The record is
 * built beforehand, outside the lock, and so is its timestamp (one
 * clocksource read), so the lock covers only a bounded memcpy (at most
 * NETLOG_REC_MAX bytes) and the sequence number, which keeps the stream
 * ordered by seq without any merge step in the reader. When the ring is full
 * the new record is dropped, never an old one: what was committed stays
 * until it is read, and the drop is counted. The next record that fits is
 * preceded by a NETLOG_REC_LOST record covering the gap.
 *
 * One shared ring, not per-CPU ones: the lock is held for a memcpy and is
 * rarely contended at the rates a socket audit trail produces, where the
 * kernel's per-CPU ring_buffer makes producers pay for an atomic sequence
 * counter and its reserve/commit protocol, and the reader for a merge by
 * seq on every record; it measured slower (docs/benchmarks.md, "The ring").
 * Per-CPU rings would also need their own LOST accounting, since a drop on
 * one CPU leaves a hole in a sequence that the others go on numbering.
 *
 * The consumer owns [tail, head): producers never write there, so it copies
 * to userspace without the lock (copy_to_user may fault and sleep) and only
 * takes the lock to move tail once the copy has succeeded. A failed or short
 * copy therefore consumes nothing.
 *
 * Fair loss: no uid may hold more than its share of the ring (uid_share,
 * half by default), and a uid that holds an eighth of it may not take the
 * last eighth, which is kept for uids that hold less. So a uid that floods
 * loses its own records, and others at an ordinary rate keep theirs. Each
 * record carries the uid it is charged to; the consumer gives the bytes
 * back when it moves tail. Up to SL_UIDS uids are tracked at once (a fixed
 * table, probed SL_UID_PROBE slots deep); the uids that find no slot share
 * one more, held to a share like any uid (so that a flood spread over
 * many uids is held like one), and their records say
 * NETLOG_UID_UNTRACKED. A LOST record names the uids that lost most, with
 * their counts, and sums the rest (the untracked ones' among them).
 *
 * Wake-ups are batched. A producer never takes the waitqueue's lock (kprobe
 * context, PREEMPT_RT): it arms a timer that wakes the reader within a tick,
 * or queues an irq_work that wakes it at once when the ring is an eighth
 * full or a record was dropped (docs/benchmarks.md, "Wake-ups and
 * timestamps").
 */
#include <linux/hash.h>
#include <linux/kernel.h>
#include <linux/lockdep.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/smp.h>
#include <linux/ktime.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "ring.h"

static void ring_wake(struct irq_work *work)
{
	struct sl_ring *r = container_of(work, struct sl_ring, wake_work);

	wake_up_interruptible(&r->wait);
}

static void ring_wake_later(struct timer_list *t)
{
	struct sl_ring *r = from_timer(r, t, wake_timer);

	wake_up_interruptible(&r->wait);
}

int sl_ring_init(struct sl_ring *r, u64 size, unsigned int share_pct)
{
	r->buf = vzalloc(size);
	if (!r->buf)
		return -ENOMEM;
	r->size = size;
	r->share = div_u64(size * share_pct, 100);
	r->reserve = size / 8;
	r->lost_other = 0;
	memset(r->uids, 0, sizeof(r->uids));
	r->untracked = (struct sl_uid){ .uid = NETLOG_UID_UNTRACKED };
	r->head = 0;
	r->tail = 0;
	r->next_seq = 0;
	r->lost = 0;
	r->lost_first = 0;
	r->lost_total = 0;
	raw_spin_lock_init(&r->lock);
	init_waitqueue_head(&r->wait);
	init_irq_work(&r->wake_work, ring_wake);
	timer_setup(&r->wake_timer, ring_wake_later, 0);
	return 0;
}

void sl_ring_exit(struct sl_ring *r)
{
	/* No producer and no reader is left: nothing arms these again. */
	del_timer_sync(&r->wake_timer);
	irq_work_sync(&r->wake_work);
	vfree(r->buf);
	r->buf = NULL;
}

static u64 ring_free(const struct sl_ring *r)
{
	return r->size - (r->head - r->tail);
}

/* Caller holds r->lock and has checked the space. */
static void ring_put(struct sl_ring *r, const void *src, u32 len)
{
	u64 off = r->head & (r->size - 1);
	u64 first = min_t(u64, len, r->size - off);

	memcpy(r->buf + off, src, first);
	memcpy(r->buf, (const u8 *)src + first, len - first);
	r->head += len;
}

struct sl_time {
	u64 boot_ns;
	u64 real_ns;
};

/*
 * Both clocks from one clocksource read, taken before the ring lock: the
 * other is an offset away. (Under QEMU TCG the clocksource is an emulated
 * HPET, where every read is a device access.)
 */
static struct sl_time sl_now(void)
{
	ktime_t mono = ktime_get();

	return (struct sl_time){
		.boot_ns = ktime_to_ns(ktime_mono_to_any(mono, TK_OFFS_BOOT)),
		.real_ns = ktime_to_ns(ktime_mono_to_real(mono)),
	};
}

static void stamp(struct netlog_hdr *hdr, u64 seq, const struct sl_time *t)
{
	hdr->abi_major = NETLOG_ABI_MAJOR;
	hdr->abi_minor = NETLOG_ABI_MINOR;
	hdr->seq = seq;
	hdr->boot_ns = t->boot_ns;
	hdr->real_ns = t->real_ns;
	hdr->cpu = raw_smp_processor_id();
}

/*
 * The slot of @uid, among the SL_UID_PROBE slots its hash allows; with
 * @claim, a free one (nothing held, nothing lost) if it has none. NULL:
 * the uid is not tracked, and its records are charged to nobody. Caller
 * holds r->lock.
 */
static struct sl_uid *uid_slot(struct sl_ring *r, u32 uid, bool claim)
{
	unsigned int i, at = hash_32(uid, ilog2(SL_UIDS));
	struct sl_uid *free = NULL;

	for (i = 0; i < SL_UID_PROBE; i++) {
		struct sl_uid *u = &r->uids[(at + i) % SL_UIDS];

		if (u->bytes || u->lost) {
			if (u->uid == uid)
				return u;
		} else if (!free) {
			free = u;
		}
	}
	if (free && claim)
		free->uid = uid;
	return claim ? free : NULL;
}

/*
 * The share a record of @uid is charged to: NULL for the kernel's own, the
 * untracked uids' for one that has no slot. Caller holds r->lock.
 */
static struct sl_uid *charge_of(struct sl_ring *r, u32 uid, bool claim)
{
	struct sl_uid *u;

	if (uid == NETLOG_UID_NONE)
		return NULL;
	if (uid == NETLOG_UID_UNTRACKED)
		return &r->untracked;
	u = uid_slot(r, uid, claim);
	return u ?: (claim ? &r->untracked : NULL);
}

/*
 * Whether a record of @len bytes charged to @u fits: the ring has room,
 * the uid stays within its share, and a uid that already holds the reserve
 * leaves the reserve to the others. Caller holds r->lock.
 */
static bool fits(const struct sl_ring *r, const struct sl_uid *u, u64 need,
		 u32 len)
{
	u64 free = ring_free(r);

	if (free < need)
		return false;
	if (!u)
		return true;
	return u->bytes + len <= r->share &&
	       (u->bytes < r->reserve || free - need >= r->reserve);
}

/* by_uid is kept most first; what falls off the end goes to other. */
static void top_insert(struct netlog_lost_uids *l, u32 uid, u64 n)
{
	unsigned int j = NETLOG_LOST_UIDS;

	if (n <= l->by_uid[j - 1].count) {
		l->other += n;
		return;
	}
	l->other += l->by_uid[j - 1].count;
	for (; j > 1 && l->by_uid[j - 2].count < n; j--)
		l->by_uid[j - 1] = l->by_uid[j - 2];
	l->by_uid[j - 1].uid = uid;
	l->by_uid[j - 1].count = n;
}

/*
 * Caller holds r->lock and has checked that a LOST record fits. The uids
 * that lost most are named, the rest summed; every count goes back to 0.
 */
static void put_lost(struct sl_ring *r, const struct sl_time *t)
{
	struct netlog_lost_uids lost = {
		.lost.hdr.type = NETLOG_REC_LOST,
		.lost.hdr.len = sizeof(lost),
		.lost.hdr.uid = NETLOG_UID_NONE,
		.lost.count = r->lost,
		.lost.first_seq = r->lost_first,
		.lost.last_seq = r->lost_first + r->lost - 1,
		.other = r->lost_other,
	};
	unsigned int i;

	for (i = 0; i < SL_UIDS; i++) {
		if (r->uids[i].lost)
			top_insert(&lost, r->uids[i].uid, r->uids[i].lost);
		r->uids[i].lost = 0;
	}
	stamp(&lost.lost.hdr, r->lost_first, t);
	ring_put(r, &lost, sizeof(lost));
	r->lost = 0;
	r->lost_other = 0;
}

int sl_ring_submit(struct sl_ring *r, struct netlog_hdr *rec)
{
	u32 len = rec->len;
	struct sl_uid *u = NULL;
	struct sl_time now;
	unsigned long flags;
	u64 need, used;
	int ret = 0;

	if (len < sizeof(*rec) || len > NETLOG_REC_MAX ||
	    !IS_ALIGNED(len, NETLOG_REC_ALIGN))
		return -EINVAL;

	now = sl_now();
	raw_spin_lock_irqsave(&r->lock, flags);
	u = charge_of(r, rec->uid, true);
	need = len + (r->lost ? sizeof(struct netlog_lost_uids) : 0);
	if (!fits(r, u, need, len)) {
		if (!r->lost)
			r->lost_first = r->next_seq;
		r->lost++;
		r->lost_total++;
		rec->seq = r->next_seq++;	/* the producer's to refer to */
		if (u && u != &r->untracked)
			u->lost++;
		else
			r->lost_other++;
		ret = -ENOSPC;
		goto out;
	}
	if (r->lost)
		put_lost(r, &now);
	stamp(rec, r->next_seq++, &now);
	if (u)
		u->bytes += len;
	if (u == &r->untracked)
		rec->uid = NETLOG_UID_UNTRACKED;	/* given back there */
	ring_put(r, rec, len);
out:
	used = r->head - r->tail;
	raw_spin_unlock_irqrestore(&r->lock, flags);

	/*
	 * Pairs with the barrier in the waiter's prepare_to_wait(). A sleeping
	 * reader is woken at once when the ring is an eighth full or has
	 * dropped records, and otherwise by a timer within a tick, so that a
	 * stream of records costs one wake-up per tick, not one per record.
	 */
	if (wq_has_sleeper(&r->wait)) {
		if (ret || used >= r->size / 8)
			irq_work_queue(&r->wake_work);
		else if (!timer_pending(&r->wake_timer))
			mod_timer(&r->wake_timer, jiffies + 1);
	}
	return ret;
}

bool sl_ring_readable(struct sl_ring *r)
{
	return READ_ONCE(r->head) != READ_ONCE(r->tail) || READ_ONCE(r->lost);
}

static u32 len_at(const struct sl_ring *r, u64 pos)
{
	const struct netlog_hdr *hdr;

	/* Records are 8-aligned and the size is a multiple of 8, so the
	 * header's first 8 bytes (through len) never wrap.
	 */
	hdr = (const struct netlog_hdr *)(r->buf + (pos & (r->size - 1)));
	return hdr->len;
}

/* The header's uid: 4-aligned at offset 36, so it never wraps either. */
static u32 uid_at(const struct sl_ring *r, u64 pos)
{
	u64 off = (pos + offsetof(struct netlog_hdr, uid)) & (r->size - 1);

	return *(const u32 *)(r->buf + off);
}

/* Bytes of consumed records, per uid, to give back to their shares. */
struct sl_giveback {
	unsigned int n;
	struct {
		u32 uid;
		u64 bytes;
	} u[8];
};

static void give_back(struct sl_ring *r, struct sl_giveback *g)
{
	unsigned int i;

	lockdep_assert_held(&r->lock);
	for (i = 0; i < g->n; i++) {
		struct sl_uid *u = charge_of(r, g->u[i].uid, false);

		if (u)
			u->bytes -= min(u->bytes, g->u[i].bytes);
	}
	g->n = 0;
}

/*
 * Sums the shares of the records in [@pos, @end) outside the lock (they
 * are the consumer's until tail moves), taking the lock only when more
 * uids come up than the sum holds.
 */
static void sum_shares(struct sl_ring *r, u64 pos, u64 end,
		       struct sl_giveback *g)
{
	unsigned long flags;
	unsigned int i;

	for (; pos < end; pos += len_at(r, pos)) {
		u32 uid = uid_at(r, pos);

		if (uid == NETLOG_UID_NONE)
			continue;
		for (i = 0; i < g->n && g->u[i].uid != uid; i++)
			;
		if (i == ARRAY_SIZE(g->u)) {
			raw_spin_lock_irqsave(&r->lock, flags);
			give_back(r, g);
			raw_spin_unlock_irqrestore(&r->lock, flags);
			i = 0;
		}
		if (i == g->n) {
			g->u[i].uid = uid;
			g->u[i].bytes = 0;
			g->n++;
		}
		g->u[i].bytes += len_at(r, pos);
	}
}

static int copy_out(const struct sl_ring *r, char __user *ubuf, u64 pos,
		    u64 len)
{
	u64 off = pos & (r->size - 1);
	u64 first = min_t(u64, len, r->size - off);

	if (copy_to_user(ubuf, r->buf + off, first))
		return -EFAULT;
	if (copy_to_user(ubuf + first, r->buf, len - first))
		return -EFAULT;
	return 0;
}

/*
 * Copy as many whole records as fit in @count. Returns the bytes copied,
 * -EAGAIN when there is nothing to read, or -EINVAL (as /dev/kmsg does) when
 * the next record is larger than @count. Only one caller at a time (the
 * chardev serialises).
 */
ssize_t sl_ring_read(struct sl_ring *r, char __user *ubuf, size_t count)
{
	struct sl_giveback g = { .n = 0 };
	struct sl_time now;
	unsigned long flags;
	u64 head, tail, len = 0;
	u32 rlen;
	int ret;

	now = sl_now();
	raw_spin_lock_irqsave(&r->lock, flags);
	/* Loss at the end of the stream is reported even if nothing follows.
	 * An empty ring always has room for the LOST record.
	 */
	if (r->head == r->tail && r->lost)
		put_lost(r, &now);
	head = r->head;
	tail = r->tail;
	raw_spin_unlock_irqrestore(&r->lock, flags);

	if (head == tail)
		return -EAGAIN;

	while (tail + len < head) {
		rlen = len_at(r, tail + len);
		if (WARN_ON_ONCE(rlen < sizeof(struct netlog_hdr) ||
				 rlen > NETLOG_REC_MAX ||
				 tail + len + rlen > head))
			return -EIO;
		if (len + rlen > count)
			break;
		len += rlen;
	}
	if (!len)
		return -EINVAL;

	ret = copy_out(r, ubuf, tail, len);
	if (ret)
		return ret;

	sum_shares(r, tail, tail + len, &g);
	raw_spin_lock_irqsave(&r->lock, flags);
	give_back(r, &g);
	r->tail += len;
	raw_spin_unlock_irqrestore(&r->lock, flags);
	return len;
}

void sl_ring_status(struct sl_ring *r, struct sl_ring_status *st)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&r->lock, flags);
	st->capacity = r->size;
	st->used = r->head - r->tail;
	st->produced = r->next_seq;
	st->lost = r->lost_total;
	raw_spin_unlock_irqrestore(&r->lock, flags);
}
