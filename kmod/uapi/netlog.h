/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * netlog record ABI: the byte stream read from /dev/secure_log.
 *
 * This header is the only definition of the stream. The kernel modules
 * (secure_log.ko, netlog.ko, execlog.ko) and the userspace reader include
 * it as is.
 *
 * STREAM
 *   read(2) on /dev/secure_log returns zero or more whole records, back to
 *   back. A record is never split across reads. All integers are
 *   little-endian, all records start on an 8-byte boundary and their total
 *   length is a multiple of 8. A captured stream (netlog-reader --raw) is
 *   the same bytes concatenated.
 *
 * COMMON HEADER (struct netlog_hdr, 40 bytes)
 *   off size field
 *     0    1 abi_major   NETLOG_ABI_MAJOR; a reader refuses another major
 *     1    1 abi_minor   NETLOG_ABI_MINOR; additive changes only
 *     2    2 type        enum netlog_rec_type
 *     4    4 len         total record length in bytes, header included,
 *                        multiple of 8, at most NETLOG_REC_MAX (8192;
 *                        2048 before minor 2, whose EXEC records are the
 *                        first longer than that)
 *     8    8 seq         global sequence number, starts at 0 when
 *                        secure_log loads, one per produced record
 *    16    8 boot_ns     CLOCK_BOOTTIME in ns when the record was produced
 *    24    8 real_ns     CLOCK_REALTIME in ns at the same moment
 *    32    4 cpu         CPU that produced the record
 *    36    4 uid         minor 1: the uid whose share of the ring the
 *                        record used (the acting task's, from the initial
 *                        user namespace; from minor 4, for a task of
 *                        another user namespace, the uid that owns the
 *                        outermost one, unless that is root), or
 *                        NETLOG_UID_NONE: a record of the kernel's own
 *                        (LOST, MISSED); or NETLOG_UID_UNTRACKED (minor
 *                        4; NETLOG_UID_NONE before): of a uid the ring
 *                        could not track (see FAIR LOSS); minor 0: 0
 *
 * SEQUENCE NUMBERS AND LOSS
 *   Every record a producer submits consumes one sequence number, whether
 *   it is delivered or dropped because the ring was full. Dropped records
 *   are replaced in the stream by one NETLOG_REC_LOST record whose header
 *   seq is the first dropped number and whose body gives the range. So
 *   a reader sees contiguous numbers, and delivered + lost == produced.
 *
 * FAIR LOSS (minor 1)
 *   No uid may hold more than its share of the ring (secure_log's
 *   uid_share, half by default), and a uid that holds an eighth of it
 *   may not use the last eighth: a uid that floods loses its own records
 *   first, and others at an ordinary rate keep theirs. The uids the ring
 *   cannot track at once share one more share (minor 4), so that many
 *   uids together are held like one.
 *
 * NETLOG_REC_LOST (struct netlog_lost, 64 bytes; 136 from minor 1)
 *    40    8 count       records dropped
 *    48    8 first_seq   first dropped sequence number (== hdr.seq)
 *    56    8 last_seq    last dropped; last_seq - first_seq + 1 == count
 *   minor 1 (struct netlog_lost_uids, when len is 136):
 *    64   64 by_uid      NETLOG_LOST_UIDS of { __u32 uid, __u32 zero,
 *                        __u64 count }: the uids with the most drops,
 *                        most first; unused ones have count 0
 *   128    8 other       drops of all other uids and of the kernel;
 *                        the counts of by_uid and other sum to count
 *
 * NETLOG_REC_MISSED (struct netlog_missed, 80 bytes), minor 1
 *   Calls that a probe saw start but could not follow, so that they left no
 *   record: a return probe out of instances, a probe hit while another
 *   handler ran on that CPU, or a connect_done whose caller could not be
 *   remembered. Emitted within about a second of the miss.
 *    40    8 count       calls missed since the previous MISSED record of
 *                        this hook
 *    48   32 hook        the hook's name, NUL padded
 *
 * NETLOG_REC_CONFIG (struct netlog_config + strings), minor 1
 *   A change of netlog's configuration, and who made it.
 *    40    4 flags       NETLOG_F_TRUNC_* and NETLOG_F_EXE_NS, as below
 *    44    4 reserved    zero
 *    48   56 task        struct netlog_task (the writer; netns is its own)
 *   104   32 param       "whitelist", "probes", "load", "unload", NUL padded
 *   136    . strings     comm, tty, exe, cgroup (as below), then old and new:
 *                        the value before and after, in the parameter's
 *                        canonical form. A value longer than
 *                        NETLOG_VALUE_MAX is given as its fingerprint,
 *                        "fnv1a64:<16 hex> entries=<n> bytes=<n>" (an
 *                        identifier, not a cryptographic hash); the whole
 *                        value is readable in sysfs.
 *
 * NETLOG_REC_SOCK (struct netlog_sock + strings)
 *   One socket action (enum netlog_event) by one task.
 *    40    2 event       enum netlog_event
 *    42    1 proto       the IP protocol number: IPPROTO_TCP (6), UDP (17),
 *                        UDPLITE (136), ICMP (1), ICMPV6 (58), SCTP (132);
 *                        MPTCP is 6 with NETLOG_F_MPTCP, and a raw socket
 *                        carries its protocol with NETLOG_F_RAW
 *    43    1 family      4 or 6; IPv4-mapped IPv6 is reported as 4
 *    44    4 result      0 or a negative errno returned by the call;
 *                        a TCP/MPTCP connect that sent its SYN says
 *                        -EINPROGRESS (blocking or not): its outcome is
 *                        the socket's connect_done record
 *    48    2 lport       local port, host order
 *    50    2 rport       remote port, host order
 *    52    4 flags       NETLOG_F_* bits
 *    56   16 laddr       local address, network order; IPv4 in bytes 0-3
 *    72   16 raddr       remote address, same encoding
 *    88   56 task        struct netlog_task (who did it)
 *   144    . strings     NETLOG_STR_COUNT strings, see below; from
 *                        minor 3 a fifth, exe_loaded (NETLOG_F_EXE_SET);
 *                        from minor 5 a sixth, connect_seq: in a
 *                        connect_done, 8 bytes, the little-endian seq of
 *                        the connect record it completes; empty otherwise;
 *                        and a seventh, owner: 4 bytes, the little-endian
 *                        uid (fsuid, as the initial user namespace sees
 *                        it) of the task that made the socket (socket(),
 *                        or accept() for an accepted one), which may not
 *                        be the task that acted: a kernel thread dropping
 *                        a socket a ring held (io_uring), or a process
 *                        passed its fd. A record of a kernel thread's is
 *                        charged to the owner's share (hdr.uid); from
 *                        minor 7 an eighth, owner_pid: 4 bytes, the
 *                        little-endian thread group id (initial pid
 *                        namespace) of the task that made the socket,
 *                        empty when not known (made before netlog loaded,
 *                        while every probe was off, or by a kernel thread)
 *
 * TASK (struct netlog_task, 56 bytes), taken at the time of the call;
 * ids are as seen from the initial pid and user namespaces.
 *     0    4 pid         thread group id
 *     4    4 tid         thread id
 *     8    4 ppid        thread group id of the real parent
 *    12    4 sid         session id
 *    16   16 uid gid euid egid (4 bytes each)
 *    32    8 netns       inode number of the socket's network namespace
 *                        (the task's own in CONFIG and EXEC records)
 *    40    8 cgroup_id   cgroup v2 id of the task (0 when unknown)
 *    48    4 auid        minor 2: login uid (audit), NETLOG_UID_NONE when
 *                        unset or the kernel has no CONFIG_AUDITSYSCALL;
 *                        before minor 2 this and ses are zero
 *    52    4 ses         minor 2: audit session id, NETLOG_UID_NONE when
 *                        unset
 *
 * NETLOG_REC_EXEC (struct netlog_exec + strings), minor 2, by execlog.ko
 *   One execve or execveat, once it succeeded or failed.
 *    40    4 flags       NETLOG_F_TRUNC_*, NETLOG_F_EXE_NS and the exec
 *                        flags below
 *    44    4 result      0, or the negative errno the call returned
 *    48    4 argc        the number of arguments, always exact for a
 *                        successful exec; for a failed one, the pointers
 *                        read before NULL (NETLOG_F_ARGC_PARTIAL if the
 *                        array could not be read to its end)
 *    52    4 reserved    zero
 *    56   56 task        struct netlog_task; pid is the process's, tid the
 *                        thread that called exec (a thread that is not the
 *                        leader takes the leader's id when exec succeeds)
 *   112    . strings     comm (after a successful exec: the new one), tty,
 *                        exe (after a successful exec: the new program;
 *                        for a script, its interpreter), cgroup, then
 *                        filename (as the kernel names the file asked for:
 *                        the path given, or /dev/fd/N[/path] for execveat
 *                        from a directory fd or with AT_EMPTY_PATH),
 *                        comm_before (empty when unknown), cwd, and argv:
 *                        each argument followed by a NUL byte, at most
 *                        NETLOG_ARGV_MAX bytes in all; when cut, the
 *                        last argument may lack its NUL and
 *                        NETLOG_F_TRUNC_ARGV is set; from minor 4, env:
 *                        the new program's loader variables (see
 *                        NETLOG_F_PRELOAD), each NAME=value followed by
 *                        a NUL, at most NETLOG_ENV_MAX bytes
 *
 * STRINGS
 *   After the fixed part come, in this order, comm, tty, exe and cgroup.
 *   exe is the path as the task sees it: see NETLOG_F_EXE_NS and
 *   NETLOG_F_EXE_SET.
 *   Each is a __u16 byte length followed by that many bytes, with no NUL
 *   and no padding between strings; the record is zero-padded to 8 bytes
 *   at the end. The bytes are copied from the kernel by value and are
 *   untrusted: any byte value may occur. A string cut to its bound sets
 *   its NETLOG_F_TRUNC_* flag; an empty string means unknown or none.
 *   A reader must accept records with more strings than it knows (a
 *   newer minor version appends them) and skip them by length.
 *
 * START (minor 9): the last string of an exec and config record, and of a
 *   socket record but for LIFE and NAT after it: 8 bytes, the little-endian
 *   CLOCK_BOOTTIME in ns at which the acting process (its thread group
 *   leader; exec keeps it) started: with pid, it names one process for the
 *   boot, however the pid is reused. Empty when no task acted
 *   (NETLOG_F_BY_PEER).
 *
 * LIFE (minor 10): the tenth string of a socket record. In the close of a
 *   TCP socket that was established (NETLOG_F_ESTABLISHED), a struct
 *   netlog_life (48 bytes, little-endian): what the connection carried and
 *   how it ended, read from the socket as it is released; from minor 11,
 *   in a state record (NETLOG_EV_STATE), the same at the change. Empty in
 *   every other record, and in the close of an MPTCP, SCTP or DCCP
 *   socket.
 *
 * NAT (minor 11): the eleventh string of a socket record. In a connect_done
 *   and the close of a TCP connection whose destination conntrack
 *   translated (DNAT: a rule in OUTPUT, a port a container runtime
 *   published), a struct netlog_nat: where the packets really went, while
 *   raddr and rport are the address the task asked for. Empty otherwise,
 *   and whenever nf_conntrack is not loaded.
 *
 * DGRAM (minor 12): the last string of a socket record. In the close of a
 *   datagram or raw socket (UDP, UDP-Lite, ping, raw, L2TP over IP) that
 *   netlog counted, a struct netlog_dgram (40 bytes, little-endian): the
 *   datagrams and bytes it sent and received, and to how many
 *   destinations. Empty in every other record, and in the close of a
 *   socket whose counts were not kept (see struct netlog_dgram).
 *
 * CHANGING THIS FORMAT
 *   Additive changes bump NETLOG_ABI_MINOR: a new record type, event,
 *   flag bit, trailing string, or use of a reserved field. Readers skip
 *   record types they do not know, using len. Anything else (moving,
 *   resizing or re-meaning a field) bumps NETLOG_ABI_MAJOR, and readers
 *   refuse a major they were not built for.
 */
#ifndef _UAPI_NETLOG_H
#define _UAPI_NETLOG_H

#include <linux/types.h>

#define NETLOG_ABI_MAJOR 1
#define NETLOG_ABI_MINOR 12

/* No record is longer than this; a read buffer this big always works. */
#define NETLOG_REC_MAX 8192
#define NETLOG_REC_ALIGN 8

enum netlog_rec_type {
	NETLOG_REC_LOST = 1,
	NETLOG_REC_SOCK = 2,
	NETLOG_REC_MISSED = 3,	/* minor 1 */
	NETLOG_REC_CONFIG = 4,	/* minor 1 */
	NETLOG_REC_EXEC = 5,	/* minor 2 */
};

enum netlog_event {
	NETLOG_EV_CONNECT = 1,
	NETLOG_EV_ACCEPT = 2,
	NETLOG_EV_BIND = 3,
	NETLOG_EV_LISTEN = 4,
	NETLOG_EV_CLOSE = 5,
	/*
	 * minor 1: the outcome of a TCP or MPTCP handshake that a connect
	 * started (result 0: established, or the error that ended it), with
	 * the attribution of the task that called connect (comm, ids; its tty,
	 * exe and cgroup are those of that connect record). From minor 5 the
	 * whole attribution of that connect record (ids, strings and their
	 * flags), and its seq (connect_seq). Its strings are kept while the
	 * handshake lasts in NETLOG_DONE_STR_MAX bytes: when the connect's
	 * comm to exe_loaded are longer, exe, cgroup and exe_loaded are cut
	 * to fit and flagged so (the connect record has them whole).
	 */
	NETLOG_EV_CONNECT_DONE = 6,
	/*
	 * minor 1: a datagram sent to an address given with the call
	 * (sendto, sendmsg, sendmmsg) on a datagram or raw socket, the first
	 * from this process and socket to that destination. Recorded as the
	 * protocol takes it: result is 0, and a send that fails there is
	 * recorded all the same.
	 */
	NETLOG_EV_SEND = 7,
	/*
	 * minor 6: a task made a socket that netlog does not follow (a family
	 * other than AF_INET, AF_INET6 and the host-local AF_UNIX, AF_NETLINK
	 * and AF_ALG, or an AF_INET/AF_INET6 protocol without probes, such as
	 * SMC or DCCP before they had them), so that its traffic is at least
	 * known to exist. No whitelist rule applies. The fixed part says
	 * what socket: family is 4 or 6 for AF_INET/AF_INET6, else 0; lport
	 * is the address family (AF_*), rport the socket type (SOCK_*),
	 * result the protocol (the socket's, or the argument of socket() if
	 * the family keeps none: AF_PACKET's Ethertype, in network order),
	 * and proto that protocol when it fits a byte (else 0). Addresses
	 * are zero.
	 */
	NETLOG_EV_UNAUDITED = 8,
	/*
	 * minor 7: an SCTP association of the socket has a new peer address
	 * that the peer offered (in its INIT, INIT-ACK or an ASCONF), to
	 * which SCTP may send from then on: raddr, rport. The peer did it,
	 * not a task: NETLOG_F_BY_PEER is set.
	 */
	NETLOG_EV_PEER = 9,
	/*
	 * minor 11: a TCP socket that a task made or accepted changed state
	 * (probe tcp_state, off by default): its LIFE string holds the states
	 * (old_state, state) and the counters as they stood. Often in softirq
	 * or a timer, so no task is named: the record is the socket's owner's
	 * (owner, owner_pid, and hdr.uid), the task is zero but for its netns
	 * (the socket's), auid and ses (unset), and comm to start are empty.
	 * result is 0. A socket accepted is followed from its accept, a socket
	 * closed to its last state.
	 */
	NETLOG_EV_STATE = 10,
	/*
	 * minor 11: a socket that was open when netlog loaded, AF_INET or
	 * AF_INET6, held by a task (found in its file table): its endpoints,
	 * with the attribution of the first task found holding it (its tty
	 * is not read), and, for TCP, its LIFE (state and counters; no
	 * duration or end). NETLOG_F_ESTABLISHED as for a close. They follow
	 * the load record; a socket made while they are taken may also have
	 * records of its own.
	 */
	NETLOG_EV_SNAPSHOT = 11,
};

/* Bounds on the strings of a NETLOG_REC_SOCK record, in bytes. */
#define NETLOG_COMM_MAX 16
#define NETLOG_TTY_MAX 64
#define NETLOG_EXE_MAX 512
#define NETLOG_CGROUP_MAX 512
/* A connect_done's strings, comm to exe_loaded, with their lengths */
#define NETLOG_DONE_STR_MAX 384

enum netlog_str {
	NETLOG_STR_COMM = 0,
	NETLOG_STR_TTY = 1,
	NETLOG_STR_EXE = 2,
	NETLOG_STR_CGROUP = 3,
	NETLOG_STR_COUNT = 4,
	/* NETLOG_REC_SOCK, minor 3: see NETLOG_F_EXE_SET */
	NETLOG_STR_EXE_LOADED = 4,
	/* NETLOG_REC_SOCK, minor 5: see NETLOG_EV_CONNECT_DONE */
	NETLOG_STR_CONNECT_SEQ = 5,
	NETLOG_STR_OWNER = 6,
	NETLOG_STR_OWNER_PID = 7,	/* minor 7 */
	NETLOG_STR_START = 8,		/* minor 9: see START below */
	NETLOG_STR_LIFE = 9,		/* minor 10: see LIFE below */
	NETLOG_STR_NAT = 10,		/* minor 11: see NAT below */
	NETLOG_STR_DGRAM = 11,		/* minor 12: see DGRAM below */
	NETLOG_SOCK_STR_COUNT = 12,
	/* minor 1: NETLOG_REC_CONFIG only */
	NETLOG_STR_OLD = 4,
	NETLOG_STR_NEW = 5,
	NETLOG_STR_CONFIG_START = 6,	/* minor 9 */
	NETLOG_CONFIG_STR_COUNT = 7,
	/* minor 2: NETLOG_REC_EXEC only */
	NETLOG_STR_FILENAME = 4,
	NETLOG_STR_COMM_BEFORE = 5,
	NETLOG_STR_CWD = 6,
	NETLOG_STR_ARGV = 7,
	NETLOG_STR_ENV = 8,	/* minor 4 */
	NETLOG_STR_EXEC_START = 9,	/* minor 9 */
	NETLOG_EXEC_STR_COUNT = 10,
};

/* Bounds on the strings of a NETLOG_REC_EXEC record, in bytes. */
#define NETLOG_FILENAME_MAX 512
#define NETLOG_CWD_MAX 512
#define NETLOG_ARGV_MAX 4096
#define NETLOG_ENV_MAX 1024

/* Bound on a NETLOG_REC_CONFIG value, in bytes. */
#define NETLOG_VALUE_MAX 256

/* netlog_sock.flags */
#define NETLOG_F_TRUNC_COMM (1U << 0)
#define NETLOG_F_TRUNC_TTY (1U << 1)
#define NETLOG_F_TRUNC_EXE (1U << 2)
#define NETLOG_F_TRUNC_CGROUP (1U << 3)
/* close of a TCP socket that had been connected or accepted */
#define NETLOG_F_ESTABLISHED (1U << 4)
/* minor 1: an MPTCP socket (proto is 6) */
#define NETLOG_F_MPTCP (1U << 5)
/* minor 1: a SOCK_RAW socket; proto is its protocol number */
#define NETLOG_F_RAW (1U << 6)
/*
 * minor 1: the exe path was not resolved from the root of the initial
 * mount namespace (the task is in another mount namespace, or chrooted),
 * so it may name another file than the same path names on the host. Such
 * an event is never whitelisted. Also set (same minor: the meaning is the
 * same) when the file is on a mount that root cannot reach (another mount
 * namespace's, a detached one, a memfd), and when the task is in a user
 * namespace other than the initial one, whose root may set the exe to any
 * file (prctl PR_SET_MM_MAP).
 */
#define NETLOG_F_EXE_NS (1U << 7)
/* minor 2, NETLOG_REC_EXEC: a string cut to its bound (filename, cwd) */
#define NETLOG_F_TRUNC_FILENAME (1U << 8)
#define NETLOG_F_TRUNC_CWD (1U << 9)
/* argv holds fewer bytes than the arguments (never fewer than argc) */
#define NETLOG_F_TRUNC_ARGV (1U << 10)
/* a failed exec's argv could not be read to its end: argc is a minimum */
#define NETLOG_F_ARGC_PARTIAL (1U << 11)
/*
 * comm_before is not known: execlog's table of starting execs was full, or
 * the exec was the kernel's own (kernel_execve(), no syscall)
 */
#define NETLOG_F_NO_COMM_BEFORE (1U << 12)
/*
 * minor 3: the exe is not (or may not be) the file the process exec'd: a
 * task of its mm replaced it, or tried to (prctl PR_SET_MM_EXE_FILE or
 * PR_SET_MM_MAP), or the mm is shared with a task of another user
 * namespace, whose root may do so. Any user can: such an event is never
 * whitelisted. A NETLOG_REC_SOCK then carries, as its fifth string
 * (exe_loaded), the file the mm had before: the one exec loaded.
 */
#define NETLOG_F_EXE_SET (1U << 13)
/* minor 3: exe_loaded cut to its bound */
#define NETLOG_F_TRUNC_EXE_LOADED (1U << 14)
/*
 * minor 4: the process may run code its exe does not hold: it was started
 * with a variable that makes the dynamic loader load more (LD_PRELOAD,
 * LD_AUDIT, LD_LIBRARY_PATH: the EXEC record's env string holds them), or
 * it is or was traced, or another process wrote to its memory (ptrace,
 * process_vm_writev(), /proc/PID/mem). Inherited by a fork. Such an event
 * is whitelisted only by a rule that says it may be.
 */
#define NETLOG_F_PRELOAD (1U << 15)
/* minor 4, NETLOG_REC_EXEC: env cut to its bound, or not readable */
#define NETLOG_F_TRUNC_ENV (1U << 16)
/*
 * minor 4, NETLOG_REC_CONFIG: a change refused because the modules are
 * locked (netlogctl lock, or secure_log.lock=1): new is what was asked
 * for, old is empty, and nothing changed.
 */
#define NETLOG_F_REFUSED (1U << 17)
/*
 * minor 5, NETLOG_REC_SOCK: the socket's packets, or this datagram, go
 * first to another host than raddr: an IPv4 source route (LSRR or SSRR, in
 * IP_OPTIONS or a datagram's IP_RETOPTS) or an IPv6 routing header. raddr
 * is the final destination; the route is the caller's to choose.
 */
#define NETLOG_F_SRCROUTE (1U << 18)
/*
 * minor 5, NETLOG_REC_SOCK: recorded as the call began, not as it
 * returned: the caller held its share of the return probe's instances
 * (calls of its waiting on a socket lock), so this one was not followed.
 * result is 0 and says nothing; the endpoints are the call's arguments.
 * minor 8, NETLOG_REC_EXEC: the same for an exec (its uid held its share
 * of the exec calls' return probe): the filename and arguments are read
 * from the caller's memory, and a success is recorded again by
 * sched_process_exec.
 */
#define NETLOG_F_UNFOLLOWED (1U << 19)
/*
 * minor 6, NETLOG_REC_SOCK: the TCP socket that SMC (AF_SMC, a protocol
 * any user may use) made for the task's SMC socket, which carries the
 * handshake and, when the peer has no SMC, all the traffic (the
 * fallback); proto is 6. Its connect, connect_done and listen are
 * recorded. (The SMC socket itself is an unaudited record.)
 */
#define NETLOG_F_SMC (1U << 20)
/*
 * minor 6, NETLOG_REC_SOCK: an RxRPC call's datagrams (AF_RXRPC, which
 * any user may use), sent by RxRPC's own UDP socket to the transport
 * address the task gave sendmsg(): a send record with that peer, proto
 * 17 and no local endpoint. (The RxRPC socket itself is an unaudited
 * record.)
 */
#define NETLOG_F_RXRPC (1U << 21)
/*
 * minor 7, NETLOG_REC_SOCK: no task acted; the peer did, and the kernel
 * (in softirq, or in whichever task released the socket's lock) took it
 * in: an SCTP association the peer started on a one-to-many socket (an
 * accept record: such a socket has no accept() call) and the peer
 * addresses it offered (peer records). The task is zero but for its netns
 * (the socket's) and auid and ses (unset); the strings are empty but the
 * owner's two, whose share of the ring the record is charged to. No
 * whitelist rule applies.
 */
#define NETLOG_F_BY_PEER (1U << 22)

/* How a TCP connection ended, as its close saw it (struct netlog_life). */
enum netlog_end {
	NETLOG_END_UNKNOWN = 0,
	/* an orderly close: a FIN each way, or ours still to go out */
	NETLOG_END_FIN = 1,
	/*
	 * the close resets the connection: data was left unread, or
	 * SO_LINGER with a zero timeout asked for it
	 */
	NETLOG_END_RST_SENT = 2,
	NETLOG_END_RST_RECEIVED = 3,	/* the peer reset it */
	NETLOG_END_TIMEOUT = 4,		/* retransmissions or keepalives gave up */
	NETLOG_END_ABORT = 5,	/* the host aborted it (ss -K, SOCK_DESTROY) */
};

/*
 * LIFE: a TCP connection's summary in its close record. The counters are
 * the kernel's own (tcp_info's names in brackets), as they stand when the
 * socket is released: what TCP still sends after the close (data written
 * but not yet acknowledged, the FIN or RST) is not in them. As the kernel
 * counts bytes, a SYN or FIN acknowledged or received may add one.
 */
struct netlog_life {
	__le64 bytes_sent;	/* acknowledged by the peer [bytes_acked] */
	__le64 bytes_received;	/* received in order [bytes_received] */
	/*
	 * ns from the connect (its SYN) or the accept to the close; 0 when
	 * not known: the connection began before netlog loaded or while its
	 * close probe was off, or found netlog's table of connections full
	 * (counted in MISSED records for the hook "close_life"); 1 when the
	 * clock did not move (a clock as coarse as jiffies)
	 */
	__le64 duration_ns;
	/* written and not yet acknowledged: TCP sends it after the close */
	__le32 bytes_unacked;
	__le32 segs_out;	/* segments sent, resent ones too [segs_out] */
	__le32 segs_in;		/* segments received [segs_in] */
	__le32 retrans;		/* segments retransmitted [total_retrans] */
	/*
	 * its TCP state (TCP_*, linux/tcp_states.h): in a close, the one it
	 * was released in; in a state record, the new one
	 */
	__u8 state;
	/*
	 * enum netlog_end: in a close; in a state record, the end of the
	 * connection when its new state is TCP_CLOSE, else NETLOG_END_UNKNOWN
	 */
	__u8 end;
	/* minor 11: in a state record, the state it left; 0 in a close */
	__u8 old_state;
	__u8 reserved[5];	/* zero */
};

/*
 * DGRAM: a datagram or raw socket's summary in its close record, counted by
 * netlog from the first of these it saw: the socket's bind or connect (with
 * those probes on), a send, or the snapshot at load. The counts are kept
 * while the probes udp_count (minor 12) and udp_close are on, in netlog's
 * table of sockets (a socket that finds it full, or its uid's share of it
 * held, has no DGRAM and is counted in MISSED records for the hook
 * "close_life"); a close while udp_count is off has none.
 */
struct netlog_dgram {
	/* given to the protocol's sendmsg (one that fails there too) */
	__le64 bytes_sent;
	/*
	 * queued to the socket for a reader (as recvmsg() returns them: a raw
	 * IPv4 socket's with the IP header), read or not
	 */
	__le64 bytes_received;
	__le64 duration_ns;	/* ns since netlog began to count; at least 1 */
	__le32 sent;		/* datagrams, as bytes_sent */
	__le32 received;	/* datagrams, as bytes_received */
	/*
	 * distinct destinations (address and port) of the datagrams sent: the
	 * addresses given with them and the connected peer; exact up to
	 * NETLOG_DGRAM_DESTS, past which NETLOG_DGRAM_MORE_DESTS is set
	 */
	__le32 destinations;
	__u8 flags;		/* NETLOG_DGRAM_* */
	__u8 reserved[3];	/* zero */
};

#define NETLOG_DGRAM_DESTS 6
/* it sent to more than NETLOG_DGRAM_DESTS destinations */
#define NETLOG_DGRAM_MORE_DESTS 0x01

/* NAT: the translated destination of a connection (see NAT above). */
struct netlog_nat {
	__u8 raddr[16];		/* as netlog_sock.raddr, of the record's family */
	__le16 rport;
	__u8 reserved[6];	/* zero */
};

struct netlog_hdr {
	__u8 abi_major;
	__u8 abi_minor;
	__u16 type;
	__u32 len;
	__u64 seq;
	__u64 boot_ns;
	__u64 real_ns;
	__u32 cpu;
	__u32 uid;
};

struct netlog_lost {
	struct netlog_hdr hdr;
	__u64 count;
	__u64 first_seq;
	__u64 last_seq;
};

#define NETLOG_UID_NONE 0xffffffffU
/* minor 4: hdr.uid of a record charged to the uids the ring did not track */
#define NETLOG_UID_UNTRACKED 0xfffffffeU
#define NETLOG_LOST_UIDS 4

struct netlog_lost_uids {
	struct netlog_lost lost;
	struct {
		__u32 uid;
		__u32 zero;
		__u64 count;
	} by_uid[NETLOG_LOST_UIDS];
	__u64 other;
};

#define NETLOG_HOOK_NAME_MAX 32
#define NETLOG_PARAM_NAME_MAX 32

struct netlog_missed {
	struct netlog_hdr hdr;
	__u64 count;
	char hook[NETLOG_HOOK_NAME_MAX];
};

struct netlog_task {
	__u32 pid;
	__u32 tid;
	__u32 ppid;
	__u32 sid;
	__u32 uid;
	__u32 gid;
	__u32 euid;
	__u32 egid;
	__u64 netns;
	__u64 cgroup_id;
	__u32 auid;	/* minor 2 */
	__u32 ses;	/* minor 2 */
};

struct netlog_sock {
	struct netlog_hdr hdr;
	__u16 event;
	__u8 proto;
	__u8 family;
	__s32 result;
	__u16 lport;
	__u16 rport;
	__u32 flags;
	__u8 laddr[16];
	__u8 raddr[16];
	struct netlog_task task;
	/* followed by NETLOG_SOCK_STR_COUNT length-prefixed strings */
};

struct netlog_config {
	struct netlog_hdr hdr;
	__u32 flags;
	__u32 reserved;
	struct netlog_task task;
	char param[NETLOG_PARAM_NAME_MAX];
	/* followed by NETLOG_CONFIG_STR_COUNT length-prefixed strings */
};

struct netlog_exec {
	struct netlog_hdr hdr;
	__u32 flags;
	__s32 result;
	__u32 argc;
	__u32 reserved;
	struct netlog_task task;
	/* followed by NETLOG_EXEC_STR_COUNT length-prefixed strings */
};

/* The largest possible NETLOG_REC_EXEC must fit NETLOG_REC_MAX. */
#define NETLOG_EXEC_MAX_LEN                                                   \
	(sizeof(struct netlog_exec) + NETLOG_EXEC_STR_COUNT * sizeof(__u16) + \
	 2 * NETLOG_COMM_MAX + NETLOG_TTY_MAX + NETLOG_EXE_MAX +              \
	 NETLOG_CGROUP_MAX + NETLOG_FILENAME_MAX + NETLOG_CWD_MAX +           \
	 NETLOG_ARGV_MAX + NETLOG_ENV_MAX + sizeof(__u64) + NETLOG_REC_ALIGN)

/* The largest possible NETLOG_REC_CONFIG must fit NETLOG_REC_MAX. */
#define NETLOG_CONFIG_MAX_LEN                                                 \
	(sizeof(struct netlog_config) +                                       \
	 NETLOG_CONFIG_STR_COUNT * sizeof(__u16) + NETLOG_COMM_MAX +          \
	 NETLOG_TTY_MAX + NETLOG_EXE_MAX + NETLOG_CGROUP_MAX +                \
	 2 * NETLOG_VALUE_MAX + sizeof(__u64) + NETLOG_REC_ALIGN)

/* The largest possible NETLOG_REC_SOCK must fit NETLOG_REC_MAX. */
#define NETLOG_SOCK_MAX_LEN                                                   \
	(sizeof(struct netlog_sock) + NETLOG_SOCK_STR_COUNT * sizeof(__u16) + \
	 NETLOG_COMM_MAX + NETLOG_TTY_MAX + 2 * NETLOG_EXE_MAX +              \
	 NETLOG_CGROUP_MAX + 2 * sizeof(__u64) + 2 * sizeof(__u32) +          \
	 sizeof(struct netlog_life) + sizeof(struct netlog_nat) +            \
	 sizeof(struct netlog_dgram) + NETLOG_REC_ALIGN)

#ifdef __cplusplus
static_assert(sizeof(struct netlog_hdr) == 40, "netlog_hdr ABI");
static_assert(sizeof(struct netlog_lost) == 64, "netlog_lost ABI");
static_assert(sizeof(struct netlog_lost_uids) == 136, "netlog_lost_uids ABI");
static_assert(sizeof(struct netlog_missed) == 80, "netlog_missed ABI");
static_assert(sizeof(struct netlog_config) == 136, "netlog_config ABI");
static_assert(NETLOG_CONFIG_MAX_LEN <= NETLOG_REC_MAX, "config bound");
static_assert(sizeof(struct netlog_task) == 56, "netlog_task ABI");
static_assert(sizeof(struct netlog_sock) == 144, "netlog_sock ABI");
static_assert(sizeof(struct netlog_life) == 48, "netlog_life ABI");
static_assert(sizeof(struct netlog_nat) == 24, "netlog_nat ABI");
static_assert(sizeof(struct netlog_dgram) == 40, "netlog_dgram ABI");
static_assert(NETLOG_SOCK_MAX_LEN <= NETLOG_REC_MAX, "record bound");
static_assert(sizeof(struct netlog_exec) == 112, "netlog_exec ABI");
static_assert(NETLOG_EXEC_MAX_LEN <= NETLOG_REC_MAX, "exec bound");
#endif

#endif /* _UAPI_NETLOG_H */
