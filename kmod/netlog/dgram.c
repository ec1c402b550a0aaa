// SPDX-License-Identifier: GPL-2.0
/*
 * What a datagram or raw socket carried: the DGRAM of its close record.
 *
 * Counted per socket in the table of lives (sock.c), keyed by the socket,
 * while the udp_count and udp_close probes are on: sent by each protocol's
 * sendmsg (the send hooks, in the sending task), received as the datagram
 * is queued to the socket (__udp_enqueue_schedule_skb for UDP and
 * UDP-Lite, sock_queue_rcv_skb_reason for ping, raw and L2TP over IP, in
 * softirq or the socket's backlog), and taken by the release. An entry
 * begins in a call a task makes (bind, connect, a send), or in the
 * snapshot at load, and a datagram received adds to an entry, never makes
 * one: so a remote sender cannot fill the table, and a datagram that
 * arrives while the socket is being released cannot leave an entry behind
 * it. Each entry carries the socket's inode number, so an entry left for
 * another socket at the same address (the probe switched meanwhile) is
 * never believed.
 *
 * Destinations are told apart by their keyed marks (send.c), kept in the
 * entry up to NETLOG_DGRAM_DESTS; past that the count stops and says so.
 * The entry's lock (the table's) makes each update whole, on any CPU.
 */
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/net.h>
#include <linux/skbuff.h>
#include <linux/string.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "netlog.h"

/* What one call adds to a socket's entry. */
struct dgram_delta {
	u32 id;		/* the socket's inode number; 0: a receive */
	u32 mark;	/* the destination's netlog_dest_mark(), or 0 */
	u32 sent;
	u32 received;
	u64 bytes_sent;
	u64 bytes_received;
};

static void dgram_add(void *value, const void *arg)
{
	struct netlog_life_entry *e = value;
	const struct dgram_delta *d = arg;
	unsigned int i;

	/* A new entry, or one left for an earlier socket at this address */
	if (d->id && e->id != d->id) {
		memset(e, 0, sizeof(*e));
		e->id = d->id;
		e->ns = ktime_get_boot_fast_ns();
	}
	e->sent += d->sent;
	e->received += d->received;
	e->bytes_sent += d->bytes_sent;
	e->bytes_received += d->bytes_received;
	if (!d->mark)
		return;
	for (i = 0; i < NETLOG_DGRAM_DESTS; i++) {
		if (e->dests[i] == d->mark)
			return;
		if (!e->dests[i]) {
			e->dests[i] = d->mark;
			return;
		}
	}
	e->dgram_flags |= NETLOG_DGRAM_MORE_DESTS;
}

/*
 * What names a socket's entry: its inode number, never 0 while it has one
 * (a task's call on the socket, or its release, holds it).
 */
static u32 sock_id(const struct sock *sk)
{
	const unsigned long ino = nl_sk_ino(sk);

	return ino ? (u32)ino ?: 1 : 0;
}

/* Entries are charged to the socket's owner, whoever adds to them. */
static void add(struct sock *sk, const struct dgram_delta *d)
{
	if (d->id)
		nl_table_add(&netlog_lives, sk, dgram_add, d,
			     nl_host_uid(sk->sk_uid));
}

/* A task bound or connected @sk, or the snapshot found it: count from now. */
void netlog_dgram_begin(struct sock *sk)
{
	struct dgram_delta d = { .id = sock_id(sk) };

	if (netlog_counts_dgrams())
		add(sk, &d);
}

/*
 * Where a datagram sent with no address goes: the connected peer. The
 * port is no part of a destination where it means nothing to the protocol
 * (raw and ping sockets, L2TP over IP), so that it cannot make one look
 * like many.
 */
static bool dest_of(const struct sock *sk, const struct netlog_dest *given,
		    struct netlog_dest *d)
{
	const struct inet_sock *inet = inet_sk(sk);

	if (given) {
		*d = *given;
	} else if (READ_ONCE(sk->sk_state) == TCP_ESTABLISHED) {
		memset(d, 0, sizeof(*d));
#if IS_ENABLED(CONFIG_IPV6)
		if (sk->sk_family == AF_INET6)
			d->addr = sk->sk_v6_daddr;
		else
#endif
			ipv6_addr_set_v4mapped(READ_ONCE(inet->inet_daddr),
					       &d->addr);
		d->port = READ_ONCE(inet->inet_dport);
	} else {
		return false;
	}
	if (sk->sk_type == SOCK_RAW || sk->sk_protocol == IPPROTO_ICMP ||
	    sk->sk_protocol == IPPROTO_ICMPV6 || nl_sk_is_l2tp(sk))
		d->port = 0;
	return true;
}

/* A task gives @sk a datagram of @bytes for @dest (NULL: the peer's). */
void netlog_dgram_sent(struct sock *sk, const struct netlog_dest *dest,
		       size_t bytes)
{
	struct dgram_delta d = {
		.id = sock_id(sk),
		.sent = 1,
		.bytes_sent = bytes,
	};
	struct netlog_dest to;

	if (dest_of(sk, dest, &to))
		d.mark = netlog_dest_mark(&to);
	add(sk, &d);
}

/*
 * @skb is queued to @sk: a datagram, or several that UDP's GRO joined for a
 * socket that asked for them so (UDP_GRO), of skb->len bytes as recvmsg()
 * will return them (UDP's header is pulled by now).
 */
void netlog_dgram_received(struct sock *sk, const struct sk_buff *skb)
{
	struct dgram_delta d = {
		.received = skb_is_gso(skb) ? skb_shinfo(skb)->gso_segs : 1,
		.bytes_received = skb->len,
	};

	nl_table_update(&netlog_lives, sk, dgram_add, &d);
}

/*
 * The DGRAM of @sk's close from @e, its entry taken from the table; false
 * when the entry is another socket's.
 */
bool netlog_dgram_summary(const struct netlog_life_entry *e,
			  const struct sock *sk, struct netlog_dgram *out)
{
	const u64 now = ktime_get_boot_fast_ns();
	unsigned int n = 0;

	if (!e->id || e->id != sock_id(sk))
		return false;
	while (n < NETLOG_DGRAM_DESTS && e->dests[n])
		n++;
	memset(out, 0, sizeof(*out));
	out->bytes_sent = cpu_to_le64(e->bytes_sent);
	out->bytes_received = cpu_to_le64(e->bytes_received);
	out->duration_ns = cpu_to_le64(now > e->ns ? now - e->ns : 1);
	out->sent = cpu_to_le32(e->sent);
	out->received = cpu_to_le32(e->received);
	out->destinations = cpu_to_le32(n);
	out->flags = e->dgram_flags;
	return true;
}
