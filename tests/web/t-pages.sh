#!/bin/sh
# The web app's record forms over real HTTP (curl against `plsync serve`):
# every kind's form comes from the schema (a date input, a select for an
# enum, a picker with display names for a reference, a checkbox per
# standard, money in dollars); a refused value is shown next to the field
# the library names, with what was typed kept; a PLC meeting is added with
# its attendees (a multi-select); an edit writes only what changed; role
# checks (a teacher cannot open another's record edit nor add a school; a
# clerk cannot edit a plan); values are escaped; search finds staff by part
# of the name and PD by part of the title, only what the person may see.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/web.sh"
export PLSYNC_DIR="$T/lin" PLSYNC_TODAY=2027-03-01

desc "a school with staff and accounts"; ok school
desc "a coordinator account"; ok sh -c "'$PLSYNC' add staff --id E500 name='Di Coordinator' category=certified school=LIN01 >/dev/null &&
	printf 'password-E500\n' | '$PLSYNC' user add E500 --role coordinator --password-stdin >/dev/null"
desc "serve"; ok serve_start
is "$(login E400)" 303 "the clerk logs in"
is "$(login E100)" 303 "the teacher logs in"
is "$(login E500)" 303 "the coordinator logs in"
c400=$(csrf_of E400); c100=$(csrf_of E100); c500=$(csrf_of E500)

# the form from the schema
page=$(web E400 "${URL}new/plc_meeting")
is "$(cat "$T/.code")" 200 "the clerk opens the PLC meeting form"
like "$page" '<input type="date" name="date"' "the date is a date input"
like "$page" '<select name="attendees\[\]" multiple' "the attendees are a multi-select"
like "$page" '<option value="E100">Ann Lee \(E100\)</option>' "... listing staff by name"
like "$page" 'type="checkbox" name="standards\[\]" value="leadership"' "a checkbox per standard"
like "$page" 'name="csrf" value="[0-9a-f]{64}"' "the form carries the csrf field"
page=$(web E500 "${URL}new/activity")
like "$page" 'Budget \(dollars\)' "money is entered in dollars"
like "$page" 'name="followup.who"' "the follow-up's fields are in the form"
like "$page" '<select name="delivery"><option value=""></option><option value="in_person"' "an enum is a select"

# a PLC meeting with attendees
is "$(code E400 --data-urlencode group="Grade 3 team" --data-urlencode date=2027-02-10 --data-urlencode minutes=45 \
	--data-urlencode 'attendees[]=E100' --data-urlencode 'attendees[]=E101' --data-urlencode 'standards[]=leadership' \
	--data-urlencode school=LIN01 --data-urlencode "csrf=$c400" "${URL}new/plc_meeting")" 303 "the PLC meeting is added"
mid=$("$PLSYNC" ls plc_meeting | awk '/Grade 3/ {print $1}')
like "$mid" '^LIN01-' "it is in the store ($mid)"
is "$("$PLSYNC" show "$mid" --json | python3 -c 'import json,sys; f=json.load(sys.stdin)["fields"]; print(f["attendees"], f["standards"], f["minutes"])')" \
	"['E100', 'E101'] ['leadership'] 45" "with both attendees, the standard and the minutes"
like "$("$PLSYNC" log "$mid")" 'Cy Diaz \(E400\)' "the clerk is the actor"

# a bad value: the error next to the field, the typed values kept
page=$(web E400 --data-urlencode group="Bad date team" --data-urlencode date=2027-02-31 \
	--data-urlencode "csrf=$c400" "${URL}new/plc_meeting")
is "$(cat "$T/.code")" 422 "a bad date is refused (422)"
like "$(printf '%s' "$page" | tr -d '\n')" 'id="f-date">[^§]*value="2027-02-31"[^§]*<span class="field-error"[^>]*>[^<]*plc_meeting.date' \
	"the message is next to the date field, the typed date kept"
like "$page" 'value="Bad date team"' "the other typed values are kept"
is "$("$PLSYNC" ls plc_meeting | grep -c 'Bad date')" 0 "nothing was written"
page=$(web E400 --data-urlencode name="Ed Wu" --data-urlencode category=certified --data-urlencode email=not-an-email \
	--data-urlencode "csrf=$c400" "${URL}new/staff")
like "$(printf '%s' "$page" | tr -d '\n')" 'id="f-email">[^§]*<span class="field-error"' "a bad email: its message next to the email field"
page=$(web E500 --data-urlencode goal=NOPE --data-urlencode budget_cents=12x --data-urlencode "csrf=$c500" "${URL}new/activity")
like "$(printf '%s' "$page" | tr -d '\n')" 'id="f-budget_cents">[^§]*give dollars' "a bad dollar amount is shown at the budget"

# edit: only what changed, money in dollars
"$PLSYNC" add plan --id P1 school=LIN01 year=2026-2027 >/dev/null
"$PLSYNC" add goal --id G1 plan=P1 number=1 statement="Reading <b>first</b>" outcome_y2="old y2" >/dev/null
"$PLSYNC" add activity --id A1 goal=G1 title="Coaching" budget_cents=125050 >/dev/null
page=$(web E500 "${URL}edit/A1")
like "$page" 'value="1250.50"' "the budget is shown in dollars"
like "$page" '<option value="G1" selected>Goal 1: Reading &lt;b&gt;first&lt;/b&gt; \(G1\)</option>' \
	"the goal picker names the goal, escaped"
is "$(printf '%s' "$page" | grep -c '<b>first')" 0 "no raw markup from a value"
is "$(code E500 --data-urlencode goal=G1 --data-urlencode title=Coaching --data-urlencode budget_cents=1300 \
	--data-urlencode followup.who="Coach <i>" --data-urlencode "csrf=$c500" "${URL}edit/A1")" 303 "the coordinator edits the activity"
is "$("$PLSYNC" show A1 --json | python3 -c 'import json,sys; f=json.load(sys.stdin)["fields"]; print(f["budget_cents"], f["followup"]["who"])')" \
	"130000 Coach <i>" "the budget in cents, the follow-up who"
is "$("$PLSYNC" log A1 | tail -1 | grep -c "title=")" 0 "the unchanged title was not written again"

# the plan in the template's shape, edited from there
page=$(web E100 "${URL}plans/P1")
is "$(cat "$T/.code")" 200 "the plan page is 200 for a teacher"
like "$(printf '%s' "$page" | tr -d '\n')" 'Who We Are.*What We Believe.*What We Want to Accomplish.*Goal 1.*Year 2 outcome</th><td>old y2.*Coaching.*Coach &lt;i&gt;' \
	"the template's parts in order: profile, beliefs, goals with Year 1-3 outcomes, activities with follow-up"
is "$(printf '%s' "$page" | grep -c 'href="/edit/G1"')" 0 "a teacher gets no edit link"
like "$(web E500 "${URL}plans/P1")" 'href="/edit/G1"' "the coordinator gets one per goal"
like "$(web E500 "${URL}plans")" 'href="/plans/P1"' "the plans page lists the plan"
loc=$(curl -s -D - -o /dev/null -b "$T/E500.jar" --data-urlencode plan=P1 --data-urlencode number=1 \
	--data-urlencode statement="Reading <b>first</b>" --data-urlencode outcome_y2="New year 2" --data-urlencode "csrf=$c500" \
	"${URL}edit/G1" | sed -n 's/^Location: \(.*\)\r$/\1/p')
is "$loc" /plans/P1 "saving the goal goes back to the plan"
is "$("$PLSYNC" show G1 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["fields"]["outcome_y2"])')" "New year 2" \
	"the Year 2 outcome is changed"
is "$(code E100 "${URL}plans/NOPE")" 404 "an unknown plan is 404"

# roles
"$PLSYNC" add pd_entry --id PD1 staff=E101 title="Bo's course" type=course >/dev/null
"$PLSYNC" add pd_entry --id PD2 staff=E100 title="Ann's workshop on phonics" type=workshop status=requested >/dev/null
"$PLSYNC" add pd_entry --id PD4 staff=E100 title="Ann's approved course" type=course status=approved >/dev/null
is "$(code E100 "${URL}edit/PD1")" 403 "a teacher cannot open another's record edit"
is "$(code E100 --data-urlencode title=Hijack --data-urlencode "csrf=$c100" "${URL}edit/PD1")" 403 "nor post it"
is "$("$PLSYNC" show PD1 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["fields"]["title"])')" "Bo's course" \
	"the title is unchanged"
page=$(web E100 "${URL}edit/PD2")
is "$(cat "$T/.code")" 200 "the teacher opens her own PD's edit"
is "$(printf '%s' "$page" | grep -c 'name="staff"\|name="status"\|name="approvals')" 0 \
	"without the staff field nor the workflow's fields"
is "$(code E100 "${URL}edit/PD4")" 403 "nor once it is approved"
is "$(code E100 "${URL}new/school")" 403 "a teacher cannot add a school"
is "$(code E400 "${URL}edit/G1")" 403 "a clerk cannot edit a plan's goal"
is "$(code E100 "${URL}new/nothing")" 404 "an unknown kind is 404"
is "$(code E100 --data-urlencode group=x --data-urlencode date=2027-01-01 "${URL}new/plc_meeting")" 403 "a POST without csrf is 403"
like "$(web E100 "${URL}new")" 'href="/new/plc_meeting"' "the teacher's Add page offers a PLC meeting"
is "$(web E100 "${URL}new" | grep -c 'href="/new/school"')" 0 "... not a school"

# search
page=$(web E400 "${URL}search?q=ann")
like "$page" '<a href="/records/E100">Ann Lee</a>' "search finds a staff member by part of the name"
like "$page" "Ann&#39;s workshop|Ann&apos;s workshop|Ann's workshop" "and PD by part of the title"
page=$(web E100 "${URL}search?q=course")
is "$(printf '%s' "$page" | grep -c 'PD1')" 0 "a teacher does not find another's PD"
like "$(web E100 "${URL}search?q=%3Cscript%3E")" 'value="&lt;script&gt;"' "the query comes back escaped"
# the annual report (board and coordinator), print-friendly
"$PLSYNC" add pd_entry --id PD3 staff=E100 title="Phonics <institute>" type=institute status=completed \
	start=2026-09-10 end=2026-09-10 hours=6 cost_cents=25000 funding=federal:title-ii-a standards=leadership >/dev/null
page=$(web E500 "${URL}report?year=2026-2027")
is "$(cat "$T/.code")" 200 "the coordinator opens the board's report"
like "$page" '<h2>Summary</h2>' "with its summary"
like "$(printf '%s' "$page" | tr -d '\n')" '<th>Hours</th><td>7\.5</td>' "the hours of the year's completed PL and PLC meetings (6 + 2 x 45 min)"
like "$page" '\$250\.00' "money in dollars"
like "$page" 'Federal Title II-A' "the board's words for the funding"
is "$(printf '%s' "$page" | grep -c 'federal:title-ii-a')" 0 "no code in the board's version"
like "$(web E500 "${URL}report?year=2026-2027&for=coordinator")" 'federal:title-ii-a|LIN01' "the coordinator's version has the codes"
is "$(code E500 "${URL}report?year=nonsense")" 400 "a bad year is 400"
is "$(code E100 "${URL}report")" 403 "a teacher may not open the report"
is "$(code E400 "${URL}report")" 403 "nor a clerk"
like "$(web E100 "${URL}style.css")" '@media print\{header,form,button,nav' "the style sheet drops the navigation and forms in print"
like "$(web E100 "${URL}transcript")" 'Phonics &lt;institute&gt;' "the transcript shows the PD, escaped"

serve_stop
is "$SERVE_RC" 0 "the server stops cleanly on SIGTERM (under ASan: no leak, no error)"
done_testing
