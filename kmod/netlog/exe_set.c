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
 * the stats say so. The hooks are rows of sock.c's table, on while netlog
 * is loaded, whatever the probes.
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

/* replace_mm_exe_file(mm, new_exe_file) is about to start. */
void nl_exe_set_replace(struct mm_struct *mm)
{
	if (mm)
		mark(mm, NETLOG_F_EXE_SET, NULL);
}

/* exit_mmap(struct mm_struct *mm): its last user is gone. */
void nl_exe_set_exit_mmap(struct nl_hook *hook, const unsigned long *args)
{
	struct mm_struct *mm = (void *)args[0];
	struct exe_mark m;

	if (nl_table_get(&marks, mm, &m, true) && m.loaded)
		fput(m.loaded);
}

/*
 * sched_process_fork, in the parent, before the child first runs: neither
 * mm can go.
 */
void nl_exe_set_fork(void *data, struct task_struct *parent,
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

/*
 * sched_process_exec: the new program's first moment; its environment is
 * as exec wrote it.
 */
void nl_exe_set_exec(struct task_struct *p)
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
void nl_exe_set_ptrace(struct nl_hook *hook, const unsigned long *args)
{
	struct task_struct *child = (void *)args[0];
	long request = (long)args[1];
	struct mm_struct *mm;

	if (request == PTRACE_KILL || request == PTRACE_INTERRUPT)
		return;
	mm = READ_ONCE(child->mm);
	if (mm)
		mark(mm, NETLOG_F_PRELOAD, NULL);
}

/* A write to another mm, by a caller that holds a reference to it. */
static void remote_write(const unsigned long *args, unsigned int flags_arg)
{
	struct mm_struct *mm = (void *)args[0];
	unsigned int gup_flags = args[flags_arg];

	if (mm && (gup_flags & FOLL_WRITE) && mm != current->mm)
		mark(mm, NETLOG_F_PRELOAD, NULL);
}

/* access_remote_vm(mm, addr, buf, len, gup_flags): /proc/PID/mem */
void nl_exe_set_mem_write(struct nl_hook *hook, const unsigned long *args)
{
	remote_write(args, 4);
}

/* pin_user_pages_remote(mm, start, nr_pages, gup_flags, ...) */
void nl_exe_set_vm_write(struct nl_hook *hook, const unsigned long *args)
{
	remote_write(args, 3);
}

static void drop_mark(void *value)
{
	struct exe_mark *m = value;

	if (m->loaded)
		fput(m->loaded);
}

int nl_exe_set_init(void)
{
	return nl_table_init(&marks, NL_TABLE_BITS, sizeof(struct exe_mark), 0);
}

/*
 * Without one of its hooks netlog could not tell a marked process: it then
 * fails closed (every record flagged, nothing whitelisted) rather than not
 * load, and says so.
 */
void nl_exe_set_unhooked(int err)
{
	pr_warn("exe_set: a hook is missing (%d): every record is flagged exe_set\n",
		err);
	WRITE_ONCE(marks_lost, true);
}

/* After the hooks are gone: nobody asks any more. */
void nl_exe_set_exit(void)
{
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
