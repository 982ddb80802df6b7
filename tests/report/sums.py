#!/usr/bin/env python3
"""Check the tables of an HTML report (tests/report/t-board.sh): in every
table whose last row is its total (class "total"), each numeric cell of the
total equals the sum of that column's rows (hours, counts, dollars). Prints
"checked N sums in M tables"; exits 1 naming the first that does not add up.
Standard library only."""
import re
import sys
from html.parser import HTMLParser


class Tables(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables, self.row, self.cell, self.section = [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section":
            self.section = a.get("id")
        elif tag == "table":
            self.tables.append({"id": self.section, "rows": [], "head": []})
        elif tag == "tr" and self.tables:
            self.row = {"total": a.get("class") == "total", "cells": []}
        elif tag in ("td", "th") and self.row is not None:
            self.cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.row is not None and self.cell is not None:
            self.row["cells"].append(self.cell.strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.tables[-1]["rows"].append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def number(s):
    s = s.replace("$", "").replace(",", "")
    return round(float(s) * 100) if re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", s) else None


# the columns that are not sums (a mean, a count of entries naming a standard,
# and the count of people, who may be in several rows)
NOT_SUMS = {"Mean (1-5)", "Participations naming it", "Participants"}

p = Tables()
p.feed(open(sys.argv[1], encoding="utf-8").read())
checked = tables = 0
for t in p.tables:
    rows = t["rows"]
    if not rows or not rows[-1]["total"]:
        continue
    head, body, total = rows[0]["cells"], rows[1:-1], rows[-1]["cells"]
    tables += 1
    for c, cell in enumerate(total):
        v = number(cell)
        if v is None or c == 0 or (c < len(head) and head[c] in NOT_SUMS):
            continue
        s = sum(number(r["cells"][c]) or 0 for r in body)
        if s != v:
            print(f"table {t['id']}: column {head[c]!r} adds up to {s / 100:.2f}, its total is {cell}")
            sys.exit(1)
        checked += 1
print(f"checked {checked} sums in {tables} tables")
