/*
 * sctpgen: tiny usrsctp traffic generator used to record golden captures.
 *
 *   sctpgen server LOCAL_UDP REMOTE_UDP PORT [flags]
 *   sctpgen client LOCAL_UDP REMOTE_UDP PORT [flags]
 *
 * flags: -i        enable I-DATA (RFC 8260) and round-robin scheduler
 *        -n N      messages to send (client)
 *        -l LEN    message length (client)
 *        -s N      number of streams to round-robin over (client)
 *        -u        unordered messages (client)
 *        -r RTX    PR-SCTP RTX policy with RTX retransmissions (client)
 *        -A        abort (SO_LINGER 0) instead of graceful close (client)
 *        -b        blackhole off (answer OOTB packets with ABORT)
 *        -w SEC    wait SEC seconds after sending before closing (client)
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <usrsctp.h>

#ifndef SCTP_INTERLEAVING_SUPPORTED
#define SCTP_INTERLEAVING_SUPPORTED 0x00001206
#endif
#ifndef SCTP_PLUGGABLE_SS
#define SCTP_PLUGGABLE_SS 0x00001203
#endif

static void die(const char *s) { perror(s); exit(1); }

int main(int argc, char **argv) {
	if (argc < 5) {
		fprintf(stderr, "usage\n");
		return 2;
	}
	int server = strcmp(argv[1], "server") == 0;
	uint16_t ludp = atoi(argv[2]), rudp = atoi(argv[3]), port = atoi(argv[4]);
	int idata = 0, n = 10, len = 100, streams = 1, unordered = 0, rtx = -1, abrt = 0, bh = 0, wait = 0;
	for (int i = 5; i < argc; i++) {
		if (!strcmp(argv[i], "-i")) idata = 1;
		else if (!strcmp(argv[i], "-u")) unordered = 1;
		else if (!strcmp(argv[i], "-A")) abrt = 1;
		else if (!strcmp(argv[i], "-b")) bh = 1;
		else if (i + 1 < argc && !strcmp(argv[i], "-n")) n = atoi(argv[++i]);
		else if (i + 1 < argc && !strcmp(argv[i], "-l")) len = atoi(argv[++i]);
		else if (i + 1 < argc && !strcmp(argv[i], "-s")) streams = atoi(argv[++i]);
		else if (i + 1 < argc && !strcmp(argv[i], "-r")) rtx = atoi(argv[++i]);
		else if (i + 1 < argc && !strcmp(argv[i], "-w")) wait = atoi(argv[++i]);
	}
	usrsctp_init(ludp, NULL, NULL);
	usrsctp_sysctl_set_sctp_blackhole(bh ? 0 : 2);
	if (idata)
		usrsctp_sysctl_set_sctp_default_frag_interleave(2);

	struct socket *s = usrsctp_socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP, NULL, NULL, 0, NULL);
	if (!s) die("socket");
	struct sctp_udpencaps enc;
	memset(&enc, 0, sizeof(enc));
	enc.sue_address.ss_family = AF_INET;
	enc.sue_port = htons(rudp);
	if (usrsctp_setsockopt(s, IPPROTO_SCTP, SCTP_REMOTE_UDP_ENCAPS_PORT, &enc, sizeof(enc)) < 0) die("encaps");
	if (idata) {
		int v = 2;
		if (usrsctp_setsockopt(s, IPPROTO_SCTP, SCTP_FRAGMENT_INTERLEAVE, &v, sizeof(v)) < 0) die("frag_interleave");
		struct sctp_assoc_value av = {0};
		av.assoc_value = 1;
		if (usrsctp_setsockopt(s, IPPROTO_SCTP, SCTP_INTERLEAVING_SUPPORTED, &av, sizeof(av)) < 0) die("interleaving");
		av.assoc_value = 1; /* SCTP_SS_ROUND_ROBIN */
		if (usrsctp_setsockopt(s, IPPROTO_SCTP, SCTP_PLUGGABLE_SS, &av, sizeof(av)) < 0) perror("ss");
	}
	struct sctp_initmsg im = {0};
	im.sinit_num_ostreams = 8;
	im.sinit_max_instreams = 8;
	usrsctp_setsockopt(s, IPPROTO_SCTP, SCTP_INITMSG, &im, sizeof(im));

	struct sockaddr_in sin;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	char *buf = calloc(1, len > 65536 ? len : 65536);
	if (server) {
		sin.sin_port = htons(port);
		if (usrsctp_bind(s, (struct sockaddr *)&sin, sizeof(sin)) < 0) die("bind");
		if (usrsctp_listen(s, 1) < 0) die("listen");
		struct socket *c = usrsctp_accept(s, NULL, NULL);
		if (!c) die("accept");
		for (;;) {
			struct sockaddr_in from;
			socklen_t fl = sizeof(from), il = sizeof(struct sctp_rcvinfo);
			struct sctp_rcvinfo ri;
			unsigned int it = 0;
			int flags = 0;
			ssize_t r = usrsctp_recvv(c, buf, 65536, (struct sockaddr *)&from, &fl, &ri, &il, &it, &flags);
			if (r <= 0) break;
		}
		usrsctp_close(c);
		usrsctp_close(s);
	} else {
		sin.sin_port = 0;
		if (usrsctp_bind(s, (struct sockaddr *)&sin, sizeof(sin)) < 0) die("bind");
		sin.sin_port = htons(port);
		if (usrsctp_connect(s, (struct sockaddr *)&sin, sizeof(sin)) < 0) die("connect");
		for (int i = 0; i < n; i++) {
			memset(buf, 'a' + i % 26, len);
			struct sctp_sendv_spa spa;
			memset(&spa, 0, sizeof(spa));
			spa.sendv_flags = SCTP_SEND_SNDINFO_VALID;
			spa.sendv_sndinfo.snd_sid = i % streams;
			spa.sendv_sndinfo.snd_ppid = htonl(51);
			spa.sendv_sndinfo.snd_flags = unordered ? SCTP_UNORDERED : 0;
			if (rtx >= 0) {
				spa.sendv_flags |= SCTP_SEND_PRINFO_VALID;
				spa.sendv_prinfo.pr_policy = SCTP_PR_SCTP_RTX;
				spa.sendv_prinfo.pr_value = rtx;
			}
			if (usrsctp_sendv(s, buf, len, NULL, 0, &spa, sizeof(spa), SCTP_SENDV_SPA, 0) < 0) die("sendv");
		}
		if (wait) sleep(wait);
		if (abrt) {
			struct linger l = {1, 0};
			if (usrsctp_setsockopt(s, SOL_SOCKET, SO_LINGER, &l, sizeof(l)) < 0) die("linger");
		}
		usrsctp_close(s);
	}
	for (int i = 0; i < 50 && usrsctp_finish() != 0; i++)
		usleep(100000);
	return 0;
}
