// SPDX-License-Identifier: GPL-2.0
/*
 * Connects whose outcome comes later: who called connect, remembered per
 * socket until the handshake ends.
 *
 * A TCP connect is recorded when its SYN goes out, from a return probe on
 * tcp_v4_connect/tcp_v6_connect, which never waits for the peer. Its outcome
 * arrives in softirq (or in whichever task releases the socket lock), where
 * current is somebody else, so the caller's attribution is kept here, keyed
 * by the socket, and handed to the connect_done record when the socket
 * leaves SYN_SENT.
 *
 * A fixed table, allocated once: NL_PENDING_BUCKETS buckets of
 * NL_PENDING_WAYS entries, so that nothing is allocated in probe context and
 * memory is bounded (4,096 entries of 96 bytes). A connect that finds its
 * bucket full is not remembered; its connect_done is then reported as a
 * miss (a MISSED record for the hook "connect_done"), never as a record
 * with made-up attribution. One raw spinlock: it is taken only on a connect
 * and when a socket we remembered leaves SYN_SENT, and holds for a scan of
 * four entries.
 *
 * A socket passes through TCP_CLOSE before it is freed, so an entry cannot
 * outlive its socket while the state tracepoint is registered; when it is
 * unregistered the table is emptied (netlog_pending_clear()).
 */
#include <linux/atomic.h>
#include <linux/hash.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "netlog.h"

#define NL_PENDING_BITS 10
#define NL_PENDING_BUCKETS (1U << NL_PENDING_BITS)
#define NL_PENDING_WAYS 4

struct pending {
	const struct sock *sk;	/* NULL: free */
	struct netlog_caller caller;
};

static struct pending (*table)[NL_PENDING_WAYS];
static DEFINE_RAW_SPINLOCK(pending_lock);
static atomic_t used = ATOMIC_INIT(0);
static atomic_long_t overflow = ATOMIC_LONG_INIT(0);

int netlog_pending_init(void)
{
	table = vzalloc(array_size(NL_PENDING_BUCKETS, sizeof(*table)));
	return table ? 0 : -ENOMEM;
}

void netlog_pending_exit(void)
{
	vfree(table);
	table = NULL;
}

static struct pending *bucket(const struct sock *sk)
{
	return table[hash_ptr(sk, NL_PENDING_BITS)];
}

void netlog_pending_add(const struct sock *sk, const struct netlog_caller *c)
{
	struct pending *b = bucket(sk), *free = NULL;
	unsigned long flags;
	int i;

	raw_spin_lock_irqsave(&pending_lock, flags);
	for (i = 0; i < NL_PENDING_WAYS; i++) {
		/* A socket connects again after a failed attempt. */
		if (b[i].sk == sk) {
			free = &b[i];
			break;
		}
		if (!b[i].sk && !free)
			free = &b[i];
	}
	if (free) {
		if (!free->sk)
			atomic_inc(&used);
		free->sk = sk;
		free->caller = *c;
	}
	raw_spin_unlock_irqrestore(&pending_lock, flags);
	if (!free)
		atomic_long_inc(&overflow);
}

bool netlog_pending_take(const struct sock *sk, struct netlog_caller *c)
{
	struct pending *b;
	unsigned long flags;
	bool found = false;
	int i;

	if (!atomic_read(&used))
		return false;
	b = bucket(sk);
	raw_spin_lock_irqsave(&pending_lock, flags);
	for (i = 0; i < NL_PENDING_WAYS; i++) {
		if (b[i].sk == sk) {
			*c = b[i].caller;
			b[i].sk = NULL;
			atomic_dec(&used);
			found = true;
			break;
		}
	}
	raw_spin_unlock_irqrestore(&pending_lock, flags);
	return found;
}

void netlog_pending_clear(void)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&pending_lock, flags);
	memset(table, 0, array_size(NL_PENDING_BUCKETS, sizeof(*table)));
	atomic_set(&used, 0);
	raw_spin_unlock_irqrestore(&pending_lock, flags);
}

unsigned int netlog_pending_used(void)
{
	return atomic_read(&used);
}

unsigned long netlog_pending_overflow(void)
{
	return atomic_long_read(&overflow);
}
