#!/usr/bin/env python3
"""usage: knock.py HOST:PORT RATE SECONDS [SOURCES] [DOMAIN]

Sends door-knock INVITEs (an unknown domain, fresh Call-ID each) at RATE packets per second for
SECONDS and prints how many it sent and how many were answered. A proxy doing its job answers none.

SOURCES (default 1) spreads the knocks over that many source addresses, 127.0.7.1 upwards: many
sources measure the cost of parsing and dropping each knock (no per-source limit trips), one source
measures what a flood guard does with a single flooding host.
"""
import socket
import sys
import time


def main():
    host, port = sys.argv[1].rsplit(":", 1)
    rate, seconds = int(sys.argv[2]), float(sys.argv[3])
    sources = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    domain = sys.argv[5] if len(sys.argv) > 5 else "knock.invalid.example"
    socks = []
    for i in range(sources):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((f"127.0.7.{1 + i % 250}" if sources > 1 else "127.0.6.99", 0))
        s.setblocking(False)
        socks.append(s)
    target = (host, int(port))
    sent = answered = 0
    start = time.monotonic()
    end = start + seconds
    while True:
        now = time.monotonic()
        if now >= end:
            break
        due = int((now - start) * rate)
        while sent < due:
            s = socks[sent % len(socks)]
            me = s.getsockname()
            msg = (f"INVITE sip:100@{domain} SIP/2.0\r\n"
                   f"Via: SIP/2.0/UDP {me[0]}:{me[1]};branch=z9hG4bK-k{sent}\r\n"
                   f"Max-Forwards: 70\r\nFrom: <sip:scan@{domain}>;tag={sent}\r\nTo: <sip:100@{domain}>\r\n"
                   f"Call-ID: knock-{sent}@{me[0]}\r\nCSeq: 1 INVITE\r\nUser-Agent: pbx\r\n"
                   f"Content-Length: 0\r\n\r\n").encode()
            try:
                s.sendto(msg, target)
                sent += 1
            except BlockingIOError:
                break
        for s in socks:
            try:
                while True:
                    s.recv(65535)
                    answered += 1
            except BlockingIOError:
                pass
        time.sleep(0.0005)
    elapsed = time.monotonic() - start
    print(f"sent={sent} answered={answered} rate={sent / elapsed:.0f}")


if __name__ == "__main__":
    main()
