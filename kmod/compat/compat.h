/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where netlog adapts to the kernel it is built for. The code
 * is written against the newest API; older kernels get a definition here,
 * chosen by a feature test (conftest.sh) rather than a version check.
 */
#ifndef _NETLOG_COMPAT_H
#define _NETLOG_COMPAT_H

#include <linux/fs.h>
#include <linux/ftrace.h>
#include <linux/kernfs.h>
#include <linux/ptrace.h>
#include <linux/rcupdate.h>

#include "compat_features.h"

/*
 * A kernfs node's parent and name, read without kernfs_rename_lock (a
 * sleeping lock on PREEMPT_RT). Callers hold rcu_read_lock() and walk only
 * cgroup nodes, which never move to another parent; a name read under a
 * racing rename may be stale, so they copy it with a nofault read.
 */
#ifdef HAVE_KERNFS_PLAIN_PARENT
static inline struct kernfs_node *nl_kn_parent(struct kernfs_node *kn)
{
	return READ_ONCE(kn->parent);
}

static inline const char *nl_kn_name(struct kernfs_node *kn)
{
	return READ_ONCE(kn->name);
}
#else
static inline struct kernfs_node *nl_kn_parent(struct kernfs_node *kn)
{
	return rcu_dereference(kn->__parent);
}

static inline const char *nl_kn_name(struct kernfs_node *kn)
{
	return rcu_dereference(kn->name);
}
#endif

/*
 * A reference to the file *@fp points to, taken under rcu_read_lock(), or
 * NULL when there is none. A plain get_file() there is wrong: the last
 * reference may be dropped at any moment (a PR_SET_MM exe change by
 * another task of the mm), and since 6.7 the memory of a freed file may
 * already be another file's.
 */
static inline struct file *nl_get_file_rcu(struct file __rcu **fp)
{
#ifdef HAVE_GET_FILE_RCU_PTR
	return get_file_rcu(fp);
#else
	struct file *f;

	/*
	 * A file whose last reference goes has left *@fp first (the exe is
	 * replaced, then put): read the pointer again, as get_file_rcu()
	 * does since 6.7. Giving up would lose the exe of a task that races
	 * an exe switch.
	 */
	for (;;) {
		f = rcu_dereference(*fp);
		if (!f || get_file_rcu(f))
			return f;
		cpu_relax();
	}
#endif
}

/*
 * Argument @n of the function an ftrace_ops callback was called for (the
 * ops saves no registers beyond the arguments).
 */
static __always_inline unsigned long nl_ftrace_arg(struct ftrace_regs *fregs,
						   unsigned int n)
{
#ifdef HAVE_FTRACE_REGS_GET_ARGUMENT
	return ftrace_regs_get_argument(fregs, n);
#else
	return regs_get_kernel_argument(&fregs->regs, n);
#endif
}

#endif /* _NETLOG_COMPAT_H */
