#!/bin/sh
# Sync through a bare repository reached by path and by file:// URL: a
# DISTRICT agent and two schools converge; the district repository reads as a
# history of syncs; a sync sends only what is new; plsync-district init is
# idempotent and refuses what is not its own; a school can follow another.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/sync-lib.sh"
D() { timeout 30 "$DISTRICT_TOOL" "$@"; }
objects() { # every object in a repository, loose or packed
	git -C "$1" count-objects -v | awk '$1 == "count:" || $1 == "in-pack:" { n += $2 } END { print n }'
}

desc "plsync-district init creates a bare district repository"; ok D init "$T/path.git"
is "$(git -C "$T/path.git" rev-parse --is-bare-repository)" "true" "it is a bare repository"
is "$(git -C "$T/path.git" config plsync.district)/$(git -C "$T/path.git" config receive.denyNonFastForwards)" \
	"true/true" "it is marked as a district repository and refuses non-fast-forward pushes"
converge path "$T/path.git" "$T/path.git"

desc "plsync-district init makes a second repository for file:// URLs"; ok D init "$T/file.git"
converge file "file://$T/file.git" "$T/file.git"

# --- the district repository reads as a sync history ---
r="$T/path.git"
is "$(git -C "$r" log --format=%s refs/heads/nodes/LIN01)" "LIN01: 2 ops (seq 1..2), 2 records" \
	"the summary line names the node, the op count and the seq range"
is "$(git -C "$r" log -1 --format=%b refs/heads/nodes/LIN01 | grep -c '^put pd_entry LIN01-[0-9A-Z]\{5\}$')" "2" \
	"the message has one line per record touched"
is "$(git -C "$r" log -1 --format='%an <%ae>' refs/heads/nodes/LIN01)" "LIN01 Clerk <clerk@LIN01.example>" \
	"the commit author is the agent's configured user"
id1=$(pl path-lin ls pd_entry --json | sed -n 's/^    "id": "\(LIN01-[0-9A-Z]*\)",$/\1/p' | head -n 1)
id2=$(pl path-lin ls pd_entry --json | sed -n 's/^    "id": "\(LIN01-[0-9A-Z]*\)",$/\1/p' | tail -n 1)
desc "LIN01 changes one entry twice and deletes another"
ok sh -c "'$PLSYNC' --dir '$T/path-lin' set $id1 hours=7 && '$PLSYNC' --dir '$T/path-lin' set $id1 status=completed && '$PLSYNC' --dir '$T/path-lin' rm $id2"
desc "LIN01 syncs the changes"; ok pl path-lin sync
is "$(git -C "$r" log -1 --format=%s refs/heads/nodes/LIN01)" "LIN01: 3 ops (seq 3..5), 2 records" \
	"the new commit's summary names seq 3..5"
is "$(git -C "$r" log -1 --format=%b refs/heads/nodes/LIN01 | grep . | sort | tr '\n' ' ')" "del pd_entry $id2 put pd_entry $id1 " \
	"one line per record: the changed one and the deleted one"

# --- an incremental sync sends only the new ops ---
before=$(objects "$r")
desc "LIN01 adds one entry"; ok pl path-lin add pd_entry staff=E100 title="One more" type=coaching hours=1
desc "LIN01 syncs one op"; ok pl path-lin sync
is "$(git -C "$r" diff-tree -r --name-status refs/heads/nodes/LIN01~1 refs/heads/nodes/LIN01)" \
	"$(printf 'A\tops/LIN01/000/000/000000000006-000000000006.msgpack')" \
	"the new commit's diff adds exactly one blob, holding seq 6"
size=$(git -C "$r" cat-file -s refs/heads/nodes/LIN01:ops/LIN01/000/000/000000000006-000000000006.msgpack)
like "$size" '^[0-9]{2,3}$' "that blob is one op's size ($size bytes)"
is "$(($(objects "$r") - before))" "7" "the push added 7 objects: one commit, five trees on the path, one blob"
is "$(git -C "$r" rev-list --count refs/heads/nodes/LIN01)" "3" "nodes/LIN01 has one commit per sync that had news"

# --- a sync with nothing new is a no-op ---
tip=$(git -C "$r" rev-parse refs/heads/nodes/LIN01)
mtip=$(git -C "$T/path-lin/git" rev-parse refs/heads/nodes/LIN01)
objs=$(objects "$r")
desc "a sync with nothing new succeeds"; ok pl path-lin sync
unlike() { if printf '%s' "$1" | grep -Eq -- "$2"; then _report 0 "$3"; else _report 1 "$3"; fi; }
unlike "$(cat "$T/.out")" "committed" "it commits nothing"
is "$(git -C "$r" rev-parse refs/heads/nodes/LIN01)/$(git -C "$T/path-lin/git" rev-parse refs/heads/nodes/LIN01)" \
	"$tip/$mtip" "no new commit in the district repository or the mirror"
is "$(objects "$r")" "$objs" "no object was added to the district repository"

# --- status before and after ---
desc "LIN01 adds an entry"; ok pl path-lin add pd_entry staff=E100 title="Late entry" type=workshop
desc "a sync to a missing repository fails"; fails 1 pl path-lin sync --remote "$T/nowhere.git"
like "$(cat "$T/.err")" "nowhere.git" "the message names the remote"
is "$(sync_field path-lin unpushed_ops)/$(sync_field path-lin unpushed_commits)" "1/1" \
	"status shows the op committed in the mirror but not pushed"
like "$(pl path-lin status)" "unpushed: +1 op, 1 local commit not yet pushed" "plain status says so too"
desc "the next sync pushes it"; ok pl path-lin sync
like "$(cat "$T/.out")" "pushed nodes/LIN01 .*seq 7" "it pushed seq 7"
unlike "$(cat "$T/.out")" "committed" "the commit made by the failed sync was reused"
is "$(sync_field path-lin unpushed_ops)/$(sync_field path-lin unpushed_commits)" "0/0" \
	"status shows nothing unpushed"
is "$(sync_field path-lin remote_tip)" "$(git -C "$r" rev-parse refs/heads/nodes/LIN01)" \
	"status shows the remote tip"

# --- following another school ---
git config -f "$T/path-lin/config" --add sync.follow WAS02
desc "LIN01, now following WAS02, syncs"; ok pl path-lin sync
like "$(cat "$T/.out")" "fetched: 1 new op applied" "it applied WAS02's op"
is "$(node_ops path-lin WAS02)" "$(node_ops path-was WAS02)" "LIN01 has every op of WAS02"
is "$(pl path-lin export pd_entry --format jsonl | grep -c '"id":"WAS02-')" "1" "and WAS02's PD entry"
desc "a second sync applies nothing twice"; ok pl path-lin sync
like "$(cat "$T/.out")" "fetched: 0 new ops applied" "nothing new"
desc "LIN01 still checks out"; ok pl path-lin check
desc "git fsck --strict still passes everywhere"; ok fsck_all "$r" path-dist path-lin path-was

# --- one sync at a time per data dir ---
exec 9>"$T/path-lin/git/plsync-sync.lock"
flock -n 9 # this shell now holds the lock a running sync would hold
desc "a sync while another holds the data dir's sync lock fails"; fails 1 pl path-lin sync 9>&-
like "$(cat "$T/.err")" "another sync is running on this data dir; let it finish, then run 'plsync sync' again if needed" \
	"the message says another sync runs, and the hint when to sync again"
exec 9>&-
: > "$T/path-lin/git/refs/heads/nodes/LIN01.lock"
desc "a lock file left by a killed sync does not stop the next one"; ok pl path-lin sync
is "$(ls "$T/path-lin/git/refs/heads/nodes")" "LIN01" "the stale lock file is gone"

# --- plsync-district init: idempotent, and refuses what is not its own ---
refs=$(git -C "$r" for-each-ref)
desc "init on an existing district repository succeeds"; ok D init "$r"
is "$(git -C "$r" for-each-ref)" "$refs" "and changes nothing in it"
mkdir "$T/notgit" && echo "lesson plans" > "$T/notgit/notes.txt"
desc "init refuses a directory that is not a git repository"; fails 1 D init "$T/notgit"
like "$(cat "$T/.err")" "notgit exists and is not a git repository" "the message says why"
is "$(ls "$T/notgit")" "notes.txt" "the directory is untouched"
git init -q --bare "$T/foreign.git"
desc "init refuses a foreign git repository"; fails 1 D init "$T/foreign.git"
like "$(cat "$T/.err")" "not a plsync district repository" "the message says why"
is "$(git -C "$T/foreign.git" config plsync.district || echo unset)" "unset" "the foreign repository is untouched"
echo x > "$T/afile"
desc "init refuses a plain file"; fails 1 D init "$T/afile"
desc "init without a path is a usage error"; fails 2 D init

done_testing
