/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NETLOG_CTL_H
#define _NETLOG_CTL_H

#include "../include/secure_log.h"

/* The stats parameter's page: @walk's rows as text lines. */
int nl_stats_show(int (*walk)(struct secure_log_stats *s), char *buf);

#endif /* _NETLOG_CTL_H */
