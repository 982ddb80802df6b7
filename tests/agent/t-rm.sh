#!/bin/sh
# `plsync rm ID...` (issue 12): several ids in one call, deleted in one store
# write, all or nothing. An unknown id among them refuses the whole call,
# naming it, and every record is still there afterwards; a good call deletes
# them all, each with the note, each delete in the log.
. "$(dirname "$0")/../lib.sh"
p() { "$PLSYNC" --dir "$T/lin" "$@"; }

desc "a data dir with three PD entries"
ok sh -c "'$PLSYNC' --dir '$T/lin' init --node LIN01 >/dev/null &&
	'$PLSYNC' --dir '$T/lin' add school --id LIN01 code=LIN01 name=Lincoln level=elementary >/dev/null &&
	'$PLSYNC' --dir '$T/lin' add staff --id E100 name='Ann Lee' category=certified school=LIN01 >/dev/null &&
	for i in 1 2 3; do '$PLSYNC' --dir '$T/lin' add pd_entry --id PD\$i staff=E100 title=t\$i type=workshop start=2026-09-1\$i hours=1 status=completed >/dev/null || exit 1; done"
count() { p export pd_entry --format jsonl | wc -l | tr -d ' '; }
is "$(count)" "3" "three entries"

desc "rm with an unknown id among known ones is refused"; fails 1 p rm PD1 NOPE9 PD2
like "$(cat "$T/.err")" "NOPE9" "the error names the unknown id"
is "$(count)" "3" "and nothing was deleted"
is "$(p log PD1 | wc -l | tr -d ' ')" "1" "PD1 has no delete op in its log"

desc "rm of two ids"; ok p rm PD1 PD3 --note "duplicate import"
is "$(p export pd_entry --format jsonl | sed 's/.*"id":"\([^"]*\)".*/\1/')" "PD2" "both are gone, PD2 is left"
like "$(p log PD1 | tail -n 1)" "del pd_entry PD1  # duplicate import" "PD1's delete carries the note"
like "$(p log PD3 | tail -n 1)" "del pd_entry PD3  # duplicate import" "so does PD3's"
desc "rm with no id is a usage error"; fails 2 p rm
desc "rm of an already deleted id fails"; fails 1 p rm PD2 PD1
is "$(count)" "1" "and leaves PD2 in place"
desc "the store checks clean"; ok p check

done_testing
