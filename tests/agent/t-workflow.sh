#!/bin/sh
# The professional learning workflows end to end: request -> approvals by the
# recorded supervisor and budget manager -> complete -> evaluate; a rejection;
# transcripts with totals; findings; the annual report in every format; and a
# plan printed in the template's shape. "Today" is fixed by PLSYNC_TODAY.
. "$(dirname "$0")/../lib.sh"
export PLSYNC_DIR="$T/lin" PLSYNC_TODAY=2026-11-20
p() { "$PLSYNC" "$@"; }
field() { # ID FIELD -> the value of one field as `plsync show` prints it
	p show "$1" | awk -v f="$2" '$1 == f { $1 = ""; sub(/^ /, ""); print }'
}
nops() { p log "$1" | wc -l | tr -d ' '; }
json_get() { # FILE PYTHON-EXPR: evaluate with j = the parsed JSON
	python3 -c "import json,sys; j = json.load(open(sys.argv[1])); print($2)" "$1"
}

p init --node LIN01 --name "Lincoln Elementary" --user "Ann Lee <ann@lincoln.example>" >/dev/null
p add school --id LIN01 code=LIN01 name="Lincoln Elementary" level=elementary enrollment=412 >/dev/null
p add staff --id E200 name="Pat Rivera" category=certified role=Principal school=LIN01 >/dev/null
p add staff --id E300 name="Sam Ortiz" category=noninstructional role="Business Manager" school=LIN01 >/dev/null
p add staff --id E100 name="Ann Lee" category=certified school=LIN01 supervisor=E200 budget_manager=E300 \
	license_number=CT-448812 license_expires=2027-03-31 renewal_hours_required=90 >/dev/null
p add staff --id E101 name="Bo Chen" category=certified school=LIN01 supervisor=E200 budget_manager=E300 >/dev/null
p add staff --id E102 name="Cy Diaz" category=certified school=LIN01 budget_manager=E300 >/dev/null
plan=$(p add plan school=LIN01 year=2026-2027 profile="K-5, 412 students" mission="Every student reads and reasons")
goal=$(p add goal plan="$plan" number=1 statement="Raise grade 4 math proficiency to 70%" \
	rationale="58% proficient in 2025-26" measure="state assessment" frequency=yearly \
	outcome="70% proficient" outcome_y1="64%" outcome_y2="67%" outcome_y3="70%")
act=$(p add activity goal="$goal" title="Fractions workshop" initial.who="Grade 3-5 teachers" \
	initial.what="Number-line fractions" initial.how="Full-day workshop" followup.who="Grade 4 PLC" \
	followup.what="Lesson study" followup.how="Monthly cycles" duration="Sept-May" resources="Manipulatives" \
	standards=learning_designs,implementation delivery=in_person budget_cents=250000 funding=federal:title-ii-a)

# ---- request -> approve -> complete -> evaluate ----
id=$(p request --today 2026-09-25 staff=E100 title="Fractions workshop" type=workshop location=out_of_district \
	start=2026-10-14 cost_cents=12000 funding=federal:title-ii-a goal="$goal" activity="$act" \
	standards=learning_designs,curriculum_assessment_instruction)
like "$id" '^LIN01-[0-9A-Z]{5}$' "request prints the new entry's id"
is "$(field "$id" status)" "requested" "a request starts as requested"
is "$(nops "$id")" "1" "the request is one op"
desc "request refuses a status of its own"; fails 2 p request staff=E100 title=x type=workshop status=approved
desc "request refuses approvals set by hand"; fails 2 p request staff=E100 title=x type=workshop approvals.supervisor.by=E200

desc "approval by someone who is not the recorded supervisor is refused"
fails 1 p approve "$id" --as supervisor --by E300
like "$(cat "$T/.err")" 'E300 is not the recorded supervisor of E100 \(that is E200\)' "the message names the recorded supervisor"
is "$(nops "$id")" "1" "the refused approval wrote nothing"
desc "approval by a staff member who does not exist is refused"; fails 1 p approve "$id" --as budget --by E999
desc "an unknown role is a usage error"; fails 2 p approve "$id" --as janitor --by E200
desc "approve without --by is a usage error"; fails 2 p approve "$id" --as supervisor
desc "approve of a record that is not a pd_entry fails"; fails 1 p approve E100 --as supervisor --by E200
desc "complete before any approval is refused"; fails 1 p complete "$id" --hours 6.5
like "$(cat "$T/.err")" "not approved: it still needs the supervisor's and the budget manager's approval" "the message says which approvals are missing"

desc "the recorded supervisor approves"; ok p approve "$id" --as supervisor --by E200 --today 2026-10-01
like "$(cat "$T/.out")" 'waiting for the budget manager \(E300\)' "approve says who it is still waiting for"
is "$(field "$id" status)" "requested" "with only the supervisor's approval the entry is still requested"
is "$(field "$id" approvals.supervisor.by)" "E200" "the approval records who"
is "$(field "$id" approvals.supervisor.at)" "2026-10-01" "and when (--today; before the start, so not approval_late)"
is "$(field "$id" approvals.supervisor.decision)" "approved" "and the decision"
is "$(nops "$id")" "2" "the approval is one op"
desc "the same role cannot approve twice"; fails 1 p approve "$id" --as supervisor --by E200
desc "complete with one approval is still refused"; fails 1 p complete "$id" --hours 6.5
like "$(cat "$T/.err")" "still needs the budget manager's approval" "the message names the missing approval"

desc "the recorded budget manager approves"; ok p approve "$id" --as budget --by E300 --note "Title II-A line 4" --today 2026-10-02
is "$(field "$id" status)" "approved" "with both approvals the entry is approved"
is "$(nops "$id")" "3" "the second approval is one op, which also sets the status"
like "$(p log "$id" | sed -n 2p)" 'approvals\.supervisor\.by=E200 .*# supervisor approval by E200$' "the log shows who approved as supervisor"
like "$(p log "$id" | sed -n 3p)" 'approvals\.budget\.by=E300 .*status=approved .*# budget manager approval by E300; both approvals given: approved: Title II-A line 4' "the log shows the budget approval, its note and the status change"
desc "approve of an approved entry is refused"; fails 1 p approve "$id" --as budget --by E300

desc "complete without --hours is a usage error"; fails 2 p complete "$id"
desc "complete with bad hours is refused"; fails 1 p complete "$id" --hours lots
like "$(cat "$T/.err")" 'pd_entry.hours: "lots" is not a number' "the message names the field and value"
desc "complete records the hours"; ok p complete "$id" --hours 6.5 --credits 0.5 --evidence "certificate 2291"
is "$(field "$id" status)" "completed" "the entry is completed"
is "$(field "$id" hours)" "6.5" "with its hours"
is "$(field "$id" end)" "2026-10-14" "the end date defaults to the start of a past one-day event"
is "$(nops "$id")" "4" "completion is one op"
desc "complete twice is refused"; fails 1 p complete "$id" --hours 7

desc "evaluate with an unknown level is a usage error"; fails 2 p evaluate "$id" fun=5
desc "evaluate with a level out of 1..5 is refused"; fails 1 p evaluate "$id" reaction=7
desc "evaluate records the five Guskey levels"
ok p evaluate "$id" reaction=5 learning=4 org_support=3 transfer=4 student_impact=3
is "$(field "$id" evaluation.student_impact)" "3" "the evaluation is stored"
is "$(field "$id" evaluation.at)" "2026-11-20" "with its date"
is "$(nops "$id")" "5" "the evaluation is one op"

# ---- rejection ----
r=$(p request staff=E101 title="Data retreat" type=workshop start=2026-12-05 cost_cents=30000 funding=local)
desc "reject without a reason is a usage error"; fails 2 p reject "$r" --as budget --by E300
desc "reject by the wrong person is refused"; fails 1 p reject "$r" --as budget --by E200 --note "no"
desc "the budget manager rejects with a reason"; ok p reject "$r" --as budget --by E300 --note "no funds left"
is "$(field "$r" status)" "rejected" "the entry is rejected"
is "$(field "$r" approvals.budget.note)" "no funds left" "with the reason"
desc "a rejected entry cannot be approved"; fails 1 p approve "$r" --as supervisor --by E200
desc "a rejected entry cannot be completed"; fails 1 p complete "$r" --hours 3
n=$(p request staff=E102 title="Coaching" type=coaching)
desc "approval needs a recorded supervisor"; fails 1 p approve "$n" --as supervisor --by E200
like "$(cat "$T/.err")" 'E102 has no recorded supervisor.*plsync set E102 supervisor=' "the message says how to record one"

# ---- PLC, transcript ----
p add plc_meeting group="Grade 4 math" school=LIN01 date=2026-11-05 minutes=60 attendees=E100,E101 \
	standards=learning_communities >/dev/null
p add plc_meeting group="Grade 4 math" school=LIN01 date=2026-11-19 minutes=45 attendees=E100 >/dev/null
desc "transcript as CSV"; ok p transcript E100 --year 2026-2027 --format csv --out "$T/t.csv"
is "$(wc -l < "$T/t.csv" | tr -d ' ')" "5" "a header, the entry, two PLC meetings and a total"
is "$(grep '^Total' "$T/t.csv")" "Total,E100,,,,,,8.25,0.50,," "the total is 6.5 PD hours plus 1.75 PLC hours"
is "$(awk -F, 'NR > 1 && $1 != "Total" { s += $8 } END { printf "%.2f", s }' "$T/t.csv")" "8.25" "the total equals the sum of the rows"
like "$(grep plc_meeting "$T/t.csv" | head -n 1)" ',yes,Grade 4 math,1.00,' "PLC hours count as job-embedded PL"
desc "transcript as text"; ok p transcript E100
like "$(cat "$T/.out")" 'Renewal requires 90.00 hours; completed in the cycle 2022-04-01 to 2027-03-31: 8.25 \(81.75 hours short\)' "the transcript compares the cycle's hours with the renewal requirement"
desc "transcript as Markdown"; ok p transcript E100 --format md
like "$(cat "$T/.out")" '\| \*\*Total\*\* \| 3 entries \| \| \*\*8.25\*\*' "the Markdown transcript has a total row"
desc "transcript --json is valid JSON"; ok sh -c "'$PLSYNC' transcript E100 --json > '$T/t.json'"
is "$(json_get "$T/t.json" 'j["renewal"]["short"]')" "81.75" "the JSON transcript has the renewal shortfall"
desc "transcript of an unknown staff member fails"; fails 1 p transcript E999
desc "transcript with a bad year fails"; fails 1 p transcript E100 --year 2026

# ---- findings ----
bad=$(p add pd_entry staff=E101 title="Conference attended without approval" type=conference \
	location=out_of_district start=2026-09-20 hours=12 status=completed funding=federal:title-ii-a)
p add goal plan="$plan" number=2 statement="Attendance" outcome_y1="92%" >/dev/null
late=$(p request --today 2026-10-01 staff=E101 title="Approved after it started" type=workshop location=in_district start=2026-10-20)
p approve "$late" --as supervisor --by E200 --today 2026-10-19 >/dev/null
p approve "$late" --as budget --by E300 >/dev/null
desc "findings --json"; ok sh -c "'$PLSYNC' findings --json > '$T/f.json'"
is "$(json_get "$T/f.json" '",".join(sorted(set(f["rule"] for f in j if f["record"] == "'"$bad"'")))')" \
	"approval_missing,evaluation_missing,federal_unlinked" "the unapproved, unlinked, unevaluated entry has its three findings"
is "$(json_get "$T/f.json" '[f["why"] for f in j if f["rule"] == "approval_missing"][0]')" \
	"completed (2026-09-20) without both approvals: no supervisor approval; no budget manager approval; Rule 4370.1 requires the supervisor's and the budget manager's approval" \
	"the finding says why"
is "$(json_get "$T/f.json" 'len([f for f in j if f["rule"] == "goal_incomplete"])')" "1" "the goal missing a measure and outcomes is found"
is "$(json_get "$T/f.json" 'len([f for f in j if f["record"] == "'"$id"'"])')" "0" "the approved, completed, evaluated entry has no finding"
is "$(json_get "$T/f.json" '[f["staff"] + "/" + f["school"] for f in j if f["rule"] == "renewal_hours_short"][0]')" "E100/LIN01" "the renewal finding names the staff member and school"
is "$(json_get "$T/f.json" '"|".join(f["rule"] + ": " + f["why"] for f in j if f["record"] == "'"$late"'")')" \
	"approval_late: started 2026-10-20 before the budget manager's approval (2026-11-20) was recorded; Rule 4370.1 asks for approval before attending" \
	"PD approved by the budget manager after it started is approval_late, and only that"
desc "findings as text"; ok p findings
like "$(tail -n 1 "$T/.out")" '^[0-9]+ findings as of 2026-11-20$' "the text ends with the count and the date"
desc "findings --rule approval_late"; ok p findings --rule approval_late
is "$(grep -c '^approval_late: pd_entry' "$T/.out")" "1" "the text lists the late entry under its rule"
desc "findings --rule"; ok p findings --rule goal_incomplete
is "$(grep -c '^goal_incomplete' "$T/.out")" "1" "--rule keeps only that rule"
desc "an unknown rule is a usage error"; fails 2 p findings --rule nope
desc "a bad --today is a usage error"; fails 2 p findings --today 2026-13-01

# ---- report ----
desc "report as CSV"; ok p report --year 2026-2027 --format csv --out "$T/r.csv"
like "$(cat "$T/.out")" "wrote $T/r.csv" "report says where it wrote"
is "$(sed -n '/^Participation and hours by school$/,/^$/p' "$T/r.csv" | grep '^Total')" "Total,2,2,3,21.25,0.50" \
	"the by-school total: 2 people, 2 entries, 3 PLC attendances, 12 + 6.5 + 2.75 hours"
is "$(sed -n '/^Hours over the year$/,/^$/p' "$T/r.csv" | awk -F, '/ 20[0-9][0-9],/ { s += $3 } END { printf "%.2f", s }')" "21.25" \
	"the months add up to the total"
is "$(sed -n '/^Spending by funding source$/,/^$/p' "$T/r.csv" | grep '^Federal Title II-A')" \
	"Federal Title II-A,2,120.00,1,2500.00" "Title II-A spending has its own row, by its name"
desc "the coordinator's report as CSV"; ok p report --year 2026-2027 --for coordinator --format csv --out "$T/rc.csv"
is "$(sed -n '/^Spending by funding source$/,/^$/p' "$T/rc.csv" | grep '^federal:title-ii-a')" \
	"federal:title-ii-a,Federal Title II-A,2,120.00,1,2500.00" "  it keeps the funding code"
desc "report as Markdown"; ok p report --year 2026-2027 --format md --out "$T/r.md"
like "$(head -n 1 "$T/r.md")" '^# Professional Learning Report 2026-2027' "the Markdown report has its title"
like "$(grep -c '^## ' "$T/r.md")" '^1[0-9]$' "with a section per table, the goals and the findings"
desc "report as HTML"; ok p report --year 2026-2027 --format html --out "$T/r.html"
like "$(head -n 1 "$T/r.html")" '^<!DOCTYPE html>' "the HTML report is a page"
is "$(grep -c '<svg' "$T/r.html")" "4" "with four inline charts"
like "$(grep -c 'Lincoln Elementary' "$T/r.html")" '^[1-9]' "scoped to this school, by its name"
is "$(grep -c '(LIN01)' "$T/r.html")" "0" "  not its code"
desc "report --format json"; ok sh -c "'$PLSYNC' report --year 2026-2027 --format json > '$T/r.json'"
is "$(json_get "$T/r.json" 'j["summary"]["hours"]')" "21.25" "the JSON report has the same total"
desc "report with an unknown format is a usage error"; fails 2 p report --format pdf
desc "report with a bad year fails"; fails 1 p report --year 2026-2028
like "$(cat "$T/.err")" 'not a school year' "the message says what a school year is"
desc "a report to an unwritable place fails"; fails 1 p report --out "$T/no/such/dir/r.html"

# ---- plan ----
desc "plan show"; ok p plan show "$plan"
out=$(cat "$T/.out")
like "$out" 'WHAT WE WANT TO ACCOMPLISH' "the plan has the template's goal section"
like "$out" '\| Goal 1 +\| Data/evidence: 58% proficient in' "the goal table puts the goal beside its rationale"
like "$out" 'Year 3: 70%' "with the Year 1/2/3 outcomes"
like "$out" 'GOAL 1 \('"$goal"'\)' "then one activity table per goal"
like "$out" 'Who: Grade 4 PLC' "with the follow-up's who/what/how"
like "$out" 'Budget: \$2,500.00' "and the budget"
desc "plan show --format md"; ok p plan show "$plan" --format md
like "$(cat "$T/.out")" '## Goal 2' "the Markdown plan has a section per goal"
desc "plan show --format html"; ok p plan show "$plan" --format html --out "$T/plan.html"
like "$(grep -c '<table>' "$T/plan.html")" '^2$' "the HTML plan has the goal table and an activity table for the goal that has them"
desc "plan show of an unknown plan fails"; fails 1 p plan show NOPE
desc "plan without show is a usage error"; fails 2 p plan "$plan"

desc "the store still checks out after the workflow"; ok p check
for c in request approve reject complete evaluate transcript findings report plan; do
	desc "plsync $c --help prints its usage"; ok p "$c" --help
	like "$(head -n 1 "$T/.out")" "^usage: plsync \[--dir DIR\] $c" "the $c help starts with usage"
	like "$(cat "$T/.out")" 'Example' "the $c help has examples"
done

done_testing
