#!/bin/sh
# The JSON API under /api/v1/ (curl against `plsync serve`): a list of
# records of a kind filtered by staff, one record, a create, a change of
# fields (PATCH and POST .../set), the workflow's steps; the library's
# validation errors as JSON naming the field, with 400, 403, 404 and 409;
# the session cookie (with the CSRF header for a change) or a per-user
# token (plsync user token: shown once, stored as a hash in the 0600 users
# file); a revoked token and no token are 401; an approval by the wrong
# staff member is 403.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/web.sh"
export PLSYNC_DIR="$T/lin" PLSYNC_TODAY=2027-03-01

api() { # TOKEN METHOD PATH [JSON]: prints the body; the status in $T/.code
	_t=$1 _m=$2 _p=$3; shift 3
	curl -s -o "$T/.body" -w '%{http_code}' -X "$_m" -H "Authorization: Bearer $_t" \
		${1:+-H 'Content-Type: application/json' --data-binary "$1"} "${URL}api/v1/$_p" >"$T/.code"
	cat "$T/.body"
}
st() { cat "$T/.code"; }
jf() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

desc "a school with staff and accounts"; ok school
desc "plsync user token prints a token for the clerk"
ok "$PLSYNC" user token E400
clerk=$(cat "$T/.out")
like "$clerk" '^[0-9a-f]{64}$' "the token is 64 hex digits"
like "$(cat "$T/.err")" "shown only now" "it says it is shown once"
is "$(stat -c %a "$T/lin/users")" 600 "the users file stays 0600"
is "$(grep -c "$clerk" "$T/lin/users")" 0 "the token itself is not stored"
is "$(grep -c token_sha256 "$T/lin/users")" 1 "only its hash is"
"$PLSYNC" user token E200 >"$T/e200.token" 2>/dev/null && "$PLSYNC" user token E300 >"$T/e300.token" 2>/dev/null &&
	"$PLSYNC" user token E100 >"$T/e100.token" 2>/dev/null && "$PLSYNC" user token E101 >"$T/e101.token" 2>/dev/null
is "$?" 0 "tokens for the approvers and the teachers"
sup=$(cat "$T/e200.token") bud=$(cat "$T/e300.token") ann=$(cat "$T/e100.token") bo=$(cat "$T/e101.token")
desc "a token for no account is refused"; fails 1 "$PLSYNC" user token E999
desc "serve starts"; ok serve_start

api none GET records?kind=staff >/dev/null
is "$(st)" 401 "a wrong token is 401"
is "$(curl -s -o /dev/null -w '%{http_code}' "${URL}api/v1/records?kind=staff")" 401 "no token and no session is 401"
is "$(jf 'd["error"]["code"]' <"$T/.body")" unauthorized "the error says unauthorized"

out=$(api "$clerk" GET 'records?kind=staff')
is "$(st)" 200 "the clerk lists the staff"
is "$(printf '%s' "$out" | jf 'len(d["records"])')" 5 "all five staff records"
out=$(api "$ann" GET 'records?kind=staff')
is "$(printf '%s' "$out" | jf '[r["id"] for r in d["records"]]')" "['E100']" "a teacher sees only their own staff record"
api "$clerk" GET 'records?kind=nonsense' >/dev/null
is "$(st)" 400 "an unknown kind is 400"
is "$(jf 'd["error"]["field"]' <"$T/.body")" kind "... naming the field kind"

desc "create: a pd_entry request for E100 by the clerk"
out=$(api "$clerk" POST records '{"kind":"pd_entry","fields":{"staff":"E100","title":"Fractions","type":"workshop","start":"2026-10-01"}}')
is "$(st)" 201 "create is 201"
id=$(printf '%s' "$out" | jf 'd["id"]')
is "$(printf '%s' "$out" | jf 'd["fields"]["status"]')" requested "it is a request"
api "$clerk" POST records '{"kind":"pd_entry","fields":{"staff":"E100","title":"X","type":"bogus"}}' >/dev/null
is "$(st)" 400 "a bad value is 400"
is "$(jf 'd["error"]["code"]+" "+d["error"]["field"]' <"$T/.body")" "invalid type" "the error is invalid, naming the field type"
like "$(jf 'd["error"]["message"]' <"$T/.body")" "not a known value" "with the library's message"
api "$clerk" POST records '{"kind":"school","id":"LIN01","fields":{"code":"LIN01","name":"Again","level":"elementary"}}' >/dev/null
is "$(st)" 409 "creating an id in use is 409"
api "$ann" POST records '{"kind":"school","fields":{"code":"X","name":"X","level":"elementary"}}' >/dev/null
is "$(st)" 403 "a teacher cannot add a school (403)"
api "$clerk" POST records 'not json' >/dev/null
is "$(st)" 400 "a body that is not JSON is 400"

desc "one record"
api "$ann" GET "records/$id" >/dev/null
is "$(st)" 200 "E100 reads her entry"
api "$bo" GET "records/$id" >/dev/null
is "$(st)" 404 "E101 (not her approver) gets 404"
api "$clerk" GET "records/NOPE-1" >/dev/null
is "$(st)" 404 "no such record is 404"

desc "set fields"
out=$(api "$clerk" PATCH "records/$id" '{"fields":{"provider":"County office"}}')
is "$(st)" 200 "PATCH is 200"
is "$(printf '%s' "$out" | jf 'd["fields"]["provider"]')" "County office" "the field is set"
out=$(api "$clerk" POST "records/$id/set" '{"fields":{"hours":"abc"}}')
is "$(st)" 400 "POST .../set with a bad number is 400"
is "$(jf 'd["error"]["field"]' <"$T/.body")" hours "the error names hours"
api "$clerk" PATCH "records/$id" '{"fields":{"status":"approved"}}' >/dev/null
is "$(st)" 400 "setting the workflow's status directly is 400"

desc "the workflow's steps"
api "$bud" POST "records/$id/approve" '{"role":"supervisor"}' >/dev/null
is "$(st)" 403 "an approval by the wrong staff member (the budget manager as supervisor) is 403"
like "$(jf 'd["error"]["message"]' <"$T/.body")" "E200" "the message names the recorded supervisor"
api "$clerk" POST "records/$id/complete" '{"hours":"6"}' >/dev/null
is "$(st)" 409 "completing before the approvals is 409"
api "$sup" POST "records/$id/approve" '{"role":"supervisor"}' >/dev/null
is "$(st)" 200 "the supervisor approves"
out=$(api "$bud" POST "records/$id/approve" '{"role":"budget_manager"}')
is "$(printf '%s' "$out" | jf 'd["fields"]["status"]')" approved "the budget manager approves: approved"
out=$(api "$clerk" POST "records/$id/complete" '{"hours":"6.5"}')
is "$(st)" 200 "the clerk completes it"
is "$(printf '%s' "$out" | jf 'd["fields"]["status"]')" completed "it is completed"
api "$clerk" POST "records/$id/complete" '{"hours":"6.5"}' >/dev/null
is "$(st)" 409 "completing twice is 409"
api "$bo" POST "records/$id/evaluate" '{"fields":{"reaction":"4"}}' >/dev/null
is "$(st)" 404 "someone else's entry cannot be evaluated (404: not theirs to see)"
r2=$(api "$ann" POST records '{"kind":"pd_entry","fields":{"title":"Reading","type":"course"}}' | jf 'd["id"]')
is "$(st)" 201 "a teacher requests PD for herself"
api "$sup" POST "records/$r2/reject" '{"role":"supervisor"}' >/dev/null
is "$(st)" 400 "a rejection without a reason is 400"
api "$sup" POST "records/$r2/reject" '{"role":"supervisor","note":"no budget left"}' >/dev/null
is "$(st)" 200 "with one it is 200"
api "$bud" POST "records/$r2/approve" '{"role":"budget_manager"}' >/dev/null
is "$(st)" 409 "approving a rejected request is 409"

desc "the session cookie: a change needs the CSRF header"
is "$(login E400)" 303 "the clerk logs in"
csrf=$(csrf_of E400)
is "$(code E400 "${URL}api/v1/records/$id")" 200 "a GET with the cookie is 200"
is "$(code E400 -X PATCH -H 'Content-Type: application/json' --data-binary '{"fields":{"provider":"Y"}}' \
	"${URL}api/v1/records/$id")" 403 "a PATCH with the cookie and no CSRF header is 403"
is "$(code E400 -X PATCH -H 'Content-Type: application/json' -H "X-CSRF-Token: $csrf" \
	--data-binary '{"fields":{"provider":"Y"}}' "${URL}api/v1/records/$id")" 200 "with the header it is 200"

desc "plsync log shows who made each change through the API"
ok "$PLSYNC" log "$id"
like "$(cat "$T/.out")" "Pat Rivera \(E200\)" "the supervisor's approval carries her name"

desc "a revoked token is refused"
ok "$PLSYNC" user token E400 --revoke
api "$clerk" GET 'records?kind=staff' >/dev/null
is "$(st)" 401 "the revoked token is 401"
desc "revoking again says there is none"; fails 1 "$PLSYNC" user token E400 --revoke

serve_stop
is "$SERVE_RC" 0 "serve stops cleanly"
done_testing
