/* SPDX-License-Identifier: GPL-2.0 */
/* A fixed table from a kernel pointer to a value, and per-uid shares. */
#ifndef _NL_TABLE_H
#define _NL_TABLE_H

#include <linux/atomic.h>
#include <linux/limits.h>
#include <linux/spinlock.h>
#include <linux/types.h>

/*
 * Shares of something bounded, per uid, as the ring's (table.c): no uid
 * holds more than @share of it. NL_SHARE_OWNERS uids are tracked at once;
 * the others hold one more share together. The caller serialises.
 */
#define NL_SHARE_OWNER_BITS 6
#define NL_SHARE_OWNERS (1U << NL_SHARE_OWNER_BITS)

struct nl_shares {
	unsigned int share;	/* most one uid may hold; 0: no shares */
	struct {
		u32 uid;
		u32 count;	/* 0: a free owner slot (uid kept) */
	} owners[NL_SHARE_OWNERS];
	u32 untracked;		/* held by the uids not in owners */
};

/* What nl_share_take() charged, for nl_share_give() */
#define NL_NO_OWNER U16_MAX		/* nothing: no shares, or the kernel */
#define NL_UNTRACKED (U16_MAX - 1)	/* the untracked uids' share */

void nl_shares_reset(struct nl_shares *s, unsigned int share);
bool nl_share_take(struct nl_shares *s, u32 uid, u16 *owner);
void nl_share_give(struct nl_shares *s, u16 owner);
/* The same under @lock, for shares that probe handlers on any CPU use. */
bool nl_share_take_locked(struct nl_shares *s, raw_spinlock_t *lock, u32 uid,
			  u16 *owner);
void nl_share_give_locked(struct nl_shares *s, raw_spinlock_t *lock,
			  u16 owner);

struct nl_table {
	const void **keys;	/* a slot's key, NULL when free */
	void *slots;		/* a slot's owner and value */
	unsigned int bits;	/* of the buckets' number (of 4 slots each) */
	size_t value_size;
	size_t entry_size;
	raw_spinlock_t lock;
	struct nl_shares shares;	/* of entries, under lock */
	atomic_t used;
	atomic_long_t overflow;	/* puts that were not kept */
	atomic_long_t refused;	/* ... because the uid held its share */
};

/* The share of each uid in the tables that keep one, in percent. */
#define NL_TABLE_SHARE 25
/* A table's size, unless it needs more: 4,096 slots. */
#define NL_TABLE_BITS 10

int nl_table_init(struct nl_table *t, unsigned int bits, size_t value_size,
		  unsigned int share);
void nl_table_exit(struct nl_table *t);
bool nl_table_put(struct nl_table *t, const void *key, const void *value,
		  u32 uid);
bool nl_table_get(struct nl_table *t, const void *key, void *value, bool take);
/* Changes a value in place, under the table's lock: it must not sleep. */
typedef void (*nl_update_t)(void *value, const void *arg);
bool nl_table_update(struct nl_table *t, const void *key, nl_update_t update,
		     const void *arg);
bool nl_table_add(struct nl_table *t, const void *key, nl_update_t update,
		  const void *arg, u32 uid);
void nl_table_clear(struct nl_table *t, void (*drop)(void *value));

#endif /* _NL_TABLE_H */
