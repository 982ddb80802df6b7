#!/bin/sh
# Sync over ssh:// through a throw-away sshd on 127.0.0.1 with its own host
# key: agents authenticate with the key named by sync.sshkey and accept the
# server only when its host key is in the file named by sync.knownhosts; an
# unknown, changed or missing host key, and a key the server refuses, each
# fail with exit 1, a message saying what to do, and no change.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/sync-lib.sh"
# libgit2 1.5.1's ssh leaks are suppressed by a function of its ssh path
# (tests/lsan.supp); under ASan the stack must be unwound through libgit2,
# which has no frame pointers, to see it
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"

if [ ! -x /usr/sbin/sshd ] || ! command -v ssh-keygen >/dev/null 2>&1; then
	echo "1..0 # SKIP openssh-server is not installed (scripts/install-deps installs it)"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP sshd must run as root here (it logs in as root to the district repository)"
	exit 0
fi

keys() {
	ssh-keygen -q -t ed25519 -N "" -C "test host" -f "$T/hostkey" &&
	ssh-keygen -q -t ed25519 -N "" -C "LIN01 agent" -f "$T/client" &&
	ssh-keygen -q -t ed25519 -N "" -C "not the server" -f "$T/impostor" &&
	ssh-keygen -q -t ed25519 -N "" -C "not authorised" -f "$T/stranger" &&
	cp "$T/client.pub" "$T/authorized_keys"
}
desc "ssh-keygen makes a host key and client keys"; ok keys
port=$(free_port)
cat > "$T/sshd_config" <<CONF
ListenAddress 127.0.0.1
HostKey $T/hostkey
AuthorizedKeysFile $T/authorized_keys
PidFile $T/sshd.pid
StrictModes no
UsePAM no
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
AllowAgentForwarding no
AllowTcpForwarding no
X11Forwarding no
PrintMotd no
LogLevel VERBOSE
CONF
mkdir -p /run/sshd # privilege separation dir, missing on a machine where sshd never ran
desc "sshd accepts the configuration"; ok /usr/sbin/sshd -t -f "$T/sshd_config" -h "$T/hostkey"
/usr/sbin/sshd -D -e -f "$T/sshd_config" -p "$port" -h "$T/hostkey" >"$T/sshd.log" 2>&1 &
started $!
desc "sshd listens on 127.0.0.1:$port"; ok wait_port "$port" 10
desc "plsync-district init creates the repository"; ok timeout 30 "$DISTRICT_TOOL" init "$T/srv/district.git"
echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$T/hostkey.pub")" > "$T/known_hosts"
echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$T/impostor.pub")" > "$T/wrong_hosts"
echo "[127.0.0.1]:9 $(cut -d' ' -f1,2 "$T/hostkey.pub")" > "$T/other_port_hosts"
repo="$T/srv/district.git"
url="ssh://root@127.0.0.1:$port$repo"

agent_setup() {
	git config -f "$1/config" sync.sshkey "$T/client" && git config -f "$1/config" sync.knownhosts "$T/known_hosts"
}
# HOME without ~/.ssh: nothing but the config decides
export HOME="$T/home"
mkdir -p "$HOME"
converge ssh "$url" "$repo"

late_entry ssh-lin

git config -f "$T/ssh-lin/config" sync.knownhosts "$T/wrong_hosts"
desc "a known_hosts entry with another key for the server is refused"; fails 1 pl ssh-lin sync
like "$(cat "$T/.err")" "host key of \[127.0.0.1\]:$port \(ssh-ed25519 SHA256:[A-Za-z0-9+/]{43}\) does NOT match the one in .*wrong_hosts line 1" \
	"the message names the host, its fingerprint and the line that differs"
like "$(cat "$T/.err")" "confirm the new fingerprint with the district office" "and says what to do"
is "$(remote_snapshot ssh-lin)" "$before" "nothing changed"
fp=$(ssh-keygen -lf "$T/hostkey.pub" | cut -d' ' -f2)
like "$(cat "$T/.err")" "$(printf '%s' "$fp" | sed 's/[+.]/\\&/g')" "the fingerprint shown is the one ssh-keygen -l prints ($fp)"

git config -f "$T/ssh-lin/config" sync.knownhosts "$T/other_port_hosts"
desc "a host key known only for another port is refused"; fails 1 pl ssh-lin sync
like "$(cat "$T/.err")" "is not in the known hosts file .*other_port_hosts: .*ssh-keyscan -p $port 127.0.0.1 >>" \
	"the message says how to add the key"
is "$(remote_snapshot ssh-lin)" "$before" "nothing changed"

{ cat "$T/known_hosts"; echo "@revoked [127.0.0.1]:$port $(cut -d' ' -f1,2 "$T/hostkey.pub")"; } > "$T/revoked_hosts"
git config -f "$T/ssh-lin/config" sync.knownhosts "$T/revoked_hosts"
desc "a host key marked @revoked is refused, even after a line that accepts it"; fails 1 pl ssh-lin sync
like "$(cat "$T/.err")" "is marked @revoked in .*revoked_hosts line 2" "the message names the line"
is "$(remote_snapshot ssh-lin)" "$before" "nothing changed"

cp "$T/known_hosts" "$T/hashed_hosts" && ssh-keygen -q -H -f "$T/hashed_hosts" >/dev/null 2>&1
git config -f "$T/ssh-lin/config" sync.knownhosts "$T/hashed_hosts"
desc "sync.knownhosts with only hashed host names is refused"; fails 1 pl ssh-lin sync
like "$(cat "$T/.err")" "hashed entries are not read: write plain host names" "the message says to write plain names"

git config -f "$T/ssh-lin/config" sync.knownhosts "$T/nothere"
desc "a missing known hosts file is refused"; fails 1 pl ssh-lin sync
like "$(cat "$T/.err")" "cannot read the known hosts file .*nothere" "the message names the file"

git config -f "$T/ssh-lin/config" --unset sync.knownhosts
desc "without sync.knownhosts and no ~/.ssh/known_hosts the server is refused"; fails 1 pl ssh-lin sync
like "$(cat "$T/.err")" "known hosts file $HOME/.ssh/known_hosts" "the message names ~/.ssh/known_hosts"
is "$(remote_snapshot ssh-lin)" "$before" "nothing changed"

mkdir -p "$HOME/.ssh" && cp "$T/known_hosts" "$HOME/.ssh/known_hosts" && ssh-keygen -q -H -f "$HOME/.ssh/known_hosts" >/dev/null 2>&1
desc "~/.ssh/known_hosts with hashed host names is read when sync.knownhosts is unset"
ok grep -q '^|1|' "$HOME/.ssh/known_hosts"
git config -f "$T/ssh-lin/config" sync.sshkey "$T/stranger"
desc "with a key the server does not accept the sync fails"; fails 1 pl ssh-lin sync
like "$(cat "$T/.err")" "refused ssh key .*stranger for user 'root': check the credentials" "the message names the key"
is "$(remote_snapshot ssh-lin)" "$before" "nothing changed"
git config -f "$T/ssh-lin/config" sync.sshkey "$T/missing-key"
desc "a missing key file fails"; fails 1 pl ssh-lin sync
like "$(cat "$T/.err")" "cannot read the ssh key .*missing-key \(sync.sshkey\)" "the message names the file and the setting"

git config -f "$T/ssh-lin/config" sync.sshkey "$T/client"
late_entry_arrives ssh "the right key, trusting ~/.ssh/known_hosts,"

# a link to sshd that stalls mid-pack (t-timeout.sh: the other transports)
desc "a proxy to sshd that stalls after 60000 bytes"; ok stall 60000 "$port"
{ cat "$T/known_hosts"; echo "[127.0.0.1]:$sport $(cut -d' ' -f1,2 "$T/hostkey.pub")"; } > "$T/stall_hosts"
for d in ssh-lin ssh-dist; do
	git config -f "$T/$d/config" sync.knownhosts "$T/stall_hosts"
	git config -f "$T/$d/config" sync.timeout 3
	git config -f "$T/$d/config" sync.lowspeed 1024/3
done
pd_rows "$T/big.csv" 1 3000 E100
desc "LIN01 imports 3000 PD entries"; ok pl ssh-lin import pd_entry "$T/big.csv"
before=$(remote_snapshot ssh-lin)
desc "LIN01's push of them through the stalling link fails"
fails 1 pl ssh-lin sync --remote "ssh://root@127.0.0.1:$sport$repo"
like "$(cat "$T/.err")" "(fewer than 1024 bytes in 3 s \(the limit sync.lowspeed|said nothing for 3 s \(the limit sync.timeout).*nothing was lost" \
	"the message names the limit and says nothing was lost"
is "$(remote_snapshot ssh-lin)" "$before" "nothing changed"
desc "LIN01 pushes them through sshd directly"; ok pl ssh-lin sync --remote "$url"
dist_before=$(pl ssh-dist status --json | grep -E '^  "(seq|ops|records)"')
desc "DISTRICT's fetch of them through the stalling link fails"
fails 1 pl ssh-dist sync --remote "ssh://root@127.0.0.1:$sport$repo"
like "$(cat "$T/.err")" "stalled: fewer than 1024 bytes in 3 s \(the limit sync.lowspeed = 1024/3\).*nothing was lost" \
	"the message names the low-speed limit and says nothing was lost"
like "$(cat "$T/stall.out")" "stalled after 60000 bytes" "the proxy did stall the link"
is "$(pl ssh-dist status --json | grep -E '^  "(seq|ops|records)"')" "$dist_before" "DISTRICT's store is unchanged"
stall_stop
desc "DISTRICT fetches them through sshd directly"; ok pl ssh-dist sync --remote "$url"
like "$(cat "$T/.out")" "fetched: 3000 new ops applied" "DISTRICT applied the 3000 ops"
desc "git fsck --strict passes on the repository and both mirrors"; ok fsck_all "$repo" ssh-lin ssh-dist

done_testing
