// SPDX-License-Identifier: GPL-2.0
/*
 * Building netlog records: who did what to which endpoints.
 *
 * Records are built in a per-CPU buffer and then copied into secure_log, so
 * the ring lock is never held while we walk task and socket state. The
 * buffer is only used from kprobe handlers, which run with preemption
 * disabled and never nest on one CPU (a probe hit inside a handler is counted
 * as missed by the kprobes core), so one buffer per CPU is enough.
 */
#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/string.h>
#include <linux/tty.h>
#include <linux/user_namespace.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>

#include "../include/secure_log.h"
#include "netlog.h"

union netlog_buf {
	struct netlog_hdr hdr;
	struct netlog_sock sock;
	u8 bytes[NETLOG_REC_MAX];
};

static union netlog_buf __percpu *rec_buf;
/* d_path() writes from the end of its buffer: give it room for any path. */
struct path_scratch {
	char buf[PATH_MAX];
};

static struct path_scratch __percpu *path_buf;

int netlog_record_init(void)
{
	rec_buf = alloc_percpu(union netlog_buf);
	if (!rec_buf)
		goto err;
	path_buf = alloc_percpu(struct path_scratch);
	if (!path_buf)
		goto err_rec;
	return 0;

err_rec:
	free_percpu(rec_buf);
err:
	return -ENOMEM;
}

void netlog_record_exit(void)
{
	free_percpu(path_buf);
	free_percpu(rec_buf);
}

/*
 * Append a length-prefixed string, keeping its last @max bytes when it is
 * longer (the end of a path names the program). Returns the new end.
 */
static u8 *put_str(u8 *p, const char *s, size_t len, size_t max, u32 *flags,
		   u32 trunc)
{
	u16 n = min(len, max);

	if (n < len)
		*flags |= trunc;
	memcpy(p, &n, sizeof(n));
	memcpy(p + sizeof(n), s + (len - n), n);
	return p + sizeof(n) + n;
}

static u8 *put_tty(u8 *p, u32 *flags)
{
	struct tty_struct *tty = get_current_tty();
	const char *name;

	if (!tty)
		return put_str(p, "", 0, 0, flags, 0);
	name = tty_name(tty);
	p = put_str(p, name, strlen(name), NETLOG_TTY_MAX, flags,
		    NETLOG_F_TRUNC_TTY);
	tty_kref_put(tty);
	return p;
}

static u8 *put_exe(u8 *p, u32 *flags)
{
	struct mm_struct *mm = current->mm;
	char *buf = this_cpu_ptr(path_buf)->buf;
	struct file *exe;
	char *path = NULL;

	/*
	 * Our own mm cannot go away under us. Its exe_file is replaced only by
	 * exec (not while we are in a socket call) or PR_SET_MM_EXE_FILE; the
	 * struct file and the dentries behind it are freed after an RCU grace
	 * period, and d_path() is safe against concurrent renames, so reading
	 * it under rcu_read_lock() needs no reference (get_mm_exe_file() is
	 * not exported).
	 */
	rcu_read_lock();
	exe = mm ? rcu_dereference(mm->exe_file) : NULL;
	if (exe)
		path = d_path(&exe->f_path, buf, PATH_MAX);
	rcu_read_unlock();

	if (IS_ERR(path)) {
		*flags |= NETLOG_F_TRUNC_EXE;
		path = NULL;
	}
	if (!path)
		return put_str(p, "", 0, 0, flags, 0);
	return put_str(p, path, strlen(path), NETLOG_EXE_MAX, flags,
		       NETLOG_F_TRUNC_EXE);
}

static void fill_task(struct netlog_task *t, const struct sock *sk)
{
	const struct cred *cred = current_cred();

	t->pid = task_tgid_nr(current);
	t->tid = task_pid_nr(current);
	rcu_read_lock();
	t->ppid = task_tgid_nr(rcu_dereference(current->real_parent));
	t->sid = pid_nr(task_session(current));
	rcu_read_unlock();
	t->uid = from_kuid_munged(&init_user_ns, cred->uid);
	t->gid = from_kgid_munged(&init_user_ns, cred->gid);
	t->euid = from_kuid_munged(&init_user_ns, cred->euid);
	t->egid = from_kgid_munged(&init_user_ns, cred->egid);
	t->netns = sock_net(sk)->ns.inum;
	t->cgroup_id = 0;
	t->reserved = 0;
}

static void put_v4(u8 *dst, __be32 addr)
{
	memcpy(dst, &addr, sizeof(addr));
}

/* Local endpoint from the socket, after the call (autobind has happened). */
static void fill_local(struct netlog_sock *r, const struct sock *sk)
{
	const struct inet_sock *inet = inet_sk(sk);

	r->lport = ntohs(inet->inet_sport);
#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6 &&
	    !ipv6_addr_v4mapped(&sk->sk_v6_rcv_saddr) &&
	    !ipv6_addr_v4mapped(&sk->sk_v6_daddr)) {
		r->family = 6;
		memcpy(r->laddr, &sk->sk_v6_rcv_saddr, 16);
		return;
	}
#endif
	r->family = 4;
	put_v4(r->laddr, inet->inet_saddr ?: inet->inet_rcv_saddr);
}

/* Remote endpoint: the address asked for if we have it, else the peer's. */
static void fill_remote(struct netlog_sock *r, const struct sock *sk,
			const struct sockaddr *peer, int peer_len)
{
	const struct inet_sock *inet = inet_sk(sk);

	if (peer && peer->sa_family == AF_INET &&
	    peer_len >= (int)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const void *)peer;

		r->family = 4;
		put_v4(r->raddr, in->sin_addr.s_addr);
		r->rport = ntohs(in->sin_port);
		return;
	}
#if IS_ENABLED(CONFIG_IPV6)
	if (peer && peer->sa_family == AF_INET6 &&
	    peer_len >= SIN6_LEN_RFC2133) {
		const struct sockaddr_in6 *in6 = (const void *)peer;

		r->rport = ntohs(in6->sin6_port);
		if (ipv6_addr_v4mapped(&in6->sin6_addr)) {
			r->family = 4;
			put_v4(r->raddr, in6->sin6_addr.s6_addr32[3]);
		} else {
			r->family = 6;
			memcpy(r->raddr, &in6->sin6_addr, 16);
		}
		return;
	}
	if (r->family == 6) {
		memcpy(r->raddr, &sk->sk_v6_daddr, 16);
		r->rport = ntohs(inet->inet_dport);
		return;
	}
#endif
	put_v4(r->raddr, inet->inet_daddr);
	r->rport = ntohs(inet->inet_dport);
}

int netlog_emit_sock(const struct netlog_sock_event *ev)
{
	union netlog_buf *buf = get_cpu_ptr(rec_buf);
	struct netlog_sock *r = &buf->sock;
	u32 flags = 0;
	u8 *p, *end;
	size_t len;
	int ret;

	memset(r, 0, sizeof(*r));
	r->hdr.type = NETLOG_REC_SOCK;
	r->event = ev->event;
	r->proto = ev->sk->sk_protocol;
	r->result = ev->result;
	fill_local(r, ev->sk);
	fill_remote(r, ev->sk, ev->peer, ev->peer_len);
	fill_task(&r->task, ev->sk);

	p = (u8 *)(r + 1);
	p = put_str(p, current->comm, strnlen(current->comm, TASK_COMM_LEN),
		    NETLOG_COMM_MAX, &flags, NETLOG_F_TRUNC_COMM);
	p = put_tty(p, &flags);
	p = put_exe(p, &flags);
	p = put_str(p, "", 0, 0, &flags, 0);	/* cgroup: not yet */

	len = p - buf->bytes;
	end = buf->bytes + ALIGN(len, NETLOG_REC_ALIGN);
	memset(p, 0, end - p);
	r->flags = flags;
	r->hdr.len = end - buf->bytes;

	ret = secure_log_submit(&r->hdr);
	put_cpu_ptr(rec_buf);
	return ret;
}
