#!/bin/sh
# The district merge (issue 4's acceptance): three nodes, one record edited
# concurrently by its owner school and by DISTRICT, converge on the
# (hlc, node) winner; the conflict is listed in main and counted by status,
# then resolved by an op that names both heads; merging after every sync and
# merging once at the end give the same tree; --rebuild-cache gives the same
# result; a merge with nothing new makes no commit; git fsck --strict passes.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/district.sh"
# merged: merge R after a sync, as a district that merges often would
merged() { district merge "$R" >/dev/null; }
tree() { git -C "$1" rev-parse 'main^{tree}'; }

desc "the district repository is created"; ok district init "$R"
cp -a "$R" "$T/once.git"   # a copy, never merged until the end
desc "DISTRICT, LIN01 and WAS02 agents are set up"
ok agents_init LIN01

desc "LIN01 records its school, a teacher and a PD entry"
ok lin_school
id=$(a add pd_entry staff=E100 title="Fractions workshop" type=workshop hours=6 status=requested)
desc "LIN01 syncs and the district merges"; ok lin_merged
desc "WAS02 records its school and syncs; the district merges"
ok sh -c "'$PLSYNC' --dir '$T/was' add school --id WAS02 code=WAS02 name=Washington >/dev/null && '$PLSYNC' --dir '$T/was' sync >/dev/null && '$build/bin/plsync-district' merge '$R' >/dev/null"
desc "DISTRICT records itself, syncs (fetching LIN01's entry); the district merges"
ok sh -c "'$PLSYNC' --dir '$T/dist' add school --id DIST code=DIST name='District Office' level=district >/dev/null && '$PLSYNC' --dir '$T/dist' sync >/dev/null && '$build/bin/plsync-district' merge '$R' >/dev/null"
is "$(d show "$id" --json | pj '$j->{fields}{hours}')" "6" "DISTRICT has LIN01's entry"

main_before=$(git -C "$R" rev-parse main)
desc "a merge with nothing new succeeds"; ok district merge "$R"
like "$(cat "$T/.out")" "nothing new to merge" "and says so"
is "$(git -C "$R" rev-parse main)" "$main_before" "it makes no commit"

# --- concurrent edits of one field, no sync in between ---
desc "DISTRICT sets the hours to 8"; ok d set "$id" hours=8 --note "per the sign-in sheet"
desc "LIN01, not having synced, sets them to 9"; ok a set "$id" hours=9
desc "WAS02 edits its own school meanwhile"; ok w set WAS02 enrollment=640
desc "DISTRICT syncs"; ok d sync
merged
desc "LIN01 syncs (and fetches DISTRICT's edit)"; ok a sync
merged
desc "WAS02 syncs"; ok w sync
merged
desc "DISTRICT syncs again (fetching LIN01's edit)"; ok d sync
dh=$(d log "$id" --json | pj 'join " ", map { $_->{hlc} } grep { $_->{node} eq "DISTRICT" } @$j')
lh=$(a log "$id" --json | pj 'my @l = grep { $_->{node} eq "LIN01" } @$j; $l[-1]{hlc}')
want=$(perl -e 'my ($d, $l) = @ARGV; print $d > $l ? 8 : 9' "$dh" "$lh")
state=$(git -C "$R" ls-tree -r --name-only main | grep "^state/.*/$id.json$")
is "$(git -C "$R" show "main:$state" | pj '$j->{hours}')" "$want" "main's state has the (hlc, node) winner: $want"
is "$(a show "$id" --json | pj '$j->{fields}{hours}')" "$want" "LIN01 shows the same winner"
is "$(d show "$id" --json | pj '$j->{fields}{hours}')" "$want" "DISTRICT shows the same winner"
is "$(git -C "$R" show "main:$(git -C "$R" ls-tree -r --name-only main | grep '/WAS02.json$')" | pj '$j->{enrollment}')" "640" \
	"WAS02's edit is merged too"
desc "the conflict is listed in main"; ok git -C "$R" cat-file -e "main:conflicts/$id.json"
git -C "$R" show "main:conflicts/$id.json" > "$T/conflict.json"
is "$(pj 'join " ", map { "$_->{node}=$_->{value}" . ($_->{winner} ? "*" : "") } sort { $a->{node} cmp $b->{node} } @{$j->{fields}{hours}}' < "$T/conflict.json")" \
	"$(if [ "$want" = 8 ]; then echo "DISTRICT=8* LIN01=9"; else echo "DISTRICT=8 LIN01=9*"; fi)" \
	"both values, their nodes and the winner"
desc "status --json works"; ok district status "$R" --json
is "$(pj '$j->{conflicts}' < "$T/.out")" "1" "status counts the open conflict"

# --- resolution at the owner node ---
desc "LIN01 resolves it: a set that saw both heads"; ok a set "$id" hours=9 --note "checked the agenda: 9 hours"
desc "LIN01 syncs the resolution"; ok a sync
cp -a "$R" "$T/unmerged.git"   # the resolution pushed, not merged yet
desc "the district merges it"; ok district merge "$R"
like "$(cat "$T/.out")" "0 open conflicts" "the merge reports no open conflict"
desc "conflicts/<id>.json is gone from main"; fails 128 git -C "$R" cat-file -e "main:conflicts/$id.json"
desc "status --json works"; ok district status "$R" --json
is "$(pj '$j->{conflicts}' < "$T/.out")" "0" "status counts no conflict"
is "$(git -C "$R" show "main:$state" | pj '$j->{hours}')" "9" "the resolved value is in main"
desc "plsync-audit log shows the resolution"; ok "$build/bin/plsync-audit" log "$R" "$id" --json
is "$(pj 'scalar @{$j->{ops}[-1]{base}}' < "$T/.out")" "2" "its op names both heads in its base"

# --- the same ops, merged once, give the same tree ---
desc "the never-merged copy gets every node ref (plain git fetch)"
ok git -C "$T/once.git" fetch -q "$R" 'refs/heads/nodes/*:refs/heads/nodes/*'
desc "one merge of everything"; ok district merge "$T/once.git"
is "$(tree "$T/once.git")" "$(tree "$R")" "gives the same main tree as merging after every sync"
is "$(git -C "$T/once.git" rev-list --first-parent --count main)" "2" "in one merge commit (after the root)"
is "$(git -C "$R" rev-list --first-parent --count main)" "8" "where the often-merged district made seven"

# --- the cache is only an accelerator ---
desc "merging the copy with the resolution unmerged, with --rebuild-cache"; ok district merge "$T/unmerged.git" --rebuild-cache
like "$(cat "$T/.out")" "cache rebuilt from git" "rebuilds the cache"
is "$(tree "$T/unmerged.git")" "$(tree "$R")" "and gives the same tree"
cp -a "$R" "$T/rebuilt.git"
main_before=$(git -C "$R" rev-parse main)
desc "--rebuild-cache on an up-to-date repository"; ok district merge "$T/rebuilt.git" --rebuild-cache
like "$(cat "$T/.out")" "nothing new to merge" "finds nothing new"
is "$(git -C "$T/rebuilt.git" rev-parse main)" "$main_before" "and makes no commit"
desc "the rebuilt cache answers the auditor"; ok "$build/bin/plsync-audit" log "$T/rebuilt.git" "$id" --json
is "$(pj 'join " ", map { $_->{commit} && $_->{merge} ? "ok" : "missing" } @{$j->{ops}}' < "$T/.out")" "ok ok ok ok" \
	"with every op's node commit and merge commit"
is "$(pj '$j->{ops}[0]{merge}' < "$T/.out")" "$(git -C "$R" log --first-parent --format=%H main | tail -n 2 | head -n 1)" \
	"the first op was merged by the first merge"
desc "a second merge with nothing new"; ok district merge "$R"
is "$(git -C "$R" rev-parse main)" "$main_before" "makes no commit"

# --- a small merge writes one pack: its state files, trees and commit ---
packs() { ls "$R"/objects/pack/*.pack 2>/dev/null | wc -l | tr -d ' '; }
desc "LIN01 records one more entry and syncs"
ok sh -c "'$PLSYNC' --dir '$T/lin' add pd_entry staff=E100 title='Book study' type=plc hours=1 >/dev/null && '$PLSYNC' --dir '$T/lin' sync >/dev/null"
after_sync=$(packs)
desc "the district merges it"; ok district merge "$R"
is "$(($(packs) - after_sync))" "1" "in one new pack"
desc "whose objects git reads"
ok git -C "$R" cat-file -e "main:$(git -C "$R" ls-tree -r --name-only main state/pd_entry | tail -n 1)"
newest=$(ls -t "$R"/objects/pack/*.pack | head -n 1)
cp "$newest" "$T/copy.pack"
desc "git index-pack indexes the pack plsync wrote"; ok git index-pack -o "$T/copy.idx" "$T/copy.pack"
desc "into the very .idx plsync wrote beside it"; ok cmp "$T/copy.idx" "${newest%.pack}.idx"

# --- and git alone agrees ---
for r in "$R" "$T/unmerged.git" "$T/rebuilt.git"; do
	desc "plsync-audit verify passes on ${r#$T/}"; ok "$build/bin/plsync-audit" verify "$r"
done
# once.git is another district repository with the same node refs: their
# commits witnessed $R's main (Seen-main:), which once.git's main is not
desc "plsync-audit verify on once.git finds only the schools' witnesses of another main"
fails 1 "$build/bin/plsync-audit" verify "$T/once.git" --json
is "$(pj 'join ",", map { $_->{what} =~ /saw main at [0-9a-f]{40}, which is not in this repository/ ? "w" : $_->{what} } @{$j->{problems}}' <"$T/.out")" \
	"w,w,w" "... one per node, nothing else"
for r in "$R" "$T/once.git" "$T/unmerged.git" "$T/rebuilt.git" "$T/lin/git" "$T/was/git" "$T/dist/git"; do
	desc "git fsck --strict passes on ${r#$T/}"; ok git -C "$r" fsck --strict
done

done_testing
