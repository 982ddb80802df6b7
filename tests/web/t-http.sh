#!/bin/sh
# The web app over real HTTP (curl against `plsync serve` on 127.0.0.1, a
# free port): no session goes to /login; a POST without the session's CSRF
# token, or with a wrong one, is 403 and writes nothing; a title holding
# <script> comes back escaped; paths with . or .. segments and unknown paths
# are 404; a body over the limit is 413; a wrong Host is refused (421) and so
# is a foreign Origin; a client sending one byte a second is dropped; wrong
# passwords are rate-limited (429, even for the right password then);
# /healthz is 200 without a session; logout ends the session; a listen
# address beyond loopback without TLS is refused; TLS works with a
# certificate; SIGTERM stops the server cleanly.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/web.sh"
here=$(cd "$(dirname "$0")" && pwd)
export PLSYNC_DIR="$T/lin" PLSYNC_TODAY=2027-03-01

desc "a school with staff and accounts"; ok school
desc "plsync serve starts on a free port and prints its URL"; ok serve_start --timeout 3
like "$URL" '^http://127\.0\.0\.1:[0-9]+/$' "the URL is printed ($URL)"
port=$(printf '%s' "$URL" | sed 's|.*:\([0-9]*\)/$|\1|')

is "$(code anon "${URL}healthz")" 200 "/healthz is 200 without a session"
is "$(cat "$T/.body")" ok "/healthz says ok"
is "$(code anon "$URL")" 303 "/ without a session redirects"
like "$(curl -s -D - -o /dev/null "$URL")" 'Location: /login' "... to /login"
is "$(code anon "${URL}records/LIN01")" 303 "a record page without a session redirects to /login"
is "$(code anon "${URL}api/v1/records/LIN01")" 401 "the API without a session is 401"
is "$(code anon -X PUT "${URL}")" 405 "PUT is 405"

hdrs=$(curl -s -D - -o /dev/null "${URL}login")
like "$hdrs" "Content-Security-Policy: default-src 'self'; frame-ancestors 'none'" "CSP default-src 'self', no framing"
like "$hdrs" 'X-Frame-Options: DENY' "X-Frame-Options DENY"
like "$hdrs" 'X-Content-Type-Options: nosniff' "X-Content-Type-Options nosniff"

is "$(login E100)" 303 "the teacher logs in"
like "$(grep plsync_session "$T/E100.jar")" '#HttpOnly_127\.0\.0\.1' "the session cookie is HttpOnly"
like "$(curl -s -D - -o /dev/null -c "$T/x.jar" -b "$T/x.jar" "${URL}login")" 'SameSite=Strict' "cookies are SameSite=Strict"
like "$(web E100 "$URL")" 'Ann Lee' "the home page names her"
csrf=$(csrf_of E100)
like "$csrf" '^[0-9a-f]{64}$' "every form carries a 64-hex csrf field"

# CSRF
is "$(code E100 --data-urlencode 'title=No token' --data-urlencode type=workshop "${URL}requests")" 403 \
	"a POST without csrf is 403"
is "$(code E100 --data-urlencode 'title=Bad token' --data-urlencode type=workshop \
	--data-urlencode "csrf=$(printf '%064d' 0)" "${URL}requests")" 403 "a POST with a wrong csrf is 403"
is "$(code anon --data-urlencode 'title=x' --data-urlencode "csrf=$csrf" "${URL}requests")" 403 \
	"the token without the session's cookie is 403"
is "$("$PLSYNC" ls pd_entry | wc -l | tr -d ' ')" 1 "nothing was written (only the header line)"

# a hostile title
is "$(code E100 --data-urlencode 'title=<script>alert(1)</script> & "q"' --data-urlencode type=workshop \
	--data-urlencode start=2027-04-01 --data-urlencode cost=120.50 --data-urlencode "csrf=$csrf" "${URL}requests")" 303 \
	"the request is made"
loc=$(curl -s -D - -o /dev/null -c "$T/E100.jar" -b "$T/E100.jar" --data-urlencode 'title=Second' \
	--data-urlencode type=course --data-urlencode "csrf=$csrf" "${URL}requests" | sed -n 's/^Location: \(.*\)\r$/\1/p')
like "$loc" '^/records/LIN01-[0-9A-Z]+$' "it redirects to the new record ($loc)"
id=$("$PLSYNC" ls pd_entry | awk '/alert/ {print $1}')
page=$(web E100 "${URL}records/$id")
is "$(cat "$T/.code")" 200 "the record page is 200"
like "$page" '&lt;script&gt;alert\(1\)&lt;/script&gt; &amp; &quot;q&quot;' "the title comes back escaped"
is "$(printf '%s' "$page" | grep -c '<script>')" 0 "no <script> tag on the page"
is "$("$PLSYNC" show "$id" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["fields"]["cost_cents"])')" 12050 \
	"the cost in dollars is kept in cents"
web E100 "${URL}api/v1/records/$id" > "$T/api.json"
is "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["kind"], d["fields"]["title"])' "$T/api.json")" \
	'pd_entry <script>alert(1)</script> & "q"' "the API gives the record as JSON, the value as it is"
like "$("$PLSYNC" log "$id")" 'Ann Lee \(E100\)' "plsync log names the teacher as the actor"

# paths
for path in '../users' 'records/../users' 'style.css/..' '%2e%2e/users' './' 'users' 'etc/passwd' 'records/' \
            'records/x/y/z' 'api/v1/records/' 'style.css.map'; do
	is "$(code E100 --path-as-is "${URL}$path")" 404 "/$path is 404"
done
is "$(code E100 "${URL}style.css")" 200 "the embedded style sheet is served"

# body limit
head -c 100000 /dev/zero | tr '\0' 'a' > "$T/big"
is "$(code E100 --data-binary @"$T/big" "${URL}requests")" 413 "a 100 kB body is 413"
is "$(code E100 -H 'Content-Type: text/plain' --data-binary 'x' "${URL}requests")" 415 "a body that is not a form is 415"

# Host and Origin
is "$(code E100 -H "Host: evil.example:$port" "$URL")" 421 "a wrong Host is refused"
is "$(code E100 -H "Host: localhost:$port" "${URL}healthz")" 200 "localhost:PORT is this server's Host"
is "$(code E100 -H "Origin: http://evil.example" --data-urlencode "csrf=$csrf" --data-urlencode title=x "${URL}requests")" 403 \
	"a POST with a foreign Origin is refused"
is "$(code E100 -H "Origin: http://127.0.0.1:$port" --data-urlencode "csrf=$csrf" --data-urlencode title=Same \
	--data-urlencode type=seminar "${URL}requests")" 303 "a POST with this server's Origin is taken"

# a slow client (one byte a second, at most 20) is dropped: --timeout 3
desc "a client sending one byte a second is dropped"; ok python3 "$here/slow-client.py" 127.0.0.1 "$port" 20
is "$(code anon "${URL}healthz")" 200 "the server still answers"

# a teacher sees only her own
is "$(login E101)" 303 "another teacher logs in"
is "$(code E101 "${URL}records/$id")" 404 "... and does not see her record"
is "$(code E101 "${URL}api/v1/records/$id")" 404 "... nor through the API"

# rate limit: 5 wrong passwords per account in 15 minutes
for i in 1 2 3 4 5; do
	is "$(login E300 wrong-password)" 401 "wrong password $i is 401"
done
is "$(login E300 wrong-password)" 429 "the 6th is 429"
like "$(cat "$T/.body")" 'Too many failed logins' "it says so"
is "$(login E300)" 429 "the right password is refused too while the account waits"
is "$(login E400)" 303 "another account logs in from the same address"
is "$(login nobody x-password)" 401 "an unknown account is 401, as a wrong password"

# a bad value: the library's message, the form again with what was typed
is "$(code E100 --data-urlencode "csrf=$csrf" --data-urlencode 'title=Bad date' --data-urlencode type=workshop \
	--data-urlencode start=2027-13-01 "${URL}requests")" 422 "a request with a bad date is 422"
like "$(cat "$T/.body")" 'Not sent: .*start.*2027-13-01' "the page gives the library's message naming the field"
like "$(cat "$T/.body")" 'value="Bad date"' "and keeps what was typed"
is "$(code E100 --data-urlencode "csrf=$csrf" --data-urlencode 'title=x' --data-urlencode type=workshop \
	--data-urlencode cost=12,50 "${URL}requests")" 422 "a cost that is not dollars is 422"
is "$(code E100 --data-urlencode "csrf=$csrf" --data-urlencode 'title=x' --data-urlencode title=y \
	--data-urlencode type=workshop "${URL}requests")" 400 "a field sent twice is 400"

# 20 requests at once through the thread pool: every one written, the store sound
before=$("$PLSYNC" ls pd_entry | wc -l)
pids=""
for i in $(seq 1 20); do
	curl -s -o /dev/null -w '%{http_code}\n' -b "$T/E100.jar" --data-urlencode "csrf=$csrf" \
		--data-urlencode "title=Parallel $i" --data-urlencode type=seminar "${URL}requests" >"$T/par.$i" &
	pids="$pids $!"
done
wait $pids   # the curls, not the server
is "$(cat "$T"/par.* | sort | uniq -c | tr -s ' ')" " 20 303" "20 requests at once are all answered 303"
is "$(( $("$PLSYNC" ls pd_entry | wc -l) - before ))" 20 "and all 20 are in the store"
desc "the store checks out after them"; ok "$PLSYNC" check

# a rejection, with its reason, by the recorded supervisor
second=$("$PLSYNC" ls pd_entry | awk '/Second/ {print $1}')
is "$(login E200)" 303 "the supervisor logs in"
c2=$(csrf_of E200)
like "$(web E200 "$URL")" 'My approval queue.*' "her home page has the approval queue"
like "$(cat "$T/.body")" 'Second' "... with the teacher's request"
is "$(code E200 --data-urlencode "csrf=$c2" --data-urlencode role=supervisor "${URL}records/$second/reject")" 422 \
	"a rejection without its reason is refused"
like "$(cat "$T/.body")" 'needs its reason' "the page says why"
is "$(code E200 --data-urlencode "csrf=$c2" --data-urlencode role=supervisor --data-urlencode 'note=not this year' \
	"${URL}records/$second/reject")" 303 "with a reason it is taken"
like "$(web E200 "${URL}records/$second")" 'Status: rejected' "the entry is rejected"
like "$("$PLSYNC" log "$second")" 'Pat Rivera \(E200\) <pat@lincoln.example>.*supervisor rejection by E200: not this year' \
	"plsync log names the supervisor, with her reason"
is "$(code E200 --data-urlencode "csrf=$csrf" --data-urlencode role=supervisor "${URL}records/$second/approve")" 403 \
	"another session's csrf token is refused"
is "$(code anon --data-urlencode "csrf=$c2" --data-urlencode role=supervisor "${URL}records/$second/approve")" 403 \
	"a POST without a session is refused"

# logout
cp "$T/E100.jar" "$T/old.jar"
is "$(code E100 --data-urlencode "csrf=$csrf" "${URL}logout")" 303 "logout"
is "$(code E100 "$URL")" 303 "after logout / goes to /login again"
is "$(code old "$URL")" 303 "the old session cookie is dead"

# SIGTERM
serve_stop
is "$SERVE_RC" 0 "SIGTERM stops the server with exit 0"
like "$(cat "$T/serve.out")" 'stopped' "it says it stopped"
desc "the store is intact after the stop"; ok "$PLSYNC" check

# listening beyond loopback needs TLS
desc "a listen address beyond loopback without TLS is refused"; fails 2 "$PLSYNC" serve --listen 0.0.0.0:0
like "$(cat "$T/.err")" 'needs TLS.*--tls-cert' "the message says TLS is needed and how"

# TLS
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 2 \
	-subj "/CN=127.0.0.1" >/dev/null 2>&1
desc "serve with a certificate"; ok serve_start --tls-cert "$T/cert.pem" --tls-key "$T/key.pem"
like "$URL" '^https://127\.0\.0\.1:' "the URL is https"
is "$(code tls -k "${URL}healthz")" 200 "healthz over TLS"
like "$(curl -sk -D - -o /dev/null "${URL}login")" 'plsync_login=[0-9a-f]+; Path=/login; HttpOnly; SameSite=Strict; Secure' \
	"cookies are Secure under TLS"
serve_stop
is "$SERVE_RC" 0 "the TLS server stops too"
desc "with TLS, listening on every address is allowed"
ok serve_start --listen 0.0.0.0:0 --tls-cert "$T/cert.pem" --tls-key "$T/key.pem" --host office-pc.lincoln.lan
port=$(printf '%s' "$URL" | sed 's|.*:\([0-9]*\)/$|\1|')
is "$(code tls -k "https://127.0.0.1:$port/healthz")" 200 "it answers on loopback"
is "$(code tls -k -H "Host: office-pc.lincoln.lan:$port" "https://127.0.0.1:$port/healthz")" 200 "and for the --host name"
is "$(code tls -k -H "Host: $(hostname):$port" "https://127.0.0.1:$port/healthz")" 200 "and for this computer's name"
is "$(code tls -k -H "Host: evil.example:$port" "https://127.0.0.1:$port/healthz")" 421 "but not for another name"
serve_stop

done_testing
