#!/bin/sh
# Sync when things go wrong, over git:// (git daemon on 127.0.0.1):
#  (a) the agent killed with SIGKILL at many moments of a sync of thousands of
#      ops, pushing and applying: the store always checks out, and a normal
#      sync afterwards leaves every op in the district repository exactly once;
#  (b) the link cut after N bytes (tests/sync/cutproxy.pl) for small and
#      mid-pack N: exit 1 with a message saying to retry; then a sync through
#      the direct port completes; nothing lost, nothing duplicated;
#  (c) the server down: exit 1 saying to retry, store unchanged, ops still
#      unpushed; a later sync completes;
#  (d) the district repository refuses the push (nodes/LIN01 moved by hand to
#      an unrelated commit): exit 1 naming the refusal; nothing lost.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/sync-lib.sh"
here=$(cd "$(dirname "$0")" && pwd)

mkdir -p "$T/srv"
repo="$T/srv/district.git"
desc "plsync-district init creates the district repository"; ok timeout 30 "$DISTRICT_TOOL" init "$repo"
port=$(free_port)
daemon() {
	git daemon --export-all --enable=receive-pack --base-path="$T/srv" --reuseaddr \
		--listen=127.0.0.1 --port="$port" "$T/srv" >>"$T/daemon.log" 2>&1 &
	daemon_pid=$!
	started $daemon_pid
	wait_port "$port" 10
}
desc "git daemon listens on 127.0.0.1:$port"; ok daemon
url="git://127.0.0.1:$port/district.git"

# rows of pd_entry for staff E1, titles numbered from $2
csv() { # FILE FIRST COUNT
	awk -v first="$2" -v n="$3" 'BEGIN {
		print "staff,title,type,start,hours,cost_cents,funding,standards,notes"
		for (i = first; i < first + n; i++)
			printf "E1,Workshop number %d on fractions and ratios,workshop,2026-10-%02d,%d.5,%d,local,\"learning_designs,implementation\",row %d of a long import\n", i, i % 28 + 1, i % 7, i * 10, i
	}' > "$1"
}
# every batch blob on REF covers seqs 1..N with no gap and no overlap: print N
ranges() { # REPO REF NODE
	git -C "$1" ls-tree -r --name-only "$2" -- "ops/$3" | sed 's|.*/||; s|\.msgpack$||; s|-| |' |
	awk 'BEGIN { next_seq = 1 }
	     { f = $1 + 0; l = $2 + 0; if (f != next_seq || l < f) { print "gap-or-overlap at " $0; exit 1 } next_seq = l + 1 }
	     END { print next_seq - 1 }'
}
snapshot() { # what a failed sync must not change: the op log's size, records, pushed seq
	pl "$1" status --json | grep -E '^  "(seq|ops|records)"|"unpushed_ops"|"pushed"'
}
# ops from other nodes in NAME's store (WAS02 follows only LIN01; DISTRICT has none)
foreign_ops() { pl "$1" status --json > "$T/.st" && echo $(($(sed -n 's/^  "ops": \([0-9]*\),$/\1/p' "$T/.st") - $(field seq < "$T/.st"))); }
pd_count() { pl "$1" status --json | field pd_entry; }
snapshot_log() { # the same, and every op of the log
	snapshot "$1"
	pl "$1" log --json | md5sum
}
unlike() { if printf '%s' "$1" | grep -Eq -- "$2"; then _report 0 "$3"; else _report 1 "$3"; fi; }

desc "agents: LIN01, and WAS02 which follows LIN01"
ok sh -c "'$PLSYNC' --dir '$T/lin' init --node LIN01 --user 'Ann Lee <ann@lin.example>' --remote '$url' >/dev/null &&
	'$PLSYNC' --dir '$T/was' init --node WAS02 --user 'Pat Rivera <pat@was.example>' --remote '$url' >/dev/null &&
	git config -f '$T/was/config' --add sync.follow LIN01"
desc "LIN01 records its school and a staff member"
ok sh -c "'$PLSYNC' --dir '$T/lin' add school --id LIN01 code=LIN01 name=Lincoln level=elementary >/dev/null &&
	'$PLSYNC' --dir '$T/lin' add staff --id E1 name='Ann Lee' category=certified school=LIN01 >/dev/null"

# --- (a) kill -9 at many moments ---
csv "$T/a1.csv" 1 1500
desc "LIN01 imports 1500 PD entries"; ok pl lin import pd_entry "$T/a1.csv"
i=0
checks_ok=0
kills=0
for d in 0 0.005 0.01 0.02 0.04 0.07 0.12 0.2 0.35; do
	i=$((i + 1))
	if [ $i -gt 1 ]; then # more work between kills, so that commits are interrupted too
		csv "$T/a$i.csv" $((i * 10000)) 150
		pl lin import pd_entry "$T/a$i.csv" >/dev/null
	fi
	"$PLSYNC" --dir "$T/lin" sync --quiet >/dev/null 2>&1 &
	pid=$!
	sleep "$d"
	kill -9 "$pid" 2>/dev/null && kills=$((kills + 1))
	wait "$pid" 2>/dev/null
	"$PLSYNC" --dir "$T/was" sync --quiet >/dev/null 2>&1 &
	pid=$!
	sleep "$d"
	kill -9 "$pid" 2>/dev/null && kills=$((kills + 1))
	wait "$pid" 2>/dev/null
	pl lin check >/dev/null 2>&1 && pl was check >/dev/null 2>&1 && checks_ok=$((checks_ok + 1))
done
is "$checks_ok" "$i" "after each of $i rounds of kill -9 (pusher and follower) both stores check out"
echo "# $kills of $((2 * i)) syncs were killed before they finished" >&2
seq_lin=$(pl lin status --json | field seq)
desc "a normal sync of LIN01 then completes"; ok pl lin sync
desc "a normal sync of WAS02 then completes"; ok pl was sync
unlike "$(cat "$T/.out")" "already present" "WAS02 applied no op twice"
is "$(ranges "$repo" refs/heads/nodes/LIN01 LIN01)" "$seq_lin" \
	"nodes/LIN01's batches cover seq 1..$seq_lin once each, no gap, no overlap"
is "$(foreign_ops was)" "$seq_lin" "the follower has exactly $seq_lin ops of LIN01"
desc "the follower's store checks out"; ok pl was check
is "$(pd_count was)" "$(pd_count lin)" "the follower has every PD entry"
is "$(sync_field lin unpushed_ops)/$(sync_field lin unpushed_commits)" "0/0" "LIN01 has nothing unpushed"
desc "git fsck --strict passes on the district repository and both mirrors"; ok fsck_all "$repo" lin was

# --- (b) the link cut after N bytes ---
proxy() { # N: start the cutting proxy, set $pport
	pport=$(free_port)
	perl "$here/cutproxy.pl" "$pport" "$port" "$1" >"$T/proxy.out" 2>&1 &
	proxy_pid=$!
	started $proxy_pid
	wait_port "$pport" 10
}
# each round pushes 600 new ops, a pack of about 33 KB: N cuts it from the
# first bytes of the ref advertisement to well into the pack
round=0
for n in 7 150 1500 8000 25000; do
	round=$((round + 1))
	csv "$T/b$round.csv" $((round * 100000)) 600
	pl lin import pd_entry "$T/b$round.csv" >/dev/null
	desc "cutproxy forwards to the daemon and cuts after $n bytes"; ok proxy "$n"
	before=$(snapshot lin)
	desc "a sync through a link cut after $n bytes fails with exit 1"
	fails 1 pl lin sync --remote "git://127.0.0.1:$pport/district.git"
	like "$(cat "$T/.err")" "nothing was lost: retry 'plsync sync'" "the message says to retry"
	is "$(snapshot lin)" "$before" "LIN01's store is unchanged"
	kill "$proxy_pid"; wait "$proxy_pid" 2>/dev/null
	desc "then a sync through the direct port completes"; ok pl lin sync
	seq_lin=$(pl lin status --json | field seq)
	is "$(ranges "$repo" refs/heads/nodes/LIN01 LIN01)" "$seq_lin" "nodes/LIN01 has seq 1..$seq_lin once each"
done
# the same for fetches: WAS02 pulls the big history through the cutting proxy
for n in 100 5000 60000; do
	desc "cutproxy cuts after $n bytes"; ok proxy "$n"
	before=$(snapshot was)
	desc "WAS02 fetching through a link cut after $n bytes fails with exit 1"
	fails 1 pl was sync --remote "git://127.0.0.1:$pport/district.git"
	like "$(cat "$T/.err")" "nothing was lost: retry 'plsync sync'" "the message says to retry"
	is "$(snapshot was)" "$before" "WAS02's store is unchanged"
	kill "$proxy_pid"; wait "$proxy_pid" 2>/dev/null
done
desc "WAS02 then syncs through the direct port"; ok pl was sync
unlike "$(cat "$T/.out")" "already present" "it applied no op twice"
is "$(foreign_ops was)" "$seq_lin" "WAS02 has exactly $seq_lin ops of LIN01"
desc "WAS02's store checks out"; ok pl was check

# --- (c) the server down ---
desc "LIN01 records one more entry"; ok pl lin add pd_entry staff=E1 title="While the server is down" type=workshop
kill "$daemon_pid"; wait "$daemon_pid" 2>/dev/null
before=$(snapshot lin)
desc "with the server down the sync fails with exit 1"; fails 1 pl lin sync
like "$(cat "$T/.err")" "nothing was lost: retry 'plsync sync' when the link is up" "the message says to retry"
is "$(snapshot lin)" "$before" "the store is unchanged"
is "$(sync_field lin unpushed_ops)" "1" "status still shows the op unpushed"
desc "the server comes back"; ok daemon
desc "the next sync completes"; ok pl lin sync
is "$(sync_field lin unpushed_ops)/$(sync_field lin unpushed_commits)" "0/0" "nothing is unpushed"
seq_lin=$(pl lin status --json | field seq)
is "$(ranges "$repo" refs/heads/nodes/LIN01 LIN01)" "$seq_lin" "nodes/LIN01 has seq 1..$seq_lin once each"

# --- (d) the remote refuses the push ---
good=$(git -C "$repo" rev-parse refs/heads/nodes/LIN01)
stray=$(echo "an unrelated commit" | git -C "$repo" commit-tree "$(git -C "$repo" mktree </dev/null)")
git -C "$repo" update-ref refs/heads/nodes/LIN01 "$stray"
desc "LIN01 records another entry"; ok pl lin add pd_entry staff=E1 title="After the ref moved" type=workshop
before=$(snapshot_log lin)
desc "a push the district repository refuses fails with exit 1"; fails 1 pl lin sync
like "$(cat "$T/.err")" "refs/heads/nodes/LIN01" "the message names the ref"
like "$(cat "$T/.err")" "refused|rejected|not an ancestor" "and says it was refused"
is "$(snapshot_log lin)" "$before" "the store is unchanged: nothing lost"
is "$(sync_field lin unpushed_ops)" "1" "the entry is still unpushed"
is "$(git -C "$repo" rev-parse refs/heads/nodes/LIN01)" "$stray" "the district repository's ref was not touched"
git -C "$repo" update-ref refs/heads/nodes/LIN01 "$good"
desc "once the district office restores the ref the sync completes"; ok pl lin sync
seq_lin=$(pl lin status --json | field seq)
is "$(ranges "$repo" refs/heads/nodes/LIN01 LIN01)" "$seq_lin" "nodes/LIN01 has seq 1..$seq_lin once each"
desc "WAS02 catches up"; ok pl was sync
is "$(node_ops was LIN01)" "$seq_lin" "WAS02's log has exactly $seq_lin ops of LIN01"
desc "both stores check out"; ok check_all lin was
desc "git fsck --strict passes everywhere"; ok fsck_all "$repo" lin was

done_testing
