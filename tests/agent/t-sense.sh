#!/bin/sh
# Values that make sense, through plsync add, set and import: a pd_entry
# whose end is before its start, with more than 24 hours a day, or completed
# but starting after today (the day of the store's clock), or approved before
# its requested_at (which request stamps) is refused with
# the field and the fix; a set of end alone is checked against the stored
# start; an import refuses the row, naming file and line, and applies none.
. "$(dirname "$0")/../lib.sh"
export PLSYNC_DIR="$T/lin"
p() { "$PLSYNC" "$@"; }
seq_now() { p status --json | sed -n 's/^  "seq": \(.*\),$/\1/p'; }

ok p init --node LIN01 --name "Lincoln" --user "Ann Lee <ann@lincoln.example>"
ok p add school --id LIN01 code=LIN01 name="Lincoln Elementary" level=elementary
ok p add staff --id E100 name="Ann Lee" category=certified school=LIN01
seq0=$(seq_now)

desc "add refuses an end before the start"
fails 1 p add pd_entry --id PD1 staff=E100 title=x type=workshop start=2026-09-14 end=2026-09-01
is "$(cat "$T/.err")" "plsync: pd_entry PD1: end 2026-09-01 is before start 2026-09-14; fix end or start" \
	"the message names the record, both dates and the fix"
desc "add refuses 25 hours in one day"
fails 1 p add pd_entry staff=E100 title=x type=workshop start=2026-05-01 hours=25
like "$(cat "$T/.err")" 'hours 25 is more than 24 a day for 1 day \(2026-05-01 to 2026-05-01\); fix hours, start or end' \
	"the message names hours, the days and the fix"
desc "add refuses a completed entry that starts in the future"
fails 1 p add pd_entry staff=E100 title=x type=workshop start=2099-01-05 status=completed
like "$(cat "$T/.err")" 'status completed but start 2099-01-05 is after today \([0-9-]{10}\); fix start or status' \
	"the message names start, today and the fix"
is "$(seq_now)" "$seq0" "refused writes leave the op log unchanged"
! grep -q "plsync [a-z]" "$T/.err"; is $? 0 "no library message names a command"

desc "48 hours over two days is taken"
ok p add pd_entry --id PD2 staff=E100 title="Summer institute" type=institute start=2026-07-01 end=2026-07-02 hours=48
desc "set of end alone is checked against the stored start"; fails 1 p set PD2 end=2026-06-30
like "$(cat "$T/.err")" 'pd_entry PD2: end 2026-06-30 is before start 2026-07-01' "and says which"
desc "set of start alone is checked against the stored end"; fails 1 p set PD2 start=2026-07-03
desc "set of hours alone is checked against the stored days"; fails 1 p set PD2 hours=49
like "$(cat "$T/.err")" 'hours 49 is more than 24 a day for 2 days' "over two days"
desc "a set that keeps the record sensible is taken"; ok p set PD2 end=2026-07-03 hours=60
desc "set of status completed on a future entry is refused"
ok p add pd_entry --id PD3 staff=E100 title=Later type=workshop start=2099-03-01
fails 1 p set PD3 status=completed
like "$(cat "$T/.err")" 'start 2099-03-01 is after today' "naming start"

# approvals are not dated before the request
ok p add staff --id E200 name="Pat Boss" category=certified school=LIN01
ok p set E100 supervisor=E200 budget_manager=E200
desc "request stamps requested_at with the step's time"
ok p request --id PD4 --today 2026-09-10 staff=E100 title="Fall workshop" type=workshop start=2026-10-01
is "$(p show PD4 --json | sed -n 's/^ *"requested_at": "\(.*\)",$/\1/p')" "2026-09-10" "requested_at is the request's day"
desc "an approval dated before the request is refused"
fails 1 p approve PD4 --as supervisor --by E200 --today 2026-09-01
is "$(cat "$T/.err")" "plsync: pd_entry PD4: approvals.supervisor.at 2026-09-01 is before requested_at 2026-09-10 (an approval comes after the request); fix approvals.supervisor.at or requested_at" \
	"the message names both fields, both dates and the fix"
desc "an approval on the day of the request is taken"; ok p approve PD4 --as supervisor --by E200 --today 2026-09-10
desc "requested_at may be given on add (a paper request), and a later approval is taken"
ok p add pd_entry --id PD5 staff=E100 title="Paper request" type=workshop requested_at=2026-08-20 \
	approvals.budget.by=E200 approvals.budget.at=2026-08-21
desc "set of requested_at after the stored approval is refused"; fails 1 p set PD5 requested_at=2026-08-22
like "$(cat "$T/.err")" 'approvals.budget.at 2026-08-21 is before requested_at 2026-08-22' "naming the approval"
cat > "$T/req.csv" <<'CSV'
staff,title,type,requested_at,approvals.supervisor.by,approvals.supervisor.at
E100,On time,workshop,2026-09-01,E200,2026-09-02
E100,Approved first,workshop,2026-09-05,E200,2026-09-03
CSV
desc "an import with an approval before its request fails"; fails 1 p import pd_entry "$T/req.csv"
like "$(head -n 1 "$T/.err")" 'req.csv line 3: .*approvals.supervisor.at 2026-09-03 is before requested_at 2026-09-05' \
	"naming file, line and fields"

seq1=$(seq_now)
cat > "$T/pd.csv" <<'CSV'
staff,title,type,start,end,hours,status
E100,Good row,workshop,2026-09-14,2026-09-14,6,completed
E100,Backwards row,workshop,2026-09-14,2026-09-01,6,completed
CSV
desc "an import with a row that makes no sense fails"; fails 1 p import pd_entry "$T/pd.csv"
like "$(head -n 1 "$T/.err")" 'pd.csv line 3: pd_entry [^:]+: end 2026-09-01 is before start 2026-09-14; fix end or start' \
	"the error names file, line, record and fix"
is "$(seq_now)" "$seq1" "nothing of the import was applied"
done_testing
