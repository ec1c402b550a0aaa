// SPDX-License-Identifier: GPL-2.0
/*
 * execlog: one NETLOG_REC_EXEC record per execve and execveat.
 *
 * Three tracepoints, and no kprobe or return probe:
 *   sys_enter           an exec call starts: the caller's comm is kept in
 *                       the starting table (by task) for comm_before
 *   sched_process_exec  it succeeded: the record, with the new program's
 *                       exe and comm and its arguments as it sees them
 *   sys_exit            it returned: if it failed, the record, with the
 *                       arguments read from the caller's memory
 * A task parked inside exec (on a FUSE file, say) holds no probe instance:
 * the hooks run when the call starts and when it ends. It holds an entry of
 * the starting table; when that is full, a record has no comm_before
 * (NETLOG_F_NO_COMM_BEFORE, and the stats count it), but no exec is missed.
 * An exec by the kernel itself (kernel_execve(): usermode helpers, init)
 * makes no syscall: sched_process_exec records it, without comm_before.
 *
 * While sys_enter and sys_exit have a probe, every task's syscalls take the
 * tracing path and call it; the handlers compare the number and return.
 * make bench measures what that costs other calls.
 *
 * The handlers run with preemption off and never nest on a CPU (the
 * tracepoints are in process context), so one record buffer per CPU does.
 * User memory is read with the _nofault copies: a page that is not present
 * is not waited for, and what could not be read is flagged.
 */
#include <linux/binfmts.h>
#include <linux/compat.h>
#include <linux/fcntl.h>
#include <linux/percpu.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <linux/uaccess.h>
#include <asm/syscall.h>
#include <asm/unistd.h>

#include "../include/secure_log.h"
#include "execlog.h"

struct exec_buf {
	union {
		struct netlog_exec exec;
		u8 bytes[NETLOG_EXEC_MAX_LEN];
	} rec;
	char filename[PATH_MAX + 32];	/* "/dev/fd/N/" and a path */
	char argv[NETLOG_ARGV_MAX];
	char env[NETLOG_ENV_MAX];
};

static struct exec_buf __percpu *exec_buf;
static struct nl_table starting;	/* task -> comm at sys_enter */

/* Per-CPU counters, summed by execlog_stats(). */
static DEFINE_PER_CPU(struct execlog_counters, counters);

#define COUNT(field) this_cpu_inc(counters.field)

/* How many argument pointers a failed exec's array is read for, at most. */
#define ARGC_SCAN_MAX (1U << 17)

enum exec_call { NOT_EXEC, EXECVE, EXECVEAT };

/*
 * Which exec, if any, syscall @nr of the current task is: the native
 * numbers, and the 32-bit ones (ia32 and x32 on x86-64, AArch32 on arm64),
 * so that no ABI is a way around the trail.
 */
static enum exec_call exec_call(long nr)
{
	if (!in_compat_syscall())
		return nr == __NR_execve ? EXECVE :
		       nr == __NR_execveat ? EXECVEAT : NOT_EXEC;
#if defined(CONFIG_X86_64)
#if defined(CONFIG_X86_X32_ABI)
	if (in_x32_syscall())
		return nr == (__X32_SYSCALL_BIT | __NR_x32_execve) ? EXECVE :
		       nr == (__X32_SYSCALL_BIT | __NR_x32_execveat) ?
		       EXECVEAT : NOT_EXEC;
#endif
	return nr == __NR_ia32_execve ? EXECVE :
	       nr == __NR_ia32_execveat ? EXECVEAT : NOT_EXEC;
#elif defined(CONFIG_ARM64)
	/* arch/arm/tools/syscall.tbl: execve 11, execveat 387 */
	return nr == 11 ? EXECVE : nr == 387 ? EXECVEAT : NOT_EXEC;
#else
	return NOT_EXEC;
#endif
}

static void exec_enter(void *data, struct pt_regs *regs, long id)
{
	char comm[TASK_COMM_LEN];

	if (exec_call(id) == NOT_EXEC)
		return;
	memcpy(comm, current->comm, sizeof(comm));
	nl_table_put(&starting, current, comm, nl_charge_uid());
}

/* Appends one argument and its NUL, as much as fits; false when cut. */
static bool put_arg(char *buf, size_t *used, unsigned long uptr)
{
	size_t room = NETLOG_ARGV_MAX - *used;
	long n;

	if (!room)
		return false;
	n = nl_copy_str_nofault(buf + *used, uptr, room, true);
	if (n == -ENAMETOOLONG) {
		*used = NETLOG_ARGV_MAX;
		return false;
	}
	if (n < 0)
		return false;	/* unreadable: nothing of it */
	*used += n + 1;		/* with its NUL */
	return true;
}

/*
 * A failed exec's arguments, from the caller's array of pointers (32-bit
 * ones for a compat call), which exec left as it was. Returns argc.
 */
static u32 user_argv(unsigned long uargv, bool compat, char *buf,
		     size_t *used, u32 *flags)
{
	const size_t psize = compat ? sizeof(compat_uptr_t) : sizeof(long);
	union {
		compat_uptr_t c[32];
		unsigned long n[32];
	} chunk;
	u32 argc = 0;

	*used = 0;
	if (!uargv)
		return 0;	/* a NULL argv is taken as empty */
	while (argc < ARGC_SCAN_MAX) {
		unsigned long at = uargv + argc * psize;
		unsigned int n = ARRAY_SIZE(chunk.c), i;

		/* A chunk may run into an unmapped page: then one by one. */
		if (copy_from_user_nofault(&chunk, (const void __user *)at,
					   n * psize)) {
			n = 1;
			if (copy_from_user_nofault(&chunk,
						   (const void __user *)at,
						   psize))
				break;
		}
		for (i = 0; i < n; i++) {
			unsigned long p = compat ? chunk.c[i] : chunk.n[i];

			if (!p)
				return argc;
			argc++;
			if (!put_arg(buf, used, p))
				*flags |= NETLOG_F_TRUNC_ARGV;
		}
	}
	*flags |= NETLOG_F_ARGC_PARTIAL;
	return argc;
}

/* A successful exec's arguments: the new program's, in its own memory. */
static void new_argv(char *buf, size_t *used, u32 *flags)
{
	const struct mm_struct *mm = current->mm;
	unsigned long start = mm ? mm->arg_start : 0;
	unsigned long end = mm ? mm->arg_end : 0;
	size_t len = end > start ? end - start : 0;

	*used = min_t(size_t, len, NETLOG_ARGV_MAX);
	if (*used < len)
		*flags |= NETLOG_F_TRUNC_ARGV;
	if (*used && copy_from_user_nofault(buf, (const void __user *)start,
					    *used)) {
		*used = 0;
		*flags |= NETLOG_F_TRUNC_ARGV;
	}
}

/*
 * The file a failed exec asked for, named as the kernel names it (see
 * alloc_bprm()): the path, or /dev/fd/N[/path] relative to a directory fd.
 */
static size_t user_filename(char *buf, const unsigned long *args,
			    enum exec_call call)
{
	unsigned long upath = call == EXECVEAT ? args[1] : args[0];
	int dirfd = call == EXECVEAT ? (int)args[0] : AT_FDCWD;
	size_t pre = 0;
	long n;

	n = nl_copy_str_nofault(buf + 32, upath, PATH_MAX, true);
	if (n == -ENAMETOOLONG)
		n = PATH_MAX - 1;	/* the kernel refused it: keep its start */
	else if (n < 0)
		n = 0;
	buf[32 + n] = '\0';
	if (dirfd != AT_FDCWD && buf[32] != '/')
		pre = scnprintf(buf, 32, n ? "/dev/fd/%d/" : "/dev/fd/%d",
				dirfd);
	memmove(buf + pre, buf + 32, n + 1);
	return pre + n;
}

struct exec_event {
	int result;
	pid_t tid;		/* the thread that called exec */
	const char *filename;	/* NULL: buf->filename, already filled */
	size_t filename_len;
	u32 argc;		/* a successful exec's */
	unsigned long uargv;	/* a failed call's argument array */
};

static void emit(struct exec_buf *buf, const struct exec_event *ev)
{
	struct netlog_exec *r = &buf->rec.exec;
	char comm_before[TASK_COMM_LEN];
	struct netlog_strings w;
	struct nl_who who = {};
	size_t cwd_len, argv_len, env_len = 0;
	const char *cwd;
	bool known;
	int ret;

	memset(r, 0, sizeof(*r));
	r->hdr.type = NETLOG_REC_EXEC;
	r->result = ev->result;
	known = nl_table_get(&starting, current, comm_before, true);
	if (!known)
		r->flags |= NETLOG_F_NO_COMM_BEFORE;
	/* the new program's loader variables, and its tracer */
	if (!ev->result &&
	    (nl_loader_env(buf->env, &env_len, &r->flags) ||
	     READ_ONCE(current->ptrace)))
		r->flags |= NETLOG_F_PRELOAD;

	/* Only a successful exec is whitelisted, by the program it runs. */
	who.exe = nl_exe_path(&who.exe_len, &r->flags, false, NULL);
	if (!ev->result && who.exe &&
	    !(r->flags & (NETLOG_F_EXE_NS | NETLOG_F_TRUNC_EXE)) &&
	    execlog_whitelisted(who.exe, who.exe_len,
				from_kuid_munged(&init_user_ns,
						 current_uid()),
				r->flags & NETLOG_F_PRELOAD)) {
		COUNT(filtered);
		return;
	}
	if (ev->result) {
		r->argc = user_argv(ev->uargv, in_compat_syscall(), buf->argv,
				    &argv_len, &r->flags);
	} else {
		r->argc = ev->argc;
		new_argv(buf->argv, &argv_len, &r->flags);
	}
	nl_fill_task(&r->task, nl_own_netns());
	r->task.tid = ev->tid;
	r->hdr.uid = nl_charge_uid();
	who.cgroup = nl_cgroup_path(&who.cgroup_len, &r->task.cgroup_id,
				    &r->flags);

	netlog_strings_start(&w, &r->hdr, &r->flags, r + 1);
	nl_put_who(&w, &who);
	netlog_put_string(&w, ev->filename ?: buf->filename,
			  ev->filename_len);
	netlog_put_string(&w, comm_before,
			  known ? strnlen(comm_before, TASK_COMM_LEN) : 0);
	/* the cgroup's path buffer again: it is in the record by now */
	cwd = nl_cwd_path(&cwd_len, &r->flags, NETLOG_F_TRUNC_CWD);
	netlog_put_string(&w, cwd, cwd_len);
	netlog_put_string(&w, buf->argv, argv_len);
	netlog_put_string(&w, buf->env, env_len);
	netlog_strings_end(&w);

	ret = secure_log_submit(&r->hdr);
	if (ret)
		COUNT(dropped);
	else
		COUNT(emitted);
	if (!known)
		COUNT(no_comm_before);
}

static void exec_done(void *data, struct task_struct *p, pid_t old_pid,
		      struct linux_binprm *bprm)
{
	struct exec_buf *buf = get_cpu_ptr(exec_buf);
	const struct exec_event ev = {
		.tid = old_pid,
		.filename = bprm->filename,
		.filename_len = strlen(bprm->filename),
		.argc = bprm->argc,
	};

	emit(buf, &ev);
	put_cpu_ptr(exec_buf);
}

static void exec_exit(void *data, struct pt_regs *regs, long ret)
{
	enum exec_call call = exec_call(syscall_get_nr(current, regs));
	unsigned long args[6];
	struct exec_buf *buf;
	struct exec_event ev;
	char comm[TASK_COMM_LEN];

	if (call == NOT_EXEC)
		return;
	if (ret >= 0) {
		/* recorded by exec_done(); its entry is gone, or stale */
		nl_table_get(&starting, current, comm, true);
		return;
	}
	syscall_get_arguments(current, regs, args);
	buf = get_cpu_ptr(exec_buf);
	ev = (struct exec_event){
		.result = ret,
		.tid = task_pid_nr(current),
		.filename_len = user_filename(buf->filename, args, call),
		.uargv = args[call == EXECVEAT ? 2 : 1],
	};
	emit(buf, &ev);
	put_cpu_ptr(exec_buf);
}

struct exec_hook {
	const char *name;
	void *probe;
	unsigned long probes;	/* EXECLOG_P_* that need it */
	struct tracepoint *tp;
	bool on;
};

/* In registration order; unregistered in reverse. */
static struct exec_hook hooks[] = {
	{ "sched_process_exec", exec_done, EXECLOG_P_EXEC },
	{ "sys_exit", exec_exit, EXECLOG_P_FAILED },
	{ "sys_enter", exec_enter, EXECLOG_P_FAILED },
};

static void find_tracepoint(struct tracepoint *tp, void *priv)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hooks); i++)
		if (!strcmp(tp->name, hooks[i].name))
			hooks[i].tp = tp;
}

/*
 * Attaches the hooks the probes in @mask need and detaches the others
 * (under the caller's lock). On an error, some of the new ones may be
 * attached: the caller puts back the mask in force before.
 */
int execlog_hooks_set(unsigned long mask)
{
	bool gone = false;
	int i, ret = 0;

	for (i = ARRAY_SIZE(hooks) - 1; i >= 0; i--) {
		if (!hooks[i].on || (mask & hooks[i].probes))
			continue;
		tracepoint_probe_unregister(hooks[i].tp, hooks[i].probe, NULL);
		hooks[i].on = false;
		gone = true;
	}
	if (gone) {
		tracepoint_synchronize_unregister();
		/* what sys_enter kept that sys_exit or exec_done will not take */
		if (!(mask & EXECLOG_P_FAILED))
			nl_table_clear(&starting, NULL);
	}
	for (i = 0; i < ARRAY_SIZE(hooks) && !ret; i++) {
		if (hooks[i].on || !(mask & hooks[i].probes))
			continue;
		ret = tracepoint_probe_register(hooks[i].tp, hooks[i].probe,
						NULL);
		if (ret)
			pr_err("cannot attach to tracepoint %s: %d\n",
			       hooks[i].name, ret);
		else
			hooks[i].on = true;
	}
	return ret;
}

void execlog_stats(struct execlog_counters *sum)
{
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct execlog_counters *c = per_cpu_ptr(&counters, cpu);

		sum->emitted += c->emitted;
		sum->dropped += c->dropped;
		sum->filtered += c->filtered;
		sum->no_comm_before += c->no_comm_before;
	}
	sum->starting = atomic_read(&starting.used);
}

int execlog_exec_init(void)
{
	unsigned int i;
	int ret;

	for_each_kernel_tracepoint(find_tracepoint, NULL);
	for (i = 0; i < ARRAY_SIZE(hooks); i++) {
		if (!hooks[i].tp) {
			pr_err("no tracepoint %s in this kernel\n",
			       hooks[i].name);
			return -ENOENT;
		}
	}
	exec_buf = alloc_percpu(struct exec_buf);
	if (!exec_buf)
		return -ENOMEM;
	ret = nl_table_init(&starting, TASK_COMM_LEN, NL_TABLE_SHARE);
	if (ret)
		goto err_buf;
	return 0;

err_buf:
	free_percpu(exec_buf);
	return ret;
}

void execlog_exec_exit(void)
{
	nl_table_exit(&starting);
	free_percpu(exec_buf);
}
