#!/bin/sh
# plsync compliance: a yearly required training, as of 2026-11-20 — one
# staff member done, one due soon, one overdue — and the findings saying
# exactly that.
. "$(dirname "$0")/../lib.sh"
export PLSYNC_DIR="$T/district" PLSYNC_TODAY=2026-11-20
p() { "$PLSYNC" "$@"; }

p init --node DISTRICT --name "District office" --user "Dee Park <dee@district.example>" >/dev/null
p add staff --id E100 name="Ann Lee" category=certified >/dev/null
p add staff --id E101 name="Bo Chen" category=certified >/dev/null
p add staff --id E102 name="Cy Diaz" category=certified >/dev/null
p add staff --id E300 name="Sam Ortiz" category=noninstructional >/dev/null
req=$(p add requirement title="Mandated reporter training" frequency=yearly due=12-15 category=certified \
	match_title="mandated reporter")
p add pd_entry staff=E100 title="Mandated Reporter refresher" type=training end=2026-03-10 hours=2 status=completed >/dev/null
p add pd_entry staff=E101 title="Mandated reporter basics" type=training end=2025-06-01 hours=2 status=completed >/dev/null

out=$(p compliance)
is "$(printf '%s\n' "$out" | head -1 | tr -s ' ')" "STAFF NAME REQUIREMENT STATE DUE LAST DONE HOURS" "the table's header"
like "$out" '^E100 +Ann Lee +Mandated reporter training +done +2026-12-15 +2026-03-10 +2' "Ann: done"
like "$out" '^E101 +Bo Chen +Mandated reporter training +due soon +2026-12-15 +2025-06-01 +0' "Bo: due soon, nothing this year"
like "$out" '^E102 +Cy Diaz +Mandated reporter training +overdue +2025-12-15 +- +0' "Cy: overdue since the last due day"
is "$(printf '%s\n' "$out" | grep -c E300)" "0" "not Sam: the training is for certified staff"
like "$out" '^3 row\(s\) as of 2026-11-20: 1 done, 0 due, 1 due soon, 1 overdue$' "the counts"
is "$(p compliance --staff E101 | grep -c '^E10')" "1" "--staff: one row"
is "$(p compliance --staff E101 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["state"])')" \
	"due_soon" "--json gives the state"
desc "--staff of nobody fails"; fails 1 p compliance --staff E999

f=$(p findings)
like "$f" "training_overdue: requirement $req \(staff E102\)" "the overdue finding names Cy"
like "$f" "training_due_soon: requirement $req \(staff E101\)" "the due-soon finding names Bo"
is "$(printf '%s\n' "$f" | grep -c '^training_')" "2" "two training findings, none for Ann"
like "$f" "next: plsync compliance --staff E102" "the next step shows the command"

rep=$(p report --year 2026-2027 --format md --for coordinator)
like "$rep" 'Required trainings' "the report has a required trainings table"
like "$rep" '\| Mandated reporter training \| 3 \| 1 \| 0 \| 1 \| 1 \|' "3 staff: 1 done, 0 due, 1 due soon, 1 overdue"
tr=$(p transcript E102 2>/dev/null)
like "$tr" '^Required trainings:$' "the transcript has a required trainings section"
like "$tr" '^  Mandated reporter training: overdue \(due 2025-12-15\)$' "Cy's transcript says overdue"
done_testing
