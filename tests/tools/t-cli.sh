#!/bin/sh
# The command line of the three programs, which share cli/: --version on
# each; `PROG help CMD` and `PROG CMD --help` for every command; an unknown option or command named in the error, a missing
# argument said, all with exit 2; and plsync-district findings printing
# exactly what plsync findings prints over the same records.
. "$(dirname "$0")/../lib.sh"
DISTRICT="$build/bin/plsync-district"
AUDIT="$build/bin/plsync-audit"
pl() { timeout 60 "$PLSYNC" --dir "$T/lin" "$@"; }
D() { timeout 60 "$DISTRICT" "$@"; }
A() { timeout 60 "$AUDIT" "$@"; }

# --- --version: "PROG VERSION", one version for the three ---
version=$(sed -n 's/^#define PLSYNC_VERSION "\(.*\)"$/\1/p' "$top/include/plsync/plsync.h")
for p in plsync plsync-district plsync-audit; do
	desc "$p --version exits 0"; ok "$build/bin/$p" --version
	is "$(cat "$T/.out")" "$p $version" "and prints '$p $version'"
done
desc "plsync --dir DIR --version still prints the version"; ok "$PLSYNC" --dir "$T/none" --version
is "$(cat "$T/.out")" "plsync $version" "the same line"

# --- every command of the tools has its help, both ways ---
for p in plsync-district:init:merge:status:findings:report plsync-audit:log:blame:show:verify; do
	prog=${p%%:*} cmds=$(echo "${p#*:}" | tr ':' ' ')
	desc "$prog --help exits 0"; ok "$build/bin/$prog" --help
	for c in $cmds; do
		like "$(cat "$T/.out")" "^  $c " "$prog --help lists $c"
	done
	like "$(cat "$T/.out")" "--version" "$prog --help documents --version"
	for c in $cmds; do
		desc "$prog $c --help exits 0"; ok "$build/bin/$prog" "$c" --help
		like "$(head -n 1 "$T/.out")" "^usage: $prog $c( |$)" "it starts with the $c usage"
		help_out=$(cat "$T/.out")
		desc "$prog help $c exits 0"; ok "$build/bin/$prog" help "$c"
		is "$(cat "$T/.out")" "$help_out" "$prog help $c prints the same help"
		desc "$prog $c REPO --help is help too, not a run"; ok "$build/bin/$prog" "$c" "$T/nope.git" --help
		like "$(head -n 1 "$T/.out")" "^usage: $prog $c" "$prog $c REPO --help prints the usage"
	done
	desc "$prog help of an unknown command is a usage error"; fails 2 "$build/bin/$prog" help frob
	like "$(cat "$T/.err")" "no command 'frob'" "naming it"
	desc "$prog alone is a usage error"; fails 2 "$build/bin/$prog"
	like "$(cat "$T/.err")" "^usage: $prog" "and prints the usage to stderr"
	desc "$prog with an unknown option is a usage error"; fails 2 "$build/bin/$prog" --frob
	like "$(head -n 1 "$T/.err")" "^$prog: unknown option '--frob'" "naming it"
	desc "$prog with an unknown command is a usage error"; fails 2 "$build/bin/$prog" frob
	like "$(cat "$T/.err")" "'frob' is not a $prog command" "naming it"
done

# --- and so has every command of plsync (the list its --help gives) ---
cmds=$("$PLSYNC" --help | sed -n '/^Commands:$/,/^$/s/^  \([a-z]*\) .*/\1/p')
like "$(echo "$cmds" | wc -l | tr -d ' ')" '^[2-9][0-9]$' "plsync --help lists its commands (20 or more)"
for c in $cmds; do
	desc "plsync help $c exits 0"; ok "$PLSYNC" help "$c"
	like "$(head -n 1 "$T/.out")" "^usage: plsync \[--dir DIR\] $c( |$)" "it starts with the $c usage"
	help_out=$(cat "$T/.out")
	desc "plsync $c --help exits 0"; ok "$PLSYNC" --dir "$T/none" "$c" --help
	is "$(cat "$T/.out")" "$help_out" "plsync $c --help prints the same help"
done

# --- an unknown option names itself and the command; a missing argument is said ---
for c in init merge status findings report; do
	desc "plsync-district $c --frob is a usage error"; fails 2 D "$c" "$T/r.git" --frob
	like "$(head -n 1 "$T/.err")" "^plsync-district $c: unknown option '--frob'$" "naming the command and the option"
	like "$(sed -n 2p "$T/.err")" "^usage: plsync-district $c" "followed by the usage"
	desc "plsync-district $c without REPO is a usage error"; fails 2 D "$c"
	like "$(head -n 1 "$T/.err")" "^plsync-district $c: which REPO\?" "asking for it"
done
desc "plsync-district status with two REPOs is a usage error"; fails 2 D status "$T/a" "$T/b"
like "$(head -n 1 "$T/.err")" "one REPO" "saying it takes one"
desc "merge --wait with a bad number is a usage error"; fails 2 D merge "$T/r.git" --wait=soon
like "$(head -n 1 "$T/.err")" "^plsync-district merge: --wait=SECS takes a number of seconds" "saying what it takes"
desc "report without --year is no usage error (the year defaults to today's)"; fails 1 D report "$T/r.git"
like "$(head -n 1 "$T/.err")" "is not a git repository" "it goes on to open REPO"
desc "report --year with no value is a usage error"; fails 2 D report "$T/r.git" --year
like "$(head -n 1 "$T/.err")" "^plsync-district report: --year needs a value" "naming the option"
for c in log blame show verify; do
	desc "plsync-audit $c --frob is a usage error"; fails 2 A "$c" "$T/r.git" X --frob
	like "$(head -n 1 "$T/.err")" "^plsync-audit $c: unknown option '--frob'$" "naming the command and the option"
	desc "plsync-audit $c without REPO is a usage error"; fails 2 A "$c"
	like "$(head -n 1 "$T/.err")" "^plsync-audit $c: which REPO\?" "asking for it"
done
for c in log blame show; do
	desc "plsync-audit $c without ID is a usage error"; fails 2 A "$c" "$T/r.git"
	like "$(head -n 1 "$T/.err")" "^plsync-audit $c: which record ID\?" "asking for it"
done
desc "plsync-audit show without --at is a usage error"; fails 2 A show "$T/r.git" X
like "$(head -n 1 "$T/.err")" "^plsync-audit show: --at TIME is required" "saying so"
desc "plsync-audit show --at with no value is a usage error"; fails 2 A show "$T/r.git" X --at
like "$(head -n 1 "$T/.err")" "^plsync-audit show: --at needs a value" "naming the option"
desc "a school's data dir"; ok pl init --node LIN01 --name Lincoln --user "Ann Lee <ann@lincoln.example>" --remote "$T/r.git"
desc "a plsync usage error names the command"; fails 2 pl ls staff --frob
like "$(head -n 1 "$T/.err")" "^plsync ls: unknown option '--frob'$" "plsync ls: unknown option '--frob'"

# --- one findings printer: the district's text is the agent's ---
desc "a district repository"; ok D init "$T/r.git"
desc "a school with records that have findings"
ok sh -c "'$PLSYNC' --dir '$T/lin' add school --id LIN01 code=LIN01 name=Lincoln level=elementary >/dev/null &&
	'$PLSYNC' --dir '$T/lin' add staff --id E200 name='Pat Rivera' category=certified school=LIN01 >/dev/null &&
	'$PLSYNC' --dir '$T/lin' add staff --id E100 name='Ann Lee' category=certified school=LIN01 supervisor=E200 budget_manager=E200 license_expires=2027-01-31 renewal_hours_required=100 >/dev/null &&
	'$PLSYNC' --dir '$T/lin' add pd_entry staff=E100 title='Math Institute' type=workshop start=2026-09-10 hours=6 status=completed >/dev/null"
desc "it syncs"; ok pl sync --quiet
desc "the district merges"; ok D merge "$T/r.git"
desc "plsync findings"; ok pl findings --today 2026-11-20
agent_out=$(cat "$T/.out")
like "$agent_out" "^approval_missing: pd_entry LIN01-[0-9A-Z]{5} \(staff E100, school LIN01\)$" \
	"names the rule, the record, the staff member and the school"
like "$agent_out" "renewal_hours_short: staff E100 \(school LIN01\)" "and leaves out the staff member when it is the record"
desc "plsync-district findings"; ok D findings "$T/r.git" --today 2026-11-20
is "$(cat "$T/.out")" "$agent_out" "prints what plsync findings prints"
desc "plsync-district findings --json"; ok D findings "$T/r.git" --today 2026-11-20 --json
is "$(cat "$T/.out")" "$(pl findings --today 2026-11-20 --json)" "the same JSON too"
desc "plsync-district findings of a year without any"; ok D findings "$T/r.git" --today 2020-11-20 --year 2020-2021
is "$(tail -n 1 "$T/.out")" "$(pl findings --today 2020-11-20 --year 2020-2021 | tail -n 1)" "says so as plsync does"
like "$(tail -n 1 "$T/.out")" "^no findings as of 2020-11-20 for 2020-2021$" "'no findings as of DATE for YEAR'"

# --- a library error's hint, in the district tool's words (cli/hints.c) ---
desc "merging a path that is not a git repository fails"; fails 1 D merge "$T/nogit"
is "$(cat "$T/.err")" "plsync-district: $T/nogit is not a git repository; create it with 'plsync-district init $T/nogit'" \
	"the hint names the command and the path"

done_testing
