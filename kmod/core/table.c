// SPDX-License-Identifier: GPL-2.0
/*
 * A fixed table from a kernel pointer to a small value, for what one probe
 * learns and a later one needs: who called connect, until the handshake
 * ends (keyed by the socket); an exiting task's exe, until its sockets are
 * closed (keyed by the task).
 *
 * Allocated once, NL_TABLE_WAYS << bits entries (NL_TABLE_BITS but for a
 * table made bigger), so that nothing is allocated in probe context and
 * memory is bounded. A key sits in a window of
 * NL_TABLE_WINDOW slots from its hash. A put that finds its window full is
 * counted in overflow and the caller reports it (a MISSED record), never
 * guesses. One raw spinlock per table: it holds for a scan of one window,
 * and a lookup in an empty table takes none. The keys are an array of
 * their own, so that a window's scan reads 128 contiguous bytes, not
 * every entry's value.
 *
 * Shares, as the ring's: a table made with a share lets no uid (the one
 * its caller charges, nl_charge_uid()) hold more than that part of it, so
 * that a user who fills it (connects left in SYN_SENT for hours) loses its
 * own entries, not others' (struct nl_shares, also the return probes'). At
 * a quarter per uid, one user's entries fill the window of another's key
 * about once in 300,000 puts (simulated: 1,024 keys at random in 4,096
 * slots).
 */
#include <linux/atomic.h>
#include <linux/hash.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "../uapi/netlog.h"
#include "table.h"

#define NL_TABLE_WAYS 4
/* A key may sit in its bucket or the next three: a window of 16 slots. */
#define NL_TABLE_WINDOW (4 * NL_TABLE_WAYS)

/* An entry, beside its key in t->keys: whose share it uses, its value. */
struct nl_entry {
	u16 owner;
	u8 value[] __aligned(8);
};

static unsigned int slots(const struct nl_table *t)
{
	return NL_TABLE_WAYS << t->bits;
}

/* Slot @i's entry; @i is already within the table. */
static struct nl_entry *entry(struct nl_table *t, unsigned int i)
{
	return t->slots + (size_t)i * t->entry_size;
}

int nl_table_init(struct nl_table *t, unsigned int bits, size_t value_size,
		  unsigned int share)
{
	t->bits = bits;
	t->value_size = value_size;
	t->entry_size = ALIGN(sizeof(struct nl_entry) + value_size,
			      sizeof(u64));
	nl_shares_reset(&t->shares, share * slots(t) / 100);
	raw_spin_lock_init(&t->lock);
	atomic_set(&t->used, 0);
	atomic_long_set(&t->overflow, 0);
	atomic_long_set(&t->refused, 0);
	t->keys = vzalloc(array_size(slots(t), sizeof(*t->keys)));
	t->slots = vzalloc(array_size(slots(t), t->entry_size));
	if (t->keys && t->slots)
		return 0;
	nl_table_exit(t);
	return -ENOMEM;
}

void nl_table_exit(struct nl_table *t)
{
	vfree(t->slots);
	t->slots = NULL;
	vfree(t->keys);
	t->keys = NULL;
}

static unsigned int window(const struct nl_table *t, const void *key)
{
	return hash_ptr(key, t->bits) * NL_TABLE_WAYS;
}

/* No slot: find() found nothing, claim() no room. */
#define NL_NO_SLOT UINT_MAX

/* The slot of @key, or NL_NO_SLOT; under t->lock. */
static unsigned int find(struct nl_table *t, const void *key)
{
	unsigned int b = window(t, key), mask = slots(t) - 1, i;

	for (i = b; i < b + NL_TABLE_WINDOW; i++)
		if (t->keys[i & mask] == key)
			return i & mask;
	return NL_NO_SLOT;
}

/* Frees slot @i, and gives its share back. Under t->lock. */
static void drop_slot(struct nl_table *t, unsigned int i)
{
	nl_share_give(&t->shares, entry(t, i)->owner);
	t->keys[i] = NULL;
	atomic_dec(&t->used);
}

void nl_shares_reset(struct nl_shares *s, unsigned int share)
{
	unsigned int i;

	memset(s, 0, sizeof(*s));
	s->share = share;
	for (i = 0; i < NL_SHARE_OWNERS; i++)
		s->owners[i].uid = NETLOG_UID_NONE;	/* never anyone's */
}

/*
 * @uid's owner slot, or a free one claimed for it, or NL_SHARE_OWNERS when
 * all are held by others. A slot keeps its uid when its count falls to 0,
 * and another uid takes it only while it is free: so a uid has at most one
 * slot (it claims one only when it has none), and the scan from the slot
 * its hash names stops at the first that bears it, most often at once. A
 * full scan is a uid's first take, or its first after its slot was taken.
 */
static unsigned int owner_slot(struct nl_shares *s, u32 uid)
{
	unsigned int at = hash_32(uid, NL_SHARE_OWNER_BITS);
	unsigned int n, i, free = NL_SHARE_OWNERS;

	for (n = 0; n < NL_SHARE_OWNERS; n++) {
		i = (at + n) % NL_SHARE_OWNERS;
		if (s->owners[i].uid == uid)
			return i;
		if (!s->owners[i].count && free == NL_SHARE_OWNERS)
			free = i;
	}
	if (free < NL_SHARE_OWNERS)
		s->owners[free].uid = uid;
	return free;
}

/*
 * Takes one of @uid's share: its owner slot's (or the untracked uids'),
 * into @owner, or nothing (NL_NO_OWNER) when there are no shares or @uid
 * is the kernel's; false when the share is all held.
 */
bool nl_share_take(struct nl_shares *s, u32 uid, u16 *owner)
{
	unsigned int i;
	u32 *held;

	*owner = NL_NO_OWNER;
	if (!s->share || uid == NETLOG_UID_NONE)
		return true;
	i = owner_slot(s, uid);
	if (i < NL_SHARE_OWNERS) {
		held = &s->owners[i].count;
		*owner = i;
	} else {
		held = &s->untracked;
		*owner = NL_UNTRACKED;
	}
	if (*held >= s->share)
		return false;
	(*held)++;
	return true;
}

void nl_share_give(struct nl_shares *s, u16 owner)
{
	if (owner == NL_UNTRACKED)
		s->untracked--;
	else if (owner != NL_NO_OWNER)
		s->owners[owner].count--;
}

bool nl_share_take_locked(struct nl_shares *s, raw_spinlock_t *lock, u32 uid,
			  u16 *owner)
{
	unsigned long flags;
	bool ok;

	raw_spin_lock_irqsave(lock, flags);
	ok = nl_share_take(s, uid, owner);
	raw_spin_unlock_irqrestore(lock, flags);
	return ok;
}

void nl_share_give_locked(struct nl_shares *s, raw_spinlock_t *lock,
			  u16 owner)
{
	unsigned long flags;

	raw_spin_lock_irqsave(lock, flags);
	nl_share_give(s, owner);
	raw_spin_unlock_irqrestore(lock, flags);
}

/*
 * A free slot of @key's window taken for it, on @uid's share; NL_NO_SLOT
 * when there is none or @uid holds its share (then *@refused). Under
 * t->lock.
 */
static unsigned int claim(struct nl_table *t, const void *key, u32 uid,
			  bool *refused)
{
	unsigned int b = window(t, key), mask = slots(t) - 1, i;
	u16 owner;

	if (!nl_share_take(&t->shares, uid, &owner)) {
		*refused = true;
		return NL_NO_SLOT;
	}
	for (i = b; i < b + NL_TABLE_WINDOW; i++) {
		if (!t->keys[i & mask]) {
			t->keys[i & mask] = key;
			entry(t, i & mask)->owner = owner;
			atomic_inc(&t->used);
			return i & mask;
		}
	}
	nl_share_give(&t->shares, owner);
	return NL_NO_SLOT;
}

static void count_lost(struct nl_table *t, bool refused)
{
	atomic_long_inc(&t->overflow);
	if (refused)
		atomic_long_inc(&t->refused);
}

/*
 * Adds @key for @uid, or replaces its value. False, and counted in
 * overflow, when its window is full or @uid holds its share (then in
 * refused too).
 */
bool nl_table_put(struct nl_table *t, const void *key, const void *value,
		  u32 uid)
{
	unsigned long flags;
	bool refused = false;
	unsigned int i;

	raw_spin_lock_irqsave(&t->lock, flags);
	i = find(t, key);
	if (i != NL_NO_SLOT)
		drop_slot(t, i);
	i = claim(t, key, uid, &refused);
	if (i != NL_NO_SLOT)
		memcpy(entry(t, i)->value, value, t->value_size);
	raw_spin_unlock_irqrestore(&t->lock, flags);
	if (i == NL_NO_SLOT)
		count_lost(t, refused);
	return i != NL_NO_SLOT;
}

/*
 * @key's entry, if it has one: its value copied to @out and/or changed by
 * @update, under the lock; then, if @take, removed.
 */
static bool access_entry(struct nl_table *t, const void *key, void *out,
			 nl_update_t update, const void *arg, bool take)
{
	unsigned long flags;
	unsigned int i;

	if (!atomic_read(&t->used))
		return false;
	raw_spin_lock_irqsave(&t->lock, flags);
	i = find(t, key);
	if (i != NL_NO_SLOT) {
		if (out)
			memcpy(out, entry(t, i)->value, t->value_size);
		if (update)
			update(entry(t, i)->value, arg);
		if (take)
			drop_slot(t, i);
	}
	raw_spin_unlock_irqrestore(&t->lock, flags);
	return i != NL_NO_SLOT;
}

/* Copies @key's value to @value and, if @take, removes it. */
bool nl_table_get(struct nl_table *t, const void *key, void *value, bool take)
{
	return access_entry(t, key, value, NULL, NULL, take);
}

/*
 * Changes @key's value in place with @update(value, @arg), if it has one: a
 * read, change and write in one hold of the lock.
 */
bool nl_table_update(struct nl_table *t, const void *key, nl_update_t update,
		     const void *arg)
{
	return access_entry(t, key, NULL, update, arg, false);
}

/*
 * As nl_table_update(), but a @key not in the table is added for @uid first,
 * with a zeroed value, in the same hold of the lock (so two racing adds make
 * one entry). False, and counted as nl_table_put() counts it, when there is
 * no room for it.
 */
bool nl_table_add(struct nl_table *t, const void *key, nl_update_t update,
		  const void *arg, u32 uid)
{
	unsigned long flags;
	bool refused = false;
	unsigned int i;

	raw_spin_lock_irqsave(&t->lock, flags);
	i = find(t, key);
	if (i == NL_NO_SLOT) {
		i = claim(t, key, uid, &refused);
		if (i != NL_NO_SLOT)
			memset(entry(t, i)->value, 0, t->value_size);
	}
	if (i != NL_NO_SLOT)
		update(entry(t, i)->value, arg);
	raw_spin_unlock_irqrestore(&t->lock, flags);
	if (i == NL_NO_SLOT)
		count_lost(t, refused);
	return i != NL_NO_SLOT;
}

/*
 * Empties the table, passing each value to @drop (if set) first, once the
 * probes that add to it are unregistered. @drop must not sleep (fput() is
 * fine: it defers the work).
 */
void nl_table_clear(struct nl_table *t, void (*drop)(void *value))
{
	unsigned long flags;
	unsigned int i;

	raw_spin_lock_irqsave(&t->lock, flags);
	for (i = 0; i < slots(t); i++)
		if (t->keys[i] && drop)
			drop(entry(t, i)->value);
	memset(t->keys, 0, array_size(slots(t), sizeof(*t->keys)));
	memset(t->slots, 0, array_size(slots(t), t->entry_size));
	nl_shares_reset(&t->shares, t->shares.share);
	atomic_set(&t->used, 0);
	raw_spin_unlock_irqrestore(&t->lock, flags);
}
