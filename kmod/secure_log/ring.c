// SPDX-License-Identifier: GPL-2.0
/*
 * The secure_log ring: one byte ring of whole records, many producers, one
 * consumer.
 *
 * A producer reserves a record of known length under a raw spinlock, which
 * covers only the space check, the sequence number and the header (the
 * timestamp is read before it: one clocksource read), so the stream is
 * ordered by seq without any merge step in the reader. It then fills the
 * record in place, outside the lock, and commits it: the header's len
 * carries SL_BUSY until then, and the consumer stops at a busy record. So a
 * record is written once, where it is read from. The ring's pages are
 * mapped twice in a row, so that every record is contiguous in memory
 * however it straddles the end. When the ring is full the new record is
 * dropped, never an old one: what was committed stays until it is read, and
 * the drop is counted. The next record that fits is preceded by a
 * NETLOG_REC_LOST record covering the gap.
 *
 * One shared ring, not per-CPU ones: the lock is held for a few stores and
 * is rarely contended at the rates a socket audit trail produces, where the
 * kernel's per-CPU ring_buffer makes producers pay for an atomic sequence
 * counter and its reserve/commit protocol, and the reader for a merge by
 * seq on every record; it measured slower (docs/benchmarks.md, "The ring").
 * Per-CPU rings would also need their own LOST accounting, since a drop on
 * one CPU leaves a hole in a sequence that the others go on numbering.
 *
 * The consumer owns the committed records from tail on: producers never
 * write there again, so it copies them to userspace without the lock
 * (copy_to_user may fault and sleep) and only takes the lock to move tail
 * once the copy has succeeded. A failed or short copy therefore consumes
 * nothing. A producer fills its record with preemption disabled (every
 * caller is a probe handler, or disables it), so a busy record holds the
 * consumer back for the time of a fill, never for a sleep.
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
#include <linux/mm.h>
#include <linux/slab.h>
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

static void free_pages_of(struct sl_ring *r, unsigned long n)
{
	while (n--)
		__free_page(r->pages[n]);
	kvfree(r->pages);
	r->pages = NULL;
}

/* The ring's pages, then the same pages again, at one virtual address. */
static int map_twice(struct sl_ring *r, u64 size)
{
	unsigned long i, n = size >> PAGE_SHIFT;
	struct page **map;
	int ret = -ENOMEM;

	r->pages = kvcalloc(n, sizeof(*r->pages), GFP_KERNEL);
	if (!r->pages)
		goto err;
	for (i = 0; i < n; i++) {
		r->pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!r->pages[i])
			goto err_pages;
	}
	map = kvcalloc(2 * n, sizeof(*map), GFP_KERNEL);
	if (!map)
		goto err_pages;
	memcpy(map, r->pages, n * sizeof(*map));
	memcpy(map + n, r->pages, n * sizeof(*map));
	r->buf = vmap(map, 2 * n, VM_MAP, PAGE_KERNEL);
	kvfree(map);
	if (!r->buf)
		goto err_pages;
	return 0;

err_pages:
	free_pages_of(r, i);
err:
	return ret;
}

int sl_ring_init(struct sl_ring *r, u64 size, unsigned int share_pct)
{
	int ret;

	ret = map_twice(r, size);
	if (ret)
		return ret;
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
	vunmap(r->buf);
	r->buf = NULL;
	free_pages_of(r, r->size >> PAGE_SHIFT);
}

static u64 ring_free(const struct sl_ring *r)
{
	return r->size - (r->head - r->tail);
}

/* The record at @pos, whole in memory (the pages are mapped twice). */
static struct netlog_hdr *rec_at(const struct sl_ring *r, u64 pos)
{
	return (struct netlog_hdr *)(r->buf + (pos & (r->size - 1)));
}

/*
 * Moves head past a record whose header is written. Caller holds r->lock
 * and has checked the space.
 */
static void ring_advance(struct sl_ring *r, u32 len)
{
	/* The header before head: pairs with sl_ring_readable()'s acquire. */
	smp_store_release(&r->head, r->head + len);
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

/* Every field of a header: the ring's bytes are the last record's. */
static void stamp(struct netlog_hdr *hdr, u16 type, u32 len, u32 uid,
		  u64 seq, const struct sl_time *t)
{
	hdr->abi_major = NETLOG_ABI_MAJOR;
	hdr->abi_minor = NETLOG_ABI_MINOR;
	hdr->type = type;
	hdr->len = len;
	hdr->seq = seq;
	hdr->boot_ns = t->boot_ns;
	hdr->real_ns = t->real_ns;
	hdr->cpu = raw_smp_processor_id();
	hdr->uid = uid;
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
	struct netlog_lost_uids *l;
	unsigned int i;

	l = (void *)rec_at(r, r->head);
	stamp(&l->lost.hdr, NETLOG_REC_LOST, sizeof(*l), NETLOG_UID_NONE,
	      r->lost_first, t);
	l->lost.count = r->lost;
	l->lost.first_seq = r->lost_first;
	l->lost.last_seq = r->lost_first + r->lost - 1;
	memset(l->by_uid, 0, sizeof(l->by_uid));
	l->other = r->lost_other;
	for (i = 0; i < SL_UIDS; i++) {
		if (r->uids[i].lost)
			top_insert(l, r->uids[i].uid, r->uids[i].lost);
		r->uids[i].lost = 0;
	}
	r->lost = 0;
	r->lost_other = 0;
	ring_advance(r, sizeof(*l));
}

/*
 * Pairs with the barrier in the waiter's prepare_to_wait(). A sleeping
 * reader is woken at once when the ring is an eighth full or has dropped
 * records, and otherwise by a timer within a tick, so that a stream of
 * records costs one wake-up per tick, not one per record.
 */
static void ring_wake_reader(struct sl_ring *r, bool now)
{
	if (!wq_has_sleeper(&r->wait))
		return;
	if (now || READ_ONCE(r->head) - READ_ONCE(r->tail) >= r->size / 8)
		irq_work_queue(&r->wake_work);
	else if (!timer_pending(&r->wake_timer))
		mod_timer(&r->wake_timer, jiffies + 1);
}

struct netlog_hdr *sl_ring_reserve(struct sl_ring *r, u16 type, u32 len,
				   u32 uid, u64 *seq)
{
	struct netlog_hdr *rec = ERR_PTR(-ENOSPC);
	struct sl_uid *u = NULL;
	struct sl_time now;
	unsigned long flags;
	u64 need;

	if (WARN_ON_ONCE(len < sizeof(*rec) || len > NETLOG_REC_MAX ||
			 !IS_ALIGNED(len, NETLOG_REC_ALIGN)))
		return ERR_PTR(-EINVAL);

	now = sl_now();
	raw_spin_lock_irqsave(&r->lock, flags);
	u = charge_of(r, uid, true);
	need = len + (r->lost ? sizeof(struct netlog_lost_uids) : 0);
	*seq = r->next_seq++;	/* the producer's to refer to, kept or not */
	if (!fits(r, u, need, len)) {
		if (!r->lost)
			r->lost_first = *seq;
		r->lost++;
		r->lost_total++;
		if (u && u != &r->untracked)
			u->lost++;
		else
			r->lost_other++;
		goto out;
	}
	if (r->lost)
		put_lost(r, &now);
	if (u)
		u->bytes += len;
	if (u == &r->untracked)
		uid = NETLOG_UID_UNTRACKED;	/* given back there */
	rec = rec_at(r, r->head);
	stamp(rec, type, len | SL_BUSY, uid, *seq, &now);
	ring_advance(r, len);
out:
	raw_spin_unlock_irqrestore(&r->lock, flags);
	if (IS_ERR(rec))
		ring_wake_reader(r, true);
	return rec;
}

void sl_ring_commit(struct sl_ring *r, struct netlog_hdr *rec)
{
	/* The record's bytes before its len, for the consumer's acquire. */
	smp_store_release(&rec->len, rec->len & ~SL_BUSY);
	ring_wake_reader(r, false);
}

int sl_ring_submit(struct sl_ring *r, struct netlog_hdr *rec)
{
	const size_t hdr = sizeof(*rec);
	struct netlog_hdr *dst;

	if (rec->len < hdr)
		return -EINVAL;
	preempt_disable();
	dst = sl_ring_reserve(r, rec->type, rec->len, rec->uid, &rec->seq);
	if (!IS_ERR(dst)) {
		memcpy((u8 *)dst + hdr, (const u8 *)rec + hdr, rec->len - hdr);
		sl_ring_commit(r, dst);
	}
	preempt_enable();
	return PTR_ERR_OR_ZERO(dst);
}

/* The len of the record at @pos, SL_BUSY while it is being filled. */
static u32 len_at(const struct sl_ring *r, u64 pos)
{
	/* Then its bytes: pairs with the release in sl_ring_commit(). */
	return smp_load_acquire(&rec_at(r, pos)->len);
}

bool sl_ring_readable(struct sl_ring *r)
{
	u64 tail = READ_ONCE(r->tail);

	if (READ_ONCE(r->lost))
		return true;
	/* Then the header at tail: pairs with ring_advance()'s release. */
	return smp_load_acquire(&r->head) != tail &&
	       !(len_at(r, tail) & SL_BUSY);
}

static u32 uid_at(const struct sl_ring *r, u64 pos)
{
	return rec_at(r, pos)->uid;
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

/*
 * Copy as many whole committed records as fit in @count. Returns the bytes
 * copied, -EAGAIN when there is nothing to read (or the next record is
 * still being filled), or -EINVAL (as /dev/kmsg does) when the next record
 * is larger than @count. Only one caller at a time (the chardev
 * serialises).
 */
ssize_t sl_ring_read(struct sl_ring *r, char __user *ubuf, size_t count)
{
	struct sl_giveback g = { .n = 0 };
	struct sl_time now;
	unsigned long flags;
	u64 head, tail, len = 0;
	u32 rlen;

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
		if (rlen & SL_BUSY) {
			if (!len)
				return -EAGAIN;
			break;
		}
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

	/* Whole, however it straddles the end: the pages are mapped twice. */
	if (copy_to_user(ubuf, rec_at(r, tail), len))
		return -EFAULT;

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
