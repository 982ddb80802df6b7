#!/bin/sh
# Secrets stay secret (issue 9, D8). A school's remote.url may carry its
# basic-auth password (https://lin01:PASSWORD@host/...), and DIR/config may
# hold sync.password. Whatever happens — a refused connection, a wrong
# password, a sync that works — neither password appears in what plsync
# prints (sync, status, status --json, log): a URL is shown as
# user:***@host. The config file is the owner's alone (0600) from init on,
# after every rewrite, and an older 0644 one is narrowed when next opened;
# init into an existing 0755 dir makes it 0700.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/sync-lib.sh"

need_lighttpd

pw=Pw4Lin01xyzzy      # in the URL
cfgpw=Cfg9Secretqqq   # in sync.password
mode() { stat -c %a "$1"; }
# no_leak NAME: pass when neither password is in the last command's output
leaks() {
	if grep -q -e "$pw" -e "$cfgpw" "$T/.last"; then
		sed 's/^/# /' "$T/.last" >&2
		return 1
	fi
}
no_leak() { cat "$T/.out" "$T/.err" > "$T/.last"; desc "$1"; ok leaks; }

# --- modes ---
mkdir -m 755 "$T/lin"
desc "init into an existing 0755 dir"
ok "$PLSYNC" --dir "$T/lin" init --node LIN01 --user "Ann Lee <ann@lincoln.example>"
is "$(mode "$T/lin")" "700" "makes the data dir 0700"
is "$(mode "$T/lin/config")" "600" "writes the config 0600"
desc "setting sync.password"; ok pl lin config sync.password "$cfgpw"
is "$(mode "$T/lin/config")" "600" "leaves the rewritten config 0600"
chmod 644 "$T/lin/config"
desc "status on a data dir whose config is 0644"; ok pl lin status
is "$(mode "$T/lin/config")" "600" "makes it 0600"
chmod 644 "$T/lin/config"
desc "setting a key in a 0644 config"; ok pl lin config sync.username lin01
is "$(mode "$T/lin/config")" "600" "makes it 0600"
(umask 000 && "$PLSYNC" --dir "$T/open" init --node WAS02 >/dev/null)
is "$(mode "$T/open")/$(mode "$T/open/config")" "700/600" "even under umask 000: dir 0700, config 0600"

# --- a refused connection ---
dead=$(free_port)
git config -f "$T/lin/config" remote.url "http://lin01:$pw@127.0.0.1:$dead/git/district.git"
desc "LIN01 records its school, a teacher and an entry"
ok sh -c "'$PLSYNC' --dir '$T/lin' add school --id LIN01 code=LIN01 name=Lincoln level=elementary &&
	'$PLSYNC' --dir '$T/lin' add staff --id E100 name='Ann Lee' category=certified school=LIN01 &&
	'$PLSYNC' --dir '$T/lin' add pd_entry staff=E100 title=Fractions type=workshop"
desc "a sync to a port nobody listens on fails with exit 1"; fails 1 pl lin sync
like "$(cat "$T/.err")" "lin01:\*\*\*@127\.0\.0\.1:$dead" "the message shows the URL as lin01:***@host"
no_leak "and neither password"
desc "status"; ok pl lin status
like "$(cat "$T/.out")" "^remote: +http://lin01:\*\*\*@127\.0\.0\.1:$dead/git/district\.git$" "shows the URL redacted"
no_leak "status shows neither password"
desc "status --json"; ok pl lin status --json
like "$(cat "$T/.out")" "\"remote\": \"http://lin01:\*\*\*@127" "has the URL redacted"
no_leak "status --json shows neither password"
desc "log"; ok pl lin log
no_leak "log shows neither password"
desc "log --json"; ok pl lin log --json
no_leak "log --json shows neither password"

# --- a real server with basic auth ---
mkdir -p "$T/srv" "$T/www"
desc "plsync-district init creates the repository"; ok timeout 30 "$DISTRICT_TOOL" init "$T/srv/district.git"
hport=$(free_port)
printf 'lin01:%s\n' "$pw" > "$T/users"
lighttpd_conf "$hport" "$T/users"
lighttpd_start "$hport"
url="http://lin01:$pw@127.0.0.1:$hport/git/district.git"

# a wrong password in the URL (sync.password is not the right one either)
git config -f "$T/lin/config" remote.url "http://lin01:${pw}WRONG@127.0.0.1:$hport/git/district.git"
desc "a sync with a wrong password in the URL fails with exit 1"; fails 1 pl lin sync
like "$(cat "$T/.err")" "lin01:\*\*\*@127\.0\.0\.1:$hport" "the message shows the URL redacted"
no_leak "and neither password"

# the right one, in the URL
git config -f "$T/lin/config" --unset sync.password
git config -f "$T/lin/config" remote.url "$url"
desc "a sync with the password in the URL works"; ok pl lin sync
like "$(cat "$T/.out")" "pushed nodes/LIN01 to http://lin01:\*\*\*@127\.0\.0\.1:$hport/git/district\.git" \
	"and says where it pushed, redacted"
no_leak "its output shows the password nowhere"
is "$(sync_field lin unpushed_ops)" "0" "the entry is pushed"
desc "status after the sync"; ok pl lin status
no_leak "shows the password nowhere"
desc "status --json after the sync"; ok pl lin status --json
no_leak "shows the password nowhere"
desc "the mirror keeps no copy of the password"; fails 1 grep -rq -e "$pw" "$T/lin/git"

# the right one in sync.password, the URL with the user only
git config -f "$T/lin/config" remote.url "http://lin01@127.0.0.1:$hport/git/district.git"
git config -f "$T/lin/config" sync.password "$pw"
desc "LIN01 records another entry"; ok pl lin add pd_entry staff=E100 title="Decimals" type=workshop
desc "a sync with the password in sync.password works"; ok pl lin sync
like "$(cat "$T/.out")" "to http://lin01@127\.0\.0\.1:$hport/" "showing the user name, which is no secret"
no_leak "showing the password nowhere"
desc "git fsck --strict passes on the district repository"; ok git -C "$T/srv/district.git" fsck --strict --no-progress

done_testing
