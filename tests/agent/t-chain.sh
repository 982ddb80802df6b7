#!/bin/sh
# A district approval chain through the CLI: the district's approval_rule
# adds the district PD office to out-of-district PD, so an out-of-district
# request needs three approvals (supervisor, budget manager, district PD
# office) and completes only after all three; an entry completed by a plain
# change without the third step is an approval_chain_incomplete finding.
. "$(dirname "$0")/../lib.sh"
export PLSYNC_DIR="$T/district" PLSYNC_TODAY=2026-11-20
p() { "$PLSYNC" "$@"; }
field() { p show "$1" | awk -v f="$2" '$1 == f { $1 = ""; sub(/^ /, ""); print }'; }

p init --node DISTRICT --name "District office" --user "Dee Park <dee@district.example>" >/dev/null
p add staff --id E200 name="Pat Rivera" category=certified >/dev/null
p add staff --id E300 name="Sam Ortiz" category=noninstructional >/dev/null
p add staff --id E900 name="Lee Moss" category=certified role="PD director" >/dev/null
p add staff --id E100 name="Ann Lee" category=certified supervisor=E200 budget_manager=E300 >/dev/null
rule=$(p add approval_rule name="Out-of-district PD" when=out_of_district steps=district_pd approvers.district_pd=E900)
like "$rule" '^DISTRICT-' "the district adds an approval rule"

id=$(p request staff=E100 title="NCTM annual" type=conference location=out_of_district start=2026-11-18)
p approve "$id" --as supervisor --by E200 >/dev/null
out=$(p approve "$id" --as budget --by E300)
like "$out" 'waiting for the district PD office \(E900\)' "after two approvals it waits for the district PD office"
is "$(field "$id" status)" "requested" "still requested after two of three"
desc "complete after two of three is refused"; fails 1 p complete "$id" --hours 12
like "$(cat "$T/.err")" 'still needs the approval of the district PD office' "naming the missing step"
like "$(cat "$T/.err")" "plsync approve $id --as district_pd" "with the command that gives it"
desc "the third step by someone the rule does not name is refused"; fails 1 p approve "$id" --as district_pd --by E200
like "$(cat "$T/.err")" 'approvers.district_pd=STAFF_ID' "the hint says where the district names its approver"
out=$(p approve "$id" --as district_pd --by E900)
like "$out" 'approved \(every step of its approval chain has approved\)' "the third approval approves it"
is "$(field "$id" status)" "approved" "approved"
ok p complete "$id" --hours 12
is "$(field "$id" status)" "completed" "completed after all three"

early=$(p request staff=E100 title="Early bird" type=conference location=out_of_district start=2026-12-20)
desc "a chain step dated before the request is refused"; fails 1 p approve "$early" --as district_pd --by E900 --today 2026-11-01
like "$(cat "$T/.err")" 'approvals.district_pd.at 2026-11-01 is before requested_at 2026-11-20' "naming the step's field"

in=$(p request staff=E100 title="Fractions" type=workshop location=in_district start=2026-12-09)
desc "an in-district entry has no district PD step"; fails 1 p approve "$in" --as district_pd --by E900

skip=$(p add pd_entry staff=E100 title="ISTE live" type=conference location=out_of_district start=2026-06-28 \
	end=2026-07-01 hours=18 status=completed approvals.supervisor.by=E200 approvals.supervisor.decision=approved \
	approvals.budget.by=E300 approvals.budget.decision=approved)
out=$(p findings --rule approval_chain_incomplete)
like "$out" "approval_chain_incomplete: pd_entry $skip" "the entry that skipped a step is a finding"
like "$out" "without the district PD office's approval \(approval_rule $rule\)" "why names the step and the rule"
like "$out" '^1 finding' "and it is the only one"
done_testing
