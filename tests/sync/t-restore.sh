#!/bin/sh
# A school rebuilt from the district after its laptop died: LIN01 syncs
# several times, its data dir is deleted, `plsync restore` takes back its
# ops and DISTRICT's; the records are what they were, `check` passes, a new
# change continues the chain and its sync is accepted, the district merges
# it with nothing quarantined and `plsync-audit verify` passes. Refused: a
# node the district never heard of, a dir that holds a store, a node ref
# whose ops do not verify (leaving nothing behind). Once more over git://.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/sync-lib.sh"
. "$(dirname "$0")/../audit/district.sh"
restore() { _r_dir=$1; shift; timeout "$SYNC_TIMEOUT" "$PLSYNC" --dir "$_r_dir" restore "$@"; }
dist_roster() {
	d add school --id WAS02 code=WAS02 name=Washington level=middle && d add staff --id E200 name='Pat Rivera' \
		category=certified school=WAS02 && d sync
}
lin_more() { a set "$1" hours=7 && a add pd_entry staff=E100 title='Safety' type=training hours=2; }
lin4_more() {
	"$PLSYNC" --dir "$T/lin4" add pd_entry staff=E100 title='Over git' type=coaching hours=1 &&
		timeout "$SYNC_TIMEOUT" "$PLSYNC" --dir "$T/lin4" sync
}
exports() { # every kind LIN01 has, as CSV
	for _k in school staff pd_entry; do "$PLSYNC" --dir "$1" export "$_k" || return 1; done
}

desc "the district repository and the agents are set up"; ok district_init
ok lin_school
desc "DISTRICT records the roster and syncs"
ok dist_roster
desc "LIN01 syncs"; ok a sync
desc "LIN01 records work"; ok a add pd_entry staff=E100 title="Fractions workshop" type=workshop hours=6.5
desc "LIN01 syncs again"; ok a sync
id=$(a ls pd_entry --json | field id)
desc "LIN01 changes the entry and records another"
ok lin_more "$id"
desc "LIN01 syncs a third time"; ok a sync
desc "the district merges"; ok district merge "$R"
exports "$T/lin" >"$T/before.csv"
seq=$(a status --json | field seq)
is "$seq" "5" "LIN01 made 5 ops"

# --- the laptop dies ---
rm -rf "$T/lin"

desc "restore of a node the district never heard of is refused"
fails 1 restore "$T/oak" --node OAK03 --remote "$R"
like "$(cat "$T/.err")" "no nodes/OAK03" "the message says the repository has no ref of that node"
is "$(ls -A "$T" | grep -c '^oak$')" "0" "and leaves no data dir behind"

desc "restore of LIN01 succeeds"
ok restore "$T/lin" --node LIN01 --remote "$R" --user 'Ann Lee <ann@lincoln.example>'
like "$(cat "$T/.out")" "ops 1\.\.5 .*and 2 ops of followed" "it says it took back ops 1..5, and DISTRICT's 2"
desc "plsync check passes on the restored data dir"; ok a check
exports "$T/lin" >"$T/after.csv"
is "$(cmp "$T/before.csv" "$T/after.csv" && echo same)" "same" "every record is what it was (export before/after)"
is "$(a status --json | field seq)/$(a status --json | sed -n '/"sync"/,/}/p' | field pushed)" \
	"5/5" "its seq is 5 and all 5 are known pushed"
is "$(git -C "$T/lin/git" rev-parse refs/heads/nodes/LIN01)" "$(git -C "$R" rev-parse refs/heads/nodes/LIN01)" \
	"the mirror's branch is the district's nodes/LIN01"

desc "restore into a dir that holds a store is refused"
fails 1 restore "$T/lin" --node LIN01 --remote "$R"
like "$(cat "$T/.err")" "already holds a plsync store" "the message says so"
desc "and the data dir still works"; ok a check

desc "a new change after the restore"; ok a add pd_entry staff=E100 title="After the restore" type=coaching hours=1
is "$(a log --json | grep -c '"seq": 6')" "1" "it is op 6"
desc "its sync is accepted (a fast-forward)"; ok a sync
is "$(git -C "$R" log -1 --format=%s refs/heads/nodes/LIN01)" "LIN01: 1 op (seq 6..6), 1 record" \
	"the district's nodes/LIN01 continues with seq 6"
desc "the district merges it"; ok district merge "$R" --json
is "$(pj 'scalar @{$j->{quarantined}}' < "$T/.out")" "0" "nothing is quarantined"
desc "plsync-audit verify passes"; ok audit verify "$R"
desc "git fsck --strict passes on the district repository and the restored mirror"
ok fsck_all "$R" lin dist

# --- a node ref that does not verify ---
cp -r "$R" "$T/bad.git"
git clone -q "$T/bad.git" "$T/work" 2>/dev/null
(cd "$T/work" && git checkout -q -b forged origin/nodes/LIN01 &&
	printf 'not an op' >ops/LIN01/000/000/000000000008-000000000008.msgpack &&
	git add -A && git -c user.name=X -c user.email=x@example.org commit -q -m forged &&
	git push -q origin forged:refs/heads/nodes/LIN01) 2>"$T/.forge"
is "$(git -C "$T/bad.git" log -1 --format=%s refs/heads/nodes/LIN01)" "forged" \
	"a forged commit is on nodes/LIN01 of a copy"
desc "restore from a repository whose node ref does not verify is refused"
fails 1 restore "$T/lin2" --node LIN01 --remote "$T/bad.git"
like "$(cat "$T/.err")" "nodes/LIN01 does not verify" "the message says the node's ref does not verify"
is "$(ls -A "$T" | grep -c '^lin2$')" "0" "and leaves no data dir behind"
mkdir "$T/lin3"
desc "into an existing empty dir, a refused restore leaves it empty"
fails 1 restore "$T/lin3" --node LIN01 --remote "$T/bad.git"
is "$(ls -A "$T/lin3" | wc -l)" "0" "nothing is left in it"

# a replayed batch: the first batch's blob again, under a name that claims seq 8
rm -rf "$T/bad.git" "$T/work" && cp -r "$R" "$T/bad.git" && git clone -q "$T/bad.git" "$T/work" 2>/dev/null
(cd "$T/work" && git checkout -q -b replay origin/nodes/LIN01 &&
	cp "$(ls ops/LIN01/000/000/* | head -n 1)" ops/LIN01/000/000/000000000008-000000000008.msgpack &&
	git add -A && git -c user.name=X -c user.email=x@example.org commit -q -m replay &&
	git push -q origin replay:refs/heads/nodes/LIN01) 2>"$T/.forge"
desc "restore from a node ref that replays an old op under a new seq is refused"
is "$(git -C "$T/bad.git" log -1 --format=%s refs/heads/nodes/LIN01)" "replay" \
	"a commit replaying a batch is on nodes/LIN01 of a copy"
fails 1 restore "$T/lin5" --node LIN01 --remote "$T/bad.git"
like "$(cat "$T/.err")" "holds ops up to 8 but only 6" "the message says the ref's ops do not add up"
is "$(ls -A "$T" | grep -c '^lin5$')" "0" "and leaves no data dir behind"

# --- once over git:// ---
mkdir -p "$T/srv" && cp -r "$R" "$T/srv/district.git"
port=$(free_port)
git daemon --export-all --enable=receive-pack --base-path="$T/srv" --reuseaddr \
	--listen=127.0.0.1 --port="$port" --pid-file="$T/daemon.pid" "$T/srv" >"$T/daemon.log" 2>&1 &
started $!
desc "git daemon listens on 127.0.0.1:$port"; ok wait_port "$port" 10
desc "restore of LIN01 over git://"
ok restore "$T/lin4" --node LIN01 --remote "git://127.0.0.1:$port/district.git"
like "$(cat "$T/.out")" "ops 1\.\.6 " "it took back ops 1..6"
desc "a change and its sync over git:// are accepted"
ok lin4_more
is "$(git -C "$T/srv/district.git" log -1 --format=%s refs/heads/nodes/LIN01)" "LIN01: 1 op (seq 7..7), 1 record" \
	"the district's nodes/LIN01 continues with seq 7"
desc "git fsck --strict passes on the served repository and the mirror"; ok fsck_all "$T/srv/district.git" lin4

done_testing
