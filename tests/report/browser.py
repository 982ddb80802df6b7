#!/usr/bin/env python3
"""Helpers for tests/report/t-browser.sh (standard library only).

  browser.py render CHROMIUM URL PNG   open URL in headless Chromium through the
                                       DevTools protocol (--remote-debugging-pipe),
                                       collect console messages, uncaught
                                       exceptions and failed loads, and save a
                                       full-page screenshot to PNG. Prints one
                                       line per problem ("error: ..."); exits 1
                                       if there was any, 2 if Chromium failed.
  browser.py pngcheck PNG              decode the PNG (zlib, no libraries) and
                                       print "WIDTHxHEIGHT COLOURS INKED%"; exits
                                       1 unless it is a real, non-blank picture.
"""
import base64
import json
import os
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--remote-debugging-pipe",
]


class Pipe:
    """The DevTools protocol over fds 3 (to Chromium) and 4 (from Chromium)."""

    def __init__(self, chromium, profile):
        to_r, self.to_w = os.pipe()
        self.from_r, from_w = os.pipe()

        def fds():
            os.dup2(to_r, 3)
            os.dup2(from_w, 4)

        self.proc = subprocess.Popen(
            [chromium] + FLAGS + ["--user-data-dir=" + profile, "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=fds, close_fds=True, pass_fds=(3, 4))
        os.close(to_r)
        os.close(from_w)
        self.buf = b""
        self.next_id = 0
        self.events = []

    def send(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_w, json.dumps(msg).encode() + b"\0")
        return self.next_id

    def read(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.time()
            if left <= 0:
                raise TimeoutError("no answer from Chromium")
            r, _, _ = select.select([self.from_r], [], [], left)
            if r:
                chunk = os.read(self.from_r, 1 << 20)
                if not chunk:
                    raise EOFError("Chromium closed the pipe")
                self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=None, timeout=30):
        want = self.send(method, params, session)
        deadline = time.time() + timeout
        while True:
            msg = self.read(deadline)
            if msg.get("id") == want:
                if "error" in msg:
                    raise RuntimeError("%s: %s" % (method, msg["error"]))
                return msg.get("result", {})
            self.events.append(msg)

    def wait_event(self, name, timeout=30):
        deadline = time.time() + timeout
        for i, ev in enumerate(self.events):
            if ev.get("method") == name:
                return ev
        while True:
            msg = self.read(deadline)
            self.events.append(msg)
            if msg.get("method") == name:
                return msg

    def drain(self, seconds):
        deadline = time.time() + seconds
        try:
            while True:
                self.events.append(self.read(deadline))
        except TimeoutError:
            pass

    def close(self):
        try:
            self.send("Browser.close")
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
            self.proc.wait()
        os.close(self.to_w)
        os.close(self.from_r)


def render(chromium, url, png):
    profile = tempfile.mkdtemp(prefix="plsync-chromium-")
    problems = []
    b = None
    try:
        b = Pipe(chromium, profile)
        target = b.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        s = b.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for m in ("Runtime.enable", "Log.enable", "Page.enable", "Network.enable"):
            b.call(m, session=s)
        b.call("Emulation.setDeviceMetricsOverride",
               {"width": 1100, "height": 1400, "deviceScaleFactor": 1, "mobile": False}, session=s)
        b.call("Page.navigate", {"url": url}, session=s)
        b.wait_event("Page.loadEventFired")
        b.drain(1.0)  # late errors, if any
        m = b.call("Page.getLayoutMetrics", session=s)
        size = m.get("cssContentSize") or m.get("contentSize")
        height = min(int(size["height"]) + 1, 12000)
        b.call("Emulation.setDeviceMetricsOverride",
               {"width": 1100, "height": height, "deviceScaleFactor": 1, "mobile": False}, session=s)
        shot = b.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True},
                      session=s, timeout=60)
        with open(png, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        for ev in b.events:
            meth, p = ev.get("method"), ev.get("params", {})
            if meth == "Runtime.exceptionThrown":
                d = p["exceptionDetails"]
                text = d.get("exception", {}).get("description") or d.get("text")
                problems.append("uncaught exception: %s" % text)
            elif meth == "Runtime.consoleAPICalled":
                args = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
                problems.append("console.%s: %s" % (p.get("type"), args))
            elif meth == "Log.entryAdded" and p["entry"].get("level") in ("error", "warning"):
                e = p["entry"]
                problems.append("%s %s: %s %s" % (e.get("source"), e.get("level"), e.get("text"),
                                                  e.get("url", "")))
            elif meth == "Network.loadingFailed":
                problems.append("load failed: %s" % p.get("errorText"))
    except Exception as e:  # Chromium itself failed
        print("chromium: %s" % e)
        return 2
    finally:
        if b:
            b.close()
        shutil.rmtree(profile, ignore_errors=True)
    for line in problems:
        print("error: " + line)
    return 1 if problems else 0


def png_pixels(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    pos, idat, w = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or ctype not in (2, 6) or interlace:
                raise ValueError("unexpected PNG format (depth %d, colour type %d)" % (depth, ctype))
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    if w is None:
        raise ValueError("no IHDR chunk")
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    rows, off = [], 0
    for _ in range(h):
        f, line = raw[off], bytearray(raw[off + 1:off + 1 + stride])
        off += 1 + stride
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


def pngcheck(path):
    try:
        w, h, bpp, rows = png_pixels(path)
    except Exception as e:
        print("bad png: %s" % e)
        return 1
    colours, inked, total = set(), 0, 0
    for y in range(0, h, 2):
        row = rows[y]
        for x in range(0, w, 2):
            px = row[x * bpp:x * bpp + 3]
            colours.add(px)
            total += 1
            if px != b"\xff\xff\xff":
                inked += 1
    pct = 100.0 * inked / max(total, 1)
    print("%dx%d %d %.1f%%" % (w, h, len(colours), pct))
    return 0 if w >= 200 and h >= 200 and len(colours) >= 16 and pct >= 1.0 else 1


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "render":
        sys.exit(render(sys.argv[2], sys.argv[3], sys.argv[4]))
    if len(sys.argv) == 3 and sys.argv[1] == "pngcheck":
        sys.exit(pngcheck(sys.argv[2]))
    sys.stderr.write(__doc__)
    sys.exit(2)
