#!/bin/sh
# One merge at a time (issue 9, D1 and D12). Two schools push rounds of ops
# while three merges of the district repository run at once, over and over:
# every merge succeeds (the later ones wait for the lock), and after every
# round plsync-audit verify passes, main holds every op of every node (each
# node's batches in main are exactly those of its ref, seqs 1..N with no
# gap) and git fsck --strict passes. A second merge given --no-wait (or a
# --wait that runs out) refuses with "another merge ... is running"; a lock
# whose holder was killed -9 blocks nothing; a refs/heads/main.lock left by
# a dead merge is removed and said so, and the merge goes on.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/district.sh"
ROUNDS=4 OPS=300

# the seq ranges of a node's batches in a tree-ish, one per line, sorted
ranges() { git -C "$R" ls-tree -r --name-only "$1" -- "ops/$2/" | sed 's|.*/||; s|\.msgpack$||' | sort; }
# 1 if the ranges on stdin are 1..N without gap or overlap, N = $1
gapless() { perl -e 'my $n = 0; while (<STDIN>) { my ($f, $l) = /^0*(\d+)-0*(\d+)$/ or exit 1;
	exit 1 if $f != $n + 1; $n = $l } print $n == $ARGV[0] ? 1 : 0' "$1"; }
# rows of staff of school $1, round $2
rows() { perl -e 'my ($s, $r, $n) = @ARGV; print "id,name,category,school\n";
	printf "%s-R%d-%04d,Teacher %d,certified,%s\n", $s, $r, $_, $_, $s for 1 .. $n' "$1" "$2" "$OPS"; }

desc "the district repository is created"; ok district init "$R"
for s in LIN01 WAS02; do
	desc "$s is set up with its school record"
	ok sh -c "'$PLSYNC' --dir '$T/$s' init --node $s --user 'Office <office@$s.example>' --remote '$R' >/dev/null &&
		'$PLSYNC' --dir '$T/$s' add school --id $s code=$s name=$s >/dev/null && '$PLSYNC' --dir '$T/$s' sync >/dev/null"
done

r=1
while [ $r -le $ROUNDS ]; do
	for s in LIN01 WAS02; do
		rows $s $r > "$T/$s.csv"
		"$PLSYNC" --dir "$T/$s" import staff "$T/$s.csv" >/dev/null 2>"$T/imp.err" || { cat "$T/imp.err" >&2; }
	done
	# the pushes in flight while three merges start together
	"$PLSYNC" --dir "$T/LIN01" sync >"$T/s1.out" 2>&1 & p1=$!
	"$PLSYNC" --dir "$T/WAS02" sync >"$T/s2.out" 2>&1 & p2=$!
	district merge "$R" >"$T/m1.out" 2>&1 & m1=$!
	district merge "$R" >"$T/m2.out" 2>&1 & m2=$!
	district merge "$R" >"$T/m3.out" 2>&1 & m3=$!
	st=0
	for p in $p1 $p2; do wait $p || st=1; done
	is "$st" 0 "round $r: both schools' pushes succeed"
	st=0
	for p in $m1 $m2 $m3; do wait $p || st=1; done
	is "$st" 0 "round $r: the three merges run at once all succeed"
	[ "$st" = 0 ] || sed 's/^/# /' "$T/m1.out" "$T/m2.out" "$T/m3.out" >&2
	desc "round $r: a merge after the pushes takes the rest"; ok district merge "$R"
	desc "round $r: plsync-audit verify passes"; ok audit verify "$R"
	for s in LIN01 WAS02; do
		n=$("$PLSYNC" --dir "$T/$s" status --json | perl -MJSON::PP -0777 -ne 'my $j = decode_json($_); print $j->{seq} // $j->{last_seq} // ""')
		[ -n "$n" ] || n=$(ranges "refs/heads/nodes/$s" $s | tail -n 1 | sed 's/.*-0*//')
		is "$(ranges main $s)" "$(ranges "refs/heads/nodes/$s" $s)" "round $r: main has every batch of nodes/$s"
		is "$(ranges main $s | gapless "$n")" 1 "round $r: main has $s's seqs 1..$n, no gap"
	done
	is "$(git -C "$R" ls-tree -r --name-only main -- state/staff | wc -l | tr -d ' ')" "$((2 * OPS * r))" \
		"round $r: main's state has every staff record of both schools"
	desc "round $r: git fsck --strict passes"; ok git -C "$R" fsck --strict
	r=$((r + 1))
done

# --- a second merge while one holds the lock ---
lock="$R/plsync-merge.lock"
rows LIN01 9 > "$T/LIN01.csv"
"$PLSYNC" --dir "$T/LIN01" import staff "$T/LIN01.csv" >/dev/null && "$PLSYNC" --dir "$T/LIN01" sync >/dev/null
# a holder that stays until told: flock(1) holds it while it reads its stdin
mkfifo "$T/hold"
flock "$lock" sh -c 'echo "pid $$ since 2026-12-01T22:00:00Z, merging" > "$1"; read x < "$2"' sh "$lock" "$T/hold" & holder=$!
# wait for this holder's own text (an earlier merge's "pid N since ..." is still in the file)
while ! grep -q 'since 2026-12-01T22:00:00Z' "$lock" 2>/dev/null; do sleep 0.1; done
desc "with another merge running, merge --no-wait refuses"; fails 1 district merge "$R" --no-wait
like "$(cat "$T/.err")" "another merge of $R is running \(pid [0-9]+ since 2026-12-01T22:00:00Z" \
	"and names the running one's pid and start"
desc "merge --wait=1 refuses when it is still running after the wait"; fails 1 district merge "$R" --wait=1
like "$(cat "$T/.err")" "another merge of .* is running .*still after the wait" "and says so"
echo go > "$T/hold"; wait $holder
desc "once it is done, the merge goes through"; ok district merge "$R" --no-wait
like "$(cat "$T/.out")" "merged nodes/LIN01" "and merges LIN01's new ops"

# --- a holder killed -9 leaves no lock behind ---
# (-o: flock(1)'s child does not hold the lock, only flock itself)
flock -o "$lock" sleep 60 >/dev/null 2>&1 & holder=$!
while [ -z "$(ps -o pid= --ppid $holder 2>/dev/null)" ]; do sleep 0.1; done
child=$(ps -o pid= --ppid $holder)
kill -9 $holder; wait $holder 2>/dev/null
kill $child 2>/dev/null
rows LIN01 10 > "$T/LIN01.csv"
"$PLSYNC" --dir "$T/LIN01" import staff "$T/LIN01.csv" >/dev/null && "$PLSYNC" --dir "$T/LIN01" sync >/dev/null
# the program itself in the background, not the district() function: $! must
# be the merging process, or kill -9 hits a subshell and the merge goes on
"$build/bin/plsync-district" merge "$R" >/dev/null 2>&1 & m=$!
sleep 0.3; kill -9 $m 2>/dev/null; wait $m 2>/dev/null
desc "after merges killed -9 while holding the lock, the next merge does not wait"; ok district merge "$R" --no-wait
desc "and verify passes"; ok audit verify "$R"
is "$(ranges main LIN01)" "$(ranges refs/heads/nodes/LIN01 LIN01)" "main has every batch of nodes/LIN01"

# --- a refs/heads/main.lock a dead merge left ---
git -C "$R" rev-parse main > "$R/refs/heads/main.lock"
touch -d '1 hour ago' "$R/refs/heads/main.lock"
rows WAS02 11 > "$T/WAS02.csv"
"$PLSYNC" --dir "$T/WAS02" import staff "$T/WAS02.csv" >/dev/null && "$PLSYNC" --dir "$T/WAS02" sync >/dev/null
desc "a merge with a stale refs/heads/main.lock succeeds"; ok district merge "$R" --no-wait
like "$(cat "$T/.err")" "removed a stale .*refs/heads/main.lock \([0-9]+ s old, left by a merge that died\)" "and says it removed it"
desc "the lock file is gone"; ok test ! -e "$R/refs/heads/main.lock"
is "$(ranges main WAS02)" "$(ranges refs/heads/nodes/WAS02 WAS02)" "and WAS02's new ops are in main"
desc "verify passes"; ok audit verify "$R"
desc "git fsck --strict passes"; ok git -C "$R" fsck --strict
done_testing
