/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NETLOG_CTL_H
#define _NETLOG_CTL_H

#include "../include/secure_log.h"

#include <linux/moduleparam.h>

/*
 * A module's read-only stats parameter: its page is the rows of the walk
 * that @arg points to, as text lines.
 */
extern const struct kernel_param_ops nl_stats_ops;

#endif /* _NETLOG_CTL_H */
