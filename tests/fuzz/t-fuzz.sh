#!/bin/sh
# Each fuzz target (tests/fuzz/fuzz-*.c, built by `make fuzz` into
# build/fuzz/) over its seed corpus tests/fuzz/corpus/<name>/ for a bounded
# number of executions, with a fixed seed: the corpus first, then mutations
# of it. A crash, a sanitizer report or a broken property (the targets trap)
# fails the test; the input is kept in build/fuzz/crashes/. New inputs go to
# a temporary dir, never into the committed corpus. -max_total_time only
# caps a slow machine: the test passes or fails on crashes, never on time.
# `make check` runs this after the other tests (see README, "Fuzzing").
. "$(dirname "$0")/../lib.sh"
fuzz=${PLSYNC_FUZZ:-$top/build/fuzz}
corpus="$top/tests/fuzz/corpus"

# target:runs (the bundle target writes files and a store each run: fewer)
for spec in op:50000 bundle:10000 import:50000 name:50000 json:50000 sshsig:50000; do
	name=${spec%%:*} runs=${spec#*:}
	bin="$fuzz/fuzz-$name"
	if [ ! -x "$bin" ]; then
		_report 0 "fuzz-$name: $bin is not built (run make fuzz)"
		continue
	fi
	mkdir -p "$T/new-$name" "$fuzz/crashes"
	"$bin" -seed=1 -runs="$runs" -max_total_time=30 -timeout=60 -print_final_stats=1 \
		-artifact_prefix="$fuzz/crashes/$name-" "$T/new-$name" "$corpus/$name" >"$T/$name.log" 2>&1
	rc=$?
	done_runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$T/$name.log" | tail -n 1)
	if [ "$rc" = 0 ] && [ -n "$done_runs" ]; then
		_report 1 "fuzz-$name: $done_runs runs over $(ls "$corpus/$name" | wc -l) seeds, no crash"
	else
		_report 0 "fuzz-$name: exit $rc after ${done_runs:-?} runs"
		tail -n 40 "$T/$name.log" | sed 's/^/# /' >&2
		echo "# the input is in $fuzz/crashes/; run: $bin $fuzz/crashes/$name-*" >&2
	fi
done
done_testing
