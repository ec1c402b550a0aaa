// SPDX-License-Identifier: GPL-2.0
/*
 * Attribution that takes no lock, for kernels where a spinlock sleeps
 * (PREEMPT_RT). Probe handlers run with preemption disabled, so there
 * get_current_tty() (siglock), cgroup_path() (kernfs_rename_lock) and the
 * retry path of d_path() (rename_lock, mount_lock) would sleep in atomic
 * context. These readers work under RCU and nofault copies instead, and
 * say when what they return may be incomplete.
 */
#include <linux/cgroup.h>
#include <linux/dcache.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/path.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/seqlock.h>
#include <linux/string.h>
#include <linux/tty.h>
#include <linux/uaccess.h>

#include "../compat/compat.h"
#include "attr.h"

/*
 * A NUL-terminated string at @src (a user address if @user, else a kernel
 * one that may have been freed), copied into @buf without faulting or
 * waiting for a page: in pieces of at most 128 bytes that stop at a page's
 * end, so that a string near the end of a mapping reads nothing past it.
 * Returns its length; -ENAMETOOLONG when @size bytes held no NUL (they are
 * in @buf), or -EFAULT. (strncpy_from_user_nofault() is not exported.)
 */
long nl_copy_str_nofault(char *buf, unsigned long src, size_t size, bool user)
{
	size_t done = 0;

	while (done < size) {
		unsigned long at = src + done;
		size_t chunk = min3(size - done, (size_t)128,
				    (size_t)(PAGE_SIZE - offset_in_page(at)));
		const char *nul;
		long err;

		if (user)
			err = copy_from_user_nofault(buf + done,
						     (const void __user *)at,
						     chunk);
		else
			err = copy_from_kernel_nofault(buf + done,
						       (const void *)at, chunk);
		if (err)
			return -EFAULT;
		nul = memchr(buf + done, '\0', chunk);
		if (nul)
			return nul - buf;
		done += chunk;
	}
	return -ENAMETOOLONG;
}

/*
 * The controlling tty's name. The tty may be hung up and freed under us
 * (it is not RCU-freed), hence the nofault copy: at worst a stale name,
 * never a fault. Returns the length, 0 for none.
 */
size_t nl_tty_name_lockless(char *buf, size_t size)
{
	struct tty_struct *tty = READ_ONCE(current->signal->tty);
	long n;

	if (!tty)
		return 0;
	n = nl_copy_str_nofault(buf, (unsigned long)tty->name,
				min(size, sizeof(tty->name)), false);
	return n > 0 ? n : 0;
}

/* Puts @len bytes (stopping early at a NUL) before @p; NULL if no room. */
static char *prepend(char *p, const char *start, const char *name, u32 len)
{
	u32 n = strnlen(name, len);

	if (p - start < n + 1)
		return NULL;
	p -= n;
	memcpy(p, name, n);
	*--p = '/';
	return p;
}

/*
 * The path of @path from @root on @root_mnt (NULL: the walk ends at the
 * file's mount root, cut), like d_path() (" (deleted)" too), built at the
 * end of @buf. The
 * roots are compared, never followed. The dentry walk is validated by
 * rename_lock's sequence count and retried a few times, without ever
 * taking the lock. The mount tree is private to fs/, so for a file on a
 * mount other than the root's the result is the path inside that mount:
 * the tail of the real path, flagged as cut like any other tail (*@cut).
 * NULL when the walk never got a stable view or the path does not fit.
 */
char *nl_d_path_lockless(const struct path *path, const struct dentry *root,
			 const struct vfsmount *root_mnt, char *buf, int size,
			 bool *cut)
{
	const seqcount_t *rename_seq = &rename_lock.seqcount.seqcount;
	int tries;

	for (tries = 0; tries < 4; tries++) {
		const struct dentry *d = path->dentry;
		char *p = buf + size;
		unsigned int seq;

		seq = raw_read_seqcount(rename_seq);
		if (seq & 1)
			continue;
		*--p = '\0';
		if (d_unlinked(path->dentry)) {	/* as d_path() says it */
			p -= sizeof(" (deleted)") - 1;
			memcpy(p, " (deleted)", sizeof(" (deleted)") - 1);
		}
		rcu_read_lock();
		while (p && d != root && d != path->mnt->mnt_root &&
		       !IS_ROOT(d)) {
			/* pairs with the release that publishes a new name */
			const char *name = smp_load_acquire(&d->d_name.name);

			p = prepend(p, buf, name, READ_ONCE(d->d_name.len));
			d = READ_ONCE(d->d_parent);
		}
		rcu_read_unlock();
		if (!p)
			return NULL;
		if (read_seqcount_retry(rename_seq, seq))
			continue;
		if (!*p)
			*--p = '/';
		*cut = path->mnt != root_mnt || d != root;
		return p;
	}
	return NULL;
}

/*
 * A cgroup's path from the root of its hierarchy, like cgroup_path(),
 * built at the end of @buf. A cgroup never moves to another parent, and
 * the caller's RCU read side keeps its ancestors; a name renamed under us
 * may be freed (not RCU-freed), so it is copied by a nofault read. NULL
 * when the path does not fit.
 */
char *nl_cgroup_path_lockless(struct cgroup *cgrp, char *buf, int size)
{
	struct kernfs_node *kn = cgrp->kn;
	char *p = buf + size;
	char name[NAME_MAX + 1];

	*--p = '\0';
	for (; p && nl_kn_parent(kn); kn = nl_kn_parent(kn)) {
		long n = nl_copy_str_nofault(name,
					     (unsigned long)nl_kn_name(kn),
					     sizeof(name), false);

		p = n >= 0 ? prepend(p, buf, name, n) : NULL;
	}
	if (p && !*p)
		*--p = '/';
	return p;
}
