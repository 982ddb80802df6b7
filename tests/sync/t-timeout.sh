#!/bin/sh
# Sync against a silent server or over a stalled link, on every network
# transport: the limits sync.timeout (seconds the server may say nothing) and
# sync.lowspeed (BYTES/SECONDS while data flows) end the sync with exit 1, a
# message naming the limit and saying nothing was lost; the store is
# unchanged and checks out, and a later sync against the real server
# completes.
#  (a) a listener that accepts and never answers (tests/sync/cutproxy.pl
#      stalling with N = 0), used as a git://, http://, https:// and ssh:// server;
#  (b) a link that stalls mid-pack (cutproxy.pl stalling, forwarding to the real git
#      daemon, and to lighttpd + git http-backend, then holding the connection
#      open): a fetch of a big history and a push;
#  (c) malformed limits are refused, naming the key.
# A path remote (no socket to cut) is checked for the one thing it can show:
# the limits do not cut a big sync short.
# Every sync runs under an outer `timeout 60` (pl): a hang fails the test.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/sync-lib.sh"

mkdir -p "$T/srv"
repo="$T/srv/district.git"
desc "plsync-district init creates the district repository"; ok timeout 30 "$DISTRICT_TOOL" init "$repo"
port=$(free_port)
git daemon --export-all --enable=receive-pack --base-path="$T/srv" --reuseaddr \
	--listen=127.0.0.1 --port="$port" "$T/srv" >>"$T/daemon.log" 2>&1 &
started $!
desc "git daemon listens on 127.0.0.1:$port"; ok wait_port "$port" 10
url="git://127.0.0.1:$port/district.git"

limits() { # NAME TIMEOUT LOWSPEED
	git config -f "$T/$1/config" sync.timeout "$2" && git config -f "$T/$1/config" sync.lowspeed "$3"
}
timed_out() { # LABEL LIMIT-PATTERN: the last sync failed on that limit, losing nothing
	echo "# $1: $(cat "$T/.err")"
	like "$(cat "$T/.err")" "$2" "$1: the message names the limit"
	like "$(cat "$T/.err")" "nothing was lost: retry" "$1: the message says nothing was lost and to retry"
}
# DISTRICT fetches the new ops through a proxy to TARGET_PORT that stalls
# mid-pack: exit 1 on the low-speed limit, its store unchanged
fetch_stalls() { # LABEL TARGET_PORT URL-WITH-PORT
	_fs_before=$(pl dist status --json | grep -E '^  "(seq|ops|records)"')
	desc "$1 a proxy that stalls after 60000 bytes"; ok stall 60000 "$2"
	desc "$1 DISTRICT's fetch of the big history through the stalling link returns exit 1"
	fails 1 pl dist sync --remote "$(echo "$3" | sed "s/PORT/$sport/")"
	timed_out "$1 fetch stalled mid-pack" "$stalled_msg"
	like "$(cat "$T/stall.out")" "stalled after 60000 bytes" "$1 fetch stalled mid-pack: the proxy did stall the link"
	is "$(pl dist status --json | grep -E '^  "(seq|ops|records)"')" "$_fs_before" \
		"$1 fetch stalled mid-pack: DISTRICT's store is unchanged"
	desc "$1 fetch stalled mid-pack: DISTRICT's store checks out"; ok pl dist check
	stall_stop
}
silent_msg="said nothing for 3 s \(the limit sync\.timeout\)"
stalled_msg="stalled: fewer than 1024 bytes in 3 s \(the limit sync\.lowspeed = 1024/3\)"

desc "agent LIN01"; ok agent lin LIN01 "$url"
desc "agent DISTRICT, which follows LIN01"; ok agent dist DISTRICT "$url"
git config -f "$T/dist/config" --add sync.follow LIN01
desc "LIN01 records its school"; ok pl lin add school --id LIN01 code=LIN01 name=Lincoln level=elementary
desc "LIN01 records a staff member"; ok pl lin add staff --id E1 name="Ann Lee" category=certified school=LIN01
desc "with the default limits LIN01 syncs"; ok pl lin sync
desc "LIN01 gets small limits: sync.timeout 3, sync.lowspeed 1024/3"; ok limits lin 3 1024/3
desc "DISTRICT gets the same"; ok limits dist 3 1024/3

# --- (a) a server that accepts and never answers ---
desc "a silent listener accepts connections"; ok stall 0 0
desc "LIN01 records an entry"; ok pl lin add pd_entry staff=E1 title="Late entry" type=workshop
before=$(remote_snapshot lin)
for u in "git://127.0.0.1:$sport/district.git" "http://127.0.0.1:$sport/git/district.git" \
	"https://127.0.0.1:$sport/git/district.git" "ssh://git@127.0.0.1:$sport/district.git"; do
	scheme=${u%%:*}
	desc "$scheme: a sync against a silent server returns exit 1"
	fails 1 pl lin sync --remote "$u"
	timed_out "$scheme silent" "$silent_msg"
	is "$(remote_snapshot lin)" "$before" "$scheme silent: the district repository and LIN01's store are unchanged"
done
desc "after the silent servers LIN01's store checks out"; ok pl lin check
stall_stop
desc "then a sync against the real server pushes the entry"; ok pl lin sync
is "$(sync_field lin unpushed_ops)" "0" "nothing is left unpushed"

# --- (b) a link that stalls mid-pack ---
pd_rows "$T/big.csv" 1 3000 E1
desc "LIN01 imports 3000 PD entries"; ok pl lin import pd_entry "$T/big.csv"
desc "git://: a proxy to the daemon that stalls after 40000 bytes"; ok stall 40000 "$port"
before=$(remote_snapshot lin)
desc "git://: LIN01's push of them through the stalling link returns exit 1"
fails 1 pl lin sync --remote "git://127.0.0.1:$sport/district.git"
timed_out "git push stalled" "($stalled_msg|$silent_msg)"
is "$(remote_snapshot lin)" "$before" "git push stalled: the district repository and LIN01's store are unchanged"
stall_stop
desc "LIN01 pushes them through the direct port"; ok pl lin sync
fetch_stalls "git://" "$port" "git://127.0.0.1:PORT/district.git"
desc "DISTRICT fetches them through the direct port"; ok pl dist sync
like "$(cat "$T/.out")" "fetched: 3003 new ops applied" "DISTRICT applied the 3000 ops (and the school, staff and late entry)"

lighttpd=$(command -v lighttpd || echo /usr/sbin/lighttpd)
if [ -x "$lighttpd" ]; then
	hport=$(free_port)
	echo "clerk:s3cret" > "$T/users"
	lighttpd_conf "$hport" "$T/users"
	lighttpd_start "$hport"
	for d in lin dist; do
		git config -f "$T/$d/config" sync.username clerk
		git config -f "$T/$d/config" sync.password s3cret
	done
	hurl="http://127.0.0.1:$hport/git/district.git"
	pd_rows "$T/big2.csv" 5000 3000 E1
	desc "LIN01 imports 3000 more"; ok pl lin import pd_entry "$T/big2.csv"
	desc "LIN01 pushes them over http"; ok pl lin sync --remote "$hurl"
	fetch_stalls "http://" "$hport" "http://127.0.0.1:PORT/git/district.git"
	desc "DISTRICT fetches them from lighttpd directly"; ok pl dist sync --remote "$hurl"
	like "$(cat "$T/.out")" "fetched: 3000 new ops applied" "DISTRICT applied the 3000 more"
else
	echo "# lighttpd is not installed: the http stall mid-pack is not tested" >&2
fi

# a path remote under the same small limits: big syncs are not cut short
pd_rows "$T/big3.csv" 20000 3000 E1
desc "LIN01 imports 3000 more"; ok pl lin import pd_entry "$T/big3.csv"
desc "path: LIN01 pushes them under the small limits"; ok pl lin sync --remote "$repo"
desc "path: DISTRICT fetches them under the small limits"; ok pl dist sync --remote "$repo"
like "$(cat "$T/.out")" "fetched: 3000 new ops applied" "path: DISTRICT applied the 3000 ops"

# --- (c) malformed limits ---
for v in abc -5 3s; do
	git config -f "$T/lin/config" sync.timeout "$v"
	desc "sync.timeout = $v is refused"; fails 2 pl lin sync
	like "$(cat "$T/.err")" "sync\.timeout is '$v'" "sync.timeout = $v: the message names the key"
done
git config -f "$T/lin/config" sync.timeout 0
for v in 1024 1024/0 x/3 1024/3x; do
	git config -f "$T/lin/config" sync.lowspeed "$v"
	desc "sync.lowspeed = $v is refused"; fails 2 pl lin sync
	like "$(cat "$T/.err")" "sync\.lowspeed is '$v'" "sync.lowspeed = $v: the message names the key"
done
git config -f "$T/lin/config" sync.lowspeed 0
desc "with both limits off (0) LIN01 syncs"; ok pl lin sync

desc "git fsck --strict passes on the district repository and both mirrors"; ok fsck_all "$repo" lin dist
done_testing
