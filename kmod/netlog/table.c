// SPDX-License-Identifier: GPL-2.0
/*
 * A fixed table from a kernel pointer to a small value, for what one probe
 * learns and a later one needs: who called connect, until the handshake
 * ends (keyed by the socket); an exiting task's exe, until its sockets are
 * closed (keyed by the task).
 *
 * Allocated once: NL_TABLE_BUCKETS buckets of NL_TABLE_WAYS entries, so that
 * nothing is allocated in probe context and memory is bounded. A put that
 * finds its bucket full is counted in overflow and the caller reports it
 * (a MISSED record), never guesses. One raw spinlock per table: it holds
 * for a scan of four entries, and a lookup in an empty table takes none.
 */
#include <linux/atomic.h>
#include <linux/hash.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "netlog.h"

#define NL_TABLE_BITS 10
#define NL_TABLE_BUCKETS (1U << NL_TABLE_BITS)
#define NL_TABLE_WAYS 4

/* An entry: the key (NULL: free), then the value. */
struct nl_entry {
	const void *key;
	u8 value[];
};

static struct nl_entry *entry(struct nl_table *t, unsigned int i)
{
	return t->slots + (size_t)i * t->entry_size;
}

int nl_table_init(struct nl_table *t, size_t value_size)
{
	t->value_size = value_size;
	t->entry_size = ALIGN(sizeof(struct nl_entry) + value_size,
			      sizeof(void *));
	raw_spin_lock_init(&t->lock);
	atomic_set(&t->used, 0);
	atomic_long_set(&t->overflow, 0);
	t->slots = vzalloc(array3_size(NL_TABLE_BUCKETS, NL_TABLE_WAYS,
				       t->entry_size));
	return t->slots ? 0 : -ENOMEM;
}

void nl_table_exit(struct nl_table *t)
{
	vfree(t->slots);
	t->slots = NULL;
}

static unsigned int bucket(const void *key)
{
	return hash_ptr(key, NL_TABLE_BITS) * NL_TABLE_WAYS;
}

/* The entry of @key, or NULL; under t->lock. */
static struct nl_entry *find(struct nl_table *t, const void *key)
{
	unsigned int b = bucket(key), i;

	for (i = b; i < b + NL_TABLE_WAYS; i++)
		if (entry(t, i)->key == key)
			return entry(t, i);
	return NULL;
}

/* Adds @key or replaces its value; false (and counted) when full. */
bool nl_table_put(struct nl_table *t, const void *key, const void *value)
{
	unsigned int b = bucket(key), i;
	struct nl_entry *e;
	unsigned long flags;

	raw_spin_lock_irqsave(&t->lock, flags);
	e = find(t, key);
	for (i = b; !e && i < b + NL_TABLE_WAYS; i++) {
		if (!entry(t, i)->key) {
			e = entry(t, i);
			e->key = key;
			atomic_inc(&t->used);
		}
	}
	if (e)
		memcpy(e->value, value, t->value_size);
	raw_spin_unlock_irqrestore(&t->lock, flags);
	if (!e)
		atomic_long_inc(&t->overflow);
	return e;
}

/* Copies @key's value to @value and, if @take, removes it. */
bool nl_table_get(struct nl_table *t, const void *key, void *value, bool take)
{
	struct nl_entry *e;
	unsigned long flags;

	if (!atomic_read(&t->used))
		return false;
	raw_spin_lock_irqsave(&t->lock, flags);
	e = find(t, key);
	if (e) {
		memcpy(value, e->value, t->value_size);
		if (take) {
			e->key = NULL;
			atomic_dec(&t->used);
		}
	}
	raw_spin_unlock_irqrestore(&t->lock, flags);
	return e;
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
	for (i = 0; i < NL_TABLE_BUCKETS * NL_TABLE_WAYS; i++) {
		struct nl_entry *e = entry(t, i);

		if (e->key && drop)
			drop(e->value);
	}
	memset(t->slots, 0,
	       array3_size(NL_TABLE_BUCKETS, NL_TABLE_WAYS, t->entry_size));
	atomic_set(&t->used, 0);
	raw_spin_unlock_irqrestore(&t->lock, flags);
}
