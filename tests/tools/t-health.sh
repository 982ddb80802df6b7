#!/bin/sh
# Health for monitoring: plsync status --check / --json "health" /
# --prometheus and plsync-district status the same, over a real git daemon
# that goes down and comes back. --check's exit status is a Nagios plugin's:
# 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sync/sync-lib.sh"

mkdir -p "$T/srv"
R="$T/srv/district.git"
ok timeout 30 "$DISTRICT_TOOL" init "$R"
port=$(free_port)
daemon_stop() {
	kill "$daemon_pid"
	i=0
	while kill -0 "$daemon_pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
}
URL="git://127.0.0.1:$port/district.git"
health() { pl "$1" status --json | sed -n '/"health"/,/}/p' | field "$2"; }

# --- before any sync ---
desc "a data dir that is not there is UNKNOWN"; fails 3 "$PLSYNC" --dir "$T/none" status --check
like "$(cat "$T/.out")" "^PLSYNC UNKNOWN - .*not a plsync data dir" "said on stdout, as a plugin does"
desc "without --check that is a failure"; fails 1 "$PLSYNC" --dir "$T/none" status
ok "$PLSYNC" --dir "$T/alone" init --node ALN01
desc "a data dir with no remote is UNKNOWN"; fails 3 pl alone status --check
like "$(cat "$T/.out")" "^PLSYNC UNKNOWN - ALN01: no remote.url set" "saying why, on one line"
ok agent lin LIN01 "$URL"
desc "before its first sync: UNKNOWN"; fails 3 pl lin status --check
like "$(cat "$T/.out")" "no sync tried yet \| age=U;86400;259200 failures=0" "with Nagios perfdata (age unknown)"
desc "a never-successful data dir whose syncs fail is CRITICAL"; fails 1 pl lin sync
fails 2 pl lin status --check
like "$(cat "$T/.out")" "^PLSYNC CRITICAL - LIN01: never synced; 1 failed sync in a row" "naming the failures"

# --- the daemon up: OK ---
desc "git daemon listens on 127.0.0.1:$port"; ok daemon_start
desc "LIN01 records its roster"; ok roster lin
desc "LIN01 syncs over git://"; ok pl lin sync
desc "after a successful sync: OK"; ok pl lin status --check
like "$(cat "$T/.out")" "^PLSYNC OK - LIN01: last success [0-9]+s ago \| age=[0-9]+s;86400;259200 failures=0 unpushed=0" \
	"the age, its thresholds and the counts"
desc "--warn 0: the same sync is old enough to warn"; fails 1 pl lin status --check --warn 0
like "$(cat "$T/.out")" "^PLSYNC WARNING" "WARNING"
desc "--warn 0 --crit 0: critical"; fails 2 pl lin status --check --warn 0 --crit 0
like "$(cat "$T/.out")" "^PLSYNC CRITICAL" "CRITICAL"
desc "--warn 2h --crit 1h is a usage error"; fails 2 pl lin status --check --warn 2h --crit 1h
like "$(head -n 1 "$T/.err")" "must not be longer than --crit" "saying so"
desc "--warn soon is a usage error"; fails 2 pl lin status --check --warn soon
like "$(head -n 1 "$T/.err")" "--warn soon: give a duration" "naming the value"
is "$(health lin state)/$(health lin code)/$(health lin warn_seconds)" "OK/0/86400" "status --json carries the health"
is "$(sync_field lin failures)" "0" "and no failure in a row"
like "$(sync_field lin last_ok)" "^20[0-9-]+T[0-9:]+Z$" "and the last success"
desc "status --prometheus"; ok pl lin status --prometheus
like "$(cat "$T/.out")" '^# TYPE plsync_up gauge$' "is the Prometheus text format"
like "$(grep '^plsync_up' "$T/.out")" '^plsync_up\{node="LIN01"\} 0$' "health 0"
like "$(grep '^plsync_last_success_timestamp_seconds' "$T/.out")" '^plsync_last_success_timestamp_seconds\{node="LIN01"\} 1[0-9]{9}$' \
	"the last success as a Unix time"
like "$(grep '^plsync_consecutive_failures' "$T/.out")" ' 0$' "no failures"

# --- the daemon down: the last sync failed, WARNING; the age still decides CRITICAL ---
daemon_stop
ok pl lin add pd_entry staff=E100 title='Data team' type=plc hours=1 start=2026-11-25 status=completed
desc "with the daemon down the sync fails"; fails 1 pl lin sync
desc "the last sync failed: WARNING"; fails 1 pl lin status --check
like "$(cat "$T/.out")" "^PLSYNC WARNING - LIN01: last success [0-9]+s ago; 1 failed sync since, the last: .*failures=1 unpushed=1" \
	"the failure, its error and the op not pushed"
fails 1 pl lin sync
desc "two failures in a row"; fails 1 pl lin status --check
like "$(cat "$T/.out")" "2 failed syncs since" "counted"
is "$(sync_field lin failures)" "2" "status --json: 2 failures in a row"
like "$(sync_field lin last_error)" "." "and the last error"
is "$(health lin state)" "WARNING" "and the health WARNING"
desc "--crit 0 makes it CRITICAL"; fails 2 pl lin status --check --warn 0 --crit 0
ok pl lin status --prometheus
like "$(grep '^plsync_consecutive_failures' "$T/.out")" ' 2$' "--prometheus: 2 failures in a row"
like "$(grep '^plsync_unpushed_ops' "$T/.out")" ' 1$' "and 1 op not pushed"
like "$(grep '^plsync_up' "$T/.out")" ' 1$' "and health 1"

# --- the daemon back: OK again ---
desc "the daemon comes back"; ok daemon_start
desc "the sync goes through"; ok pl lin sync
desc "OK again"; ok pl lin status --check
like "$(cat "$T/.out")" "failures=0 unpushed=0" "no failure, nothing unpushed"

# --- the district: per node, the age of its last push ---
desc "plsync-district merge"; ok timeout 60 "$DISTRICT_TOOL" merge "$R"
desc "plsync-district status --check: OK"; ok timeout 60 "$DISTRICT_TOOL" status "$R" --check
like "$(cat "$T/.out")" "^PLSYNC-DISTRICT OK - 1 node pushed within 86400s \| nodes=1 conflicts=0" "one line"
desc "--warn 0: WARNING"; fails 1 timeout 60 "$DISTRICT_TOOL" status "$R" --check --warn 0
like "$(cat "$T/.out")" "^PLSYNC-DISTRICT WARNING - LIN01 last pushed [0-9]+s ago" "naming the node"
desc "--crit 0: CRITICAL"; fails 2 timeout 60 "$DISTRICT_TOOL" status "$R" --check --warn 0 --crit 0
desc "plsync-district status --json"; ok timeout 60 "$DISTRICT_TOOL" status "$R" --json
like "$(tr -d ' \n' <"$T/.out")" '"health":\{"code":0,"crit_seconds":259200,"reason":"[^"]*","state":"OK"' "the district's health"
like "$(tr -d ' \n' <"$T/.out")" '"LIN01":\{"health":"OK","lag":0,"last_push":"[^"]+","merged_seq":6,"push_age_seconds":[0-9]+,"pushed_seq":6' \
	"and each node's: health, lag, last push and its age"
desc "plsync-district status --prometheus"; ok timeout 60 "$DISTRICT_TOOL" status "$R" --prometheus
like "$(cat "$T/.out")" 'plsync_district_node_lag_ops\{node="LIN01"\} 0' "the lag per node"
like "$(cat "$T/.out")" 'plsync_district_node_last_push_timestamp_seconds\{node="LIN01"\} 1[0-9]{9}' "its last push"
like "$(cat "$T/.out")" 'plsync_district_up 0' "the district's health"
desc "a REPO that is not one: UNKNOWN"; fails 3 timeout 60 "$DISTRICT_TOOL" status "$T/nope.git" --check
like "$(cat "$T/.out")" "^PLSYNC-DISTRICT UNKNOWN - " "said on stdout, as a plugin does"

desc "git fsck --strict on the district repository and the mirror"; ok fsck_all "$R" lin
done_testing
