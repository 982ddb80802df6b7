#!/bin/sh
# The background sync of `plsync serve` against a real git daemon on
# 127.0.0.1: the server syncs by itself (sync.interval of 2 s here); the
# daemon stops, requests made through the web are kept, and every page says
# "Offline since HH:MM — N changes saved on this computer, they will be sent
# when the network is back" with N the unsent ops; the daemon comes back and
# the requests reach the district with no command; with sync.interval at 1 h,
# "Sync now" (a POST with the CSRF token) sends a new request at once, and
# without the token it is refused; a sync --watch beside serve is refused,
# plain syncs beside it each run alone or are refused as busy. A page request
# in flight survives a sync that times out on a silent server (the sync's
# watch cuts only the sync's own sockets). SIGTERM stops server and loop.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sync/sync-lib.sh"
. "$(dirname "$0")/web.sh"
here=$(cd "$(dirname "$0")" && pwd)
export PLSYNC_DIR="$T/lin" PLSYNC_TODAY=2027-03-01
# a refused git:// push leaks inside libgit2 1.5 (tests/lsan.supp, as t-watch.sh)
export LSAN_OPTIONS="$LSAN_OPTIONS:fast_unwind_on_malloc=0"

unpushed() { pl lin status --json | sed -n '/"sync"/,/}/p' | field unpushed_ops; }
pushed_all() { [ "$(unpushed)" = 0 ]; }
district_has() { pl dist sync --quiet && [ "$(count dist pd_entry)" = "$1" ]; }
page_says() { web E100 "$URL" | grep -q -- "$1"; }
sync_line() { web E100 "$URL" | sed -n 's/.*<div class="sync"><p>\([^<]*\).*/\1/p'; }
request() { # ID TITLE: a PD request through the web; the status
	code "$1" --data-urlencode "title=$2" --data-urlencode type=workshop \
		--data-urlencode start=2027-04-01 --data-urlencode "csrf=$(csrf_of "$1")" "${URL}requests"
}
serve_up() { serve_start "$@" && started "$SERVE_PID"; }

mkdir -p "$T/srv"
desc "plsync-district init creates the repository the daemon serves"
ok timeout 30 "$DISTRICT_TOOL" init "$T/srv/district.git"
port=$(free_port)
url="git://127.0.0.1:$port/district.git"
desc "git daemon listens on 127.0.0.1:$port"; ok daemon_start
desc "a school with staff and accounts, its remote the daemon"; ok school
p config remote.url "$url" >/dev/null && p config sync.interval 2 >/dev/null && p config sync.backoff 1s >/dev/null &&
	p config sync.backoffmax 2 >/dev/null
is "$?" "0" "the school syncs every 2 s, backing off from 1 s up to 2 s"
agent dist DISTRICT "$url" && git config -f "$T/dist/config" --add sync.follow LIN01
is "$?" "0" "a district agent that follows LIN01"

desc "serve starts and syncs by itself"; ok serve_up
like "$(cat "$T/serve.out")" "syncing by itself" "it says it syncs by itself"
desc "the school's records reach the remote with no command"; ok wait_for pushed_all
is "$(login E100)" 303 "E100 logs in"
like "$(sync_line)" "^Last sent [0-9][0-9]:[0-9][0-9]\. Everything is sent\." "the page says when it last sent"
like "$(web E100 "$URL")" 'action="/sync"' "every page has the Sync now button"

desc "the git daemon stops"; ok daemon_stop
is "$(request E100 "Fractions workshop")" 303 "E100 requests PD while the district is unreachable"
is "$(request E100 "Reading circle")" 303 "... and a second time"
desc "the page says it is offline"; ok wait_for page_says "Offline since"
n=$(unpushed)
is "$n" 2 "two changes wait to be sent (the two requests)"
like "$(sync_line)" "^Offline since [0-9][0-9]:[0-9][0-9] — $n changes saved on this computer, they will be sent when the network is back\. (Next try at [0-9][0-9]:[0-9][0-9]\.|Sending now…)$" \
	"the page says offline since when, with the count of changes waiting"
is "$(count dist pd_entry)" 0 "the district has no entry yet"

desc "the git daemon comes back"; ok daemon_start
desc "the requests reach the district with no command"; ok wait_for district_has 2
desc "the page says all is sent"; ok wait_for page_says "Everything is sent"

desc "a sync --watch beside serve is refused"
fails 1 pl lin sync --watch
like "$(cat "$T/.err")" "already synced by itself \(process $SERVE_PID holds" "the refusal names serve's pid"
desc "plain syncs beside serve each run alone or are refused as busy"
busy_ok() {
	for _i in 1 2 3 4 5 6; do
		pl lin sync --quiet 2>"$T/.manual"
		_rc=$?
		[ $_rc = 0 ] || { [ $_rc = 1 ] && grep -q "another sync is running on this data dir" "$T/.manual"; } ||
			{ cat "$T/.manual" >&2; return 1; }
	done
}
ok busy_ok

desc "SIGTERM stops the server and its sync"; serve_stop
is "$SERVE_RC" 0 "serve exits 0"
like "$(tail -n 1 "$T/serve.out")" "stopped" "it says it stopped"
is "$(pl lin status --json | field watch_pid)" "null" "no sync loop is left (status has no watch pid)"

desc "Sync now: with sync.interval at 1 h, a new request is sent only when asked"
p config sync.interval 1h >/dev/null
ok serve_up
desc "the first sync at start"; ok wait_for pushed_all
is "$(login E100)" 303 "E100 logs in again"
is "$(request E100 "Math night")" 303 "E100 requests PD"
is "$(unpushed)" 1 "it waits to be sent (the next sync is an hour away)"
is "$(code E100 --data-urlencode back=/transcript "${URL}sync")" 403 "Sync now without the CSRF token is refused"
is "$(unpushed)" 1 "... and sends nothing"
is "$(code E100 --data-urlencode back=//evil.example/ --data-urlencode "csrf=$(csrf_of E100)" "${URL}sync")" 303 \
	"Sync now with the token is accepted"
like "$(curl -s -D - -o /dev/null -b "$T/E100.jar" --data-urlencode back=//evil.example/ \
	--data-urlencode "csrf=$(csrf_of E100)" "${URL}sync" | tr -d '\r')" "Location: /$" \
	"it goes back to a page of this site only"
desc "the request is sent at once"; ok wait_for pushed_all
desc "it reaches the district"; ok wait_for district_has 3
serve_stop
is "$SERVE_RC" 0 "serve exits 0 again"

desc "a page request in flight survives a sync that times out on a silent server"
web_port=$(free_port)
python3 "$here/inflight.py" "$T/silent.port" "$web_port" >"$T/inflight.out" 2>&1 &
inflight=$!
started $inflight
wait_for test -s "$T/silent.port"
p config remote.url "git://127.0.0.1:$(cat "$T/silent.port")/district.git" >/dev/null &&
	p config sync.timeout 2 >/dev/null && p config sync.interval 2 >/dev/null
"$PLSYNC" serve --listen "127.0.0.1:$web_port" >"$T/serve.out" 2>"$T/serve.err" &
SERVE_PID=$!
started $SERVE_PID
wait_for test -s "$T/inflight.out"
is "$(cat "$T/inflight.out")" "HTTP/1.1 200 OK" "the request sent half before the timeout and half after is answered"
URL="http://127.0.0.1:$web_port/"
is "$(login E100)" 303 "E100 logs in"
desc "the page says offline"; ok wait_for page_says "Offline since"
serve_stop
is "$SERVE_RC" 0 "serve exits 0 while its sync fails"
like "$(pl lin status --json | field last_error)" "said nothing for 2 s" "the sync's error names the timeout"
kill "$inflight"; wait "$inflight" 2>/dev/null

desc "with a sync --watch running already, serve serves and leaves the syncing to it"
"$PLSYNC" sync --watch --quiet >"$T/watch.out" 2>"$T/watch.err" &
watch=$!
started $watch
watching() { [ "$(pl lin status --json | field watch_pid)" = "$watch" ]; }
ok wait_for watching
ok serve_up
like "$(cat "$T/serve.err")" "not syncing by itself: .*already synced by itself \\(process $watch" \
	"serve says it does not sync, naming the watch"
is "$(login E100)" 303 "E100 logs in"
is "$(web E100 "$URL" | grep -c 'action="/sync"')" 0 "no Sync now button then"
serve_stop
is "$SERVE_RC" 0 "serve exits 0"
kill -TERM "$watch"; wait "$watch"

desc "git fsck --strict on every repository"; ok fsck_all "$T/srv/district.git" lin dist
done_testing
