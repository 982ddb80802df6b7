#!/bin/sh
# Approvals by login (issue 14, item 6): an approval whose actor is the
# approver's own session (the web app's actor "Name (STAFF) <email>",
# web/page-login.c) is marked approvals.<role>.via = login; one recorded
# at a clerk's data dir for the approver is marked recorded; plsync-audit
# log tells the two apart.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/district.sh"

desc "district and LIN01"; ok district_init "" LIN01
a add school --id LIN01 code=LIN01 name=Lincoln level=elementary >/dev/null
a add staff --id E200 name='Pat Rivera' category=certified school=LIN01 >/dev/null
a add staff --id E300 name='Sam Ortiz' category=noninstructional school=LIN01 >/dev/null
a add staff --id E100 name='Ann Lee' category=certified school=LIN01 supervisor=E200 budget_manager=E300 >/dev/null
desc "a request"; ok a request --id PD1 --today 2026-09-01 staff=E100 title=Conference type=conference
desc "the clerk records the supervisor's approval at LIN01's data dir"
ok a approve PD1 --as supervisor --by E200 --today 2026-09-02
# the budget manager's own session: the actor the web app gives a login
desc "the budget manager approves under their own login"
a config user.name 'Sam Ortiz (E300)' >/dev/null
ok a approve PD1 --as budget --by E300 --today 2026-09-03
a config user.name 'Ann Lee' >/dev/null
desc "both are merged"; ok lin_merged
is "$(state PD1 | pj '$j->{fields}{approvals}{supervisor}{via} // $j->{approvals}{supervisor}{via}')" "recorded" \
	"the clerk's is marked recorded"
is "$(state PD1 | pj '$j->{fields}{approvals}{budget}{via} // $j->{approvals}{budget}{via}')" "login" \
	"the approver's own is marked login"
desc "plsync-audit log"; ok audit log "$R" PD1
like "$(cat "$T/.out")" "  who    supervisor approved for E200, recorded by Ann Lee <ann@lincoln.example> \\(not the approver's own login\\)" \
	"tells the recorded approval, naming the clerk"
like "$(cat "$T/.out")" "  who    budget approved by E300 under their own login" "from the approver's own"
desc "the history verifies"; ok audit verify "$R"
desc "git fsck --strict"; ok git -C "$R" fsck --strict

done_testing
