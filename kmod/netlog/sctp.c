// SPDX-License-Identifier: GPL-2.0
/*
 * What an SCTP connect record needs from the association a task starts:
 * apart, because <net/sctp/structs.h> trips sparse's flexible-array-array
 * check (a kernel header, see Kbuild), and only this file includes it.
 */
#include <net/sctp/structs.h>

#include "netlog.h"

struct sock *netlog_sctp_sock(const void *assoc)
{
	const struct sctp_association *asoc = assoc;

	return asoc ? asoc->base.sk : NULL;
}

/*
 * Calls @fn for each peer address of @assoc, in the order they were given
 * (connect()'s, or each of connectx()'s: the first is the primary). The
 * caller holds the socket's lock, under which the list changes.
 */
void netlog_sctp_peers(const void *assoc,
		       void (*fn)(const struct sockaddr *addr, int len,
				  void *arg),
		       void *arg)
{
	const struct sctp_association *asoc = assoc;
	const struct sctp_transport *t;

	list_for_each_entry(t, &asoc->peer.transport_addr_list, transports)
		fn(&t->ipaddr.sa, sizeof(t->ipaddr), arg);
}
