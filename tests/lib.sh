# tests/lib.sh — TAP for shell tests. Source it, then:
#   ok CMD...                 run CMD; pass if it exits 0
#   fails CODE CMD...         run CMD; pass if it exits exactly CODE
#   is GOT WANT NAME          strings equal (got first)
#   like GOT PATTERN NAME     GOT matches the grep -E pattern
#   desc "sentence"           names the next ok/fails test
#   done_testing              print the plan; exit 1 if anything failed
# Each test gets $T, a fresh temp dir removed at exit, and $PLSYNC.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${PLSYNC_BUILD:-$top/build}
PLSYNC="$build/bin/plsync"
T=$(mktemp -d "${TMPDIR:-/tmp}/plsync-t.XXXXXX")
trap 'rm -rf "$T"' EXIT
_n=0 _failed=0 _desc=""

desc() { _desc="$*"; }
_report() { # pass name
	_n=$((_n + 1))
	if [ "$1" = 1 ]; then echo "ok $_n - $2"; else echo "not ok $_n - $2"; _failed=$((_failed + 1)); fi
}
ok() {
	name=${_desc:-"$*"}; _desc=""
	if "$@" >"$T/.out" 2>"$T/.err"; then _report 1 "$name"; else
		_report 0 "$name"; echo "# exit $? from: $*" >&2; sed 's/^/# /' "$T/.err" >&2; fi
}
fails() {
	want=$1; shift
	name=${_desc:-"$*"}; _desc=""
	"$@" >"$T/.out" 2>"$T/.err"; got=$?
	if [ "$got" = "$want" ]; then _report 1 "$name"; else
		_report 0 "$name"; echo "# expected exit $want, got $got from: $*" >&2; sed 's/^/# /' "$T/.err" >&2; fi
}
is() {
	if [ "$1" = "$2" ]; then _report 1 "$3"; else
		_report 0 "$3"; printf '#      got: %s\n#   wanted: %s\n' "$1" "$2" >&2; fi
}
like() {
	if printf '%s' "$1" | grep -Eq -- "$2"; then _report 1 "$3"; else
		_report 0 "$3"; printf '#      got: %s\n#   wanted: /%s/\n' "$1" "$2" >&2; fi
}
done_testing() { echo "1..$_n"; [ "$_failed" = 0 ]; }

# need_chromium: $CHROMIUM, Debian's chromium, installed with apt-get when
# missing (root, or sudo); bails out when it cannot be had.
need_chromium() {
	if ! command -v chromium >/dev/null 2>&1; then
		echo "# chromium is missing: apt-get install -y chromium" >&2
		SUDO=""
		[ "$(id -u)" -eq 0 ] || SUDO=sudo
		{ $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium; } >"$T/apt.log" 2>&1 ||
			sed 's/^/# /' "$T/apt.log" >&2
	fi
	CHROMIUM=$(command -v chromium || true)
	if [ -z "$CHROMIUM" ]; then
		echo "Bail out! Debian's chromium could not be installed (apt-get install -y chromium)"
		exit 1
	fi
}
