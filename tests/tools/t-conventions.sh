#!/bin/sh
# One set of conventions across plsync, plsync-district and plsync-audit
# (cli/): --version; every command's --help exits 0 and starts with its
# usage; a missing option value named as such; REPO from $PLSYNC_REPO;
# --year defaulting to the school year holding today; plsync config --list,
# unknown keys refused with the nearest one, /etc/plsync/config layered
# under the data dir's config ($PLSYNC_SYSCONFIG in the test); table
# columns aligned by display width (García, CJK), in any locale.
. "$(dirname "$0")/../lib.sh"
DISTRICT="$build/bin/plsync-district"
AUDIT="$build/bin/plsync-audit"
pl() { timeout 60 "$PLSYNC" --dir "$T/lin" "$@"; }
D() { timeout 60 "$DISTRICT" "$@"; }
A() { timeout 60 "$AUDIT" "$@"; }

# --- --version and every command's --help, in the three programs ---
for p in plsync plsync-district plsync-audit; do
	desc "$p --version exits 0"; ok "$build/bin/$p" --version
	like "$(cat "$T/.out")" "^$p [0-9]+\.[0-9]+" "$p --version prints '$p VERSION'"
	cmds=$("$build/bin/$p" --help | sed -n '/^Commands:$/,/^$/s/^  \([a-z]*\) .*/\1/p')
	like "$(echo "$cmds" | wc -l | tr -d ' ')" '^[0-9]+$' "$p --help lists its commands"
	bad=""
	for c in $cmds; do
		"$build/bin/$p" "$c" --help >"$T/h" 2>"$T/e" || bad="$bad $c(exit)"
		head -n 1 "$T/h" | grep -Eq "^usage: $p (\[--dir DIR\] )?$c( |\$)" || bad="$bad $c(usage)"
		[ -s "$T/e" ] && bad="$bad $c(stderr)"
	done
	is "$bad" "" "every $p command's --help exits 0, starts with its usage, says nothing on stderr"
done

# --- a missing option value is named as such, never "unknown option" ---
desc "plsync --dir with no value is a usage error"; fails 2 "$PLSYNC" --dir
is "$(cat "$T/.err")" "plsync: --dir needs a value (the data dir)" "saying --dir needs a value"
ok "$PLSYNC" --dir "$T/lin" init --node LIN01
desc "plsync findings --year with no value"; fails 2 pl findings --year
like "$(head -n 1 "$T/.err")" "^plsync findings: --year needs a value" "is named"
desc "an option where the value should be is a missing value too"; fails 2 pl findings --year --json
like "$(head -n 1 "$T/.err")" "^plsync findings: --year needs a value" "not a year '--json'"
desc "--opt=VALUE still takes any value"; fails 1 pl findings --year=--json
like "$(cat "$T/.err")" "--json" "and the bad year is named"
desc "plsync-district report --out with no value"; fails 2 D report "$T/r.git" --out
like "$(head -n 1 "$T/.err")" "^plsync-district report: --out needs a value" "is named"
desc "plsync-audit show --at with no value"; fails 2 A show "$T/r.git" X --at
like "$(head -n 1 "$T/.err")" "^plsync-audit show: --at needs a value" "is named"

# --- a mistyped command: the nearest one ---
desc "plsync sycn is a usage error"; fails 2 pl sycn
like "$(cat "$T/.err")" "did you mean 'sync'" "naming sync"
desc "plsync-district merg is a usage error"; fails 2 D merg
like "$(cat "$T/.err")" "did you mean 'merge'" "naming merge"

# --- REPO from $PLSYNC_REPO ---
ok D init "$T/r.git"
ok D merge "$T/r.git"
desc "plsync-district status without REPO and no PLSYNC_REPO"; fails 2 D status
like "$(head -n 1 "$T/.err")" 'PLSYNC_REPO' "says REPO or \$PLSYNC_REPO"
desc "plsync-district status takes REPO from PLSYNC_REPO"; ok env PLSYNC_REPO="$T/r.git" "$DISTRICT" status --json
like "$(cat "$T/.out")" '"nodes"' "and prints the status"
desc "plsync-audit verify takes REPO from PLSYNC_REPO"; ok env PLSYNC_REPO="$T/r.git" "$AUDIT" verify
like "$(cat "$T/.out")" "verified $T/r.git" "the repository named there"
desc "plsync-audit log with only ID takes REPO from PLSYNC_REPO"; fails 1 env PLSYNC_REPO="$T/r.git" "$AUDIT" log LIN01-NOPE
like "$(cat "$T/.err")" "LIN01-NOPE" "and looks ID up there"
desc "a REPO given wins over PLSYNC_REPO"; ok env PLSYNC_REPO="$T/none.git" "$DISTRICT" status "$T/r.git"
desc "plsync-district transcript STAFF takes REPO from PLSYNC_REPO"; fails 1 env PLSYNC_REPO="$T/r.git" "$DISTRICT" transcript E100
like "$(cat "$T/.err")" "E100" "looking E100 up in it"

# --- --year defaults to the school year holding today (July 1 .. June 30) ---
desc "plsync-district report without --year"; ok env PLSYNC_REPO="$T/r.git" "$DISTRICT" report --format json --today 2026-09-01
like "$(cat "$T/.out")" '"year": "2026-2027"' "reports on 2026-2027 on 2026-09-01"
desc "on 2027-06-30"; ok env PLSYNC_REPO="$T/r.git" PLSYNC_TODAY=2027-06-30 "$DISTRICT" report --format json
like "$(cat "$T/.out")" '"year": "2026-2027"' "still 2026-2027 (PLSYNC_TODAY)"
desc "on 2027-07-01"; ok env PLSYNC_REPO="$T/r.git" PLSYNC_TODAY=2027-07-01 "$DISTRICT" report --format json
like "$(cat "$T/.out")" '"year": "2027-2028"' "2027-2028 from July 1"
desc "plsync report without --year"; ok pl report --format json --today 2027-07-01
like "$(cat "$T/.out")" '"year": "2027-2028"' "the same rule in plsync"

# --- config: --list, unknown keys, system-wide defaults ---
export PLSYNC_SYSCONFIG="$T/sysconfig"
desc "config --list with no system file"; ok pl config --list
is "$(cat "$T/.out")" "core.node=LIN01" "lists the data dir's keys"
desc "a mistyped key is refused"; fails 2 pl config sync.intervl 5m
like "$(head -n 1 "$T/.err")" "unknown key 'sync.intervl'; did you mean 'sync.interval'\?" "with the nearest key"
desc "also when read"; fails 2 pl config remote.ulr
like "$(head -n 1 "$T/.err")" "did you mean 'remote.url'" "naming remote.url"
desc "a key nothing is near"; fails 2 pl config frobnicate.widget x
like "$(head -n 1 "$T/.err")" "unknown key 'frobnicate.widget'" "is refused too"
grep -q frob "$T/lin/config"; is "$?" 1 "and nothing was written"
printf '[sync]\n\tinterval = 1h\n\ttimeout = 10\n[user]\n\tname = District IT\n' >"$T/sysconfig"
desc "a key set only system-wide is read"; ok pl config sync.interval
is "$(cat "$T/.out")" "1h" "from PLSYNC_SYSCONFIG"
ok pl config sync.interval 5m
desc "the data dir's value wins"; ok pl config sync.interval
is "$(cat "$T/.out")" "5m" "over the system-wide one"
grep -q 'interval = 1h' "$T/sysconfig"; is "$?" 0 "and the system-wide file is untouched"
desc "config --list"; ok pl config --list
is "$(cat "$T/.out" | tr '\n' ' ')" "sync.interval=1h sync.timeout=10 user.name=District IT core.node=LIN01 sync.interval=5m " \
	"lists the system-wide keys first, then the data dir's"
desc "config --list --json"; ok pl config --list --json
like "$(tr -d ' \n' <"$T/.out")" '"key":"sync.timeout","origin":"system","value":"10"' "gives each key's origin"
ok pl config sync.password s3cret
desc "config --list never shows the password"; ok pl config --list
like "$(grep password "$T/.out")" '^sync.password=\(set\)$' "shown as (set)"
desc "the actor comes from the system-wide user.name"; ok pl status --json
like "$(cat "$T/.out")" '"user": "District IT <' "when the data dir sets none"
unset PLSYNC_SYSCONFIG

# --- columns aligned by display width, whatever the locale ---
ok pl add school --id LIN01 code=LIN01 name="Lincoln" level=elementary
ok pl add staff --id E100 name="García Pérez" category=certified school=LIN01
ok pl add staff --id E200 name="王小明" category=certified school=LIN01
ok pl add staff --id E300 name="Ann Lee" category=noninstructional school=LIN01
for loc in C.UTF-8 C; do
	desc "ls staff under LC_ALL=$loc"; ok env LC_ALL=$loc "$PLSYNC" --dir "$T/lin" ls staff
	is "$(sed -n 2,4p "$T/.out" | cut -c1-60 | sed 's/ *$//')" "E100  García Pérez  certified         LIN01
E200  王小明        certified         LIN01
E300  Ann Lee       noninstructional  LIN01" "LC_ALL=$loc: García (12 columns) and 王小明 (6 columns, 9 bytes) pad to the same column"
done

# --- --json: one JSON object on stdout, messages on stderr ---
# jkey FILE KEY: FILE holds exactly one JSON object; print its KEY
jkey() { python3 -c 'import json,sys; o=json.load(open(sys.argv[1])); assert isinstance(o, dict); v=o.get(sys.argv[2]); print(json.dumps(v) if not isinstance(v, str) else v)' "$1" "$2"; }
ok pl config remote.url "$T/r.git"
ok pl add plan school=LIN01 year=2026-2027
plan=$(cat "$T/.out")
desc "sync --json"; ok pl sync --json
is "$(jkey "$T/.out" ok)/$(jkey "$T/.out" committed_from)/$(jkey "$T/.out" pushed_seq)/$(jkey "$T/.out" error)" "true/1/5/null" \
	"one object: ok, committed_from, pushed_seq, no error"
desc "sync --json to a remote that is not there"; fails 1 pl sync --json --remote "$T/none.git"
is "$(jkey "$T/.out" ok)" "false" "still one object, ok false"
like "$(jkey "$T/.out" error)" "none.git" "with the error"
like "$(cat "$T/.err")" "none.git" "which stays on stderr too"
desc "sync --json --watch is a usage error"; fails 2 pl sync --json --watch
printf 'name,category,school\nPat Rivera,certified,LIN01\n' >"$T/staff.csv"
desc "import --dry-run --json"; ok pl import staff "$T/staff.csv" --dry-run --json
is "$(jkey "$T/.out" dry_run)/$(jkey "$T/.out" new)/$(jkey "$T/.out" first)" "true/1/null" "what would happen"
desc "import --json"; ok pl import staff "$T/staff.csv" --json
is "$(jkey "$T/.out" dry_run)/$(jkey "$T/.out" new)/$(jkey "$T/.out" kind)" "false/1/staff" "what happened"
like "$(jkey "$T/.out" first)" "^LIN01-" "and the new id"
desc "import --undo --json"; ok pl import --undo --json
is "$(jkey "$T/.out" undone)/$(jkey "$T/.out" deleted)" "staff/1" "what was taken back"
desc "bundle create --json"; ok pl bundle create "$T/b.plsync" --since 0 --json
is "$(jkey "$T/.out" action)/$(jkey "$T/.out" first)/$(jkey "$T/.out" node)" "create/1/LIN01" "the range written"
desc "plsync-district bundle apply --json (REPO from PLSYNC_REPO)"; ok env PLSYNC_REPO="$T/r.git" "$DISTRICT" bundle apply "$T/b.plsync" --json
like "$(tr -d ' \n' <"$T/.out")" '^\{"bundles":\[\{"already":false,"commits":1,' "one object, one entry per bundle"
desc "plan show --json"; ok pl plan show "$plan" --json
like "$(tr -d ' \n' <"$T/.out")" '^\{.*"goals":\[\]' "the plan document"
desc "plsync-district merge --json"; ok D merge "$T/r.git" --json
is "$(jkey "$T/.out" committed)" "true" "the merge's outcome"

done_testing
