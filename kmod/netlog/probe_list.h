/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The probes an admin switches, in the order of their bits in the `probes`
 * mask (ABI: append, never reorder): NETLOG_PROBE(name, what it records).
 * No include guard: sock.c includes it once per table it derives, with
 * NETLOG_PROBE defined for that table.
 */
NETLOG_PROBE(tcp_connect, "connect and connect_done of stream sockets")
NETLOG_PROBE(tcp_accept, "accept")
NETLOG_PROBE(tcp_close, "close of stream sockets")
NETLOG_PROBE(udp_connect, "connect of datagram and raw sockets")
NETLOG_PROBE(udp_bind, "bind of datagram and raw sockets")
NETLOG_PROBE(udp_close, "close of datagram and raw sockets")
NETLOG_PROBE(tcp_bind, "bind of stream sockets")
NETLOG_PROBE(tcp_listen, "listen")
NETLOG_PROBE(udp_send, "the first datagram of a process to each destination")
NETLOG_PROBE(unaudited, "sockets of a family or protocol that no other probe follows")
NETLOG_PROBE(tcp_state, "TCP state changes of a task's sockets (off at load)")
NETLOG_PROBE(udp_count, "datagrams and bytes of datagram sockets, for their close")
