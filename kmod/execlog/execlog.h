/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _EXECLOG_H
#define _EXECLOG_H

#include <linux/types.h>

#include "../core/attr.h"
#include "../core/hooks.h"
#include "../core/table.h"
#include "../core/whitelist.h"

struct execlog_counters {
	u64 emitted;		/* records accepted by secure_log */
	u64 dropped;		/* lost to a full ring (also in-stream) */
	u64 filtered;		/* matched the whitelist */
	u64 no_comm_before;	/* recorded without comm_before */
	u64 starting;		/* execs in progress (sum: now) */
};

/* The probes, one bit each of the probes parameter. */
#define EXECLOG_P_EXEC 0x1UL	/* successful execs */
#define EXECLOG_P_FAILED 0x2UL	/* failed execs, and everyone's comm_before */
#define EXECLOG_P_DEFAULT (EXECLOG_P_EXEC | EXECLOG_P_FAILED)	/* at load */
#define EXECLOG_PROBE_COUNT 2

extern const char *const execlog_probe_names[EXECLOG_PROBE_COUNT];
/* The hooks and the probe mask (exec.c). */
extern struct nl_hooks execlog_hooks;

/* The records' buffers and tables, then the hooks; exit mirrors it. */
int execlog_exec_init(void);
void execlog_exec_exit(void);
void execlog_stats(struct execlog_counters *sum);
bool execlog_whitelisted(const char *exe, size_t exe_len, u32 uid,
			 bool preload);

#endif /* _EXECLOG_H */
