// SPDX-License-Identifier: GPL-2.0
/*
 * Who did it: the attribution every record of a task's action carries (ids,
 * credentials, tty, exe, cgroup, cwd), read from the current task by value.
 * netlog.ko and execlog.ko each build this file in (core.mk), so that
 * neither module needs the other.
 *
 * Paths are written into a per-CPU buffer. Callers run with preemption
 * disabled (hook handlers in a task, or get_cpu()) and never nest on
 * one CPU, and copy a path into their record before asking for the next.
 */
#include <linux/audit.h>
#include <linux/cgroup.h>
#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/mutex.h>
#include <linux/nsproxy.h>
#include <linux/percpu.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/string.h>
#include <linux/tty.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>
#include <net/net_namespace.h>

#include "../compat/compat.h"
#include "../include/secure_log.h"
#include "attr.h"

/*
 * d_path() writes from the end of its buffer: give it room for any path.
 * The exe's path stays in one while the cgroup's or the cwd's is read into
 * the other.
 */
struct path_scratch {
	char exe[PATH_MAX];
	char other[PATH_MAX];
	char loaded[PATH_MAX];	/* nl_exe_loaded_path() */
};

static struct path_scratch __percpu *path_buf;

/* init's root when netlog loaded: see nl_host_view() */
static struct path init_root;

static void capture_init_root(void)
{
	struct task_struct *init = init_pid_ns.child_reaper;

	task_lock(init);
	if (init->fs) {
		spin_lock(&init->fs->lock);
		init_root = init->fs->root;
		spin_unlock(&init->fs->lock);
	}
	task_unlock(init);
}

int nl_attr_init(void)
{
	capture_init_root();
	path_buf = alloc_percpu(struct path_scratch);
	return path_buf ? 0 : -ENOMEM;
}

void nl_attr_exit(void)
{
	free_percpu(path_buf);
	path_buf = NULL;
}

static void put_tty(struct netlog_strings *w)
{
	struct tty_struct *tty;
	const char *name;

	if (IS_ENABLED(CONFIG_PREEMPT_RT)) {
		char buf[NETLOG_TTY_MAX];

		netlog_put_string(w, buf, nl_tty_name_lockless(buf, sizeof(buf)));
		return;
	}
	/* No tty, the common case of a daemon: no lock to take. */
	tty = READ_ONCE(current->signal->tty) ? get_current_tty() : NULL;
	if (!tty) {
		netlog_put_string(w, NULL, 0);
		return;
	}
	name = tty_name(tty);
	netlog_put_string(w, name, strlen(name));
	tty_kref_put(tty);
}

/*
 * Whether a path the task resolves names what the same path names for the
 * admin and the rules: the task is in the initial mount namespace and its
 * root is init's (no chroot). init's root is taken when netlog loads
 * (pointers compared, never followed): if init changes its root later, as
 * an initramfs's switch_root does, every exe is flagged, never trusted.
 * And the task is in the initial user namespace: the root of any other
 * (any user can make one) may point its own exe at any file with
 * prctl(PR_SET_MM_MAP). That root may also share the mm of a task of the
 * initial namespace (clone(CLONE_NEWUSER | CLONE_VM)) and point that
 * task's exe: netlog.ko's exe_set.c marks such an mm.
 */
bool nl_host_view(void)
{
	const struct nsproxy *ns = current->nsproxy;
	const struct fs_struct *fs = current->fs;

	return current_user_ns() == &init_user_ns && ns &&
	       ns->mnt_ns == init_task.nsproxy->mnt_ns && fs &&
	       READ_ONCE(fs->root.mnt) == init_root.mnt &&
	       READ_ONCE(fs->root.dentry) == init_root.dentry;
}

/*
 * The current task's exe, root and view, without references: our own mm
 * cannot go away under us, and its exe_file is replaced only by exec (not
 * while we are in a socket call; execlog reads it once exec has set it) or
 * by PR_SET_MM, of which another task of the mm may drop the old file at
 * any time. The dentries and mounts behind a file are freed after an RCU
 * grace period, so that reading its path under rcu_read_lock() is safe even
 * then; the path read may then be another file's (since 6.7 a freed file's
 * memory may be reused at once), but such an mm is marked before its exe
 * changes, and the record flagged NETLOG_F_EXE_SET (exe_set.c).
 */
static void current_exe(struct netlog_exe *e)
{
	const struct fs_struct *fs = current->fs;
	struct mm_struct *mm = current->mm;

	e->file = mm ? rcu_dereference(mm->exe_file) : NULL;
	e->root = fs ? READ_ONCE(fs->root.dentry) : NULL;
	e->root_mnt = fs ? READ_ONCE(fs->root.mnt) : NULL;
	e->host = nl_host_view();
}

/*
 * Keeps the exe of a task about to lose its mm (exit_mm_release()), for the
 * sockets its exit closes later, after exit_fs(): a reference to the file,
 * and the root to resolve it from. False when there is no exe.
 */
bool netlog_exe_keep(struct netlog_exe *e)
{
	struct mm_struct *mm = current->mm;

	rcu_read_lock();
	current_exe(e);
	/*
	 * The mm's own reference is no guarantee: another task of the mm may
	 * replace the exe (PR_SET_MM) and drop it now.
	 */
	e->file = mm ? nl_get_file_rcu(&mm->exe_file) : NULL;
	rcu_read_unlock();
	e->marks = 0;
	e->loaded = NULL;
	return e->file;
}

/*
 * The executable's path, in the per-CPU path buffer; NULL for none (kernel
 * threads, a task past exit_mm() whose exe was not kept) or when it does
 * not fit PATH_MAX (flagged), and NETLOG_F_EXE_NS when it is not a path of
 * the host's view (nl_host_view()). @kept: the exe netlog_exe_keep() kept for
 * an exiting task, resolved from its root without its fs_struct, which is
 * gone by then. @lockless: a spinlock is held that d_path() must not wait
 * under (it may spin on fs->seq and take rename_lock), or the kernel is
 * PREEMPT_RT.
 */
/*
 * The path of @f from @e's root, into @buf: by d_path(), or by the
 * lock-free walker if @walk or on PREEMPT_RT. NULL and @trunc in @flags
 * when it does not fit or the walk stopped short. Under rcu_read_lock().
 */
static char *exe_file_path(const struct file *f, const struct netlog_exe *e,
			   bool walk, char *buf, u32 *flags, u32 trunc)
{
	char *path;

	if (walk || IS_ENABLED(CONFIG_PREEMPT_RT)) {
		bool cut = true;

		path = nl_d_path_lockless(&f->f_path, e->root, e->root_mnt,
					  buf, PATH_MAX, &cut);
		if (cut)
			*flags |= trunc;
	} else {
		path = d_path(&f->f_path, buf, PATH_MAX);
	}
	if (IS_ERR(path)) {
		*flags |= trunc;
		path = NULL;
	}
	return path;
}

const char *nl_exe_path(size_t *len, u32 *flags, bool lockless,
			const struct netlog_exe *kept)
{
	char *buf = this_cpu_ptr(path_buf)->exe;
	struct netlog_exe now;
	const struct netlog_exe *e = kept ?: &now;
	bool walk = kept || lockless || IS_ENABLED(CONFIG_PREEMPT_RT);
	bool e_host_lost = false;
	char *path = NULL;

	rcu_read_lock();
	if (!kept)
		current_exe(&now);
	if (e->file)
		path = exe_file_path(e->file, e, walk, buf, flags,
				     NETLOG_F_TRUNC_EXE);
	/*
	 * d_path() names a file on a mount the root cannot reach (a mount
	 * namespace's, a detached one, a memfd) from that mount's own root:
	 * a user who owns a mount namespace can make any path that way and
	 * exec the file from the host's namespace. Such a path is not one of
	 * the host's. (The walker stops at the top of such a mount: cut.)
	 */
	if (path && !walk && e->host &&
	    !path_is_under(&e->file->f_path, &init_root))
		e_host_lost = true;
	rcu_read_unlock();

	if (!e->host || e_host_lost)
		*flags |= NETLOG_F_EXE_NS;
	*len = path ? strlen(path) : 0;
	return path;
}

/*
 * The path of @loaded, the exe a marked mm had before (exe_set.c), as the
 * current task's root, or @kept's, sees it, in the per-CPU path buffer that
 * the exe and the cgroup do not use. @lockless as for nl_exe_path().
 */
const char *nl_exe_loaded_path(const struct file *loaded, size_t *len,
			       u32 *flags, bool lockless,
			       const struct netlog_exe *kept)
{
	char *buf = this_cpu_ptr(path_buf)->loaded;
	struct netlog_exe now;
	const struct netlog_exe *e = kept ?: &now;
	char *path;

	rcu_read_lock();
	if (!kept)
		current_exe(&now);
	path = exe_file_path(loaded, e, kept || lockless, buf, flags,
			     NETLOG_F_TRUNC_EXE_LOADED);
	rcu_read_unlock();
	*len = path ? strlen(path) : 0;
	return path;
}

/*
 * The current task's cgroup (v2) path, in the per-CPU path buffer the exe
 * does not use, and its id; NULL for an empty path. A path too long for
 * PATH_MAX is cut at its start and flagged.
 */
static const char *cgroup_path_of(struct task_struct *t, char *buf,
				  size_t *len, u64 *id, u32 *flags)
{
	struct cgroup *cgrp;
	char *path = buf;
	int n;

	/* The css_set, and the cgroup it points to, are RCU protected. */
	rcu_read_lock();
	cgrp = task_dfl_cgroup(t);
	*id = cgroup_id(cgrp);
	if (IS_ENABLED(CONFIG_PREEMPT_RT)) {
		path = nl_cgroup_path_lockless(cgrp, buf, PATH_MAX);
		n = path ? strlen(path) : PATH_MAX;
	} else {
		n = cgroup_path(cgrp, buf, PATH_MAX);
	}
	rcu_read_unlock();

	if (n < 0)
		n = 0;
	if (n >= PATH_MAX) {
		/* Only the start is lost: the tail is what we keep anyway. */
		*flags |= NETLOG_F_TRUNC_CGROUP;
		n = path ? strnlen(path, PATH_MAX) : 0;
	}
	*len = n;
	return n ? path : NULL;
}

const char *nl_cgroup_path(size_t *len, u64 *id, u32 *flags)
{
	return cgroup_path_of(current, this_cpu_ptr(path_buf)->other, len, id,
			      flags);
}

/*
 * @t's attribution, as a record of its own would have it but for the tty,
 * read from another task in process context (it may sleep): for the
 * snapshot at load. The exe's path is read from netlog's root and flagged
 * NETLOG_F_EXE_NS as nl_exe_path() flags it: not under init's root, or a
 * task of another user namespace.
 */
void nl_task_who(struct task_struct *t, struct nl_task_who *who,
		 char *exe_buf, char *cgroup_buf)
{
	struct netlog_task *k = &who->task;
	const struct cred *cred;
	struct mm_struct *mm;
	struct file *exe = NULL;
	char *path = NULL;

	memset(k, 0, sizeof(*k));
	who->flags = 0;
	k->pid = task_tgid_nr(t);
	k->tid = task_pid_nr(t);
	rcu_read_lock();
	k->ppid = task_tgid_nr(rcu_dereference(t->real_parent));
	k->sid = pid_nr(task_session(t));
	cred = __task_cred(t);
	k->uid = nl_host_uid(cred->uid);
	k->gid = __kgid_val(cred->gid);
	k->euid = nl_host_uid(cred->euid);
	k->egid = __kgid_val(cred->egid);
	if (cred->user_ns != &init_user_ns)
		who->flags |= NETLOG_F_EXE_NS;
	who->start = READ_ONCE(t->group_leader)->start_boottime;
	rcu_read_unlock();
	k->auid = nl_host_uid(audit_get_loginuid(t));
	k->ses = audit_get_sessionid(t);
	get_task_comm(who->comm, t);

	mm = get_task_mm(t);
	if (mm) {
		rcu_read_lock();
		exe = nl_get_file_rcu(&mm->exe_file);
		rcu_read_unlock();
		mmput(mm);
	}
	if (exe) {
		path = d_path(&exe->f_path, exe_buf, PATH_MAX);
		if (IS_ERR(path)) {
			who->flags |= NETLOG_F_TRUNC_EXE;
			path = NULL;
		} else if (!path_is_under(&exe->f_path, &init_root)) {
			who->flags |= NETLOG_F_EXE_NS;
		}
		fput(exe);
	}
	who->exe = path;
	who->exe_len = path ? strlen(path) : 0;
	who->cgroup = cgroup_path_of(t, cgroup_buf, &who->cgroup_len,
				     &k->cgroup_id, &who->flags);
}

void nl_fill_task(struct netlog_task *t, u64 netns)
{
	const struct cred *cred = current_cred();

	t->pid = task_tgid_nr(current);
	t->tid = task_pid_nr(current);
	rcu_read_lock();
	t->ppid = task_tgid_nr(rcu_dereference(current->real_parent));
	t->sid = pid_nr(task_session(current));
	rcu_read_unlock();
	t->uid = nl_host_uid(cred->uid);
	t->gid = __kgid_val(cred->gid);
	t->euid = nl_host_uid(cred->euid);
	t->egid = __kgid_val(cred->egid);
	t->netns = netns;
	t->auid = nl_host_uid(audit_get_loginuid(current));
	t->ses = audit_get_sessionid(current);
}

u64 nl_task_start(void)
{
	return current->group_leader->start_boottime;
}

/*
 * The strings every record of a task's action carries, in record order:
 * comm and tty read now, exe and cgroup as the caller read them.
 */
void nl_put_who(struct netlog_strings *w, const struct nl_who *who)
{
	netlog_put_string(w, current->comm,
			  strnlen(current->comm, TASK_COMM_LEN));
	put_tty(w);
	netlog_put_string(w, who->exe, who->exe_len);
	netlog_put_string(w, who->cgroup, who->cgroup_len);
}

/* The exe and the cgroup of the current task, read now. */
void nl_who_now(struct nl_who *who, u32 *flags)
{
	who->exe = nl_exe_path(&who->exe_len, flags, false, NULL);
	who->exe_hash = 0;
	who->cgroup = nl_cgroup_path(&who->cgroup_len, &who->cgroup_id, flags);
}

/*
 * The current task's working directory, in the per-CPU path buffer; NULL
 * when it has none or the path does not fit (flagged with @trunc). Read as
 * exe_path() reads a path: by d_path(), or by the lock-free walker on
 * PREEMPT_RT (where fs->lock and fs->seq are sleeping locks), which stops
 * at the top of the directory's mount (flagged too).
 */
const char *nl_cwd_path(size_t *len, u32 *flags, u32 trunc)
{
	char *buf = this_cpu_ptr(path_buf)->other;
	const struct fs_struct *fs = current->fs;
	char *path = NULL;
	struct path pwd;

	rcu_read_lock();
	if (fs) {
		pwd.dentry = READ_ONCE(fs->pwd.dentry);
		pwd.mnt = READ_ONCE(fs->pwd.mnt);
	}
	if (fs && IS_ENABLED(CONFIG_PREEMPT_RT)) {
		bool cut = true;

		path = nl_d_path_lockless(&pwd, READ_ONCE(fs->root.dentry),
					  READ_ONCE(fs->root.mnt), buf,
					  PATH_MAX, &cut);
		if (cut)
			*flags |= trunc;
	} else if (fs) {
		path = d_path(&pwd, buf, PATH_MAX);
	}
	rcu_read_unlock();
	if (IS_ERR_OR_NULL(path)) {
		if (fs)
			*flags |= trunc;
		path = NULL;
	}
	*len = path ? strlen(path) : 0;
	return path;
}

/* The variables of ld.so(8) that make it load code the exe does not hold. */
static const char *const loader_vars[] = {
	"LD_PRELOAD=", "LD_AUDIT=", "LD_LIBRARY_PATH=",
};

#define LOADER_VAR_MAX 16	/* strlen("LD_LIBRARY_PATH=") */

/* Whether an entry of @len bytes, @head its start, is one of them. */
static bool loader_var(const char *head, size_t len)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(loader_vars); i++) {
		size_t n = strlen(loader_vars[i]);

		/* an empty value loads nothing */
		if (len > n && !memcmp(head, loader_vars[i], n))
			return true;
	}
	return false;
}

/* Appends @n bytes to an env string; false once it is full (and flagged). */
static bool env_put(char *buf, size_t *used, const char *s, size_t n,
		    u32 *flags)
{
	size_t room = NETLOG_ENV_MAX - *used;

	memcpy(buf + *used, s, min(n, room));
	if (n <= room) {
		*used += n;
		return true;
	}
	*used = NETLOG_ENV_MAX;
	*flags |= NETLOG_F_TRUNC_ENV;
	return false;
}

/*
 * Whether the program the current task has just exec'd was started with a
 * loader variable, read from its environment (which exec has just written:
 * its pages are present). Every entry is looked at, however large the
 * environment: nothing can hide one behind others. Those entries, each
 * with its NUL, go to @buf (if not NULL: at most NETLOG_ENV_MAX bytes,
 * NETLOG_F_TRUNC_ENV when cut). An environment that cannot be read counts
 * as one that has them (and is flagged cut).
 */
bool nl_loader_env(char *buf, size_t *used, u32 *flags)
{
	const struct mm_struct *mm = current->mm;
	unsigned long at = mm ? mm->env_start : 0;
	unsigned long end = mm ? mm->env_end : 0;
	char head[LOADER_VAR_MAX], chunk[128];
	size_t len = 0;		/* of the current entry so far */
	bool found = false, copying = false;

	if (buf)
		*used = 0;
	while (at < end) {
		size_t n = min_t(size_t, end - at, sizeof(chunk)), i;

		if (copy_from_user_nofault(chunk, (const void __user *)at, n)) {
			*flags |= NETLOG_F_TRUNC_ENV;
			return true;
		}
		at += n;
		for (i = 0; i < n; i++) {
			char c = chunk[i];

			if (len < LOADER_VAR_MAX)
				head[len] = c;
			len++;
			if (len == LOADER_VAR_MAX || (!c && len < LOADER_VAR_MAX)) {
				/* at its bound with more to come: longer */
				copying = loader_var(head, c ? len + 1 : len - 1);
				found |= copying;
				if (copying && buf)
					copying = env_put(buf, used, head, len,
							  flags);
			} else if (copying && buf) {
				copying = env_put(buf, used, &c, 1, flags);
			}
			if (!c) {
				len = 0;
				copying = false;
			}
		}
	}
	return found;
}

/*
 * The uid whose share of the ring the current task's records use: its own,
 * as the initial namespace sees it; for a task of another user namespace,
 * the uid that owns the outermost one, the user who made it (a rootless
 * container's 65,536 subordinate uids are their user's one share). A
 * namespace root made keeps its tasks' own uids: root's share is root's.
 */
u32 nl_charge_uid(void)
{
	const struct cred *cred = current_cred();
	const struct user_namespace *ns = cred->user_ns;

	if (ns == &init_user_ns)
		return nl_host_uid(cred->uid);
	while (ns->parent != &init_user_ns)
		ns = ns->parent;
	return uid_eq(ns->owner, GLOBAL_ROOT_UID) ? nl_host_uid(cred->uid) :
						   nl_host_uid(ns->owner);
}

/* The inode number of the current task's network namespace. */
u64 nl_own_netns(void)
{
	return current->nsproxy ? current->nsproxy->net_ns->ns.inum : 0;
}

/*
 * A configuration value as a NETLOG_REC_CONFIG carries it: itself when it
 * fits, else its fingerprint, written to @fp. FNV-1a is an identifier for
 * telling rule sets apart in the trail, not a seal.
 */
const char *netlog_config_value(const char *s, size_t *len,
				unsigned int entries, char *fp, size_t fp_size)
{
	u64 h = 0xcbf29ce484222325ULL;
	size_t i;

	if (*len <= NETLOG_VALUE_MAX)
		return s;
	for (i = 0; i < *len; i++)
		h = (h ^ (u8)s[i]) * 0x100000001b3ULL;
	*len = scnprintf(fp, fp_size, "fnv1a64:%016llx entries=%u bytes=%zu",
			 h, entries, *len);
	return fp;
}

/* Config records are rare and made in process context: one buffer. */
static DEFINE_MUTEX(config_lock);
static union {
	struct netlog_config config;
	u8 bytes[NETLOG_CONFIG_MAX_LEN];
} config_buf;

static int emit_config(const char *param, const char *old, size_t old_len,
		       const char *new, size_t new_len, u32 flags)
{
	struct netlog_config *r = &config_buf.config;
	struct netlog_strings w;
	struct nl_who who;
	int ret;

	if (!path_buf)	/* a parameter set by insmod: the load record says it */
		return 0;
	mutex_lock(&config_lock);
	memset(r, 0, sizeof(*r));
	r->hdr.type = NETLOG_REC_CONFIG;
	r->flags = flags;
	strscpy_pad(r->param, param, sizeof(r->param));
	preempt_disable();
	nl_who_now(&who, &r->flags);
	nl_fill_task(&r->task, nl_own_netns());
	r->task.cgroup_id = who.cgroup_id;
	r->hdr.uid = nl_charge_uid();

	netlog_strings_start(&w, &r->hdr, &r->flags, r + 1);
	nl_put_who(&w, &who);
	netlog_put_string(&w, old, old_len);
	netlog_put_string(&w, new, new_len);
	netlog_put_le64(&w, nl_task_start());
	netlog_strings_end(&w);

	ret = secure_log_submit(&r->hdr);
	preempt_enable();
	mutex_unlock(&config_lock);
	return ret;
}

/*
 * A change of configuration by the current task (a sysfs write, insmod,
 * rmmod), in process context. The values are in canonical form, at most
 * NETLOG_VALUE_MAX bytes (the caller fingerprints longer ones). Preemption
 * is off while the per-CPU path buffer is in use, as in a probe.
 */
int netlog_emit_config(const char *param, const char *old, size_t old_len,
		       const char *new, size_t new_len)
{
	return emit_config(param, old, old_len, new, new_len, 0);
}

/*
 * Whether the current task may change @param to @new now: not once the
 * modules are locked (secure_log_locked()), when the attempt is a config
 * record flagged NETLOG_F_REFUSED, its reason in @why (if set) and the
 * answer -EPERM. At load (before nl_attr_init()) the parameters are
 * the load's own, and taken.
 */
int netlog_may_change(const char *param, const char *new, size_t len,
		      char *why, size_t size)
{
	char fp[NETLOG_FP_SIZE];

	if (!path_buf || !secure_log_locked())
		return 0;
	while (len && new[len - 1] == '\n')
		len--;
	new = netlog_config_value(new, &len, 0, fp, sizeof(fp));
	emit_config(param, NULL, 0, new, len, NETLOG_F_REFUSED);
	pr_warn_ratelimited("%s: locked until reboot; unchanged\n", param);
	if (why)
		scnprintf(why, size, "%s: locked until reboot (netlogctl lock)",
			  param);
	return -EPERM;
}

/* The lock's record (secure_log_ctl's locked), by the task that locked. */
void netlog_emit_locked(void)
{
	netlog_emit_config("lock", "N", 1, "Y", 1);
}

/*
 * The load or unload record of a module, with @state (what it records from
 * then on, or did) as the new or the old value.
 */
void netlog_emit_lifecycle(bool loading, const char *state, size_t len)
{
	if (loading)
		netlog_emit_config("load", NULL, 0, state, len);
	else
		netlog_emit_config("unload", state, len, NULL, 0);
}

/* One MISSED record: @n calls of @hook left no record. */
void netlog_emit_missed(const char *hook, unsigned long n)
{
	struct netlog_missed r = {
		.hdr.type = NETLOG_REC_MISSED,
		.hdr.len = sizeof(r),
		.hdr.uid = NETLOG_UID_NONE,
		.count = n,
	};

	strscpy_pad(r.hook, hook, sizeof(r.hook));
	secure_log_submit(&r.hdr);
}
