#!/bin/sh
# Sync over http:// and https:// through `git http-backend` (CGI) behind a
# throw-away lighttpd with basic auth on all of /git/ (fetch and push), and
# TLS from a CA made here: agents converge with the credentials and CA file
# in their config; a wrong password, missing credentials and an untrusted
# certificate each fail with exit 1 and a message that says what to fix, and
# change nothing.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/sync-lib.sh"

lighttpd=$(command -v lighttpd || echo /usr/sbin/lighttpd)
if [ ! -x "$lighttpd" ]; then
	echo "1..0 # SKIP lighttpd is not installed (scripts/install-deps installs it)"
	exit 0
fi
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
modules='"mod_alias", "mod_setenv", "mod_auth", "mod_authn_file", "mod_cgi"'
[ $have_tls = 1 ] && modules="$modules, \"mod_openssl\""
cat > "$T/lighttpd.conf" <<CONF
server.document-root = "$T/www"
server.bind          = "127.0.0.1"
server.port          = $hport
server.pid-file      = "$T/lighttpd.pid"
server.errorlog      = "$T/lighttpd.log"
server.modules       = ( $modules )
alias.url            = ( "/git" => "/usr/lib/git-core/git-http-backend" )
\$HTTP["url"] =~ "^/git" {
	cgi.assign = ( "" => "" )
	setenv.set-environment = ( "GIT_PROJECT_ROOT" => "$T/srv", "GIT_HTTP_EXPORT_ALL" => "1" )
}
auth.backend                = "plain"
auth.backend.plain.userfile = "$T/users"
auth.require = ( "/git/" => ( "method" => "basic", "realm" => "plsync district", "require" => "valid-user" ) )
CONF
[ $have_tls = 1 ] && cat >> "$T/lighttpd.conf" <<CONF
\$SERVER["socket"] == "127.0.0.1:$sport" {
	ssl.engine  = "enable"
	ssl.pemfile = "$T/server.pem"
	ssl.privkey = "$T/server.key"
}
CONF
desc "lighttpd accepts the configuration"; ok "$lighttpd" -tt -f "$T/lighttpd.conf"
"$lighttpd" -D -f "$T/lighttpd.conf" >"$T/lighttpd.out" 2>&1 &
started $!
desc "lighttpd listens on 127.0.0.1:$hport"; ok wait_port "$hport" 10
[ $have_tls = 1 ] && { desc "lighttpd listens for https on 127.0.0.1:$sport"; ok wait_port "$sport" 10; }
hurl="http://127.0.0.1:$hport/git/district.git"
surl="https://127.0.0.1:$sport/git/district.git"
repo="$T/srv/district.git"

# --- http, credentials in the config ---
agent_setup() {
	git config -f "$1/config" sync.username clerk && git config -f "$1/config" sync.password s3cret
}
converge http "$hurl" "$repo"

snapshot() { # NAME: what must not change when a sync is refused
	echo "refs: $(git -C "$repo" for-each-ref | tr '\n' ' ')"
	pl "$1" status --json | grep -E '^  "(seq|ops|records)"|"unpushed_ops"|"pushed"'
	pl "$1" log --json | md5sum
}

# --- a wrong password ---
desc "LIN01 records an entry"; ok pl http-lin add pd_entry staff=E100 title="Late entry" type=workshop
git config -f "$T/http-lin/config" sync.password wrong
before=$(snapshot http-lin)
desc "a sync with a wrong password fails with exit 1"; fails 1 pl http-lin sync
like "$(cat "$T/.err")" "refused user 'clerk' and its password: check the credentials" \
	"the message says the credentials were refused and what to check"
is "$(snapshot http-lin)" "$before" "nothing changed: district refs, store, log, unpushed count"
is "$(sync_field http-lin unpushed_ops)" "1" "the entry is still unpushed"
git config -f "$T/http-lin/config" --unset sync.password
git config -f "$T/http-lin/config" --unset sync.username
desc "a sync without credentials fails with exit 1"; fails 1 pl http-lin sync
like "$(cat "$T/.err")" "asks for a user name and password: check the credentials: set sync.username and sync.password" \
	"the message says which settings to give"
is "$(snapshot http-lin)" "$before" "nothing changed"
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

	desc "LIN01 records an entry"; ok pl https-lin add pd_entry staff=E100 title="Late entry" type=workshop
	git config -f "$T/https-lin/config" --unset sync.cafile
	before=$(snapshot https-lin)
	desc "a sync without the CA file fails with exit 1"; fails 1 pl https-lin sync
	like "$(cat "$T/.err")" "certificate is not trusted.*check the CA file: set sync.cafile" \
		"the message says the certificate is untrusted and names sync.cafile"
	is "$(snapshot https-lin)" "$before" "nothing changed"
	git config -f "$T/https-lin/config" sync.cafile "$T/other-ca.pem"
	desc "a sync trusting another CA fails with exit 1"; fails 1 pl https-lin sync
	like "$(cat "$T/.err")" "certificate is not trusted" "the message says the certificate is untrusted"
	is "$(snapshot https-lin)" "$before" "nothing changed"
	git config -f "$T/https-lin/config" sync.cafile "$T/ca.pem"
	git config -f "$T/https-lin/config" sync.password wrong
	desc "a wrong password over https fails with exit 1"; fails 1 pl https-lin sync
	like "$(cat "$T/.err")" "refused user 'clerk' and its password: check the credentials" "the message names the credentials"
	is "$(snapshot https-lin)" "$before" "nothing changed"
	git config -f "$T/https-lin/config" sync.password s3cret
	desc "with the right CA file and password the sync completes"; ok pl https-lin sync
	is "$(sync_field https-lin unpushed_ops)" "0" "the entry is pushed"
	desc "DISTRICT gets it over https"; ok pl https-dist sync
	is "$(count https-dist pd_entry)" "4" "DISTRICT has the late entry too"
	desc "git fsck --strict passes on the https repository"; ok git -C "$repo" fsck --strict --no-progress
else
	echo "# lighttpd-mod-openssl is not installed: https not tested" >&2
fi

done_testing
