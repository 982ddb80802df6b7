# tests/web/web.sh — helpers for the web app's tests (sourced after
# tests/lib.sh): a school with staff and accounts, `plsync serve` on a free
# port of 127.0.0.1, and curl with a cookie jar per person.
#
#   school                 the data dir $PLSYNC_DIR: school LIN01; E200 Pat Rivera
#                          (supervisor), E300 Sam Ortiz (budget manager), E100
#                          Ann Lee and E101 Bo Chen (teachers under them), E400
#                          Cy Diaz (clerk); accounts with password "password-<id>"
#   serve_start [ARGS]     start the server; $URL (".../" ended), $SERVE_PID
#   serve_stop             SIGTERM, and wait for it to end; its exit code in $SERVE_RC
#   login ID [PW]          log in with jar $T/ID.jar; prints the HTTP status
#   csrf_of ID             the session's CSRF token (from the home page)
#   web ID ARGS...         curl with ID's jar: prints the body; the status in $T/.code
#   code ID ARGS...        curl with ID's jar: prints only the status

school() {
	p() { "$PLSYNC" "$@"; }
	p init --node LIN01 --name "Lincoln Elementary" --user "Setup <setup@lincoln.example>" >/dev/null &&
	p add school --id LIN01 code=LIN01 name="Lincoln Elementary" level=elementary >/dev/null &&
	p add staff --id E200 name="Pat Rivera" category=certified school=LIN01 email=pat@lincoln.example >/dev/null &&
	p add staff --id E300 name="Sam Ortiz" category=noninstructional school=LIN01 >/dev/null &&
	p add staff --id E100 name="Ann Lee" category=certified school=LIN01 supervisor=E200 budget_manager=E300 \
		license_expires=2029-06-30 renewal_hours_required=90 >/dev/null &&
	p add staff --id E101 name="Bo Chen" category=certified school=LIN01 supervisor=E200 budget_manager=E300 >/dev/null &&
	p add staff --id E400 name="Cy Diaz" category=noninstructional school=LIN01 >/dev/null || return 1
	for spec in E100:teacher E101:teacher,approver E200:approver E300:approver E400:clerk; do
		printf 'password-%s\n' "${spec%%:*}" | p user add "${spec%%:*}" --role "${spec#*:}" --password-stdin >/dev/null || return 1
	done
}

serve_start() {
	"$PLSYNC" serve --listen 127.0.0.1:0 "$@" >"$T/serve.out" 2>"$T/serve.err" &
	SERVE_PID=$!
	URL=""
	for _i in $(seq 1 100); do
		URL=$(sed -n 's/^plsync serve: \(http[^ ]*\) .*/\1/p' "$T/serve.out")
		[ -n "$URL" ] && return 0
		kill -0 "$SERVE_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

serve_stop() {
	kill -TERM "$SERVE_PID" 2>/dev/null
	wait "$SERVE_PID"
	SERVE_RC=$?
}

web() {
	_who=$1; shift
	curl -s -o "$T/.body" -w '%{http_code}' -c "$T/$_who.jar" -b "$T/$_who.jar" "$@" >"$T/.code"
	cat "$T/.body"
}

code() {
	web "$@" >/dev/null
	cat "$T/.code"
}

login() {
	_who=$1
	rm -f "$T/$_who.jar"
	_c=$(web "$_who" "${URL}login" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p')
	code "$_who" --data-urlencode "user=$_who" --data-urlencode "password=${2:-password-$_who}" \
		--data-urlencode "csrf=$_c" "${URL}login"
}

csrf_of() {
	web "$1" "$URL" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1
}
