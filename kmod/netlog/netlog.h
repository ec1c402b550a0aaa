/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NETLOG_H
#define _NETLOG_H

#include <linux/socket.h>
#include <linux/types.h>
#include <net/sock.h>

#include "../uapi/netlog.h"

/* Per-probe counters, per CPU; summed when read. */
struct netlog_counters {
	u64 hits;	/* return handler ran for an event we record */
	u64 emitted;	/* record accepted by secure_log */
	u64 dropped;	/* record lost to a full ring (also in-stream) */
};

/*
 * One socket action as seen by a probe. @peer, when set, is the address the
 * caller asked for (connect); otherwise the socket's own peer is used.
 */
struct netlog_sock_event {
	u16 event;
	int result;
	struct sock *sk;
	const struct sockaddr *peer;
	int peer_len;
};

int netlog_record_init(void);
void netlog_record_exit(void);
int netlog_emit_sock(const struct netlog_sock_event *ev);

int netlog_probes_init(void);
void netlog_probes_exit(void);

#endif /* _NETLOG_H */
