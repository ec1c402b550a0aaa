/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NETLOG_H
#define _NETLOG_H

#include <linux/sched.h>
#include <linux/socket.h>
#include <linux/types.h>
#include <net/sock.h>

#include "../uapi/netlog.h"

/* Per-probe counters, per CPU; summed when read. */
struct netlog_counters {
	u64 hits;	/* return handler ran for an event we record */
	u64 emitted;	/* record accepted by secure_log */
	u64 dropped;	/* record lost to a full ring (also in-stream) */
	u64 filtered;	/* matched the whitelist, not recorded */
};

/* netlog_emit_sock(): the event matched the whitelist. */
#define NETLOG_FILTERED 1

/* Who called connect, carried to the connect_done record. */
struct netlog_caller {
	struct netlog_task task;
	char comm[TASK_COMM_LEN];
};

/*
 * The exe of a task past exit_mm(), and the root it resolved paths from:
 * the root is compared, never followed, so it needs no reference.
 */
struct netlog_exe {
	struct file *file;	/* a reference, dropped by the table's owner */
	const struct dentry *root;
	const struct vfsmount *root_mnt;
	bool host;		/* host_view() held */
};

/*
 * One socket action as seen by a probe. @local and @peer, when set, are
 * addresses the caller passed (bind, connect) and win over the socket's own;
 * @no_peer leaves the remote endpoint empty (bind, listen).
 */
struct netlog_sock_event {
	u16 event;
	int result;
	u32 flags;
	struct sock *sk;
	const struct sockaddr *local;
	int local_len;
	const struct sockaddr *peer;
	int peer_len;
	bool no_peer;
	/*
	 * A spinlock is held (accept: the socket's callback lock, BH off):
	 * the exe path is read without locks, as on PREEMPT_RT.
	 */
	bool locked;
	/* when set, filled with the caller unless the whitelist silenced it */
	struct netlog_caller *save;
	/* an exiting task's exe, kept from before its mm went (probes.c) */
	const struct netlog_exe *exe;
};

struct cgroup;
struct path;
size_t nl_tty_name_lockless(char *buf, size_t size);
char *nl_d_path_lockless(const struct path *path, const struct dentry *root,
			 const struct vfsmount *root_mnt, char *buf, int size,
			 bool *cut);
char *nl_cgroup_path_lockless(struct cgroup *cgrp, char *buf, int size);

bool netlog_exe_keep(struct netlog_exe *e);
int netlog_record_init(void);
void netlog_record_exit(void);
int netlog_emit_sock(const struct netlog_sock_event *ev);
int netlog_emit_config(const char *param, const char *old, size_t old_len,
		       const char *new, size_t new_len);
#define NETLOG_FP_SIZE 80
const char *netlog_config_value(const char *s, size_t *len,
				unsigned int entries, char *fp, size_t fp_size);
unsigned long netlog_probes_mask(void);
unsigned int netlog_whitelist_count(void);
int netlog_emit_done(const struct sock *sk, int result,
		     const struct netlog_caller *caller);
void netlog_sock_proto(const struct sock *sk, u8 *proto, u32 *flags);

struct sock *netlog_sctp_assoc(const void *assoc, const struct sockaddr **peer,
			       int *peer_len);

int netlog_send_init(void);
void netlog_send_exit(void);
void netlog_send_forget(void);
bool netlog_send_first(const struct sock *sk, const struct sockaddr *to,
		       int len);

/* table.c: a fixed table from a kernel pointer to a value */
struct nl_table {
	void *slots;
	size_t value_size;
	size_t entry_size;
	raw_spinlock_t lock;
	atomic_t used;
	atomic_long_t overflow;	/* puts that found their bucket full */
};

int nl_table_init(struct nl_table *t, size_t value_size);
void nl_table_exit(struct nl_table *t);
bool nl_table_put(struct nl_table *t, const void *key, const void *value);
bool nl_table_get(struct nl_table *t, const void *key, void *value, bool take);
void nl_table_clear(struct nl_table *t, void (*drop)(void *value));

bool netlog_whitelisted(const char *exe, size_t exe_len,
			const struct netlog_sock *r);
void netlog_whitelist_exit(void);

int netlog_probes_init(void);
void netlog_probes_exit(void);

#endif /* _NETLOG_H */
