// SPDX-License-Identifier: GPL-2.0
/*
 * Building netlog records: who did what to which endpoints.
 *
 * Records are built in a per-CPU buffer and then copied into secure_log, so
 * the ring lock is never held while we walk task and socket state. The
 * buffer is only used by handlers of a task's own calls (entry and return
 * probes), which run with preemption disabled and never nest on one CPU: an
 * entry hit inside an entry handler is missed (core/hooks.c), a probe hit
 * inside a return probe's handler too (the kprobes core), and what runs in
 * softirq (connect_done, SCTP's peer records) builds on the stack. So one
 * buffer per CPU is enough.
 */
#include <linux/cred.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <net/inet_sock.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/mptcp.h>
#include <net/net_namespace.h>

#include "../include/secure_log.h"
#include "../core/rec_strings.h"
#include "netlog.h"

union netlog_buf {
	struct netlog_hdr hdr;
	struct netlog_sock sock;
	u8 bytes[NETLOG_SOCK_MAX_LEN];
};

static union netlog_buf __percpu *rec_buf;
int netlog_record_init(void)
{
	int ret;

	ret = nl_attr_init();
	if (ret)
		goto err;
	rec_buf = alloc_percpu(union netlog_buf);
	if (!rec_buf) {
		ret = -ENOMEM;
		goto err_attr;
	}
	ret = nl_exe_set_init();
	if (ret)
		goto err_buf;
	nl_pcache_init();
	return 0;

err_buf:
	free_percpu(rec_buf);
	rec_buf = NULL;
err_attr:
	nl_attr_exit();
err:
	return ret;
}

/* After the probes: no handler is left to use the cache or the buffers. */
void netlog_record_exit(void)
{
	nl_pcache_exit();
	nl_exe_set_exit();
	free_percpu(rec_buf);
	rec_buf = NULL;
	nl_attr_exit();
}

/* One endpoint; IPv4-mapped IPv6 is stored as IPv4 (family 4). */
struct endpoint {
	u8 family;	/* 0: none */
	u8 addr[16];
	u16 port;
};

static void ep_v4(struct endpoint *ep, __be32 addr, __be16 port)
{
	ep->family = 4;
	memcpy(ep->addr, &addr, sizeof(addr));
	ep->port = ntohs(port);
}

static void ep_v6(struct endpoint *ep, const struct in6_addr *addr,
		  __be16 port)
{
	if (ipv6_addr_v4mapped(addr)) {
		ep_v4(ep, addr->s6_addr32[3], port);
		return;
	}
	ep->family = 6;
	memcpy(ep->addr, addr, sizeof(*addr));
	ep->port = ntohs(port);
}

/* From an address argument, already copied into the kernel. */
static bool ep_from_sockaddr(struct endpoint *ep, const struct sockaddr *sa,
			     int len)
{
	if (!sa)
		return false;
	if (sa->sa_family == AF_INET && len >= (int)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const void *)sa;

		ep_v4(ep, in->sin_addr.s_addr, in->sin_port);
		return true;
	}
	if (sa->sa_family == AF_INET6 && len >= SIN6_LEN_RFC2133) {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		ep_v6(ep, &in6->sin6_addr, in6->sin6_port);
		return true;
	}
	return false;
}

static void ep_local(struct endpoint *ep, const struct sock *sk)
{
	const struct inet_sock *inet = inet_sk(sk);

#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6) {
		ep_v6(ep, &sk->sk_v6_rcv_saddr, inet->inet_sport);
		return;
	}
#endif
	ep_v4(ep, inet->inet_saddr ?: inet->inet_rcv_saddr, inet->inet_sport);
}

static void ep_remote(struct endpoint *ep, const struct sock *sk)
{
	const struct inet_sock *inet = inet_sk(sk);

#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6) {
		ep_v6(ep, &sk->sk_v6_daddr, inet->inet_dport);
		return;
	}
#endif
	ep_v4(ep, inet->inet_daddr, inet->inet_dport);
}

/*
 * The record has one family for both addresses: the remote's when there is
 * one, else the local's. An IPv6 wildcard local address of a socket that
 * talks IPv4 (dual stack) becomes 0.0.0.0.
 */
static void put_endpoints(struct netlog_sock *r, struct endpoint *local,
			  struct endpoint *remote)
{
	u8 family = remote->family ?: local->family;

	if (local->family == 6 && family == 4) {
		local->family = 4;
		memset(local->addr, 0, sizeof(local->addr));
	} else if (local->family == 4 && family == 6) {
		/* IPv4 local, IPv6 peer: show the local one as mapped. */
		memmove(local->addr + 12, local->addr, 4);
		memset(local->addr, 0, 10);
		local->addr[10] = 0xff;
		local->addr[11] = 0xff;
	}
	r->family = family;
	memcpy(r->laddr, local->addr, 16);
	memcpy(r->raddr, remote->addr, 16);
	r->lport = local->port;
	r->rport = remote->port;
}

/*
 * Whether @sk's packets go first to another host than their destination,
 * by an option kept on the socket: an IPv4 source route (IP_OPTIONS with
 * LSRR or SSRR, which needs no privilege; also on an IPv6 socket, for its
 * IPv4-mapped peers) or an IPv6 routing header (IPV6_RTHDR).
 */
static bool sticky_route(const struct sock *sk)
{
	const struct ip_options_rcu *opt4;
	bool routed;

	rcu_read_lock();
	opt4 = rcu_dereference(inet_sk(sk)->inet_opt);
	routed = opt4 && opt4->opt.srr;
#if IS_ENABLED(CONFIG_IPV6)
	if (!routed && sk->sk_family == AF_INET6) {
		const struct ipv6_pinfo *np = inet6_sk(sk);
		const struct ipv6_txoptions *opt6;

		opt6 = np ? rcu_dereference(np->opt) : NULL;
		routed = opt6 && opt6->srcrt;
	}
#endif
	rcu_read_unlock();
	return routed;
}

/*
 * The record's proto and flags for a socket: MPTCP (the socket, or one of
 * its TCP subflows) is proto 6 with NETLOG_F_MPTCP, since IPPROTO_MPTCP
 * (262) does not fit a byte; a raw socket keeps its protocol number, and
 * SMC's TCP socket is proto 6 with NETLOG_F_SMC. A socket that routes by
 * its source is flagged so.
 */
void netlog_sock_proto(const struct sock *sk, u8 *proto, u32 *flags)
{
	if (sticky_route(sk))
		*flags |= NETLOG_F_SRCROUTE;
	if (sk->sk_protocol == IPPROTO_MPTCP ||
	    (nl_sk_is_tcp(sk) && sk_is_mptcp(sk))) {
		*proto = IPPROTO_TCP;
		*flags |= NETLOG_F_MPTCP;
		return;
	}
	*proto = sk->sk_protocol;
	if (sk->sk_type == SOCK_RAW)
		*flags |= NETLOG_F_RAW;
	if (nl_sk_is_smc(sk))
		*flags |= NETLOG_F_SMC;
}

static void endpoints_of(struct netlog_sock *r, const struct sock *sk)
{
	struct endpoint local = {}, remote = {};

	ep_local(&local, sk);
	ep_remote(&remote, sk);
	put_endpoints(r, &local, &remote);
}

/*
 * The owner string: the uid that made @sk (sock_alloc() takes the caller's
 * fsuid, and an accepted socket the accepting task's).
 */
static void put_owner(struct netlog_strings *w, const struct sock *sk)
{
	__le32 uid = cpu_to_le32(nl_host_uid(sk->sk_uid));

	netlog_put_string(w, (const char *)&uid, sizeof(uid));
}

/*
 * Who made a socket: the thread group id of the task that did, for the
 * records another task makes of it (a kernel worker dropping an io_uring
 * ring's files, a daemon closing an fd it was passed). It is kept in the
 * socket's own inode, whose private pointer sockfs leaves unused (6.1,
 * 6.12): it lives exactly as long as the socket, and costs no table, lock
 * or allocation in a probe. Bit 0, which no pointer has, marks it ours; it
 * is written only over NULL, so that nothing another module might keep
 * there is overwritten or read as a pid.
 */
void netlog_owner_keep(struct socket *sock)
{
	unsigned long pid = task_tgid_nr(current);

	cmpxchg(&SOCK_INODE(sock)->i_private, NULL, (void *)(pid << 1 | 1));
}

/* The pid netlog_owner_keep() kept for @sk, or 0. */
static u32 owner_pid(const struct sock *sk)
{
	struct socket *sock;
	unsigned long v = 0;

	/* In softirq the socket may be going: sockfs frees it after RCU. */
	rcu_read_lock();
	sock = READ_ONCE(sk->sk_socket);
	if (sock)
		v = (unsigned long)READ_ONCE(SOCK_INODE(sock)->i_private);
	rcu_read_unlock();
	return v & 1 ? v >> 1 : 0;
}

/* The owner_pid string: empty when not known. */
static void put_owner_pid(struct netlog_strings *w, u32 pid)
{
	__le32 v = cpu_to_le32(pid);

	netlog_put_string(w, (const char *)&v, pid ? sizeof(v) : 0);
}

/* A fixed-size string: @size bytes at @p, or empty when @p is NULL. */
static void put_fixed(struct netlog_strings *w, const void *p, size_t size)
{
	netlog_put_string(w, p, p ? size : 0);
}

/*
 * The strings every socket record ends with, from owner to DGRAM: @sk's
 * owner, @opid (0: not known), the acting process's start (NULL: no task
 * acted), and what @tail holds.
 */
static void put_sock_tail(struct netlog_strings *w, const struct sock *sk,
			  u32 opid, const u64 *start,
			  const struct netlog_sock_tail *tail)
{
	put_owner(w, sk);
	put_owner_pid(w, opid);
	if (start)
		netlog_put_le64(w, *start);
	else
		netlog_put_string(w, NULL, 0);
	put_fixed(w, tail->life, sizeof(*tail->life));
	put_fixed(w, tail->nat, sizeof(*tail->nat));
	put_fixed(w, tail->dgram, sizeof(*tail->dgram));
}

/*
 * connect_done: built on the stack, not in the per-CPU buffer, because it
 * runs from a tracepoint, often in softirq, which can interrupt a probe
 * handler that is filling that buffer on this CPU. The attribution is the
 * connect record's, as netlog_keep_caller() kept it.
 */
int netlog_emit_done(const struct sock *sk, int result,
		     const struct netlog_caller *caller,
		     const struct netlog_nat *nat)
{
	struct {
		struct netlog_sock sock;
		u8 strings[NETLOG_DONE_STR_MAX + 6 * sizeof(__u16) +
			   2 * sizeof(__u64) + 2 * sizeof(__u32) +
			   sizeof(struct netlog_nat) + NETLOG_REC_ALIGN];
	} buf;
	struct netlog_sock *r = &buf.sock;
	__le64 seq = cpu_to_le64(caller->seq);
	struct netlog_strings w;

	memset(r, 0, sizeof(*r));
	r->hdr.type = NETLOG_REC_SOCK;
	r->event = NETLOG_EV_CONNECT_DONE;
	r->result = result;
	r->flags = caller->flags;
	netlog_sock_proto(sk, &r->proto, &r->flags);
	endpoints_of(r, sk);
	r->task = caller->task;
	r->hdr.uid = caller->charge;	/* the caller's share of the ring */

	netlog_strings_begin(&w, r);
	netlog_put_encoded(&w, caller->str, caller->str_len,
			   NETLOG_STR_CONNECT_SEQ);
	netlog_put_string(&w, (const char *)&seq, sizeof(seq));
	put_sock_tail(&w, sk, caller->owner_pid, &caller->start,
		      &(struct netlog_sock_tail){ .nat = nat });
	netlog_strings_end(&w);
	return secure_log_submit(&r->hdr);
}

/* A record on the stack with no task's strings: owner, owner_pid, life. */
struct no_task_rec {
	struct netlog_sock sock;
	u8 strings[NETLOG_SOCK_STR_COUNT * sizeof(__u16) + 2 * sizeof(__u32) +
		   sizeof(struct netlog_life) + NETLOG_REC_ALIGN];
};

/*
 * A record of @sk's that no task made (its peer did, or TCP): the task is
 * zero but for the socket's netns, the strings empty but the owner's and
 * @life, and the owner's share of the ring is charged. It runs in softirq
 * or in whichever task holds the socket, so nothing of current is read, and
 * it is built on the stack, as connect_done is.
 */
static int emit_no_task(struct netlog_sock *r, const struct sock *sk,
			const struct netlog_life *life)
{
	struct netlog_strings w;

	r->hdr.type = NETLOG_REC_SOCK;
	netlog_sock_proto(sk, &r->proto, &r->flags);
	r->task.netns = sock_net(sk)->ns.inum;
	r->task.auid = NETLOG_UID_NONE;
	r->task.ses = NETLOG_UID_NONE;
	r->hdr.uid = nl_host_uid(sk->sk_uid);

	netlog_strings_begin(&w, r);
	while (w.next < NETLOG_STR_OWNER)	/* comm to connect_seq */
		netlog_put_string(&w, NULL, 0);
	put_sock_tail(&w, sk, owner_pid(sk), NULL,
		      &(struct netlog_sock_tail){ .life = life });
	netlog_strings_end(&w);
	return secure_log_submit(&r->hdr);
}

/*
 * What the peer of an SCTP association did (NETLOG_F_BY_PEER): @event with
 * @peer as the remote end, for @sk's owner.
 */
int netlog_emit_by_peer(const struct sock *sk, u16 event,
			const struct sockaddr *peer, int peer_len)
{
	struct no_task_rec buf;
	struct netlog_sock *r = &buf.sock;
	struct endpoint local = {}, remote = {};

	if (!ep_from_sockaddr(&remote, peer, peer_len))
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	r->event = event;
	r->flags = NETLOG_F_BY_PEER;
	ep_local(&local, sk);
	put_endpoints(r, &local, &remote);
	return emit_no_task(r, sk, NULL);
}

/*
 * A socket open when netlog loaded (NETLOG_EV_SNAPSHOT), held by the task
 * @who describes, with @life when it is TCP; built in @buf, which holds
 * NETLOG_SOCK_MAX_LEN bytes. Process context.
 */
int netlog_emit_snapshot(const struct sock *sk, const struct nl_task_who *who,
			 const struct netlog_life *life, void *buf)
{
	struct netlog_sock *r = buf;
	struct netlog_strings w;

	memset(r, 0, sizeof(*r));
	r->hdr.type = NETLOG_REC_SOCK;
	r->event = NETLOG_EV_SNAPSHOT;
	r->flags = who->flags;
	netlog_sock_proto(sk, &r->proto, &r->flags);
	endpoints_of(r, sk);
	r->task = who->task;
	r->task.netns = sock_net(sk)->ns.inum;
	r->hdr.uid = nl_host_uid(sk->sk_uid);

	netlog_strings_begin(&w, r);
	netlog_put_string(&w, who->comm, strnlen(who->comm, TASK_COMM_LEN));
	netlog_put_string(&w, NULL, 0);		/* tty: not read */
	netlog_put_string(&w, who->exe, who->exe_len);
	netlog_put_string(&w, who->cgroup, who->cgroup_len);
	netlog_put_string(&w, NULL, 0);		/* exe_loaded */
	netlog_put_string(&w, NULL, 0);		/* connect_seq */
	put_sock_tail(&w, sk, owner_pid(sk), &who->start,
		      &(struct netlog_sock_tail){ .life = life });
	netlog_strings_end(&w);
	return secure_log_submit(&r->hdr);
}

/* A TCP socket's change of state (NETLOG_EV_STATE), for its owner. */
int netlog_emit_state(const struct sock *sk, const struct netlog_life *life)
{
	struct no_task_rec buf;
	struct netlog_sock *r = &buf.sock;

	memset(r, 0, sizeof(*r));
	r->event = NETLOG_EV_STATE;
	endpoints_of(r, sk);
	return emit_no_task(r, sk, life);
}

/*
 * What connect_done needs of the connect record @r, from its comm to its
 * exe_loaded, which end at @end; the caller adds the seq once submitted.
 */
static void netlog_keep_caller(struct netlog_caller *c,
			       const struct netlog_sock *r, const u8 *end)
{
	const u8 *start = (const u8 *)(r + 1);

	c->task = r->task;
	c->charge = r->hdr.uid;
	c->flags = r->flags & ~(NETLOG_F_MPTCP | NETLOG_F_RAW);
	BUILD_BUG_ON(NETLOG_DONE_STR_MAX > U16_MAX);
	if (end - start <= sizeof(c->str)) {
		memcpy(c->str, start, end - start);
		c->str_len = end - start;
		return;
	}
	c->str_len = netlog_sock_strings_fit(c->str, sizeof(c->str), start,
					     NETLOG_STR_CONNECT_SEQ,
					     &c->flags);
}

/* What was kept of the old rules goes: sends' memos, exes' standings. */
static void rules_changed(void)
{
	netlog_send_forget();
	nl_pcache_invalidate();
}

struct nl_whitelist netlog_wl =
	NL_WHITELIST_INIT(netlog_wl, NULL, rules_changed);
module_param_cb(whitelist, &nl_whitelist_ops, &netlog_wl, 0600);
MODULE_PARM_DESC(whitelist,
		 "rules of activity not to record: /exe[|i<addr[/prefix]>][|p<port[-port]>][|l<port[-port]>][|u<uid[-uid]>][|a<preload>], separated by , or newline");

static bool whitelisted(const struct nl_who *who, const struct netlog_sock *r,
			bool at_entry)
{
	const struct nlwl_conn conn = {
		.family = r->family,
		.raddr = r->raddr,
		.rport = r->rport,
		.lport = r->lport,
		.lport_unknown = at_entry,
		.uid = nl_host_uid(current_uid()),
		.preload = r->flags & NETLOG_F_PRELOAD,
		.exe_hash = who->exe_hash,
	};

	return nl_whitelist_match(&netlog_wl, who->exe, who->exe_len, &conn);
}

/* How a record's exe and cgroup were read. */
struct who_read {
	bool cached;		/* both from the process cache */
	bool stamped;		/* read now, and may be cached: gen, ren */
	unsigned int gen, ren;
	const struct file *loaded;	/* NETLOG_F_EXE_SET: exec's exe */
};

/*
 * An exe that may not be the program that runs, or whose path may name
 * another file for the admin, or that is cut: the whitelist never applies.
 */
#define NL_NEVER_WHITELISTED (NETLOG_F_EXE_NS | NETLOG_F_EXE_SET | \
			      NETLOG_F_TRUNC_EXE)

/* A path cut or not the host's is not kept: the next record reads it. */
#define NL_WHO_UNSURE (NETLOG_F_EXE_NS | NETLOG_F_TRUNC_EXE | \
		       NETLOG_F_TRUNC_CGROUP)

/* The acting task's exe, and its cgroup too when the cache has both. */
static void who_exe(const struct netlog_sock_event *ev, struct nl_who *who,
		    u32 *flags, struct who_read *how)
{
	struct file *loaded = NULL;

	how->cached = false;
	how->stamped = false;
	/* Before the exe is read: an mm is marked before its exe changes. */
	if (ev->exe) {
		*flags |= ev->exe->marks;
		loaded = ev->exe->loaded;
	} else {
		/* traced now, and maybe not yet asked anything */
		*flags |= READ_ONCE(current->ptrace) ? NETLOG_F_PRELOAD : 0;
		*flags |= nl_exe_set_of(current->mm, &loaded);
		/*
		 * Pairs with the full barrier of the exe's xchg() in
		 * replace_mm_exe_file(), which follows the mark: an exe read
		 * below that is already the new one was marked.
		 */
		smp_rmb();
	}
	how->loaded = loaded;
	/* An exiting task's kept exe, or a lock held: never cached. */
	if (!ev->exe && !ev->locked) {
		how->cached = nl_pcache_get(who);
		if (how->cached)
			return;
		nl_pcache_stamp(&how->gen, &how->ren);
		how->stamped = true;
	}
	who->exe = nl_exe_path(&who->exe_len, flags, ev->locked, ev->exe);
	who->exe_hash = 0;
	who->standing = NLWL_UNKNOWN;
}

/* The cgroup, if the cache did not have it; then both are kept. */
static void who_cgroup(struct nl_who *who, u32 *flags,
		       const struct who_read *how)
{
	u32 read = 0;

	if (how->cached)
		return;
	who->cgroup = nl_cgroup_path(&who->cgroup_len, &who->cgroup_id, &read);
	*flags |= read;
	if (how->stamped && who->exe && !(*flags & NL_WHO_UNSURE))
		nl_pcache_put(who, how->gen, how->ren);
}

/* The socket and the endpoints of @ev, as its call saw them. */
static void sock_of(struct netlog_sock *r, const struct netlog_sock_event *ev)
{
	struct endpoint local = {}, remote = {};
	const bool inet = !ev->not_inet;

	if (inet) {
		netlog_sock_proto(ev->sk, &r->proto, &r->flags);
		ep_local(&local, ev->sk);
	} else {
		r->proto = IPPROTO_UDP;
	}
	if (ev->local) {
		/* bind: the address asked for, and the port the kernel chose */
		struct endpoint asked = {};

		if (ep_from_sockaddr(&asked, ev->local, ev->local_len)) {
			/* (not known yet when the call was not followed) */
			if (!ev->result && !(ev->flags & NETLOG_F_UNFOLLOWED))
				asked.port = local.port;
			local = asked;
		}
	}
	if (!ev->no_peer && !ep_from_sockaddr(&remote, ev->peer, ev->peer_len) &&
	    inet)
		ep_remote(&remote, ev->sk);
	if (inet && nl_sk_is_l2tp(ev->sk)) {
		local.port = 0;
		remote.port = 0;
	}
	put_endpoints(r, &local, &remote);
}

/*
 * An unaudited socket, of any family: only struct sock's own fields are
 * read (see NETLOG_EV_UNAUDITED for where they go); the protocol is in
 * result already.
 */
static void unaudited_of(struct netlog_sock *r, const struct sock *sk)
{
	r->family = sk->sk_family == AF_INET ? 4 :
		    sk->sk_family == AF_INET6 ? 6 : 0;
	r->lport = sk->sk_family;
	r->rport = sk->sk_type;
	r->proto = r->result >= 0 && r->result <= U8_MAX ? r->result : 0;
}

/*
 * The front of @ev's record in @r: its fixed part, the acting exe (into
 * @who) and its endpoints. True when the whitelist silences it, which needs
 * only those: so it is decided before anything else is read, and before
 * the endpoints when the exe's standing (from the process cache) decides
 * alone. A path that is cut, or not one of the host's, is never
 * whitelisted: a user's mount namespace or chroot can put any file at any
 * path. At a call's entry (@at_entry) the kernel may not have chosen the
 * local port yet, so no rule on it decides there.
 */
static bool front_filtered(struct netlog_sock *r,
			   const struct netlog_sock_event *ev,
			   struct nl_who *who, struct who_read *how,
			   bool at_entry)
{
	const bool unaudited = ev->event == NETLOG_EV_UNAUDITED;
	enum nlwl_standing standing = NLWL_NONE;

	memset(r, 0, sizeof(*r));
	r->hdr.type = NETLOG_REC_SOCK;
	r->event = ev->event;
	r->result = ev->result;
	r->flags = ev->flags;
	who_exe(ev, who, &r->flags, how);
	if (!unaudited && who->exe && !(r->flags & NL_NEVER_WHITELISTED))
		standing = who->standing;
	if (standing == NLWL_ANY_PRELOAD ||
	    (standing == NLWL_ANY && !(r->flags & NETLOG_F_PRELOAD)))
		goto filtered;
	/* at a call's entry only the verdict is wanted */
	if (at_entry && standing == NLWL_NONE)
		return false;

	if (unaudited)
		unaudited_of(r, ev->sk);
	else
		sock_of(r, ev);
	if (standing == NLWL_NONE || !whitelisted(who, r, at_entry))
		return false;
filtered:
	/* the cgroup too, once, for the process's next events */
	if (how->stamped)
		who_cgroup(who, &r->flags, how);
	return true;
}

/*
 * Whether the whitelist silences the call @ev begins, whatever it returns
 * (sock.c then does not follow it; it asks only while rules are in force).
 * A connect's peer must be an inet address: connect(AF_UNSPEC)
 * disconnects, and its record's peer is the socket's once the call is done.
 */
bool netlog_filtered_at_entry(const struct netlog_sock_event *ev)
{
	struct endpoint peer;
	struct who_read how;
	struct nl_who who;
	bool filtered;

	if (ev->event == NETLOG_EV_CONNECT &&
	    !ep_from_sockaddr(&peer, ev->peer, ev->peer_len))
		return false;
	filtered = front_filtered(&get_cpu_ptr(rec_buf)->sock, ev, &who, &how,
				  true);
	put_cpu_ptr(rec_buf);
	return filtered;
}

int netlog_emit_sock(const struct netlog_sock_event *ev)
{
	union netlog_buf *buf = get_cpu_ptr(rec_buf);
	struct netlog_sock *r = &buf->sock;
	struct netlog_sock_tail tail = ev->tail;
	struct netlog_strings w;
	struct who_read how;
	struct nl_who who;
	u64 start;
	u32 opid;
	int ret;

	if (front_filtered(r, ev, &who, &how, false)) {
		put_cpu_ptr(rec_buf);
		return NETLOG_FILTERED;
	}
	if (ev->close)
		netlog_close_summary(ev->sk, ev->close, &tail);
	who_cgroup(&who, &r->flags, &how);
	nl_fill_task(&r->task, sock_net(ev->sk)->ns.inum);
	r->task.cgroup_id = who.cgroup_id;
	/*
	 * The acting user's share; a kernel thread's (io_uring dropping a
	 * ring's files, a deferred fput) is the owner's, whom it acts for.
	 */
	r->hdr.uid = current->flags & PF_KTHREAD ?
		     nl_host_uid(ev->sk->sk_uid) : nl_charge_uid();

	netlog_strings_begin(&w, r);
	nl_put_who(&w, &who);
	if (how.loaded) {
		size_t len;
		const char *loaded = nl_exe_loaded_path(how.loaded, &len,
							&r->flags, ev->locked,
							ev->exe);

		netlog_put_string(&w, loaded, len);
	} else {
		netlog_put_string(&w, NULL, 0);
	}
	opid = owner_pid(ev->sk);
	start = nl_task_start();
	if (ev->save) {
		netlog_keep_caller(ev->save, r, w.p);
		ev->save->owner_pid = opid;
		ev->save->start = start;
	}
	netlog_put_string(&w, NULL, 0);		/* connect_seq */
	put_sock_tail(&w, ev->sk, opid, &start, &tail);
	netlog_strings_end(&w);

	ret = secure_log_submit(&r->hdr);
	if (ev->save)
		ev->save->seq = r->hdr.seq;	/* stamped, delivered or not */
	put_cpu_ptr(rec_buf);
	return ret;
}
