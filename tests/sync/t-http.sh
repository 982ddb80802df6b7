#!/bin/sh
# Sync over http:// and https:// through `git http-backend` (CGI) behind a
# throw-away lighttpd with basic auth on all of /git/ (fetch and push), and
# TLS from a CA made here: agents converge with the credentials and CA file
# in their config; a wrong password, missing credentials and an untrusted
# certificate each fail with exit 1 and a message that says what to fix, and
# change nothing.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/sync-lib.sh"

need_lighttpd
have_tls=1
[ -f /usr/lib/lighttpd/mod_openssl.so ] || have_tls=0

mkdir -p "$T/srv" "$T/www"
desc "plsync-district init creates the repository the web server serves"
ok timeout 30 "$DISTRICT_TOOL" init "$T/srv/district.git"

# a CA, and a server certificate it signs for 127.0.0.1
tls() {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/ca.key" -out "$T/ca.pem" -days 2 \
		-subj "/CN=plsync test CA" -addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" &&
	openssl req -newkey rsa:2048 -nodes -keyout "$T/server.key" -out "$T/server.csr" -subj "/CN=127.0.0.1" &&
	printf 'subjectAltName=IP:127.0.0.1,DNS:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
		> "$T/server.ext" &&
	openssl x509 -req -in "$T/server.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" -CAcreateserial \
		-out "$T/server.pem" -days 2 -extfile "$T/server.ext" &&
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/other-ca.key" -out "$T/other-ca.pem" -days 2 \
		-subj "/CN=some other CA"
}
[ $have_tls = 1 ] && { desc "openssl makes a CA and a server certificate for 127.0.0.1"; ok tls; }

hport=$(free_port)
sport=$(free_port)
while [ "$sport" = "$hport" ]; do sport=$(free_port); done
printf 'clerk:s3cret\n' > "$T/users"
if [ $have_tls = 1 ]; then lighttpd_conf "$hport" "$T/users" "$sport"; else lighttpd_conf "$hport" "$T/users"; fi
desc "lighttpd accepts the configuration"; ok "$lighttpd" -tt -f "$T/lighttpd.conf"
lighttpd_start "$hport"
[ $have_tls = 1 ] && { desc "lighttpd listens for https on 127.0.0.1:$sport"; ok wait_port "$sport" 10; }
hurl="http://127.0.0.1:$hport/git/district.git"
surl="https://127.0.0.1:$sport/git/district.git"
repo="$T/srv/district.git"

# --- http, credentials in the config ---
agent_setup() {
	git config -f "$1/config" sync.username clerk && git config -f "$1/config" sync.password s3cret
}
converge http "$hurl" "$repo"

# --- a wrong password ---
late_entry http-lin
git config -f "$T/http-lin/config" sync.password wrong
desc "a sync with a wrong password fails with exit 1"; fails 1 pl http-lin sync
like "$(cat "$T/.err")" "refused user 'clerk' and its password: check the credentials" \
	"the message says the credentials were refused and what to check"
is "$(remote_snapshot http-lin)" "$before" "nothing changed: district refs, store, log, unpushed count"
is "$(sync_field http-lin unpushed_ops)" "1" "the entry is still unpushed"
git config -f "$T/http-lin/config" --unset sync.password
git config -f "$T/http-lin/config" --unset sync.username
desc "a sync without credentials fails with exit 1"; fails 1 pl http-lin sync
like "$(cat "$T/.err")" "asks for a user name and password: check the credentials: set sync.username and sync.password" \
	"the message says which settings to give"
is "$(remote_snapshot http-lin)" "$before" "nothing changed"
git config -f "$T/http-lin/config" sync.username clerk
desc "the password from PLSYNC_PASSWORD works"; ok env PLSYNC_PASSWORD=s3cret "$PLSYNC" --dir "$T/http-lin" sync
is "$(sync_field http-lin unpushed_ops)" "0" "the entry is pushed"
desc "git fsck --strict passes on the district repository"; ok git -C "$repo" fsck --strict --no-progress

# --- https ---
if [ $have_tls = 1 ]; then
	agent_setup() {
		git config -f "$1/config" sync.username clerk && git config -f "$1/config" sync.password s3cret &&
		git config -f "$1/config" sync.cafile "$T/ca.pem"
	}
	mkdir -p "$T/srv2" && "$DISTRICT_TOOL" init "$T/srv2/district.git" >/dev/null
	# a second repository behind the same server: GIT_PROJECT_ROOT is $T/srv
	mv "$T/srv2/district.git" "$T/srv/https.git"
	converge https "https://127.0.0.1:$sport/git/https.git" "$T/srv/https.git"
	surl="https://127.0.0.1:$sport/git/https.git"
	repo="$T/srv/https.git"

	late_entry https-lin
	git config -f "$T/https-lin/config" --unset sync.cafile
	desc "a sync without the CA file fails with exit 1"; fails 1 pl https-lin sync
	like "$(cat "$T/.err")" "certificate is not trusted.*check the CA file: set sync.cafile" \
		"the message says the certificate is untrusted and names sync.cafile"
	is "$(remote_snapshot https-lin)" "$before" "nothing changed"
	git config -f "$T/https-lin/config" sync.cafile "$T/other-ca.pem"
	desc "a sync trusting another CA fails with exit 1"; fails 1 pl https-lin sync
	like "$(cat "$T/.err")" "certificate is not trusted" "the message says the certificate is untrusted"
	is "$(remote_snapshot https-lin)" "$before" "nothing changed"
	git config -f "$T/https-lin/config" sync.cafile "$T/ca.pem"
	git config -f "$T/https-lin/config" sync.password wrong
	desc "a wrong password over https fails with exit 1"; fails 1 pl https-lin sync
	like "$(cat "$T/.err")" "refused user 'clerk' and its password: check the credentials" "the message names the credentials"
	is "$(remote_snapshot https-lin)" "$before" "nothing changed"
	git config -f "$T/https-lin/config" sync.password s3cret
	late_entry_arrives https "the right CA file and password"
else
	echo "# lighttpd-mod-openssl is not installed: https not tested" >&2
fi

done_testing
