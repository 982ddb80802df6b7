#!/bin/sh
# The HTML report in a real browser: Debian's headless Chromium opens it
# through the DevTools protocol (tests/report/browser.py), which reports any
# console message, uncaught exception or failed load, and takes a full-page
# screenshot that must decode as a PNG and not be blank. Control pages with a
# script error, a missing image and nothing on them show that each check can
# fail. Chromium is installed with apt-get when missing (root, Debian 12).
. "$(dirname "$0")/../lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
export PLSYNC_DIR="$T/lin" PLSYNC_TODAY=2026-07-15
p() { "$PLSYNC" "$@"; }
render() { python3 "$here/browser.py" render "$CHROMIUM" "file://$1" "$2"; }
pngcheck() { python3 "$here/browser.py" pngcheck "$1"; }

need_chromium
desc "Debian's chromium is installed"; ok "$CHROMIUM" --version

# A school year of records: two goals, approved and completed PD with
# evaluations, PLC meetings, and a few findings.
p init --node LIN01 --name "Lincoln Elementary" --user "Ann Lee <ann@lincoln.example>" >/dev/null
p add school --id LIN01 code=LIN01 name="Lincoln Elementary" level=elementary enrollment=412 >/dev/null
p add staff --id E200 name="Pat Rivera" category=certified role=Principal school=LIN01 >/dev/null
p add staff --id E300 name="Sam Ortiz" category=noninstructional school=LIN01 >/dev/null
p add staff --id E100 name="Ann Lee" category=certified school=LIN01 supervisor=E200 budget_manager=E300 \
	license_expires=2026-12-31 renewal_hours_required=90 >/dev/null
p add staff --id E101 name="Bo Chen" category=certified school=LIN01 supervisor=E200 budget_manager=E300 >/dev/null
plan=$(p add plan school=LIN01 year=2025-2026 mission="Every student reads and reasons <well> & more")
g1=$(p add goal plan="$plan" number=1 statement="Raise grade 4 math proficiency to 70%" measure="state test" \
	outcome_y1="64%" outcome_y2="67%" outcome_y3="70%")
g2=$(p add goal plan="$plan" number=2 statement="Every reader on grade level by grade 3" measure="DIBELS")
a1=$(p add activity goal="$g1" title="Fractions" initial.what="Workshop" followup.what="Lesson study" \
	standards=learning_designs,implementation budget_cents=250000 funding=federal:title-ii-a)
i=0
for spec in "E100 workshop 2025-09-14 6.5 federal:title-ii-a learning_designs,curriculum_assessment_instruction" \
            "E101 course 2025-11-30 20 state equity_practices,professional_expertise" \
            "E100 conference 2026-03-04 12 federal:title-ii-a leadership,evidence" \
            "E101 coaching 2026-05-10 3 local implementation,data"; do
	set -- $spec
	i=$((i + 1))
	id=$(p request staff="$1" title="PD $i \"quoted\" <b>" type="$2" start="$3" cost_cents=$((i * 10000)) \
		funding="$5" standards="$6" goal="$g1")
	p approve "$id" --as supervisor --by E200 >/dev/null
	p approve "$id" --as budget --by E300 >/dev/null
	p complete "$id" --hours "$4" >/dev/null || echo "# complete $id failed" >&2
	p evaluate "$id" reaction=$((i % 5 + 1)) learning=4 org_support=3 >/dev/null
done
p add plc_meeting group="Grade 4 math" school=LIN01 date=2025-10-05 minutes=50 attendees=E100,E101 \
	standards=learning_communities >/dev/null
p add plc_meeting group="Grade 4 math" school=LIN01 date=2026-02-01 minutes=45 attendees=E100 >/dev/null
p add pd_entry staff=E101 title="Unapproved" type=seminar start=2025-12-01 hours=2 status=completed >/dev/null

desc "the report (the board's) is written as HTML"
ok p report --year 2025-2026 --format html --out "$T/report.html"
desc "the plan is written as HTML"
ok p plan show "$plan" --format html --out "$T/plan.html"

# The checks can fail: a script error, a missing image and a blank page.
printf '<!DOCTYPE html><html><body><p>x</p><script>undefinedFn();</script></body></html>\n' > "$T/bad.html"
desc "a page with a script error is caught"; fails 1 render "$T/bad.html" "$T/bad.png"
like "$(cat "$T/.out")" 'uncaught exception: ReferenceError: undefinedFn' "the error is reported"
printf '<!DOCTYPE html><html><body><img src="missing.png"></body></html>\n' > "$T/missing.html"
desc "a page that fails to load an image is caught"; fails 1 render "$T/missing.html" "$T/missing.png"
printf '<!DOCTYPE html><html><body></body></html>\n' > "$T/blank.html"
desc "a blank page renders"; ok render "$T/blank.html" "$T/blank.png"
desc "a blank screenshot is judged blank"; fails 1 pngcheck "$T/blank.png"

# The report itself.
desc "the HTML report renders in Chromium with no console message, exception or failed load"
ok render "$T/report.html" "$T/report.png"
is "$(cat "$T/.out")" "" "nothing was reported"
is "$(head -c 8 "$T/report.png" | od -An -c | tr -d ' \n')" '211PNG\r\n032\n' "the screenshot is a PNG"
desc "the screenshot is not blank"; ok pngcheck "$T/report.png"
like "$(cat "$T/.out")" '^1100x[0-9]{4,} [0-9]+ [0-9.]+%$' "the full page was captured ($(cat "$T/.out"))"
# Both versions of the report (the board's is the default) render as cleanly.
desc "the coordinator's report and the board's with staff names are written"
ok p report --year 2025-2026 --for coordinator --out "$T/coord.html"
ok p report --year 2025-2026 --staff names --out "$T/names.html"
desc "the coordinator's HTML report renders with no console message, exception or failed load"
ok render "$T/coord.html" "$T/coord.png"
is "$(cat "$T/.out")" "" "nothing was reported"
desc "its screenshot is not blank"; ok pngcheck "$T/coord.png"
desc "the board's report with staff names renders with no console message, exception or failed load"
ok render "$T/names.html" "$T/names.png"
is "$(cat "$T/.out")" "" "nothing was reported"
desc "its screenshot is not blank"; ok pngcheck "$T/names.png"
desc "the HTML plan renders with no console message, exception or failed load"
ok render "$T/plan.html" "$T/plan.png"
desc "the plan screenshot is not blank"; ok pngcheck "$T/plan.png"

done_testing
