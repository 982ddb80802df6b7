#!/bin/sh
# Listening beyond loopback with no --tls-cert: serve makes a self-signed
# certificate in the data dir on first use (serve-tls.crt and .key, 0600),
# prints its SHA-256 fingerprint (the one openssl computes), serves https,
# and keeps the same certificate for the next start; a damaged certificate
# file is refused, naming it; without openssl it says what to do.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/web.sh"
export PLSYNC_DIR="$T/lin" PLSYNC_TODAY=2027-03-01

desc "a school with staff and accounts"; ok school
desc "without openssl and a certificate, listening beyond loopback is refused"
PATH=/nonexistent "$PLSYNC" serve --listen 0.0.0.0:0 >"$T/.out" 2>"$T/.err"
is "$?" 1 "it exits 1"
like "$(cat "$T/.err")" "cannot run openssl.*--tls-cert FILE --tls-key FILE" "the message says how to go on"

desc "serve on every address makes a certificate"; ok serve_start --listen 0.0.0.0:0
fp=$(sed -n 's/^plsync serve: its SHA-256 fingerprint.*: \([0-9A-F:]*\)$/\1/p' "$T/serve.out")
like "$fp" '^([0-9A-F]{2}:){31}[0-9A-F]{2}$' "it prints a SHA-256 fingerprint"
is "$fp" "$(openssl x509 -noout -fingerprint -sha256 -in "$T/lin/serve-tls.crt" | sed 's/.*=//')" \
	"the one openssl computes for the certificate"
is "$(stat -c %a "$T/lin/serve-tls.crt") $(stat -c %a "$T/lin/serve-tls.key")" "600 600" "both files are 0600"
like "$URL" '^https://' "the URL is https"
port=$(printf '%s' "$URL" | sed 's|.*:\([0-9]*\)/$|\1|')
is "$(code tls -k "https://127.0.0.1:$port/healthz")" 200 "it answers over TLS"
like "$(openssl s_client -connect "127.0.0.1:$port" </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256 | sed 's/.*=//')" \
	"^$fp$" "the server presents that certificate"
serve_stop
is "$SERVE_RC" 0 "it stops cleanly"

desc "the next start keeps the certificate"; ok serve_start --listen 0.0.0.0:0
is "$(sed -n 's/^plsync serve: its SHA-256 fingerprint.*: \([0-9A-F:]*\)$/\1/p' "$T/serve.out")" "$fp" "the same fingerprint"
serve_stop

desc "a damaged certificate file is refused"
echo "not a certificate" >"$T/lin/serve-tls.crt"
"$PLSYNC" serve --listen 0.0.0.0:0 >"$T/.out" 2>"$T/.err"
is "$?" 1 "it exits 1"
like "$(cat "$T/.err")" "serve-tls.crt is not a PEM certificate: remove it" "naming the file"
done_testing
