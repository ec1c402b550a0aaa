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
 */
#include <linux/cred.h>
#include <linux/net.h>
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

static u64 *seen;
static siphash_key_t seen_key;

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

/* Whether this send is the first of its kind; if so, it is now seen. */
bool netlog_send_first(const struct sock *sk, const struct sockaddr *to,
		       int len)
{
	struct {
		const struct sock *sk;
		u64 ino;
		u32 tgid;
		u32 uid;
		struct in6_addr addr;	/* IPv4 as mapped */
		u32 scope;
		__be16 port;
		u16 zero;
	} key = {
		.sk = sk,
		.tgid = task_tgid_nr(current),
		.uid = from_kuid_munged(&init_user_ns, current_uid()),
	};
	const struct socket *sock = READ_ONCE(sk->sk_socket);
	u64 h, *slot;

	/*
	 * The destination alone: padding, flow labels and the like would
	 * make one destination look like many.
	 */
	if (to->sa_family == AF_INET && len >= (int)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const void *)to;

		ipv6_addr_set_v4mapped(in->sin_addr.s_addr, &key.addr);
		key.port = in->sin_port;
	} else if (to->sa_family == AF_INET6 && len >= SIN6_LEN_RFC2133) {
		const struct sockaddr_in6 *in6 = (const void *)to;

		key.addr = in6->sin6_addr;
		key.port = in6->sin6_port;
		if (len >= (int)sizeof(*in6) &&
		    !ipv6_addr_v4mapped(&in6->sin6_addr))
			key.scope = in6->sin6_scope_id;
	} else {
		return false;	/* not a destination we can record */
	}
	if (sock)
		key.ino = SOCK_INODE((struct socket *)sock)->i_ino;
	h = siphash(&key, sizeof(key), &seen_key) | 1;
	slot = &seen[h >> (64 - NL_SEEN_BITS)];
	if (READ_ONCE(*slot) == h)
		return false;
	WRITE_ONCE(*slot, h);
	return true;
}
