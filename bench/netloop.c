// SPDX-License-Identifier: GPL-2.0
/*
 * netloop: the benchmark's loopback workload.
 *
 *   netloop tcp|udp|udpsend|exec SECONDS PROCS
 *
 * PROCS processes, started together, each for SECONDS:
 *   tcp: socket, connect to its own listener on 127.0.0.1, accept, close
 *        both, the accepted one with an RST (one connect, one accept and
 *        two closes per operation, and no TIME_WAIT left behind);
 *   udp: socket, bind to 127.0.0.1:0, connect to 127.0.0.1:9, close;
 *   udpsend: one unconnected UDP socket per process, and one sendto() of a
 *        byte to 127.0.0.1:9 per operation: the same destination again,
 *        which a recorder should notice once;
 *   exec: fork, execve of a static program that exits at once (the
 *        environment's NETLOOP_NOOP, or /usr/local/bin/noop), wait.
 * Prints "ops=N seconds=S ops_per_s=R" for all processes together, and
 * exits non-zero if any call fails, so that a bench never times errors.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct sockaddr_in loopback(unsigned short port)
{
	struct sockaddr_in in = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	return in;
}

static int fail(const char *what)
{
	fprintf(stderr, "netloop: %s: %s\n", what, strerror(errno));
	return -1;
}

static const struct linger abort_close = { .l_onoff = 1, .l_linger = 0 };

static int tcp_once(int lfd, const struct sockaddr_in *to)
{
	int c = socket(AF_INET, SOCK_STREAM, 0), a;

	if (c < 0)
		return fail("socket");
	if (connect(c, (const struct sockaddr *)to, sizeof(*to)))
		return fail("connect");
	a = accept(lfd, NULL, NULL);
	if (a < 0)
		return fail("accept");
	/* The server aborts (RST): no side keeps TIME_WAIT, so every run
	 * starts from the same socket tables and ephemeral ports never run
	 * short, whatever ran before it.
	 */
	if (setsockopt(a, SOL_SOCKET, SO_LINGER, &abort_close,
		       sizeof(abort_close)))
		return fail("SO_LINGER");
	close(a);
	close(c);
	return 0;
}

static int udp_once(const struct sockaddr_in *to)
{
	struct sockaddr_in any = loopback(0);
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	if (s < 0)
		return fail("socket");
	if (bind(s, (const struct sockaddr *)&any, sizeof(any)))
		return fail("bind");
	if (connect(s, (const struct sockaddr *)to, sizeof(*to)))
		return fail("connect");
	close(s);
	return 0;
}

static int send_once(int s, const struct sockaddr_in *to)
{
	if (sendto(s, "x", 1, 0, (const struct sockaddr *)to, sizeof(*to)) != 1)
		return fail("sendto");
	return 0;
}

/* The program that does nothing, for the exec loop (bench/run.sh builds it). */
static const char *noop = "/usr/local/bin/noop";

static int exec_once(void)
{
	static char *const argv[] = { "noop", "arg", NULL };
	static char *const envp[] = { NULL };
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return fail("fork");
	if (pid == 0) {
		execve(noop, argv, envp);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return fail("exec");
	return 0;
}

enum workload { TCP, UDP, UDPSEND, EXEC };

/* One process's loop; returns its operation count, or -1. */
static long run(enum workload w, double seconds, int start_fd)
{
	struct sockaddr_in to = loopback(9);
	socklen_t len = sizeof(to);
	int lfd = -1, one = 1, err;
	double end;
	long ops = 0;
	char go;

	if (w == UDPSEND) {
		lfd = socket(AF_INET, SOCK_DGRAM, 0);
		if (lfd < 0)
			return fail("socket");
	}
	if (w == TCP) {
		to = loopback(0);
		lfd = socket(AF_INET, SOCK_STREAM, 0);
		setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(lfd, (struct sockaddr *)&to, sizeof(to)))
			return fail("bind");
		if (listen(lfd, 16) ||
		    getsockname(lfd, (struct sockaddr *)&to, &len))
			return fail("listen");
	}
	/* Released when the parent closes the pipe. */
	if (read(start_fd, &go, 1) < 0)
		return fail("start");
	end = now() + seconds;
	while (now() < end) {
		switch (w) {
		case TCP:
			err = tcp_once(lfd, &to);
			break;
		case UDP:
			err = udp_once(&to);
			break;
		case EXEC:
			err = exec_once();
			break;
		default:
			err = send_once(lfd, &to);
		}
		if (err)
			return -1;
		ops++;
	}
	return ops;
}

int main(int argc, char **argv)
{
	int start[2], counts[2], procs, i, bad = 0;
	enum workload w;
	double seconds, t0, t1;
	long total = 0, n;
	pid_t pid;

	static const char *const names[] = {
		[TCP] = "tcp", [UDP] = "udp", [UDPSEND] = "udpsend",
		[EXEC] = "exec",
	};

	for (w = TCP; argc == 4 && w <= EXEC; w++)
		if (!strcmp(argv[1], names[w]))
			break;
	if (argc != 4 || w > EXEC) {
		fprintf(stderr,
			"usage: netloop tcp|udp|udpsend|exec SECONDS PROCS\n");
		return 2;
	}
	if (getenv("NETLOOP_NOOP"))
		noop = getenv("NETLOOP_NOOP");
	seconds = atof(argv[2]);
	procs = atoi(argv[3]);
	if (seconds <= 0 || procs < 1 || pipe(start) || pipe(counts))
		return 2;

	for (i = 0; i < procs; i++) {
		pid = fork();
		if (pid < 0)
			return fail("fork"), 1;
		if (pid == 0) {
			close(start[1]);
			n = run(w, seconds, start[0]);
			if (write(counts[1], &n, sizeof(n)) != sizeof(n))
				_exit(1);
			_exit(n < 0);
		}
	}
	close(start[0]);
	close(counts[1]);
	/* Give the children time to set up, then start them all at once. */
	usleep(200000);
	t0 = now();
	close(start[1]);
	for (i = 0; i < procs; i++) {
		if (read(counts[0], &n, sizeof(n)) != sizeof(n) || n < 0)
			bad = 1;
		else
			total += n;
	}
	t1 = now();
	while (wait(NULL) > 0)
		;
	if (bad)
		return 1;
	printf("ops=%ld seconds=%.3f ops_per_s=%.1f\n", total, t1 - t0,
	       total / (t1 - t0));
	return 0;
}
