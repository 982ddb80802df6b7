#!/usr/bin/env python3
"""bench/serve.py — the web app's latency under 50 concurrent clients.

  python3 bench/serve.py PLSYNC [--clients 50] [--requests 200] [--entries 500]

Makes a school in a temporary data dir (staff, an account, ENTRIES pd_entry
records), starts `PLSYNC serve` on a free port of 127.0.0.1, logs each
client in (its own session), then every client sends REQUESTS requests on
one kept-alive connection for each of:

  /style.css              the baseline: an embedded file served the same way
                          (MHD, the same checks and headers, no store, no session)
  /api/v1/records/ID      one record as JSON (session, store lock, one read)
  /records/ID             one record's page (its fields and history)
  /                       the home page (a scan of the clerk's lists)

and prints p50 / p99 / max latency and requests a second for each, and the
server's resident memory (VmRSS, VmHWM). Figures are printed, never
asserted. Standard library only.
"""
import http.client
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse


def arg(name, default):
    if name in sys.argv:
        return int(sys.argv[sys.argv.index(name) + 1])
    return default


def run(plsync, env, *args, stdin=None):
    return subprocess.run([plsync] + list(args), env=env, input=stdin, capture_output=True,
                          text=True, check=True).stdout


def login(port):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("GET", "/login")
    r = c.getresponse()
    body = r.read().decode()
    cookie = re.search(r"plsync_login=([0-9a-f]+)", r.getheader("Set-Cookie")).group(1)
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', body).group(1)
    form = urllib.parse.urlencode({"user": "E400", "password": "password-E400", "csrf": csrf})
    c.request("POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded",
                                       "Cookie": "plsync_login=" + cookie})
    r = c.getresponse()
    r.read()
    session = re.search(r"plsync_session=([0-9a-f]+)", r.getheader("Set-Cookie")).group(1)
    c.close()
    return session


def client(port, session, path, n, out, errors):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    hdrs = {"Cookie": "plsync_session=" + session}
    for _ in range(n):
        t0 = time.monotonic()
        try:
            c.request("GET", path, headers=hdrs)
            r = c.getresponse()
            r.read()
            if r.status != 200:
                errors.append(r.status)
        except Exception as e:  # counted, and the connection made again
            errors.append(str(e))
            c.close()
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        out.append(time.monotonic() - t0)
    c.close()


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))] if xs else 0.0


def main():
    if len(sys.argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    plsync = sys.argv[1]
    clients, requests, entries = arg("--clients", 50), arg("--requests", 200), arg("--entries", 500)
    tmp = tempfile.mkdtemp(prefix="plsync-bench-serve-")
    env = dict(os.environ, PLSYNC_DIR=os.path.join(tmp, "lin"), PLSYNC_TODAY="2026-10-01")
    srv = None
    try:
        run(plsync, env, "init", "--node", "LIN01", "--name", "Lincoln Elementary", "--user", "Bench <b@x>")
        run(plsync, env, "add", "school", "--id", "LIN01", "code=LIN01", "name=Lincoln", "level=elementary")
        run(plsync, env, "add", "staff", "--id", "E200", "name=Pat Rivera", "category=certified", "school=LIN01")
        run(plsync, env, "add", "staff", "--id", "E400", "name=Cy Diaz", "category=noninstructional", "school=LIN01")
        run(plsync, env, "add", "staff", "--id", "E100", "name=Ann Lee", "category=certified", "school=LIN01",
            "supervisor=E200", "budget_manager=E200")
        csv = os.path.join(tmp, "pd.csv")
        with open(csv, "w") as f:
            f.write("staff,title,type,start,status\n")
            for i in range(entries):
                f.write("E100,Workshop %d,workshop,2026-09-%02d,requested\n" % (i, i % 28 + 1))
        run(plsync, env, "import", "pd_entry", csv)
        run(plsync, env, "user", "add", "E400", "--role", "clerk", "--password-stdin", stdin="password-E400\n")
        rid = run(plsync, env, "ls", "pd_entry").splitlines()[1].split()[0]
        srv = subprocess.Popen([plsync, "serve", "--listen", "127.0.0.1:0"], env=env, stdout=subprocess.PIPE,
                               text=True)
        m = re.search(r":(\d+)/", srv.stdout.readline())
        port = int(m.group(1))
        sessions = [login(port) for _ in range(clients)]
        print("plsync serve: %d clients at once, %d requests each per path, %d pd_entries, "
              "one kept-alive connection per client, 127.0.0.1" % (clients, requests, entries))
        print("%-22s %9s %9s %9s %10s %7s" % ("path", "p50 ms", "p99 ms", "max ms", "req/s", "errors"))
        for path in ("/style.css", "/api/v1/records/" + rid, "/records/" + rid, "/"):
            lat, errors, threads = [], [], []
            t0 = time.monotonic()
            for s in sessions:
                t = threading.Thread(target=client, args=(port, s, path, requests, lat, errors))
                t.start()
                threads.append(t)
            for t in threads:
                t.join()
            wall = time.monotonic() - t0
            name = path if len(path) < 22 else path[:19] + "..."
            print("%-22s %9.2f %9.2f %9.2f %10.0f %7d" % (name, pct(lat, .5) * 1e3, pct(lat, .99) * 1e3,
                                                         max(lat) * 1e3, len(lat) / wall, len(errors)))
        with open("/proc/%d/status" % srv.pid) as f:
            mem = dict(line.split(":", 1) for line in f if line.startswith(("VmRSS", "VmHWM")))
        print("server memory: VmRSS %s, VmHWM %s (the peak includes one Argon2id hash: 64 MiB per login at once)"
              % (mem["VmRSS"].strip(), mem["VmHWM"].strip()))
    finally:
        if srv:
            srv.terminate()
            srv.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
