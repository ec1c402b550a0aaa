// SPDX-License-Identifier: GPL-2.0
/*
 * The hook engine (hooks.h): registers the hooks of a module's table that
 * the probes on need, and unregisters those no probe on needs; follows
 * modules with hooks of their own (sctp) as they come and go; turns the
 * kprobes core's miss counters and the tables' overflows into MISSED
 * records; and keeps the probe mask, its parameter and its config records.
 */
#include <linux/hash.h>
#include <linux/kallsyms.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/string.h>

#include "../compat/compat.h"
#include "../include/secure_log.h"
#include "attr.h"
#include "hooks.h"

static int maxactive;
module_param(maxactive, int, 0444);
MODULE_PARM_DESC(maxactive,
		 "kretprobe instances per return probe, 0 = auto (16 per possible CPU, at least 128)");

/* The most rows a table has: the batches below are on the stack. */
#define NL_HOOKS_MAX 48

static struct nl_hook *hook_at(const struct nl_hooks *hs, unsigned int i)
{
	return hs->rows + i * hs->stride;
}

static bool in_module(const struct nl_hook *h, const char *module)
{
	return module && h->module && !strcmp(h->module, module);
}

static unsigned long hook_nmissed(const struct nl_hook *h)
{
	switch (h->kind) {
	case NL_HOOK_ENTRY:
		return atomic_long_read(&h->entry_missed) +
		       (h->on_ftrace ? 0 : h->krp.kp.nmissed);
	case NL_HOOK_KRETPROBE:
		return h->krp.kp.nmissed + h->krp.nmissed;
	}
	return 0;
}

/* Calls the hook missed in all its registrations; under the lock. */
static unsigned long hook_missed(const struct nl_hook *h)
{
	return h->missed + (h->registered ? hook_nmissed(h) : 0);
}

/*
 * Entry hooks. One ftrace_ops serves all of a set's, registered from start
 * to stop: unregistering an ops waits for an RCU-tasks grace period, which
 * a task busy in the kernel can hold up, so a probe switch only edits the
 * filter. The filter always holds nl_hooks_anchor(), never called, as an
 * empty one would trace every function. A hook switched off has entry_on
 * clear before it leaves the filter, and its handler checks it with
 * preemption off, so one plain grace period ends its last call.
 *
 * The callback finds its hook by the address ftrace calls it for: learnt
 * from kallsyms at its first call, then kept in slots, an open-addressed
 * hash read without locks.
 */
static noinline void __used nl_hooks_anchor(void)
{
	barrier();
}

static bool has_entries(const struct nl_hooks *hs)
{
	unsigned int i;

	for (i = 0; i < hs->count; i++)
		if (hook_at(hs, i)->kind == NL_HOOK_ENTRY)
			return true;
	return false;
}

static unsigned int slot_of(unsigned long ip)
{
	return hash_long(ip, ilog2(NL_ENTRY_SLOTS));
}

static struct nl_hook *slot_hook(struct nl_hooks *hs, unsigned long ip)
{
	unsigned int i = slot_of(ip), n;
	unsigned long at;

	for (n = 0; n < NL_ENTRY_SLOTS; n++) {
		/* pairs with entry_learn(): the hook is written first */
		at = smp_load_acquire(&hs->slots[i].ip);
		if (at == ip)
			return READ_ONCE(hs->slots[i].hook);
		if (!at)
			break;
		i = (i + 1) % NL_ENTRY_SLOTS;
	}
	return NULL;
}

/*
 * "sym" or "sym [module]" is @h's function: in vmlinux, or in its module
 * (which a kernel may also build in).
 */
static bool symbol_is(const char *name, const struct nl_hook *h)
{
	size_t len = strlen(h->symbol);

	if (strncmp(name, h->symbol, len))
		return false;
	name += len;
	if (!*name)
		return true;
	if (!h->module)
		return false;
	len = strlen(h->module);
	return name[0] == ' ' && name[1] == '[' &&
	       !strncmp(name + 2, h->module, len) && name[len + 2] == ']' &&
	       !name[len + 3];
}

/*
 * The hook of @ip, an address the ops was called for, by the name of the
 * function it is in; kept in the slots. NULL for a hook switched off: a
 * call already in the ops when it left the filter runs no handler, and
 * never another hook's, whose arguments are not this function's.
 */
static noinline struct nl_hook *entry_learn(struct nl_hooks *hs,
					    unsigned long ip)
{
	char name[KSYM_SYMBOL_LEN];
	struct nl_hook *h = NULL;
	unsigned long flags;
	unsigned int i, n;

	sprint_symbol_no_offset(name, ip);
	for (i = 0; i < hs->count && !h; i++) {
		h = hook_at(hs, i);
		if (h->kind != NL_HOOK_ENTRY || !READ_ONCE(h->entry_on) ||
		    !symbol_is(name, h))
			h = NULL;
	}
	if (!h)
		return NULL;
	raw_spin_lock_irqsave(&hs->learn_lock, flags);
	i = slot_of(ip);
	for (n = 0; n < NL_ENTRY_SLOTS; n++) {
		if (hs->slots[i].ip == ip) {
			WRITE_ONCE(hs->slots[i].hook, h);
			break;
		}
		if (!hs->slots[i].ip) {
			WRITE_ONCE(hs->slots[i].hook, h);
			/* pairs with slot_hook(): the hook before the ip */
			smp_store_release(&hs->slots[i].ip, ip);
			break;
		}
		i = (i + 1) % NL_ENTRY_SLOTS;
	}
	raw_spin_unlock_irqrestore(&hs->learn_lock, flags);
	return h;
}

/* Every slot forgotten, once no handler of a gone hook runs. */
static void slots_clear(struct nl_hooks *hs)
{
	unsigned long flags;
	unsigned int i;

	raw_spin_lock_irqsave(&hs->learn_lock, flags);
	for (i = 0; i < NL_ENTRY_SLOTS; i++) {
		WRITE_ONCE(hs->slots[i].ip, 0);
		WRITE_ONCE(hs->slots[i].hook, NULL);
	}
	raw_spin_unlock_irqrestore(&hs->learn_lock, flags);
}

/*
 * @h's handler, unless another entry handler of the set runs on this CPU
 * (it was interrupted): as the kprobes core would, that call is missed,
 * and the handlers may keep per-CPU state.
 */
static void notrace entry_run(struct nl_hooks *hs, struct nl_hook *h,
			      const unsigned long *args, atomic_long_t *missed)
{
	if (this_cpu_inc_return(*hs->in_entry) == 1)
		h->entry(h, args);
	else
		atomic_long_inc(missed);
	this_cpu_dec(*hs->in_entry);
}

static void notrace entry_call(unsigned long ip, unsigned long parent_ip,
			       struct ftrace_ops *op, struct ftrace_regs *fregs)
{
	struct nl_hooks *hs = container_of(op, struct nl_hooks, ops);
	unsigned long args[NL_ENTRY_ARGS];
	struct nl_hook *h;
	unsigned int i;

	preempt_disable_notrace();
	h = slot_hook(hs, ip);
	if (unlikely(!h))
		h = entry_learn(hs, ip);
	if (likely(h) && READ_ONCE(h->entry_on)) {
		for (i = 0; i < NL_ENTRY_ARGS; i++)
			args[i] = nl_ftrace_arg(fregs, i);
		entry_run(hs, h, args, &h->entry_missed);
	}
	preempt_enable_notrace();
}

/* An entry hook on a function ftrace cannot hook: a kprobe. */
static int entry_kprobe(struct kprobe *kp, struct pt_regs *regs)
{
	struct nl_hook *h = container_of(kp, struct nl_hook, krp.kp);
	unsigned long args[NL_ENTRY_ARGS];
	unsigned int i;

	for (i = 0; i < NL_ENTRY_ARGS; i++)
		args[i] = regs_get_kernel_argument(regs, i);
	entry_run(h->set, h, args, &h->entry_missed);
	return 0;
}

/*
 * Adds @h's function to the ops's filter, or takes it out, by the address
 * its kprobe resolved: a hash insert or delete, where a name would cost a
 * symbol lookup for each of the kernel's traceable functions.
 */
static int entry_filter(struct nl_hooks *hs, const struct nl_hook *h,
			bool remove)
{
	return ftrace_set_filter_ip(&hs->ops, (unsigned long)h->krp.kp.addr,
				    remove, 0);
}

/*
 * The kprobes core finds @h's function (no symbol lookup is exported to
 * modules): its kprobe is registered disabled, and its address joins the
 * ops's filter. Where ftrace cannot hook the function, the kprobe is armed
 * instead.
 */
static int entry_register(struct nl_hooks *hs, struct nl_hook *h)
{
	int ret;

	atomic_long_set(&h->entry_missed, 0);
	h->set = hs;
	h->krp.kp.pre_handler = entry_kprobe;
	h->krp.kp.flags = KPROBE_FLAG_DISABLED;
	ret = register_kprobe(&h->krp.kp);
	if (ret)
		return ret;
	WRITE_ONCE(h->entry_on, true);
	/* -EINVAL: not a traceable function */
	h->on_ftrace = !entry_filter(hs, h, false);
	if (h->on_ftrace)
		return 0;
	ret = enable_kprobe(&h->krp.kp);
	if (ret)
		unregister_kprobe(&h->krp.kp);
	return ret;
}

/* Whether a hook before @i among the @gone empties the same table. */
static bool table_cleared(const struct nl_hooks *hs, const bool *gone,
			  unsigned int i)
{
	const struct nl_table *t = hook_at(hs, i)->table;
	unsigned int j;

	for (j = 0; j < i; j++)
		if (gone[j] && hook_at(hs, j)->table == t)
			return true;
	return false;
}

/*
 * Unregisters the hooks no probe in @on needs, and those in @module (NULL:
 * none), which is going: entry probes, then return probes, then
 * tracepoints, so that a tracepoint that completes what a probe began
 * (connect_done) outlives it. Each kind goes in one batch: a batch waits
 * for one grace period however many hooks it removes.
 */
static void hooks_unregister(struct nl_hooks *hs, unsigned long on,
			     const char *module)
{
	struct kretprobe *rps[NL_HOOKS_MAX];
	struct kprobe *kps[NL_HOOKS_MAX];
	unsigned int nrp = 0, nkp = 0, ntp = 0, i;
	bool gone[NL_HOOKS_MAX];
	struct nl_hook *h;

	for (i = 0; i < hs->count; i++) {
		h = hook_at(hs, i);
		gone[i] = h->registered &&
			  (!(h->probes & on) || in_module(h, module));
		if (!gone[i])
			continue;
		if (h->kind == NL_HOOK_ENTRY) {
			WRITE_ONCE(h->entry_on, false);
			/* fails only if the function went with its module */
			if (h->on_ftrace)
				entry_filter(hs, h, true);
			kps[nkp++] = &h->krp.kp;
		} else if (h->kind == NL_HOOK_KRETPROBE) {
			rps[nrp++] = &h->krp;
		}
	}
	if (nkp) {
		/*
		 * Its grace period also ends the calls of the entry hooks on
		 * ftrace, whose handlers check entry_on with preemption off.
		 */
		unregister_kprobes(kps, nkp);
		slots_clear(hs);
	}
	if (nrp)
		unregister_kretprobes(rps, nrp);
	for (i = 0; i < hs->count; i++) {
		h = hook_at(hs, i);
		if (gone[i] && h->kind == NL_HOOK_TRACEPOINT) {
			tracepoint_probe_unregister(h->tp, h->tp_probe, h);
			ntp++;
		}
	}
	if (ntp)
		tracepoint_synchronize_unregister();
	/* No handler of a gone hook runs any more. */
	for (i = 0; i < hs->count; i++) {
		h = hook_at(hs, i);
		if (!gone[i])
			continue;
		h->missed += hook_nmissed(h);
		h->registered = false;
	}
	for (i = 0; i < hs->count; i++) {
		h = hook_at(hs, i);
		if (gone[i] && h->table && !table_cleared(hs, gone, i))
			nl_table_clear(h->table, h->drop);
	}
}

static void find_tracepoint(struct tracepoint *tp, void *priv)
{
	struct nl_hook *h = priv;

	if (!strcmp(tp->name, h->symbol))
		h->tp = tp;
}

static int hook_register(struct nl_hooks *hs, struct nl_hook *h)
{
	int ret;

	switch (h->kind) {
	case NL_HOOK_TRACEPOINT:
		if (!h->tp)
			for_each_kernel_tracepoint(find_tracepoint, h);
		ret = h->tp ? tracepoint_probe_register(h->tp, h->tp_probe, h) :
			      -ENOENT;
		break;
	case NL_HOOK_ENTRY:
	case NL_HOOK_KRETPROBE:
		/* A kprobe can be registered again only from a clean state. */
		h->krp.kp.symbol_name = h->symbol;
		h->krp.kp.addr = NULL;
		h->krp.kp.flags = 0;
		h->krp.kp.nmissed = 0;
		h->krp.nmissed = 0;
		if (h->kind == NL_HOOK_ENTRY) {
			ret = entry_register(hs, h);
			if (ret)
				WRITE_ONCE(h->entry_on, false);
			break;
		}
		h->krp.maxactive = maxactive > 0 ? maxactive :
				   max(128U, 16 * num_possible_cpus());
		/* none is held, as none is registered */
		nl_shares_reset(&h->held, max(1, h->krp.maxactive / 4));
		ret = register_kretprobe(&h->krp);
		break;
	default:
		ret = -EINVAL;
	}
	if (ret == -ENOENT && h->optional)
		return 0;
	if (ret && h->failed) {
		pr_warn("cannot probe %s: %d\n", h->symbol, ret);
		h->failed(ret);
		return 0;
	}
	if (ret) {
		pr_err("cannot probe %s: %d\n", h->symbol, ret);
		return ret;
	}
	h->registered = true;
	return 0;
}

/* What the hooks of a running module must serve. */
static unsigned long needed(const struct nl_hooks *hs)
{
	return hs->on | NL_PROBE_LOADED;
}

/* Registers exactly the hooks that some probe in @on needs. */
static int hooks_sync(struct nl_hooks *hs, unsigned long on)
{
	struct nl_hook *h;
	unsigned int i;
	int ret;

	lockdep_assert_held(&hs->lock);
	hooks_unregister(hs, on, NULL);
	for (i = 0; i < hs->count; i++) {
		h = hook_at(hs, i);
		if ((h->probes & on) && !h->registered) {
			ret = hook_register(hs, h);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/* One MISSED record per hook or table that missed calls since the last. */
static void report_missed(struct nl_hooks *hs)
{
	struct nl_table_report *t;
	struct nl_hook *h;
	unsigned long now;
	unsigned int i;

	lockdep_assert_held(&hs->lock);
	for (i = 0; i < hs->count; i++) {
		h = hook_at(hs, i);
		now = hook_missed(h);
		if (now != h->reported)
			netlog_emit_missed(h->symbol, now - h->reported);
		h->reported = now;
	}
	for (t = hs->reports; t < hs->reports + hs->report_count; t++) {
		now = atomic_long_read(&t->table->overflow);
		if (now != t->reported)
			netlog_emit_missed(t->name, now - t->reported);
		t->reported = now;
	}
}

static void missed_fn(struct work_struct *work)
{
	struct nl_hooks *hs =
		container_of(to_delayed_work(work), struct nl_hooks,
			     missed_work);

	mutex_lock(&hs->lock);
	if (hs->live) {
		report_missed(hs);
		schedule_delayed_work(&hs->missed_work, HZ);
	}
	mutex_unlock(&hs->lock);
}

/*
 * A module with hooks of ours (sctp) came or is going: register them now
 * that their symbols exist, or drop them before their code goes. The
 * kprobes core would disarm them on its own, but they must be unregistered.
 */
static int module_event(struct notifier_block *nb, unsigned long state,
			void *data)
{
	struct nl_hooks *hs = container_of(nb, struct nl_hooks, module_nb);
	const struct module *mod = data;
	unsigned int i;

	if (state != MODULE_STATE_LIVE && state != MODULE_STATE_GOING)
		return NOTIFY_DONE;
	for (i = 0; i < hs->count; i++)
		if (in_module(hook_at(hs, i), mod->name))
			break;
	if (i == hs->count)
		return NOTIFY_DONE;
	mutex_lock(&hs->lock);
	if (hs->live && state == MODULE_STATE_GOING)
		hooks_unregister(hs, needed(hs), mod->name);
	else if (hs->live)
		hooks_sync(hs, needed(hs));
	mutex_unlock(&hs->lock);
	return NOTIFY_OK;
}

/*
 * The entry hooks' ops, with only the anchor in its filter, and their
 * per-CPU guard; neither for a set without entry hooks.
 */
static int ops_start(struct nl_hooks *hs)
{
	int ret;

	raw_spin_lock_init(&hs->learn_lock);
	if (!has_entries(hs))
		return 0;
	hs->in_entry = alloc_percpu(int);
	if (!hs->in_entry)
		return -ENOMEM;
	hs->ops.func = entry_call;
	ret = ftrace_set_filter_ip(&hs->ops, (unsigned long)nl_hooks_anchor,
				   0, 0) ?:
	      register_ftrace_function(&hs->ops);
	if (ret) {
		pr_err("cannot register the entry hooks' ftrace_ops: %d\n", ret);
		ftrace_free_filter(&hs->ops);
		free_percpu(hs->in_entry);
		hs->in_entry = NULL;
		return ret;
	}
	hs->ops_on = true;
	return 0;
}

/*
 * Once every entry hook is gone. This is the one wait for an RCU-tasks
 * grace period (for tasks in the ops's trampoline), which lasts until
 * each task has slept or run in user mode.
 */
static void ops_stop(struct nl_hooks *hs)
{
	if (hs->ops_on) {
		unregister_ftrace_function(&hs->ops);
		ftrace_free_filter(&hs->ops);
		hs->ops_on = false;
	}
	free_percpu(hs->in_entry);
	hs->in_entry = NULL;
}

int nl_hooks_start(struct nl_hooks *hs)
{
	int ret;

	if (WARN_ON(hs->count > NL_HOOKS_MAX))
		return -E2BIG;
	raw_spin_lock_init(&hs->held_lock);
	INIT_DELAYED_WORK(&hs->missed_work, missed_fn);
	hs->module_nb.notifier_call = module_event;
	ret = ops_start(hs);
	if (ret)
		return ret;
	/* First: a module that comes while we register is not missed. */
	ret = register_module_notifier(&hs->module_nb);
	if (ret)
		goto err_ops;
	mutex_lock(&hs->lock);
	ret = hooks_sync(hs, needed(hs));
	if (ret) {
		hooks_sync(hs, 0);
		mutex_unlock(&hs->lock);
		goto err_notifier;
	}
	hs->live = true;
	schedule_delayed_work(&hs->missed_work, HZ);
	mutex_unlock(&hs->lock);
	return 0;

err_notifier:
	unregister_module_notifier(&hs->module_nb);
err_ops:
	ops_stop(hs);
	return ret;
}

void nl_hooks_stop(struct nl_hooks *hs)
{
	mutex_lock(&hs->lock);
	hs->live = false;
	mutex_unlock(&hs->lock);
	/* The work rearms itself only while live. */
	cancel_delayed_work_sync(&hs->missed_work);
	mutex_lock(&hs->lock);
	hooks_sync(hs, 0);
	report_missed(hs);
	mutex_unlock(&hs->lock);
	unregister_module_notifier(&hs->module_nb);
	ops_stop(hs);
}

int nl_probes_update(struct nl_hooks *hs, unsigned long clear,
		     unsigned long set)
{
	unsigned long old;
	char o[24], n[24];
	int ret = 0;

	mutex_lock(&hs->lock);
	old = hs->on;
	/* Before the hooks go, so that their last calls record nothing. */
	WRITE_ONCE(hs->on, (old & ~clear) | set);
	if (hs->live) {
		ret = hooks_sync(hs, needed(hs));
		if (ret) {
			WRITE_ONCE(hs->on, old);
			hooks_sync(hs, needed(hs));
		}
	}
	if (!ret)
		netlog_emit_config("probes", o,
				   scnprintf(o, sizeof(o), "%#lx", old), n,
				   scnprintf(n, sizeof(n), "%#lx", hs->on));
	mutex_unlock(&hs->lock);
	return ret;
}

int nl_probes_set(struct nl_hooks *hs, unsigned long on, char *why,
		  size_t size)
{
	unsigned long all = nl_probes_all(hs);
	char v[24];
	int ret = netlog_may_change("probes", v,
				    scnprintf(v, sizeof(v), "%#lx", on), why,
				    size);

	if (ret)
		return ret;
	if (on & ~all) {
		pr_warn("probes=%#lx: only bits %#lx exist; probes unchanged\n",
			on, all);
		if (why)
			scnprintf(why, size, "probes %#lx: only bits %#lx exist",
				  on, all);
		return -EINVAL;
	}
	return nl_probes_update(hs, all, on);
}

static int probes_param_set(const char *val, const struct kernel_param *kp)
{
	unsigned long on;
	int ret = secure_log_may_configure();

	if (ret)
		return ret;
	if (kstrtoul(val, 0, &on)) {
		pr_warn("probes: \"%.32s\" is not a mask; probes unchanged\n",
			val);
		return -EINVAL;
	}
	return nl_probes_set(kp->arg, on, NULL, 0);
}

static int probes_param_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%#lx\n", nl_probes_on(kp->arg));
}

const struct kernel_param_ops nl_probes_ops = {
	.set = probes_param_set,
	.get = probes_param_get,
};

bool nl_hook_follow(struct nl_hooks *hs, struct nl_hook *h, u32 uid,
		    u16 *owner)
{
	return nl_share_take_locked(&h->held, &hs->held_lock, uid, owner);
}

void nl_hook_unfollow(struct nl_hooks *hs, struct nl_hook *h, u16 owner)
{
	nl_share_give_locked(&h->held, &hs->held_lock, owner);
}

int nl_hooks_stats(struct nl_hooks *hs, struct secure_log_stats *s)
{
	const struct nl_table_report *t;
	const struct nl_hook *h;
	unsigned int i;
	int ret = 0;

	mutex_lock(&hs->lock);
	for (i = 0; !ret && i < hs->count; i++) {
		h = hook_at(hs, i);
		ret = s->row(s, "hook", h->symbol) ?:
		      s->val(s, "registered", h->registered, true) ?:
		      s->val(s, "ftrace", h->registered && h->on_ftrace, true) ?:
		      s->val(s, "missed", hook_missed(h), false);
	}
	for (t = hs->reports; !ret && t < hs->reports + hs->report_count; t++)
		ret = s->row(s, "table", t->name) ?:
		      s->val(s, "pending", atomic_read(&t->table->used),
			     true) ?:
		      s->val(s, "missed", atomic_long_read(&t->table->overflow),
			     false) ?:
		      s->val(s, "over_share",
			     atomic_long_read(&t->table->refused), false);
	mutex_unlock(&hs->lock);
	return ret;
}
