#!/usr/bin/env python3
"""A silent git server, and a browser whose request is in flight while a
sync times out on it.

  inflight.py PORTFILE WEBPORT

Listens on a free port of 127.0.0.1 (written to PORTFILE) and, for the first
connection it accepts (a sync's: its watch has started then), says nothing.
Meanwhile it opens a connection to the web server on WEBPORT and sends half
of a GET /healthz. When the sync's connection ends (the sync's watch cut it
at sync.timeout), it sends the rest of the request and prints the answer's
status line ("HTTP/1.1 200 OK"), or "dropped: ..." when the web connection
was cut too; then it goes on accepting and saying nothing until killed.
Exits 2 when nothing happens for 60 s.
"""
import socket
import sys

portfile, webport = sys.argv[1], int(sys.argv[2])
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.bind(("127.0.0.1", 0))
srv.listen(4)
srv.settimeout(60)
with open(portfile + ".tmp", "w") as f:
    f.write("%d\n" % srv.getsockname()[1])
import os
os.rename(portfile + ".tmp", portfile)
try:
    git, _ = srv.accept()
except socket.timeout:
    print("no sync came")
    sys.exit(2)
git.settimeout(60)
req = ("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n" % webport).encode()
web = socket.create_connection(("127.0.0.1", webport), timeout=60)
web.sendall(req[:20])
try:
    while git.recv(4096):  # the sync's request; then its end
        pass
except socket.timeout:
    print("the sync never gave up")
    sys.exit(2)
except OSError:
    pass
try:
    web.sendall(req[20:])
    answer = b""
    while b"\r\n" not in answer:
        chunk = web.recv(4096)
        if not chunk:
            break
        answer += chunk
except OSError as e:
    print("dropped: %s" % e.__class__.__name__)
    sys.exit(0)  # (the test then fails: nothing more to check)
line = answer.split(b"\r\n")[0].decode("latin-1")
print(line if line else "dropped: closed", flush=True)
# then stay the silent server the later syncs find, until killed
held = []
srv.settimeout(None)
while True:
    c, _ = srv.accept()
    held.append(c)
