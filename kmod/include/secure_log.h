/* SPDX-License-Identifier: GPL-2.0 */
/*
 * secure_log producer API, for modules that write into /dev/secure_log.
 */
#ifndef _SECURE_LOG_H
#define _SECURE_LOG_H

#include "../uapi/netlog.h"

/*
 * Append one record to the ring. The caller fills hdr.type, hdr.len, hdr.uid
 * (whose share of the ring it uses, NETLOG_UID_NONE for none) and the body;
 * secure_log stamps the ABI version, sequence number, times and CPU.
 * Never sleeps and never waits for the reader, so it may be called from any
 * context, kprobe handlers included. Returns 0, -ENOSPC when the record was
 * dropped because the ring was full (it is counted and reported in-stream as
 * a NETLOG_REC_LOST record), or -EINVAL for a malformed length.
 */
int secure_log_submit(struct netlog_hdr *rec);

#endif /* _SECURE_LOG_H */
