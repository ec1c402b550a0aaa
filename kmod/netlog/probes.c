// SPDX-License-Identifier: GPL-2.0
/*
 * What netlog hooks, and how it is switched.
 *
 * Two tables. Probes are what an admin switches (activity_klog's names, one
 * bit each in the `probes` mask). Hooks are the kernel functions we place
 * kprobes on; several probes can share one (inet_bind serves tcp_bind and
 * udp_bind). A hook is registered while any of its probes is on, so a probe
 * that is off costs nothing, and every handler also checks its probe's bit,
 * so a shared hook stays exact. Switching happens under hooks_lock from
 * sysfs writes; registration and unregistration are the kprobes core's
 * own and are safe under traffic.
 *
 * Entry handlers only capture what the return handler cannot get back (the
 * socket and the arguments). They take no references, so an instance whose
 * return handler never runs (unregistration, maxactive exhausted) leaks
 * nothing. Attribution is read in the return handler: it runs in the same
 * task, whose credentials cannot change in the middle of its own call.
 *
 * Hook points, chosen because they are the protocol-family entry points
 * that every userspace socket call goes through, with the same first
 * arguments on 6.1 and 6.12:
 *   inet_stream_connect  TCP connect, IPv4 and IPv6
 *   inet_dgram_connect   UDP connect, IPv4 and IPv6
 *   inet_accept          TCP accept (the new socket is argument 1)
 *   inet_bind            bind, IPv4
 *   inet6_bind           bind, IPv6 (optional: IPv6 may be a module)
 *   inet_listen          TCP listen, IPv4 and IPv6
 *   inet_release         the last close of a socket, however it happens
 *                        (close, exit, dup2, close_range); inet6_release
 *                        ends in it, so each socket is seen exactly once
 */
#include <linux/bitops.h>
#include <linux/cpumask.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/kprobes.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/net.h>
#include <linux/percpu.h>
#include <linux/ptrace.h>
#include <net/inet_sock.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "netlog.h"

/* Bit numbers of the `probes` mask; keep in step with probe_names. */
enum netlog_probe_id {
	NL_TCP_CONNECT,
	NL_TCP_ACCEPT,
	NL_TCP_CLOSE,
	NL_UDP_CONNECT,
	NL_UDP_BIND,
	NL_UDP_CLOSE,
	NL_TCP_BIND,
	NL_TCP_LISTEN,
	NL_PROBE_COUNT
};

#define NL_ALL_PROBES GENMASK(NL_PROBE_COUNT - 1, 0)

static const char *const probe_names[NL_PROBE_COUNT] = {
	[NL_TCP_CONNECT] = "tcp_connect", [NL_TCP_ACCEPT] = "tcp_accept",
	[NL_TCP_CLOSE] = "tcp_close",	  [NL_UDP_CONNECT] = "udp_connect",
	[NL_UDP_BIND] = "udp_bind",	  [NL_UDP_CLOSE] = "udp_close",
	[NL_TCP_BIND] = "tcp_bind",	  [NL_TCP_LISTEN] = "tcp_listen",
};

static unsigned long probes_on = NL_ALL_PROBES;

struct probe_counters {
	struct netlog_counters c[NL_PROBE_COUNT];
};

static struct probe_counters __percpu *counters;

struct netlog_hook {
	const char *symbol;
	u16 event;
	s8 tcp;		/* probe for TCP sockets, or -1 */
	s8 udp;		/* probe for UDP sockets, or -1 */
	bool optional;	/* a missing symbol is not an error */
	bool is_kprobe;	/* entry only: krp.kp is a plain kprobe */
	bool registered;
	unsigned long missed;	/* nmissed of earlier registrations */
	struct kretprobe krp;
};

/* What a return handler needs from the entry. */
struct call_data {
	struct socket *sock;
	struct socket *newsock;
	s8 probe;
	int addr_len;
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
	} addr;
};

static DEFINE_MUTEX(hooks_lock);
static bool hooks_live;		/* between init and exit; under hooks_lock */

static int maxactive;
module_param(maxactive, int, 0444);
MODULE_PARM_DESC(maxactive,
		 "kretprobe instances per hook, 0 = auto (16 per possible CPU, at least 128)");

static bool probe_is_on(int id)
{
	return id >= 0 && (READ_ONCE(probes_on) & BIT(id));
}

/* The probe a socket belongs to on this hook, or -1 to ignore it. */
static int probe_of(const struct netlog_hook *h, const struct socket *sock)
{
	const struct sock *sk = sock ? sock->sk : NULL;
	int id;

	/* Kernel sockets (NFS, CIFS, ...) are not a task's action. */
	if (!sk || sk->sk_kern_sock)
		return -1;
	if (sk->sk_family != AF_INET && sk->sk_family != AF_INET6)
		return -1;
	if (sk->sk_protocol == IPPROTO_TCP)
		id = h->tcp;
	else if (sk->sk_protocol == IPPROTO_UDP)
		id = h->udp;
	else
		return -1;
	return probe_is_on(id) ? id : -1;
}

static void emit(int id, const struct netlog_sock_event *ev)
{
	struct netlog_counters *c = &this_cpu_ptr(counters)->c[id];
	int ret = netlog_emit_sock(ev);

	c->hits++;
	if (!ret)
		c->emitted++;
	else if (ret == NETLOG_FILTERED)
		c->filtered++;
	else if (ret == -ENOSPC)
		c->dropped++;
}

static struct netlog_hook *hook_of(struct kretprobe_instance *ri)
{
	return container_of(get_kretprobe(ri), struct netlog_hook, krp);
}

/* connect, bind: (struct socket *, struct sockaddr *, int addr_len, ...) */
static int addr_call_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct call_data *d = (struct call_data *)ri->data;
	struct socket *sock = (void *)regs_get_kernel_argument(regs, 0);
	struct sockaddr *uaddr = (void *)regs_get_kernel_argument(regs, 1);
	int len = (int)regs_get_kernel_argument(regs, 2);

	d->probe = probe_of(hook_of(ri), sock);
	if (d->probe < 0)
		return 1;
	d->sock = sock;
	/* uaddr is the kernel copy the socket layer made of the argument. */
	d->addr_len = uaddr ? clamp_t(int, len, 0, sizeof(d->addr)) : 0;
	memset(&d->addr, 0, sizeof(d->addr));
	if (d->addr_len)
		memcpy(&d->addr, uaddr, d->addr_len);
	return 0;
}

/* listen, accept: (struct socket *, struct socket *newsock or int, ...) */
static int sock_call_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct call_data *d = (struct call_data *)ri->data;
	struct socket *sock = (void *)regs_get_kernel_argument(regs, 0);

	d->probe = probe_of(hook_of(ri), sock);
	if (d->probe < 0)
		return 1;
	d->sock = sock;
	d->newsock = (void *)regs_get_kernel_argument(regs, 1);
	return 0;
}

static int call_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct call_data *d = (struct call_data *)ri->data;
	struct netlog_hook *h = hook_of(ri);
	struct netlog_sock_event ev = {
		.event = h->event,
		.result = (int)regs_return_value(regs),
		.sk = d->sock->sk,
	};

	switch (h->event) {
	case NETLOG_EV_CONNECT:
		ev.peer = &d->addr.sa;
		ev.peer_len = d->addr_len;
		break;
	case NETLOG_EV_BIND:
		ev.local = &d->addr.sa;
		ev.local_len = d->addr_len;
		ev.no_peer = true;
		break;
	case NETLOG_EV_LISTEN:
		ev.no_peer = true;
		break;
	case NETLOG_EV_ACCEPT:
		/* Only a completed accept is an action; EAGAIN is not. */
		if (ev.result || !d->newsock || !d->newsock->sk)
			return 0;
		ev.sk = d->newsock->sk;
		break;
	}
	if (ev.sk)
		emit(d->probe, &ev);
	return 0;
}

#define TCPF_WAS_ESTABLISHED                                               \
	(TCPF_ESTABLISHED | TCPF_CLOSE_WAIT | TCPF_FIN_WAIT1 |              \
	 TCPF_FIN_WAIT2 | TCPF_CLOSING | TCPF_LAST_ACK)

/* int inet_release(struct socket *): the socket's last reference is gone. */
static int release_entry(struct kprobe *kp, struct pt_regs *regs)
{
	struct netlog_hook *h = container_of(kp, struct netlog_hook, krp.kp);
	struct socket *sock = (void *)regs_get_kernel_argument(regs, 0);
	int id = probe_of(h, sock);
	struct netlog_sock_event ev = { .event = NETLOG_EV_CLOSE };
	const struct inet_sock *inet;

	if (id < 0)
		return 0;
	ev.sk = sock->sk;
	inet = inet_sk(ev.sk);
	/* Sockets that never had a port (ioctl helpers) are not traffic. */
	if (!inet->inet_num && !inet->inet_sport)
		return 0;
	if (ev.sk->sk_protocol == IPPROTO_TCP &&
	    (BIT(ev.sk->sk_state) & TCPF_WAS_ESTABLISHED))
		ev.flags |= NETLOG_F_ESTABLISHED;
	emit(id, &ev);
	return 0;
}

#define RET_HOOK(sym, ev, t, u, entry, opt)                                \
	{                                                                   \
		.symbol = sym, .event = ev, .tcp = t, .udp = u,             \
		.optional = opt,                                            \
		.krp = {                                                    \
			.entry_handler = entry,                             \
			.handler = call_return,                             \
			.data_size = sizeof(struct call_data),              \
		},                                                          \
	}

static struct netlog_hook hooks[] = {
	RET_HOOK("inet_stream_connect", NETLOG_EV_CONNECT, NL_TCP_CONNECT, -1,
		 addr_call_entry, false),
	RET_HOOK("inet_dgram_connect", NETLOG_EV_CONNECT, -1, NL_UDP_CONNECT,
		 addr_call_entry, false),
	RET_HOOK("inet_accept", NETLOG_EV_ACCEPT, NL_TCP_ACCEPT, -1,
		 sock_call_entry, false),
	RET_HOOK("inet_bind", NETLOG_EV_BIND, NL_TCP_BIND, NL_UDP_BIND,
		 addr_call_entry, false),
	RET_HOOK("inet6_bind", NETLOG_EV_BIND, NL_TCP_BIND, NL_UDP_BIND,
		 addr_call_entry, true),
	RET_HOOK("inet_listen", NETLOG_EV_LISTEN, NL_TCP_LISTEN, -1,
		 sock_call_entry, false),
	{
		.symbol = "inet_release", .event = NETLOG_EV_CLOSE,
		.tcp = NL_TCP_CLOSE, .udp = NL_UDP_CLOSE, .is_kprobe = true,
		.krp.kp.pre_handler = release_entry,
	},
};

static unsigned long hook_users(const struct netlog_hook *h)
{
	return (h->tcp >= 0 ? BIT(h->tcp) : 0) |
	       (h->udp >= 0 ? BIT(h->udp) : 0);
}

static unsigned long hook_nmissed(const struct netlog_hook *h)
{
	return h->is_kprobe ? h->krp.kp.nmissed : h->krp.nmissed;
}

/*
 * Unregisters the hooks no enabled probe needs, in two batches: each
 * unregister_k(ret)probes() call waits for one RCU grace period however many
 * probes it removes, where one call per hook would wait for one each.
 */
static void hooks_unregister(unsigned long on)
{
	struct netlog_hook *gone[ARRAY_SIZE(hooks)];
	struct kretprobe *rps[ARRAY_SIZE(hooks)];
	struct kprobe *kps[ARRAY_SIZE(hooks)];
	int n = 0, nrp = 0, nkp = 0, i;
	struct netlog_hook *h;

	for (h = hooks; h < hooks + ARRAY_SIZE(hooks); h++) {
		if (!h->registered || (hook_users(h) & on))
			continue;
		gone[n++] = h;
		if (h->is_kprobe)
			kps[nkp++] = &h->krp.kp;
		else
			rps[nrp++] = &h->krp;
	}
	if (nkp)
		unregister_kprobes(kps, nkp);
	if (nrp)
		unregister_kretprobes(rps, nrp);
	for (i = 0; i < n; i++) {
		gone[i]->missed += hook_nmissed(gone[i]);
		gone[i]->registered = false;
	}
}

static int hook_register(struct netlog_hook *h)
{
	int ret;

	/* A kprobe can be registered again only from a clean state. */
	h->krp.kp.symbol_name = h->symbol;
	h->krp.kp.addr = NULL;
	h->krp.kp.flags = 0;
	h->krp.kp.nmissed = 0;
	h->krp.nmissed = 0;
	if (h->is_kprobe) {
		ret = register_kprobe(&h->krp.kp);
	} else {
		h->krp.maxactive = maxactive > 0 ? maxactive :
				   max(128U, 16 * num_possible_cpus());
		ret = register_kretprobe(&h->krp);
	}
	if (ret == -ENOENT && h->optional)
		return 0;
	if (ret) {
		pr_err("cannot probe %s: %d\n", h->symbol, ret);
		return ret;
	}
	h->registered = true;
	return 0;
}

/* Registers exactly the hooks that some enabled probe needs. */
static int hooks_sync(unsigned long on)
{
	struct netlog_hook *h;
	int ret;

	lockdep_assert_held(&hooks_lock);
	hooks_unregister(on);
	for (h = hooks; h < hooks + ARRAY_SIZE(hooks); h++) {
		if ((hook_users(h) & on) && !h->registered) {
			ret = hook_register(h);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/*
 * Clear then set bits of the mask and register what it needs; on failure
 * the old mask stays in force.
 */
static int probes_update(unsigned long clear, unsigned long set)
{
	unsigned long old;
	int ret = 0;

	mutex_lock(&hooks_lock);
	old = probes_on;
	WRITE_ONCE(probes_on, (old & ~clear) | set);
	if (hooks_live) {
		ret = hooks_sync(probes_on);
		if (ret) {
			WRITE_ONCE(probes_on, old);
			hooks_sync(old);
		}
	}
	mutex_unlock(&hooks_lock);
	return ret;
}

int netlog_probes_init(void)
{
	int ret;

	counters = alloc_percpu(struct probe_counters);
	if (!counters)
		return -ENOMEM;
	mutex_lock(&hooks_lock);
	ret = hooks_sync(probes_on);
	if (ret)
		hooks_sync(0);
	else
		hooks_live = true;
	if (ret) {
		free_percpu(counters);
		counters = NULL;
	}
	mutex_unlock(&hooks_lock);
	return ret;
}

void netlog_probes_exit(void)
{
	mutex_lock(&hooks_lock);
	hooks_live = false;
	hooks_sync(0);
	free_percpu(counters);
	counters = NULL;
	mutex_unlock(&hooks_lock);
}

/* probes=<mask>: bit n switches probe n (see enum netlog_probe_id). */
static int probes_param_set(const char *val, const struct kernel_param *kp)
{
	unsigned long on;
	int ret = kstrtoul(val, 0, &on);

	if (ret)
		return ret;
	if (on & ~NL_ALL_PROBES) {
		pr_warn("probes=%#lx: only bits %#lx exist\n", on,
			NL_ALL_PROBES);
		return -EINVAL;
	}
	return probes_update(NL_ALL_PROBES, on);
}

static int probes_param_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%#lx\n", READ_ONCE(probes_on));
}

static const struct kernel_param_ops probes_ops = {
	.set = probes_param_set,
	.get = probes_param_get,
};
module_param_cb(probes, &probes_ops, NULL, 0644);
MODULE_PARM_DESC(probes,
		 "mask of probes on: 1 tcp_connect, 2 tcp_accept, 4 tcp_close, 8 udp_connect, 0x10 udp_bind, 0x20 udp_close, 0x40 tcp_bind, 0x80 tcp_listen");

/* probe_<name>=Y|N: one bit of the mask. */
static int probe_flag_set(const char *val, const struct kernel_param *kp)
{
	unsigned long bit = BIT(*(const int *)kp->arg);
	bool enable;
	int ret = kstrtobool(val, &enable);

	if (ret)
		return ret;
	return enable ? probes_update(0, bit) : probes_update(bit, 0);
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

#define PROBE_PARAM(name, id)                                              \
	static int name##_id = id;                                          \
	module_param_cb(probe_##name, &probe_flag_ops, &name##_id, 0644);   \
	MODULE_PARM_DESC(probe_##name, "record " #name " (Y/N)")

PROBE_PARAM(tcp_connect, NL_TCP_CONNECT);
PROBE_PARAM(tcp_accept, NL_TCP_ACCEPT);
PROBE_PARAM(tcp_close, NL_TCP_CLOSE);
PROBE_PARAM(udp_connect, NL_UDP_CONNECT);
PROBE_PARAM(udp_bind, NL_UDP_BIND);
PROBE_PARAM(udp_close, NL_UDP_CLOSE);
PROBE_PARAM(tcp_bind, NL_TCP_BIND);
PROBE_PARAM(tcp_listen, NL_TCP_LISTEN);

/*
 * /sys/module/netlog/parameters/stats (root only): a line per probe,
 *   <probe> on=0|1 hits=N emitted=N dropped=N filtered=N
 * then a line per hook,
 *   hook <symbol> registered=0|1 missed=N
 * hits counts events seen, emitted those in the ring, dropped those lost to
 * a full ring (also in-stream as LOST), filtered those the whitelist
 * silenced, missed the calls the kprobes core
 * could not follow (no free kretprobe instance, or a nested probe).
 */
static int stats_get(char *buf, const struct kernel_param *kp)
{
	struct netlog_hook *h;
	int len = 0, id, cpu;

	mutex_lock(&hooks_lock);
	for (id = 0; id < NL_PROBE_COUNT; id++) {
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
		len += sysfs_emit_at(buf, len,
				     "%s on=%d hits=%llu emitted=%llu dropped=%llu filtered=%llu\n",
				     probe_names[id], probe_is_on(id), sum.hits,
				     sum.emitted, sum.dropped, sum.filtered);
	}
	for (h = hooks; h < hooks + ARRAY_SIZE(hooks); h++)
		len += sysfs_emit_at(buf, len,
				     "hook %s registered=%d missed=%lu\n",
				     h->symbol, h->registered,
				     h->missed + (h->registered ? hook_nmissed(h) : 0));
	mutex_unlock(&hooks_lock);
	return len;
}

static const struct kernel_param_ops stats_ops = {
	.get = stats_get,
};
module_param_cb(stats, &stats_ops, NULL, 0400);
MODULE_PARM_DESC(stats, "per-probe and per-hook counters (read only)");
