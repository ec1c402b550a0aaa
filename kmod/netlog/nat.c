// SPDX-License-Identifier: GPL-2.0
/*
 * NAT: where a TCP connection really went when conntrack translated its
 * destination (a DNAT rule in OUTPUT, a port a container runtime
 * published), read from conntrack's own entry for the socket's 4-tuple as
 * the connection is established and as it is closed.
 *
 * netlog loads and runs without nf_conntrack, and costs nothing more then.
 * The one function it needs, nf_conntrack_find_get(), is taken with
 * __symbol_get() when nf_conntrack is there at load or comes later (a
 * module notifier): that holds nf_conntrack loaded until netlog unloads,
 * as a rule using conntrack would, so that the function and its tables
 * never go from under a lookup. A conntrack built in is simply found.
 */
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <net/inet_sock.h>
#include <net/sock.h>

#include "netlog.h"

#if IS_ENABLED(CONFIG_NF_CONNTRACK)
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_zones.h>

#define CT_FIND "nf_conntrack_find_get"

/*
 * nf_conntrack_find_get(), set once, then kept (with nf_conntrack) until
 * netlog_nat_exit().
 */
static struct nf_conntrack_tuple_hash *
(*ct_find)(struct net *net, const struct nf_conntrack_zone *zone,
	   const struct nf_conntrack_tuple *tuple);
static DEFINE_MUTEX(ct_lock);

static void ct_take(void)
{
	mutex_lock(&ct_lock);
	if (!ct_find) {
		/* pairs with the acquire in netlog_nat_of() */
		smp_store_release(&ct_find, __symbol_get(CT_FIND));
	}
	mutex_unlock(&ct_lock);
}

static int ct_module_event(struct notifier_block *nb, unsigned long val,
			   void *data)
{
	struct module *mod = data;

	if (val == MODULE_STATE_LIVE && !strcmp(mod->name, "nf_conntrack"))
		ct_take();
	return NOTIFY_DONE;
}

static struct notifier_block ct_nb = {
	.notifier_call = ct_module_event,
};

/* @sk's 4-tuple as conntrack keys the direction it started. */
static bool tuple_of(const struct sock *sk, struct nf_conntrack_tuple *t)
{
	const struct inet_sock *inet = inet_sk(sk);

	memset(t, 0, sizeof(*t));
	t->src.u.tcp.port = READ_ONCE(inet->inet_sport);
	t->dst.u.tcp.port = READ_ONCE(inet->inet_dport);
	t->dst.protonum = IPPROTO_TCP;
	t->dst.dir = IP_CT_DIR_ORIGINAL;
	if (!t->src.u.tcp.port || !t->dst.u.tcp.port)
		return false;
#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6 &&
	    !ipv6_addr_v4mapped(&sk->sk_v6_daddr)) {
		t->src.l3num = AF_INET6;
		t->src.u3.in6 = sk->sk_v6_rcv_saddr;
		t->dst.u3.in6 = sk->sk_v6_daddr;
		return true;
	}
#endif
	t->src.l3num = AF_INET;
	t->src.u3.ip = READ_ONCE(inet->inet_saddr);
	t->dst.u3.ip = READ_ONCE(inet->inet_daddr);
	return true;
}

bool netlog_nat_of(const struct sock *sk, struct netlog_nat *nat)
{
	/* Pairs with the release in ct_take(). */
	typeof(ct_find) find = smp_load_acquire(&ct_find);
	const struct nf_conntrack_tuple *reply;
	struct nf_conntrack_tuple_hash *h;
	struct nf_conntrack_tuple t;
	struct nf_conn *ct;
	bool natted;

	if (!find || !tuple_of(sk, &t))
		return false;
	h = find(sock_net(sk), &nf_ct_zone_dflt, &t);
	if (!h)
		return false;
	ct = nf_ct_tuplehash_to_ctrack(h);
	natted = NF_CT_DIRECTION(h) == IP_CT_DIR_ORIGINAL &&
		 test_bit(IPS_DST_NAT_BIT, &ct->status);
	if (natted) {
		reply = &ct->tuplehash[IP_CT_DIR_REPLY].tuple;
		memset(nat, 0, sizeof(*nat));
		if (t.src.l3num == AF_INET6)
			memcpy(nat->raddr, &reply->src.u3.in6, 16);
		else
			memcpy(nat->raddr, &reply->src.u3.ip, 4);
		nat->rport = cpu_to_le16(ntohs(reply->src.u.tcp.port));
	}
	/* nf_ct_put() without its call into nf_conntrack by name */
	if (refcount_dec_and_test(&ct->ct_general.use))
		nf_conntrack_destroy(&ct->ct_general);
	return natted;
}

int netlog_nat_init(void)
{
	int ret = register_module_notifier(&ct_nb);

	if (!ret)
		ct_take();	/* after: one that comes now is not missed */
	return ret;
}

/* After the hooks: no lookup runs any more. */
void netlog_nat_exit(void)
{
	unregister_module_notifier(&ct_nb);
	if (ct_find && !IS_BUILTIN(CONFIG_NF_CONNTRACK))
		__symbol_put(CT_FIND);
	ct_find = NULL;
}
#else
bool netlog_nat_of(const struct sock *sk, struct netlog_nat *nat)
{
	return false;
}

int netlog_nat_init(void)
{
	return 0;
}

void netlog_nat_exit(void)
{
}
#endif
