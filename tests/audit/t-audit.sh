#!/bin/sh
# plsync-audit over a real district repository: a DISTRICT agent and two
# schools sync, the district merges; then an auditor reads one PD entry's
# whole story (log, blame, show --at), plain git tells the same story, verify
# passes; and each forgery, made with plain git on a copy of the repository,
# is caught: an edited state file, a removed or altered op blob, a rewritten
# node ref, an op claiming another node (which the merge also quarantines).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/district.sh"
# rfc3339 MS [OFFSET_MINUTES]: unix milliseconds as RFC 3339, in UTC or at an offset
rfc3339() { perl -MPOSIX=strftime -e 'my ($ms, $off) = @ARGV; $off ||= 0;
	my $t = int($ms / 1000) + $off * 60;
	printf "%s.%03d%s\n", strftime("%Y-%m-%dT%H:%M:%S", gmtime $t), $ms % 1000,
	       $off ? sprintf("%s%02d:%02d", $off < 0 ? "-" : "+", abs($off) / 60, abs($off) % 60) : "Z"' "$@"; }
# commit_tree REPO BASE_COMMIT PARENTS... -- then "path blob" lines on stdin
# ("path -" removes): a new commit whose tree is BASE's with those changes,
# built with plain git plumbing (a temporary index), printed
commit_tree() {
	repo=$1 base=$2; shift 2
	idx="$T/.index.$$"
	rm -f "$idx"
	GIT_INDEX_FILE=$idx git -C "$repo" read-tree "$base" || return 1
	while read -r path blob; do
		if [ "$blob" = - ]; then
			printf '0 0000000000000000000000000000000000000000\t%s\n' "$path"
		else
			printf '100644 %s\t%s\n' "$blob" "$path"
		fi
	done | GIT_INDEX_FILE=$idx git -C "$repo" update-index --index-info || return 1
	tree=$(GIT_INDEX_FILE=$idx git -C "$repo" write-tree) || return 1
	rm -f "$idx"
	pargs=""
	for p in "$@"; do pargs="$pargs -p $p"; done
	# shellcheck disable=SC2086
	GIT_AUTHOR_NAME=Forger GIT_AUTHOR_EMAIL=forger@example GIT_COMMITTER_NAME=Forger \
	GIT_COMMITTER_EMAIL=forger@example git -C "$repo" commit-tree "$tree" $pargs -m "an innocent-looking change"
}
# alter BYTES_FROM TO: the blob content with one string replaced by another of the same length
alter() { perl -0777 -pe "s/\Q$1\E/$2/"; }

# --- a district with three agents ---
desc "the district repository is created"; ok district init "$R"
desc "the DISTRICT agent is set up"; ok d init --node DISTRICT --name "District Office" --user "Dee Office <dee@district.example>" --remote "$R"
desc "LIN01 is set up"; ok a init --node LIN01 --name "Lincoln" --user "Ann Lee <ann@lincoln.example>" --remote "$R"
desc "WAS02 is set up"; ok w init --node WAS02 --name "Washington" --user "Wes Park <wes@washington.example>" --remote "$R"
desc "the district office records itself"; ok d add school --id DIST code=DIST name="District Office" level=district
desc "DISTRICT syncs"; ok d sync
desc "LIN01 records its school and staff"
ok sh -c "'$PLSYNC' --dir '$T/lin' add school --id LIN01 code=LIN01 name='Lincoln Elementary' level=elementary >/dev/null &&
	'$PLSYNC' --dir '$T/lin' add staff --id E200 name='Pat Rivera' category=certified role=Principal school=LIN01 >/dev/null &&
	'$PLSYNC' --dir '$T/lin' add staff --id E100 name='Ann Lee' category=certified school=LIN01 supervisor=E200 budget_manager=E200 >/dev/null"
id=$(a add pd_entry staff=E100 title="Fractions workshop" type=workshop start=2026-09-14 hours=6 cost_cents=12000 funding=local status=requested)
like "$id" '^LIN01-[0-9A-Z]{5}$' "LIN01 requests a PD entry ($id)"
desc "LIN01 syncs"; ok a sync
desc "WAS02 records its school, a teacher and an entry"
ok sh -c "'$PLSYNC' --dir '$T/was' add school --id WAS02 code=WAS02 name='Washington Middle' level=middle >/dev/null &&
	'$PLSYNC' --dir '$T/was' add staff --id E500 name='Wes Park' category=certified school=WAS02 >/dev/null &&
	'$PLSYNC' --dir '$T/was' add pd_entry staff=E500 title='PLC facilitation' type=plc hours=2 >/dev/null"
desc "WAS02 syncs"; ok w sync
desc "the district merges the first syncs"; ok district merge "$R"
desc "Ann raises the hours (the second edit of pd_entry.hours)"; ok a set "$id" hours=7.5 --note "the workshop ran long"
desc "LIN01 syncs the edit"; ok a sync
desc "the district merges it"; ok district merge "$R"
desc "Pat Rivera, the supervisor, approves at LIN01's machine"
ok sh -c "'$PLSYNC' --dir '$T/lin' config user.name 'Pat Rivera' && '$PLSYNC' --dir '$T/lin' config user.email pat@lincoln.example &&
	'$PLSYNC' --dir '$T/lin' set '$id' approvals.supervisor.by=E200 approvals.supervisor.at=2026-09-01 status=approved"
desc "LIN01 syncs the approval"; ok a sync
desc "the district merges it"; ok district merge "$R"

# --- log ---
desc "log prints the record's history"; ok audit log "$R" "$id"
log=$(cat "$T/.out")
is "$(printf '%s\n' "$log" | grep -c '^LIN01/[0-9]*  ')" "3" "three ops: the request, the hours edit, the approval"
like "$log" "LIN01/4  [0-9T:.-]+Z  Ann Lee <ann@lincoln.example>  create" "the first names node/seq, time, actor and 'create'"
like "$log" "  hours: \(unset\) -> 6" "the create sets hours from unset to 6"
like "$log" "  hours: 6 -> 7.5" "the edit shows hours before and after"
like "$log" "  note   the workshop ran long" "the edit's note is shown"
like "$log" "Pat Rivera <pat@lincoln.example>  update" "the approval names Pat as its actor"
like "$log" "  approvals.supervisor.by: \(unset\) -> \"E200\"" "the approval sets approvals.supervisor.by"
like "$log" "  status: \"requested\" -> \"approved\"" "and moves the status from requested to approved"
audit log "$R" "$id" --json > "$T/log.json"
is "$(pj 'scalar @{$j->{ops}}' < "$T/log.json")" "3" "log --json has the three ops"
is "$(pj 'join " ", map { "$_->{node}/$_->{seq}" } @{$j->{ops}}' < "$T/log.json")" "LIN01/4 LIN01/5 LIN01/6" \
	"in clock order, each with node and seq"
is "$(pj '$j->{ops}[1]{changes}[0]{field} . ":" . $j->{ops}[1]{changes}[0]{before} . "->" . $j->{ops}[1]{changes}[0]{after}' < "$T/log.json")" \
	"hours:6->7.5" "the edit's change in JSON: field, before, after"
kinds=""
for i in 0 1 2; do
	for k in commit merge; do
		c=$(pj "\$j->{ops}[$i]{$k}" < "$T/log.json")
		kinds="$kinds $(git -C "$R" cat-file -t "$c" 2>/dev/null || echo "missing:$c")"
	done
done
is "$kinds" " commit commit commit commit commit commit" "every op names a node commit and a merge commit that exist"
c0=$(pj '$j->{ops}[0]{commit}' < "$T/log.json")
c1=$(pj '$j->{ops}[1]{commit}' < "$T/log.json")
m1=$(pj '$j->{ops}[1]{merge}' < "$T/log.json")
desc "the edit's node commit is on nodes/LIN01"; ok git -C "$R" merge-base --is-ancestor "$c1" refs/heads/nodes/LIN01
is "$(git -C "$R" diff-tree --no-commit-id -r --name-only "$c1")" "ops/LIN01/000/000/000000000005-000000000005.msgpack" \
	"and it is the commit that added the batch holding seq 5"
like "$(git -C "$R" log --first-parent --format=%H main)" "$m1" "the edit's merge commit is on main's first-parent chain"
is "$(git -C "$R" rev-parse "$m1^2")" "$c1" "and it merged exactly that node commit"
desc "the request and the edit came in different syncs"; ok test "$c0" != "$c1"
desc "log of an id main never saw fails"; fails 1 audit log "$R" LIN01-NOPE1
like "$(cat "$T/.err")" "no record 'LIN01-NOPE1' in main" "and says so"

# --- blame ---
desc "blame prints who set each field"; ok audit blame "$R" "$id"
blame=$(cat "$T/.out")
like "$blame" "^hours +7.5 +set by Ann Lee <ann@lincoln.example> at [0-9T:.-]+Z, LIN01/5, op [0-9a-f]{12}, commit [0-9a-f]{12}, merge [0-9a-f]{12}$" \
	"hours was set by Ann, at LIN01/5, with op, commit and merge"
like "$blame" "^approvals.supervisor.by +\"E200\" +set by Pat Rivera <pat@lincoln.example> at .*, LIN01/6," \
	"the supervisor's approval was set by Pat, at LIN01/6"
like "$blame" "^title +\"Fractions workshop\" +set by Ann Lee <ann@lincoln.example> at .*, LIN01/4," \
	"the title dates from the request"
audit blame "$R" "$id" --json > "$T/blame.json"
is "$(pj '$j->{fields}{status}{actor} . " " . $j->{fields}{status}{seq} . " " . $j->{fields}{status}{value}' < "$T/blame.json")" \
	"Pat Rivera <pat@lincoln.example> 6 approved" "blame --json: status was approved by Pat at seq 6"
is "$(pj '$j->{fields}{hours}{commit}' < "$T/blame.json")" "$c1" "and hours names the node commit that carried it"

# --- show --at ---
ms0=$(( $(pj '$j->{ops}[0]{hlc}' < "$T/log.json") >> 16 ))
ms1=$(( $(pj '$j->{ops}[1]{hlc}' < "$T/log.json") >> 16 ))
mid=$(( (ms0 + ms1) / 2 ))
desc "show --at a time between the two hours edits works"; ok audit show "$R" "$id" --at "$(rfc3339 $mid)"
like "$(cat "$T/.out")" "  hours +6$" "it shows the earlier value"
desc "the same instant at a -05:00 offset"; ok audit show "$R" "$id" --at "$(rfc3339 $mid -300)"
like "$(cat "$T/.out")" "  hours +6$" "gives the same record"
desc "show --at the edit's own millisecond"; ok audit show "$R" "$id" --at "$(rfc3339 $ms1)"
like "$(cat "$T/.out")" "  hours +7.5$" "includes the edit (TIME is inclusive)"
today=$(date -u +%Y-%m-%d)
desc "show --at today's date (the end of the day)"; ok audit show "$R" "$id" --at "$today" --json
git -C "$R" show "main:$(git -C "$R" ls-tree -r --name-only main | grep "^state/.*/$id.json$")" > "$T/state.json"
is "$(cat "$T/.out")" "$(cat "$T/state.json")" "show --json of now is byte for byte main's state file"
desc "show --at a time before the record existed fails"; fails 1 audit show "$R" "$id" --at 2020-01-01
like "$(cat "$T/.err")" "did not exist yet at 2020-01-01T23:59:59.999Z" "and says when its first op was"
desc "a bad time is a usage error"; fails 2 audit show "$R" "$id" --at yesterday
desc "show without --at is a usage error"; fails 2 audit show "$R" "$id"

# --- plain git tells the same story ---
# (main's commits are merges: git log -p shows their diffs with --first-parent)
is "$(git -C "$R" log --format=%H main -- "state/pd_entry/*/*/$id.json" | wc -l | tr -d ' ')" "3" \
	"git log main -- the state file lists the three merges that changed it"
story=$(git -C "$R" log -p --first-parent main -- "state/pd_entry/*/*/$id.json")
like "$story" '\+  "hours": 7.5,' "git log -p --first-parent main shows the later hours"
like "$story" '-  "hours": 6,' "and the earlier value it replaced"
like "$story" '\+  "status": "approved"' "and the approval"

# --- verify ---
desc "verify passes on the honest repository"; ok audit verify "$R"
like "$(cat "$T/.out")" "^verified .*: 3 node refs .*: git, ops and state agree$" "with a one-line summary"
desc "verify --json says ok"; ok audit verify "$R" --json
is "$(pj '($j->{ok} ? "ok" : "not ok") . " " . scalar @{$j->{problems}}' < "$T/.out")" "ok 0" "with no problems"
desc "the repository passes git fsck --strict"; ok git -C "$R" fsck --strict

state=$(git -C "$R" ls-tree -r --name-only main | grep "^state/.*/$id.json$")
lin_blob=ops/LIN01/000/000/000000000005-000000000005.msgpack

# (1) an edited state file, committed onto main with plain git
cp -a "$R" "$T/f1.git"
blob=$(git -C "$T/f1.git" show "main:$state" | sed 's/"hours": 7.5/"hours": 75/' | git -C "$T/f1.git" hash-object -w --stdin)
c=$(echo "$state $blob" | commit_tree "$T/f1.git" main main) && git -C "$T/f1.git" update-ref refs/heads/main "$c"
desc "verify fails on an edited state file"; fails 1 audit verify "$T/f1.git"
like "$(cat "$T/.out")" "^$(git -C "$T/f1.git" rev-parse --short=12 "$c"):$state: differs from the fold of $id's ops: hours is 75 in the file, 7.5 from the ops$" \
	"naming the commit that edited the file, the file and the field"
is "$(wc -l < "$T/.out" | tr -d ' ')" "1" "and nothing else"
desc "the forged repository still passes git fsck --strict"; ok git -C "$T/f1.git" fsck --strict

# (2a) an op blob removed from main
cp -a "$R" "$T/f2.git"
c=$(echo "$lin_blob -" | commit_tree "$T/f2.git" main main) && git -C "$T/f2.git" update-ref refs/heads/main "$c"
desc "verify fails when an op blob is removed from main"; fails 1 audit verify "$T/f2.git"
like "$(cat "$T/.out")" "main:$lin_blob: missing: main merged nodes/LIN01 up to commit [0-9a-f]{12} \(merge [0-9a-f]{12}\), which holds it" "naming the missing blob and the merge that took it"
like "$(cat "$T/.out")" "main:ops/LIN01/000/000/000000000006-000000000006.msgpack: starts at seq 6 but seq 5 is next" \
	"and the gap it leaves"
desc "git fsck --strict passes"; ok git -C "$T/f2.git" fsck --strict

# (2b) an op blob altered in main (same length, still valid msgpack)
cp -a "$R" "$T/f3.git"
blob=$(git -C "$T/f3.git" cat-file blob "main:$lin_blob" | alter "ran long" "ran LONG" | git -C "$T/f3.git" hash-object -w --stdin)
desc "the altered blob really differs"; ok test "$blob" != "$(git -C "$T/f3.git" rev-parse "main:$lin_blob")"
c=$(echo "$lin_blob $blob" | commit_tree "$T/f3.git" main main) && git -C "$T/f3.git" update-ref refs/heads/main "$c"
desc "verify fails when an op blob is altered in main"; fails 1 audit verify "$T/f3.git"
like "$(cat "$T/.out")" "main:$lin_blob: blob [0-9a-f]{12} differs from nodes/LIN01:$lin_blob \([0-9a-f]{12}\): the ops in main were altered" \
	"naming the blob and the node ref it should match"
like "$(cat "$T/.out")" "main:ops/LIN01/000/000/000000000006-000000000006.msgpack: op LIN01/6: prev is not the id of op 5" \
	"and the broken chain after it"
desc "git fsck --strict passes"; ok git -C "$T/f3.git" fsck --strict

# (3) a node ref rewritten: a new LIN01 history with an altered op
cp -a "$R" "$T/f4.git"
blob=$(git -C "$T/f4.git" cat-file blob "nodes/LIN01:$lin_blob" | alter "ran long" "ran LONG" | git -C "$T/f4.git" hash-object -w --stdin)
c=$(echo "$lin_blob $blob" | commit_tree "$T/f4.git" nodes/LIN01 nodes/LIN01~2) &&
	git -C "$T/f4.git" update-ref refs/heads/nodes/LIN01 "$c"
desc "verify fails on a rewritten node ref"; fails 1 audit verify "$T/f4.git"
like "$(cat "$T/.out")" "^refs/heads/nodes/LIN01: was rewritten: it no longer contains [0-9a-f]{12}, which merge [0-9a-f]{12} merged" \
	"naming the node ref and the merged commit it lost"
like "$(cat "$T/.out")" "nodes/LIN01:ops/LIN01/000/000/000000000006-000000000006.msgpack: op LIN01/6: prev is not the id of op 5" \
	"and the chain the rewrite broke on the ref"
desc "git fsck --strict passes"; ok git -C "$T/f4.git" fsck --strict
desc "the merge quarantines the rewritten node too"; fails 1 district merge "$T/f4.git"
like "$(cat "$T/.err")" "quarantined nodes/LIN01 .*was rewritten" "saying it was rewritten"
desc "status --check: a node in quarantine is CRITICAL"; fails 2 district status "$T/f4.git" --check
like "$(cat "$T/.out")" "^PLSYNC-DISTRICT CRITICAL - LIN01 has a range in quarantine" "naming the node"

# (4) an op claiming another node: WAS02's first batch committed as LIN01's next
cp -a "$R" "$T/f5.git"
cp -a "$T/was" "$T/was5"
"$PLSYNC" --dir "$T/was5" config remote.url "$T/f5.git"
was_blob=$(git -C "$T/f5.git" ls-tree -r --name-only nodes/WAS02 | head -n 1)
nwas=$(basename "$was_blob" .msgpack | sed 's/^0*\([0-9]*\)-0*\([0-9]*\)$/\2/')
forged=$(printf 'ops/LIN01/000/000/%012d-%012d.msgpack' 7 $((6 + nwas)))
c=$(echo "$forged $(git -C "$T/f5.git" rev-parse "nodes/WAS02:$was_blob")" | commit_tree "$T/f5.git" nodes/LIN01 nodes/LIN01) &&
	git -C "$T/f5.git" update-ref refs/heads/nodes/LIN01 "$c"
desc "the merge quarantines LIN01's range"; fails 1 district merge "$T/f5.git"
like "$(cat "$T/.err")" "quarantined nodes/LIN01 \(commit [0-9a-f]{12}, seq [0-9]+\): ops/LIN01/[0-9/-]+\.msgpack: .*WAS02" \
	"naming LIN01, the seq and the reason"
desc "WAS02, the honest node, keeps working"; ok "$PLSYNC" --dir "$T/was5" add pd_entry staff=E500 title="Book study" type=plc hours=1
desc "WAS02 syncs"; ok "$PLSYNC" --dir "$T/was5" sync
desc "the next merge still reports LIN01"; fails 1 district merge "$T/f5.git"
like "$(cat "$T/.out")" "merged nodes/WAS02 seq $((nwas + 1))\.\.$((nwas + 1))" "but merges WAS02's new op"
is "$(git -C "$T/f5.git" rev-parse main^2)" "$(git -C "$T/f5.git" rev-parse nodes/WAS02)" "main's new merge took WAS02's tip"
desc "verify fails on the forged node ref"; fails 1 audit verify "$T/f5.git"
like "$(cat "$T/.out")" "^nodes/LIN01:$forged: op seq 1 claims node WAS02, but this is LIN01's chain" \
	"naming LIN01's ref, the blob and the node the op claims"
desc "main itself is still consistent"; ok test "$(grep -c '^main:' "$T/.out")" = 0
c=$(echo "$forged $(git -C "$T/f5.git" rev-parse "nodes/WAS02:$was_blob")" | commit_tree "$T/f5.git" main main nodes/LIN01) &&
	git -C "$T/f5.git" update-ref refs/heads/main "$c"
desc "verify fails when the forged op is forced into main"; fails 1 audit verify "$T/f5.git"
like "$(cat "$T/.out")" "^main:$forged: op seq 1 claims node WAS02, but this is LIN01's chain" "naming the blob in main"
desc "git fsck --strict passes"; ok git -C "$T/f5.git" fsck --strict

# (5) big batches: an honest one of 302 ops merges whole, and one op made
# invalid deep inside another is found at its own seq, the batch quarantined
cp -a "$R" "$T/f6.git"
ok "$PLSYNC" --dir "$T/big" init --node BIG03 --user "Bea Ig <bea@big.example>" --remote "$T/f6.git"
desc "BIG03 records its school and a teacher"
ok sh -c "'$PLSYNC' --dir '$T/big' add school --id BIG03 code=BIG03 name='Big High' level=high >/dev/null &&
	'$PLSYNC' --dir '$T/big' add staff --id E900 name='Bea Ig' category=certified school=BIG03 >/dev/null"
perl -e 'print "staff,title,type,hours\n";
	printf "E900,Session %03d,%s,1.5\n", $_, $_ == 200 ? "conference" : "workshop" for 1 .. 300' > "$T/big.csv"
desc "BIG03 imports 300 PD entries"; ok "$PLSYNC" --dir "$T/big" import pd_entry "$T/big.csv"
desc "BIG03 syncs them"; ok "$PLSYNC" --dir "$T/big" sync
big_blob=$(git -C "$T/f6.git" ls-tree -r --name-only nodes/BIG03 | tail -n 1)
like "$big_blob" "^ops/BIG03/000/000/000000000001-000000000302\.msgpack$" "in one batch of 302 ops"
cp -a "$T/f6.git" "$T/f7.git"
desc "the honest big batch merges"; ok district merge "$T/f7.git"
like "$(cat "$T/.out")" "merged nodes/BIG03 seq 1\.\.302" "all 302 ops"
is "$(git -C "$T/f7.git" ls-tree -r --name-only main state/pd_entry | xargs -n 1 basename | grep -c '^BIG03-')" "300" \
	"with a state file for each of its 300 entries"
desc "verify passes on it"; ok audit verify "$T/f7.git"
blob=$(git -C "$T/f6.git" cat-file blob "nodes/BIG03:$big_blob" | alter conference conferenZe | git -C "$T/f6.git" hash-object -w --stdin)
c=$(echo "$big_blob $blob" | commit_tree "$T/f6.git" nodes/BIG03 $(git -C "$T/f6.git" rev-parse -q --verify nodes/BIG03^)) &&
	git -C "$T/f6.git" update-ref refs/heads/nodes/BIG03 "$c"
desc "the merge quarantines the batch with one invalid op"; fails 1 district merge "$T/f6.git"
like "$(cat "$T/.err")" "quarantined nodes/BIG03 \(commit [0-9a-f]{12}, seq 202\): $big_blob: op BIG03/202: .*conferenZe" \
	"at that op's seq, naming the bad value"
is "$(git -C "$T/f6.git" ls-tree -r --name-only main ops/BIG03 | wc -l | tr -d ' ')" "0" "none of the batch is merged"
desc "git fsck --strict passes"; ok git -C "$T/f6.git" fsck --strict

# --- every repository the story made is sound ---
for r in "$R" "$T/lin/git" "$T/was/git" "$T/dist/git" "$T/was5/git" "$T/big/git" "$T/f7.git"; do
	desc "git fsck --strict passes on ${r#$T/}"; ok git -C "$r" fsck --strict
done

for c in log blame show verify; do
	desc "plsync-audit $c --help prints the usage"; ok audit "$c" --help
	like "$(head -n 1 "$T/.out")" "^usage: plsync-audit" "starting with usage"
done
desc "plsync-audit --help exits 0"; ok audit --help
like "$(cat "$T/.out")" "Exit status: 0" "and documents the exit status"
desc "an unknown command is a usage error"; fails 2 audit frobnicate
desc "an unknown option is a usage error"; fails 2 audit verify "$R" --bogus
desc "a missing ID is a usage error"; fails 2 audit log "$R"
desc "a path that is not a district repository fails"; fails 1 audit verify "$T"

done_testing
