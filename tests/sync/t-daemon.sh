#!/bin/sh
# Sync over git:// through a throw-away `git daemon` on 127.0.0.1: the same
# convergence as over a path, with pushes through receive-pack.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/sync-lib.sh"

mkdir -p "$T/srv"
desc "plsync-district init creates the repository the daemon serves"
ok timeout 30 "$DISTRICT_TOOL" init "$T/srv/district.git"
port=$(free_port)
git daemon --export-all --enable=receive-pack --base-path="$T/srv" --reuseaddr \
	--listen=127.0.0.1 --port="$port" --pid-file="$T/daemon.pid" "$T/srv" >"$T/daemon.log" 2>&1 &
started $!
desc "git daemon listens on 127.0.0.1:$port"; ok wait_port "$port" 10

converge daemon "git://127.0.0.1:$port/district.git" "$T/srv/district.git"

desc "a sync with nothing new over git:// succeeds"; ok pl daemon-lin sync
tip=$(git -C "$T/srv/district.git" rev-parse refs/heads/nodes/LIN01)
is "$(git -C "$T/daemon-lin/git" rev-parse refs/heads/nodes/LIN01)" "$tip" "the mirror and the daemon agree on nodes/LIN01"
desc "a URL naming a repository the daemon does not have fails"
fails 1 pl daemon-lin sync --remote "git://127.0.0.1:$port/nope.git"
like "$(cat "$T/.err")" "nope.git" "the message names the remote"
is "$(git -C "$T/srv/district.git" rev-parse refs/heads/nodes/LIN01)" "$tip" "nothing changed on the district repository"

done_testing
