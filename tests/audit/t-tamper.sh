#!/bin/sh
# Issue 11, item 7: a tampered main is refused and named. Every merge
# records the commit it moved main to (REPO/plsync-last-merge); a main moved
# back by hand (git update-ref) or committed on by hand (a state file
# edited) is refused by the merge, naming the commit and what is wrong, with
# nothing written; verify names the moved main, and the hand-edited file at
# the commit that edited it ("<commit>:<path>: ..."). plsync-district reset
# is the recorded way back: to the last merge (dropping the hand commit), to
# a main moved back, or to an older merge on purpose.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/district.sh"

short() { git -C "$R" rev-parse --short=12 "$1"; }
# changed FILE...: the files of $R written since $T/mark (the merge lock's
# holder text aside)
changed() { find "$R" -type f -newer "$T/mark" ! -name plsync-merge.lock; }
lin_entry() { a add pd_entry staff=E100 title="$1" type=workshop hours=3 >/dev/null && a sync >/dev/null; }

desc "the district repository and the agents are set up"; ok district_init
desc "LIN01 records its school"; ok lin_school
desc "LIN01 syncs and the district merges"; ok lin_merged
m1=$(git -C "$R" rev-parse main)
id=$(a add pd_entry staff=E100 title="Session one" type=workshop hours=3)
desc "LIN01 adds an entry ($id) and syncs"; ok a sync
ok district merge "$R"
m2=$(git -C "$R" rev-parse main)
is "$(cat "$R/plsync-last-merge")" "last $m2" "the merge recorded the commit it moved main to"

# --- main moved back by hand ---
ok git -C "$R" update-ref refs/heads/main "$m1"
desc "LIN01 adds another entry"; ok lin_entry "Session two"
touch "$T/mark"
desc "the merge refuses a main moved back"; fails 1 district merge "$R"
like "$(cat "$T/.err")" "main is $(short "$m1"), which does not contain $(short "$m2"), the last merge made here: main was moved back" \
	"naming main and the last merge it lost"
like "$(cat "$T/.err")" "plsync-district reset $R COMMIT" "and the recorded way back"
is "$(git -C "$R" rev-parse main)" "$m1" "main is not moved"
is "$(changed)" "" "and nothing is written"
desc "verify fails on the moved-back main"; fails 1 audit verify "$R"
like "$(cat "$T/.out")" "^refs/heads/main: main is $(short "$m1"), which does not contain $(short "$m2")" \
	"naming it and the merge it lost"
desc "git fsck --strict passes"; ok git -C "$R" fsck --strict

# the way back: main as the last merge left it
desc "reset to the last merge"; ok district reset "$R" "$m2" --reason "undo a hand update-ref"
is "$(git -C "$R" rev-parse main)" "$m2" "main is the last merge again"
like "$(cat "$R/plsync-resets.log")" "main $m1 -> $m2 \(last merge was $m2\): undo a hand update-ref$" "and the decision is logged"
desc "the merge goes on from there"; ok district merge "$R"
like "$(cat "$T/.out")" "^merged nodes/LIN01 seq 4\.\.4$" "merging only the new entry"
m3=$(git -C "$R" rev-parse main)
desc "verify passes"; ok audit verify "$R"

# --- a hand commit on main editing a state file ---
path=$(git -C "$R" ls-tree -r --name-only main | grep "^state/.*/$id.json$")
blob=$(git -C "$R" show "main:$path" | sed 's/"hours": 3/"hours": 30/' | git -C "$R" hash-object -w --stdin)
GIT_INDEX_FILE="$T/idx" git -C "$R" read-tree main
GIT_INDEX_FILE="$T/idx" git -C "$R" update-index --cacheinfo "100644,$blob,$path"
tree=$(GIT_INDEX_FILE="$T/idx" git -C "$R" write-tree)
hand=$(echo "correct the hours" | git -C "$R" commit-tree "$tree" -p main)
desc "a hand commit edits the state file on main"; ok git -C "$R" update-ref refs/heads/main "$hand"
desc "LIN01 adds another entry"; ok lin_entry "Session three"
touch "$T/mark"
desc "the merge refuses a main with a hand commit"; fails 1 district merge "$R"
like "$(cat "$T/.err")" "main \($(short "$hand")\) has 1 commit on top of the last merge $(short "$m3") that no merge made, the first $(short "$hand") \(\"correct the hours\"" \
	"naming the commit"
is "$(git -C "$R" rev-parse main)" "$hand" "main is not moved"
is "$(changed)" "" "and nothing is written"
desc "verify fails on the edited file"; fails 1 audit verify "$R"
like "$(cat "$T/.out")" "^$(short "$hand"):$path: differs from the fold of $id's ops: hours is 30 in the file, 3 from the ops$" \
	"naming the commit that edited it and the file"
desc "verify --json fails too"; fails 1 audit verify "$R" --json
is "$(pj 'join " ", map { "$_->{where} $_->{commit}" } @{$j->{problems}}' < "$T/.out")" \
	"merge $(short "$hand") $hand $(short "$hand"):$path $hand" \
	"with that commit in full (unsigned: not the district's merge; and the file it edited)"
desc "git fsck --strict passes"; ok git -C "$R" fsck --strict

# a repository merged before the record was kept: main's tip is checked
mv "$R/plsync-last-merge" "$T/record"
desc "without the record, the hand commit at main's tip is refused too"; fails 1 district merge "$R"
like "$(cat "$T/.err")" "main's tip $(short "$hand") \(\"correct the hours\".*is not a merge commit" "naming it"
mv "$T/record" "$R/plsync-last-merge"

# the way back: drop the hand commit
desc "reset refuses a commit that is not a merge"; fails 1 district reset "$R" "$hand"
like "$(cat "$T/.err")" "$(short "$hand") is not one of the merges made here" "saying so"
desc "reset to the last merge drops the hand commit"; ok district reset "$R" "$m3"
desc "the merge goes on"; ok district merge "$R"
like "$(cat "$T/.out")" "^merged nodes/LIN01 seq 5\.\.5$" "with the new entry"
is "$(git -C "$R" show "main:$path" | pj '$j->{hours}')" "3" "the edited file is not carried forward"
desc "verify passes"; ok audit verify "$R"

# --- back to an older merge on purpose ---
desc "reset to the first merge"; ok district reset "$R" "$m1" --reason "start the year again"
is "$(git -C "$R" rev-parse main)" "$m1" "main is the first merge"
desc "the merge rebuilds and merges every op after it again"; ok district merge "$R"
like "$(cat "$T/.out")" "^merged nodes/LIN01 seq 3\.\.5$" "LIN01's entries again"
desc "verify passes"; ok audit verify "$R"
like "$(cat "$R/plsync-resets.log")" "-> $m1 \(last merge was [0-9a-f]{40}\): start the year again$" "the decision is logged"
desc "git fsck --strict passes"; ok git -C "$R" fsck --strict
done_testing
