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
#include <linux/cgroup.h>
#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/fs_struct.h>
#include <linux/nsproxy.h>
#include <linux/percpu.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/string.h>
#include <linux/tty.h>
#include <linux/user_namespace.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/mptcp.h>
#include <net/net_namespace.h>

#include "../include/secure_log.h"
#include "netlog.h"
#include "rec_strings.h"

union netlog_buf {
	struct netlog_hdr hdr;
	struct netlog_sock sock;
	struct netlog_config config;
	u8 bytes[NETLOG_REC_MAX];
};

static union netlog_buf __percpu *rec_buf;
/* d_path() writes from the end of its buffer: give it room for any path. */
struct path_scratch {
	char buf[PATH_MAX];
};

static struct path_scratch __percpu *path_buf;

/* init's root when netlog loaded: see host_view() */
static struct path init_root;

static void capture_init_root(void)
{
	struct task_struct *init = init_pid_ns.child_reaper;

	task_lock(init);
	if (init->fs) {
		spin_lock(&init->fs->lock);
		init_root = init->fs->root;
		spin_unlock(&init->fs->lock);
	}
	task_unlock(init);
}

int netlog_record_init(void)
{
	capture_init_root();
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
	rec_buf = NULL;
}

/*
 * A configuration value as a NETLOG_REC_CONFIG carries it: itself when it
 * fits, else its fingerprint, written to @fp. FNV-1a is an identifier for
 * telling rule sets apart in the trail, not a seal.
 */
const char *netlog_config_value(const char *s, size_t *len,
				unsigned int entries, char *fp, size_t fp_size)
{
	u64 h = 0xcbf29ce484222325ULL;
	size_t i;

	if (*len <= NETLOG_VALUE_MAX)
		return s;
	for (i = 0; i < *len; i++)
		h = (h ^ (u8)s[i]) * 0x100000001b3ULL;
	*len = scnprintf(fp, fp_size, "fnv1a64:%016llx entries=%u bytes=%zu",
			 h, entries, *len);
	return fp;
}

static void put_tty(struct netlog_strings *w)
{
	struct tty_struct *tty;
	const char *name;

	if (IS_ENABLED(CONFIG_PREEMPT_RT)) {
		char buf[NETLOG_TTY_MAX];

		netlog_put_string(w, buf, nl_tty_name_lockless(buf, sizeof(buf)));
		return;
	}
	tty = get_current_tty();
	if (!tty) {
		netlog_put_string(w, NULL, 0);
		return;
	}
	name = tty_name(tty);
	netlog_put_string(w, name, strlen(name));
	tty_kref_put(tty);
}

/*
 * Whether a path the task resolves names what the same path names for the
 * admin and the rules: the task is in the initial mount namespace and its
 * root is init's (no chroot). init's root is taken when netlog loads
 * (pointers compared, never followed): if init changes its root later, as
 * an initramfs's switch_root does, every exe is flagged, never trusted.
 */
static bool host_view(void)
{
	const struct nsproxy *ns = current->nsproxy;
	const struct fs_struct *fs = current->fs;

	return ns && ns->mnt_ns == init_task.nsproxy->mnt_ns && fs &&
	       READ_ONCE(fs->root.mnt) == init_root.mnt &&
	       READ_ONCE(fs->root.dentry) == init_root.dentry;
}

/*
 * The current task's exe, root and view, without references: our own mm
 * cannot go away under us, and its exe_file is replaced only by exec (not
 * while we are in a socket call) or PR_SET_MM_EXE_FILE; the struct file and
 * the dentries behind it are freed after an RCU grace period. Under
 * rcu_read_lock() (get_mm_exe_file() is not exported).
 */
static void current_exe(struct netlog_exe *e)
{
	const struct fs_struct *fs = current->fs;
	struct mm_struct *mm = current->mm;

	e->file = mm ? rcu_dereference(mm->exe_file) : NULL;
	e->root = fs ? READ_ONCE(fs->root.dentry) : NULL;
	e->root_mnt = fs ? READ_ONCE(fs->root.mnt) : NULL;
	e->host = host_view();
}

/*
 * Keeps the exe of a task about to lose its mm (exit_mm_release()), for the
 * sockets its exit closes later, after exit_fs(): a reference to the file,
 * and the root to resolve it from. False when there is no exe.
 */
bool netlog_exe_keep(struct netlog_exe *e)
{
	rcu_read_lock();
	current_exe(e);
	if (e->file)
		get_file(e->file);	/* the mm holds one: cannot be 0 */
	rcu_read_unlock();
	return e->file;
}

/*
 * The executable's path, in the per-CPU path buffer; NULL for none (kernel
 * threads, a task past exit_mm() whose exe was not kept) or when it does
 * not fit PATH_MAX (flagged), and NETLOG_F_EXE_NS when it is not a path of
 * the host's view (host_view()). @kept: the exe netlog_exe_keep() kept for
 * an exiting task, resolved from its root without its fs_struct, which is
 * gone by then. @lockless: a spinlock is held that d_path() must not wait
 * under (it may spin on fs->seq and take rename_lock), or the kernel is
 * PREEMPT_RT.
 */
static const char *exe_path(size_t *len, u32 *flags, bool lockless,
			    const struct netlog_exe *kept)
{
	char *buf = this_cpu_ptr(path_buf)->buf;
	struct netlog_exe now;
	const struct netlog_exe *e = kept ?: &now;
	char *path = NULL;

	rcu_read_lock();
	if (!kept)
		current_exe(&now);
	if (e->file && (kept || lockless || IS_ENABLED(CONFIG_PREEMPT_RT))) {
		bool cut = true;

		path = nl_d_path_lockless(&e->file->f_path, e->root,
					  e->root_mnt, buf, PATH_MAX, &cut);
		if (cut)
			*flags |= NETLOG_F_TRUNC_EXE;
	} else if (e->file) {
		path = d_path(&e->file->f_path, buf, PATH_MAX);
	}
	rcu_read_unlock();

	if (IS_ERR(path)) {
		*flags |= NETLOG_F_TRUNC_EXE;
		path = NULL;
	}
	if (!e->host)
		*flags |= NETLOG_F_EXE_NS;
	*len = path ? strlen(path) : 0;
	return path;
}

static void put_cgroup(struct netlog_strings *w, u64 *id)
{
	char *buf = this_cpu_ptr(path_buf)->buf;
	struct cgroup *cgrp;
	char *path = buf;
	int len;

	/* The css_set, and the cgroup it points to, are RCU protected. */
	rcu_read_lock();
	cgrp = task_dfl_cgroup(current);
	*id = cgroup_id(cgrp);
	if (IS_ENABLED(CONFIG_PREEMPT_RT)) {
		path = nl_cgroup_path_lockless(cgrp, buf, PATH_MAX);
		len = path ? strlen(path) : PATH_MAX;
	} else {
		len = cgroup_path(cgrp, buf, PATH_MAX);
	}
	rcu_read_unlock();

	if (len < 0)
		len = 0;
	if (len >= PATH_MAX) {
		/* Only the start is lost: the tail is what we keep anyway. */
		*w->flags |= NETLOG_F_TRUNC_CGROUP;
		len = path ? strnlen(path, PATH_MAX) : 0;
	}
	netlog_put_string(w, path, len);
}

static void fill_task(struct netlog_task *t, u64 netns)
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
	t->netns = netns;
	t->reserved = 0;
}

/* The strings every record of a task's action carries, in record order. */
static void put_who(struct netlog_strings *w, const char *exe, size_t exe_len,
		    u64 *cgroup_id)
{
	netlog_put_string(w, current->comm,
			  strnlen(current->comm, TASK_COMM_LEN));
	put_tty(w);
	netlog_put_string(w, exe, exe_len);
	/* Reuses the path buffer: exe has been copied by now. */
	put_cgroup(w, cgroup_id);
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
 * The record's proto and flags for a socket: MPTCP (the socket, or one of
 * its TCP subflows) is proto 6 with NETLOG_F_MPTCP, since IPPROTO_MPTCP
 * (262) does not fit a byte; a raw socket keeps its protocol number.
 */
void netlog_sock_proto(const struct sock *sk, u8 *proto, u32 *flags)
{
	if (sk->sk_protocol == IPPROTO_MPTCP ||
	    (sk->sk_protocol == IPPROTO_TCP && sk_is_mptcp(sk))) {
		*proto = IPPROTO_TCP;
		*flags |= NETLOG_F_MPTCP;
		return;
	}
	*proto = sk->sk_protocol;
	if (sk->sk_type == SOCK_RAW)
		*flags |= NETLOG_F_RAW;
}

static void endpoints_of(struct netlog_sock *r, const struct sock *sk)
{
	struct endpoint local = {}, remote = {};

	ep_local(&local, sk);
	ep_remote(&remote, sk);
	put_endpoints(r, &local, &remote);
}

/*
 * connect_done: built on the stack, not in the per-CPU buffer, because it
 * runs from a tracepoint, often in softirq, which can interrupt a probe
 * handler that is filling that buffer on this CPU. Only comm among the
 * strings: the rest of the caller is in its connect record.
 */
int netlog_emit_done(const struct sock *sk, int result,
		     const struct netlog_caller *caller)
{
	struct {
		struct netlog_sock sock;
		u8 strings[NETLOG_STR_COUNT * sizeof(__u16) + NETLOG_COMM_MAX +
			   NETLOG_REC_ALIGN];
	} buf;
	struct netlog_sock *r = &buf.sock;
	struct netlog_strings w;

	memset(r, 0, sizeof(*r));
	r->hdr.type = NETLOG_REC_SOCK;
	r->event = NETLOG_EV_CONNECT_DONE;
	r->result = result;
	netlog_sock_proto(sk, &r->proto, &r->flags);
	endpoints_of(r, sk);
	r->task = caller->task;
	r->hdr.uid = caller->task.uid;	/* the caller's share of the ring */

	netlog_strings_begin(&w, r);
	netlog_put_string(&w, caller->comm,
			  strnlen(caller->comm, sizeof(caller->comm)));
	netlog_strings_end(&w);
	return secure_log_submit(&r->hdr);
}

int netlog_emit_sock(const struct netlog_sock_event *ev)
{
	union netlog_buf *buf = get_cpu_ptr(rec_buf);
	struct netlog_sock *r = &buf->sock;
	struct endpoint local = {}, remote = {};
	struct netlog_strings w;
	const char *exe;
	size_t exe_len;
	int ret;

	memset(r, 0, sizeof(*r));
	r->hdr.type = NETLOG_REC_SOCK;
	r->event = ev->event;
	r->result = ev->result;
	r->flags = ev->flags;
	netlog_sock_proto(ev->sk, &r->proto, &r->flags);

	ep_local(&local, ev->sk);
	if (ev->local) {
		/* bind: the address asked for, and the port the kernel chose */
		struct endpoint asked = {};

		if (ep_from_sockaddr(&asked, ev->local, ev->local_len)) {
			if (!ev->result)
				asked.port = local.port;
			local = asked;
		}
	}
	if (!ev->no_peer && !ep_from_sockaddr(&remote, ev->peer, ev->peer_len))
		ep_remote(&remote, ev->sk);
	put_endpoints(r, &local, &remote);

	/*
	 * The whitelist needs only the exe and the endpoints: decide early. A
	 * path that is cut, or not one of the host's, is never whitelisted:
	 * a user's mount namespace or chroot can put any file at any path.
	 */
	exe = exe_path(&exe_len, &r->flags, ev->locked, ev->exe);
	if (exe && !(r->flags & (NETLOG_F_EXE_NS | NETLOG_F_TRUNC_EXE)) &&
	    netlog_whitelisted(exe, exe_len, r)) {
		put_cpu_ptr(rec_buf);
		return NETLOG_FILTERED;
	}
	fill_task(&r->task, sock_net(ev->sk)->ns.inum);
	r->hdr.uid = r->task.uid;	/* charged to the acting uid's share */
	if (ev->save) {
		ev->save->task = r->task;
		strscpy_pad(ev->save->comm, current->comm,
			    sizeof(ev->save->comm));
	}

	netlog_strings_begin(&w, r);
	put_who(&w, exe, exe_len, &r->task.cgroup_id);
	netlog_strings_end(&w);

	ret = secure_log_submit(&r->hdr);
	put_cpu_ptr(rec_buf);
	return ret;
}

/*
 * A change of configuration by the current task (a sysfs write, insmod,
 * rmmod), in process context. The values are in canonical form, at most
 * NETLOG_VALUE_MAX bytes (the caller fingerprints longer ones). The record
 * is built in this CPU's buffer, preemption disabled, as a probe's is.
 */
int netlog_emit_config(const char *param, const char *old, size_t old_len,
		       const char *new, size_t new_len)
{
	struct netlog_config *r;
	struct netlog_strings w;
	const char *exe;
	size_t exe_len;
	int ret;

	if (!rec_buf)	/* a parameter set by insmod: the load record says it */
		return 0;
	r = &get_cpu_ptr(rec_buf)->config;
	memset(r, 0, sizeof(*r));
	r->hdr.type = NETLOG_REC_CONFIG;
	strscpy_pad(r->param, param, sizeof(r->param));
	exe = exe_path(&exe_len, &r->flags, false, NULL);
	fill_task(&r->task, current->nsproxy ?
			    current->nsproxy->net_ns->ns.inum : 0);
	r->hdr.uid = r->task.uid;

	netlog_strings_start(&w, &r->hdr, &r->flags, r + 1);
	put_who(&w, exe, exe_len, &r->task.cgroup_id);
	netlog_put_string(&w, old, old_len);
	netlog_put_string(&w, new, new_len);
	netlog_strings_end(&w);

	ret = secure_log_submit(&r->hdr);
	put_cpu_ptr(rec_buf);
	return ret;
}
