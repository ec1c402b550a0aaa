// SPDX-License-Identifier: GPL-2.0
/*
 * Processes that may run other code than their exe says. Their records are
 * flagged, and the whitelist, which trusts the exe, does not apply.
 *
 * NETLOG_F_EXE_SET: the exe is not the file the process exec'd.
 * prctl(PR_SET_MM, PR_SET_MM_EXE_FILE or PR_SET_MM_MAP) points an mm's exe
 * at any executable file. The root of any user namespace may do it, also
 * for an mm it shares with a task of the initial one (clone(CLONE_NEWUSER |
 * CLONE_VM)): any user can. Such records name the file the mm had before:
 * the one exec loaded. An mm is marked
 *   - when a replacement starts (replace_mm_exe_file(), entry): before the
 *     new exe is visible, so that no record can read it unflagged. One that
 *     then fails keeps the mark: the attempt alone is what matters;
 *   - when a task of another user namespace comes to share it
 *     (sched_process_fork with CLONE_VM), which may replace it later.
 *
 * NETLOG_F_PRELOAD: the exe is the program, but not all that runs. An mm
 * is marked
 *   - at exec, when the new program's environment has a variable that makes
 *     ld.so load more (attr.c: nl_loader_env()), or the task is traced;
 *   - when its tracer makes a ptrace request of it (arch_ptrace(), which
 *     runs while the tracee is frozen in its stop): peeks too, for a tracer
 *     that can peek can poke;
 *   - when another process writes to its memory: /proc/PID/mem
 *     (access_remote_vm()) or process_vm_writev() (pin_user_pages_remote()),
 *     both with FOLL_WRITE.
 *
 * A fork copies its parent's marks to the child's new mm, as it copies the
 * exe and the code. Exec makes a new mm, which starts unmarked but for what
 * the exec itself says; a mark goes with its mm (exit_mmap(), once no task
 * uses it: no other mm can be at its address before then). An exe_set mark
 * holds a reference to the exe the mm had when it was marked. What
 * happened while netlog was not loaded is not known.
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
#include <linux/mm.h>
#include <linux/mm_types.h>
#include <linux/ptrace.h>
#include <linux/rcupdate.h>
#include <linux/sched/mm.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

#include "../compat/compat.h"
#include "../include/secure_log.h"
#include "netlog.h"

struct exe_mark {
	struct file *loaded;	/* a reference, or NULL: the mm had no exe */
	u32 flags;		/* NETLOG_F_EXE_SET, NETLOG_F_PRELOAD */
};

static struct nl_table marks;
/* serialises marking, so that a mark is made once and its file kept once */
static DEFINE_RAW_SPINLOCK(mark_lock);
static bool marks_lost;		/* a mark did not fit: every mm is marked */

/*
 * Adds @flags to @mm's mark. An exe_set mark keeps @from's loaded exe (a
 * fork's parent), or else @mm's exe as it is now.
 */
static void mark(struct mm_struct *mm, u32 flags, const struct exe_mark *from)
{
	struct exe_mark m = {};
	unsigned long irq;
	bool known, lost = false;

	raw_spin_lock_irqsave(&mark_lock, irq);
	known = nl_table_get(&marks, mm, &m, false);
	if (known && (m.flags | flags) == m.flags)
		goto out;
	m.flags |= flags;
	if ((flags & NETLOG_F_EXE_SET) && !m.loaded) {
		if (from) {
			m.loaded = from->loaded;
			if (m.loaded)
				get_file(m.loaded);
		} else {
			rcu_read_lock();
			m.loaded = nl_get_file_rcu(&mm->exe_file);
			rcu_read_unlock();
		}
	}
	/* a new key: nothing held; no shares (a full table fails closed) */
	lost = !nl_table_put(&marks, mm, &m, NETLOG_UID_NONE);
out:
	raw_spin_unlock_irqrestore(&mark_lock, irq);
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
		mark(mm, NETLOG_F_EXE_SET, NULL);
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

/* In the parent, before the child first runs: neither mm can go. */
static void on_fork(void *data, struct task_struct *parent,
		    struct task_struct *child)
{
	struct exe_mark from;
	bool other_ns;

	if (!child->mm)
		return;
	if (child->mm != parent->mm) {
		if (parent->mm && nl_table_get(&marks, parent->mm, &from, false))
			mark(child->mm, from.flags, &from);
		return;
	}
	rcu_read_lock();
	other_ns = __task_cred(child)->user_ns != __task_cred(parent)->user_ns;
	rcu_read_unlock();
	if (other_ns)
		mark(child->mm, NETLOG_F_EXE_SET, NULL);
}

/* The new program's first moment: its environment is as exec wrote it. */
static void on_exec(void *data, struct task_struct *p, pid_t old_pid,
		    struct linux_binprm *bprm)
{
	u32 cut = 0;

	if (p->mm && (READ_ONCE(p->ptrace) || nl_loader_env(NULL, NULL, &cut)))
		mark(p->mm, NETLOG_F_PRELOAD, NULL);
}

/*
 * arch_ptrace(struct task_struct *child, long request, ...), and its
 * compat twin: past ptrace_check_attach(), which froze the child in its
 * stop (so its mm stays), except for the two requests that do not wait
 * for a stop and change nothing of it.
 */
static int on_ptrace(struct kprobe *kp, struct pt_regs *regs)
{
	struct task_struct *child = (void *)regs_get_kernel_argument(regs, 0);
	long request = (long)regs_get_kernel_argument(regs, 1);
	struct mm_struct *mm;

	if (request == PTRACE_KILL || request == PTRACE_INTERRUPT)
		return 0;
	mm = READ_ONCE(child->mm);
	if (mm)
		mark(mm, NETLOG_F_PRELOAD, NULL);
	return 0;
}

/* A write to another mm, by a caller that holds a reference to it. */
static void remote_write(struct pt_regs *regs, unsigned int flags_arg)
{
	struct mm_struct *mm = (void *)regs_get_kernel_argument(regs, 0);
	unsigned int gup_flags = regs_get_kernel_argument(regs, flags_arg);

	if (mm && (gup_flags & FOLL_WRITE) && mm != current->mm)
		mark(mm, NETLOG_F_PRELOAD, NULL);
}

/* access_remote_vm(mm, addr, buf, len, gup_flags): /proc/PID/mem */
static int on_mem_write(struct kprobe *kp, struct pt_regs *regs)
{
	remote_write(regs, 4);
	return 0;
}

/* pin_user_pages_remote(mm, start, nr_pages, gup_flags, ...) */
static int on_vm_write(struct kprobe *kp, struct pt_regs *regs)
{
	remote_write(regs, 3);
	return 0;
}

static struct kprobe kps[] = {
	{ .symbol_name = "replace_mm_exe_file", .pre_handler = on_replace },
	{ .symbol_name = "exit_mmap", .pre_handler = on_exit_mmap },
	{ .symbol_name = "arch_ptrace", .pre_handler = on_ptrace },
#ifdef CONFIG_COMPAT
	{ .symbol_name = "compat_arch_ptrace", .pre_handler = on_ptrace },
#endif
	{ .symbol_name = "access_remote_vm", .pre_handler = on_mem_write },
	{ .symbol_name = "pin_user_pages_remote", .pre_handler = on_vm_write },
};

static struct kprobe *kp_list[ARRAY_SIZE(kps)];
static struct tracepoint *fork_tp, *exec_tp;
static bool hooked;

static void find_tps(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "sched_process_fork"))
		fork_tp = tp;
	else if (!strcmp(tp->name, "sched_process_exec"))
		exec_tp = tp;
}

static void unhook_tps(void)
{
	tracepoint_probe_unregister(exec_tp, on_exec, NULL);
	tracepoint_probe_unregister(fork_tp, on_fork, NULL);
	tracepoint_synchronize_unregister();
}

static void drop_mark(void *value)
{
	struct exe_mark *m = value;

	if (m->loaded)
		fput(m->loaded);
}

/*
 * Without its hooks netlog could not tell a marked process: it then fails
 * closed (every record flagged, nothing whitelisted) rather than not load,
 * and warns.
 */
int nl_exe_set_init(void)
{
	int ret, i;

	ret = nl_table_init(&marks, sizeof(struct exe_mark), 0);
	if (ret)
		return ret;
	for (i = 0; i < ARRAY_SIZE(kps); i++)
		kp_list[i] = &kps[i];
	for_each_kernel_tracepoint(find_tps, NULL);
	ret = -ENOENT;
	if (!fork_tp || !exec_tp)
		goto err;
	ret = tracepoint_probe_register(fork_tp, on_fork, NULL);
	if (ret)
		goto err;
	ret = tracepoint_probe_register(exec_tp, on_exec, NULL);
	if (ret)
		goto err_fork;
	ret = register_kprobes(kp_list, ARRAY_SIZE(kps));
	if (ret)
		goto err_tps;
	hooked = true;
	return 0;

err_tps:
	tracepoint_probe_unregister(exec_tp, on_exec, NULL);
err_fork:
	tracepoint_probe_unregister(fork_tp, on_fork, NULL);
	tracepoint_synchronize_unregister();
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
		unhook_tps();
		hooked = false;
	}
	nl_table_clear(&marks, drop_mark);
	nl_table_exit(&marks);
}

/*
 * @mm's marks (NETLOG_F_EXE_SET, NETLOG_F_PRELOAD), and its loaded exe in
 * @loaded (NULL when unknown), valid while @mm has a user: the caller's
 * own mm. Costs a load while no mm is marked.
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
	return m.flags;
}

/* An exiting task's marks, kept with its exe: @e->loaded is a reference. */
void nl_exe_set_keep(struct mm_struct *mm, struct netlog_exe *e)
{
	e->marks = nl_exe_set_of(mm, &e->loaded);
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
