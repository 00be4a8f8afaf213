#!/usr/bin/env python3
"""usage: knock.py HOST:PORT RATE SECONDS [DOMAIN]

Sends door-knock INVITEs (an unknown domain, fresh Call-ID each) at RATE packets per second for
SECONDS, from one UDP socket, and prints how many it sent. A proxy doing its job answers none.
"""
import socket
import sys
import time


def main():
    host, port = sys.argv[1].rsplit(":", 1)
    rate, seconds = int(sys.argv[2]), float(sys.argv[3])
    domain = sys.argv[4] if len(sys.argv) > 4 else "knock.invalid.example"
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.setblocking(False)
    me = s.getsockname()
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
