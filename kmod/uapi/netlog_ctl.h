/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * netlog control ABI: the generic netlink family "netlog".
 *
 * secure_log.ko registers the family; netlog.ko and execlog.ko join it as
 * "modules" while they are loaded. The family exists in the initial network
 * namespace only. Every command needs CAP_NET_ADMIN (GENL_ADMIN_PERM), and
 * the ones that change state need CAP_SYS_ADMIN as well: the module
 * parameters they mirror are root's alone. Attributes are validated
 * strictly; an unknown one is an error.
 *
 * A change made here is the same operation as a write to the module's
 * parameter: all or nothing, and one config record in the stream.
 *
 * COMMANDS (request attributes -> reply attributes)
 *   STATUS             -> VERSION, ABI_MAJOR, ABI_MINOR, RING_CAPACITY,
 *                         RING_USED, RING_PRODUCED, RING_LOST, READERS,
 *                         MODULE nests of { NAME, PROBES, PROBES_ALL,
 *                         WHITELIST_RULES, PROBES_DEFAULT }
 *   STATS   MODNAME    -> STAT nests of { STAT_KIND, STAT_NAME, VALUE
 *                         nests of { VALUE_KEY, VALUE_U64, VALUE_GAUGE } }
 *   WHITELIST_GET MODNAME -> WHITELIST (the rules, one per line)
 *   WHITELIST_SET MODNAME WHITELIST -> nothing; on a refused rule, the
 *                         reply ERROR names it, then the ack is -EINVAL
 *   PROBES_GET MODNAME -> PROBES, PROBES_ALL, PROBE_NAME (one per bit,
 *                         in bit order), PROBES_DEFAULT
 *   PROBES_SET MODNAME PROBES -> nothing, or ERROR and -EINVAL
 *
 * Commands and attributes are only ever appended; NETLOG_GENL_VERSION
 * counts incompatible changes.
 */
#ifndef _UAPI_NETLOG_CTL_H
#define _UAPI_NETLOG_CTL_H

#define NETLOG_GENL_NAME "netlog"
#define NETLOG_GENL_VERSION 1

enum netlog_cmd {
	NETLOG_CMD_UNSPEC,
	NETLOG_CMD_STATUS,
	NETLOG_CMD_STATS,
	NETLOG_CMD_WHITELIST_GET,
	NETLOG_CMD_WHITELIST_SET,
	NETLOG_CMD_PROBES_GET,
	NETLOG_CMD_PROBES_SET,
	NETLOG_CMD_LOCK,		/* pin the modules, refuse every change */
	__NETLOG_CMD_MAX,
};

#define NETLOG_CMD_MAX (__NETLOG_CMD_MAX - 1)

enum netlog_attr {
	NETLOG_A_UNSPEC,
	NETLOG_A_PAD,
	NETLOG_A_MODNAME,		/* string: "netlog", "execlog" */
	NETLOG_A_VERSION,		/* string: the modules' version */
	NETLOG_A_ABI_MAJOR,		/* u32: the record ABI */
	NETLOG_A_ABI_MINOR,		/* u32 */
	NETLOG_A_RING_CAPACITY,		/* u64: bytes */
	NETLOG_A_RING_USED,		/* u64: bytes not yet read */
	NETLOG_A_RING_PRODUCED,		/* u64: records ever produced */
	NETLOG_A_RING_LOST,		/* u64: of those, dropped (ring full) */
	NETLOG_A_READERS,		/* u32: opens of /dev/secure_log */
	NETLOG_A_MODULE,		/* nest, one per loaded module */
	NETLOG_A_PROBES,		/* u64: mask of probes on */
	NETLOG_A_PROBES_ALL,		/* u64: mask of every probe */
	NETLOG_A_PROBE_NAME,		/* string, one per probe, in bit order */
	NETLOG_A_WHITELIST,		/* string: rules, one per line */
	NETLOG_A_WHITELIST_RULES,	/* u32: how many */
	NETLOG_A_ERROR,			/* string: why a change was refused */
	NETLOG_A_STAT,			/* nest: one row of counters */
	NETLOG_A_STAT_KIND,		/* string: "probe", "hook", "table" */
	NETLOG_A_STAT_NAME,		/* string: which one */
	NETLOG_A_VALUE,			/* nest: one counter of the row */
	NETLOG_A_VALUE_KEY,		/* string: "hits", "emitted", ... */
	NETLOG_A_VALUE_U64,		/* u64 */
	NETLOG_A_VALUE_GAUGE,		/* flag: a level, not a count */
	NETLOG_A_LOCKED,		/* flag: locked until reboot */
	NETLOG_A_PROBES_DEFAULT,	/* u64: mask of the probes on at load */
	__NETLOG_A_MAX,
};

#define NETLOG_A_MAX (__NETLOG_A_MAX - 1)

/* The longest whitelist text a WHITELIST_SET takes (NUL included). */
#define NETLOG_CTL_WHITELIST_MAX 65536

#endif /* _UAPI_NETLOG_CTL_H */
