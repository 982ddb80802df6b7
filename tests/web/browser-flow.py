#!/usr/bin/env python3
"""Drive the web app in Debian's headless Chromium (for tests/web/t-browser.sh).

  browser-flow.py CHROMIUM BASE_URL < COMMANDS

reuses the DevTools pipe of tests/report/browser.py. One command a line
(shlex words); each prints one line, "ok - ..." or "not ok - ...":

  go PATH              open BASE_URL + PATH, wait for the load
  fill NAME VALUE      set the form field named NAME (input, select, textarea)
  pick NAME VALUE...   select those options of the (multiple) select NAME, or
                       check those of the checkboxes NAME (the rest unchecked)
  upload NAME FILE     put FILE in the file input NAME (as the file picker would)
  select NAME TEXT     in the select NAME, pick the option whose text is TEXT
  click TEXT           click the button whose text is TEXT, wait for the next page
  follow TEXT          click the link whose text is TEXT, wait for the next page
  near FIELD TEXT      the form's field FIELD (its block, id f-FIELD) shows TEXT:
                       the error next to the field
  value NAME VALUE     the field NAME holds VALUE (what was typed is kept)
  expect TEXT          the page's text holds TEXT
  absent TEXT          it does not
  path                 prints "path /records/..." (the page's path)
  shot PNG             a full-page screenshot
  clean [ALLOWED]      no console message, exception, CSP report or failed load so far
                       (but those holding ALLOWED: "status of 422", a form refused)

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

    def pick(self, name, values):
        expr = ("(function(){var want=%s, es=document.querySelectorAll('[name=' + %s + ']'), n=0;"
                "if(!es.length) return -1;"
                "for(var i=0;i<es.length;i++){var e=es[i];"
                " if(e.tagName==='SELECT'){for(var j=0;j<e.options.length;j++){"
                "  e.options[j].selected=want.indexOf(e.options[j].value)>=0; n+=e.options[j].selected;}}"
                " else {e.checked=want.indexOf(e.value)>=0; n+=e.checked;}}"
                "return n;})()" % (json_str(values), json_str(json_str(name))))
        return self.js(expr) == len(values), "%s=%s" % (name, ",".join(values))

    def upload(self, name, path):
        r = self.b.call("Runtime.evaluate", {"expression": "document.querySelector('[name=' + %s + ']')"
                                             % json_str(json_str(name))}, session=self.s)
        obj = r.get("result", {}).get("objectId")
        if not obj:
            return False, "no file input %s" % name
        self.b.call("DOM.setFileInputFiles", {"files": [os.path.abspath(path)], "objectId": obj}, session=self.s)
        n = self.js("document.querySelector('[name=' + %s + ']').files.length" % json_str(json_str(name)))
        return n == 1, "%s=%s" % (name, os.path.basename(path))

    def select(self, name, text):
        expr = ("(function(){var e=document.querySelector('[name=' + %s + ']'); if(!e) return false;"
                "for(var j=0;j<e.options.length;j++) if(e.options[j].textContent.trim()===%s)"
                "{e.selectedIndex=j; return true;} return false;})()" % (json_str(json_str(name)), json_str(text)))
        return bool(self.js(expr)), "%s: %s" % (name, text)

    def follow(self, text):
        find = ("(function(){var as=document.querySelectorAll('a');"
                "for(var i=0;i<as.length;i++) if(as[i].textContent.trim()===%s) return i; return -1;})()"
                % json_str(text))
        i = self.js(find)
        if i is None or i < 0:
            return False, "no link '%s'" % text
        self.load(lambda: self.js("document.querySelectorAll('a')[%d].click()" % i))
        return True, "followed '%s'" % text

    def near(self, field, text):
        got = self.js("(function(){var e=document.getElementById(%s); return e ? e.innerText : null;})()"
                      % json_str("f-" + field))
        return got is not None and text in got, "the field %s shows '%s'" % (field, text)

    def value(self, name, want):
        got = self.js("(function(){var e=document.querySelector('[name=' + %s + ']'); return e ? e.value : null;})()"
                      % json_str(json_str(name)))
        return got == want, "%s holds '%s'" % (name, want)

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
                elif cmd == "upload":
                    good, what = tab.upload(args[0], args[1])
                elif cmd == "select":
                    good, what = tab.select(args[0], args[1])
                elif cmd == "pick":
                    good, what = tab.pick(args[0], args[1:])
                elif cmd == "follow":
                    good, what = tab.follow(args[0])
                elif cmd == "near":
                    good, what = tab.near(args[0], args[1])
                elif cmd == "value":
                    good, what = tab.value(args[0], args[1])
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
                    if args:
                        tab.problems = [p for p in tab.problems if args[0] not in p]
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
