/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NETLOG_ATTR_H
#define _NETLOG_ATTR_H

#include <linux/sched.h>
#include <linux/types.h>
#include <linux/uidgid.h>

#include "../uapi/netlog.h"
#include "rec_strings.h"

struct file;
struct dentry;
struct vfsmount;
struct path;
struct cgroup;

/*
 * The exe of a task past exit_mm(), and the root it resolved paths from:
 * the root is compared, never followed, so it needs no reference.
 */
struct netlog_exe {
	struct file *file;	/* a reference, dropped by the table's owner */
	const struct dentry *root;
	const struct vfsmount *root_mnt;
	bool host;		/* host_view() held */
	u32 marks;		/* the mm's marks (exe_set.c) */
	struct file *loaded;	/* its exe before that: a reference, or NULL */
};

/*
 * A uid as the initial user namespace sees it, which is the kernel's own
 * value: init_user_ns maps every id to itself (what from_kuid() would
 * walk its extents to find), and INVALID_UID (an unset login uid) stays
 * (u32)-1, which is also what from_kuid() says for it. A task's
 * credentials are never INVALID_UID. Gids likewise (__kgid_val()).
 */
static inline u32 nl_host_uid(kuid_t uid)
{
	return __kuid_val(uid);
}

int nl_attr_init(void);
void nl_attr_exit(void);
bool netlog_exe_keep(struct netlog_exe *e);
const char *nl_exe_path(size_t *len, u32 *flags, bool lockless,
			const struct netlog_exe *kept);
const char *nl_exe_loaded_path(const struct file *loaded, size_t *len,
			       u32 *flags, bool lockless,
			       const struct netlog_exe *kept);
const char *nl_cwd_path(size_t *len, u32 *flags, u32 trunc);
bool nl_loader_env(char *buf, size_t *used, u32 *flags);
void nl_fill_task(struct netlog_task *t, u64 netns);

/*
 * When the current process started (CLOCK_BOOTTIME, ns): its thread group
 * leader's, which exec keeps (de_thread() copies it to a new leader). The
 * START string of every record of a task's action.
 */
u64 nl_task_start(void);
bool nl_host_view(void);
u64 nl_own_netns(void);
u32 nl_charge_uid(void);

/* What a record says of the acting task's exe and cgroup. */
struct nl_who {
	const char *exe;	/* NULL: none */
	size_t exe_len;
	u32 exe_hash;		/* nlwl_hash() of exe, or 0: not known */
	u8 standing;		/* enum nlwl_standing of exe, if known */
	const char *cgroup;	/* NULL: not read yet, or empty */
	size_t cgroup_len;
	u64 cgroup_id;
};

const char *nl_cgroup_path(size_t *len, u64 *id, u32 *flags);

/* Another task's attribution (nl_task_who()): all but its tty. */
struct nl_task_who {
	struct netlog_task task;	/* netns 0: the caller's to set */
	u32 flags;			/* NETLOG_F_EXE_NS, NETLOG_F_TRUNC_* */
	u64 start;			/* nl_task_start()'s, of @t */
	char comm[TASK_COMM_LEN];
	const char *exe, *cgroup;	/* in the caller's buffers, or NULL */
	size_t exe_len, cgroup_len;
};

void nl_task_who(struct task_struct *t, struct nl_task_who *who,
		 char *exe_buf, char *cgroup_buf);
void nl_who_now(struct nl_who *who, u32 *flags);
void nl_put_who(struct netlog_strings *w, const struct nl_who *who);

int netlog_emit_config(const char *param, const char *old, size_t old_len,
		       const char *new, size_t new_len);
void netlog_emit_lifecycle(bool loading, const char *state, size_t len);
void netlog_emit_missed(const char *hook, unsigned long n);
int netlog_may_change(const char *param, const char *new, size_t len,
		      char *why, size_t size);
void netlog_emit_locked(void);
#define NETLOG_FP_SIZE 80
const char *netlog_config_value(const char *s, size_t *len,
				unsigned int entries, char *fp, size_t fp_size);

/* lockless.c */
long nl_copy_str_nofault(char *buf, unsigned long src, size_t size, bool user);
size_t nl_tty_name_lockless(char *buf, size_t size);
char *nl_d_path_lockless(const struct path *path, const struct dentry *root,
			 const struct vfsmount *root_mnt, char *buf, int size,
			 bool *cut);
char *nl_cgroup_path_lockless(struct cgroup *cgrp, char *buf, int size);

#endif /* _NETLOG_ATTR_H */
