/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hook engine of a sensor module: a table of hooks (tracepoints,
 * function entries, return probes) and the mask of probes that need them. A probe is a
 * kind of event the admin switches on and off; a hook is registered while
 * some probe that is on needs it, and unregistered when none does.
 */
#ifndef _NL_HOOKS_H
#define _NL_HOOKS_H

#include <linux/ftrace.h>
#include <linux/kprobes.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/spinlock.h>
#include <linux/tracepoint.h>
#include <linux/workqueue.h>

#include "table.h"

/*
 * NL_HOOK_ENTRY: a function's entry, through the set's one ftrace_ops
 * (about 40-60 instructions a hit; no breakpoint on arm64), or a kprobe
 * where ftrace cannot hook the function.
 */
enum nl_hook_kind {
	NL_HOOK_TRACEPOINT,
	NL_HOOK_ENTRY,
	NL_HOOK_KRETPROBE,
};

/* The arguments an entry handler gets, in the calling convention's order. */
#define NL_ENTRY_ARGS 5

struct nl_hook;
typedef void (*nl_entry_t)(struct nl_hook *h, const unsigned long *args);

/*
 * The probes of a hook that is on while the module is loaded, whatever the
 * mask: one that keeps what attribution needs (exe changes, ptrace).
 */
#define NL_PROBE_LOADED BIT(BITS_PER_LONG - 1)

/*
 * One row of a module's table, the first member of the module's own row
 * (which adds what its handlers need). The handlers find their row from
 * their hook argument (entries), krp (return probes) or their data
 * argument (tracepoints).
 */
struct nl_hook {
	const char *symbol;	/* function, or tracepoint */
	const char *module;	/* the module @symbol is in, if not vmlinux */
	unsigned long probes;	/* the probes that need it */
	u8 kind;
	bool optional;		/* a missing symbol is not an error */
	void *tp_probe;		/* NL_HOOK_TRACEPOINT: handler */
	/*
	 * NL_HOOK_ENTRY: handler, run with preemption off; never inside
	 * another entry handler of the set on its CPU (that call is missed).
	 */
	nl_entry_t entry;
	/*
	 * If set, a registration that fails calls it, and the module goes on
	 * without the hook (it says what that costs); else the failure fails
	 * the switch or the load.
	 */
	void (*failed)(int err);
	/*
	 * A table its handlers fill, emptied (with @drop for each value)
	 * once the hook is gone, as nothing else would take what is left.
	 */
	struct nl_table *table;
	void (*drop)(void *value);

	/* The engine's, under the set's lock. */
	bool registered;
	unsigned long missed;	/* nmissed of earlier registrations */
	unsigned long reported;	/* missed calls already in a MISSED record */
	struct tracepoint *tp;
	struct nl_hooks *set;	/* NL_HOOK_ENTRY: its set, for a kprobe */
	bool on_ftrace;		/* ... in the ftrace_ops's filter */
	bool entry_on;		/* ... and its handler may run; read locklessly */
	atomic_long_t entry_missed;	/* ... calls inside another handler */
	/* krp.kp alone for NL_HOOK_ENTRY; handlers set by the row */
	struct kretprobe krp;
	struct nl_shares held;	/* krp's instances, per uid; held_lock */
};

/* Where an entry hook's address leads (learnt at its first call). */
struct nl_entry_slot {
	unsigned long ip;
	struct nl_hook *hook;	/* NULL: not learnt yet */
};

#define NL_ENTRY_SLOTS 64

/* A table whose overflow is reported as a hook's misses. */
struct nl_table_report {
	const char *name;
	struct nl_table *table;
	unsigned long reported;
};

/*
 * A module's hooks. It sets every field down to @lock (with
 * __MUTEX_INITIALIZER) in its definition, as its parameters may change the
 * mask before nl_hooks_start(); @on starts with every probe on.
 */
struct nl_hooks {
	void *rows;		/* each begins with a struct nl_hook */
	unsigned int count;
	size_t stride;		/* the size of a row */
	const char *const *probe_names;	/* bit n is probe n */
	unsigned int probe_count;
	struct nl_table_report *reports;	/* or NULL */
	unsigned int report_count;
	unsigned long on;	/* the probes on; written under lock */
	struct mutex lock;	/* registration, the mask, MISSED reports */

	/* Set by nl_hooks_start(). */
	bool live;		/* started: the mask is in force */
	raw_spinlock_t held_lock;	/* every hook's held shares */
	struct delayed_work missed_work;
	struct notifier_block module_nb;
	/* The entry hooks' ftrace_ops, registered from start to stop. */
	struct ftrace_ops ops;
	bool ops_on;
	int __percpu *in_entry;	/* an entry handler runs on this CPU */
	raw_spinlock_t learn_lock;	/* writers of slots */
	struct nl_entry_slot slots[NL_ENTRY_SLOTS];
};

static inline unsigned long nl_probes_all(const struct nl_hooks *hs)
{
	return GENMASK(hs->probe_count - 1, 0);
}

static inline unsigned long nl_probes_on(const struct nl_hooks *hs)
{
	return READ_ONCE(hs->on);
}

static inline bool nl_probe_is_on(const struct nl_hooks *hs, int id)
{
	return id >= 0 && (READ_ONCE(hs->on) & BIT(id));
}

/* Registers what the probes on need; reports misses until stopped. */
int nl_hooks_start(struct nl_hooks *hs);
/* Unregisters every hook and reports the last misses. */
void nl_hooks_stop(struct nl_hooks *hs);

/*
 * Sets the mask (clear, then set bits) with a config record; on failure the
 * old mask stays in force, with its hooks.
 */
int nl_probes_update(struct nl_hooks *hs, unsigned long clear,
		     unsigned long set);
/* The whole mask, from the probes parameter or the control plane. */
int nl_probes_set(struct nl_hooks *hs, unsigned long on, char *why,
		  size_t size);
/* probes=<mask>, with kp->arg the struct nl_hooks */
extern const struct kernel_param_ops nl_probes_ops;

/*
 * A return probe's call is followed, holding one of its instances, only
 * within its uid's share: a caller can park a call for as long as it likes.
 */
bool nl_hook_follow(struct nl_hooks *hs, struct nl_hook *h, u32 uid,
		    u16 *owner);
void nl_hook_unfollow(struct nl_hooks *hs, struct nl_hook *h, u16 owner);

struct secure_log_stats;
/* A row per hook (registered, missed) and per reported table. */
int nl_hooks_stats(struct nl_hooks *hs, struct secure_log_stats *s);

#endif /* _NL_HOOKS_H */
