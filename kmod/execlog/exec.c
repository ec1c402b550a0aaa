// SPDX-License-Identifier: GPL-2.0
/*
 * execlog: one NETLOG_REC_EXEC record per execve and execveat.
 *
 * Two kinds of hook, both on the exec path alone:
 *   sched_process_exec  (tracepoint) an exec succeeded: the record, with
 *                       the new program's exe and comm and its arguments
 *                       as it sees them
 *   the exec calls      (return probes on their entry functions, below)
 *                       at entry, the caller's comm is kept in the
 *                       starting table (by task) for comm_before; at
 *                       return, a failed call is recorded, with the
 *                       arguments read from the caller's memory
 * Other system calls pay nothing (the syscall tracepoints that this
 * replaced put every call of every task on the tracing path). A task
 * parked inside exec (on a FUSE file, say) holds an instance of a return
 * probe, from its uid's share: see exec_entry(). When the starting table
 * is full, a record has no comm_before (NETLOG_F_NO_COMM_BEFORE, and the
 * stats count it), but no exec is missed for it. An exec by the kernel
 * itself (kernel_execve(): usermode helpers, init) makes no system call:
 * sched_process_exec records it, without comm_before.
 *
 * The handlers run with preemption off and never nest on a CPU (the
 * hooks are in process context), so one record buffer per CPU does.
 * User memory is read with the _nofault copies: a page that is not present
 * is not waited for, and what could not be read is flagged.
 */
#include <linux/binfmts.h>
#include <linux/compat.h>
#include <linux/fcntl.h>
#include <linux/kprobes.h>
#include <linux/percpu.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <asm/syscall.h>

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
static struct nl_table starting;	/* task -> comm as its exec call began */

/* Per-CPU counters, summed by execlog_stats(). */
static DEFINE_PER_CPU(struct execlog_counters, counters);

#define COUNT(field) this_cpu_inc(counters.field)

/* How many argument pointers a failed exec's array is read for, at most. */
#define ARGC_SCAN_MAX (1U << 17)

enum exec_call { EXECVE, EXECVEAT };

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

/* One exec as a record says it. */
struct exec_event {
	int result;
	u32 flags;		/* NETLOG_F_UNFOLLOWED: seen only as it began */
	pid_t tid;		/* the thread that called exec */
	/* a successful exec's; NULL: the call as its caller made it */
	const struct linux_binprm *bprm;
	enum exec_call call;	/* when bprm is NULL */
};

static void emit(struct exec_buf *buf, const struct exec_event *ev)
{
	const struct linux_binprm *bprm = ev->bprm;
	struct netlog_exec *r = &buf->rec.exec;
	char comm_before[TASK_COMM_LEN];
	struct netlog_strings w;
	struct nl_who who = {};
	size_t cwd_len, argv_len, env_len = 0, filename_len;
	const char *cwd, *filename;
	bool known;
	int ret;

	memset(r, 0, sizeof(*r));
	r->hdr.type = NETLOG_REC_EXEC;
	r->result = ev->result;
	r->flags = ev->flags;
	known = nl_table_get(&starting, current, comm_before, true);
	/* A call that has not succeeded runs under its caller's comm. */
	if (!known && !bprm) {
		memcpy(comm_before, current->comm, sizeof(comm_before));
		known = true;
	}
	if (!known)
		r->flags |= NETLOG_F_NO_COMM_BEFORE;
	/* the new program's loader variables, and its tracer */
	if (bprm && (nl_loader_env(buf->env, &env_len, &r->flags) ||
		     READ_ONCE(current->ptrace)))
		r->flags |= NETLOG_F_PRELOAD;

	/* Only a successful exec is whitelisted, by the program it runs. */
	who.exe = nl_exe_path(&who.exe_len, &r->flags, false, NULL);
	if (bprm && who.exe &&
	    !(r->flags & (NETLOG_F_EXE_NS | NETLOG_F_TRUNC_EXE)) &&
	    execlog_whitelisted(who.exe, who.exe_len,
				from_kuid_munged(&init_user_ns,
						 current_uid()),
				r->flags & NETLOG_F_PRELOAD)) {
		COUNT(filtered);
		return;
	}
	if (bprm) {
		filename = bprm->filename;
		filename_len = strlen(filename);
		r->argc = bprm->argc;
		new_argv(buf->argv, &argv_len, &r->flags);
	} else {
		/* The caller's registers and memory, as exec left them. */
		unsigned long args[6];

		syscall_get_arguments(current, task_pt_regs(current), args);
		filename = buf->filename;
		filename_len = user_filename(buf->filename, args, ev->call);
		r->argc = user_argv(args[ev->call == EXECVEAT ? 2 : 1],
				    in_compat_syscall(), buf->argv, &argv_len,
				    &r->flags);
	}
	nl_fill_task(&r->task, nl_own_netns());
	r->task.tid = ev->tid;
	r->hdr.uid = nl_charge_uid();
	who.cgroup = nl_cgroup_path(&who.cgroup_len, &r->task.cgroup_id,
				    &r->flags);

	netlog_strings_start(&w, &r->hdr, &r->flags, r + 1);
	nl_put_who(&w, &who);
	netlog_put_string(&w, filename, filename_len);
	netlog_put_string(&w, comm_before,
			  known ? strnlen(comm_before, TASK_COMM_LEN) : 0);
	/* the cgroup's path buffer again: it is in the record by now */
	cwd = nl_cwd_path(&cwd_len, &r->flags, NETLOG_F_TRUNC_CWD);
	netlog_put_string(&w, cwd, cwd_len);
	netlog_put_string(&w, buf->argv, argv_len);
	netlog_put_string(&w, buf->env, env_len);
	netlog_put_le64(&w, nl_task_start());
	netlog_strings_end(&w);

	ret = secure_log_submit(&r->hdr);
	if (ret)
		COUNT(dropped);
	else
		COUNT(emitted);
	if (!known)
		COUNT(no_comm_before);
}

static void emit_event(const struct exec_event *ev)
{
	emit(get_cpu_ptr(exec_buf), ev);
	put_cpu_ptr(exec_buf);
}

static void exec_done(void *data, struct task_struct *p, pid_t old_pid,
		      struct linux_binprm *bprm)
{
	const struct exec_event ev = { .tid = old_pid, .bprm = bprm };

	emit_event(&ev);
}

/* A row of the hook table: which call a return probe is on. */
struct exec_hook {
	struct nl_hook hook;
	enum exec_call call;
};

struct call_data {
	u16 owner;		/* whose share of instances it holds */
};

static struct exec_hook *hook_of(struct kretprobe_instance *ri)
{
	return container_of(get_kretprobe(ri), struct exec_hook, hook.krp);
}

/*
 * A call is followed from its start to its return, holding an instance of
 * the probe all the while: a user can keep it inside exec for as long as
 * it likes (a file on FUSE that is never read). So no uid may hold more
 * than a quarter of a hook's instances: a call beyond that is recorded as
 * it begins, with NETLOG_F_UNFOLLOWED (result 0 says nothing; if it
 * succeeds, sched_process_exec records it again), and not followed. Only
 * calls that find no instance at all are counted as MISSED; their
 * successes are still recorded, without comm_before.
 */
static int exec_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct call_data *d = (struct call_data *)ri->data;
	struct exec_hook *h = hook_of(ri);
	u32 uid = nl_charge_uid();
	char comm[TASK_COMM_LEN];

	if (!nl_hook_follow(&execlog_hooks, &h->hook, uid, &d->owner)) {
		const struct exec_event ev = {
			.flags = NETLOG_F_UNFOLLOWED,
			.tid = task_pid_nr(current),
			.call = h->call,
		};

		emit_event(&ev);
		return 1;
	}
	/* for the record of its success: comm_before */
	memcpy(comm, current->comm, sizeof(comm));
	nl_table_put(&starting, current, comm, uid);
	return 0;
}

static int exec_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct call_data *d = (struct call_data *)ri->data;
	struct exec_hook *h = hook_of(ri);
	long ret = regs_return_value(regs);
	char comm[TASK_COMM_LEN];

	nl_hook_unfollow(&execlog_hooks, &h->hook, d->owner);
	if (ret >= 0) {
		/* exec_done() recorded it and took the entry, or is off */
		nl_table_get(&starting, current, comm, true);
	} else {
		const struct exec_event ev = {
			.result = ret,
			.tid = task_pid_nr(current),
			.call = h->call,
		};

		emit_event(&ev);
	}
	return 0;
}

#define EXEC_CALL(sym, c)                                                  \
	{                                                                   \
		.hook.symbol = sym, .hook.kind = NL_HOOK_KRETPROBE,         \
		.hook.probes = EXECLOG_P_FAILED,                            \
		.hook.krp.entry_handler = exec_entry,                       \
		.hook.krp.handler = exec_return,                            \
		.hook.krp.data_size = sizeof(struct call_data),             \
		.hook.table = &starting, .call = c,                         \
	}

/*
 * sched_process_exec, and the exec system calls' entry functions: the
 * native ones, and the 32-bit ones (ia32 and x32 on x86-64, AArch32 on
 * arm64), so that no ABI is a way around the trail. They take the
 * caller's registers, which a failed call leaves as they were.
 */
static struct exec_hook hooks[] = {
	{
		.hook.symbol = "sched_process_exec",
		.hook.kind = NL_HOOK_TRACEPOINT, .hook.tp_probe = exec_done,
		.hook.probes = EXECLOG_P_EXEC,
	},
#if defined(CONFIG_X86_64)
	EXEC_CALL("__x64_sys_execve", EXECVE),
	EXEC_CALL("__x64_sys_execveat", EXECVEAT),
#ifdef CONFIG_IA32_EMULATION
	EXEC_CALL("__ia32_compat_sys_execve", EXECVE),
	EXEC_CALL("__ia32_compat_sys_execveat", EXECVEAT),
#endif
#ifdef CONFIG_X86_X32_ABI
	EXEC_CALL("__x64_compat_sys_execve", EXECVE),
	EXEC_CALL("__x64_compat_sys_execveat", EXECVEAT),
#endif
#elif defined(CONFIG_ARM64)
	EXEC_CALL("__arm64_sys_execve", EXECVE),
	EXEC_CALL("__arm64_sys_execveat", EXECVEAT),
#ifdef CONFIG_COMPAT
	EXEC_CALL("__arm64_compat_sys_execve", EXECVE),
	EXEC_CALL("__arm64_compat_sys_execveat", EXECVEAT),
#endif
#else
#error "execlog knows the exec entry points of x86-64 and arm64 only"
#endif
};

const char *const execlog_probe_names[EXECLOG_PROBE_COUNT] = {
	"exec", "exec_failed"
};

struct nl_hooks execlog_hooks = {
	.rows = hooks,
	.count = ARRAY_SIZE(hooks),
	.stride = sizeof(hooks[0]),
	.probe_names = execlog_probe_names,
	.probe_count = EXECLOG_PROBE_COUNT,
	.on = EXECLOG_P_DEFAULT,
	.lock = __MUTEX_INITIALIZER(execlog_hooks.lock),
};

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
	int ret;

	exec_buf = alloc_percpu(struct exec_buf);
	if (!exec_buf)
		return -ENOMEM;
	ret = nl_table_init(&starting, NL_TABLE_BITS, TASK_COMM_LEN,
			    NL_TABLE_SHARE);
	if (ret)
		goto err_buf;
	ret = nl_hooks_start(&execlog_hooks);
	if (ret)
		goto err_starting;
	return 0;

err_starting:
	nl_table_exit(&starting);
err_buf:
	free_percpu(exec_buf);
	return ret;
}

void execlog_exec_exit(void)
{
	nl_hooks_stop(&execlog_hooks);
	nl_table_exit(&starting);
	free_percpu(exec_buf);
}
