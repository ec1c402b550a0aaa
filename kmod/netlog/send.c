// SPDX-License-Identifier: GPL-2.0
/*
 * Datagrams sent without connect(): which (process, socket, destination)
 * was already recorded.
 *
 * A send record is made for the first datagram a process sends from a
 * socket to a destination. What was recorded is remembered in a fixed
 * cache of NL_SEEN_SLOTS 64-bit keyed hashes of (socket, its inode number,
 * tgid, uid, destination), one slot per hash, written last-wins: a send
 * whose hash is in its slot is not recorded again, one whose slot holds
 * another is recorded and takes the slot. So the bound costs duplicates,
 * never a destination: a socket that sends to more destinations than the
 * cache holds has each of them itemised, some more than once. Nothing is
 * allocated per socket and nothing needs cleaning up at close: the inode
 * number tells a new socket from an old one at the same address.
 *
 * The hash is SipHash with a key drawn at load, so that no user can make
 * two destinations share a slot value on purpose; a chance collision of
 * 64-bit values is the only way a destination can go unrecorded. A slot is
 * one aligned u64 read and written whole, so racing senders see either
 * value, never a mix. The cache is emptied when the whitelist changes, so
 * that a destination it silenced is recorded once the rule is gone.
 *
 * A loop sending to one destination is the common case, and SipHash is
 * most of what a repeated send costs us: each CPU remembers the last key
 * it hashed and its hash, and a send with the same key skips the hash (the
 * slot is still checked, so an emptied cache records it again).
 *
 * The same key marks a destination alone (netlog_dest_mark()), for the
 * count of a socket's distinct destinations in its close (dgram.c), with a
 * memo of its own.
 */
#include <linux/cred.h>
#include <linux/net.h>
#include <linux/percpu.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/siphash.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "netlog.h"

#define NL_SEEN_BITS 14
#define NL_SEEN_SLOTS (1U << NL_SEEN_BITS)

/* What identifies a send: all of it is hashed, so no padding. */
struct send_key {
	u64 sk;		/* the address, as a u64 on every arch */
	u64 ino;
	u64 exec_id;	/* a new program starts afresh on inherited sockets */
	u32 tgid;
	u32 uid;
	struct netlog_dest dest;
};

static_assert(sizeof(struct send_key) ==
	      3 * sizeof(u64) + 2 * sizeof(u32) + sizeof(struct netlog_dest));
static_assert(sizeof(struct netlog_dest) ==
	      sizeof(struct in6_addr) + sizeof(u32) + 2 * sizeof(u16));

struct send_memo {
	struct send_key key;
	u64 hash;	/* 0: none yet */
};

struct dest_memo {
	struct netlog_dest dest;
	u32 mark;	/* 0: none yet */
};

static u64 *seen;
static siphash_key_t seen_key;
/* Only entry handlers use them, which do not nest on a CPU. */
static DEFINE_PER_CPU(struct send_memo, last_send);
static DEFINE_PER_CPU(struct dest_memo, last_dest);

int netlog_send_init(void)
{
	seen = vzalloc(array_size(NL_SEEN_SLOTS, sizeof(*seen)));
	if (!seen)
		return -ENOMEM;
	get_random_bytes(&seen_key, sizeof(seen_key));
	return 0;
}

void netlog_send_exit(void)
{
	vfree(seen);
	seen = NULL;
}

void netlog_send_forget(void)
{
	unsigned int i;

	if (!seen)	/* a whitelist given to insmod: nothing seen yet */
		return;
	for (i = 0; i < NL_SEEN_SLOTS; i++)
		WRITE_ONCE(seen[i], 0);
}

/*
 * A datagram's destination as given with the call, @len bytes at @to; false
 * when it names none we can record. The destination alone: padding, flow
 * labels and the like would make one destination look like many.
 */
bool netlog_dest_of(const struct sockaddr *to, int len, struct netlog_dest *d)
{
	memset(d, 0, sizeof(*d));
	if (to->sa_family == AF_INET && len >= (int)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const void *)to;

		ipv6_addr_set_v4mapped(in->sin_addr.s_addr, &d->addr);
		d->port = in->sin_port;
	} else if (to->sa_family == AF_INET6 && len >= SIN6_LEN_RFC2133) {
		const struct sockaddr_in6 *in6 = (const void *)to;

		d->addr = in6->sin6_addr;
		d->port = in6->sin6_port;
		if (len >= (int)sizeof(*in6) &&
		    !ipv6_addr_v4mapped(&in6->sin6_addr))
			d->scope = in6->sin6_scope_id;
	} else {
		return false;
	}
	return true;
}

/*
 * A destination's mark: 32 bits of its keyed hash, never 0, so that no user
 * can make two destinations share one on purpose. The same destination as
 * the CPU's last one costs a compare.
 */
u32 netlog_dest_mark(const struct netlog_dest *d)
{
	struct dest_memo *memo = this_cpu_ptr(&last_dest);

	if (!memo->mark || memcmp(&memo->dest, d, sizeof(*d))) {
		memo->dest = *d;
		memo->mark = (u32)(siphash(d, sizeof(*d), &seen_key) >> 32) | 1;
	}
	return memo->mark;
}

/* Whether this send to @dest is the first of its kind; if so, it is seen. */
bool netlog_send_first(const struct sock *sk, const struct netlog_dest *dest)
{
	struct send_key key = {
		.sk = (unsigned long)sk,
		.exec_id = READ_ONCE(current->self_exec_id),
		.tgid = task_tgid_nr(current),
		.uid = nl_host_uid(current_uid()),
		.ino = nl_sk_ino(sk),
		.dest = *dest,
	};
	struct send_memo *memo = this_cpu_ptr(&last_send);
	u64 h, *slot;

	if (memo->hash && !memcmp(&memo->key, &key, sizeof(key))) {
		h = memo->hash;
	} else {
		h = siphash(&key, sizeof(key), &seen_key) | 1;
		memo->key = key;
		memo->hash = h;
	}
	slot = &seen[h >> (64 - NL_SEEN_BITS)];
	if (READ_ONCE(*slot) == h)
		return false;
	WRITE_ONCE(*slot, h);
	return true;
}
