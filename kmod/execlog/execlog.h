/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _EXECLOG_H
#define _EXECLOG_H

#include <linux/types.h>

#include "../core/attr.h"
#include "../core/table.h"
#include "../core/whitelist.h"

struct execlog_counters {
	u64 emitted;		/* records accepted by secure_log */
	u64 dropped;		/* lost to a full ring (also in-stream) */
	u64 filtered;		/* matched the whitelist */
	u64 no_comm_before;	/* recorded without comm_before */
	u64 starting;		/* execs in progress (sum: now) */
};

int execlog_exec_init(void);
void execlog_exec_exit(void);
/* The probes, one bit each of the probes parameter. */
#define EXECLOG_P_EXEC 0x1UL	/* successful execs */
#define EXECLOG_P_FAILED 0x2UL	/* failed execs, and everyone's comm_before */
#define EXECLOG_P_ALL (EXECLOG_P_EXEC | EXECLOG_P_FAILED)

int execlog_hooks_set(unsigned long mask);
void execlog_stats(struct execlog_counters *sum);
struct secure_log_stats;
int execlog_hooks_stats(struct secure_log_stats *s);
bool execlog_whitelisted(const char *exe, size_t exe_len, u32 uid,
			 bool preload);

#endif /* _EXECLOG_H */
