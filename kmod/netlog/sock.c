// SPDX-License-Identifier: GPL-2.0
/*
 * What netlog hooks: the hook table and its handlers.
 *
 * Two tables. Probes are what an admin switches (activity_klog's names, one
 * bit each in the `probes` mask), defined once in probe_list.h. Hooks are
 * the kernel functions and tracepoints we attach to; several probes can
 * share one (inet_bind serves tcp_bind and udp_bind). The hook engine
 * (core/hooks.c) registers a hook while any of its probes is on, so a probe
 * that is off costs nothing, and every handler also checks its probe's
 * bit, so a shared hook stays exact. Registration and unregistration are
 * safe under traffic (hooks.c).
 *
 * The tcp_* probes serve every stream socket of AF_INET/AF_INET6 (TCP,
 * MPTCP, SCTP, DCCP, and SMC's TCP), the udp_* ones every datagram and raw
 * socket (UDP, UDP-Lite, ICMP and ICMPv6 ping sockets, L2TP over IP, raw
 * sockets). unaudited names the sockets of every other family or protocol
 * as they are made. Kernel sockets are
 * not a task's action and are left out, except the first subflow of an
 * MPTCP socket, which the kernel creates for the task that connects, binds
 * or listens, and which carries the MPTCP socket's endpoints.
 *
 * No return probe sits on a call that can wait for the network or a peer:
 * a task parked in such a call would hold a kretprobe instance, and enough
 * of them would leave every other task's calls unrecorded. (Those that
 * wait for the socket's lock, which a user may hold, are shared out per
 * uid: see follow().) So:
 *   tcp_v4_connect       TCP/MPTCP connect, where the SYN is sent (return
 *   tcp_v6_connect       probe; these never wait for the peer). The record
 *                        says -EINPROGRESS; the outcome is connect_done.
 *   inet_sock_set_state  tracepoint: a socket we saw connect leaves
 *                        SYN_SENT: connect_done, attributed to the caller
 *                        (the pending table below); and, for the tcp_state
 *                        probe, every change of a task's TCP socket
 *   security_sock_graft  accept: the new socket is grafted onto its file,
 *                        after the wait, in the accepting task (entry),
 *                        under sk_callback_lock with BH off: the exe path
 *                        is read by the lock-free walker there. Also the
 *                        accepted socket's owner pid (netlog_owner_keep()),
 *                        so registered while any probe is on
 *   inet_dgram_connect   UDP, ping and raw connect (return probe; these
 *                        do not block)
 *   inet_bind            bind, IPv4 (return probe)
 *   inet6_bind           bind, IPv6 (optional: IPv6 may be a module)
 *   inet_listen          listen (return probe)
 *   inet_release         the last close of a socket, however it happens
 *                        (close, exit, dup2, close_range); inet6_release
 *                        ends in it, so each socket is seen exactly once.
 *                        A TCP connection's summary (LIFE) is read from
 *                        the socket here, its start from the lives table,
 *                        a datagram socket's (DGRAM) from that table
 *   exit_mm_release      an exiting task's sockets are closed after its mm
 *   cgroup_exit          and fs_struct are gone: its exe is kept from the
 *                        first (entry, mm still there) to the second
 *                        (entry, after the task's last fput) for the close
 *                        records in between
 *   udp_sendmsg ...      send: each datagram protocol's sendmsg (UDP and
 *                        UDP-Lite, ping, raw; v4 and v6), entry only, as a
 *                        corked or full socket can wait there; and each
 *                        datagram sent, counted for the close's DGRAM
 *   __udp_enqueue_schedule_skb  a datagram queued to a UDP socket, and
 *   sock_queue_rcv_skb_reason   to a ping, raw or L2TP one, counted for the
 *                        close's DGRAM (entry; softirq)
 *   sctp_primitive_ASSOCIATE  SCTP connect: every association a task starts
 *                        (connect, connectx, a sendmsg to a new peer) sends
 *                        its INIT here, before any wait (entry; the record
 *                        says -EINPROGRESS, and there is no connect_done)
 *   sctp_inet_listen     SCTP listen (return probe; it does not wait)
 *   sctp_bindx_add       the addresses sctp_bindx() adds: a bind each
 *                        (return probe, under the socket's lock)
 *   sctp_endpoint_add_asoc  an association a peer started (softirq): an
 *                        accept record on a one-to-many socket, and a peer
 *                        record for each other address its INIT offered
 *   sctp_assoc_add_peer  a peer address the peer offered later (INIT-ACK,
 *                        ASCONF): a peer record. Both are the peer's doing,
 *                        recorded for the socket's owner (NETLOG_F_BY_PEER)
 *   security_socket_post_create  a task made a socket: its owner pid
 *                        (registered while any probe is on); unaudited:
 *                        one of a family or protocol none of the above
 *                        follows
 *   l2tp_ip_sendmsg      L2TP over IP (any user may make one): its bind,
 *   l2tp_ip6_sendmsg     connect and close are the inet ones above
 *   rxrpc_sendmsg        RxRPC (any user): a call's data, to the transport
 *                        address given, which RxRPC's UDP socket sends
 *   dccp_v4_connect      DCCP connect, as tcp_v4_connect (return probe);
 *   dccp_v6_connect      its outcome is connect_done, from the same
 *                        tracepoint (DCCP states are TCP's numbers)
 *   inet_dccp_listen     DCCP listen (return probe; it does not wait)
 * The SCTP, L2TP, RxRPC and DCCP hooks are in modules: they are registered when
 * one is loaded, before or after netlog, and dropped when it goes (a
 * module notifier). SCTP's and DCCP's bind, accept and close are
 * inet_bind/inet6_bind, security_sock_graft and inet_release, as for TCP.
 * SMC connects and listens over a TCP socket of its own (user_smc()).
 * These are the protocol-family entry points with the same arguments on
 * 6.1 and 6.12. "entry" hooks are on the engine's ftrace_ops (a kprobe only
 * where ftrace cannot hook the function), "return probe" ones kretprobes.
 * A call a return probe could not follow (no free instance, a probe hit
 * inside another handler) is counted by the kprobes core, an entry hit
 * inside another entry handler by the engine; a worker turns the counts
 * into MISSED records within a second.
 *
 * A return probe's entry handler only captures what its return handler
 * cannot get back (the socket and the arguments), and takes the instance
 * from the caller's share (follow()). It takes no references, so an
 * instance whose return handler never runs (unregistration, maxactive
 * exhausted) leaks nothing; the shares start afresh at each registration.
 * Attribution is read in the return handler: it runs in the same task,
 * whose credentials cannot change in the middle of its own call.
 */
#include <linux/bitops.h>
#include <linux/cpumask.h>
#include <linux/dccp.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ip.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/net.h>
#include <linux/percpu.h>
#include <linux/ptrace.h>
#include <linux/rxrpc.h>
#include <linux/sched.h>
#include <linux/socket.h>
#include <linux/stringify.h>
#include <linux/tracepoint.h>
#include <linux/workqueue.h>
#include <net/inet_sock.h>
#include <net/mptcp.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/tcp_states.h>

#include "../include/secure_log.h"
#include "../core/ctl.h"
#include "../core/hooks.h"
#include "netlog.h"

/* The probes are defined once, in probe_list.h. */
enum netlog_probe_id {
#define NETLOG_PROBE(name, what) NL_##name,
#include "probe_list.h"
#undef NETLOG_PROBE
	NL_PROBE_COUNT
};

#define NL_ALL_PROBES GENMASK(NL_PROBE_COUNT - 1, 0)
/* On at load: all but a record per TCP state change, which is a choice. */
#define NL_DEFAULT_PROBES (NL_ALL_PROBES & ~BIT(NL_tcp_state))

static const char *const probe_names[NL_PROBE_COUNT] = {
#define NETLOG_PROBE(name, what) __stringify(name),
#include "probe_list.h"
#undef NETLOG_PROBE
};

struct probe_counters {
	struct netlog_counters c[NL_PROBE_COUNT];
};

static struct probe_counters __percpu *counters;

/* A row of the hook table: the engine's, and what the handlers need. */
struct netlog_hook {
	struct nl_hook hook;
	u16 event;
	s8 stream;	/* probe for stream sockets, or -1 */
	s8 dgram;	/* probe for datagram and raw sockets, or -1 */
	bool subflow;	/* a user's MPTCP subflow counts as the user's */
	bool v4_only;	/* IPv6 sockets come here from their own hook */
	u8 unspec;	/* send: what this sendmsg takes AF_UNSPEC for */
	bool owners;	/* keeps sockets' owners: needed by every probe */
};

/* What a return handler needs from the entry. */
struct call_data {
	struct sock *sk;
	s8 probe;
	u16 owner;		/* whose share of instances it holds */
	int addr_len;
	const void *addrs;	/* sctp_bindx_add: its packed addresses */
	int count;		/* ... and how many */
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
	} addr;
};

/*
 * Who called connect, until the handshake ends (keyed by the socket). A TCP
 * connect is recorded when its SYN goes out; its outcome arrives in softirq
 * (or in whichever task releases the socket lock), where current is
 * somebody else. A socket passes through TCP_CLOSE before it is freed, so
 * an entry cannot outlive its socket while the state tracepoint is
 * registered; when it is unregistered the table is emptied.
 */
static struct nl_table pending;

/*
 * The exe of each exiting task, from exit_mm_release() to cgroup_exit()
 * (keyed by the task). Entries hold a reference to the file; they are
 * dropped by the task itself, or when the two hooks are unregistered.
 */
static struct nl_table exiting;

/*
 * The table of lives (keyed by the socket): when each TCP connection began
 * (its connect's SYN, or its accept), for the duration in its close's LIFE,
 * while the tcp_close probe is on; and what each datagram or raw socket
 * carried, for its close's DGRAM, while udp_count is (dgram.c). The
 * release takes a socket's entry whatever the probes; the table is emptied
 * when the release hook goes. An entry is believed only for the socket it
 * was made for: a TCP entry's id is the sk_hash of its 4-tuple, which a
 * later socket at the same address does not share (not the ports: a socket
 * that reached CLOSE before its release may have given back its local
 * port and forgotten its peer's), a datagram socket's its inode number.
 */
struct nl_table netlog_lives;
/* 32,768 sockets (2.5 MiB); those past it close with no duration or DGRAM */
#define LIVES_BITS 13

/* The hooks and the probe mask (the table is below the handlers). */
static struct nl_hooks netlog_hooks;

static bool probe_is_on(int id)
{
	return nl_probe_is_on(&netlog_hooks, id);
}

/* The first subflow of an MPTCP socket, in the task that made it. */
static bool user_subflow(const struct sock *sk)
{
	return nl_sk_is_tcp(sk) && sk_is_mptcp(sk) &&
	       !(current->flags & PF_KTHREAD);
}

/*
 * SMC's TCP socket (its clcsock: a kernel socket), in the task that
 * connects or listens on the SMC socket, which marks it syn_smc just before
 * (and clears the mark once the peer shows it has no SMC).
 */
static bool user_smc(const struct sock *sk)
{
	return nl_sk_is_smc(sk) && !(current->flags & PF_KTHREAD);
}

/*
 * Whether netlog follows what a socket does: the host-local families, and
 * the AF_INET/AF_INET6 protocols the hooks (see the top) serve.
 */
static bool followed(const struct sock *sk)
{
	switch (sk->sk_family) {
	case AF_UNIX:
	case AF_NETLINK:
	case AF_ALG:
		return true;
	case AF_INET:
	case AF_INET6:
		break;
	default:
		return false;
	}
	switch (sk->sk_type) {
	case SOCK_RAW:
		return true;
	case SOCK_STREAM:
		return sk->sk_protocol == IPPROTO_TCP ||
		       sk->sk_protocol == IPPROTO_MPTCP ||
		       sk->sk_protocol == IPPROTO_SCTP;
	case SOCK_SEQPACKET:
		return sk->sk_protocol == IPPROTO_SCTP;
	case SOCK_DCCP:
		return true;
	case SOCK_DGRAM:
		return sk->sk_protocol == IPPROTO_UDP ||
		       sk->sk_protocol == IPPROTO_UDPLITE ||
		       sk->sk_protocol == IPPROTO_ICMP ||
		       sk->sk_protocol == IPPROTO_ICMPV6 ||
		       nl_sk_is_l2tp(sk);
	}
	return false;
}

/* Whether this hook serves @sk, whatever the probes. */
static bool serves(const struct netlog_hook *h, const struct sock *sk)
{
	if (!sk || (sk->sk_family != AF_INET && sk->sk_family != AF_INET6))
		return false;
	/* tcp_v6_connect and udpv6_sendmsg hand IPv4-mapped peers on. */
	if (h->v4_only && sk->sk_family == AF_INET6)
		return false;
	/* Kernel sockets (NFS, CIFS, MPTCP subflows, SMC, ...) */
	if (sk->sk_kern_sock &&
	    !(h->subflow && (user_subflow(sk) || user_smc(sk))))
		return false;
	/* An inet protocol of another kind (6.12's IPPROTO_SMC) */
	return followed(sk);
}

/* @stream or @dgram by @sk's type, if that probe is on; else -1. */
static int probe_by_type(const struct sock *sk, int stream, int dgram)
{
	int id;

	switch (sk->sk_type) {
	case SOCK_STREAM:
	case SOCK_SEQPACKET:
	case SOCK_DCCP:
		id = stream;
		break;
	case SOCK_DGRAM:
	case SOCK_RAW:
		id = dgram;
		break;
	default:
		return -1;
	}
	return probe_is_on(id) ? id : -1;
}

/* The probe a socket belongs to on this hook, or -1 to ignore it. */
static int probe_of(const struct netlog_hook *h, const struct sock *sk)
{
	return serves(h, sk) ? probe_by_type(sk, h->stream, h->dgram) : -1;
}

/*
 * Whether datagram and raw sockets' traffic is counted (dgram.c): for their
 * close records, so only while those are made.
 */
bool netlog_counts_dgrams(void)
{
	return probe_is_on(NL_udp_count) && probe_is_on(NL_udp_close);
}

static void count(int id, int ret)
{
	struct probe_counters __percpu *pc = counters;

	/* this_cpu ops: softirq (connect_done) may interrupt a handler. */
	this_cpu_inc(pc->c[id].hits);
	if (!ret)
		this_cpu_inc(pc->c[id].emitted);
	else if (ret == NETLOG_FILTERED)
		this_cpu_inc(pc->c[id].filtered);
	else if (ret == -ENOSPC)
		this_cpu_inc(pc->c[id].dropped);
}

static int emit(int id, const struct netlog_sock_event *ev)
{
	int ret = netlog_emit_sock(ev);

	count(id, ret);
	return ret;
}

static struct netlog_hook *hook_of(struct kretprobe_instance *ri)
{
	return container_of(get_kretprobe(ri), struct netlog_hook, hook.krp);
}

static void save_addr(struct call_data *d, const struct sockaddr *uaddr,
		      int len)
{
	/* uaddr is the kernel copy the socket layer made of the argument. */
	d->addr_len = uaddr ? clamp_t(int, len, 0, sizeof(d->addr)) : 0;
	memset(&d->addr, 0, sizeof(d->addr));
	if (d->addr_len)
		memcpy(&d->addr, uaddr, d->addr_len);
}

static void fill_event(const struct netlog_hook *h, const struct call_data *d,
		       struct netlog_sock_event *ev)
{
	ev->event = h->event;
	ev->sk = d->sk;
	switch (h->event) {
	case NETLOG_EV_CONNECT:
		ev->peer = &d->addr.sa;
		ev->peer_len = d->addr_len;
		break;
	case NETLOG_EV_BIND:
		ev->local = &d->addr.sa;
		ev->local_len = d->addr_len;
		ev->no_peer = true;
		break;
	case NETLOG_EV_LISTEN:
		ev->no_peer = true;
		break;
	}
}

/*
 * A call a return probe follows holds one of its instances until it
 * returns, and these calls may first wait for the socket's lock, which a
 * user can hold for as long as it likes (a send copying from a page that a
 * FUSE daemon never serves). So no uid may hold more than a quarter of a
 * hook's instances: a call beyond that is recorded now, as it begins, with
 * its arguments and attribution and NETLOG_F_UNFOLLOWED (its result is
 * not known), and not followed. Only calls that find no instance at all
 * (four users holding theirs at once) are counted as MISSED.
 */
static bool follow(struct kretprobe_instance *ri, struct call_data *d)
{
	struct netlog_hook *h = hook_of(ri);
	bool ok = nl_hook_follow(&netlog_hooks, &h->hook, nl_charge_uid(),
				 &d->owner);

	if (!ok) {
		struct netlog_sock_event ev = { .flags = NETLOG_F_UNFOLLOWED };

		fill_event(h, d, &ev);
		emit(d->probe, &ev);
	}
	return ok;
}

/* The return handler gives the instance back to its caller's share. */
static void unfollow(struct kretprobe_instance *ri, struct call_data *d)
{
	nl_hook_unfollow(&netlog_hooks, &hook_of(ri)->hook, d->owner);
}

/* A datagram socket bound or connected: its DGRAM counts from here. */
static void dgram_begins(const struct call_data *d)
{
	if (d->probe == NL_udp_bind || d->probe == NL_udp_connect)
		netlog_dgram_begin(d->sk);
}

/*
 * A bind or datagram connect that the whitelist silences whatever it
 * returns is counted as filtered and not followed: it costs no return
 * probe, and holds none of its instances. Its socket's DGRAM count begins
 * here, where a followed call's begins at a successful return; so one that
 * fails begins it too, which only a close the whitelist does not silence
 * (another program's, with the fd) can show, as a longer duration.
 */
static bool filtered_at_entry(const struct netlog_hook *h,
			      const struct call_data *d)
{
	struct netlog_sock_event ev = {};

	if (!nl_whitelist_in_force(&netlog_wl))
		return false;
	fill_event(h, d, &ev);
	if (!netlog_filtered_at_entry(&ev))
		return false;
	count(d->probe, NETLOG_FILTERED);
	dgram_begins(d);
	return true;
}

/* inet_dgram_connect, inet_bind: (struct socket *, struct sockaddr *, int) */
static int addr_call_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct call_data *d = (struct call_data *)ri->data;
	struct socket *sock = (void *)regs_get_kernel_argument(regs, 0);

	d->sk = sock ? sock->sk : NULL;
	d->probe = probe_of(hook_of(ri), d->sk);
	if (d->probe < 0)
		return 1;
	save_addr(d, (void *)regs_get_kernel_argument(regs, 1),
		  (int)regs_get_kernel_argument(regs, 2));
	return filtered_at_entry(hook_of(ri), d) || !follow(ri, d);
}

/* tcp_v4_connect, tcp_v6_connect: (struct sock *, struct sockaddr *, int) */
static int tcp_connect_entry(struct kretprobe_instance *ri,
			     struct pt_regs *regs)
{
	struct call_data *d = (struct call_data *)ri->data;

	d->sk = (void *)regs_get_kernel_argument(regs, 0);
	d->probe = probe_of(hook_of(ri), d->sk);
	if (d->probe < 0)
		return 1;
	save_addr(d, (void *)regs_get_kernel_argument(regs, 1),
		  (int)regs_get_kernel_argument(regs, 2));
	/* No share: the caller holds the socket's lock already. */
	return 0;
}

/*
 * The destination of a datagram as @h's sendmsg reads msg_name: a family of
 * 0 (AF_UNSPEC) is AF_INET to udp_sendmsg() and raw_sendmsg(), and AF_INET6
 * to rawv6_sendmsg(), whatever the caller meant by it (udpv6_sendmsg()
 * takes it as no address, the connected peer's, and ping refuses it). In
 * @copy when rewritten; NULL when there is none to record.
 */
static const struct sockaddr *send_dest(const struct netlog_hook *h,
					const struct msghdr *msg,
					struct call_data *copy)
{
	const struct sockaddr *to = msg->msg_name;

	copy->addr_len = msg->msg_namelen;
	if (!to || copy->addr_len <= 0)
		return NULL;
	if (to->sa_family != AF_UNSPEC)
		return to;
	if (!h->unspec)
		return NULL;
	save_addr(copy, to, copy->addr_len);
	copy->addr.sa.sa_family = h->unspec;
	return &copy->addr.sa;
}

/* Whether IPv4 options of @len bytes hold a source route (LSRR, SSRR). */
static bool options_route(const u8 *o, size_t len)
{
	size_t i = 0;

	while (i < len && o[i] != IPOPT_END) {
		if (o[i] == IPOPT_LSRR || o[i] == IPOPT_SSRR)
			return true;
		if (o[i] == IPOPT_NOOP) {
			i++;
			continue;
		}
		if (i + 1 >= len || o[i + 1] < 2)
			break;
		i += o[i + 1];
	}
	return false;
}

/*
 * Whether a datagram's control messages route it by its source: IPv4
 * options (IP_RETOPTS, IP_OPTIONS) with LSRR or SSRR, or an IPv6 routing
 * header. By sendmsg() the socket layer has copied them into the kernel.
 */
static bool cmsg_route(const struct msghdr *msg)
{
	struct msghdr *m = (struct msghdr *)msg;	/* the macros' type */
	struct cmsghdr *c;

	if (!msg->msg_controllen || msg->msg_control_is_user)
		return false;
	for_each_cmsghdr(c, m) {
		if (!CMSG_OK(m, c))
			break;
		if (c->cmsg_level == SOL_IP &&
		    (c->cmsg_type == IP_RETOPTS || c->cmsg_type == IP_OPTIONS) &&
		    options_route(CMSG_DATA(c), c->cmsg_len - CMSG_LEN(0)))
			return true;
		if (c->cmsg_level == SOL_IPV6 &&
		    (c->cmsg_type == IPV6_RTHDR || c->cmsg_type == IPV6_2292RTHDR))
			return true;
	}
	return false;
}

/*
 * udp_sendmsg, udpv6_sendmsg, ping_v4/v6_sendmsg, raw_sendmsg,
 * rawv6_sendmsg: (struct sock *, struct msghdr *, size_t). A datagram to an
 * address given with the call; msg_name is the kernel's copy of it. The
 * socket layer has bound the socket by now, so its port is known. The same
 * destination again costs a hash and a load (send.c). Every datagram is
 * counted for the socket's DGRAM (dgram.c).
 */
static void send_entry(struct nl_hook *hook, const unsigned long *args)
{
	struct netlog_hook *h = container_of(hook, struct netlog_hook, hook);
	struct netlog_sock_event ev = { .event = NETLOG_EV_SEND };
	const struct msghdr *msg = (void *)args[1];
	struct netlog_dest dest;
	struct call_data copy;
	bool counted, to;
	int id;

	ev.sk = (void *)args[0];
	if (!serves(h, ev.sk))
		return;
	id = probe_by_type(ev.sk, h->stream, h->dgram);
	counted = netlog_counts_dgrams() &&
		  probe_by_type(ev.sk, -1, NL_udp_count) >= 0;
	if (id < 0 && !counted)
		return;
	ev.peer = send_dest(h, msg, &copy);
	ev.peer_len = copy.addr_len;
	to = ev.peer && netlog_dest_of(ev.peer, ev.peer_len, &dest);
	if (counted)
		netlog_dgram_sent(ev.sk, to ? &dest : NULL, args[2]);
	if (id < 0)
		return;
	/*
	 * A datagram routed by its source is recorded every time, to the
	 * connected peer if it names no address: the first hop is not the
	 * destination any other record shows.
	 */
	if (cmsg_route(msg)) {
		ev.flags |= NETLOG_F_SRCROUTE;
		emit(id, &ev);
	} else if (to && netlog_send_first(ev.sk, &dest)) {
		emit(id, &ev);
	}
}

/*
 * rxrpc_sendmsg(struct socket *, struct msghdr *, size_t): an RxRPC call's
 * data, to the transport address in msg_name (the kernel's copy of a
 * struct sockaddr_rxrpc), which RxRPC's UDP socket will send to. A call
 * that names no address (one under way, or the connect()ed socket's
 * default) is not recorded again.
 */
static void rxrpc_send_entry(struct nl_hook *hook, const unsigned long *args)
{
	struct socket *sock = (void *)args[0];
	const struct msghdr *msg = (void *)args[1];
	const struct sockaddr_rxrpc *srx = msg->msg_name;
	const int at = offsetof(struct sockaddr_rxrpc, transport);
	struct netlog_dest dest;
	struct netlog_sock_event ev = {
		.event = NETLOG_EV_SEND,
		.flags = NETLOG_F_RXRPC,
		.not_inet = true,
	};

	ev.sk = sock ? sock->sk : NULL;
	if (!probe_is_on(NL_udp_send) || !ev.sk || !srx ||
	    msg->msg_namelen < (int)sizeof(*srx) ||
	    srx->srx_family != AF_RXRPC || srx->transport_type != SOCK_DGRAM)
		return;
	ev.peer = (const struct sockaddr *)&srx->transport;
	ev.peer_len = min_t(int, srx->transport_len, msg->msg_namelen - at);
	if (netlog_dest_of(ev.peer, ev.peer_len, &dest) &&
	    netlog_send_first(ev.sk, &dest))
		emit(NL_udp_send, &ev);
}

/*
 * __udp_enqueue_schedule_skb(struct sock *, struct sk_buff *): a datagram is
 * queued to a UDP or UDP-Lite socket; sock_queue_rcv_skb_reason(struct sock
 * *, struct sk_buff *, ...): to a ping, raw or L2TP over IP socket (or one
 * of another kind, ignored). In softirq, or in whichever task releases the
 * socket's lock (its backlog). Counted for the socket's DGRAM (dgram.c).
 */
static void queued_entry(struct nl_hook *hook, const unsigned long *args)
{
	struct netlog_hook *h = container_of(hook, struct netlog_hook, hook);
	struct sock *sk = (void *)args[0];

	if (netlog_counts_dgrams() && probe_of(h, sk) >= 0)
		netlog_dgram_received(sk, (const struct sk_buff *)args[1]);
}

/* inet_listen: (struct socket *, int backlog) */
static int sock_call_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct call_data *d = (struct call_data *)ri->data;
	struct socket *sock = (void *)regs_get_kernel_argument(regs, 0);

	d->sk = sock ? sock->sk : NULL;
	d->probe = probe_of(hook_of(ri), d->sk);
	return d->probe < 0 || !follow(ri, d);
}

static int call_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct call_data *d = (struct call_data *)ri->data;
	struct netlog_sock_event ev = {
		.result = (int)regs_return_value(regs),
	};

	unfollow(ri, d);
	fill_event(hook_of(ri), d, &ev);
	emit(d->probe, &ev);
	if (!ev.result)
		dgram_begins(d);
	return 0;
}

/*
 * How a TCP connection that was established ends, as its release finds it
 * (before tcp_close()): reset by the peer (@reset: tcp_receive_reset saw
 * it, whether or not the application has read the error since), closed
 * already by an error the peer or the host caused, reset by this close
 * (tcp_close() resets when data is left unread, or for SO_LINGER with a
 * zero timeout), or closed in order. An error the application has read is
 * cleared (sock_error()): a connection that timed out, whose error was
 * read, then closed, says fin.
 */
static u8 tcp_end(const struct sock *sk, int state, bool reset)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	u32 unread;

	if (reset)
		return NETLOG_END_RST_RECEIVED;
	if (state == TCP_CLOSE) {
		switch (READ_ONCE(sk->sk_err)) {
		case ECONNRESET:
		case EPIPE:
			return NETLOG_END_RST_RECEIVED;
		case ETIMEDOUT:
			return NETLOG_END_TIMEOUT;
		case ECONNABORTED:
			return NETLOG_END_ABORT;
		}
		return NETLOG_END_FIN;
	}
	/* A FIN received but not read is not data. */
	unread = READ_ONCE(tp->rcv_nxt) - READ_ONCE(tp->copied_seq);
	if (unread && (READ_ONCE(sk->sk_shutdown) & RCV_SHUTDOWN))
		unread--;
	if (unread ||
	    (sock_flag(sk, SOCK_LINGER) && !READ_ONCE(sk->sk_lingertime)))
		return NETLOG_END_RST_SENT;
	return NETLOG_END_FIN;
}

/*
 * A task's TCP socket that may become a connection: when it began. Not a
 * kernel socket's (MPTCP's subflows): one may never see inet_release.
 */
static void life_begin(struct sock *sk)
{
	struct netlog_life_entry start;

	if (!nl_sk_is_tcp(sk) || sk->sk_kern_sock ||
	    !probe_is_on(NL_tcp_close))
		return;
	memset(&start, 0, sizeof(start));
	start.ns = ktime_get_boot_fast_ns();
	start.id = READ_ONCE(sk->sk_hash);
	nl_table_put(&netlog_lives, sk, &start, nl_charge_uid());
}

/*
 * The LIFE of the TCP connection @sk in @state (being released, or entering
 * it): its counters (read unlocked: a summary, not a snapshot under the
 * lock) and, from its entry in lives (or NULL), its duration.
 */
static void tcp_life(const struct sock *sk, int state,
		     const struct netlog_life_entry *start,
		     struct netlog_life *life)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	const u64 now = ktime_get_boot_fast_ns();

	memset(life, 0, sizeof(*life));
	life->bytes_sent = cpu_to_le64(READ_ONCE(tp->bytes_acked));
	life->bytes_received = cpu_to_le64(READ_ONCE(tp->bytes_received));
	/*
	 * Known, so never 0: a clock coarser than the connection (jiffies,
	 * where a VM has no TSC) says 1.
	 */
	if (start && start->id == READ_ONCE(sk->sk_hash))
		life->duration_ns = cpu_to_le64(now > start->ns ?
						now - start->ns : 1);
	life->bytes_unacked = cpu_to_le32(READ_ONCE(tp->write_seq) -
					  READ_ONCE(tp->snd_una));
	life->segs_out = cpu_to_le32(READ_ONCE(tp->segs_out));
	life->segs_in = cpu_to_le32(READ_ONCE(tp->segs_in));
	life->retrans = cpu_to_le32(READ_ONCE(tp->total_retrans));
	life->state = state;
	life->end = tcp_end(sk, state, start && start->reset);
}

/* A TCP socket's LIFE as it stands, with no duration or end: a snapshot's. */
void netlog_tcp_life(const struct sock *sk, int state, struct netlog_life *life)
{
	tcp_life(sk, state, NULL, life);
	life->end = NETLOG_END_UNKNOWN;
}

/*
 * tcp_v4_connect/tcp_v6_connect returned: 0 means the SYN is out (or, with
 * TCP_FASTOPEN_CONNECT, deferred to the first send) and the socket is in
 * SYN_SENT, held locked by the caller, so its outcome cannot arrive before
 * we remember the caller below.
 */
static int tcp_connect_return(struct kretprobe_instance *ri,
			      struct pt_regs *regs)
{
	struct call_data *d = (struct call_data *)ri->data;
	int ret = (int)regs_return_value(regs);
	struct netlog_caller caller;
	struct netlog_sock_event ev = {
		.event = NETLOG_EV_CONNECT,
		.result = ret ?: -EINPROGRESS,
		.sk = d->sk,
		.peer = &d->addr.sa,
		.peer_len = d->addr_len,
		.save = &caller,
	};
	int err = emit(d->probe, &ev);

	if (!ret && err != NETLOG_FILTERED &&
	    READ_ONCE(d->sk->sk_state) == TCP_SYN_SENT)
		nl_table_put(&pending, d->sk, &caller, caller.charge);
	if (!ret)
		life_begin(d->sk);
	return 0;
}

struct sctp_connect {
	int id;
	struct netlog_sock_event ev;
};

static void sctp_connect_to(const struct sockaddr *addr, int len, void *arg)
{
	struct sctp_connect *c = arg;

	c->ev.peer = addr;
	c->ev.peer_len = len;
	emit(c->id, &c->ev);
}

/*
 * sctp_primitive_ASSOCIATE(struct net *, struct sctp_association *, void *):
 * a task starts an SCTP association, with the socket locked, and may then
 * wait for it. A connect record per peer address it was given (connectx()
 * gives several, and SCTP may use any).
 */
static void sctp_assoc_entry(struct nl_hook *hook, const unsigned long *args)
{
	struct netlog_hook *h = container_of(hook, struct netlog_hook, hook);
	const void *asoc = (void *)args[1];
	struct sctp_connect c = {
		.ev = {
			.event = NETLOG_EV_CONNECT,
			.result = -EINPROGRESS,
		},
	};

	c.ev.sk = netlog_sctp_sock(asoc);
	c.id = probe_of(h, c.ev.sk);
	if (c.id >= 0)
		netlog_sctp_peers(asoc, 0, sctp_connect_to, &c);
}

/*
 * sctp_bindx_add(struct sock *, struct sockaddr *addrs, int addrcnt), from
 * sctp_bindx() with the socket locked: it adds addresses to the socket's
 * own, and each is a bind (return probe; it waits for nothing). @addrs is
 * the kernel's copy of the caller's, which lives until the caller returns.
 */
static int bindx_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct call_data *d = (struct call_data *)ri->data;

	d->sk = (void *)regs_get_kernel_argument(regs, 0);
	d->probe = probe_of(hook_of(ri), d->sk);
	d->addrs = (void *)regs_get_kernel_argument(regs, 1);
	d->count = (int)regs_get_kernel_argument(regs, 2);
	/* No share: the caller holds the socket's lock already. */
	return d->probe < 0;
}

/* A bind record per address, packed sockaddr_in and sockaddr_in6. */
static int bindx_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct call_data *d = (struct call_data *)ri->data;
	struct netlog_sock_event ev = {
		.event = NETLOG_EV_BIND,
		.result = (int)regs_return_value(regs),
		.sk = d->sk,
		.no_peer = true,
	};
	const u8 *p = d->addrs;
	int i;

	for (i = 0; i < d->count; i++, p += ev.local_len) {
		ev.local = (const struct sockaddr *)p;
		if (ev.local->sa_family == AF_INET)
			ev.local_len = sizeof(struct sockaddr_in);
		else if (ev.local->sa_family == AF_INET6)
			ev.local_len = sizeof(struct sockaddr_in6);
		else
			break;	/* refused by the call too */
		emit(d->probe, &ev);
	}
	return 0;
}

/* @id if @sk is a task's SCTP socket and probe @id is on, else -1. */
static int sctp_probe(const struct sock *sk, int id)
{
	return sk && !sk->sk_kern_sock && sk->sk_protocol == IPPROTO_SCTP &&
	       probe_is_on(id) ? id : -1;
}

/* What a peer did to an association: the records of its addresses. */
struct sctp_by_peer {
	const struct sock *sk;
	bool first;		/* the next is the association's first address */
	int accept;		/* probe of the first one's accept record, or -1 */
	int peer;		/* probe of the others' peer records, or -1 */
};

static void sctp_by_peer_to(const struct sockaddr *addr, int len, void *arg)
{
	struct sctp_by_peer *p = arg;
	const int id = p->first ? p->accept : p->peer;
	const u16 event = p->first ? NETLOG_EV_ACCEPT : NETLOG_EV_PEER;

	p->first = false;
	if (id >= 0)
		count(id, netlog_emit_by_peer(p->sk, event, addr, len));
}

/*
 * sctp_endpoint_add_asoc(struct sctp_endpoint *, struct sctp_association *):
 * an association joins its socket. One a peer started (its COOKIE ECHO
 * taken in, in softirq) is an accept record on a one-to-many socket, which
 * has no accept() call, and the other addresses its INIT offered are peer
 * records (on a one-to-one socket accept() records the first).
 */
static void sctp_add_asoc_entry(struct nl_hook *hook, const unsigned long *args)
{
	const void *asoc = (void *)args[1];
	struct sctp_by_peer p = { .sk = netlog_sctp_sock(asoc) };

	if (!p.sk || !netlog_sctp_is_inbound(asoc))
		return;
	p.first = netlog_sctp_one_to_many(p.sk);
	p.accept = p.first ? sctp_probe(p.sk, NL_tcp_accept) : -1;
	p.peer = sctp_probe(p.sk, NL_tcp_connect);
	netlog_sctp_peers(asoc, !p.first, sctp_by_peer_to, &p);
}

/*
 * sctp_assoc_add_peer(struct sctp_association *, const union sctp_addr *,
 * gfp_t, int): an association on its socket has a new peer address, which
 * the peer offered (its INIT-ACK, an ASCONF, a restart): a peer record.
 */
static void sctp_add_peer_entry(struct nl_hook *hook, const unsigned long *args)
{
	const void *asoc = (void *)args[0];
	const void *addr = (void *)args[1];
	const struct sock *sk = netlog_sctp_sock(asoc);
	const int id = sctp_probe(sk, NL_tcp_connect);

	/* a union sctp_addr: a struct sockaddr_in or sockaddr_in6 */
	if (id >= 0 && netlog_sctp_offered(asoc, addr))
		count(id, netlog_emit_by_peer(sk, NETLOG_EV_PEER, addr,
					      sizeof(struct sockaddr_in6)));
}

/*
 * security_sock_graft(struct sock *, struct socket *): an accept is done,
 * and the accepted socket is the accepting task's (netlog_owner_keep()).
 */
static void graft_entry(struct nl_hook *hook, const unsigned long *args)
{
	struct netlog_hook *h = container_of(hook, struct netlog_hook, hook);
	struct socket *sock = (void *)args[1];
	struct netlog_sock_event ev = {
		.event = NETLOG_EV_ACCEPT,
		.locked = true,	/* sock_graft() holds sk_callback_lock */
	};
	int id;

	ev.sk = (void *)args[0];
	if (sock && !(current->flags & PF_KTHREAD))
		netlog_owner_keep(sock);
	life_begin(ev.sk);
	id = probe_of(h, ev.sk);
	if (id >= 0)
		emit(id, &ev);
}

/*
 * security_socket_post_create(struct socket *, int family, int type,
 * int protocol, int kern): a socket was made, in the task that asked for it
 * (socket(), socketpair(), accept() of a family without inet_accept, an
 * io_uring request): it is theirs (netlog_owner_keep()), and so are the
 * kernel sockets made in their calls (MPTCP's subflow, SMC's TCP socket).
 * One netlog does not follow is a record by itself.
 */
static void post_create_entry(struct nl_hook *hook, const unsigned long *args)
{
	struct socket *sock = (void *)args[0];
	struct netlog_sock_event ev = { .event = NETLOG_EV_UNAUDITED };

	if (!sock || (current->flags & PF_KTHREAD))
		return;
	netlog_owner_keep(sock);
	if (args[4] || !probe_is_on(NL_unaudited))
		return;
	ev.sk = sock->sk;
	if (!ev.sk || followed(ev.sk))
		return;
	/* The socket's protocol, or the one asked for if it keeps none. */
	ev.result = ev.sk->sk_protocol ?: (int)args[3];
	emit(NL_unaudited, &ev);
}

#define TCPF_WAS_ESTABLISHED                                               \
	(TCPF_ESTABLISHED | TCPF_CLOSE_WAIT | TCPF_FIN_WAIT1 |              \
	 TCPF_FIN_WAIT2 | TCPF_CLOSING | TCPF_LAST_ACK)

/*
 * Whether a stream connection was set up, however it ended: still in one of
 * the states after ESTABLISHED, or, for TCP, a reset or timed-out
 * connection whose handshake had completed, which the round-trip estimate
 * tells (it is first set by the ACK of our SYN or SYN-ACK, and cleared only
 * by tcp_disconnect()).
 */
bool netlog_was_established(const struct sock *sk)
{
	if (sk->sk_type != SOCK_STREAM && sk->sk_type != SOCK_DCCP)
		return false;
	if (BIT(sk->sk_state) & TCPF_WAS_ESTABLISHED)
		return true;
	/* DCCP's client until its server first sends */
	if (sk->sk_type == SOCK_DCCP)
		return sk->sk_state == DCCP_PARTOPEN;
	return nl_sk_is_tcp(sk) && READ_ONCE(tcp_sk(sk)->srtt_us);
}

static void mark_reset(void *value, const void *arg)
{
	((struct netlog_life_entry *)value)->reset = true;
}

/* tcp:tcp_receive_reset: the peer reset a connection; its close says so. */
static void reset_received(void *data, struct sock *sk)
{
	nl_table_update(&netlog_lives, sk, mark_reset, NULL);
}

/* int inet_release(struct socket *): the socket's last reference is gone. */
static void release_entry(struct nl_hook *hook, const unsigned long *args)
{
	struct netlog_hook *h = container_of(hook, struct netlog_hook, hook);
	struct socket *sock = (void *)args[0];
	struct netlog_sock_event ev = { .event = NETLOG_EV_CLOSE };
	const struct inet_sock *inet;
	struct netlog_close close;
	struct netlog_exe exe;

	ev.sk = sock ? sock->sk : NULL;
	/* Its entry goes with the socket, recorded or not. */
	close.began = ev.sk &&
		      nl_table_get(&netlog_lives, ev.sk, &close.start, true);
	close.probe = probe_of(h, ev.sk);
	if (close.probe < 0)
		return;
	inet = inet_sk(ev.sk);
	/*
	 * Sockets that never had a port (ioctl helpers) are not traffic; L2TP
	 * over IP has none to have.
	 */
	if (!inet->inet_num && !inet->inet_sport && !nl_sk_is_l2tp(ev.sk))
		return;
	close.established = netlog_was_established(ev.sk);
	if (close.established)
		ev.flags |= NETLOG_F_ESTABLISHED;
	ev.close = &close;
	/* Only the task itself drops its entry, and later: no race. */
	if (!current->mm && (current->flags & PF_EXITING) &&
	    nl_table_get(&exiting, current, &exe, false))
		ev.exe = &exe;
	emit(close.probe, &ev);
}

/* A close's summary, into @tail: its TCP connection's LIFE, or its DGRAM. */
void netlog_close_summary(const struct sock *sk, struct netlog_close *c,
			  struct netlog_sock_tail *tail)
{
	if (c->established) {
		if (!nl_sk_is_tcp(sk))
			return;
		tcp_life(sk, READ_ONCE(sk->sk_state),
			 c->began ? &c->start : NULL, &c->life);
		tail->life = &c->life;
		if (netlog_nat_of(sk, &c->nat))
			tail->nat = &c->nat;
	} else if (c->began && c->probe == NL_udp_close &&
		   netlog_counts_dgrams() &&
		   netlog_dgram_summary(&c->start, sk, &c->dgram)) {
		tail->dgram = &c->dgram;
	}
}

static void drop_exe(void *value)
{
	struct netlog_exe *exe = value;

	fput(exe->file);
	if (exe->loaded)
		fput(exe->loaded);
}

/*
 * exit_mm_release(struct task_struct *, struct mm_struct *), from exit_mm(),
 * in the exiting task while its mm is still set: keep its exe.
 */
static void exit_mm_entry(struct nl_hook *hook, const unsigned long *args)
{
	struct netlog_exe exe;

	if ((current->flags & PF_KTHREAD) || !netlog_exe_keep(&exe))
		return;
	nl_exe_set_keep(current->mm, &exe);
	if (!nl_table_put(&exiting, current, &exe, nl_charge_uid()))
		drop_exe(&exe);
}

/* cgroup_exit(struct task_struct *): the task has run its last fput. */
static void cgroup_exit_entry(struct nl_hook *hook, const unsigned long *args)
{
	struct netlog_exe exe;

	if (nl_table_get(&exiting, current, &exe, true))
		drop_exe(&exe);
}

/*
 * sock:inet_sock_set_state, for every TCP state change: a socket whose
 * connect we recorded leaves the handshake.
 */
static void state_change(void *data, const struct sock *sk, int oldstate,
			 int newstate)
{
	struct netlog_hook *h = container_of(data, struct netlog_hook, hook);
	struct netlog_caller caller;
	struct netlog_nat nat;
	bool natted = false;
	int result;

	if (!(BIT(oldstate) & (TCPF_SYN_SENT | TCPF_SYN_RECV)) ||
	    (BIT(newstate) & (TCPF_SYN_SENT | TCPF_SYN_RECV)))
		return;
	if (!nl_table_get(&pending, sk, &caller, true) ||
	    !probe_is_on(h->stream))
		return;
	/* DCCP's client is PARTOPEN once the server has answered. */
	if (newstate == TCP_ESTABLISHED ||
	    (sk->sk_type == SOCK_DCCP && newstate == DCCP_PARTOPEN))
		result = 0;
	else
		result = -(READ_ONCE(sk->sk_err) ?: ECONNABORTED);
	if (!result && nl_sk_is_tcp(sk))
		natted = netlog_nat_of(sk, &nat);
	count(h->stream,
	      netlog_emit_done(sk, result, &caller, natted ? &nat : NULL));
}

/*
 * sock:inet_sock_set_state again, for the tcp_state probe: a change of a
 * task's TCP socket, which one made, accepted or closed (not a connection
 * still waiting in a listener's queue, which no task has yet, nor a kernel
 * socket), from the state it leaves, which sk_state still holds.
 */
static void state_record(void *data, const struct sock *sk, int oldstate,
			 int newstate)
{
	struct netlog_hook *h = container_of(data, struct netlog_hook, hook);
	struct netlog_life_entry start;
	struct netlog_life life;
	bool began;

	if (!nl_sk_is_tcp(sk) || sk->sk_kern_sock || !probe_is_on(h->stream))
		return;
	if (!READ_ONCE(sk->sk_socket) && !sock_flag(sk, SOCK_DEAD))
		return;
	began = nl_table_get(&netlog_lives, sk, &start, false);
	tcp_life(sk, newstate, began ? &start : NULL, &life);
	life.old_state = oldstate;
	if (newstate != TCP_CLOSE)
		life.end = NETLOG_END_UNKNOWN;
	count(h->stream, netlog_emit_state(sk, &life));
}

/*
 * sched_process_exec: a process starts afresh for attribution (exe_set.c's
 * marks, proc_cache.c's slots).
 */
static void exec_attr(void *data, struct task_struct *p, pid_t old_pid,
		      struct linux_binprm *bprm)
{
	nl_exe_set_exec(p);
	nl_pcache_exec(p);
}

/* replace_mm_exe_file(struct mm_struct *mm, struct file *new_exe_file) */
static void replace_exe_entry(struct nl_hook *hook, const unsigned long *args)
{
	nl_exe_set_replace((void *)args[0]);
	nl_pcache_invalidate();
}

static void attr_unhooked(int err)
{
	nl_exe_set_unhooked(err);
	nl_pcache_unhooked(err);
}

/*
 * The hooks of attribution: on while netlog is loaded, whatever the probes,
 * as every record needs what they keep; without one, @fail says what is
 * lost.
 */
#define ATTR_TRACEPOINT(sym, probe, fail)                                  \
	{                                                                   \
		.hook.symbol = sym, .hook.kind = NL_HOOK_TRACEPOINT,        \
		.hook.probes = NL_PROBE_LOADED, .hook.failed = fail,        \
		.hook.tp_probe = probe, .stream = -1, .dgram = -1,          \
	}

#define ATTR_ENTRY(sym, pre, fail)                                        \
	{                                                                   \
		.hook.symbol = sym, .hook.kind = NL_HOOK_ENTRY,            \
		.hook.probes = NL_PROBE_LOADED, .hook.failed = fail,        \
		.hook.entry = pre, .stream = -1, .dgram = -1,  \
	}

/* A return probe: @entry at the call, @ret at its return. */
#define RET_HOOK(sym, ev, s, d, entry, ret, sub, opt)                      \
	{                                                                   \
		.hook.symbol = sym, .hook.kind = NL_HOOK_KRETPROBE,         \
		.hook.optional = opt,                                       \
		.hook.krp.entry_handler = entry, .hook.krp.handler = ret,   \
		.hook.krp.data_size = sizeof(struct call_data),             \
		.event = ev, .stream = s, .dgram = d, .subflow = sub,       \
	}

/* An entry probe. */
#define ENTRY_HOOK(sym, ev, s, d, pre)                                     \
	{                                                                   \
		.hook.symbol = sym, .hook.kind = NL_HOOK_ENTRY,            \
		.hook.entry = pre,                             \
		.event = ev, .stream = s, .dgram = d,                       \
	}

/* A return probe on a stream protocol's function in module @mod. */
#define STREAM_MODULE_HOOK(sym, mod, ev, s, entry, ret, v4)                \
	{                                                                   \
		.hook.symbol = sym, .hook.module = mod,                     \
		.hook.kind = NL_HOOK_KRETPROBE, .hook.optional = true,      \
		.hook.krp.entry_handler = entry, .hook.krp.handler = ret,   \
		.hook.krp.data_size = sizeof(struct call_data),             \
		.event = ev, .stream = s, .dgram = -1, .v4_only = v4,       \
	}

/*
 * A protocol's sendmsg, in vmlinux or in @mod: optional, as a kernel may
 * inline a static one. Also where udp_close counts datagrams sent.
 */
#define SEND_HOOK(sym, mod, pre, v4, unspec_as)                            \
	{                                                                   \
		.hook.symbol = sym, .hook.module = mod,                     \
		.hook.kind = NL_HOOK_ENTRY, .hook.optional = true,         \
		.hook.entry = pre, .hook.probes = BIT(NL_udp_count),        \
		.event = NETLOG_EV_SEND, .stream = -1, .dgram = NL_udp_send, \
		.v4_only = v4, .unspec = unspec_as,                         \
	}

/* Where datagrams are queued to a socket, for udp_count's DGRAM. */
#define QUEUED_HOOK(sym)                                                   \
	{                                                                   \
		.hook.symbol = sym, .hook.kind = NL_HOOK_ENTRY,             \
		.hook.optional = true, .hook.entry = queued_entry,          \
		.event = NETLOG_EV_CLOSE, .stream = -1, .dgram = NL_udp_count, \
	}

/* An entry probe on SCTP's code, for stream sockets' probes @s and @d. */
#define SCTP_HOOK(sym, ev, s, d, pre)                                      \
	{                                                                   \
		.hook.symbol = sym, .hook.module = "sctp",                  \
		.hook.kind = NL_HOOK_ENTRY, .hook.optional = true,         \
		.hook.entry = pre,                             \
		.event = ev, .stream = s, .dgram = d,                       \
	}

/*
 * Registered in this order: attribution's hooks before any record can need
 * them, and connect_done's tracepoint before the first connect it must
 * complete (and unregistered after it).
 */
static struct netlog_hook hooks[] = {
	ATTR_TRACEPOINT("sched_process_fork", nl_exe_set_fork,
			nl_exe_set_unhooked),
	ATTR_TRACEPOINT("sched_process_exec", exec_attr, attr_unhooked),
	ATTR_TRACEPOINT("sched_process_exit", nl_pcache_task_exit,
			nl_pcache_unhooked),
	ATTR_ENTRY("replace_mm_exe_file", replace_exe_entry, attr_unhooked),
	ATTR_ENTRY("exit_mmap", nl_exe_set_exit_mmap, nl_exe_set_unhooked),
	ATTR_ENTRY("arch_ptrace", nl_exe_set_ptrace, nl_exe_set_unhooked),
#ifdef CONFIG_COMPAT
	ATTR_ENTRY("compat_arch_ptrace", nl_exe_set_ptrace,
		   nl_exe_set_unhooked),
#endif
	ATTR_ENTRY("access_remote_vm", nl_exe_set_mem_write,
		   nl_exe_set_unhooked),
	ATTR_ENTRY("pin_user_pages_remote", nl_exe_set_vm_write,
		   nl_exe_set_unhooked),
	{
		.hook.symbol = "inet_sock_set_state",
		.hook.kind = NL_HOOK_TRACEPOINT, .hook.tp_probe = state_change,
		.hook.table = &pending,
		.event = NETLOG_EV_CONNECT_DONE, .stream = NL_tcp_connect,
		.dgram = -1,
	},
	{
		.hook.symbol = "tcp_v4_connect",
		.hook.kind = NL_HOOK_KRETPROBE,
		.hook.krp.entry_handler = tcp_connect_entry,
		.hook.krp.handler = tcp_connect_return,
		.hook.krp.data_size = sizeof(struct call_data),
		.event = NETLOG_EV_CONNECT, .stream = NL_tcp_connect,
		.dgram = -1, .subflow = true, .v4_only = true,
	},
	RET_HOOK("tcp_v6_connect", NETLOG_EV_CONNECT, NL_tcp_connect, -1,
		 tcp_connect_entry, tcp_connect_return, true, true),
	RET_HOOK("inet_dgram_connect", NETLOG_EV_CONNECT, -1, NL_udp_connect,
		 addr_call_entry, call_return, false, false),
	{
		.hook.symbol = "security_sock_graft",
		.hook.kind = NL_HOOK_ENTRY,
		.hook.entry = graft_entry,
		.event = NETLOG_EV_ACCEPT, .stream = NL_tcp_accept,
		.dgram = -1, .owners = true,
	},
	RET_HOOK("inet_bind", NETLOG_EV_BIND, NL_tcp_bind, NL_udp_bind,
		 addr_call_entry, call_return, true, false),
	RET_HOOK("inet6_bind", NETLOG_EV_BIND, NL_tcp_bind, NL_udp_bind,
		 addr_call_entry, call_return, true, true),
	RET_HOOK("inet_listen", NETLOG_EV_LISTEN, NL_tcp_listen, -1,
		 sock_call_entry, call_return, true, false),
	{
		.hook.symbol = "security_socket_post_create",
		.hook.kind = NL_HOOK_ENTRY,
		.hook.entry = post_create_entry,
		.event = NETLOG_EV_UNAUDITED, .stream = NL_unaudited,
		.dgram = NL_unaudited, .owners = true,
	},
	{
		.hook.symbol = "cgroup_exit", .hook.kind = NL_HOOK_ENTRY,
		.hook.entry = cgroup_exit_entry,
		.hook.table = &exiting, .hook.drop = drop_exe,
		.event = NETLOG_EV_CLOSE, .stream = NL_tcp_close,
		.dgram = NL_udp_close,
	},
	{
		.hook.symbol = "exit_mm_release", .hook.kind = NL_HOOK_ENTRY,
		.hook.entry = exit_mm_entry,
		.hook.table = &exiting, .hook.drop = drop_exe,
		.event = NETLOG_EV_CLOSE, .stream = NL_tcp_close,
		.dgram = NL_udp_close,
	},
	{
		/* ENTRY_HOOK, and the table of lives its handler takes */
		.hook.symbol = "inet_release", .hook.kind = NL_HOOK_ENTRY,
		.hook.entry = release_entry, .hook.table = &netlog_lives,
		.event = NETLOG_EV_CLOSE, .stream = NL_tcp_close,
		.dgram = NL_udp_close,
	},
	{
		.hook.symbol = "inet_sock_set_state",
		.hook.kind = NL_HOOK_TRACEPOINT, .hook.tp_probe = state_record,
		.event = NETLOG_EV_STATE, .stream = NL_tcp_state, .dgram = -1,
	},
	{
		.hook.symbol = "tcp_receive_reset",
		.hook.kind = NL_HOOK_TRACEPOINT, .hook.tp_probe = reset_received,
		.event = NETLOG_EV_CLOSE, .stream = NL_tcp_close, .dgram = -1,
	},
	SEND_HOOK("udp_sendmsg", NULL, send_entry, true, AF_INET),
	SEND_HOOK("udpv6_sendmsg", NULL, send_entry, false, 0),
	SEND_HOOK("ping_v4_sendmsg", NULL, send_entry, false, 0),
	SEND_HOOK("ping_v6_sendmsg", NULL, send_entry, false, 0),
	SEND_HOOK("raw_sendmsg", NULL, send_entry, false, AF_INET),
	SEND_HOOK("rawv6_sendmsg", NULL, send_entry, false, AF_INET6),
	SEND_HOOK("l2tp_ip_sendmsg", "l2tp_ip", send_entry, false, AF_INET),
	SEND_HOOK("l2tp_ip6_sendmsg", "l2tp_ip6", send_entry, false,
		  AF_INET6),
	SEND_HOOK("rxrpc_sendmsg", "rxrpc", rxrpc_send_entry, false, 0),
	QUEUED_HOOK("__udp_enqueue_schedule_skb"),
	QUEUED_HOOK("sock_queue_rcv_skb_reason"),
	SCTP_HOOK("sctp_primitive_ASSOCIATE", NETLOG_EV_CONNECT,
		  NL_tcp_connect, -1, sctp_assoc_entry),
	STREAM_MODULE_HOOK("dccp_v4_connect", "dccp_ipv4", NETLOG_EV_CONNECT,
			   NL_tcp_connect, tcp_connect_entry,
			   tcp_connect_return, true),
	STREAM_MODULE_HOOK("dccp_v6_connect", "dccp_ipv6", NETLOG_EV_CONNECT,
			   NL_tcp_connect, tcp_connect_entry,
			   tcp_connect_return, false),
	STREAM_MODULE_HOOK("inet_dccp_listen", "dccp", NETLOG_EV_LISTEN,
			   NL_tcp_listen, sock_call_entry, call_return, false),
	STREAM_MODULE_HOOK("sctp_inet_listen", "sctp", NETLOG_EV_LISTEN,
			   NL_tcp_listen, sock_call_entry, call_return, false),
	STREAM_MODULE_HOOK("sctp_bindx_add", "sctp", NETLOG_EV_BIND,
			   NL_tcp_bind, bindx_entry, bindx_return, false),
	/* (both probes are of stream sockets: accept and peer records) */
	SCTP_HOOK("sctp_endpoint_add_asoc", NETLOG_EV_ACCEPT, NL_tcp_accept,
		  NL_tcp_connect, sctp_add_asoc_entry),
	SCTP_HOOK("sctp_assoc_add_peer", NETLOG_EV_PEER, NL_tcp_connect, -1,
		  sctp_add_peer_entry),
};

/* A table's overflow, as a hook in the stats and MISSED records. */
static struct nl_table_report table_reports[] = {
	{ "connect_done", &pending },	/* connect_done records not made */
	{ "exit_exe", &exiting },	/* exiting tasks whose exe was not kept */
	/* TCP closes with no duration, datagram ones with no DGRAM */
	{ "close_life", &netlog_lives },
};

static struct nl_hooks netlog_hooks = {
	.rows = hooks,
	.count = ARRAY_SIZE(hooks),
	.stride = sizeof(hooks[0]),
	.probe_names = probe_names,
	.probe_count = NL_PROBE_COUNT,
	.reports = table_reports,
	.report_count = ARRAY_SIZE(table_reports),
	.on = NL_DEFAULT_PROBES,
	.lock = __MUTEX_INITIALIZER(netlog_hooks.lock),
};

/* The probes a hook serves: those of its sockets, or all (owners). */
static unsigned long probes_of(const struct netlog_hook *h)
{
	if (h->owners)
		return NL_ALL_PROBES;
	return (h->stream >= 0 ? BIT(h->stream) : 0) |
	       (h->dgram >= 0 ? BIT(h->dgram) : 0);
}

unsigned long netlog_probes_mask(void)
{
	return nl_probes_on(&netlog_hooks);
}

int netlog_probes_init(void)
{
	struct netlog_hook *h;
	int ret;

	counters = alloc_percpu(struct probe_counters);
	if (!counters)
		return -ENOMEM;
	ret = nl_table_init(&pending, NL_TABLE_BITS,
			    sizeof(struct netlog_caller), NL_TABLE_SHARE);
	if (ret)
		goto err_counters;
	ret = nl_table_init(&exiting, NL_TABLE_BITS,
			    sizeof(struct netlog_exe), NL_TABLE_SHARE);
	if (ret)
		goto err_pending;
	ret = nl_table_init(&netlog_lives, LIVES_BITS,
			    sizeof(struct netlog_life_entry), NL_TABLE_SHARE);
	if (ret)
		goto err_exiting;
	ret = netlog_send_init();
	if (ret)
		goto err_lives;
	for (h = hooks; h < hooks + ARRAY_SIZE(hooks); h++)
		h->hook.probes |= probes_of(h);
	ret = nl_hooks_start(&netlog_hooks);
	if (ret)
		goto err_send;
	return 0;

err_send:
	netlog_send_exit();
err_lives:
	nl_table_exit(&netlog_lives);
err_exiting:
	nl_table_exit(&exiting);
err_pending:
	nl_table_exit(&pending);
err_counters:
	free_percpu(counters);
	counters = NULL;
	return ret;
}

void netlog_probes_exit(void)
{
	nl_hooks_stop(&netlog_hooks);
	netlog_send_exit();
	nl_table_exit(&netlog_lives);
	nl_table_exit(&exiting);
	nl_table_exit(&pending);
	free_percpu(counters);
	counters = NULL;
}

/* All the probes at once, from the control plane. */
static int probes_set(unsigned long on, char *why, size_t size)
{
	return nl_probes_set(&netlog_hooks, on, why, size);
}

/* probes=<mask>: bit n switches probe n (probe_list.h order). */
module_param_cb(probes, &nl_probes_ops, &netlog_hooks, 0644);
MODULE_PARM_DESC(probes,
		 "mask of probes on: bit n is the n-th probe of the stats parameter (default: all but tcp_state)");

/* probe_<name>=Y|N: one bit of the mask. */
static int probe_flag_set(const char *val, const struct kernel_param *kp)
{
	unsigned long bit = BIT(*(const int *)kp->arg);
	bool enable;
	int ret = secure_log_may_configure() ?:
		  netlog_may_change(kp->name, val, strlen(val), NULL, 0) ?:
		  kstrtobool(val, &enable);

	if (ret)
		return ret;
	return enable ? nl_probes_update(&netlog_hooks, 0, bit) :
			nl_probes_update(&netlog_hooks, bit, 0);
}

static int probe_flag_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%c\n",
			  probe_is_on(*(const int *)kp->arg) ? 'Y' : 'N');
}

static const struct kernel_param_ops probe_flag_ops = {
	.set = probe_flag_set,
	.get = probe_flag_get,
};

/* One per line of probe_list.h; a missing one fails the build below. */
#define PROBE_PARAM(name)                                                  \
	static int name##_id = NL_##name;                                   \
	module_param_cb(probe_##name, &probe_flag_ops, &name##_id, 0644);   \
	MODULE_PARM_DESC(probe_##name, "record " #name " events (Y/N)")

PROBE_PARAM(tcp_connect);
PROBE_PARAM(tcp_accept);
PROBE_PARAM(tcp_close);
PROBE_PARAM(udp_connect);
PROBE_PARAM(udp_bind);
PROBE_PARAM(udp_close);
PROBE_PARAM(tcp_bind);
PROBE_PARAM(tcp_listen);
PROBE_PARAM(udp_send);
PROBE_PARAM(unaudited);
PROBE_PARAM(tcp_state);
PROBE_PARAM(udp_count);

/* Each probe's parameter exists: name##_id is defined only by PROBE_PARAM. */
static const int *const probe_params[NL_PROBE_COUNT] __maybe_unused = {
#define NETLOG_PROBE(name, what) (&name##_id),
#include "probe_list.h"
#undef NETLOG_PROBE
};

/*
 * /sys/module/netlog/parameters/stats (root only): a line per probe,
 *   <probe> on=0|1 hits=N emitted=N dropped=N filtered=N
 * then a line per hook (attribution's too),
 *   hook <symbol> registered=0|1 missed=N
 * and one for each table that carries attribution from one hook to another
 * (the connects awaiting their outcome, the exiting tasks' exe),
 *   connect_done pending=N missed=N over_share=N
 *   exit_exe pending=N missed=N over_share=N
 * hits counts events seen, emitted those in the ring, dropped those lost to
 * a full ring (also in-stream as LOST), filtered those the whitelist
 * silenced, missed the calls that left no record (also in-stream as
 * MISSED): the kprobes core could not follow them (no free kretprobe
 * instance, or a nested probe), or a table was full (connect_done: no
 * record; exit_exe: a close record without its exe); over_share those of
 * the missed whose uid held its share of the table (NL_TABLE_SHARE).
 */
static int stats_walk(struct secure_log_stats *s)
{
	int ret = 0, id, cpu;

	for (id = 0; !ret && id < NL_PROBE_COUNT; id++) {
		struct netlog_counters sum = {};

		for_each_possible_cpu(cpu) {
			const struct netlog_counters *c;

			if (!counters)
				break;
			c = &per_cpu_ptr(counters, cpu)->c[id];
			sum.hits += c->hits;
			sum.emitted += c->emitted;
			sum.dropped += c->dropped;
			sum.filtered += c->filtered;
		}
		ret = s->row(s, "probe", probe_names[id]) ?:
		      s->val(s, "on", probe_is_on(id), true) ?:
		      s->val(s, "hits", sum.hits, false) ?:
		      s->val(s, "emitted", sum.emitted, false) ?:
		      s->val(s, "dropped", sum.dropped, false) ?:
		      s->val(s, "filtered", sum.filtered, false);
	}
	return ret ?: nl_hooks_stats(&netlog_hooks, s) ?:
		      nl_exe_set_stats(s) ?: nl_pcache_stats(s) ?:
		      netlog_snapshot_stats(s);
}

static int (*stats_fn)(struct secure_log_stats *s) = stats_walk;
module_param_cb(stats, &nl_stats_ops, &stats_fn, 0400);
MODULE_PARM_DESC(stats, "per-probe and per-hook counters (read only)");

/* netlog in the control plane (secure_log's generic netlink family). */
struct secure_log_ctl netlog_ctl = {
	.name = "netlog",
	.probe_names = probe_names,
	.probe_count = NL_PROBE_COUNT,
	.probes_default = NL_DEFAULT_PROBES,
	.probes_get = netlog_probes_mask,
	.probes_set = probes_set,
	NL_WHITELIST_CTL(&netlog_wl),
	.stats = stats_walk,
	.owner = THIS_MODULE,
	.locked = netlog_emit_locked,
};
