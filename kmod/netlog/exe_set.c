// SPDX-License-Identifier: GPL-2.0
/*
 * Processes whose exe is not the file they exec'd. prctl(PR_SET_MM,
 * PR_SET_MM_EXE_FILE or PR_SET_MM_MAP) points an mm's exe at any executable
 * file. The root of any user namespace may do it, also for an mm it shares
 * with a task of the initial one (clone(CLONE_NEWUSER | CLONE_VM)): any
 * user can. Such an exe says nothing of what runs, so every record of a
 * task of a marked mm is flagged NETLOG_F_EXE_SET, is never whitelisted,
 * and names the file the mm had before: the one exec loaded.
 *
 * An mm is marked
 *   - when a replacement starts (replace_mm_exe_file(), entry): before the
 *     new exe is visible, so that no record can read it unflagged. One that
 *     then fails keeps the mark: the attempt alone is what matters;
 *   - when a task of another user namespace comes to share it
 *     (sched_process_fork with CLONE_VM), which may replace it later.
 * Exec makes a new mm, which starts unmarked; a mark goes with its mm
 * (exit_mmap(), once no task uses it: no other mm can be at its address
 * before then). A mark holds a reference to the exe the mm had when it was
 * marked. An exe replaced while netlog was not loaded is not known.
 *
 * The marks are a fixed table (table.c): a full bucket means that netlog
 * can no longer tell marked processes apart, and from then on it treats
 * every process as marked, until it is loaded again: it fails closed, and
 * the stats say so.
 */
#include <linux/atomic.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kprobes.h>
#include <linux/mm_types.h>
#include <linux/ptrace.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

#include "../compat/compat.h"
#include "../include/secure_log.h"
#include "netlog.h"

struct exe_mark {
	struct file *loaded;	/* a reference, or NULL: the mm had no exe */
};

static struct nl_table marks;
/* serialises marking, so that a mark is made once and its file kept once */
static DEFINE_RAW_SPINLOCK(mark_lock);
static bool marks_lost;		/* a mark did not fit: every mm is marked */

static void mark(struct mm_struct *mm)
{
	struct exe_mark m;
	unsigned long flags;
	bool lost = false;

	raw_spin_lock_irqsave(&mark_lock, flags);
	if (!nl_table_get(&marks, mm, &m, false)) {
		rcu_read_lock();
		m.loaded = nl_get_file_rcu(&mm->exe_file);
		rcu_read_unlock();
		lost = !nl_table_put(&marks, mm, &m);
	}
	raw_spin_unlock_irqrestore(&mark_lock, flags);
	if (lost) {
		WRITE_ONCE(marks_lost, true);
		if (m.loaded)
			fput(m.loaded);
	}
}

/* replace_mm_exe_file(struct mm_struct *mm, struct file *new_exe_file) */
static int on_replace(struct kprobe *kp, struct pt_regs *regs)
{
	struct mm_struct *mm = (void *)regs_get_kernel_argument(regs, 0);

	if (mm)
		mark(mm);
	return 0;
}

/* exit_mmap(struct mm_struct *mm): its last user is gone. */
static int on_exit_mmap(struct kprobe *kp, struct pt_regs *regs)
{
	struct mm_struct *mm = (void *)regs_get_kernel_argument(regs, 0);
	struct exe_mark m;

	if (nl_table_get(&marks, mm, &m, true) && m.loaded)
		fput(m.loaded);
	return 0;
}

/* In the parent, before the child first runs. */
static void on_fork(void *data, struct task_struct *parent,
		    struct task_struct *child)
{
	bool other_ns;

	if (!child->mm || child->mm != parent->mm)
		return;
	rcu_read_lock();
	other_ns = __task_cred(child)->user_ns != __task_cred(parent)->user_ns;
	rcu_read_unlock();
	if (other_ns)
		mark(child->mm);
}

static struct kprobe kps[] = {
	{ .symbol_name = "replace_mm_exe_file", .pre_handler = on_replace },
	{ .symbol_name = "exit_mmap", .pre_handler = on_exit_mmap },
};

static struct kprobe *kp_list[ARRAY_SIZE(kps)];
static struct tracepoint *fork_tp;
static bool hooked;

static void find_fork(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "sched_process_fork"))
		fork_tp = tp;
}

static void drop_mark(void *value)
{
	struct exe_mark *m = value;

	if (m->loaded)
		fput(m->loaded);
}

/*
 * Without its hooks netlog could not tell a forged exe: it then fails
 * closed (every record flagged, nothing whitelisted) rather than not load,
 * and warns.
 */
int nl_exe_set_init(void)
{
	int ret, i;

	ret = nl_table_init(&marks, sizeof(struct exe_mark));
	if (ret)
		return ret;
	for (i = 0; i < ARRAY_SIZE(kps); i++)
		kp_list[i] = &kps[i];
	for_each_kernel_tracepoint(find_fork, NULL);
	ret = fork_tp ? tracepoint_probe_register(fork_tp, on_fork, NULL) :
			-ENOENT;
	if (ret)
		goto err;
	ret = register_kprobes(kp_list, ARRAY_SIZE(kps));
	if (ret) {
		tracepoint_probe_unregister(fork_tp, on_fork, NULL);
		tracepoint_synchronize_unregister();
		goto err;
	}
	hooked = true;
	return 0;

err:
	pr_warn("exe_set: cannot hook (%d): every record is flagged exe_set\n",
		ret);
	WRITE_ONCE(marks_lost, true);
	return 0;
}

/* After the probes are gone: nobody asks any more. */
void nl_exe_set_exit(void)
{
	if (hooked) {
		unregister_kprobes(kp_list, ARRAY_SIZE(kps));
		tracepoint_probe_unregister(fork_tp, on_fork, NULL);
		tracepoint_synchronize_unregister();
		hooked = false;
	}
	nl_table_clear(&marks, drop_mark);
	nl_table_exit(&marks);
}

/*
 * NETLOG_F_EXE_SET if @mm is marked, and its loaded exe in @loaded (NULL
 * when unknown), valid while @mm has a user: the caller's own mm. Costs a
 * load while no mm is marked.
 */
u32 nl_exe_set_of(struct mm_struct *mm, struct file **loaded)
{
	struct exe_mark m;

	*loaded = NULL;
	if (unlikely(READ_ONCE(marks_lost)))
		return NETLOG_F_EXE_SET;
	if (!mm || !nl_table_get(&marks, mm, &m, false))
		return 0;
	*loaded = m.loaded;
	return NETLOG_F_EXE_SET;
}

/* An exiting task's mark, kept with its exe: @e->loaded is a reference. */
void nl_exe_set_keep(struct mm_struct *mm, struct netlog_exe *e)
{
	e->set = nl_exe_set_of(mm, &e->loaded);
	if (e->loaded)
		get_file(e->loaded);	/* the mark holds one while mm lives */
}

int nl_exe_set_stats(struct secure_log_stats *s)
{
	return s->row(s, "table", "exe_set") ?:
	       s->val(s, "pending", atomic_read(&marks.used), true) ?:
	       s->val(s, "missed", atomic_long_read(&marks.overflow), false) ?:
	       s->val(s, "fail_closed", READ_ONCE(marks_lost), true);
}
