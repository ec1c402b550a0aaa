// SPDX-License-Identifier: GPL-2.0
/*
 * What netlog's SCTP hooks read of an association: apart, because
 * <net/sctp/structs.h> trips sparse's flexible-array-array check (a kernel
 * header, see Kbuild), and only this file includes it.
 */
#include <net/sctp/structs.h>

#include "netlog.h"

struct sock *netlog_sctp_sock(const void *assoc)
{
	const struct sctp_association *asoc = assoc;

	return asoc ? asoc->base.sk : NULL;
}

/*
 * Calls @fn for the peer addresses of @assoc but the first @skip, in the
 * order they were added: connect()'s, or each of connectx()'s (the first
 * is the primary); for an association a peer started, where its INIT came
 * from, then the addresses it offered. The caller holds the socket's lock
 * (or runs in its softirq), under which the list changes.
 */
void netlog_sctp_peers(const void *assoc, unsigned int skip,
		       void (*fn)(const struct sockaddr *addr, int len,
				  void *arg),
		       void *arg)
{
	const struct sctp_association *asoc = assoc;
	const struct sctp_transport *t;

	list_for_each_entry(t, &asoc->peer.transport_addr_list, transports)
		if (skip)
			skip--;
		else
			fn(&t->ipaddr.sa, sizeof(t->ipaddr), arg);
}

/*
 * Whether @assoc, being added to its endpoint, is one a peer started: its
 * INIT has been taken in (our own INIT has not had an answer yet when a
 * task's association is added). A temporary association (the kernel's
 * stateless answer to an INIT) is never added.
 */
bool netlog_sctp_is_inbound(const void *assoc)
{
	const struct sctp_association *asoc = assoc;

	return !asoc->temp && asoc->peer.i.init_tag;
}

/* Whether @sk is a one-to-many (UDP-style) SCTP socket: no accept(). */
bool netlog_sctp_one_to_many(const struct sock *sk)
{
	return sctp_sk(sk)->type == SCTP_SOCKET_UDP;
}

static bool same_addr(const union sctp_addr *a, const union sctp_addr *b)
{
	if (a->sa.sa_family != b->sa.sa_family || a->v4.sin_port != b->v4.sin_port)
		return false;
	if (a->sa.sa_family == AF_INET)
		return a->v4.sin_addr.s_addr == b->v4.sin_addr.s_addr;
	return a->sa.sa_family == AF_INET6 &&
	       ipv6_addr_equal(&a->v6.sin6_addr, &b->v6.sin6_addr);
}

/*
 * sctp_assoc_add_peer(@assoc, @addr, ...): whether @addr is a new peer
 * address the peer offered (its INIT-ACK, an ASCONF, a restart), not one a
 * task gave (those come before the association is on its endpoint, and
 * are its connect records), and not one it has. The caller holds the
 * socket's lock (or its softirq's).
 */
bool netlog_sctp_offered(const void *assoc, const void *addr)
{
	const struct sctp_association *asoc = assoc;
	const struct sctp_transport *t;

	if (asoc->temp || list_empty(&asoc->asocs))
		return false;
	list_for_each_entry(t, &asoc->peer.transport_addr_list, transports)
		if (same_addr(&t->ipaddr, addr))
			return false;
	return true;
}
