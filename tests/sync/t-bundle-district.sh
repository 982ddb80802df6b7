#!/bin/sh
# A school that only ever sends bundles reaches the board: `plsync-district
# bundle apply` lands its bundles in refs/heads/nodes/LIN01 as if it had
# pushed, so merge, status and the report include it with its hours.
# Applying a bundle twice changes nothing; a bundle that leaves a gap, an
# old-format bundle and a forged or damaged one are refused and change
# nothing in the repository. Then the school goes online (git://,
# receive-pack): its first push has nothing to send, the next is a
# fast-forward, nothing is duplicated, merge and verify pass, and git fsck
# --strict passes on every repository.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/sync-lib.sh"

R="$T/srv/district.git"
export PLSYNC_TODAY=2027-03-01
D() { timeout "$SYNC_TIMEOUT" "$DISTRICT_TOOL" "$@"; }
repo_state() { # refs and packs of R: what a refused or repeated apply must not change
	git -C "$R" for-each-ref --format='%(refname) %(objectname)'
	(cd "$R/objects" && find . -type f | sort)
}
lin_tip() { git -C "$T/lin/git" rev-parse refs/heads/nodes/LIN01; }
R_tip() { git -C "$R" rev-parse refs/heads/nodes/LIN01; }
refused() { # FILE PATTERN WHAT: bundle apply of FILE fails with exit 1, says PATTERN, changes nothing
	_before=$(repo_state)
	desc "$3 is refused with exit 1"; fails 1 D bundle apply "$R" "$1"
	like "$(cat "$T/.err")" "$2" "the message for $3 says why"
	is "$(repo_state)" "$_before" "the district repository is unchanged after $3"
}
board() { # FROM TO ENTRIES HOURS: merge takes LIN01's ops FROM..TO; status and the report show them
	desc "merge takes LIN01's new ops"; ok D merge "$R"
	like "$(cat "$T/.out")" "merged nodes/LIN01 seq $1\.\.$2" "ops $1..$2 are merged"
	desc "plsync-district status"; ok D status "$R" --json
	is "$(sed -n '/"LIN01"/,/}/p' "$T/.out" | field merged_seq)" "$2" "status shows LIN01 merged to seq $2"
	desc "the report"; ok D report "$R" --year 2026-2027 --for coordinator --format csv
	like "$(cat "$T/.out")" "^LIN01,Lincoln,1,$3,0,$4," "the report shows Lincoln: 1 participant, $3 entries, $4 hours"
}
rehash() { # IN OUT: OUT is IN's body with its checksum recomputed
	_len=$(wc -c < "$1" | tr -d ' ')
	head -c $((_len - 20)) "$1" > "$T/rehash.tmp" &&
	{ cat "$T/rehash.tmp"; perl -e 'print pack("H*", $ARGV[0])' "$(git hash-object --stdin < "$T/rehash.tmp")"; } > "$2"
}

mkdir -p "$T/srv"
desc "plsync-district init"; ok D init "$R"
desc "DISTRICT's agent (remote: the repository) and LIN01's, which has no remote at all"
ok sh -c "'$PLSYNC' --dir '$T/dist' init --node DISTRICT --user 'Dee Office <dee@district.example>' --remote '$R' >/dev/null &&
	'$PLSYNC' --dir '$T/lin' init --node LIN01 --user 'Ann Lee <ann@lincoln.example>' >/dev/null"
desc "DISTRICT records WAS02's school and syncs"
ok sh -c "'$PLSYNC' --dir '$T/dist' add school --id WAS02 code=WAS02 name=Washington level=middle >/dev/null &&
	'$PLSYNC' --dir '$T/dist' sync >/dev/null"
desc "LIN01 records its school, a teacher and 6.5 hours of PD"
ok sh -c "'$PLSYNC' --dir '$T/lin' add school --id LIN01 code=LIN01 name=Lincoln level=elementary >/dev/null &&
	'$PLSYNC' --dir '$T/lin' add staff --id E100 name='Ann Lee' category=certified school=LIN01 >/dev/null &&
	'$PLSYNC' --dir '$T/lin' add pd_entry staff=E100 title='Fractions workshop' type=workshop hours=6.5 \
		start=2026-10-01 status=completed >/dev/null"

# --- the first bundle lands ---
desc "LIN01 writes a bundle"; ok pl lin bundle create "$T/b1.plsync"
like "$(cat "$T/.out")" "ops 1\.\.3 of node LIN01" "it holds ops 1..3 (nothing ever reached the district)"
like "$(sed -n 2p "$T/b1.plsync")" "tip=$(lin_tip) base=none$" "its header names the mirror's commit and no base"
desc "the district lands it"; ok D bundle apply "$R" "$T/b1.plsync"
like "$(cat "$T/.out")" "nodes/LIN01 now at seq 3 \(ops 1\.\.3, 1 commit" "it says what it added"
is "$(R_tip)" "$(lin_tip)" "nodes/LIN01 in the district repository is the school's own commit"
before=$(repo_state)
desc "applying the same bundle again succeeds"; ok D bundle apply "$R" "$T/b1.plsync"
like "$(cat "$T/.out")" "already in the district repository \(nodes/LIN01 at seq 3\); nothing changed" "saying it was there"
is "$(repo_state)" "$before" "and changes nothing"
board 1 3 1 6.50

# --- a later bundle: by default everything the district is not known to have ---
desc "LIN01 records more PD"
ok pl lin add pd_entry staff=E100 title='Lesson study' type=plc hours=1.5 start=2026-11-02 status=completed
desc "the next bundle"; ok pl lin bundle create "$T/b2.plsync"
like "$(cat "$T/.out")" "ops 1\.\.4 of node LIN01" "it carries every op since the last confirmed push (none): 1..4"
desc "it lands, continuing the ref"; ok D bundle apply "$R" "$T/b2.plsync"
like "$(cat "$T/.out")" "nodes/LIN01 now at seq 4 \(ops 4\.\.4, 1 commit" "only the new commit is added"
desc "the older bundle after it changes nothing"; ok D bundle apply "$R" "$T/b1.plsync"
like "$(cat "$T/.out")" "already in the district repository \(nodes/LIN01 at seq 4\)" "it is already there"

# --- a gap ---
desc "LIN01 records two entries, bundling after each"
ok sh -c "'$PLSYNC' --dir '$T/lin' add pd_entry staff=E100 title='Coaching' type=coaching hours=2 start=2026-12-01 status=completed >/dev/null &&
	'$PLSYNC' --dir '$T/lin' bundle create '$T/b3.plsync' --since 4 >/dev/null &&
	'$PLSYNC' --dir '$T/lin' add pd_entry staff=E100 title='Rounds' type=instructional_rounds hours=3 start=2026-11-10 status=completed >/dev/null &&
	'$PLSYNC' --dir '$T/lin' bundle create '$T/b4.plsync' --since 5 >/dev/null"
refused "$T/b4.plsync" "does not continue nodes/LIN01, which holds ops up to seq 4; a bundle of LIN01's ops after seq 4 is needed" \
	"a bundle that leaves a gap (ops 6.. while the district has 1..4)"
like "$(cat "$T/.err")" "plsync bundle create FILE --since 4" "the hint says what the school should make"
desc "the missing bundle, then the later one, land"; ok D bundle apply "$R" "$T/b3.plsync" "$T/b4.plsync"
like "$(cat "$T/.out")" "b4.plsync: nodes/LIN01 now at seq 6" "both land, in order"
is "$(R_tip)" "$(lin_tip)" "nodes/LIN01 is again the school's own tip"

# --- refused files ---
perl -e 'open my $f, "<:raw", $ARGV[0] or die; local $/; my $d = <$f>;
	$d =~ s/^(PLSYNC-BUNDLE )2(\n[^\n]* size=\d+) pack=(\d+) tip=\S+ base=\S+\n/${1}1$2\n/ or die;
	my $pack = $3; $d = substr($d, 0, length($d) - 20 - $pack);
	open my $o, ">:raw", $ARGV[1] or die; print $o $d . "x" x 20' "$T/b2.plsync" "$T/v1.tmp"
rehash "$T/v1.tmp" "$T/v1.plsync"
desc "a version-1 bundle still applies at an agent"; ok pl dist bundle apply "$T/v1.plsync"
refused "$T/v1.plsync" "old-format bundle \(PLSYNC-BUNDLE 1\): it carries the ops of LIN01 but not its commits" \
	"an old-format bundle"
desc "LIN01 writes a new bundle"
ok sh -c "'$PLSYNC' --dir '$T/lin' add pd_entry staff=E100 title='Reading' type=course hours=4 start=2026-11-20 status=completed >/dev/null &&
	'$PLSYNC' --dir '$T/lin' bundle create '$T/b5.plsync' --since 6 >/dev/null"
len=$(wc -c < "$T/b5.plsync" | tr -d ' ')
perl -e 'open my $f, "<:raw", $ARGV[0] or die; local $/; my $d = <$f>;
	substr($d, $ARGV[1], 1) = chr(ord(substr($d, $ARGV[1], 1)) ^ 0xff);
	open my $o, ">:raw", $ARGV[2] or die; print $o $d' "$T/b5.plsync" $((len - 60)) "$T/flip.tmp"
cp "$T/flip.tmp" "$T/flip-sum.plsync"
refused "$T/flip-sum.plsync" "checksum mismatch" "a bundle with a byte of its commits damaged"
rehash "$T/flip.tmp" "$T/flip-pack.plsync"
refused "$T/flip-pack.plsync" "the commits it carries are damaged" "the same with its checksum recomputed"
sed '2s/node=LIN01/node=WAS02/' "$T/b5.plsync" > "$T/forge.tmp"; rehash "$T/forge.tmp" "$T/forged-node.plsync"
refused "$T/forged-node.plsync" "touches ops/LIN01/.*outside ops/WAS02/|does not continue|other history" \
	"a bundle whose checksummed header claims WAS02 for LIN01's commits"
is "$(git -C "$R" for-each-ref --format=%\(refname\) refs/heads/nodes/WAS02)" "" "no WAS02 ref was made"
desc "the genuine bundle lands"; ok D bundle apply "$R" "$T/b5.plsync"
desc "two more files: a missing one fails, the other still lands"; fails 1 D bundle apply "$R" "$T/nope.plsync" "$T/b5.plsync"
like "$(cat "$T/.out")" "b5.plsync: already in" "the good one is reported"
desc "bundle without FILE is a usage error"; fails 2 D bundle apply "$R"
desc "bundle with another action is a usage error"; fails 2 D bundle create "$R" "$T/b5.plsync"
desc "merge after the bundles"; ok D merge "$R"
like "$(cat "$T/.out")" "merged nodes/LIN01 seq 4\.\.7" "ops 4..7 merged"

# --- the school goes online once ---
port=$(free_port)
git daemon --export-all --enable=receive-pack --base-path="$T/srv" --reuseaddr \
	--listen=127.0.0.1 --port="$port" --pid-file="$T/daemon.pid" "$T/srv" >"$T/daemon.log" 2>&1 &
started $!
desc "git daemon listens on 127.0.0.1:$port"; ok wait_port "$port" 10
desc "LIN01 syncs over git:// for the first time: nothing refused"
ok pl lin sync --remote "git://127.0.0.1:$port/district.git"
like "$(cat "$T/.out")" "pushed nodes/LIN01 to git://.* \(seq 7, commit" "the push has nothing to send: seq 7 was there"
is "$(R_tip)" "$(lin_tip)" "the district repository's nodes/LIN01 is unchanged, the school's tip"
desc "LIN01 records one more entry offline"
ok pl lin add pd_entry staff=E100 title='Data team' type=plc hours=1 start=2026-11-25 status=completed
desc "LIN01 syncs again: a fast-forward"
ok pl lin sync --remote "git://127.0.0.1:$port/district.git"
like "$(cat "$T/.out")" "pushed nodes/LIN01 to git://.* \(seq 8, commit" "it pushed up to seq 8"
is "$(R_tip)" "$(lin_tip)" "the district repository has the school's tip"
is "$(git -C "$R" rev-list --count refs/heads/nodes/LIN01)" "$(git -C "$T/lin/git" rev-list --count refs/heads/nodes/LIN01)" \
	"and the same history, no commit twice"
desc "a second sync has nothing to push and is accepted"; ok pl lin sync --remote "git://127.0.0.1:$port/district.git"
desc "the next bundle then carries only what the district is not known to have"
fails 1 pl lin bundle create "$T/b6.plsync"
like "$(cat "$T/.err")" "no ops after seq 8" "nothing: the push confirmed seq 8"
board 8 8 6 18.00
desc "DISTRICT syncs"; ok pl dist sync --remote "$R"
# --- hostile commits: another history, a hand-made commit ---
desc "a second agent that also calls itself LIN01 writes a bundle"
ok sh -c "'$PLSYNC' --dir '$T/lin2' init --node LIN01 --user 'Mal <mal@example.org>' >/dev/null &&
	'$PLSYNC' --dir '$T/lin2' add school --id LIN01 code=LIN01 name=Forged level=elementary >/dev/null &&
	'$PLSYNC' --dir '$T/lin2' bundle create '$T/other.plsync' >/dev/null"
refused "$T/other.plsync" "does not continue nodes/LIN01: its commits are another history" \
	"a bundle of another history of LIN01"
desc "a copy of LIN01's data dir gets a hand-made commit in its mirror, then a new op and a bundle"
ok sh -c "cp -R '$T/lin' '$T/lin3' && m='$T/lin3/git' && export GIT_INDEX_FILE='$T/evil.idx' &&
	git -C \"\$m\" read-tree refs/heads/nodes/LIN01 &&
	blob=\$(echo evil | git -C \"\$m\" hash-object -w --stdin) &&
	git -C \"\$m\" update-index --add --cacheinfo 100644,\$blob,evil.txt &&
	c=\$(git -C \"\$m\" commit-tree \$(git -C \"\$m\" write-tree) -p refs/heads/nodes/LIN01 -m evil) &&
	git -C \"\$m\" update-ref refs/heads/nodes/LIN01 \$c &&
	'$PLSYNC' --dir '$T/lin3' add pd_entry staff=E100 title=Extra type=course hours=1 >/dev/null &&
	'$PLSYNC' --dir '$T/lin3' bundle create '$T/evil.plsync' --since 7 >/dev/null"
refused "$T/evil.plsync" "commit [0-9a-f]{12} touches evil.txt, outside ops/LIN01/" "a bundle carrying a hand-made commit"
desc "a copy of LIN01's data dir gets a hand-made batch 9..9 holding an old op, and a bundle of it"
ok sh -c "cp -R '$T/lin' '$T/lin4' && m='$T/lin4/git' && export GIT_INDEX_FILE='$T/chain.idx' &&
	git -C \"\$m\" read-tree refs/heads/nodes/LIN01 &&
	old=\$(git -C \"\$m\" rev-parse refs/heads/nodes/LIN01:ops/LIN01/000/000/000000000001-000000000003.msgpack) &&
	git -C \"\$m\" update-index --add --cacheinfo 100644,\$old,ops/LIN01/000/000/000000000009-000000000009.msgpack &&
	c=\$(git -C \"\$m\" commit-tree \$(git -C \"\$m\" write-tree) -p refs/heads/nodes/LIN01 -m replay) &&
	git -C \"\$m\" update-ref refs/heads/nodes/LIN01 \$c &&
	'$PLSYNC' --dir '$T/lin4' add pd_entry staff=E100 title=Replay type=course hours=1 >/dev/null &&
	'$PLSYNC' --dir '$T/lin4' bundle create '$T/replay.plsync' --since 8 >/dev/null"
refused "$T/replay.plsync" "000000000009-000000000009.msgpack: op LIN01/1 does not follow LIN01/8 of the node's chain" \
	"a bundle whose commit replays old ops as new"
desc "plsync-audit verify passes"; ok timeout "$SYNC_TIMEOUT" "$build/bin/plsync-audit" verify "$R"
desc "git fsck --strict passes on the district repository and every mirror"; ok fsck_all "$R" lin dist lin2 lin3 lin4

done_testing
