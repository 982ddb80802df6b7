#!/bin/sh
# The benchmarks run at a tiny size and print every figure beside its
# reference and its goal (issue 17). Nothing about their speed is asserted:
# only that each runs to the end and says what it measured against what.
. "$(dirname "$0")/../lib.sh"
B="$build/bench"

desc "bench/write runs (200 rows, 20 single writes)"
ok env TMPDIR="$T" "$B/write" --rows 200 --singles 20
out=$(cat "$T/.out")
like "$out" "load average at start: [0-9.]+ " "it says the machine's load"
like "$out" "bulk rows/s, one transaction +[0-9]+ +[0-9]+ +[0-9.]+ +>= 0.5" "plsync beside SQLite in one transaction, with the goal"
like "$out" "SQLite commits every 1,000 +[0-9]+ +[0-9]+" "and beside SQLite committing every 1,000 rows"
like "$out" "bytes per record on disk +[0-9]+ +[0-9]+ +[0-9.]+ +<= 3" "bytes per record beside SQLite's"
like "$out" "durable single writes 20 +[0-9]+ +[0-9]+ +[0-9.]+ +[0-9]+ +[0-9.]+" "single writes beside raw LMDB"
is "$(ls "$T" | grep -c plsync-bench)" "0" "it leaves no temporary store behind"

desc "bench/read runs (300 records)"
ok env TMPDIR="$T" "$B/read" --records 300
out=$(cat "$T/.out")
like "$out" "load average at start: [0-9.]+ " "it says the machine's load"
for c in "ls pd_entry --json" "export pd_entry \\(CSV\\)" "export pd_entry --format jsonl" "log --json"; do
	like "$out" "$c +[0-9]+ +[0-9.]+ +[0-9]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ *\$" "$c: records/s beside the raw scan's, and RSS"
done
like "$out" "value byte, 302 / 302" "the raw scan saw the records (and the school and staff), and as many ops"
is "$(echo "$out" | grep -c FAILED)" "0" "no command failed"
is "$(ls "$T" | grep -c plsync-bench)" "0" "it leaves no temporary store behind"
desc "bench/import runs (20-row imports into 0 and 300 records)"
ok env TMPDIR="$T" "$B/import" --rows 20 --staff 10 --sizes 0,300
out=$(cat "$T/.out")
like "$out" "load average at start: [0-9.]+ " "it says the machine's load"
like "$out" "
  300 +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +<= 1.5 +[0-9.]+ +[0-9.]+" "the big store's time (and its parse) beside the empty one's, the goal, RSS and heap"
is "$(ls "$T" | grep -c plsync-bench)" "0" "it leaves no temporary store behind"

desc "bench/report runs (300 records)"
ok env TMPDIR="$T" "$B/report" --records 300 --staff 20
out=$(cat "$T/.out")
like "$out" "findings --json +[0-9.]+ +[0-9]+ +[0-9.]+ +5 s, 512 MiB" "findings: time and RSS beside the goal"
like "$out" "report 2024-2025, board +[0-9.]+ +[0-9]+ +[0-9.]+ +5 s, 512 MiB" "the board's report"
like "$out" "report 2024-2025, coordinator +[0-9.]+" "the coordinator's report"
is "$(echo "$out" | grep -c FAILED)" "0" "no command failed"
is "$(ls "$T" | grep -c plsync-bench)" "0" "it leaves no temporary store behind"
desc "bench/merge runs (3 nodes x 50 ops), its node commits signed and checked"
ok env TMPDIR="$T" "$B/merge" --nodes 3 --ops 50
out=$(cat "$T/.out")
like "$out" "first merge \\(plsync-district\\) +[0-9.]+ s" "the first merge's time"
like "$out" "signing +3 commits +[0-9.]+ us/commit +[0-9.]+ ms in all" "the signing cost of its 3 node commits, per commit and in all"
like "$out" "verification +3 commits +[0-9.]+ us/commit" "the check of each one's signature"

desc "bench/merge --scale runs (40 one-op commits)"
ok env TMPDIR="$T" "$B/merge" --scale 40
out=$(cat "$T/.out")
like "$out" "verification +40 commits +[0-9.]+ us/commit" "every one of the 40 signatures checked, timed"

desc "bench/sync runs (300 ops), the sync's commits validly signed"
ok env TMPDIR="$T" "$B/sync" --ops 300 --history 400 --small 50
out=$(cat "$T/.out")
like "$out" "signing +[1-9][0-9]* commits +[0-9.]+ us/commit" "signing cost per commit beside the sync's time"
like "$out" "verification +[1-9][0-9]* commits" "and the check of each signature"
is "$(ls "$T" | grep -c plsync-bench)" "0" "it leaves no temporary store or repository behind"
done_testing
