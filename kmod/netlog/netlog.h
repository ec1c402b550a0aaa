/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NETLOG_H
#define _NETLOG_H

#include <linux/in.h>
#include <linux/sched.h>
#include <linux/socket.h>
#include <linux/tcp.h>
#include <linux/types.h>
#include <net/sock.h>

#include "../uapi/netlog.h"
#include "../core/attr.h"
#include "../core/table.h"
#include "../core/whitelist.h"

/* Per-probe counters, per CPU; summed when read. */
struct netlog_counters {
	u64 hits;	/* return handler ran for an event we record */
	u64 emitted;	/* record accepted by secure_log */
	u64 dropped;	/* record lost to a full ring (also in-stream) */
	u64 filtered;	/* matched the whitelist, not recorded */
};

/* netlog_emit_sock(): the event matched the whitelist. */
#define NETLOG_FILTERED 1

/*
 * Who called connect, carried to the connect_done record: the connect
 * record's attribution, as it was written.
 */
struct netlog_caller {
	struct netlog_task task;
	u32 charge;		/* its share of the ring: nl_charge_uid() */
	u32 flags;		/* the connect's NETLOG_F_* */
	u64 seq;		/* the connect's */
	u32 owner_pid;		/* the connect's */
	u64 start;		/* the connect's START: nl_task_start() */
	u16 str_len;		/* bytes of str used */
	u8 str[NETLOG_DONE_STR_MAX];	/* comm to exe_loaded, encoded */
};

/* What a socket record carries after its attribution: each may be NULL. */
struct netlog_sock_tail {
	const struct netlog_life *life;	/* LIFE, little-endian */
	const struct netlog_nat *nat;	/* NAT */
	const struct netlog_dgram *dgram;	/* DGRAM, little-endian */
};

/*
 * One socket action as seen by a probe. @local and @peer, when set, are
 * addresses the caller passed (bind, connect) and win over the socket's own;
 * @no_peer leaves the remote endpoint empty (bind, listen).
 */
struct netlog_sock_event {
	u16 event;
	int result;
	u32 flags;
	struct sock *sk;
	const struct sockaddr *local;
	int local_len;
	const struct sockaddr *peer;
	int peer_len;
	bool no_peer;
	/*
	 * A spinlock is held (accept: the socket's callback lock, BH off):
	 * the exe path is read without locks, as on PREEMPT_RT.
	 */
	bool locked;
	/* when set, filled with the caller unless the whitelist silenced it */
	struct netlog_caller *save;
	/* an exiting task's exe, kept from before its mm went (sock.c) */
	const struct netlog_exe *exe;
	/* a close's summary (LIFE or DGRAM) and translated destination */
	struct netlog_sock_tail tail;
	/* or what a close's is read from, once the whitelist let it through */
	struct netlog_close *close;
	/*
	 * sk is not an inet socket (RxRPC's, whose datagrams its kernel UDP
	 * socket sends): only struct sock's own fields are read, and the
	 * endpoints are @peer alone.
	 */
	bool not_inet;
};

/*
 * Whether @sk is a struct tcp_sock, so that tcp_sk() and sk_is_mptcp() may
 * read it. sk_protocol alone does not say: a SOCK_RAW socket may carry any
 * protocol number, IPPROTO_TCP among them (any user may make one in a user
 * and network namespace of its own), and a raw_sock is far smaller.
 */
static inline bool nl_sk_is_tcp(const struct sock *sk)
{
	return sk->sk_type == SOCK_STREAM && sk->sk_protocol == IPPROTO_TCP;
}

int netlog_record_init(void);
void netlog_record_exit(void);
/*
 * Whether @sk is the TCP socket SMC made for an AF_SMC socket, while its
 * handshake may still turn to SMC: SMC marks it syn_smc before it connects
 * or listens, and the kernel clears the mark when the peer has no SMC (the
 * connection then falls back to this socket).
 */
/*
 * The inode number of @sk's socket, which no other socket has while it
 * lives; 0 when it has none (being released).
 */
static inline unsigned long nl_sk_ino(const struct sock *sk)
{
	const struct socket *sock = READ_ONCE(sk->sk_socket);

	return sock ? SOCK_INODE((struct socket *)sock)->i_ino : 0;
}

static inline bool nl_sk_is_smc(const struct sock *sk)
{
#if IS_ENABLED(CONFIG_SMC)
	return sk->sk_kern_sock && nl_sk_is_tcp(sk) &&
	       READ_ONCE(tcp_sk(sk)->syn_smc);
#else
	return false;
#endif
}

/*
 * Whether @sk is L2TP over IP (l2tp_ip, l2tp_ip6), which has no ports: the
 * port field of its sockaddr is unused (its tunnels are named by a
 * connection id), so a caller may write anything there.
 */
static inline bool nl_sk_is_l2tp(const struct sock *sk)
{
	return sk->sk_type == SOCK_DGRAM && sk->sk_protocol == IPPROTO_L2TP;
}

int netlog_emit_sock(const struct netlog_sock_event *ev);
bool netlog_filtered_at_entry(const struct netlog_sock_event *ev);
void netlog_owner_keep(struct socket *sock);
unsigned long netlog_probes_mask(void);
int netlog_emit_done(const struct sock *sk, int result,
		     const struct netlog_caller *caller,
		     const struct netlog_nat *nat);
/* nat.c: conntrack's translation of @sk's destination, when it has one */
bool netlog_nat_of(const struct sock *sk, struct netlog_nat *nat);
int netlog_nat_init(void);
void netlog_nat_exit(void);
int netlog_emit_by_peer(const struct sock *sk, u16 event,
			const struct sockaddr *peer, int peer_len);
int netlog_emit_state(const struct sock *sk, const struct netlog_life *life);
int netlog_emit_snapshot(const struct sock *sk, const struct nl_task_who *who,
			 const struct netlog_life *life, void *buf);
struct secure_log_stats;
int netlog_snapshot(void);
int netlog_snapshot_stats(struct secure_log_stats *s);
void netlog_tcp_life(const struct sock *sk, int state,
		     struct netlog_life *life);
bool netlog_was_established(const struct sock *sk);
void netlog_sock_proto(const struct sock *sk, u8 *proto, u32 *flags);

struct sock *netlog_sctp_sock(const void *assoc);
void netlog_sctp_peers(const void *assoc, unsigned int skip,
		       void (*fn)(const struct sockaddr *addr, int len,
				  void *arg),
		       void *arg);
bool netlog_sctp_is_inbound(const void *assoc);
bool netlog_sctp_one_to_many(const struct sock *sk);
bool netlog_sctp_offered(const void *assoc, const void *addr);

/* A datagram's destination, as send.c and dgram.c compare them. */
struct netlog_dest {
	struct in6_addr addr;	/* IPv4 as mapped */
	u32 scope;
	__be16 port;
	u16 zero;
};

int netlog_send_init(void);
void netlog_send_exit(void);
void netlog_send_forget(void);
bool netlog_dest_of(const struct sockaddr *to, int len, struct netlog_dest *d);
u32 netlog_dest_mark(const struct netlog_dest *d);
bool netlog_send_first(const struct sock *sk, const struct netlog_dest *dest);

/*
 * A socket's entry in the table of lives (sock.c): a TCP connection's start,
 * or what a datagram or raw socket carried (dgram.c).
 */
struct netlog_life_entry {
	u64 ns;		/* ktime_get_boot_fast_ns() when it began */
	/*
	 * whose entry it is: TCP, the sk_hash of its 4-tuple; a datagram
	 * socket, its inode number
	 */
	u32 id;
	bool reset;	/* TCP: the peer reset it (tcp:tcp_receive_reset) */
	u8 dgram_flags;	/* NETLOG_DGRAM_* */
	u32 sent;
	u32 received;
	u64 bytes_sent;
	u64 bytes_received;
	u32 dests[NETLOG_DGRAM_DESTS];	/* netlog_dest_mark()s; 0: free */
};

/*
 * What a close's summary is read from (sock.c), once the whitelist has let
 * its record through: nothing is read for a record it silences.
 */
struct netlog_close {
	int probe;
	bool established;
	bool began;			/* @start is the socket's entry */
	struct netlog_life_entry start;
	struct netlog_life life;
	struct netlog_nat nat;
	struct netlog_dgram dgram;
};

void netlog_close_summary(const struct sock *sk, struct netlog_close *c,
			  struct netlog_sock_tail *tail);

extern struct nl_table netlog_lives;
bool netlog_counts_dgrams(void);
void netlog_dgram_begin(struct sock *sk);
void netlog_dgram_sent(struct sock *sk, const struct netlog_dest *dest,
		       size_t bytes);
void netlog_dgram_received(struct sock *sk, const struct sk_buff *skb);
bool netlog_dgram_summary(const struct netlog_life_entry *e,
			  const struct sock *sk, struct netlog_dgram *out);

struct secure_log_stats;

/*
 * proc_cache.c: a process's exe and cgroup paths, kept between records.
 * Never fails to load: without its memory or its hooks the cache is off.
 */
void nl_pcache_init(void);
void nl_pcache_exit(void);
void nl_pcache_exec(struct task_struct *p);
void nl_pcache_task_exit(void *data, struct task_struct *p);
void nl_pcache_invalidate(void);
void nl_pcache_unhooked(int err);
bool nl_pcache_get(struct nl_who *who);
void nl_pcache_stamp(unsigned int *gen, unsigned int *ren);
void nl_pcache_put(const struct nl_who *who, unsigned int gen,
		   unsigned int ren);
int nl_pcache_stats(struct secure_log_stats *s);

/* exe_set.c: processes whose exe is not the one they exec'd */
int nl_exe_set_init(void);
void nl_exe_set_exit(void);
/* its hooks (sock.c's table) */
void nl_exe_set_replace(struct mm_struct *mm);
void nl_exe_set_exec(struct task_struct *p);
void nl_exe_set_fork(void *data, struct task_struct *parent,
		     struct task_struct *child);
struct nl_hook;
void nl_exe_set_exit_mmap(struct nl_hook *hook, const unsigned long *args);
void nl_exe_set_ptrace(struct nl_hook *hook, const unsigned long *args);
void nl_exe_set_mem_write(struct nl_hook *hook, const unsigned long *args);
void nl_exe_set_vm_write(struct nl_hook *hook, const unsigned long *args);
void nl_exe_set_unhooked(int err);
u32 nl_exe_set_of(struct mm_struct *mm, struct file **loaded);
void nl_exe_set_keep(struct mm_struct *mm, struct netlog_exe *e);
int nl_exe_set_stats(struct secure_log_stats *s);

/* record.c: the whitelist parameter, whitelist.c */
extern struct nl_whitelist netlog_wl;
extern struct secure_log_ctl netlog_ctl;

int netlog_probes_init(void);
void netlog_probes_exit(void);

#endif /* _NETLOG_H */
