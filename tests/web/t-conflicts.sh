#!/bin/sh
# The conflicts page: LIN01 and DISTRICT set one field of a LIN01 record to
# different values between syncs (two stores, a sync through the district
# repository). GET /conflicts lists the record with both values, who set
# them and where; a teacher may not see it (403); a POST picking a value
# index that is not listed is refused (400) and writes nothing; picking
# DISTRICT's value resolves the conflict with that value (pl_workflow_resolve,
# the clerk as the actor; done in Chromium through the page's form when
# it is installed, else with curl): `plsync conflicts` has none left and
# the page says so; values are escaped.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../audit/district.sh"
. "$(dirname "$0")/web.sh"
export PLSYNC_DIR="$T/lin" PLSYNC_TODAY=2027-03-01

desc "the district repository, LIN01 and DISTRICT (following LIN01)"; ok district_init LIN01 DISTRICT LIN01
desc "LIN01 records its school, a teacher and a clerk"
ok sh -c "'$PLSYNC' --dir '$T/lin' add school --id LIN01 code=LIN01 name=Lincoln >/dev/null &&
	'$PLSYNC' --dir '$T/lin' add staff --id E100 name='Ann Lee' category=certified school=LIN01 >/dev/null &&
	'$PLSYNC' --dir '$T/lin' add staff --id E400 name='Cy Diaz' category=noninstructional school=LIN01 >/dev/null"
for spec in E100:teacher E400:clerk; do
	printf 'password-%s\n' "${spec%%:*}" | a user add "${spec%%:*}" --role "${spec#*:}" --password-stdin >/dev/null
done
desc "LIN01 syncs, the district merges, DISTRICT syncs"; ok sh -c "'$PLSYNC' --dir '$T/lin' sync >/dev/null &&
	'$build/bin/plsync-district' merge '$R' >/dev/null && '$PLSYNC' --dir '$T/dist' sync >/dev/null"
desc "DISTRICT sets E100's role"; ok d set E100 'role=Coach <district>'
desc "LIN01, not having synced, sets another"; ok a set E100 role=Teacher
desc "DISTRICT syncs, then LIN01"; ok sh -c "'$PLSYNC' --dir '$T/dist' sync >/dev/null && '$PLSYNC' --dir '$T/lin' sync >/dev/null"
is "$(a conflicts --json | pj 'scalar @$j')" 1 "LIN01 has one open conflict"

desc "serve LIN01"; ok serve_start
is "$(login E400)" 303 "the clerk logs in"
is "$(login E100)" 303 "the teacher logs in"
page=$(web E400 "${URL}conflicts")
is "$(cat "$T/.code")" 200 "the clerk opens the conflicts page"
like "$page" 'Coach &lt;district&gt;' "DISTRICT's value, escaped"
like "$page" 'Teacher' "LIN01's value"
like "$page" 'Dee Office' "who set DISTRICT's value"
like "$page" 'name="pick.role" value="1"' "a radio button per value"
is "$(printf '%s' "$page" | grep -c '<district>')" 0 "no raw markup"
is "$(code E100 "${URL}conflicts")" 403 "a teacher may not open it"
csrf=$(csrf_of E400)
is "$(code E400 --data-urlencode pick.role=7 --data-urlencode "csrf=$csrf" "${URL}conflicts/E100")" 400 \
	"a value index not listed is refused"
is "$(code E400 --data-urlencode pick.role=0 "${URL}conflicts/E100")" 403 "a POST without csrf is 403"
is "$(a conflicts --json | pj 'scalar @$j')" 1 "nothing was written"
# the index of DISTRICT's value
idx=$(printf '%s' "$page" | tr -d '\n' | sed -n 's/.*name="pick.role" value="\([0-9]\)"[^>]*> <b>Coach &lt;district&gt;.*/\1/p')
like "$idx" '^[01]$' "DISTRICT's value has an index ($idx)"
# the clerk resolves it in a real browser (Chromium through the page's form)
here=$(cd "$(dirname "$0")" && pwd)
CHROMIUM=$(command -v chromium || true)
if [ -n "$CHROMIUM" ]; then
	printf '%s\n' 'go /login' 'fill user E400' 'fill password password-E400' 'click "Log in"' 'follow Conflicts' \
		'expect "Coach <district>"' 'expect "Dee Office"' "pick pick.role $idx" 'fill note "asked the principal"' \
		"shot $T/conflicts.png" 'click "Keep these values"' 'expect "No open conflicts."' 'clean' >"$T/steps"
	python3 "$here/browser-flow.py" "$CHROMIUM" "$URL" <"$T/steps" >"$T/flow.out" 2>"$T/flow.err"
	[ -s "$T/flow.out" ] || { is "no output" "steps" "Chromium ran the steps"; sed 's/^/# /' "$T/flow.err" >&2; }
	while IFS= read -r line; do
		case $line in
		"ok - "*) is 1 1 "${line#ok - }" ;;
		"not ok - "*) is 0 1 "${line#not ok - }" ;;
		esac
	done <"$T/flow.out"
	desc "the screenshot conflicts.png is not blank"; ok python3 "$here/../report/browser.py" pngcheck "$T/conflicts.png"
else
	is "$(code E400 --data-urlencode "pick.role=$idx" --data-urlencode note="asked the principal" --data-urlencode "csrf=$csrf" \
		"${URL}conflicts/E100")" 303 "the clerk keeps DISTRICT's value (curl: no chromium here)"
fi
is "$(a conflicts --json | pj 'scalar @$j')" 0 "no open conflict is left"
is "$(a show E100 --json | pj '$j->{fields}{role}')" 'Coach <district>' "the role is DISTRICT's value"
like "$(a log E100 | tail -1)" 'Cy Diaz \(E400\).*asked the principal' "the clerk resolved it, with her note"
like "$(web E400 "${URL}conflicts")" 'No open conflicts' "the page says none are open"
is "$(code E400 --data-urlencode pick.role=0 --data-urlencode "csrf=$csrf" "${URL}conflicts/E100")" 404 \
	"resolving it again: no open conflict (404)"
serve_stop
is "$SERVE_RC" 0 "the server stops cleanly on SIGTERM (under ASan: no leak, no error)"
for g in "$R" "$T/lin/mirror" "$T/dist/mirror"; do
	[ -d "$g" ] || continue
	desc "git fsck --strict $(basename "$g")"; ok git -C "$g" fsck --strict --no-progress
done
done_testing
