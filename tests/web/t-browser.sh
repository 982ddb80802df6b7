#!/bin/sh
# The web app in a real browser: Debian's headless Chromium (driven through
# the DevTools protocol by tests/web/browser-flow.py, which reuses
# tests/report/browser.py) through the real server and its real forms, one
# person after another, each logged in as themselves:
#   the teacher requests a conference; the clerk (not her approver) gets no
#   approve button, and her hand-forged POST (curl, a valid session and
#   CSRF token of hers) is refused by the library's rule; the supervisor
#   and the budget manager approve under their own logins; the clerk
#   completes it; the teacher evaluates it; her transcript shows the hours;
#   `plsync log` names each of them as the op's actor.
# Every page loads with no console message, exception, CSP report or failed
# load, and the screenshots of the main pages are not blank.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/web.sh"
here=$(cd "$(dirname "$0")" && pwd)
export PLSYNC_DIR="$T/lin" PLSYNC_TODAY=2026-10-01

need_chromium

# Run browser-flow.py on the commands in $T/steps (a file, not a pipe, so
# that the loop counting the tests runs in this shell); each line it prints
# is a test.
flow() {
	python3 "$here/browser-flow.py" "$CHROMIUM" "$URL" <"$T/steps" >"$T/flow.out" 2>"$T/flow.err"
	steps
}
steps() {
	[ -s "$T/flow.out" ] || { is "no output" "steps" "Chromium ran the steps"; sed 's/^/# /' "$T/flow.err" >&2; }
	while IFS= read -r line; do
		case $line in
		"ok - "*) is 1 1 "${line#ok - }" ;;
		"not ok - "*) is 0 1 "${line#not ok - }" ;;
		esac
	done <"$T/flow.out"
}
# A person's login, as steps.
as() { printf 'go /login\nfill user %s\nfill password password-%s\nclick "Log in"\nexpect "Logged in as"\n' "$1" "$1"; }
pngcheck() { python3 "$here/../report/browser.py" pngcheck "$1"; }

desc "a school with staff and accounts"; ok school
desc "plsync serve starts (today 2026-10-01: before the conference)"; ok serve_start --today 2026-10-01

# 1. the teacher requests a conference
{ as E100; cat <<'EOF2'
shot home-teacher.png
go /requests/new
fill title "Math Conference <2027>"
fill type conference
fill provider NCTM
fill start 2026-10-12
fill end 2026-10-13
fill cost 450
fill funding federal:title-ii-a
click "Send the request"
expect "Math Conference <2027>"
expect "requested"
path
shot request.png
go /
expect "waiting for the supervisor and the budget manager"
clean
EOF2
} | sed "s|shot \([a-z-]*\.png\)|shot $T/\1|" >"$T/steps"; flow
id=$(sed -n 's|^path /records/||p' "$T/flow.out")
like "$id" '^LIN01-[0-9A-Z]+$' "the request's page is /records/$id"

# 2. the clerk is not her approver: no approve button; a forged POST is refused
printf '%s\n' "$(as E400)" "go /records/$id" 'expect "Math Conference <2027>"' 'absent "Approve as"' 'absent "Reject as"' \
	"shot $T/record-clerk.png" clean >"$T/steps"; flow
is "$(login E400)" 303 "the clerk logs in with curl"
csrf=$(csrf_of E400)
is "$(code E400 --data-urlencode "csrf=$csrf" --data-urlencode role=supervisor "${URL}records/$id/approve")" 403 \
	"her hand-forged approval as the supervisor is refused (403)"
like "$(cat "$T/.body")" 'E400 is not the recorded supervisor of E100' "by the library's rule, with its message"
is "$(code E400 --data-urlencode "csrf=$csrf" --data-urlencode role=budget "${URL}records/$id/approve")" 403 \
	"and as the budget manager too"
is "$(login E300)" 303 "the budget manager logs in with curl"
is "$(code E300 --data-urlencode "csrf=$(csrf_of E300)" --data-urlencode role=supervisor "${URL}records/$id/approve")" 403 \
	"the budget manager's forged approval as the supervisor is refused"
like "$(cat "$T/.body")" 'E300 is not the recorded supervisor of E100' "by the same rule"
is "$("$PLSYNC" show "$id" --json | python3 -c 'import json,sys; f=json.load(sys.stdin)["fields"]; print(f["status"], "approvals" in f)')" \
	"requested False" "nothing was written"

# 3. the supervisor approves; the budget manager has no supervisor's button
printf '%s\n' "$(as E200)" 'expect "My approval queue"' 'expect "your decision as supervisor"' "shot $T/home-approver.png" \
	"go /records/$id" 'absent "Approve as budget manager"' 'click "Approve as supervisor"' 'expect "waiting for"' \
	'absent "Approve as supervisor"' 'expect "approvals.supervisor.decision"' clean >"$T/steps"; flow

# 4. the budget manager approves
printf '%s\n' "$(as E300)" "go /records/$id" 'absent "Approve as supervisor"' 'click "Approve as budget manager"' \
	'expect "approved"' 'absent "Approve as"' clean >"$T/steps"; flow
is "$("$PLSYNC" show "$id" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["fields"]["status"])')" approved \
	"the entry is approved"

# 5. after the conference (a restart with another today; the sessions end
# with the server, the records stay): the clerk completes it
serve_stop
is "$SERVE_RC" 0 "the server stops on SIGTERM"
desc "plsync serve starts again (today 2026-10-20: after the conference)"; ok serve_start --today 2026-10-20
printf '%s\n' "$(as E400)" 'expect "Approved, to be completed"' "go /records/$id" 'fill hours 12' 'click "Mark completed"' \
	'expect "completed"' 'absent "Mark completed"' "go /staff" 'expect "Ann Lee"' 'expect "Pat Rivera"' \
	"shot $T/staff.png" clean >"$T/steps"; flow

# 6. the teacher evaluates it, and her transcript shows the hours
printf '%s\n' "$(as E100)" "go /records/$id" 'fill reaction 5' 'fill learning 4' 'fill org_support 3' \
	'click "Save the evaluation"' 'expect "evaluation.reaction"' 'absent "Save the evaluation"' "shot $T/record.png" \
	"go /transcript" 'expect "Math Conference <2027>"' 'expect "Total"' 'expect "12"' 'expect "12 of 90 hours done"' \
	"shot $T/transcript.png" clean >"$T/steps"; flow

# who did what
log=$("$PLSYNC" log "$id")
like "$log" 'Ann Lee \(E100\).*PD requested' "plsync log: the teacher requested it"
like "$log" 'Pat Rivera \(E200\) <pat@lincoln.example>.*supervisor approval by E200' "the supervisor approved it, as herself"
like "$log" 'Sam Ortiz \(E300\).*budget manager approval by E300' "the budget manager approved it, as himself"
like "$log" 'Cy Diaz \(E400\).*status=completed' "the clerk completed it"
like "$log" 'Ann Lee \(E100\).*evaluated' "the teacher evaluated it"
is "$(printf '%s\n' "$log" | grep -c Setup)" 0 "no op of the flow carries the data dir's configured user"

# 7. the pages for every job: a PLC meeting with its attendees, a bad value
# shown next to its field (what was typed kept, nothing written), the plan
# edited from its page, search by part of a name
"$PLSYNC" add staff --id E500 name="Di Moss" category=certified school=LIN01 >/dev/null
printf 'password-E500\n' | "$PLSYNC" user add E500 --role coordinator --password-stdin >/dev/null
"$PLSYNC" add plan --id P1 school=LIN01 year=2026-2027 mission="Every child reads" >/dev/null
"$PLSYNC" add goal --id G1 plan=P1 number=1 statement="Reading first" outcome_y2="to be set" >/dev/null
"$PLSYNC" add activity --id A1 goal=G1 title="Coaching cycles" followup.who="Literacy coach" >/dev/null
{ as E400; cat <<'EOF2'
follow Add
follow "a PLC meeting"
fill group "Grade 3 team"
fill date 2026-10-15
fill minutes 5000
pick attendees[] E100 E101
pick standards[] learning_designs
click Add
near minutes "plc_meeting.minutes"
value group "Grade 3 team"
value minutes 5000
shot form-error.png
fill minutes 45
pick attendees[] E100 E101
pick standards[] learning_designs
click Add
expect "Grade 3 team"
expect "E100, E101"
path
shot plc.png
follow Search
fill q "lee"
click Search
expect "Ann Lee"
absent "Bo Chen"
shot search.png
clean "status of 422"
EOF2
} | sed "s|shot \([a-z-]*\.png\)|shot $T/\1|" >"$T/steps"; flow
mid=$(sed -n 's|^path /records/||p' "$T/flow.out")
like "$mid" '^LIN01-[0-9A-Z]+$' "the PLC meeting's page is /records/$mid"
is "$("$PLSYNC" ls plc_meeting | grep -c 'Grade 3')" 1 "one meeting written (not the refused one)"
is "$("$PLSYNC" show "$mid" --json | python3 -c 'import json,sys; f=json.load(sys.stdin)["fields"]; print(f["attendees"], f["minutes"])')" \
	"['E100', 'E101'] 45" "with its attendees"
{ as E500; cat <<'EOF2'
follow Plans
follow "LIN01 2026-2027"
expect "What We Believe"
expect "Every child reads"
expect "Literacy coach"
follow "Edit the goal"
value outcome_y2 "to be set"
fill outcome_y2 "Grade 3 reading at 80% proficient"
click "Save the changes"
expect "What We Want to Accomplish"
expect "Grade 3 reading at 80% proficient"
shot plan.png
clean
EOF2
} | sed "s|shot \([a-z-]*\.png\)|shot $T/\1|" >"$T/steps"; flow
is "$("$PLSYNC" show G1 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["fields"]["outcome_y2"])')" \
	"Grade 3 reading at 80% proficient" "the goal's Year 2 outcome is changed in the store"
like "$("$PLSYNC" log G1)" 'Di Moss \(E500\)' "by the coordinator"
printf '%s\n' "$(as E500)" 'follow Report' 'expect "Summary"' 'expect "Professional Learning Report"' \
	"shot $T/report.png" 'follow Search' 'fill q "chen"' 'click Search' 'expect "Bo Chen"' clean >"$T/steps"; flow

# 8. the clerk imports a spreadsheet: its "Staff type" column names no field,
# so the preview lists an error per row and nothing is written; she maps
# the column to category, the preview is ready, she commits
printf 'id,Name,Staff type\nE600,Ida Park,certified\nE601,Jo Kim,noninstructional\n' >"$T/staff.csv"
{ as E400; cat <<EOF2
follow Import
select kind "a staff member"
upload file $T/staff.csv
click "Upload and preview"
expect "Staff type"
expect "2 problems: nothing can be imported yet"
expect "staff.category is required"
absent "Commit the import"
shot $T/import-errors.png
EOF2
} >"$T/steps"; flow
is "$("$PLSYNC" ls staff | grep -c 'E60')" 0 "nothing was written by the preview"
{ as E400; cat <<EOF2
follow Import
select kind "a staff member"
upload file $T/staff.csv
click "Upload and preview"
select map.2 category
click "Apply the mapping"
expect "2 new, 0 updated, 0 unchanged"
shot $T/import-ready.png
click "Commit the import"
expect "2 new"
clean "status of 4"
EOF2
} >"$T/steps"; flow
like "$("$PLSYNC" ls staff)" 'E600.*Ida Park' "plsync ls shows the imported staff member"
like "$("$PLSYNC" ls staff)" 'E601.*Jo Kim' "and the other"

for png in home-teacher request record-clerk home-approver staff record transcript form-error plc search plan \
           import-errors import-ready report; do
	desc "the screenshot $png.png is not blank"; ok pngcheck "$T/$png.png"
done

serve_stop
is "$SERVE_RC" 0 "the server stops on SIGTERM"
done_testing
