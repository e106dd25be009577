/*
 * usrsctp's side of the 64-byte round trips of bench/compare.sh: a client
 * of usrsctp's echo_server (SCTP port 7) over UDP encapsulation that sends
 * one message, waits for its echo and sends the next, with Nagle off
 * (SCTP_NODELAY), and prints the distribution of the round trips as
 * `sctp ping` does. A benchmark tool of the gensctp project, not part of
 * gensctp; same license as the project.
 *
 *   gcc -O2 -o usrsctp-ping usrsctp-ping.c -lusrsctp   (libusrsctp-dev)
 *   usrsctp-ping LOCAL_UDP_PORT REMOTE_UDP_PORT LENGTH SECONDS WARMUP
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <usrsctp.h>

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: %s local_udp_port remote_udp_port length seconds warmup\n", argv[0]);
		return 2;
	}
	uint16_t lport = atoi(argv[1]), rport = atoi(argv[2]);
	size_t len = atoi(argv[3]);
	double secs = atof(argv[4]);
	int warmup = atoi(argv[5]);
	usrsctp_init(lport, NULL, NULL);
	struct socket *s = usrsctp_socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP, NULL, NULL, 0, NULL);
	if (s == NULL) {
		perror("usrsctp_socket");
		return 1;
	}
	struct sctp_udpencaps enc;
	memset(&enc, 0, sizeof(enc));
	enc.sue_address.ss_family = AF_INET;
	enc.sue_port = htons(rport);
	int on = 1;
	if (usrsctp_setsockopt(s, IPPROTO_SCTP, SCTP_REMOTE_UDP_ENCAPS_PORT, &enc, sizeof(enc)) < 0 ||
	    usrsctp_setsockopt(s, IPPROTO_SCTP, SCTP_NODELAY, &on, sizeof(on)) < 0) {
		perror("usrsctp_setsockopt");
		return 1;
	}
	struct sockaddr_in to;
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_port = htons(7);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (usrsctp_connect(s, (struct sockaddr *)&to, sizeof(to)) < 0) {
		perror("usrsctp_connect");
		return 1;
	}
	char *msg = calloc(1, len), buf[65536];
	size_t cap = 1 << 20, n = 0;
	double *rtt = malloc(cap * sizeof(double)), end = 0;
	struct sctp_sndinfo snd;
	memset(&snd, 0, sizeof(snd));
	for (int i = 0;; i++) {
		if (i == warmup)
			end = now_us() + secs * 1e6;
		if (i > warmup && now_us() > end)
			break;
		double t0 = now_us();
		if (usrsctp_sendv(s, msg, len, NULL, 0, &snd, sizeof(snd), SCTP_SENDV_SNDINFO, 0) < 0) {
			perror("usrsctp_sendv");
			return 1;
		}
		size_t got = 0;
		int flags = 0;
		do { /* the echo, possibly in pieces */
			struct sockaddr_in from;
			socklen_t fl = sizeof(from);
			struct sctp_rcvinfo ri;
			socklen_t il = sizeof(ri);
			unsigned int it = 0;
			flags = 0;
			ssize_t k = usrsctp_recvv(s, buf, sizeof(buf), (struct sockaddr *)&from, &fl, &ri, &il, &it, &flags);
			if (k <= 0) {
				perror("usrsctp_recvv");
				return 1;
			}
			got += k;
		} while (!(flags & MSG_EOR));
		if (got != len) {
			fprintf(stderr, "echo of %zu bytes, sent %zu\n", got, len);
			return 1;
		}
		if (i >= warmup && n < cap)
			rtt[n++] = now_us() - t0;
	}
	usrsctp_close(s);
	if (n == 0)
		return 1;
	qsort(rtt, n, sizeof(double), cmp);
	size_t m = n / 2, p = (size_t)(0.99 * n);
	printf("round trips %zu, length %zu, min %.1f, median %.1f, p99 %.1f, max %.1f (us)\n",
	       n, len, rtt[0], rtt[m], rtt[p < n ? p : n - 1], rtt[n - 1]);
	fflush(stdout);
	for (int k = 0; k < 1000 && usrsctp_finish() != 0; k++)
		nanosleep(&(struct timespec){0, 1000000}, NULL);
	return 0;
}
