#!/usr/bin/env python3
"""Drive the web app in Debian's headless Chromium (for tests/web/t-browser.sh).

  browser-flow.py CHROMIUM BASE_URL < COMMANDS

reuses the DevTools pipe of tests/report/browser.py. One command a line
(shlex words); each prints one line, "ok - ..." or "not ok - ...":

  go PATH              open BASE_URL + PATH, wait for the load
  fill NAME VALUE      set the form field named NAME (input, select, textarea)
  click TEXT           click the button whose text is TEXT, wait for the next page
  expect TEXT          the page's text holds TEXT
  absent TEXT          it does not
  path                 prints "path /records/..." (the page's path)
  shot PNG             a full-page screenshot
  clean                no console message, exception, CSP report or failed load so far

Forms are filled and buttons clicked as a person would; the pages themselves
have no script.
"""
import base64
import os
import shlex
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "report"))
from browser import Pipe  # noqa: E402


class Tab:
    def __init__(self, b, base):
        self.b, self.base = b, base
        target = b.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.s = b.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for m in ("Runtime.enable", "Log.enable", "Page.enable", "Network.enable"):
            b.call(m, session=self.s)
        b.call("Emulation.setDeviceMetricsOverride",
               {"width": 1100, "height": 900, "deviceScaleFactor": 1, "mobile": False}, session=self.s)
        self.problems = []

    def collect(self):
        for ev in self.b.events:
            meth, p = ev.get("method"), ev.get("params", {})
            if meth == "Runtime.exceptionThrown":
                self.problems.append("exception: %s" % p["exceptionDetails"].get("text"))
            elif meth == "Runtime.consoleAPICalled":
                self.problems.append("console.%s" % p.get("type"))
            elif meth == "Log.entryAdded" and p["entry"].get("level") in ("error", "warning"):
                self.problems.append("%s: %s" % (p["entry"].get("source"), p["entry"].get("text")))
            elif meth == "Network.loadingFailed":
                self.problems.append("load failed: %s" % p.get("errorText"))
        self.b.events = []

    def js(self, expr):
        r = self.b.call("Runtime.evaluate", {"expression": expr, "returnByValue": True}, session=self.s)
        return r.get("result", {}).get("value")

    def load(self, action):
        self.collect()
        action()
        self.b.wait_event("Page.loadEventFired")

    def go(self, path):
        self.load(lambda: self.b.call("Page.navigate", {"url": self.base + path.lstrip("/")}, session=self.s))
        return True, path

    def fill(self, name, value):
        expr = ("(function(){var e=document.querySelector('[name=' + %s + ']');"
                "if(!e) return false; e.value=%s; return e.value === %s;})()"
                % (json_str(json_str(name)), json_str(value), json_str(value)))
        return bool(self.js(expr)), "%s=%s" % (name, value)

    def click(self, text):
        find = ("(function(){var bs=document.querySelectorAll('button');"
                "for(var i=0;i<bs.length;i++) if(bs[i].textContent.trim()===%s) return i; return -1;})()"
                % json_str(text))
        i = self.js(find)
        if i is None or i < 0:
            return False, "no button '%s'" % text
        self.load(lambda: self.js("document.querySelectorAll('button')[%d].click()" % i))
        return True, "clicked '%s'" % text

    def text(self):
        return self.js("document.body ? document.body.innerText : ''") or ""

    def shot(self, png):
        m = self.b.call("Page.getLayoutMetrics", session=self.s)
        size = m.get("cssContentSize") or m.get("contentSize")
        height = min(int(size["height"]) + 1, 8000)
        self.b.call("Emulation.setDeviceMetricsOverride",
                    {"width": 1100, "height": max(height, 300), "deviceScaleFactor": 1, "mobile": False},
                    session=self.s)
        shot = self.b.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True},
                           session=self.s, timeout=60)
        with open(png, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        return True, png


def json_str(s):
    import json
    return json.dumps(s)


def main():
    chromium, base = sys.argv[1], sys.argv[2]
    profile = tempfile.mkdtemp(prefix="plsync-web-chromium-")
    b = Pipe(chromium, profile)
    failed = 0
    try:
        tab = Tab(b, base)
        for line in sys.stdin:
            words = shlex.split(line)
            if not words:
                continue
            cmd, args = words[0], words[1:]
            try:
                if cmd == "go":
                    good, what = tab.go(args[0])
                elif cmd == "fill":
                    good, what = tab.fill(args[0], args[1])
                elif cmd == "click":
                    good, what = tab.click(args[0])
                elif cmd == "expect":
                    good, what = args[0] in tab.text(), "the page shows '%s'" % args[0]
                elif cmd == "absent":
                    good, what = args[0] not in tab.text(), "the page does not show '%s'" % args[0]
                elif cmd == "path":
                    print("path %s" % tab.js("location.pathname"))
                    continue
                elif cmd == "shot":
                    good, what = tab.shot(args[0])
                elif cmd == "clean":
                    tab.collect()
                    good = not tab.problems
                    what = "no console message, exception or failed load" + (
                        "" if good else ": " + "; ".join(tab.problems))
                    tab.problems = []
                else:
                    good, what = False, "unknown command %s" % cmd
            except Exception as e:  # a step that broke is a failed step
                good, what = False, "%s: %s" % (line.strip(), e)
            if not good:
                failed += 1
            print("%s - %s: %s" % ("ok" if good else "not ok", cmd, what))
            sys.stdout.flush()
    finally:
        b.close()
        shutil.rmtree(profile, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
