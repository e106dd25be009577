#!/usr/bin/env python3
"""Sniff the INIT ACK on lo, then inject crafted SCTP-over-UDP packets into
the established association (spoofing the client's UDP/SCTP ports).
Usage: inject.py SERVER_UDP CLIENT_UDP  (runs inside an isolated netns)."""
import socket, struct, sys, time

SRV_UDP, CLI_UDP = int(sys.argv[1]), int(sys.argv[2])

def crc32c_table():
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        t.append(c)
    return t
T = crc32c_table()
def crc32c(b):
    c = 0xFFFFFFFF
    for x in b:
        c = T[(c ^ x) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF

def sctp_packet(sport, dport, vtag, chunks):
    hdr = struct.pack('!HHII', sport, dport, vtag, 0)
    pkt = hdr + chunks
    c = crc32c(pkt)
    return hdr[:8] + struct.pack('<I', c) + chunks

def csum16(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF

def udp(sport, dport, payload):
    l = 8 + len(payload)
    h = struct.pack('!HHHH', sport, dport, l, 0)
    pseudo = socket.inet_aton('127.0.0.1') * 2 + struct.pack('!BBH', 0, 17, l)
    c = csum16(pseudo + h + payload) or 0xFFFF
    return struct.pack('!HHHH', sport, dport, l, c) + payload

sn = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
sn.bind(('lo', 0))
sn.settimeout(10)
srv_tag = None
while srv_tag is None:
    f = sn.recv(65536)
    if f[12:14] != b'\x08\x00': continue
    ip = f[14:]
    ihl = (ip[0] & 0xF) * 4
    if ip[9] != 17: continue
    u = ip[ihl:]
    sp, dp = struct.unpack('!HH', u[:4])
    s = u[8:]
    if sp == SRV_UDP and dp == CLI_UDP and len(s) >= 24 and s[12] == 2:
        srv_sctp, cli_sctp = struct.unpack('!HH', s[:4])
        srv_tag = struct.unpack('!I', s[16:20])[0]
sn.close()
print('server sctp port %d, client sctp port %d, server tag 0x%08x' % (srv_sctp, cli_sctp, srv_tag), flush=True)

raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
def send(chunks):
    raw.sendto(udp(CLI_UDP, SRV_UDP, sctp_packet(cli_sctp, srv_sctp, srv_tag, chunks)), ('127.0.0.1', 0))

time.sleep(2)
# Unknown chunk type 0xf5 (upper bits 11: skip and report) -> ERROR (Unrecognized Chunk Type).
send(struct.pack('!BBH', 0xf5, 0, 8) + b'gsct')
time.sleep(2)
# DATA chunk without user data -> ABORT (No User Data).
send(struct.pack('!BBHIHHI', 0, 3, 16, 0x10000000, 0, 0, 0))
print('done', flush=True)
