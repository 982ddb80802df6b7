#!/bin/sh
# Conflicts told where people look (issue 11, item 4): LIN01 and DISTRICT
# change the same fields of LIN01's records between syncs. `plsync sync`
# says how many records got an open conflict they did not have before the
# sync, and names `plsync conflicts`; `plsync status` (text and --json)
# counts the records with an open conflict; `plsync-district merge` and
# `plsync-district status` give the same number of open conflicts, the
# number of files in main's conflicts/, also after a merge that touched
# only some of the conflicted records; resolving brings every count down.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/district.sh"
nfiles() { git -C "$R" ls-tree --name-only main conflicts/ | grep -c '\.json$'; }
# the number of open conflicts each view gives, in order: agent status
# text, agent status --json, agent conflicts --json, district merge (the
# last one run, its output in $T/merge.out), district status text and
# --json, and the files in main's conflicts/
agent_counts() { # AGENT (a or d)
	"$1" status > "$T/st.txt" && "$1" status --json > "$T/st.json" && "$1" conflicts --json > "$T/cf.json" || return 1
	printf '%s %s %s\n' "$(sed -n 's/^conflicts: *\([0-9]*\) record.*/\1/p' "$T/st.txt")" \
		"$(pj '$j->{conflicts}' < "$T/st.json")" "$(pj 'scalar @$j' < "$T/cf.json")"
}
district_counts() {
	district status "$R" > "$T/ds.txt" && district status "$R" --json > "$T/ds.json" || return 1
	printf '%s %s %s %s\n' "$(sed -n 's/.* \([0-9]*\) open conflicts*$/\1/p' "$T/merge.out")" \
		"$(sed -n 's/^open conflicts: //p' "$T/ds.txt")" "$(pj '$j->{conflicts}' < "$T/ds.json")" "$(nfiles)"
}
merge() { district merge "$R" > "$T/merge.out"; }
# unlike GOT PATTERN NAME: GOT does not match the grep pattern
unlike() { if printf '%s' "$1" | grep -q -- "$2"; then is "$1" "(no '$2')" "$3"; else is x x "$3"; fi; }

desc "the district repository and the LIN01 and DISTRICT agents (DISTRICT follows LIN01)"
ok district_init LIN01 DISTRICT LIN01
desc "LIN01 records its school, a teacher and two PD entries"; ok lin_school
p1=$(a add pd_entry staff=E100 title="Fractions workshop" type=workshop hours=6)
p2=$(a add pd_entry staff=E100 title="Reading institute" type=institute hours=12)
desc "LIN01 syncs and the district merges"; ok lin_merged
desc "DISTRICT syncs and gets LIN01's records"; ok d sync
unlike "$(cat "$T/.out")" "open conflict" "a sync that brings no conflict says none"
is "$(agent_counts a)" "0 0 0" "LIN01: no open conflict in status, status --json, conflicts"
desc "the district merges (nothing new)"; ok merge
like "$(cat "$T/merge.out")" "nothing new to merge; main stays at [0-9a-f]{12} \(0 open conflicts\)" \
	"a merge with nothing new still gives the open conflicts"

# --- two records changed on both sides between syncs ---
desc "DISTRICT corrects the hours of $p1 and the teacher's role"
ok sh -c "'$PLSYNC' --dir '$T/dist' set '$p1' hours=8 >/dev/null && '$PLSYNC' --dir '$T/dist' set E100 role=coach >/dev/null"
desc "LIN01, not having synced, sets other values of the same fields"
ok sh -c "'$PLSYNC' --dir '$T/lin' set '$p1' hours=9 >/dev/null && '$PLSYNC' --dir '$T/lin' set E100 role=teacher >/dev/null"
desc "LIN01 changes $p2, which DISTRICT leaves alone"; ok a set "$p2" provider="State university"
desc "DISTRICT syncs (LIN01 has not pushed yet)"; ok d sync
unlike "$(cat "$T/.out")" "open conflict" "so no conflict arrives at DISTRICT"
desc "LIN01 syncs and fetches DISTRICT's changes"; ok a sync
like "$(cat "$T/.out")" "^2 records now have an open conflict .*'plsync conflicts' lists them" \
	"the sync says two records got a conflict, and how to see them"
is "$(agent_counts a)" "2 2 2" "LIN01 status, status --json and conflicts all count 2"
like "$(cat "$T/st.txt")" "conflicts: +2 records with an open conflict \('plsync conflicts' lists them\)" \
	"status text names the command that lists them"
is "$(pj 'join " ", sort map { $_->{id} } @$j' < "$T/cf.json")" "$(printf '%s\n' E100 "$p1" | sort | tr '\n' ' ' | sed 's/ $//')" \
	"the conflicted records are E100 and $p1"
desc "LIN01 syncs again"; ok a sync
unlike "$(cat "$T/.out")" "open conflict" "the same conflicts are not told twice"
is "$(agent_counts a)" "2 2 2" "and are still open"
desc "the district merges"; ok merge
is "$(district_counts)" "2 2 2 2" "merge, district status text and --json and main's conflicts/ agree: 2"
desc "merge --json with nothing new"; ok district merge "$R" --json
is "$(pj '$j->{conflicts}' < "$T/.out")" "2" "gives the open conflicts as status does"
desc "DISTRICT syncs and fetches LIN01's changes"; ok d sync
like "$(cat "$T/.out")" "^2 records now have an open conflict" "DISTRICT is told of the two conflicts too"
is "$(agent_counts d)" "2 2 2" "DISTRICT status, status --json and conflicts count 2"

# --- one more conflict while two are open: the sync tells only the new one ---
desc "DISTRICT and LIN01 both change the hours of $p2"
ok sh -c "'$PLSYNC' --dir '$T/dist' set '$p2' hours=10 >/dev/null && '$PLSYNC' --dir '$T/lin' set '$p2' hours=11 >/dev/null"
desc "DISTRICT syncs first"; ok d sync
desc "LIN01 syncs"; ok a sync
like "$(cat "$T/.out")" "^1 record now has an open conflict " "LIN01 is told of one new conflict, not three"
is "$(agent_counts a)" "3 3 3" "three are open"
desc "the district merges (it touches only $p2)"; ok merge
is "$(district_counts)" "3 3 3 3" "merge, district status and main's conflicts/ agree: 3"
like "$(cat "$T/merge.out")" "3 open conflicts$" "the merge counts main's conflicts, not only those it wrote"

# --- resolving brings the counts down ---
desc "LIN01 resolves $p1"; ok a resolve "$p1" hours=9 --note "checked the sign-in sheet"
is "$(agent_counts a)" "2 2 2" "LIN01 counts two open"
desc "LIN01 syncs the resolution"; ok a sync
unlike "$(cat "$T/.out")" "open conflict" "a sync that brings no new conflict says none"
desc "the district merges it"; ok merge
is "$(district_counts)" "2 2 2 2" "merge, district status and main's conflicts/ agree: 2"
desc "$p1's conflict file is gone from main"; fails 128 git -C "$R" cat-file -e "main:conflicts/$p1.json"
desc "DISTRICT syncs: $p1's resolution and LIN01's hours of $p2 arrive"; ok d sync
like "$(cat "$T/.out")" "^1 record now has an open conflict " "DISTRICT is told of the one new conflict"
is "$(agent_counts d)" "2 2 2" "DISTRICT counts two open: E100 and $p2"
desc "DISTRICT resolves E100 and $p2 (it may change any record)"
ok sh -c "'$PLSYNC' --dir '$T/dist' resolve E100 role=coach >/dev/null && '$PLSYNC' --dir '$T/dist' resolve '$p2' hours=10 >/dev/null"
desc "DISTRICT syncs"; ok d sync
is "$(agent_counts d)" "0 0 0" "DISTRICT has none open"
like "$(cat "$T/st.txt")" "conflicts: +0 records with an open conflict$" "status text says 0"
desc "the district merges"; ok merge
is "$(district_counts)" "0 0 0 0" "merge, district status and main's conflicts/: none"
desc "LIN01 syncs and gets the resolutions"; ok a sync
unlike "$(cat "$T/.out")" "open conflict" "resolutions bring no conflict"
is "$(agent_counts a)" "0 0 0" "LIN01 has none open"
is "$(a show "$p2" --json | pj '$j->{fields}{hours}')" "10" "with DISTRICT's settled value"

desc "plsync-audit verify passes"; ok audit verify "$R"
for r in "$R" "$T/lin/git" "$T/dist/git"; do
	desc "git fsck --strict passes on ${r#$T/}"; ok git -C "$r" fsck --strict
done
done_testing
