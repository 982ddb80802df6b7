#!/usr/bin/env python3
"""Send a request to HOST:PORT one byte a second, for at most LIMIT bytes.

  slow-client.py HOST PORT LIMIT

Exits 0 when the server dropped the connection before the request was all
sent (what a server that times out slow clients does), 1 when all LIMIT
bytes went out and the connection is still open, 2 on a connect failure.
"""
import socket
import sys
import time

host, port, limit = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
req = ("GET / HTTP/1.1\r\nHost: %s:%d\r\nX-Padding: " % (host, port)).encode() + b"a" * limit
try:
    s = socket.create_connection((host, port), timeout=5)
except OSError as e:
    print("connect: %s" % e)
    sys.exit(2)
s.settimeout(0.05)
for i in range(limit):
    try:
        s.send(req[i:i + 1])
    except OSError as e:
        print("dropped after %d bytes (%s)" % (i, e.__class__.__name__))
        sys.exit(0)
    try:
        if s.recv(4096) == b"":
            print("dropped after %d bytes (closed)" % (i + 1))
            sys.exit(0)
    except socket.timeout:
        pass
    except OSError as e:
        print("dropped after %d bytes (%s)" % (i + 1, e.__class__.__name__))
        sys.exit(0)
    time.sleep(1)
print("sent all %d bytes, still connected" % limit)
sys.exit(1)
