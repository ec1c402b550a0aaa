// SPDX-License-Identifier: GPL-2.0
/*
 * No blind start: when netlog loads, a snapshot record for each AF_INET or
 * AF_INET6 socket a task holds open, with the attribution of the first task
 * found holding it. The sockets are found in the tasks' file tables, the
 * one way to them that 6.1 and 6.12 both give a module (6.12 no longer
 * exports tcp_hashinfo), and which names a holder; a socket no task holds
 * (an orphan closing, a kernel socket) is not a task's and is left out.
 *
 * Three steps, so that nothing sleeps under a lock and nothing is held for
 * long: count the sockets (RCU and each table's lock), take a reference to
 * each with its task's into an array sized for them, then, in insmod's
 * process context, sort, drop duplicates (a socket in several tables, or
 * under several fds), and write the records, yielding the CPU between them.
 * A socket made in the meantime is in the array's slack or counted as
 * skipped; the hooks are on before, so it has records of its own.
 */
#include <linux/fdtable.h>
#include <linux/ktime.h>
#include <linux/moduleparam.h>
#include <linux/net.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <net/sock.h>

#include "../include/secure_log.h"
#include "netlog.h"

/* A socket and a task that holds it, each with a reference. */
struct held {
	struct sock *sk;
	struct task_struct *task;
};

struct snap_walk {
	struct held *v;
	unsigned int n, cap;
	u64 skipped;		/* found with the array full */
	struct task_struct *task;	/* whose table is walked */
};

/* What the last snapshot did, for the stats. */
static struct {
	u64 sockets;		/* records made */
	u64 ring_full;		/* of those, lost to a full ring */
	u64 skipped;		/* sockets past the array */
	u64 ns;			/* how long it took */
} last;

static bool snapshot = true;
module_param(snapshot, bool, 0444);
MODULE_PARM_DESC(snapshot,
		 "record the sockets open at load (snapshot records; default Y)");

static bool inet_file(struct file *f, struct sock **skp)
{
	struct socket *sock = sock_from_file(f);
	struct sock *sk = sock ? READ_ONCE(sock->sk) : NULL;

	*skp = sk;
	return sk && (sk->sk_family == AF_INET || sk->sk_family == AF_INET6);
}

static int count_one(const void *arg, struct file *f, unsigned int fd)
{
	struct sock *sk;

	if (inet_file(f, &sk))
		(*(unsigned int *)arg)++;
	return 0;
}

static int take_one(const void *arg, struct file *f, unsigned int fd)
{
	struct snap_walk *s = (struct snap_walk *)arg;
	struct sock *sk;

	if (!inet_file(f, &sk))
		return 0;
	if (s->n == s->cap) {
		s->skipped++;
		return 0;
	}
	sock_hold(sk);
	get_task_struct(s->task);
	s->v[s->n++] = (struct held){ .sk = sk, .task = s->task };
	return 0;
}

/*
 * @fn on each fd of every file table, once per table: a thread that shares
 * its leader's table is skipped. Kernel threads hold no task's sockets.
 */
static void each_table(int (*fn)(const void *, struct file *, unsigned int),
		       void *arg, struct task_struct **cur)
{
	struct task_struct *g, *t;

	rcu_read_lock();
	for_each_process_thread(g, t) {
		if (t->flags & PF_KTHREAD)
			continue;
		task_lock(t);
		if (t->files && (t == g || t->files != g->files)) {
			if (cur)
				*cur = t;
			iterate_fd(t->files, 0, fn, arg);
		}
		task_unlock(t);
	}
	rcu_read_unlock();
}

static int by_sock(const void *a, const void *b)
{
	const struct held *x = a, *y = b;

	if (x->sk != y->sk)
		return x->sk < y->sk ? -1 : 1;
	return 0;
}

static void emit_held(const struct held *h, struct nl_task_who *who,
		      char *paths, void *rec)
{
	struct sock *sk = h->sk;
	struct netlog_life life;
	const bool tcp = nl_sk_is_tcp(sk);
	const int state = READ_ONCE(sk->sk_state);
	int ret;

	nl_task_who(h->task, who, paths, paths + PATH_MAX);
	if (tcp)
		netlog_tcp_life(sk, state, &life);
	if (netlog_was_established(sk))
		who->flags |= NETLOG_F_ESTABLISHED;
	/* a datagram socket's close will say what it carried from now */
	if (sk->sk_type == SOCK_DGRAM || sk->sk_type == SOCK_RAW)
		netlog_dgram_begin(sk);
	ret = netlog_emit_snapshot(sk, who, tcp ? &life : NULL, rec);
	last.sockets++;
	if (ret == -ENOSPC)
		last.ring_full++;
}

int netlog_snapshot(void)
{
	const u64 began = ktime_get_ns();
	struct snap_walk s = {};
	unsigned int count = 0, i;
	struct nl_task_who *who;
	char *paths;
	void *rec;
	int ret = -ENOMEM;

	memset(&last, 0, sizeof(last));
	if (!snapshot)
		return 0;
	who = kmalloc(sizeof(*who), GFP_KERNEL);
	paths = kmalloc(2 * PATH_MAX, GFP_KERNEL);
	rec = kmalloc(NETLOG_SOCK_MAX_LEN, GFP_KERNEL);
	if (!who || !paths || !rec)
		goto out;
	each_table(count_one, &count, NULL);
	/* and room for those made while the tables are walked again */
	s.cap = count + count / 8 + 64;
	s.v = kvmalloc_array(s.cap, sizeof(*s.v), GFP_KERNEL);
	if (!s.v)
		goto out;
	each_table(take_one, &s, &s.task);

	sort(s.v, s.n, sizeof(*s.v), by_sock, NULL);
	for (i = 0; i < s.n; i++) {
		if (!i || s.v[i].sk != s.v[i - 1].sk)
			emit_held(&s.v[i], who, paths, rec);
		cond_resched();
	}
	for (i = 0; i < s.n; i++) {
		sock_put(s.v[i].sk);
		put_task_struct(s.v[i].task);
	}
	kvfree(s.v);
	last.skipped = s.skipped;
	ret = 0;
out:
	kfree(rec);
	kfree(paths);
	kfree(who);
	last.ns = ktime_get_ns() - began;
	if (ret)
		pr_warn("snapshot: out of memory: no record of the sockets open at load\n");
	else
		pr_info("snapshot: %llu sockets open at load in %llu ms (%llu lost to a full ring, %llu skipped)\n",
			last.sockets, div_u64(last.ns, NSEC_PER_MSEC),
			last.ring_full, last.skipped);
	return ret;
}

/*
 * snapshot load sockets=N ring_full=N skipped=N ns=N: the one at load (not
 * "dropped", which scripts sum over the probes' lines).
 */
int netlog_snapshot_stats(struct secure_log_stats *s)
{
	return s->row(s, "snapshot", "load") ?:
	       s->val(s, "sockets", last.sockets, true) ?:
	       s->val(s, "ring_full", last.ring_full, true) ?:
	       s->val(s, "skipped", last.skipped, true) ?:
	       s->val(s, "ns", last.ns, true);
}
