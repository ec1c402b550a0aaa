// SPDX-License-Identifier: GPL-2.0
/*
 * The exe and cgroup paths of each process, kept from one of its records
 * to the next: resolving them (d_path(), path_is_under(), cgroup_path())
 * is most of what attributing an event costs, and they rarely change.
 *
 * A fixed table of slots, set associative, keyed by the process's
 * signal_struct (one per thread group, for its whole life). Nothing is
 * allocated after load, so the memory is bounded by the table; a full set
 * evicts one of its slots, and a miss reads the paths again, as without the
 * cache. Readers copy a slot under its seqcount and retry never: a slot
 * being written is a miss. Writers take a slot by its busy bit.
 *
 * A slot is used only while everything its paths were read from is as it
 * was, which is checked on every lookup or made to fail by an event:
 *   - the process: its slots are dropped at exec (sched_process_exec) and
 *     when its last thread exits (sched_process_exit with signal->live 0).
 *     A slot is filled only by a task not exiting, which its group's last
 *     exit follows, so no slot outlives its process;
 *   - the exe file: mm->exe_file must be the file the slot was read from,
 *     and any PR_SET_MM exe change (replace_mm_exe_file()) fails every
 *     slot, so that a file freed and another at its address cannot match;
 *   - the exe's path: rename_lock's count must be unchanged (any rename in
 *     the system, of the file or a directory above it, fails every slot),
 *     and the file must be as linked as it was (" (deleted)");
 *   - the task's view: only a task in the host's view (its path is the
 *     admin's path) uses or fills the cache;
 *   - the whitelist: the standing of the exe in the rules (a rule for it
 *     alone silences all it does; no rule names it) is read with its path,
 *     and a change of the rules fails every slot;
 *   - the cgroup: the task's cgroup id (unique, never reused) must be the
 *     slot's. A cgroup v2 directory cannot be renamed (rename is cgroup
 *     v1's, and records carry the v2 path), so the id is its path.
 * A mount or umount in the initial mount namespace (root's) is not an
 * event here: a file's path across such a change is the one it had.
 * Credentials, tty, comm and ids are not cached: they are read per event.
 */
#include <linux/atomic.h>
#include <linux/cgroup.h>
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/hash.h>
#include <linux/log2.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/seqlock.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "../include/secure_log.h"
#include "../core/whitelist.h"
#include "../core/wl_rules.h"
#include "netlog.h"

#define PC_WAYS 4

struct pc_slot {
	seqcount_t seq;
	atomic_t busy;
	const struct signal_struct *key;	/* NULL: empty */
	const struct file *exe_file;		/* compared, never followed */
	u64 cgroup_id;
	u32 exe_hash;			/* for the whitelist: nlwl_hash() */
	u8 standing;			/* and the exe's nlwl_standing */
	unsigned int gen;		/* pc_gen when read */
	unsigned int rename_seq;	/* rename_lock's count when read */
	bool unlinked;
	u16 exe_len;
	u16 cgroup_len;
	char str[NETLOG_EXE_MAX + NETLOG_CGROUP_MAX];	/* exe, cgroup */
};

/* What a hit is copied to: a slot may be rewritten once we let go of it. */
struct pc_copy {
	char str[NETLOG_EXE_MAX + NETLOG_CGROUP_MAX];
};

static unsigned int proc_cache = 1024;
module_param(proc_cache, uint, 0444);
MODULE_PARM_DESC(proc_cache,
		 "processes whose exe and cgroup paths are kept between records, rounded up to a power of two (default 1024, about 1.1 KiB each; 0: none)");

static struct pc_slot *slots;
static unsigned int set_bits;
static struct pc_copy __percpu *copies;
static atomic_t pc_gen;
static bool pc_on;

struct pc_counts {
	unsigned long hits, misses, fills, evictions, drops, invalidations;
};

static DEFINE_PER_CPU(struct pc_counts, pc_counts);
#define PC_COUNT(field) this_cpu_inc(pc_counts.field)

static struct pc_slot *set_of(const struct signal_struct *key)
{
	return slots + hash_ptr(key, set_bits) * PC_WAYS;
}

static unsigned int rename_count(void)
{
	return raw_read_seqcount(&rename_lock.seqcount.seqcount);
}

/*
 * The current task's cache key, exe file and cgroup id, if it may use the
 * cache. Under rcu_read_lock().
 */
static bool current_state(const struct signal_struct **key,
			  const struct file **exe, bool *unlinked, u64 *cg_id)
{
	const struct mm_struct *mm = current->mm;
	const struct file *f;

	if (!READ_ONCE(pc_on) || !mm ||
	    (current->flags & (PF_EXITING | PF_KTHREAD)) || !nl_host_view())
		return false;
	f = rcu_dereference(mm->exe_file);
	if (!f)
		return false;
	*key = current->signal;
	*exe = f;
	*unlinked = d_unlinked(f->f_path.dentry);
	*cg_id = cgroup_id(task_dfl_cgroup(current));
	return true;
}

/*
 * The current process's exe and cgroup as its last record had them, into
 * @who (pointing to this CPU's copy), when nothing they were read from has
 * changed. Preemption is disabled.
 */
bool nl_pcache_get(struct nl_who *who)
{
	const struct signal_struct *key;
	const struct file *exe;
	struct pc_slot *s, *set;
	unsigned int gen, ren;
	u8 standing;
	bool unlinked;
	u64 cg_id;
	char *out;
	u32 hash;

	rcu_read_lock();
	if (!current_state(&key, &exe, &unlinked, &cg_id)) {
		rcu_read_unlock();
		return false;
	}
	rcu_read_unlock();
	gen = atomic_read(&pc_gen);
	ren = rename_count();
	if (ren & 1)
		goto miss;
	out = this_cpu_ptr(copies)->str;
	set = set_of(key);
	for (s = set; s < set + PC_WAYS; s++) {
		unsigned int seq = raw_read_seqcount(&s->seq);
		size_t el, cl;

		if ((seq & 1) || READ_ONCE(s->key) != key ||
		    READ_ONCE(s->exe_file) != exe || s->gen != gen ||
		    s->rename_seq != ren || s->unlinked != unlinked ||
		    s->cgroup_id != cg_id)
			continue;
		el = min_t(size_t, READ_ONCE(s->exe_len), NETLOG_EXE_MAX);
		cl = min_t(size_t, READ_ONCE(s->cgroup_len), NETLOG_CGROUP_MAX);
		memcpy(out, s->str, el + cl);
		hash = READ_ONCE(s->exe_hash);
		standing = READ_ONCE(s->standing);
		if (read_seqcount_retry(&s->seq, seq))
			break;
		who->exe = out;
		who->exe_len = el;
		who->exe_hash = hash;
		who->standing = standing;
		who->cgroup = cl ? out + el : NULL;
		who->cgroup_len = cl;
		who->cgroup_id = cg_id;
		PC_COUNT(hits);
		return true;
	}
miss:
	PC_COUNT(misses);
	return false;
}

static bool slot_lock(struct pc_slot *s)
{
	return !atomic_cmpxchg_acquire(&s->busy, 0, 1);
}

static void slot_unlock(struct pc_slot *s)
{
	atomic_set_release(&s->busy, 0);
}

/*
 * Keeps the current process's exe and cgroup, just read with nothing cut
 * or flagged, for its next records. @gen and @ren: pc_gen and rename_lock's
 * count from before they were read, so that a change while they were read
 * makes the slot stale at once. Preemption is disabled.
 */
void nl_pcache_put(const struct nl_who *who, unsigned int gen,
		   unsigned int ren)
{
	const struct signal_struct *key;
	struct pc_slot *s, *set, *victim = NULL;
	const struct file *exe;
	u8 standing;
	bool unlinked;
	u32 hash;
	u64 cg_id;

	if (who->exe_len > NETLOG_EXE_MAX ||
	    who->cgroup_len > NETLOG_CGROUP_MAX || (ren & 1))
		return;
	rcu_read_lock();
	if (!current_state(&key, &exe, &unlinked, &cg_id) ||
	    cg_id != who->cgroup_id) {
		rcu_read_unlock();
		return;
	}
	rcu_read_unlock();
	set = set_of(key);
	for (s = set; s < set + PC_WAYS && !victim; s++)
		if (READ_ONCE(s->key) == key)
			victim = s;
	for (s = set; s < set + PC_WAYS && !victim; s++)
		if (!READ_ONCE(s->key))
			victim = s;
	if (!victim) {
		victim = set + (get_random_u32() % PC_WAYS);
		PC_COUNT(evictions);
	}
	/* before the slot is held: exec and exit spin on it to drop it */
	hash = who->exe_hash ?: nlwl_hash(who->exe, who->exe_len);
	standing = nl_whitelist_standing(&netlog_wl, who->exe, who->exe_len,
					 hash);
	if (!slot_lock(victim))
		return;
	raw_write_seqcount_begin(&victim->seq);
	victim->key = key;
	victim->exe_file = exe;
	victim->cgroup_id = cg_id;
	victim->gen = gen;
	victim->rename_seq = ren;
	victim->unlinked = unlinked;
	victim->exe_hash = hash;
	victim->standing = standing;
	victim->exe_len = who->exe_len;
	victim->cgroup_len = who->cgroup_len;
	memcpy(victim->str, who->exe, who->exe_len);
	memcpy(victim->str + who->exe_len, who->cgroup, who->cgroup_len);
	raw_write_seqcount_end(&victim->seq);
	slot_unlock(victim);
	PC_COUNT(fills);
}

/* What nl_pcache_put() needs from before the paths are read. */
void nl_pcache_stamp(unsigned int *gen, unsigned int *ren)
{
	*gen = atomic_read(&pc_gen);
	*ren = rename_count();
	/* the paths are read after the counts */
	smp_rmb();
}

/* Empties the slots of @key: it must not match again. */
static void drop(const struct signal_struct *key)
{
	struct pc_slot *s, *set = set_of(key);

	for (s = set; s < set + PC_WAYS; s++) {
		if (READ_ONCE(s->key) != key)
			continue;
		while (!slot_lock(s))
			cpu_relax();
		if (s->key == key) {
			raw_write_seqcount_begin(&s->seq);
			s->key = NULL;
			raw_write_seqcount_end(&s->seq);
			PC_COUNT(drops);
		}
		slot_unlock(s);
	}
}

/*
 * A slot being filled when its process execs or exits, with what it read
 * before: the filler is that process's own task, which cannot be exec'ing
 * or past its last exit at the same time (a thread killed by exec's
 * de_thread() is exiting, and does not fill). The hooks are rows of
 * sock.c's table, on while netlog is loaded.
 */
void nl_pcache_exec(struct task_struct *p)
{
	if (READ_ONCE(pc_on))
		drop(p->signal);
}

/* sched_process_exit */
void nl_pcache_task_exit(void *data, struct task_struct *p)
{
	if (READ_ONCE(pc_on) && !atomic_read(&p->signal->live))
		drop(p->signal);
}

/*
 * Every slot stale: a PR_SET_MM exe change, of some process's mm, or a
 * change of the whitelist, whose standing of each exe a slot keeps.
 */
void nl_pcache_invalidate(void)
{
	/* what changed before the count: pairs with nl_pcache_stamp() */
	smp_mb__before_atomic();
	atomic_inc(&pc_gen);
	PC_COUNT(invalidations);
}

/*
 * Without one of its invalidation hooks the cache would serve stale paths:
 * it is then off for good (its memory stays until netlog unloads, as the
 * other hooks may still look at it), and netlog works as without it.
 */
void nl_pcache_unhooked(int err)
{
	if (!READ_ONCE(pc_on))
		return;
	pr_warn("proc_cache off: a hook is missing (%d)\n", err);
	WRITE_ONCE(pc_on, false);
}

void nl_pcache_init(void)
{
	unsigned int n;

	if (!proc_cache)
		return;
	n = roundup_pow_of_two(max_t(unsigned int, proc_cache, PC_WAYS));
	set_bits = ilog2(n / PC_WAYS);
	slots = vzalloc(array_size(n, sizeof(*slots)));
	copies = alloc_percpu(struct pc_copy);
	if (!slots || !copies) {
		free_percpu(copies);
		vfree(slots);
		copies = NULL;
		slots = NULL;
		proc_cache = 0;
		return;
	}
	proc_cache = n;
	WRITE_ONCE(pc_on, true);
}

/* After the hooks are gone: no reader or filler is left. */
void nl_pcache_exit(void)
{
	WRITE_ONCE(pc_on, false);
	free_percpu(copies);
	vfree(slots);
	copies = NULL;
	slots = NULL;
}

int nl_pcache_stats(struct secure_log_stats *s)
{
	struct pc_counts sum = {};
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct pc_counts *c = per_cpu_ptr(&pc_counts, cpu);

		sum.hits += c->hits;
		sum.misses += c->misses;
		sum.fills += c->fills;
		sum.evictions += c->evictions;
		sum.drops += c->drops;
		sum.invalidations += c->invalidations;
	}
	return s->row(s, "cache", "proc") ?:
	       s->val(s, "slots", READ_ONCE(pc_on) ? proc_cache : 0, true) ?:
	       s->val(s, "hits", sum.hits, false) ?:
	       s->val(s, "misses", sum.misses, false) ?:
	       s->val(s, "fills", sum.fills, false) ?:
	       s->val(s, "evictions", sum.evictions, false) ?:
	       s->val(s, "drops", sum.drops, false) ?:
	       s->val(s, "invalidations", sum.invalidations, false);
}
