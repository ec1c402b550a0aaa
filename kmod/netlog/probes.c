// SPDX-License-Identifier: GPL-2.0
/*
 * The probe table: every hook netlog places, registered and unregistered by
 * one loop each.
 *
 * Entry handlers only capture what the return handler cannot get back (the
 * socket and the arguments); they take no references, so an instance whose
 * return handler never runs (unregistration, maxactive exhausted) leaks
 * nothing. Attribution is read in the return handler: it runs in the same
 * task, whose credentials cannot change in the middle of its own syscall.
 */
#include <linux/cpumask.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/kprobes.h>
#include <linux/moduleparam.h>
#include <linux/net.h>
#include <linux/percpu.h>
#include <linux/ptrace.h>
#include <net/sock.h>

#include "netlog.h"

static int maxactive;
module_param(maxactive, int, 0444);
MODULE_PARM_DESC(maxactive,
		 "kretprobe instances per probe, 0 = auto (16 per possible CPU, at least 128)");

struct netlog_probe {
	const char *name;
	struct kretprobe krp;
	bool registered;
	struct netlog_counters __percpu *cnt;
};

/* Only what connect() was asked; a sockaddr_in6 is the largest we use. */
struct connect_data {
	struct socket *sock;
	int addr_len;
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
	} addr;
};

static bool is_user_inet(const struct socket *sock, u16 proto)
{
	const struct sock *sk = sock ? sock->sk : NULL;

	/* Kernel sockets (NFS, CIFS, ...) are not a task's action. */
	return sk && !sk->sk_kern_sock && sk->sk_protocol == proto &&
	       (sk->sk_family == AF_INET || sk->sk_family == AF_INET6);
}

static struct netlog_probe *to_probe(struct kretprobe_instance *ri)
{
	return container_of(get_kretprobe(ri), struct netlog_probe, krp);
}

static void count_emit(struct netlog_probe *p, int ret)
{
	this_cpu_inc(p->cnt->hits);
	if (!ret)
		this_cpu_inc(p->cnt->emitted);
	else if (ret == -ENOSPC)
		this_cpu_inc(p->cnt->dropped);
}

/* int inet_stream_connect(struct socket *, struct sockaddr *, int, int) */
static int tcp_connect_entry(struct kretprobe_instance *ri,
			     struct pt_regs *regs)
{
	struct connect_data *d = (struct connect_data *)ri->data;
	struct socket *sock = (void *)regs_get_kernel_argument(regs, 0);
	struct sockaddr *uaddr = (void *)regs_get_kernel_argument(regs, 1);
	int len = (int)regs_get_kernel_argument(regs, 2);

	if (!is_user_inet(sock, IPPROTO_TCP))
		return 1;
	d->sock = sock;
	/* uaddr is the kernel copy the socket layer made of the argument. */
	d->addr_len = clamp_t(int, len, 0, sizeof(d->addr));
	memset(&d->addr, 0, sizeof(d->addr));
	if (uaddr)
		memcpy(&d->addr, uaddr, d->addr_len);
	return 0;
}

static int tcp_connect_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct connect_data *d = (struct connect_data *)ri->data;
	struct netlog_sock_event ev = {
		.event = NETLOG_EV_CONNECT,
		.result = (int)regs_return_value(regs),
		.sk = d->sock->sk,
		.peer = &d->addr.sa,
		.peer_len = d->addr_len,
	};

	count_emit(to_probe(ri), netlog_emit_sock(&ev));
	return 0;
}

static struct netlog_probe probes[] = {
	{
		.name = "tcp_connect",
		.krp = {
			.kp.symbol_name = "inet_stream_connect",
			.entry_handler = tcp_connect_entry,
			.handler = tcp_connect_ret,
			.data_size = sizeof(struct connect_data),
		},
	},
};

static void unregister_all(void)
{
	struct netlog_probe *p;

	for (p = probes; p < probes + ARRAY_SIZE(probes); p++) {
		if (p->registered) {
			unregister_kretprobe(&p->krp);
			p->registered = false;
			if (p->krp.nmissed)
				pr_warn("%s: %d events missed (maxactive %d)\n",
					p->name, p->krp.nmissed,
					p->krp.maxactive);
		}
		free_percpu(p->cnt);
		p->cnt = NULL;
	}
}

int netlog_probes_init(void)
{
	int n = maxactive > 0 ? maxactive :
				max(128U, 16 * num_possible_cpus());
	struct netlog_probe *p;
	int ret;

	for (p = probes; p < probes + ARRAY_SIZE(probes); p++) {
		p->cnt = alloc_percpu(struct netlog_counters);
		if (!p->cnt) {
			ret = -ENOMEM;
			goto err;
		}
		p->krp.maxactive = n;
		ret = register_kretprobe(&p->krp);
		if (ret) {
			pr_err("%s: cannot probe %s: %d\n", p->name,
			       p->krp.kp.symbol_name, ret);
			goto err;
		}
		p->registered = true;
	}
	return 0;

err:
	unregister_all();
	return ret;
}

void netlog_probes_exit(void)
{
	unregister_all();
}

/*
 * /sys/module/netlog/parameters/stats (root only): one line per probe,
 * "name hits=N emitted=N dropped=N missed=N".
 */
static int stats_get(char *buf, const struct kernel_param *kp)
{
	const struct netlog_probe *p;
	int len = 0, cpu;

	for (p = probes; p < probes + ARRAY_SIZE(probes); p++) {
		struct netlog_counters sum = {};

		for_each_possible_cpu(cpu) {
			const struct netlog_counters *c;

			if (!p->cnt)
				break;
			c = per_cpu_ptr(p->cnt, cpu);
			sum.hits += c->hits;
			sum.emitted += c->emitted;
			sum.dropped += c->dropped;
		}
		len += sysfs_emit_at(buf, len,
				     "%s hits=%llu emitted=%llu dropped=%llu missed=%d\n",
				     p->name, sum.hits, sum.emitted,
				     sum.dropped, p->krp.nmissed);
	}
	return len;
}

static const struct kernel_param_ops stats_ops = {
	.get = stats_get,
};
module_param_cb(stats, &stats_ops, NULL, 0400);
MODULE_PARM_DESC(stats, "per-probe counters (read only)");
