// SPDX-License-Identifier: GPL-2.0
/*
 * What an SCTP connect record needs from the association a task starts:
 * apart, because <net/sctp/structs.h> trips sparse's flexible-array-array
 * check (a kernel header, see Kbuild), and only this file includes it.
 */
#include <net/sctp/structs.h>

#include "netlog.h"

struct sock *netlog_sctp_assoc(const void *assoc, const struct sockaddr **peer,
			       int *peer_len)
{
	const struct sctp_association *asoc = assoc;

	if (!asoc)
		return NULL;
	*peer = &asoc->peer.primary_addr.sa;
	*peer_len = sizeof(asoc->peer.primary_addr);
	return asoc->base.sk;
}
