#!/bin/sh
# `plsync sync --watch` syncs at once when a network link comes up, rather
# than at the end of its backoff. The test runs in a network namespace of
# its own (unshare -n; skipped where that is not allowed), so the links it
# makes touch nothing else: a git daemon on its 127.0.0.1, a watch whose
# backoff is long (sync.backoff 10 min), the daemon stopped and started
# again while the watch waits; then a veth pair brought up, and the watch
# syncs at once, saying why ("link up"), with the next planned try still
# minutes away.
if [ -z "${PLSYNC_NETNS:-}" ]; then
	if unshare -n true 2>/dev/null; then
		PLSYNC_NETNS=1 exec unshare -n "$0" "$@"
	fi
	echo "1..0 # SKIP cannot make a network namespace here (unshare -n)"
	exit 0
fi
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/sync-lib.sh"
export LSAN_OPTIONS="$LSAN_OPTIONS:fast_unwind_on_malloc=0" # as in t-watch.sh

log_has() { grep -Eq -- "$2" "$T/$1"; }
failed_once() { [ "$(pl lin status --json | field failures)" -ge 1 ]; }
# seconds until the watch's next planned try
next_in() {
	_next=$(pl lin status --json | field next_try)
	[ -n "$_next" ] && [ "$_next" != null ] || { echo 0; return; }
	echo $(($(date -u -d "$_next" +%s) - $(date -u +%s)))
}
pushed_all() { [ "$(sync_field lin unpushed_ops)" = 0 ]; }

desc "the namespace's loopback comes up"; ok ip link set lo up
mkdir -p "$T/srv"
"$DISTRICT_TOOL" init "$T/srv/district.git" >/dev/null
port=$(free_port)
desc "git daemon listens on 127.0.0.1:$port in the namespace"; ok daemon_start
agent lin LIN01 "git://127.0.0.1:$port/district.git" && pl lin config sync.interval 1h &&
	pl lin config sync.backoff 10m && pl lin config sync.backoffmax 10m
is "$?" "0" "a school that retries within 10 minutes after a failure"

"$PLSYNC" --dir "$T/lin" sync --watch >"$T/watch.out" 2>"$T/watch.err" &
watch=$!
started $watch
desc "the watch makes its first sync"; ok wait_for log_has watch.out "synced \(start\)"
desc "the git daemon stops"; ok daemon_stop
desc "LIN01 records an entry"
ok pl lin add school --id LIN01 code=LIN01 name="Lincoln Elementary"
desc "a wake (SIGUSR1) makes the watch try at once, and fail"
kill -USR1 "$watch"
ok wait_for failed_once
like "$(cat "$T/watch.err")" "sync failed \(1 in a row; wake\)" "the log says the wake made it try"
# the retry is drawn in [1 s, 10 min]: wait (failing again) until it is more than a minute away
far() { [ "$(next_in)" -gt 60 ] || { kill -USR1 "$watch"; sleep 1; false; }; }
desc "the next planned try is more than a minute away"; ok wait_for far
desc "the git daemon comes back"; ok daemon_start
desc "a veth pair comes up"
ok sh -c 'ip link add plv0 type veth peer name plv1 && ip link set plv1 up && ip link set plv0 up'
desc "the watch syncs at once, for the link"; ok wait_for log_has watch.out "synced \(link up\)"
desc "the entry is pushed"; ok pushed_all
like "$(next_in)" "^[0-9]{3,4}$" "the next sync is the interval's, an hour away"
kill -TERM "$watch"
wait "$watch"
is "$?" "0" "SIGTERM ends the watch with exit 0"
desc "git fsck --strict passes on the repository and the mirror"; ok fsck_all "$T/srv/district.git" lin

done_testing
